/* conv.c: convolution, transposed convolution and dense layers of the CPU
 * backend, as im2col + sgemm (OpenBLAS, one thread per call).
 *
 * Parallel over samples: thread t owns a contiguous range of the batch and
 * walks it in blocks of output pixels small enough that the im2col block
 * stays in cache. Weight gradients are summed per thread and then across
 * threads in thread order, so the result depends only on the thread count.
 * A transposed convolution is the adjoint of the convolution from its
 * output grid to its input grid: its forward pass is that convolution's
 * data gradient (sgemm, then col2im) and vice versa. */
#include <cblas.h>
#include <string.h>

#include "cpu.h"

/* A convolution seen from its im2col side: the "in" grid is read by
 * im2col (or written by col2im), the "out" grid indexes the rows of col. */
typedef struct cview {
	int H, W, C;      /* in grid */
	int OH, OW;       /* out grid */
	int KH, KW, SH, SW, PH, PW;
} cview;

#define COL_FLOATS (1u << 17)   /* im2col block: 512 KiB, about L2 */

static size_t block_pixels(size_t K)
{
	size_t b = COL_FLOATS / K;
	return b ? b : 1;
}

/* Rows q0..q1-1 of col (global out-pixel index q = n*OH*OW + oy*OW + ox),
 * each KH*KW*C long in (ky, kx, c) order. */
static void im2col(const cview *v, const float *in, size_t q0, size_t q1, float *col)
{
	size_t opix = (size_t)v->OH * v->OW, K = (size_t)v->KH * v->KW * v->C;
	size_t C = (size_t)v->C;
	for (size_t q = q0; q < q1; q++) {
		size_t n = q / opix, r = q % opix;
		int oy = (int)(r / (size_t)v->OW), ox = (int)(r % (size_t)v->OW);
		const float *img = in + n * (size_t)v->H * v->W * C;
		float *dst = col + (q - q0) * K;
		int x0 = ox * v->SW - v->PW;
		/* kx with 0 <= x0+kx < W */
		int ka = x0 < 0 ? -x0 : 0, kb = v->W - x0;
		if (kb > v->KW) kb = v->KW;
		if (kb < ka) kb = ka;
		for (int ky = 0; ky < v->KH; ky++) {
			int iy = oy * v->SH - v->PH + ky;
			if (iy < 0 || iy >= v->H) {
				memset(dst, 0, (size_t)v->KW * C * sizeof *dst);
			} else {
				memset(dst, 0, (size_t)ka * C * sizeof *dst);
				memcpy(dst + (size_t)ka * C, img + ((size_t)iy * v->W + (size_t)(x0 + ka)) * C,
				       (size_t)(kb - ka) * C * sizeof *dst);
				memset(dst + (size_t)kb * C, 0, (size_t)(v->KW - kb) * C * sizeof *dst);
			}
			dst += (size_t)v->KW * C;
		}
	}
}

/* The adjoint of im2col: adds the rows of col into the in grid. */
static void col2im(const cview *v, const float *col, size_t q0, size_t q1, float *in)
{
	size_t opix = (size_t)v->OH * v->OW, K = (size_t)v->KH * v->KW * v->C;
	size_t C = (size_t)v->C;
	for (size_t q = q0; q < q1; q++) {
		size_t n = q / opix, r = q % opix;
		int oy = (int)(r / (size_t)v->OW), ox = (int)(r % (size_t)v->OW);
		float *img = in + n * (size_t)v->H * v->W * C;
		const float *src = col + (q - q0) * K;
		int x0 = ox * v->SW - v->PW;
		int ka = x0 < 0 ? -x0 : 0, kb = v->W - x0;
		if (kb > v->KW) kb = v->KW;
		if (kb < ka) kb = ka;
		for (int ky = 0; ky < v->KH; ky++, src += (size_t)v->KW * C) {
			int iy = oy * v->SH - v->PH + ky;
			if (iy < 0 || iy >= v->H)
				continue;
			float *d = img + ((size_t)iy * v->W + (size_t)(x0 + ka)) * C;
			const float *s = src + (size_t)ka * C;
			size_t len = (size_t)(kb - ka) * C;
			for (size_t i = 0; i < len; i++)
				d[i] += s[i];
		}
	}
}

