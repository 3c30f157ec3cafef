/* The CPU backend of nn.h, layer by layer: every forward op against a
 * direct double-precision implementation of its definition in nn.h, and
 * every backward op against finite differences of that double reference
 * (central, h = 1e-6 on the double function, so the reference gradient is
 * good to ~1e-8). Also the threaded split against one thread, dropout's
 * mask, batch-norm statistics and the optimiser formulas. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn.h"
#include "../support/nn_check.h"
#include "rng.h"
#include "../support/nn_check.h"

static rng G;

static float *rnd(size_t n, double lo, double hi)
{
	float *p = malloc((n ? n : 1) * sizeof *p);
	for (size_t i = 0; i < n; i++)
		p[i] = (float)(lo + (hi - lo) * rng_uniform(&G));
	return p;
}

static double *tod(const float *p, size_t n)
{
	double *d = malloc((n ? n : 1) * sizeof *d);
	for (size_t i = 0; i < n; i++)
		d[i] = p[i];
	return d;
}

/* ---- double references, written from the definitions in nn.h ---- */

static void ref_conv(const nn_conv *g, const double *x, const double *w, const double *b, double *y)
{
	for (int n = 0; n < g->n; n++)
		for (int oy = 0; oy < g->oh; oy++)
			for (int ox = 0; ox < g->ow; ox++)
				for (int o = 0; o < g->oc; o++) {
					double s = b[o];
					for (int ky = 0; ky < g->kh; ky++)
						for (int kx = 0; kx < g->kw; kx++) {
							int iy = oy * g->sh - g->ph + ky, ix = ox * g->sw - g->pw + kx;
							if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w)
								continue;
							for (int i = 0; i < g->c; i++)
								s += x[((n * g->h + iy) * g->w + ix) * g->c + i] *
								     w[((o * g->kh + ky) * g->kw + kx) * g->c + i];
						}
					y[((n * g->oh + oy) * g->ow + ox) * g->oc + o] = s;
				}
}

static void ref_tconv(const nn_conv *g, const double *x, const double *w, const double *b, double *y)
{
	size_t ny = (size_t)g->n * g->oh * g->ow * g->oc;
	for (size_t i = 0; i < ny; i++)
		y[i] = b[i % g->oc];
	for (int n = 0; n < g->n; n++)
		for (int iy = 0; iy < g->h; iy++)
			for (int ix = 0; ix < g->w; ix++)
				for (int i = 0; i < g->c; i++)
					for (int ky = 0; ky < g->kh; ky++)
						for (int kx = 0; kx < g->kw; kx++) {
							int oy = iy * g->sh - g->ph + ky, ox = ix * g->sw - g->pw + kx;
							if (oy < 0 || oy >= g->oh || ox < 0 || ox >= g->ow)
								continue;
							for (int o = 0; o < g->oc; o++)
								y[((n * g->oh + oy) * g->ow + ox) * g->oc + o] +=
									x[((n * g->h + iy) * g->w + ix) * g->c + i] *
									w[((i * g->kh + ky) * g->kw + kx) * g->oc + o];
						}
}

/* ---- finite-difference gradient of L = sum r*f(inputs) ---- */

typedef void (*ref_fn)(void *ctx, double **in, double *out);

/* Checks the analytic gradient `an` of input k (n floats) against central
 * differences of the double reference. Returns the max error relative to
 * max |gradient|. */
static double fd_check(ref_fn f, void *ctx, double **in, int k, size_t n, double *out, size_t nout,
                       const double *r, const float *an)
{
	double err = 0, mx = 1e-12, h = 1e-6;
	for (size_t i = 0; i < n; i++) {
		double keep = in[k][i], lp = 0, lm = 0;
		in[k][i] = keep + h;
		f(ctx, in, out);
		for (size_t j = 0; j < nout; j++)
			lp += r[j] * out[j];
		in[k][i] = keep - h;
		f(ctx, in, out);
		for (size_t j = 0; j < nout; j++)
			lm += r[j] * out[j];
		in[k][i] = keep;
		double fd = (lp - lm) / (2 * h);
		if (fabs(fd - an[i]) > err)
			err = fabs(fd - an[i]);
		if (fabs(fd) > mx)
			mx = fabs(fd);
	}
	return err / mx;
}

