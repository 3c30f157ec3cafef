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
#pragma GCC optimize("O3")   /* vectorise the im2col/col2im copies (see vec.c) */

#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "nn/cpu/cpu.h"
#include "err.h"
#include "nn/cpu/vec.h"

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

/* Where out pixel q (n*OH*OW + oy*OW + ox) reads the in grid: sample n,
 * the window's top row y0 and left column x0, and the taps ka <= kx < kb
 * that fall inside it (0 <= x0+kx < W). */
typedef struct cspan {
	size_t n;
	int y0, x0, ka, kb;
} cspan;

static inline cspan cview_span(const cview *v, size_t q)
{
	size_t opix = (size_t)v->OH * v->OW, r = q % opix;
	int oy = (int)(r / (size_t)v->OW), ox = (int)(r % (size_t)v->OW);
	cspan p = { q / opix, oy * v->SH - v->PH, ox * v->SW - v->PW, 0, 0 };
	p.ka = p.x0 < 0 ? -p.x0 : 0, p.kb = v->W - p.x0;
	if (p.kb > v->KW) p.kb = v->KW;
	if (p.kb < p.ka) p.kb = p.ka;
	return p;
}

/* Rows q0..q1-1 of col (global out-pixel index q = n*OH*OW + oy*OW + ox),
 * each KH*KW*C long in (ky, kx, c) order. */
static inline void fill0(float *d, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = 0.0f;
}