static cview conv_view(const nn_conv *g)
{
	return (cview){ g->h, g->w, g->c, g->oh, g->ow, g->kh, g->kw, g->sh, g->sw, g->ph, g->pw };
}

/* The transposed conv's adjoint convolution reads the y grid. */
static cview tconv_view(const nn_conv *g)
{
	return (cview){ g->oh, g->ow, g->oc, g->h, g->w, g->kh, g->kw, g->sh, g->sw, g->ph, g->pw };
}

static void add_bias(float *y, size_t rows, int c, const float *b)
{
	if (!b)
		return;
	for (size_t r = 0; r < rows; r++, y += c)
		for (int i = 0; i < c; i++)
			y[i] += b[i];
}

static void col_sums(const float *dy, size_t rows, int c, float *acc)
{
	for (size_t r = 0; r < rows; r++, dy += c)
		for (int i = 0; i < c; i++)
			acc[i] += dy[i];
}

/* ---- convolution ---- */

typedef struct conv_job {
	nn_backend *be;
	const nn_conv *g;
	cview v;
	const float *x, *w, *b, *dy;
	float *y, *dx;
	size_t nacc;           /* floats of per-thread gradient (dw then db) */
} conv_job;

static void conv_fwd_task(void *arg, int t, int nt)
{
	conv_job *j = arg;
	const nn_conv *g = j->g;
	cpu_scratch *s = &cpu_of(j->be)->scr[t];
	size_t lo, hi, K = (size_t)g->kh * g->kw * g->c, opix = (size_t)g->oh * g->ow;
	pool_range((size_t)g->n, t, nt, &lo, &hi);
	size_t B = block_pixels(K);
	float *col = cpu_grow(&s->col, &s->col_cap, B * K);
	for (size_t q = lo * opix; q < hi * opix; q += B) {
		size_t m = hi * opix - q < B ? hi * opix - q : B;
		im2col(&j->v, j->x, q, q + m, col);
		float *y = j->y + q * (size_t)g->oc;
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, g->oc, (int)K,
		            1.0f, col, (int)K, j->w, (int)K, 0.0f, y, g->oc);
		add_bias(y, m, g->oc, j->b);
	}
}

void cpu_conv_fwd(nn_backend *be, const nn_conv *g, const float *x, const float *w, const float *b, float *y)
{
	conv_job j = { .be = be, .g = g, .v = conv_view(g), .x = x, .w = w, .b = b, .y = y };
	pool_run_n(cpu_of(be)->pool, g->n, conv_fwd_task, &j);
}

static void conv_bwd_task(void *arg, int t, int nt)
{
	conv_job *j = arg;
	const nn_conv *g = j->g;
	cpu_scratch *s = &cpu_of(j->be)->scr[t];
	size_t lo, hi, K = (size_t)g->kh * g->kw * g->c, opix = (size_t)g->oh * g->ow;
	pool_range((size_t)g->n, t, nt, &lo, &hi);
	size_t B = block_pixels(K);
	float *col = cpu_grow(&s->col, &s->col_cap, B * K);
	float *acc = cpu_grow(&s->acc, &s->acc_cap, j->nacc);
	memset(acc, 0, j->nacc * sizeof *acc);
	float *dw = acc, *db = acc + (size_t)g->oc * K;
	size_t ipix = (size_t)g->h * g->w * g->c;
	if (j->dx)
		memset(j->dx + lo * ipix, 0, (hi - lo) * ipix * sizeof(float));
	for (size_t q = lo * opix; q < hi * opix; q += B) {
		size_t m = hi * opix - q < B ? hi * opix - q : B;
		const float *dy = j->dy + q * (size_t)g->oc;
		im2col(&j->v, j->x, q, q + m, col);
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, g->oc, (int)K, (int)m,
		            1.0f, dy, g->oc, col, (int)K, 1.0f, dw, (int)K);
		col_sums(dy, m, g->oc, db);
		if (j->dx) {
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)K, g->oc,
			            1.0f, dy, g->oc, j->w, (int)K, 0.0f, col, (int)K);
			col2im(&j->v, col, q, q + m, j->dx);
		}
	}
}