static double max_rel(const float *a, const double *b, size_t n)
{
	double err = 0, mx = 1e-12;
	for (size_t i = 0; i < n; i++) {
		if (fabs(a[i] - b[i]) > err)
			err = fabs(a[i] - b[i]);
		if (fabs(b[i]) > mx)
			mx = fabs(b[i]);
	}
	return err / mx;
}

typedef struct { const nn_conv *g; int t; } convctx;

static void conv_ref(void *c, double **in, double *out)
{
	convctx *cc = c;
	(cc->t ? ref_tconv : ref_conv)(cc->g, in[0], in[1], in[2], out);
}

static void check_conv(nn_backend *be, nn_conv g, int transposed)
{
	size_t nx = (size_t)g.n * g.h * g.w * g.c, ny = (size_t)g.n * g.oh * g.ow * g.oc;
	size_t nw = (size_t)g.oc * g.kh * g.kw * g.c;
	float *x = rnd(nx, -1, 1), *w = rnd(nw, -1, 1), *b = rnd((size_t)g.oc, -1, 1), *r = rnd(ny, -1, 1);
	float *y = rnd(ny, 9, 9), *dx = rnd(nx, 9, 9), *dw = rnd(nw, 9, 9), *db = rnd((size_t)g.oc, 9, 9);
	double *in[3] = { tod(x, nx), tod(w, nw), tod(b, (size_t)g.oc) }, *yr = malloc(ny * sizeof *yr);
	double *rd = tod(r, ny);
	convctx cc = { &g, transposed };
	conv_ref(&cc, in, yr);
	if (transposed) {
		be->tconv_fwd(be, &g, x, w, b, y);
		be->tconv_bwd(be, &g, x, w, r, dx, dw, db);
	} else {
		be->conv_fwd(be, &g, x, w, b, y);
		be->conv_bwd(be, &g, x, w, r, dx, dw, db);
	}
	const char *what = transposed ? "tconv" : "conv";
	cr_expect(max_rel(y, yr, ny) < 1e-5, "%s %dx%dx%d->%dx%dx%d s%d p%d: forward off by %g", what,
	          g.h, g.w, g.c, g.oh, g.ow, g.oc, g.sh, g.ph, max_rel(y, yr, ny));
	double ex = fd_check(conv_ref, &cc, in, 0, nx, yr, ny, rd, dx);
	double ew = fd_check(conv_ref, &cc, in, 1, nw, yr, ny, rd, dw);
	double eb = fd_check(conv_ref, &cc, in, 2, (size_t)g.oc, yr, ny, rd, db);
	cr_expect(ex < 1e-4 && ew < 1e-4 && eb < 1e-4, "%s %dx%dx%d->%dx%dx%d s%d p%d: dx %g dw %g db %g",
	          what, g.h, g.w, g.c, g.oh, g.ow, g.oc, g.sh, g.ph, ex, ew, eb);
	/* dx = NULL is allowed and leaves dw, db the same */
	float *dw2 = rnd(nw, 9, 9);
	if (transposed)
		be->tconv_bwd(be, &g, x, w, r, NULL, dw2, db);
	else
		be->conv_bwd(be, &g, x, w, r, NULL, dw2, db);
	cr_expect(memcmp(dw, dw2, nw * sizeof *dw) == 0, "%s: dw changed without dx", what);
	free(x), free(w), free(b), free(r), free(y), free(dx), free(dw), free(db), free(dw2);
	for (int i = 0; i < 3; i++)
		free(in[i]);
	free(yr), free(rd);
}

static nn_conv cg(int n, int h, int w, int c, int oc, int k, int s, int p)
{
	return (nn_conv){ n, h, w, c, nn_conv_out(h, k, s, p), nn_conv_out(w, k, s, p), oc, k, k, s, s, p, p };
}

static nn_conv tg(int n, int h, int w, int c, int oh, int ow, int oc, int k, int s, int p)
{
	nn_conv g = { n, h, w, c, oh, ow, oc, k, k, s, s, p, p };
	cr_assert(nn_conv_out(oh, k, s, p) == h && nn_conv_out(ow, k, s, p) == w);
	return g;
}