static inline void copyf(float *restrict d, const float *restrict s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

static void im2col(const cview *v, const float *in, size_t q0, size_t q1, float *col)
{
	size_t K = (size_t)v->KH * v->KW * v->C;
	size_t C = (size_t)v->C;
	for (size_t q = q0; q < q1; q++) {
		cspan p = cview_span(v, q);
		const float *img = in + p.n * (size_t)v->H * v->W * C;
		float *dst = col + (q - q0) * K;
		int x0 = p.x0, ka = p.ka, kb = p.kb;
		for (int ky = 0; ky < v->KH; ky++) {
			int iy = p.y0 + ky;
			if (iy < 0 || iy >= v->H) {
				fill0(dst, (size_t)v->KW * C);
			} else {
				fill0(dst, (size_t)ka * C);
				copyf(dst + (size_t)ka * C, img + ((size_t)iy * v->W + (size_t)(x0 + ka)) * C,
				      (size_t)(kb - ka) * C);
				fill0(dst + (size_t)kb * C, (size_t)(v->KW - kb) * C);
			}
			dst += (size_t)v->KW * C;
		}
	}
}

/* The adjoint of im2col: adds the rows of col into the in grid. */
static void col2im(const cview *v, const float *col, size_t q0, size_t q1, float *in)
{
	size_t K = (size_t)v->KH * v->KW * v->C;
	size_t C = (size_t)v->C;
	for (size_t q = q0; q < q1; q++) {
		cspan p = cview_span(v, q);
		float *img = in + p.n * (size_t)v->H * v->W * C;
		const float *src = col + (q - q0) * K;
		int x0 = p.x0, ka = p.ka, kb = p.kb;
		for (int ky = 0; ky < v->KH; ky++, src += (size_t)v->KW * C) {
			int iy = p.y0 + ky;
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

/* ---- convolution and transposed convolution ----
 *
 * Each thread walks its samples in chunks: as many whole samples as keep
 * the im2col block near COL_FLOATS (a sample too big for it is split into
 * pixel blocks). What follows the op (bias, activation, dropout; or their
 * gradients before the op's backward) runs on the chunk while it is still
 * in cache. */

typedef struct conv_job {
	nn_backend *be;
	const nn_conv *g;
	cview v;
	int transposed;
	const float *x, *w, *b, *y;
	float *yout, *dy, *dx;
	const nn_post *p;
	size_t nacc;           /* floats of per-thread gradient (dw then db) */
	int mode;              /* CONV_GEMM, CONV_SMALLK, CONV_SMALLO */
	float *wT;             /* CONV_SMALLK: weights as [K][oc] */
} conv_job;

/* Two convolution shapes where im2col + sgemm spends its time on
 * copying rather than arithmetic, computed directly instead:
 *   CONV_SMALLK: a patch of at most 32 values (the first layer, C = 1 or 3)
 *                and at least 8 filters: outer products over the filters;
 *   CONV_SMALLO: at most 4 filters (the output layer): dot products over
 *                the channels.
 * Both vectorise over a contiguous axis and sum in a fixed order. */
enum { CONV_GEMM, CONV_SMALLK, CONV_SMALLO };
#define SMALLK_MAX 32

#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CLONES
#endif

/* The patch of out pixel q (zeros outside the image). */
static inline void patch_of(const cview *v, const float *in, size_t q, float *xp)
{
	size_t opix = (size_t)v->OH * v->OW, n = q / opix, r = q % opix;
	int oy = (int)(r / (size_t)v->OW), ox = (int)(r % (size_t)v->OW), k = 0;
	const float *img = in + n * (size_t)v->H * v->W * v->C;
	for (int ky = 0; ky < v->KH; ky++) {
		int iy = oy * v->SH - v->PH + ky;
		for (int kx = 0; kx < v->KW; kx++) {
			int ix = ox * v->SW - v->PW + kx;
			int in_b = iy >= 0 && iy < v->H && ix >= 0 && ix < v->W;
			const float *src = img + ((size_t)(in_b ? iy : 0) * v->W + (size_t)(in_b ? ix : 0)) * v->C;
			for (int c = 0; c < v->C; c++)
				xp[k++] = in_b ? src[c] : 0.0f;
		}
	}
}

/* Adds dxp (a patch's gradient) back into the image, skipping padding. */
static inline void unpatch(const cview *v, const float *dxp, size_t q, float *in)
{
	size_t opix = (size_t)v->OH * v->OW, n = q / opix, r = q % opix;
	int oy = (int)(r / (size_t)v->OW), ox = (int)(r % (size_t)v->OW), k = 0;
	float *img = in + n * (size_t)v->H * v->W * v->C;
	for (int ky = 0; ky < v->KH; ky++) {
		int iy = oy * v->SH - v->PH + ky;
		for (int kx = 0; kx < v->KW; kx++, k += v->C) {
			int ix = ox * v->SW - v->PW + kx;
			if (iy < 0 || iy >= v->H || ix < 0 || ix >= v->W)
				continue;
			float *d = img + ((size_t)iy * v->W + (size_t)ix) * v->C;
			for (int c = 0; c < v->C; c++)
				d[c] += dxp[k + c];
		}
	}
}

/* 8-float vectors (GCC vector extension: AVX in the avx2 clone, SSE pairs
 * otherwise); v8u may sit at any float address. */
typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4)));

static inline float hsum8(v8 a)
{
	return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

/* Input pixel of out pixel (oy, ox) at tap (ky, kx), or -1 outside. */
static inline long tap_at(const cview *v, int oy, int ox, int ky, int kx)
{
	int iy = oy * v->SH - v->PH + ky, ix = ox * v->SW - v->PW + kx;
	if (iy < 0 || iy >= v->H || ix < 0 || ix >= v->W)
		return -1;
	return (long)iy * v->W + ix;
}

/* Few inputs per patch, filters a multiple of 8: y row = sum_k patch[k] * wT[k][:]. */
CLONES static void smallk_fwd(const cview *v, const float *x, const float *wT, int OC, size_t q0, size_t q1,
                              float *y)
{
	int K = v->KH * v->KW * v->C, nv = OC / 8;
	float xp[SMALLK_MAX];
	for (size_t q = q0; q < q1; q++) {
		patch_of(v, x, q, xp);
		float *yr = y + q * (size_t)OC;
		for (int j = 0; j < nv; j += 2) {   /* two vectors of filters at a time, in registers */
			v8 a0 = { 0 }, a1 = { 0 };
			int two = j + 1 < nv;
			for (int k = 0; k < K; k++) {
				const float *wr = wT + (size_t)k * OC + (size_t)j * 8;
				a0 += xp[k] * *(const v8u *)wr;
				if (two)
					a1 += xp[k] * *(const v8u *)(wr + 8);
			}
			*(v8u *)(yr + j * 8) = a0;
			if (two)
				*(v8u *)(yr + j * 8 + 8) = a1;
		}
	}
}

/* Samples s0..s1-1: dwT [K][OC] += sum over pixels of patch[k] * dy[:], in
 * registers per (k, vector of filters); dx (when wanted) by scattering
 * each patch's gradient (only a first layer uses this path, without dx). */
CLONES static void smallk_bwd(const cview *v, const float *x, const float *w, const float *dy, int OC,
                              size_t s0, size_t s1, float *dwT, float *dx)
{
	int K = v->KH * v->KW * v->C, nv = OC / 8, C = v->C;
	size_t opix = (size_t)v->OH * v->OW, ipix = (size_t)v->H * v->W;
	for (size_t n = s0; n < s1; n++) {
		const float *img = x + n * ipix * C, *dyn = dy + n * opix * OC;
		for (int ky = 0; ky < v->KH; ky++)
			for (int kx = 0; kx < v->KW; kx++)
				for (int c = 0; c < C; c++) {
					int k = (ky * v->KW + kx) * C + c;
					for (int j = 0; j < nv; j++) {
						v8 a = { 0 };
						for (int oy = 0; oy < v->OH; oy++)
							for (int ox = 0; ox < v->OW; ox++) {
								long at = tap_at(v, oy, ox, ky, kx);
								if (at < 0)
									continue;
								a += img[(size_t)at * C + c] *
								     *(const v8u *)(dyn + ((size_t)oy * v->OW + ox) * OC + j * 8);
							}
						*(v8u *)(dwT + (size_t)k * OC + j * 8) += a;
					}
				}
		if (!dx)
			continue;
		float dxp[SMALLK_MAX];
		for (size_t q = n * opix; q < (n + 1) * opix; q++) {
			const float *dr = dy + q * (size_t)OC;
			for (int k = 0; k < K; k++) {
				float sum = 0;
				for (int o = 0; o < OC; o++)
					sum += dr[o] * w[(size_t)o * K + k];
				dxp[k] = sum;
			}
			unpatch(v, dxp, q, dx);
		}
	}
}

/* Few filters, channels a multiple of 8: dot products over the channels,
 * two accumulators in registers. */
CLONES static void smallo_fwd(const cview *v, const float *x, const float *w, int OC, size_t q0, size_t q1,
                              float *y)
{
	size_t opix = (size_t)v->OH * v->OW;
	int C = v->C;
	for (size_t q = q0; q < q1; q++) {
		size_t n = q / opix, r = q % opix;
		int oy = (int)(r / (size_t)v->OW), ox = (int)(r % (size_t)v->OW);
		const float *img = x + n * (size_t)v->H * v->W * C;
		for (int o = 0; o < OC; o++) {
			v8 a0 = { 0 }, a1 = { 0 };
			for (int ky = 0; ky < v->KH; ky++)
				for (int kx = 0; kx < v->KW; kx++) {
					long at = tap_at(v, oy, ox, ky, kx);
					if (at < 0)
						continue;
					const float *xr = img + (size_t)at * C;
					const float *wr = w + (((size_t)o * v->KH + (size_t)ky) * v->KW + (size_t)kx) * C;
					int c = 0;
					for (; c + 16 <= C; c += 16) {
						a0 += *(const v8u *)(xr + c) * *(const v8u *)(wr + c);
						a1 += *(const v8u *)(xr + c + 8) * *(const v8u *)(wr + c + 8);
					}
					if (c < C)
						a0 += *(const v8u *)(xr + c) * *(const v8u *)(wr + c);
				}
			y[q * (size_t)OC + (size_t)o] = hsum8(a0 + a1);
		}
	}
}

/* The out rows (or columns) that read input row iy through kernel row ky,
 * for each ky: oy[ky] or -1. Integer division only here, once per row. */
static inline void readers(int i, int P, int S, int K, int O, int *o)
{
	for (int k = 0; k < K; k++) {
		int t = i + P - k;   /* = o * S */
		o[k] = t < 0 || t % S || t / S >= O ? -1 : t / S;
	}
}

/* Samples s0..s1-1: dw [OC][KH][KW][C] += dy * patches, one kernel row at
 * a time with the taps of the row in registers (kernels up to 4 wide);
 * dx [pixel][C] = sum over the out pixels that read it of dy * w,
 * gathered per input pixel and written once. */
CLONES static void smallo_bwd(const cview *v, const float *x, const float *w, const float *dy, int OC,
                              size_t s0, size_t s1, float *dw, float *dx)
{
	int C = v->C, KW = v->KW;
	size_t opix = (size_t)v->OH * v->OW, ipix = (size_t)v->H * v->W;
	int ry[16], rx[16];
	for (size_t n = s0; n < s1; n++) {
		const float *img = x + n * ipix * C, *dyn = dy + n * opix * OC;
		for (int o = 0; o < OC; o++)
			for (int ky = 0; ky < v->KH; ky++)
				for (int c = 0; c < C; c += 8) {
					v8 a[4] = { { 0 } };
					for (int oy = 0; oy < v->OH; oy++) {
						int iy = oy * v->SH - v->PH + ky;
						if (iy < 0 || iy >= v->H)
							continue;
						const float *row = img + (size_t)iy * v->W * C + c;
						const float *drow = dyn + (size_t)oy * v->OW * OC + o;
						for (int ox = 0; ox < v->OW; ox++) {
							float d = drow[(size_t)ox * OC];
							int ix0 = ox * v->SW - v->PW;
							for (int kx = 0; kx < KW && kx < 4; kx++) {
								int ix = ix0 + kx;
								if (ix >= 0 && ix < v->W)
									a[kx] += d * *(const v8u *)(row + (size_t)ix * C);
							}
						}
					}
					for (int kx = 0; kx < KW && kx < 4; kx++)
						*(v8u *)(dw + (((size_t)o * v->KH + ky) * KW + kx) * C + c) += a[kx];
				}
		if (KW > 4) {   /* wider kernels: the taps past 4, one at a time */
			for (int o = 0; o < OC; o++)
				for (int ky = 0; ky < v->KH; ky++)
					for (int kx = 4; kx < KW; kx++)
						for (int c = 0; c < C; c += 8) {
							v8 a = { 0 };
							for (int oy = 0; oy < v->OH; oy++)
								for (int ox = 0; ox < v->OW; ox++) {
									long at = tap_at(v, oy, ox, ky, kx);
									if (at >= 0)
										a += dyn[((size_t)oy * v->OW + ox) * OC + o] *
										     *(const v8u *)(img + (size_t)at * C + c);
								}
							*(v8u *)(dw + (((size_t)o * v->KH + ky) * KW + kx) * C + c) += a;
						}
		}
		if (!dx || v->KH > 16 || KW > 16)
			continue;
		float *dxn = dx + n * ipix * C;
		for (int iy = 0; iy < v->H; iy++) {
			readers(iy, v->PH, v->SH, v->KH, v->OH, ry);
			for (int ix = 0; ix < v->W; ix++) {
				readers(ix, v->PW, v->SW, KW, v->OW, rx);
				for (int c = 0; c < C; c += 16) {   /* two vectors of channels at once */
					int two = c + 8 < C;
					v8 a0 = { 0 }, a1 = { 0 };
					for (int ky = 0; ky < v->KH; ky++) {
						if (ry[ky] < 0)
							continue;
						for (int kx = 0; kx < KW; kx++) {
							if (rx[kx] < 0)
								continue;
							const float *dq = dyn + ((size_t)ry[ky] * v->OW + (size_t)rx[kx]) * OC;
							const float *wk = w + ((size_t)ky * KW + kx) * C + c;
							for (int o = 0; o < OC; o++) {
								const float *wo = wk + (size_t)o * v->KH * KW * C;
								a0 += dq[o] * *(const v8u *)wo;
								if (two)
									a1 += dq[o] * *(const v8u *)(wo + 8);
							}
						}
					}
					float *d = dxn + ((size_t)iy * v->W + ix) * C + c;
					*(v8u *)d = a0;
					if (two)
						*(v8u *)(d + 8) = a1;
				}
			}
		}
	}
}

/* GEMM rows per sample (the conv's output pixels, or the transposed
 * conv's input pixels) and the length of one col row. */
static size_t rows_per_sample(const conv_job *j)
{
	const nn_conv *g = j->g;
	return j->transposed ? (size_t)g->h * g->w : (size_t)g->oh * g->ow;
}

static size_t col_len(const conv_job *j)
{
	const nn_conv *g = j->g;
	return (size_t)g->kh * g->kw * (j->transposed ? g->oc : g->c);
}

static size_t chunk_samples(const conv_job *j)
{
	size_t per = rows_per_sample(j) * col_len(j);
	size_t s = COL_FLOATS / (per ? per : 1);
	return s ? s : 1;
}

/* Bias, activation and dropout on the outputs of samples s0..s1-1. */
static void post_fwd(conv_job *j, size_t s0, size_t s1)
{
	const nn_conv *g = j->g;
	size_t per = (size_t)g->oh * g->ow * g->oc, off = s0 * per, n = (s1 - s0) * per;
	float *y = j->yout + off;
	const nn_post *p = j->p;
	vec_bias_act(y, (s1 - s0) * (size_t)g->oh * g->ow, g->oc, j->b, p ? p->act : NN_ACT_NONE);
	if (p && p->mask)
		vec_dropout(y, p->out + off, p->mask + off, n, off, p->rate, p->seed);
}

/* dy *= mask, then the activation's backward, on samples s0..s1-1. */
static void post_bwd(conv_job *j, size_t s0, size_t s1)
{
	const nn_post *p = j->p;
	if (!p)
		return;
	const nn_conv *g = j->g;
	size_t per = (size_t)g->oh * g->ow * g->oc, off = s0 * per, n = (s1 - s0) * per;
	float *dy = j->dy + off;
	if (p->mask)
		vec_mul(dy, p->mask + off, dy, n);
	if (p->act == NN_ACT_RELU)
		vec_relu_bwd(j->y + off, dy, dy, n);
	else if (p->act == NN_ACT_SIGMOID)
		vec_sigmoid_bwd(j->y + off, dy, dy, n);
}

static void fwd_task(void *arg, int t, int nt)
{
	conv_job *j = arg;
	const nn_conv *g = j->g;
	cpu_scratch *s = &cpu_of(j->be)->scr[t];
	size_t lo, hi, K = col_len(j), rps = rows_per_sample(j), cs = chunk_samples(j);
	size_t B = block_pixels(K), ypix = (size_t)g->oh * g->ow;
	pool_range((size_t)g->n, t, nt, &lo, &hi);
	float *col = cpu_grow(&s->col, &s->col_cap, (B > cs * rps ? B : cs * rps) * K);
	for (size_t s0 = lo; s0 < hi; s0 += cs) {
		size_t s1 = s0 + cs < hi ? s0 + cs : hi;
		if (j->transposed)
			memset(j->yout + s0 * ypix * g->oc, 0, (s1 - s0) * ypix * g->oc * sizeof(float));
		size_t b = s1 - s0 > 1 ? (s1 - s0) * rps : B;
		for (size_t q = s0 * rps; q < s1 * rps; q += b) {
			size_t m = s1 * rps - q < b ? s1 * rps - q : b;
			if (j->mode == CONV_SMALLK) {
				smallk_fwd(&j->v, j->x, j->wT, g->oc, q, q + m, j->yout);
			} else if (j->mode == CONV_SMALLO) {
				smallo_fwd(&j->v, j->x, j->w, g->oc, q, q + m, j->yout);
			} else if (j->transposed) {
				cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)K, g->c,
				            1.0f, j->x + q * (size_t)g->c, g->c, j->w, (int)K, 0.0f, col, (int)K);
				col2im(&j->v, col, q, q + m, j->yout);
			} else {
				im2col(&j->v, j->x, q, q + m, col);
				cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, g->oc, (int)K,
				            1.0f, col, (int)K, j->w, (int)K, 0.0f, j->yout + q * (size_t)g->oc, g->oc);
			}
		}
		post_fwd(j, s0, s1);
	}
}