/* Sums the per-thread gradients (weights then bias) into dw and db. */
static void reduce_grads(nn_backend *be, int nt, size_t nw, size_t nb, float *dw, float *db)
{
	cpu_impl *c = cpu_of(be);
	const float *parts[64] = { 0 };
	for (int t = 0; t < nt; t++)
		parts[t] = c->scr[t].acc;
	cpu_reduce(be, nw, parts, nt, dw);
	for (int t = 0; t < nt; t++)
		parts[t] = c->scr[t].acc + nw;
	if (db)
		cpu_reduce(be, nb, parts, nt, db);
}

static int used_threads(nn_backend *be, int n)
{
	int nt = cpu_of(be)->nt;
	return n < nt ? (n < 1 ? 1 : n) : nt;
}

void cpu_conv_bwd(nn_backend *be, const nn_conv *g, const float *x, const float *w, const float *dy,
                  float *dx, float *dw, float *db)
{
	size_t nw = (size_t)g->oc * g->kh * g->kw * g->c;
	conv_job j = { .be = be, .g = g, .v = conv_view(g), .x = x, .w = w, .dy = dy, .dx = dx,
	               .nacc = nw + (size_t)g->oc };
	pool_run_n(cpu_of(be)->pool, g->n, conv_bwd_task, &j);
	reduce_grads(be, used_threads(be, g->n), nw, (size_t)g->oc, dw, db);
}

/* ---- transposed convolution ---- */

static void tconv_fwd_task(void *arg, int t, int nt)
{
	conv_job *j = arg;
	const nn_conv *g = j->g;
	cpu_scratch *s = &cpu_of(j->be)->scr[t];
	size_t lo, hi, K = (size_t)g->kh * g->kw * g->oc, xpix = (size_t)g->h * g->w;
	size_t ypix = (size_t)g->oh * g->ow;
	pool_range((size_t)g->n, t, nt, &lo, &hi);
	size_t B = block_pixels(K);
	float *col = cpu_grow(&s->col, &s->col_cap, B * K);
	memset(j->y + lo * ypix * g->oc, 0, (hi - lo) * ypix * g->oc * sizeof(float));
	for (size_t q = lo * xpix; q < hi * xpix; q += B) {
		size_t m = hi * xpix - q < B ? hi * xpix - q : B;
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)K, g->c,
		            1.0f, j->x + q * (size_t)g->c, g->c, j->w, (int)K, 0.0f, col, (int)K);
		col2im(&j->v, col, q, q + m, j->y);
	}
	add_bias(j->y + lo * ypix * g->oc, (hi - lo) * ypix, g->oc, j->b);
}

void cpu_tconv_fwd(nn_backend *be, const nn_conv *g, const float *x, const float *w, const float *b, float *y)
{
	conv_job j = { .be = be, .g = g, .v = tconv_view(g), .x = x, .w = w, .b = b, .y = y };
	pool_run_n(cpu_of(be)->pool, g->n, tconv_fwd_task, &j);
}

static void tconv_bwd_task(void *arg, int t, int nt)
{
	conv_job *j = arg;
	const nn_conv *g = j->g;
	cpu_scratch *s = &cpu_of(j->be)->scr[t];
	size_t lo, hi, K = (size_t)g->kh * g->kw * g->oc, xpix = (size_t)g->h * g->w;
	size_t ypix = (size_t)g->oh * g->ow;
	pool_range((size_t)g->n, t, nt, &lo, &hi);
	size_t B = block_pixels(K);
	float *col = cpu_grow(&s->col, &s->col_cap, B * K);
	float *acc = cpu_grow(&s->acc, &s->acc_cap, j->nacc);
	memset(acc, 0, j->nacc * sizeof *acc);
	float *dw = acc, *db = acc + (size_t)g->c * K;
	col_sums(j->dy + lo * ypix * g->oc, (hi - lo) * ypix, g->oc, db);
	for (size_t q = lo * xpix; q < hi * xpix; q += B) {
		size_t m = hi * xpix - q < B ? hi * xpix - q : B;
		const float *x = j->x + q * (size_t)g->c;
		im2col(&j->v, j->dy, q, q + m, col);
		if (j->dx)
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, g->c, (int)K,
			            1.0f, col, (int)K, j->w, (int)K, 0.0f, j->dx + q * (size_t)g->c, g->c);
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, g->c, (int)K, (int)m,
		            1.0f, x, g->c, col, (int)K, 1.0f, dw, (int)K);
	}
}

