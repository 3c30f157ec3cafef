/* nn_check.c: runs every op of nn.h on two backends with the same random
 * inputs and compares the outputs (the GPU test compares CUDA to the CPU
 * layer by layer with this). Errors are relative to the largest magnitude
 * of the reference output, so long sums that cancel do not look worse
 * than they are. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "nn_check.h"
#include "rng.h"

typedef struct chk {
	nn_backend *t, *r;
	double tol;
	FILE *log;
	rng g;
	int fails;
	/* worst output of the op being checked */
	double abs_err, rel_err;
	const char *worst;
} chk;

/* A tensor that lives on both backends. */
typedef struct pair { void *t, *r; size_t n; } pair;

static pair mk(chk *c, size_t n, double lo, double hi)
{
	float *h = xmalloc((n ? n : 1) * sizeof *h);
	for (size_t i = 0; i < n; i++)
		h[i] = (float)(lo + (hi - lo) * rng_uniform(&c->g));
	pair p = { c->t->alloc(c->t, n * sizeof *h), c->r->alloc(c->r, n * sizeof *h), n };
	c->t->upload(c->t, p.t, h, n * sizeof *h);
	c->r->upload(c->r, p.r, h, n * sizeof *h);
	free(h);
	return p;
}

static pair mk0(chk *c, size_t n) { return mk(c, n, 0, 0); }

static void rm(chk *c, pair *p)
{
	c->t->free(c->t, p->t);
	c->r->free(c->r, p->r);
}

static void cmp(chk *c, const char *what, pair *p)
{
	size_t n = p->n;
	float *a = xmalloc((n ? n : 1) * sizeof *a), *b = xmalloc((n ? n : 1) * sizeof *b);
	c->t->download(c->t, a, p->t, n * sizeof *a);
	c->r->download(c->r, b, p->r, n * sizeof *b);
	double mx = 0, err = 0;
	for (size_t i = 0; i < n; i++) {
		double d = fabs((double)a[i] - b[i]);
		if (!(d <= err))   /* NaN counts as the worst */
			err = d;
		if (fabs(b[i]) > mx)
			mx = fabs(b[i]);
	}
	double rel = err / (mx > 1e-12 ? mx : 1e-12);
	if (!(rel <= c->rel_err) || !c->worst) {
		c->rel_err = rel, c->abs_err = err, c->worst = what;
	}
	free(a), free(b);
}

static void begin(chk *c) { c->abs_err = 0, c->rel_err = 0, c->worst = NULL; }

static void end(chk *c, const char *op)
{
	int ok = c->rel_err <= c->tol;
	if (!ok)
		c->fails++;
	if (c->log)
		fprintf(c->log, "%-40s %-6s max abs %.3g  max rel %.3g  %s\n", op, c->worst ? c->worst : "-",
		        c->abs_err, c->rel_err, ok ? "ok" : "FAIL");
}

static size_t xs(const nn_conv *g) { return (size_t)g->n * g->h * g->w * g->c; }
static size_t ys(const nn_conv *g) { return (size_t)g->n * g->oh * g->ow * g->oc; }
static size_t ws(const nn_conv *g) { return (size_t)g->oc * g->kh * g->kw * g->c; }