static void bwd_task(void *arg, int t, int nt)
{
	conv_job *j = arg;
	const nn_conv *g = j->g;
	cpu_scratch *s = &cpu_of(j->be)->scr[t];
	size_t lo, hi, K = col_len(j), rps = rows_per_sample(j), cs = chunk_samples(j);
	size_t B = block_pixels(K), ypix = (size_t)g->oh * g->ow, xpix = (size_t)g->h * g->w;
	pool_range((size_t)g->n, t, nt, &lo, &hi);
	float *col = cpu_grow(&s->col, &s->col_cap, (B > cs * rps ? B : cs * rps) * K);
	float *acc = cpu_grow(&s->acc, &s->acc_cap, j->nacc);
	memset(acc, 0, j->nacc * sizeof *acc);
	size_t nw = j->nacc - (size_t)g->oc;
	float *dw = acc, *db = acc + nw;
	if (j->mode == CONV_SMALLK)   /* col holds dw as [K][oc] */
		memset(col, 0, nw * sizeof *col);
	for (size_t s0 = lo; s0 < hi; s0 += cs) {
		size_t s1 = s0 + cs < hi ? s0 + cs : hi;
		post_bwd(j, s0, s1);
		vec_colsum(j->dy + s0 * ypix * g->oc, (s1 - s0) * ypix, g->oc, db);
		if (j->dx && !j->transposed && j->mode != CONV_SMALLO)   /* SMALLO writes dx whole */
			memset(j->dx + s0 * xpix * g->c, 0, (s1 - s0) * xpix * g->c * sizeof(float));
		size_t b = s1 - s0 > 1 || j->mode != CONV_GEMM ? (s1 - s0) * rps : B;
		for (size_t q = s0 * rps; q < s1 * rps; q += b) {
			size_t m = s1 * rps - q < b ? s1 * rps - q : b;
			if (j->mode == CONV_SMALLK) {
				smallk_bwd(&j->v, j->x, j->w, j->dy, g->oc, s0, s1, col, j->dx);
			} else if (j->mode == CONV_SMALLO) {
				smallo_bwd(&j->v, j->x, j->w, j->dy, g->oc, s0, s1, dw, j->dx);
			} else if (j->transposed) {
				const float *x = j->x + q * (size_t)g->c;
				im2col(&j->v, j->dy, q, q + m, col);
				if (j->dx)
					cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)m, g->c, (int)K,
					            1.0f, col, (int)K, j->w, (int)K, 0.0f, j->dx + q * (size_t)g->c, g->c);
				cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, g->c, (int)K, (int)m,
				            1.0f, x, g->c, col, (int)K, 1.0f, dw, (int)K);
			} else {
				const float *dy = j->dy + q * (size_t)g->oc;
				im2col(&j->v, j->x, q, q + m, col);
				cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, g->oc, (int)K, (int)m,
				            1.0f, dy, g->oc, col, (int)K, 1.0f, dw, (int)K);
				if (j->dx) {
					cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)m, (int)K, g->oc,
					            1.0f, dy, g->oc, j->w, (int)K, 0.0f, col, (int)K);
					col2im(&j->v, col, q, q + m, j->dx);
				}
			}
		}
	}
	if (j->mode == CONV_SMALLK)
		for (size_t k = 0; k < K; k++)
			for (int o = 0; o < g->oc; o++)
				dw[(size_t)o * K + k] = col[k * (size_t)g->oc + (size_t)o];
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

