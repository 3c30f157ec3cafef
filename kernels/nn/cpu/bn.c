/* bn.c: batch normalisation over the channels of NHWC data ([rows, C]),
 * cuDNN's spatial mode (see nn.h for the exact formulas).
 *
 * Statistics are summed per thread over a contiguous range of rows in
 * double, then across threads in thread order: deterministic for one
 * thread count. The variance is two-pass (mean first), so it stays exact
 * when the mean is large. */
#include <math.h>
#include <string.h>

#include "nn/cpu/cpu.h"

typedef struct bn_job {
	nn_backend *be;
	const nn_bn *g;
	const float *x, *dy, *gamma, *beta;
	float *y, *dx;
	const float *scale, *shift;   /* per channel: y = x*scale + shift */
	const double *mean;           /* per channel, pass 2 */
	const float *smean, *sinv;    /* saved statistics (backward) */
	const double *k1, *k2;        /* backward coefficients */
	int pass;
} bn_job;

/* Per-thread partials: pass 0 sum x; pass 1 sum (x-mean)^2; pass 2 (backward)
 * sum dy and sum dy*(x-mean). */
static void bn_sum_task(void *arg, int t, int nt)
{
	bn_job *j = arg;
	int C = j->g->c;
	cpu_scratch *s = &cpu_of(j->be)->scr[t];
	double *a = cpu_grow_d(&s->dacc, &s->dacc_cap, 2 * (size_t)C);
	memset(a, 0, 2 * (size_t)C * sizeof *a);
	size_t lo, hi;
	pool_range(j->g->rows, t, nt, &lo, &hi);
	const float *x = j->x + lo * C;
	if (j->pass == 0) {
		for (size_t r = lo; r < hi; r++, x += C)
			for (int c = 0; c < C; c++)
				a[c] += x[c];
	} else if (j->pass == 1) {
		for (size_t r = lo; r < hi; r++, x += C)
			for (int c = 0; c < C; c++) {
				double d = x[c] - j->mean[c];
				a[c] += d * d;
			}
	} else {
		const float *dy = j->dy + lo * C;
		for (size_t r = lo; r < hi; r++, x += C, dy += C)
			for (int c = 0; c < C; c++) {
				a[c] += dy[c];
				a[C + c] += (double)dy[c] * (x[c] - j->smean[c]);
			}
	}
}

static void bn_gather(nn_backend *be, int nt, size_t n, double *out)
{
	cpu_impl *ci = cpu_of(be);
	memset(out, 0, n * sizeof *out);
	for (int t = 0; t < nt; t++)
		for (size_t i = 0; i < n; i++)
			out[i] += ci->scr[t].dacc[i];
}

static void bn_apply_task(void *arg, int t, int nt)
{
	bn_job *j = arg;
	int C = j->g->c;
	size_t lo, hi;
	pool_range(j->g->rows, t, nt, &lo, &hi);
	const float *x = j->x + lo * C;
	float *y = j->y + lo * C;
	for (size_t r = lo; r < hi; r++, x += C, y += C)
		for (int c = 0; c < C; c++)
			y[c] = x[c] * j->scale[c] + j->shift[c];
}

static int bn_threads(nn_backend *be, size_t elems)
{
	int nt = cpu_of(be)->nt;
	return elems < CPU_SERIAL_N ? 1 : nt;
}

void cpu_bn_fwd(nn_backend *be, const nn_bn *g, const float *x, float *y, const float *gamma,
                const float *beta, float *run_mean, float *run_var, float *save_mean,
                float *save_invstd, int training)
{
	int C = g->c;
	pool *p = cpu_of(be)->pool;
	int nt = bn_threads(be, g->rows * (size_t)C);
	float scale[C], shift[C];
	if (training) {
		double mean[C], var[C];
		bn_job j = { .be = be, .g = g, .x = x, .pass = 0 };
		pool_run_n(p, nt, bn_sum_task, &j);
		bn_gather(be, nt, (size_t)C, mean);
		for (int c = 0; c < C; c++)
			mean[c] /= (double)g->rows;
		j.mean = mean, j.pass = 1;
		pool_run_n(p, nt, bn_sum_task, &j);
		bn_gather(be, nt, (size_t)C, var);
		for (int c = 0; c < C; c++) {
			double v = var[c] / (double)g->rows;
			double inv = 1.0 / sqrt(v + g->eps);
			save_mean[c] = (float)mean[c];
			save_invstd[c] = (float)inv;
			scale[c] = (float)(gamma[c] * inv);
			shift[c] = (float)(beta[c] - mean[c] * gamma[c] * inv);
			double unb = g->rows > 1 ? v * (double)g->rows / (double)(g->rows - 1) : v;
			run_mean[c] = (float)((1.0 - g->momentum) * run_mean[c] + g->momentum * mean[c]);
			run_var[c] = (float)((1.0 - g->momentum) * run_var[c] + g->momentum * unb);
		}
	} else {
		for (int c = 0; c < C; c++) {
			double inv = 1.0 / sqrt((double)run_var[c] + g->eps);
			scale[c] = (float)(gamma[c] * inv);
			shift[c] = (float)(beta[c] - run_mean[c] * gamma[c] * inv);
		}
	}
	bn_job a = { .be = be, .g = g, .x = x, .y = y, .scale = scale, .shift = shift };
	pool_run_n(p, nt, bn_apply_task, &a);
}

static void bn_bwd_task(void *arg, int t, int nt)
{
	bn_job *j = arg;
	int C = j->g->c;
	size_t lo, hi;
	pool_range(j->g->rows, t, nt, &lo, &hi);
	const float *x = j->x + lo * C, *dy = j->dy + lo * C;
	float *dx = j->dx + lo * C;
	/* dx = k0*(dy - k1 - (x-mean)*k2), with k0 = gamma*invstd folded in */
	for (size_t r = lo; r < hi; r++, x += C, dy += C, dx += C)
		for (int c = 0; c < C; c++)
			dx[c] = j->scale[c] * (float)(dy[c] - j->k1[c] - (x[c] - j->smean[c]) * j->k2[c]);
}

void cpu_bn_bwd(nn_backend *be, const nn_bn *g, const float *x, const float *dy, const float *gamma,
                const float *save_mean, const float *save_invstd, float *dx, float *dgamma,
                float *dbeta)
{
	int C = g->c;
	pool *p = cpu_of(be)->pool;
	int nt = bn_threads(be, g->rows * (size_t)C);
	double sums[2 * C], k1[C], k2[C];
	float k0[C];
	bn_job j = { .be = be, .g = g, .x = x, .dy = dy, .smean = save_mean, .pass = 2 };
	pool_run_n(p, nt, bn_sum_task, &j);
	bn_gather(be, nt, 2 * (size_t)C, sums);
	double rows = (double)g->rows;
	for (int c = 0; c < C; c++) {
		double inv = save_invstd[c];
		/* dbeta = sum dy; dgamma = sum dy*xhat = inv * sum dy*(x-mean) */
		dbeta[c] = (float)sums[c];
		dgamma[c] = (float)(sums[C + c] * inv);
		k0[c] = (float)(gamma[c] * inv);
		k1[c] = sums[c] / rows;
		k2[c] = sums[C + c] * inv * inv / rows;
	}
	if (dx) {
		bn_job b = { .be = be, .g = g, .x = x, .dy = dy, .dx = dx, .scale = k0,
		             .smean = save_mean, .k1 = k1, .k2 = k2 };
		pool_run_n(p, nt, bn_bwd_task, &b);
	}
}