static void check_conv(chk *c, const nn_conv *g, int transposed)
{
	char name[96];
	snprintf(name, sizeof name, "%s %dx%dx%d->%dx%dx%d k%d s%d p%d n%d", transposed ? "tconv" : "conv",
	         g->h, g->w, g->c, g->oh, g->ow, g->oc, g->kh, g->sh, g->ph, g->n);
	pair x = mk(c, xs(g), -1, 1), w = mk(c, ws(g), -0.5, 0.5), b = mk(c, (size_t)g->oc, -0.5, 0.5);
	pair y = mk0(c, ys(g)), dy = mk(c, ys(g), -1, 1);
	pair dx = mk0(c, xs(g)), dw = mk0(c, ws(g)), db = mk0(c, (size_t)g->oc);
	begin(c);
	if (transposed) {
		c->t->tconv_fwd(c->t, g, x.t, w.t, b.t, y.t);
		c->r->tconv_fwd(c->r, g, x.r, w.r, b.r, y.r);
		cmp(c, "y", &y);
		c->t->tconv_bwd(c->t, g, x.t, w.t, dy.t, dx.t, dw.t, db.t);
		c->r->tconv_bwd(c->r, g, x.r, w.r, dy.r, dx.r, dw.r, db.r);
	} else {
		c->t->conv_fwd(c->t, g, x.t, w.t, b.t, y.t);
		c->r->conv_fwd(c->r, g, x.r, w.r, b.r, y.r);
		cmp(c, "y", &y);
		c->t->conv_bwd(c->t, g, x.t, w.t, dy.t, dx.t, dw.t, db.t);
		c->r->conv_bwd(c->r, g, x.r, w.r, dy.r, dx.r, dw.r, db.r);
	}
	cmp(c, "dx", &dx), cmp(c, "dw", &dw), cmp(c, "db", &db);
	end(c, name);
	/* the fused forms, when both backends have them */
	void *tf = transposed ? (void *)c->t->tconv_fwd_post : (void *)c->t->conv_fwd_post;
	void *rf = transposed ? (void *)c->r->tconv_fwd_post : (void *)c->r->conv_fwd_post;
	if (tf && rf) {
		pair m = mk0(c, ys(g)), o = mk0(c, ys(g));
		nn_post pt = { NN_ACT_RELU, m.t, o.t, 0.25f, 77 }, pr = { NN_ACT_RELU, m.r, o.r, 0.25f, 77 };
		char nm2[120];
		snprintf(nm2, sizeof nm2, "%s +relu+dropout", name);
		begin(c);
		if (transposed) {
			c->t->tconv_fwd_post(c->t, g, x.t, w.t, b.t, y.t, &pt);
			c->r->tconv_fwd_post(c->r, g, x.r, w.r, b.r, y.r, &pr);
			c->t->tconv_bwd_post(c->t, g, x.t, w.t, y.t, &pt, dy.t, dx.t, dw.t, db.t);
			c->r->tconv_bwd_post(c->r, g, x.r, w.r, y.r, &pr, dy.r, dx.r, dw.r, db.r);
		} else {
			c->t->conv_fwd_post(c->t, g, x.t, w.t, b.t, y.t, &pt);
			c->r->conv_fwd_post(c->r, g, x.r, w.r, b.r, y.r, &pr);
			c->t->conv_bwd_post(c->t, g, x.t, w.t, y.t, &pt, dy.t, dx.t, dw.t, db.t);
			c->r->conv_bwd_post(c->r, g, x.r, w.r, y.r, &pr, dy.r, dx.r, dw.r, db.r);
		}
		cmp(c, "y", &y), cmp(c, "mask", &m), cmp(c, "out", &o), cmp(c, "dy", &dy);
		cmp(c, "dx", &dx), cmp(c, "dw", &dw), cmp(c, "db", &db);
		end(c, nm2);
		rm(c, &m), rm(c, &o);
	}
	pair *all[] = { &x, &w, &b, &y, &dy, &dx, &dw, &db };
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		rm(c, all[i]);
}

static nn_conv conv_geo(int n, int h, int c, int oc, int k, int s, int p)
{
	int o = nn_conv_out(h, k, s, p);
	return (nn_conv){ n, h, h, c, o, o, oc, k, k, s, s, p, p };
}

/* Transposed conv from h to oh (h must be the adjoint conv's output). */
static nn_conv tconv_geo(int n, int h, int c, int oh, int oc, int k, int s, int p)
{
	return (nn_conv){ n, h, h, c, oh, oh, oc, k, k, s, s, p, p };
}