Test(nn_cpu, conv_forward_and_gradients)
{
	rng_seed(&G, 1);
	nn_backend *be = nn_cpu_open(2);
	check_conv(be, cg(2, 8, 8, 1, 4, 3, 2, 1), 0);     /* "same", stride 2 */
	check_conv(be, cg(3, 7, 7, 3, 5, 3, 2, 0), 0);     /* "valid": 7 -> 3 */
	check_conv(be, cg(2, 6, 9, 2, 3, 3, 1, 1), 0);     /* stride 1, not square */
	check_conv(be, cg(1, 5, 5, 4, 2, 3, 2, 1), 0);     /* odd size, pad */
	check_conv(be, cg(5, 4, 4, 3, 2, 1, 1, 0), 0);     /* 1x1 */
	/* the direct paths: few inputs per patch, and few filters */
	check_conv(be, cg(2, 9, 9, 1, 8, 3, 2, 1), 0);
	check_conv(be, cg(2, 8, 7, 3, 16, 3, 2, 1), 0);
	check_conv(be, cg(2, 6, 6, 8, 1, 3, 1, 1), 0);
	check_conv(be, cg(3, 7, 8, 16, 3, 3, 2, 1), 0);
	check_conv(be, cg(2, 7, 7, 24, 2, 3, 2, 0), 0);
	be->close(be);
}

Test(nn_cpu, tconv_forward_and_gradients)
{
	rng_seed(&G, 2);
	nn_backend *be = nn_cpu_open(2);
	check_conv(be, tg(2, 3, 3, 4, 7, 7, 3, 3, 2, 0), 1);     /* "valid" 3 -> 7 */
	check_conv(be, tg(2, 4, 4, 3, 8, 8, 2, 3, 2, 1), 1);     /* "same" 4 -> 8 */
	check_conv(be, tg(3, 4, 4, 2, 7, 7, 3, 3, 2, 1), 1);     /* "same" 4 -> 7 (odd) */
	check_conv(be, tg(2, 5, 6, 2, 5, 6, 3, 3, 1, 1), 1);     /* stride 1 */
	be->close(be);
}

typedef struct { int n, in, out; } densectx;

static void dense_ref(void *c, double **in, double *out)
{
	densectx *d = c;
	for (int i = 0; i < d->n; i++)
		for (int o = 0; o < d->out; o++) {
			double s = in[2][o];
			for (int k = 0; k < d->in; k++)
				s += in[0][i * d->in + k] * in[1][k * d->out + o];
			out[i * d->out + o] = s;
		}
}

Test(nn_cpu, dense_forward_and_gradients)
{
	rng_seed(&G, 3);
	nn_backend *be = nn_cpu_open(2);
	int shapes[][3] = { { 5, 4, 7 }, { 3, 20, 6 }, { 300, 12, 40 } };   /* the last one runs threaded */
	for (int s = 0; s < 3; s++) {
		densectx d = { shapes[s][0], shapes[s][1], shapes[s][2] };
		size_t nx = (size_t)d.n * d.in, nw = (size_t)d.in * d.out, ny = (size_t)d.n * d.out;
		float *x = rnd(nx, -1, 1), *w = rnd(nw, -1, 1), *b = rnd((size_t)d.out, -1, 1), *r = rnd(ny, -1, 1);
		float *y = rnd(ny, 0, 0), *dx = rnd(nx, 0, 0), *dw = rnd(nw, 0, 0), *db = rnd((size_t)d.out, 0, 0);
		double *in[3] = { tod(x, nx), tod(w, nw), tod(b, (size_t)d.out) }, *yr = malloc(ny * sizeof *yr);
		double *rd = tod(r, ny);
		dense_ref(&d, in, yr);
		be->dense_fwd(be, d.n, d.in, d.out, x, w, b, y);
		be->dense_bwd(be, d.n, d.in, d.out, x, w, r, dx, dw, db);
		cr_expect(max_rel(y, yr, ny) < 1e-5, "dense %d: forward", s);
		double ex = fd_check(dense_ref, &d, in, 0, nx, yr, ny, rd, dx);
		double ew = fd_check(dense_ref, &d, in, 1, nw, yr, ny, rd, dw);
		double eb = fd_check(dense_ref, &d, in, 2, (size_t)d.out, yr, ny, rd, db);
		cr_expect(ex < 1e-4 && ew < 1e-4 && eb < 1e-4, "dense %d: dx %g dw %g db %g", s, ex, ew, eb);
		free(x), free(w), free(b), free(r), free(y), free(dx), free(dw), free(db);
		for (int i = 0; i < 3; i++)
			free(in[i]);
		free(yr), free(rd);
	}
	be->close(be);
}

