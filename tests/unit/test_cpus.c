/* cpus.c: the default thread count under quotas and batch systems. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "cpus.h"

Test(cpus, quota_lines)
{
	cr_expect_eq(cpus_from_quota("max 100000\n"), 0);
	cr_expect_eq(cpus_from_quota("200000 100000\n"), 2);
	cr_expect_eq(cpus_from_quota("150000 100000\n"), 2, "a part CPU rounds up");
	cr_expect_eq(cpus_from_quota("50000 100000\n"), 1);
	cr_expect_eq(cpus_from_quota("0 100000\n"), 0);
	cr_expect_eq(cpus_from_quota("-1 100000\n"), 0);
	cr_expect_eq(cpus_from_quota("garbage"), 0);
}

Test(cpus, environment_counts)
{
	setenv("USC_TEST_CPUS", "3", 1);
	cr_expect_eq(cpus_from_env("USC_TEST_CPUS"), 3);
	const char *bad[] = {"", "0", "-2", "3x", "1e3", "99999"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		setenv("USC_TEST_CPUS", bad[i], 1);
		cr_expect_eq(cpus_from_env("USC_TEST_CPUS"), 0, "'%s' is not a count", bad[i]);
	}
	unsetenv("USC_TEST_CPUS");
	cr_expect_eq(cpus_from_env("USC_TEST_CPUS"), 0);
}

Test(cpus, usable_takes_the_smallest)
{
	unsetenv("OPENBLAS_NUM_THREADS");
	unsetenv("SLURM_CPUS_PER_TASK");
	int n = cpus_usable();
	cr_assert_geq(n, 1);
	setenv("SLURM_CPUS_PER_TASK", "1", 1);
	cr_expect_eq(cpus_usable(), 1);
	setenv("SLURM_CPUS_PER_TASK", "4096", 1);
	cr_expect_eq(cpus_usable(), n, "a larger request does not raise the count");
	unsetenv("SLURM_CPUS_PER_TASK");
	setenv("OPENBLAS_NUM_THREADS", "1", 1);
	cr_expect_eq(cpus_usable(), 1);
	unsetenv("OPENBLAS_NUM_THREADS");
}