static void check_dense(chk *c, int n, int in, int out)
{
	char name[64];
	snprintf(name, sizeof name, "dense %d->%d n%d", in, out, n);
	pair x = mk(c, (size_t)n * in, -1, 1), w = mk(c, (size_t)in * out, -0.5, 0.5);
	pair b = mk(c, (size_t)out, -0.5, 0.5), y = mk0(c, (size_t)n * out), dy = mk(c, (size_t)n * out, -1, 1);
	pair dx = mk0(c, (size_t)n * in), dw = mk0(c, (size_t)in * out), db = mk0(c, (size_t)out);
	begin(c);
	c->t->dense_fwd(c->t, n, in, out, x.t, w.t, b.t, y.t);
	c->r->dense_fwd(c->r, n, in, out, x.r, w.r, b.r, y.r);
	c->t->dense_bwd(c->t, n, in, out, x.t, w.t, dy.t, dx.t, dw.t, db.t);
	c->r->dense_bwd(c->r, n, in, out, x.r, w.r, dy.r, dx.r, dw.r, db.r);
	cmp(c, "y", &y), cmp(c, "dx", &dx), cmp(c, "dw", &dw), cmp(c, "db", &db);
	end(c, name);
	pair *all[] = { &x, &w, &b, &y, &dy, &dx, &dw, &db };
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		rm(c, all[i]);
}

static void check_elementwise(chk *c, size_t n)
{
	char name[64];
	pair x = mk(c, n, -4, 4), y = mk0(c, n), dy = mk(c, n, -1, 1), dx = mk0(c, n), m = mk0(c, n);
	snprintf(name, sizeof name, "relu n%zu", n);
	begin(c);
	c->t->relu_fwd(c->t, n, x.t, y.t), c->r->relu_fwd(c->r, n, x.r, y.r);
	c->t->relu_bwd(c->t, n, y.t, dy.t, dx.t), c->r->relu_bwd(c->r, n, y.r, dy.r, dx.r);
	cmp(c, "y", &y), cmp(c, "dx", &dx);
	end(c, name);
	snprintf(name, sizeof name, "sigmoid n%zu", n);
	begin(c);
	c->t->sigmoid_fwd(c->t, n, x.t, y.t), c->r->sigmoid_fwd(c->r, n, x.r, y.r);
	c->t->sigmoid_bwd(c->t, n, y.t, dy.t, dx.t), c->r->sigmoid_bwd(c->r, n, y.r, dy.r, dx.r);
	cmp(c, "y", &y), cmp(c, "dx", &dx);
	end(c, name);
	snprintf(name, sizeof name, "dropout 0.25 n%zu", n);
	begin(c);
	c->t->dropout_fwd(c->t, n, x.t, y.t, m.t, 0.25f, 12345), c->r->dropout_fwd(c->r, n, x.r, y.r, m.r, 0.25f, 12345);
	c->t->dropout_bwd(c->t, n, dy.t, m.t, dx.t), c->r->dropout_bwd(c->r, n, dy.r, m.r, dx.r);
	cmp(c, "mask", &m), cmp(c, "y", &y), cmp(c, "dx", &dx);
	end(c, name);
	snprintf(name, sizeof name, "relu in place n%zu", n);
	begin(c);
	c->t->relu_fwd(c->t, n, x.t, x.t), c->r->relu_fwd(c->r, n, x.r, x.r);
	cmp(c, "y", &x);
	end(c, name);

	snprintf(name, sizeof name, "add n%zu", n);
	begin(c);
	c->t->add(c->t, n, x.t, dy.t, dx.t), c->r->add(c->r, n, x.r, dy.r, dx.r);
	cmp(c, "y", &dx);
	end(c, name);

	/* loss: sum of squares and its gradient */
	pair tg = mk(c, n, 0, 1);
	snprintf(name, sizeof name, "sse n%zu", n);
	begin(c);
	double st = c->t->sse(c->t, n, y.t, tg.t, 0.37f, dx.t), sr = c->r->sse(c->r, n, y.r, tg.r, 0.37f, dx.r);
	cmp(c, "dpred", &dx);
	double e = fabs(st - sr) / (fabs(sr) > 1e-12 ? fabs(sr) : 1e-12);
	if (e > c->rel_err)
		c->rel_err = e, c->abs_err = fabs(st - sr), c->worst = "sum";
	end(c, name);

	/* optimisers: three steps each, with their state */
	pair w = mk(c, n, -1, 1), g1 = mk(c, n, -1, 1), a1 = mk0(c, n), a2 = mk0(c, n);
	snprintf(name, sizeof name, "adadelta n%zu", n);
	begin(c);
	for (int s = 0; s < 3; s++) {
		c->t->adadelta(c->t, n, w.t, g1.t, a1.t, a2.t, 1.0f, 0.95f, 1e-7f);
		c->r->adadelta(c->r, n, w.r, g1.r, a1.r, a2.r, 1.0f, 0.95f, 1e-7f);
	}
	cmp(c, "w", &w), cmp(c, "acc_g", &a1), cmp(c, "acc_d", &a2);
	end(c, name);
	snprintf(name, sizeof name, "adam n%zu", n);
	c->t->zero(c->t, a1.t, n * 4), c->r->zero(c->r, a1.r, n * 4);
	c->t->zero(c->t, a2.t, n * 4), c->r->zero(c->r, a2.r, n * 4);
	begin(c);
	for (int s = 1; s <= 3; s++) {
		float lr = (float)(5e-4 * sqrt(1 - pow(0.999, s)) / (1 - pow(0.9, s)));
		c->t->adam(c->t, n, w.t, g1.t, a1.t, a2.t, lr, 0.9f, 0.999f, 1e-7f);
		c->r->adam(c->r, n, w.r, g1.r, a1.r, a2.r, lr, 0.9f, 0.999f, 1e-7f);
	}
	cmp(c, "w", &w), cmp(c, "m", &a1), cmp(c, "v", &a2);
	end(c, name);

	/* uint8 to float */
	uint8_t *u = xmalloc(n);
	for (size_t i = 0; i < n; i++)
		u[i] = (uint8_t)rng_below(&c->g, 256);
	void *ut = c->t->alloc(c->t, n), *ur = c->r->alloc(c->r, n);
	c->t->upload(c->t, ut, u, n), c->r->upload(c->r, ur, u, n);
	snprintf(name, sizeof name, "u8_to_f32 n%zu", n);
	begin(c);
	c->t->u8_to_f32(c->t, n, ut, y.t, 1.0f / 255), c->r->u8_to_f32(c->r, n, ur, y.r, 1.0f / 255);
	cmp(c, "y", &y);
	end(c, name);
	c->t->free(c->t, ut), c->r->free(c->r, ur);
	free(u);
	pair *all[] = { &x, &y, &dy, &dx, &m, &tg, &w, &g1, &a1, &a2 };
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		rm(c, all[i]);
}