static void relu_ref(void *c, double **in, double *out)
{
	size_t n = *(size_t *)c;
	for (size_t i = 0; i < n; i++)
		out[i] = in[0][i] > 0 ? in[0][i] : 0;
}

static void sigmoid_ref(void *c, double **in, double *out)
{
	size_t n = *(size_t *)c;
	for (size_t i = 0; i < n; i++)
		out[i] = 1 / (1 + exp(-in[0][i]));
}

Test(nn_cpu, activations)
{
	rng_seed(&G, 4);
	nn_backend *be = nn_cpu_open(2);
	size_t n = 500;
	float *x = rnd(n, -5, 5), *r = rnd(n, -1, 1), *y = rnd(n, 0, 0), *dx = rnd(n, 0, 0);
	for (size_t i = 0; i < n; i++)   /* keep away from ReLU's kink */
		if (fabsf(x[i]) < 0.01f)
			x[i] = 0.5f;
	double *in[1] = { tod(x, n) }, *yr = malloc(n * sizeof *yr), *rd = tod(r, n);
	relu_ref(&n, in, yr);
	be->relu_fwd(be, n, x, y);
	be->relu_bwd(be, n, y, r, dx);
	cr_expect(max_rel(y, yr, n) == 0, "relu forward");
	cr_expect(fd_check(relu_ref, &n, in, 0, n, yr, n, rd, dx) < 1e-6, "relu gradient");
	sigmoid_ref(&n, in, yr);
	be->sigmoid_fwd(be, n, x, y);
	be->sigmoid_bwd(be, n, y, r, dx);
	cr_expect(max_rel(y, yr, n) < 1e-6, "sigmoid forward");
	cr_expect(fd_check(sigmoid_ref, &n, in, 0, n, yr, n, rd, dx) < 1e-5, "sigmoid gradient");
	/* in place */
	memcpy(dx, r, n * sizeof *dx);
	be->sigmoid_bwd(be, n, y, dx, dx);
	float *dx2 = rnd(n, 0, 0);
	be->sigmoid_bwd(be, n, y, r, dx2);
	cr_expect(memcmp(dx, dx2, n * sizeof *dx) == 0, "sigmoid backward in place");
	free(x), free(r), free(y), free(dx), free(dx2), free(in[0]), free(yr), free(rd);
	be->close(be);
}

Test(nn_cpu, dropout)
{
	nn_backend *be = nn_cpu_open(2);
	size_t n = 200000;
	float *x = rnd(n, 1, 2), *y = rnd(n, 0, 0), *m = rnd(n, 0, 0), *m2 = rnd(n, 0, 0), *dx = rnd(n, 0, 0);
	be->dropout_fwd(be, n, x, y, m, 0.25f, 77);
	size_t dropped = 0;
	for (size_t i = 0; i < n; i++) {
		cr_assert(m[i] == 0.0f || m[i] == 1.0f / 0.75f);
		cr_assert(y[i] == x[i] * m[i]);
		dropped += m[i] == 0.0f;
	}
	double share = (double)dropped / n;
	cr_expect(share > 0.24 && share < 0.26, "dropped %.4f of the elements, wanted 0.25", share);
	be->dropout_fwd(be, n, x, y, m2, 0.25f, 77);
	cr_expect(memcmp(m, m2, n * sizeof *m) == 0, "same seed, same mask");
	be->dropout_fwd(be, n, x, y, m2, 0.25f, 78);
	cr_expect(memcmp(m, m2, n * sizeof *m) != 0, "another seed, another mask");
	/* the mask depends on the element index only, not on the threads */
	nn_backend *one = nn_cpu_open(1);
	one->dropout_fwd(one, n, x, y, m2, 0.25f, 77);
	cr_expect(memcmp(m, m2, n * sizeof *m) == 0, "one thread, same mask");
	be->dropout_bwd(be, n, x, m, dx);
	for (size_t i = 0; i < n; i++)
		cr_assert(dx[i] == x[i] * m[i]);
	free(x), free(y), free(m), free(m2), free(dx);
	one->close(one);
	be->close(be);
}