static int conv_mode(const nn_conv *g, int tr)
{
	if (tr)
		return CONV_GEMM;
	if (g->kh * g->kw * g->c <= SMALLK_MAX && g->oc % 8 == 0)
		return CONV_SMALLK;
	if (g->oc <= 4 && g->c % 8 == 0 && g->kh <= 16 && g->kw <= 16)
		return CONV_SMALLO;
	return CONV_GEMM;
}

static void run_fwd(nn_backend *be, const nn_conv *g, int tr, const float *x, const float *w,
                    const float *b, float *y, const nn_post *p)
{
	conv_job j = { .be = be, .g = g, .v = tr ? tconv_view(g) : conv_view(g), .transposed = tr,
	               .x = x, .w = w, .b = b, .yout = y, .p = p, .mode = conv_mode(g, tr) };
	float wT[SMALLK_MAX * 64];
	if (j.mode == CONV_SMALLK) {
		int K = g->kh * g->kw * g->c;
		float *t = g->oc <= 64 ? wT : xmalloc((size_t)K * g->oc * sizeof *t);
		for (int o = 0; o < g->oc; o++)
			for (int k = 0; k < K; k++)
				t[(size_t)k * g->oc + o] = w[(size_t)o * K + k];
		j.wT = t;
	}
	pool_run_n(cpu_of(be)->pool, g->n, fwd_task, &j);
	if (j.wT && j.wT != wT)
		free(j.wT);
}

static void run_bwd(nn_backend *be, const nn_conv *g, int tr, const float *x, const float *w,
                    const float *y, const nn_post *p, float *dy, float *dx, float *dw, float *db)
{
	size_t nw = (size_t)g->oc * g->kh * g->kw * g->c;
	conv_job j = { .be = be, .g = g, .v = tr ? tconv_view(g) : conv_view(g), .transposed = tr,
	               .x = x, .w = w, .y = y, .p = p, .dy = dy, .dx = dx, .nacc = nw + (size_t)g->oc,
	               .mode = conv_mode(g, tr) };
	pool_run_n(cpu_of(be)->pool, g->n, bwd_task, &j);
	reduce_grads(be, used_threads(be, g->n), nw, (size_t)g->oc, dw, db);
}

/* nn.h's conv entry points, plain and fused */
NN_CONV_DEFINE(cpu, run_fwd, run_bwd)

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
	vec_bias_act(y, hi - lo, j->out, j->b, NN_ACT_NONE);
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
	vec_colsum(dy, hi - lo, j->out, acc + nw);
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