static void check_bn(chk *c, size_t rows, int ch)
{
	char name[64];
	nn_bn g = { rows, ch, 1e-3f, 0.01f };
	size_t n = rows * (size_t)ch;
	pair x = mk(c, n, -2, 3), y = mk0(c, n), dy = mk(c, n, -1, 1), dx = mk0(c, n);
	pair ga = mk(c, (size_t)ch, 0.5, 1.5), be = mk(c, (size_t)ch, -0.5, 0.5);
	pair rmn = mk(c, (size_t)ch, -0.1, 0.1), rv = mk(c, (size_t)ch, 0.9, 1.1);
	pair sm = mk0(c, (size_t)ch), si = mk0(c, (size_t)ch), dg = mk0(c, (size_t)ch), dbb = mk0(c, (size_t)ch);
	snprintf(name, sizeof name, "batchnorm train rows%zu c%d", rows, ch);
	begin(c);
	c->t->bn_fwd(c->t, &g, x.t, y.t, ga.t, be.t, rmn.t, rv.t, sm.t, si.t, 1);
	c->r->bn_fwd(c->r, &g, x.r, y.r, ga.r, be.r, rmn.r, rv.r, sm.r, si.r, 1);
	cmp(c, "y", &y), cmp(c, "rmean", &rmn), cmp(c, "rvar", &rv), cmp(c, "smean", &sm), cmp(c, "sinv", &si);
	c->t->bn_bwd(c->t, &g, x.t, dy.t, ga.t, sm.t, si.t, dx.t, dg.t, dbb.t);
	c->r->bn_bwd(c->r, &g, x.r, dy.r, ga.r, sm.r, si.r, dx.r, dg.r, dbb.r);
	cmp(c, "dx", &dx), cmp(c, "dgamma", &dg), cmp(c, "dbeta", &dbb);
	end(c, name);
	snprintf(name, sizeof name, "batchnorm infer rows%zu c%d", rows, ch);
	begin(c);
	c->t->bn_fwd(c->t, &g, x.t, y.t, ga.t, be.t, rmn.t, rv.t, sm.t, si.t, 0);
	c->r->bn_fwd(c->r, &g, x.r, y.r, ga.r, be.r, rmn.r, rv.r, sm.r, si.r, 0);
	cmp(c, "y", &y);
	end(c, name);
	pair *all[] = { &x, &y, &dy, &dx, &ga, &be, &rmn, &rv, &sm, &si, &dg, &dbb };
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		rm(c, all[i]);
}