typedef struct { size_t rows; int c; double eps; } bnctx;

static void bn_ref(void *cx, double **in, double *out)
{
	bnctx *b = cx;
	for (int c = 0; c < b->c; c++) {
		double m = 0, v = 0;
		for (size_t r = 0; r < b->rows; r++)
			m += in[0][r * b->c + c];
		m /= (double)b->rows;
		for (size_t r = 0; r < b->rows; r++)
			v += (in[0][r * b->c + c] - m) * (in[0][r * b->c + c] - m);
		v /= (double)b->rows;
		for (size_t r = 0; r < b->rows; r++)
			out[r * b->c + c] = in[1][c] * (in[0][r * b->c + c] - m) / sqrt(v + b->eps) + in[2][c];
	}
}

Test(nn_cpu, batchnorm)
{
	rng_seed(&G, 5);
	nn_backend *be = nn_cpu_open(2);
	size_t sizes[] = { 24, 40000 };   /* one thread, then threaded */
	for (int s = 0; s < 2; s++) {
		bnctx b = { sizes[s], 3, 1e-3 };
		nn_bn g = { b.rows, b.c, 1e-3f, 0.01f };
		size_t n = b.rows * 3;
		float *x = rnd(n, -2, 5), *ga = rnd(3, 0.5, 2), *bt = rnd(3, -1, 1), *r = rnd(n, -1, 1);
		float rm[3] = { 0.5f, 0, 0 }, rv[3] = { 2, 1, 1 }, sm[3], si[3], dg[3], dbt[3];
		float *y = rnd(n, 0, 0), *dx = rnd(n, 0, 0);
		double *in[3] = { tod(x, n), tod(ga, 3), tod(bt, 3) }, *yr = malloc(n * sizeof *yr), *rd = tod(r, n);
		bn_ref(&b, in, yr);
		be->bn_fwd(be, &g, x, y, ga, bt, rm, rv, sm, si, 1);
		cr_expect(max_rel(y, yr, n) < 1e-5, "bn forward");
		/* running statistics: 0.99*old + 0.01*batch (variance unbiased) */
		double m = 0, v = 0;
		for (size_t i = 0; i < b.rows; i++)
			m += in[0][i * 3];
		m /= (double)b.rows;
		for (size_t i = 0; i < b.rows; i++)
			v += (in[0][i * 3] - m) * (in[0][i * 3] - m);
		cr_expect(fabs(rm[0] - (0.99 * 0.5 + 0.01 * m)) < 1e-5, "running mean");
		cr_expect(fabs(rv[0] - (0.99 * 2 + 0.01 * v / (double)(b.rows - 1))) < 1e-5, "running var");
		cr_expect(fabs(sm[0] - m) < 1e-5 && fabs(si[0] - 1 / sqrt(v / (double)b.rows + 1e-3)) < 1e-5);
		be->bn_bwd(be, &g, x, r, ga, sm, si, dx, dg, dbt);
		double ex = fd_check(bn_ref, &b, in, 0, s ? 300 : n, yr, n, rd, dx);
		double eg = fd_check(bn_ref, &b, in, 1, 3, yr, n, rd, dg);
		double eb = fd_check(bn_ref, &b, in, 2, 3, yr, n, rd, dbt);
		cr_expect(ex < 1e-4 && eg < 1e-4 && eb < 1e-4, "bn rows %zu: dx %g dgamma %g dbeta %g", b.rows, ex, eg, eb);
		/* inference uses the running statistics */
		be->bn_fwd(be, &g, x, y, ga, bt, rm, rv, sm, si, 0);
		double want = ga[1] * (x[1] - rm[1]) / sqrt(rv[1] + 1e-3) + bt[1];
		cr_expect(fabs(y[1] - want) < 1e-5, "bn inference");
		free(x), free(ga), free(bt), free(r), free(y), free(dx), free(yr), free(rd);
		for (int i = 0; i < 3; i++)
			free(in[i]);
	}
	be->close(be);
}