void cpu_tconv_bwd(nn_backend *be, const nn_conv *g, const float *x, const float *w, const float *dy,
                   float *dx, float *dw, float *db)
{
	size_t nw = (size_t)g->c * g->kh * g->kw * g->oc;
	conv_job j = { .be = be, .g = g, .v = tconv_view(g), .x = x, .w = w, .dy = dy, .dx = dx,
	               .nacc = nw + (size_t)g->oc };
	pool_run_n(cpu_of(be)->pool, g->n, tconv_bwd_task, &j);
	reduce_grads(be, used_threads(be, g->n), nw, (size_t)g->oc, dw, db);
}

/* ---- dense ---- */

typedef struct dense_job {
	nn_backend *be;
	int n, in, out;
	const float *x, *w, *b, *dy;
	float *y, *dx;
} dense_job;

static void dense_fwd_task(void *arg, int t, int nt)
{
	dense_job *j = arg;
	size_t lo, hi;
	pool_range((size_t)j->n, t, nt, &lo, &hi);
	if (hi == lo)
		return;
	float *y = j->y + lo * (size_t)j->out;
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(hi - lo), j->out, j->in,
	            1.0f, j->x + lo * (size_t)j->in, j->in, j->w, j->out, 0.0f, y, j->out);
	add_bias(y, hi - lo, j->out, j->b);
}

/* Rows per thread below which one thread does a dense layer alone. */
static int dense_threads(int n, int in, int out)
{
	double flops = 2.0 * n * in * out;
	return flops < 2e6 ? 1 : n;
}

void cpu_dense_fwd(nn_backend *be, int n, int in, int out, const float *x, const float *w,
                   const float *b, float *y)
{
	dense_job j = { .be = be, .n = n, .in = in, .out = out, .x = x, .w = w, .b = b, .y = y };
	pool_run_n(cpu_of(be)->pool, dense_threads(n, in, out), dense_fwd_task, &j);
}

static void dense_bwd_task(void *arg, int t, int nt)
{
	dense_job *j = arg;
	cpu_scratch *s = &cpu_of(j->be)->scr[t];
	size_t lo, hi, nw = (size_t)j->in * j->out;
	pool_range((size_t)j->n, t, nt, &lo, &hi);
	float *acc = cpu_grow(&s->acc, &s->acc_cap, nw + (size_t)j->out);
	memset(acc, 0, (nw + (size_t)j->out) * sizeof *acc);
	if (hi == lo)
		return;
	const float *dy = j->dy + lo * (size_t)j->out, *x = j->x + lo * (size_t)j->in;
	int m = (int)(hi - lo);
	cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, j->in, j->out, m,
	            1.0f, x, j->in, dy, j->out, 0.0f, acc, j->out);
	col_sums(dy, hi - lo, j->out, acc + nw);
	if (j->dx)
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, j->in, j->out,
		            1.0f, dy, j->out, j->w, j->out, 0.0f, j->dx + lo * (size_t)j->in, j->in);
}

void cpu_dense_bwd(nn_backend *be, int n, int in, int out, const float *x, const float *w,
                   const float *dy, float *dx, float *dw, float *db)
{
	dense_job j = { .be = be, .n = n, .in = in, .out = out, .x = x, .w = w, .dy = dy, .dx = dx };
	int need = dense_threads(n, in, out);
	pool_run_n(cpu_of(be)->pool, need, dense_bwd_task, &j);
	reduce_grads(be, used_threads(be, need), (size_t)in * out, (size_t)out, dw, db);
}