static void check_concat(chk *c, int n, int a, int b)
{
	char name[64];
	snprintf(name, sizeof name, "concat/split %d+%d n%d", a, b, n);
	pair x1 = mk(c, (size_t)n * a, -1, 1), x2 = mk(c, (size_t)n * b, -1, 1), y = mk0(c, (size_t)n * (a + b));
	pair d1 = mk0(c, (size_t)n * a), d2 = mk0(c, (size_t)n * b);
	begin(c);
	c->t->concat(c->t, n, a, b, x1.t, x2.t, y.t), c->r->concat(c->r, n, a, b, x1.r, x2.r, y.r);
	c->t->split(c->t, n, a, b, y.t, d1.t, d2.t), c->r->split(c->r, n, a, b, y.r, d1.r, d2.r);
	cmp(c, "y", &y), cmp(c, "x1", &d1), cmp(c, "x2", &d2);
	end(c, name);
	pair *all[] = { &x1, &x2, &y, &d1, &d2 };
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		rm(c, all[i]);
}

int nn_compare_backends(nn_backend *test, nn_backend *ref, double tol, FILE *log)
{
	chk c = { .t = test, .r = ref, .tol = tol, .log = log };
	rng_seed(&c.g, 20211122);
	if (log)
		fprintf(log, "comparing backend %s against %s (tolerance %g, relative to max |ref|)\n",
		        test->name, ref->name, tol);
	/* synthetic DHAE (Sprites and MNIST filters) */
	nn_conv s1 = conv_geo(5, 28, 1, 16, 3, 2, 1), s2 = conv_geo(5, 14, 16, 32, 3, 2, 1);
	nn_conv s3 = conv_geo(5, 7, 32, 48, 3, 2, 0), so = conv_geo(5, 28, 16, 1, 3, 1, 1);
	check_conv(&c, &s1, 0), check_conv(&c, &s2, 0), check_conv(&c, &s3, 0), check_conv(&c, &so, 0);
	nn_conv t1 = tconv_geo(5, 3, 32, 7, 24, 3, 2, 0), t2 = tconv_geo(5, 7, 24, 14, 16, 3, 2, 1);
	nn_conv t3 = tconv_geo(5, 14, 16, 28, 16, 3, 2, 1);
	check_conv(&c, &t1, 1), check_conv(&c, &t2, 1), check_conv(&c, &t3, 1);
	/* real DHAE: first and last layers at full size, a middle one */
	nn_conv r1 = conv_geo(2, 128, 3, 16, 3, 2, 1), r3 = conv_geo(3, 32, 16, 32, 3, 2, 1);
	nn_conv ro = conv_geo(1, 128, 16, 3, 3, 1, 1);
	check_conv(&c, &r1, 0), check_conv(&c, &r3, 0), check_conv(&c, &ro, 0);
	nn_conv rt1 = tconv_geo(3, 4, 64, 8, 64, 3, 2, 1), rt5 = tconv_geo(1, 64, 16, 128, 16, 3, 2, 1);
	check_conv(&c, &rt1, 1), check_conv(&c, &rt5, 1);
	check_dense(&c, 37, 288, 64), check_dense(&c, 37, 4, 64), check_dense(&c, 37, 128, 64);
	check_dense(&c, 9, 1024, 128), check_dense(&c, 1000, 64, 288);
	check_elementwise(&c, 1000), check_elementwise(&c, 300001);
	check_bn(&c, 3 * 32 * 32, 16), check_bn(&c, 2 * 8 * 8, 32), check_bn(&c, 50000, 32);
	check_concat(&c, 37, 64, 64), check_concat(&c, 5, 128, 128);
	if (log)
		fprintf(log, "%d op(s) failed\n", c.fails);
	return c.fails;
}