Test(nn_cpu, loss_concat_optimisers)
{
	nn_backend *be = nn_cpu_open(2);
	float p[3] = { 1, 2, 3 }, t[3] = { 0, 2, 5 }, d[3];
	double s = be->sse(be, 3, p, t, 0.5f, d);
	cr_expect(s == 5.0, "sse %g", s);
	cr_expect(d[0] == 1.0f && d[1] == 0.0f && d[2] == -2.0f);
	cr_expect(be->sse(be, 3, p, t, 1, NULL) == 5.0);

	float a[4] = { 1, 2, 3, 4 }, b[2] = { 5, 6 }, y[6], a2[4], b2[2];
	be->concat(be, 2, 2, 1, a, b, y);
	float want[6] = { 1, 2, 5, 3, 4, 6 };
	cr_expect(memcmp(y, want, sizeof y) == 0);
	be->split(be, 2, 2, 1, y, a2, b2);
	cr_expect(memcmp(a, a2, sizeof a) == 0 && memcmp(b, b2, sizeof b) == 0);

	/* Adadelta, Keras's formula, two steps by hand in double */
	float w = 0.5f, g = 0.2f, ag = 0, ad = 0;
	double W = 0.5, AG = 0, AD = 0;
	for (int k = 0; k < 2; k++) {
		be->adadelta(be, 1, &w, &g, &ag, &ad, 1.0f, 0.95f, 1e-7f);
		AG = 0.95 * AG + 0.05 * 0.2 * 0.2;
		double u = 0.2 * sqrt(AD + 1e-7) / sqrt(AG + 1e-7);
		W -= u;
		AD = 0.95 * AD + 0.05 * u * u;
	}
	cr_expect(fabs(w - W) < 1e-6 && fabs(ag - AG) < 1e-6 * AG && fabs(ad - AD) < 1e-5 * AD, "adadelta %g vs %g", w, W);
	/* Adam, bias correction folded into lr_t by the caller */
	float m = 0, v = 0;
	w = 0.5f;
	double lr_t = 5e-4 * sqrt(1 - 0.999) / (1 - 0.9);
	be->adam(be, 1, &w, &g, &m, &v, (float)lr_t, 0.9f, 0.999f, 1e-7f);
	double M = 0.1 * 0.2, V = 0.001 * 0.04;
	cr_expect(fabs(w - (0.5 - lr_t * M / (sqrt(V) + 1e-7))) < 1e-7, "adam");
	be->close(be);
}

/* The threaded split and the serial path agree on every op, and runs repeat
 * bit for bit. */
Test(nn_cpu, threads_agree)
{
	nn_backend *two = nn_cpu_open(2), *one = nn_cpu_open(1);
	FILE *log = tmpfile();
	int fails = nn_compare_backends(two, one, 1e-5, log);
	if (fails) {
		rewind(log);
		char line[256];
		while (fgets(line, sizeof line, log))
			if (strstr(line, "FAIL"))
				cr_log_error("%s", line);
	}
	cr_expect(fails == 0, "%d ops differ between 2 threads and 1", fails);
	fclose(log);
	fails = nn_compare_backends(two, two, 0, NULL);
	cr_expect(fails == 0, "two runs on 2 threads differ in %d ops", fails);
	two->close(two);
	one->close(one);
}

Test(nn, device_selection)
{
	nn_device d;
	cr_expect(nn_parse_device("auto", &d) == 0 && d == NN_DEV_AUTO);
	cr_expect(nn_parse_device("cpu", &d) == 0 && d == NN_DEV_CPU);
	cr_expect(nn_parse_device("cuda", &d) == 0 && d == NN_DEV_CUDA);
	cr_expect(nn_parse_device("gpu", &d) == -1);
	char err[200] = "";
	nn_backend *be = nn_open(NN_DEV_AUTO, 1, err, sizeof err);
	cr_assert(be, "auto must always give a backend: %s", err);
	cr_expect(strcmp(be->name, nn_cuda_available() ? "cuda" : "cpu") == 0);
	be->close(be);
	if (!nn_cuda_available()) {
		be = nn_open(NN_DEV_CUDA, 1, err, sizeof err);
		cr_expect(be == NULL && strstr(err, "cuda"), "cuda without a device is an error: %s", err);
	}
}

