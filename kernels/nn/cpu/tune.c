/* tune.c: getting OpenBLAS's fast kernels on any x86-64 CPU.
 *
 * Debian's OpenBLAS 0.3.21 picks its kernels from cpuid when it loads and
 * falls back to slow generic ones ("Prescott") on CPUs it does not know,
 * such as newer AVX-512 Xeons: 30-50 GFLOP/s instead of 130-195 on two
 * cores. OPENBLAS_CORETYPE overrides that choice, but only before the
 * library loads, so a tool that finds it unset picks the core type from
 * the CPU's features and re-executes itself. A value already set (by the
 * user or the environment) is always respected. */
#include <cblas.h>
#include <stdlib.h>
#include <unistd.h>

#include "nn/cpu/cpu.h"
#include "err.h"
#include "progress.h"

static const char *coretype(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	    __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
		return "SkylakeX";
	if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
		return "Haswell";
#endif
	return NULL;   /* let OpenBLAS decide */
}

void nn_cpu_tune(int argc, char **argv)
{
	(void)argc;
	if (getenv("OPENBLAS_CORETYPE"))
		return;
	const char *t = coretype();
	if (!t || setenv("OPENBLAS_CORETYPE", t, 1) != 0)
		return;
	execv("/proc/self/exe", argv);
	/* Could not re-execute: carry on with OpenBLAS's own choice. */
}

typedef struct gf_job {
	double seconds;
	double flops[64];
} gf_job;

/* A conv-shaped product (im2col block x filters) like the DHAE's. */
static void gf_task(void *arg, int t, int nt)
{
	(void)nt;
	gf_job *j = arg;
	enum { M = 1568, N = 32, K = 288 };
	float *a = xcalloc((size_t)M * K, sizeof *a), *b = xcalloc((size_t)K * N, sizeof *b);
	float *c = xcalloc((size_t)M * N, sizeof *c);
	for (size_t i = 0; i < (size_t)M * K; i++)
		a[i] = (float)(i % 7) * 0.1f;
	for (size_t i = 0; i < (size_t)K * N; i++)
		b[i] = (float)(i % 5) * 0.1f;
	double t0 = now_seconds(), n = 0;
	do {
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, a, K, b, K, 0.0f, c, N);
		n++;
	} while (now_seconds() - t0 < j->seconds);
	j->flops[t] = 2.0 * M * N * K * n / (now_seconds() - t0);
	free(a), free(b), free(c);
}

double nn_cpu_sgemm_gflops(nn_backend *cpu, double seconds)
{
	gf_job j = { .seconds = seconds };
	pool_run(cpu_of(cpu)->pool, gf_task, &j);
	double s = 0;
	for (int t = 0; t < cpu_of(cpu)->nt; t++)
		s += j.flops[t];
	return s / 1e9;
}
