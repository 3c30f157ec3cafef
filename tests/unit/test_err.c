/* err.c's on-die hook: die() and die_usage() run it before they exit;
 * outfile.c sets it once an output is pending. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "outfile.h"

static void leave_3(void)
{
	_exit(3);
}

Test(err, die_runs_the_hook_first, .exit_code = 3)
{
	err_on_die(leave_3);
	die("%s", "a failure");
}

Test(err, die_usage_runs_the_hook_first, .exit_code = 3)
{
	err_on_die(leave_3);
	die_usage("%s", "bad option");
}

Test(err, without_a_hook_die_exits_1, .exit_code = 1)
{
	err_on_die(NULL);
	die("%s", "a failure");
}

static char tmp[256], dir[] = "/tmp/test_err.XXXXXX";

static void check_removed(void)
{
	struct stat st;
	int left = stat(tmp, &st) == 0;
	rmdir(dir);
	_exit(left ? 4 : 5);
}

Test(err, a_pending_output_is_removed_by_die, .exit_code = 5)
{
	cr_assert_not_null(mkdtemp(dir));
	char path[200];
	snprintf(path, sizeof path, "%s/out.txt", dir);
	outfile *o = outfile_open(path);
	cr_assert_not_null(o);
	snprintf(tmp, sizeof tmp, "%s", o->tmp);
	struct stat st;
	cr_assert_eq(stat(tmp, &st), 0);
	/* outfile's hook removes it; an atexit handler then checks */
	atexit(check_removed);
	die("%s", "a failure");
}