/* The fused ops equal the separate ones, bit for bit. */
static void check_post(nn_backend *be, nn_conv g, int tr, int act, int drop)
{
	size_t nx = (size_t)g.n * g.h * g.w * g.c, ny = (size_t)g.n * g.oh * g.ow * g.oc;
	size_t nw = (size_t)g.oc * g.kh * g.kw * g.c;
	float *x = rnd(nx, -1, 1), *w = rnd(nw, -1, 1), *b = rnd((size_t)g.oc, -1, 1), *r = rnd(ny, -1, 1);
	float *y1 = rnd(ny, 0, 0), *y2 = rnd(ny, 0, 0), *o1 = rnd(ny, 0, 0), *o2 = rnd(ny, 0, 0);
	float *m1 = rnd(ny, 0, 0), *m2 = rnd(ny, 0, 0), *d1 = rnd(ny, 0, 0), *d2 = rnd(ny, 0, 0);
	float *dx1 = rnd(nx, 0, 0), *dx2 = rnd(nx, 0, 0), *dw1 = rnd(nw, 0, 0), *dw2 = rnd(nw, 0, 0);
	float db1[64], db2[64];
	/* separate */
	(tr ? be->tconv_fwd : be->conv_fwd)(be, &g, x, w, b, y1);
	if (act == NN_ACT_RELU)
		be->relu_fwd(be, ny, y1, y1);
	else
		be->sigmoid_fwd(be, ny, y1, y1);
	if (drop)
		be->dropout_fwd(be, ny, y1, o1, m1, 0.25f, 99);
	memcpy(d1, r, ny * sizeof *r);
	if (drop)
		be->dropout_bwd(be, ny, d1, m1, d1);
	if (act == NN_ACT_RELU)
		be->relu_bwd(be, ny, y1, d1, d1);
	else
		be->sigmoid_bwd(be, ny, y1, d1, d1);
	(tr ? be->tconv_bwd : be->conv_bwd)(be, &g, x, w, d1, dx1, dw1, db1);
	/* fused */
	nn_post p = { act, drop ? m2 : NULL, o2, 0.25f, 99 };
	(tr ? be->tconv_fwd_post : be->conv_fwd_post)(be, &g, x, w, b, y2, &p);
	memcpy(d2, r, ny * sizeof *r);
	(tr ? be->tconv_bwd_post : be->conv_bwd_post)(be, &g, x, w, y2, &p, d2, dx2, dw2, db2);
	cr_expect(memcmp(y1, y2, ny * sizeof *y1) == 0, "fused forward (tr %d act %d drop %d)", tr, act, drop);
	if (drop)
		cr_expect(memcmp(o1, o2, ny * 4) == 0 && memcmp(m1, m2, ny * 4) == 0, "fused dropout");
	cr_expect(memcmp(d1, d2, ny * 4) == 0, "fused dy (tr %d act %d drop %d)", tr, act, drop);
	cr_expect(memcmp(dx1, dx2, nx * 4) == 0 && memcmp(dw1, dw2, nw * 4) == 0 &&
	          memcmp(db1, db2, (size_t)g.oc * 4) == 0, "fused backward (tr %d act %d drop %d)", tr, act, drop);
	float *all[] = { x, w, b, r, y1, y2, o1, o2, m1, m2, d1, d2, dx1, dx2, dw1, dw2 };
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		free(all[i]);
}

Test(nn_cpu, fused_equals_separate)
{
	rng_seed(&G, 6);
	nn_backend *be = nn_cpu_open(2);
	for (int drop = 0; drop < 2; drop++) {
		check_post(be, cg(9, 28, 28, 1, 16, 3, 2, 1), 0, NN_ACT_RELU, drop);
		check_post(be, cg(7, 28, 28, 16, 1, 3, 1, 1), 0, NN_ACT_SIGMOID, drop);
		check_post(be, tg(9, 7, 7, 8, 14, 14, 6, 3, 2, 1), 1, NN_ACT_RELU, drop);
		check_post(be, tg(3, 32, 32, 4, 64, 64, 4, 3, 2, 1), 1, NN_ACT_RELU, drop);   /* chunks of pixels */
	}
	be->close(be);
}
