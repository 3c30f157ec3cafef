/* The CUDA backend against the CPU backend: every op of nn.h layer by
 * layer (nn_compare_backends, on the shapes of both DHAE architectures),
 * then a few DHAE training steps of each architecture on both backends
 * from the same weights, batch and dropout seeds, comparing the losses,
 * the gradients of every tensor, the updated weights, the batch-norm
 * running statistics, the inference loss and the latent features; and
 * the optional fused conv blocks of both backends against each other.
 *
 * Runs only with USC_GPU_TEST=1 (make test-gpu): the CUDA runtime does
 * not mix with the sanitizer run of the whole suite. Without a CUDA
 * device (or a build without the CUDA backend) it prints "skipped: ..."
 * and passes; with a device that does not work it fails. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhae/dhae.h"
#include "nn/nn.h"
#include "../support/nn_check.h"
#include "rng.h"

/* The CUDA backend, or NULL after printing why the test is skipped. */
static nn_backend *open_cuda(void)
{
	const char *run = getenv("USC_GPU_TEST");
	if (!run || strcmp(run, "1") != 0) {
		printf("test_gpu: skipped: set USC_GPU_TEST=1 (make test-gpu) to run\n");
		return NULL;
	}
	if (!nn_cuda_available()) {
		printf("test_gpu: skipped: %s\n", nn_cuda_why());
		return NULL;
	}
	char err[512];
	nn_backend *be = nn_open(NN_DEV_CUDA, 0, err, sizeof err);
	/* a device answers: a backend that does not open is a failure */
	cr_assert(be, "a CUDA device answers but the backend does not open: %s", err);
	return be;
}

Test(gpu, every_op_against_the_cpu)
{
	nn_backend *gpu = open_cuda();
	if (!gpu)
		return;
	nn_backend *cpu = nn_cpu_open(0);
	int fails = nn_compare_backends(gpu, cpu, 1e-4, stdout);
	fflush(stdout);
	cr_expect_eq(fails, 0, "%d op(s) of the CUDA backend differ from the CPU backend", fails);
	gpu->close(gpu);
	cpu->close(cpu);
}

static double rel_err(const float *a, const float *b, size_t n);

/* ---- the optional fused conv blocks (nn.h's *_post ops) ---- */

/* A tensor on both backends, from the same random host data. */
typedef struct twin { float *g, *c; size_t n; } twin;

static twin twin_new(nn_backend *g, nn_backend *c, rng *r, size_t n, double lo, double hi)
{
	float *h = malloc((n ? n : 1) * sizeof *h);
	for (size_t i = 0; i < n; i++)
		h[i] = (float)(lo + (hi - lo) * rng_uniform(r));
	twin t = { g->alloc(g, n * sizeof *h), c->alloc(c, n * sizeof *h), n };
	g->upload(g, t.g, h, n * sizeof *h);
	c->upload(c, t.c, h, n * sizeof *h);
	free(h);
	return t;
}

static double twin_err(nn_backend *g, nn_backend *c, const twin *t)
{
	float *a = malloc((t->n ? t->n : 1) * sizeof *a), *b = malloc((t->n ? t->n : 1) * sizeof *b);
	g->download(g, a, t->g, t->n * sizeof *a);
	c->download(c, b, t->c, t->n * sizeof *b);
	double e = rel_err(a, b, t->n);
	free(a), free(b);
	return e;
}

static void twin_free(nn_backend *g, nn_backend *c, twin *t)
{
	g->free(g, t->g);
	c->free(c, t->c);
}

/* One fused forward and backward of a (transposed) conv with activation
 * act and dropout on both backends; returns the worst relative error. */
static double fused_block(nn_backend *gpu, nn_backend *cpu, rng *r, const nn_conv *g, int tr, int act)
{
	size_t nx = (size_t)g->n * g->h * g->w * g->c, ny = (size_t)g->n * g->oh * g->ow * g->oc;
	size_t nw = (size_t)g->oc * g->kh * g->kw * g->c;
	twin x = twin_new(gpu, cpu, r, nx, -1, 1), w = twin_new(gpu, cpu, r, nw, -0.5, 0.5);
	twin b = twin_new(gpu, cpu, r, (size_t)g->oc, -0.5, 0.5), y = twin_new(gpu, cpu, r, ny, 0, 0);
	twin out = twin_new(gpu, cpu, r, ny, 0, 0), mask = twin_new(gpu, cpu, r, ny, 0, 0);
	twin dy = twin_new(gpu, cpu, r, ny, -1, 1), dx = twin_new(gpu, cpu, r, nx, 0, 0);
	twin dw = twin_new(gpu, cpu, r, nw, 0, 0), db = twin_new(gpu, cpu, r, (size_t)g->oc, 0, 0);
	nn_post pg = { act, mask.g, out.g, 0.25f, 99 }, pc = { act, mask.c, out.c, 0.25f, 99 };
	(tr ? gpu->tconv_fwd_post : gpu->conv_fwd_post)(gpu, g, x.g, w.g, b.g, y.g, &pg);
	(tr ? cpu->tconv_fwd_post : cpu->conv_fwd_post)(cpu, g, x.c, w.c, b.c, y.c, &pc);
	(tr ? gpu->tconv_bwd_post : gpu->conv_bwd_post)(gpu, g, x.g, w.g, y.g, &pg, dy.g, dx.g, dw.g, db.g);
	(tr ? cpu->tconv_bwd_post : cpu->conv_bwd_post)(cpu, g, x.c, w.c, y.c, &pc, dy.c, dx.c, dw.c, db.c);
	twin *all[] = { &y, &out, &mask, &dy, &dx, &dw, &db };
	const char *names[] = { "y", "out", "mask", "dy", "dx", "dw", "db" };
	double worst = 0;
	const char *wn = "-";
	for (int i = 0; i < 7; i++) {
		double e = twin_err(gpu, cpu, all[i]);
		if (!(e <= worst))
			worst = e, wn = names[i];
	}
	printf("fused %s %dx%dx%d->%dx%dx%d %s+dropout: worst %s rel %.3g\n", tr ? "tconv" : "conv", g->h, g->w,
	       g->c, g->oh, g->ow, g->oc, act == NN_ACT_RELU ? "relu" : "sigmoid", wn, worst);
	twin *rest[] = { &x, &w, &b, &y, &out, &mask, &dy, &dx, &dw, &db };
	for (int i = 0; i < 10; i++)
		twin_free(gpu, cpu, rest[i]);
	return worst;
}

Test(gpu, fused_conv_blocks_against_the_cpu)
{
	nn_backend *gpu = open_cuda();
	if (!gpu)
		return;
	nn_backend *cpu = nn_cpu_open(0);
	if (!cpu->conv_fwd_post || !cpu->tconv_fwd_post) {
		printf("test_gpu: the CPU backend has no fused ops to compare with\n");
	} else {
		cr_assert(gpu->conv_fwd_post && gpu->conv_bwd_post && gpu->tconv_fwd_post && gpu->tconv_bwd_post);
		rng r;
		rng_seed(&r, 5);
		nn_conv c1 = { 4, 28, 28, 1, 14, 14, 16, 3, 3, 2, 2, 1, 1 };
		nn_conv c2 = { 4, 14, 14, 16, 7, 7, 32, 3, 3, 2, 2, 1, 1 };
		nn_conv t1 = { 4, 3, 3, 32, 7, 7, 32, 3, 3, 2, 2, 0, 0 };
		nn_conv t2 = { 4, 14, 14, 16, 28, 28, 16, 3, 3, 2, 2, 1, 1 };
		cr_expect(fused_block(gpu, cpu, &r, &c1, 0, NN_ACT_RELU) <= 1e-4);
		cr_expect(fused_block(gpu, cpu, &r, &c2, 0, NN_ACT_SIGMOID) <= 1e-4);
		cr_expect(fused_block(gpu, cpu, &r, &t1, 1, NN_ACT_RELU) <= 1e-4);
		cr_expect(fused_block(gpu, cpu, &r, &t2, 1, NN_ACT_SIGMOID) <= 1e-4);
	}
	fflush(stdout);
	gpu->close(gpu);
	cpu->close(cpu);
}

/* ---- DHAE training on both backends ---- */

/* n random blob patches (S*S*C) and boxes in [0.1, 0.9], as in test_dhae. */
static void make_batch(rng *r, int n, int S, int C, uint8_t *p, float *b)
{
	for (int i = 0; i < n; i++) {
		double cx = 2 + rng_uniform(r) * (S - 4), cy = 2 + rng_uniform(r) * (S - 4);
		double rad = 1.5 + rng_uniform(r) * S / 4;
		for (int y = 0; y < S; y++)
			for (int x = 0; x < S; x++)
				for (int c = 0; c < C; c++)
					p[((size_t)i * S * S + (size_t)y * S + x) * C + c] =
						hypot(x - cx, y - cy) < rad ? (uint8_t)(255 - 60 * c) : 0;
		for (int k = 0; k < 4; k++)
			b[i * 4 + k] = (float)(0.1 + 0.8 * rng_uniform(r));
	}
}

/* Largest |a - b| over n floats relative to the largest |b| (as
 * nn_check.c does: long sums that cancel are judged against the scale of
 * the result). NaN counts as infinitely wrong. */
static double rel_err(const float *a, const float *b, size_t n)
{
	double err = 0, mx = 0;
	for (size_t i = 0; i < n; i++) {
		double d = fabs((double)a[i] - b[i]);
		if (!(d <= err))
			err = d;
		if (fabs(b[i]) > mx)
			mx = fabs(b[i]);
	}
	return err / (mx > 1e-12 ? mx : 1e-12);
}

static double rel1(double a, double b)
{
	double d = fabs(a - b) / (fabs(b) > 1e-12 ? fabs(b) : 1e-12);
	return d == d ? d : INFINITY;
}

/* Per-tensor comparison of two host copies of the parameter (or
 * statistics) buffer; prints the worst tensor and returns its error. */
static double cmp_tensors(const dhae *m, int buf, const float *g, const float *c, const char *what)
{
	double worst = 0;
	const char *wname = "-";
	for (int i = 0; i < dhae_ntensors(m); i++) {
		const dhae_tensor *t = dhae_tensor_at(m, i);
		if (t->buf != buf)
			continue;
		double e = rel_err(g + t->off, c + t->off, t->n);
		if (!(e <= worst))
			worst = e, wname = t->name;
	}
	if (buf == DHAE_PARAM) {   /* the two log-variances, after the tensors */
		size_t np = dhae_nparams(m);
		double e = rel_err(g + np - 2, c + np - 2, 2);
		if (!(e <= worst))
			worst = e, wname = "log-variances";
	}
	printf("  %-28s worst %-22s rel %.3g\n", what, wname, worst);
	return worst;
}

static void train_both(int arch, int chans, int n, int steps)
{
	nn_backend *gpu = open_cuda();
	if (!gpu)
		return;
	nn_backend *cpu = nn_cpu_open(0);
	dhae_cfg cfg;
	dhae_cfg_default(&cfg, arch, chans);
	dhae *mg = dhae_new(gpu, &cfg, NULL, n, 7), *mc = dhae_new(cpu, &cfg, NULL, n, 7);
	int S = cfg.size, C = cfg.chans;
	size_t np = dhae_nparams(mc);
	rng r;
	rng_seed(&r, 2024);
	uint8_t *p = malloc((size_t)n * S * S * C);
	float *b = malloc((size_t)n * 4 * sizeof *b);
	float *pg = malloc(np * sizeof *pg), *pc = malloc(np * sizeof *pc);
	printf("DHAE %s %dx%dx%d, batch %d, %d Adadelta steps, CUDA against CPU:\n",
	       arch == DHAE_SYNTH ? "synth" : "real", S, S, C, n, steps);

	dhae_get_params(mg, pg);
	dhae_get_params(mc, pc);
	cr_assert_eq(memcmp(pg, pc, np * sizeof *pg), 0, "the same seed gives different initial weights");

	for (int s = 0; s < steps; s++) {
		make_batch(&r, n, S, C, p, b);
		dhae_stats sg = { 0 }, sc = { 0 };
		dhae_train_step(mg, n, p, b, 1000 + s, &sg);
		dhae_train_step(mc, n, p, b, 1000 + s, &sc);
		double el = rel1(sg.loss, sc.loss), em = rel1(sg.mask_sse, sc.mask_sse);
		double eb = rel1(sg.box_sse, sc.box_sse);
		printf("  step %d: loss %.6f (cpu %.6f) mask sse rel %.3g box sse rel %.3g\n", s,
		       dhae_stats_loss(&sg), dhae_stats_loss(&sc), em, eb);
		cr_expect(el <= 1e-4 && em <= 1e-4 && eb <= 1e-4, "step %d: losses differ (rel %g, %g, %g)", s,
		          el, em, eb);
		/* the gradient of every tensor, before that step's update */
		dhae_get_grad(mg, pg);
		dhae_get_grad(mc, pc);
		char what[32];
		snprintf(what, sizeof what, "step %d gradients", s);
		double eg = cmp_tensors(mc, DHAE_PARAM, pg, pc, what);
		cr_expect(eg <= 2e-3, "step %d: gradients differ (rel %g)", s, eg);
	}
	dhae_get_params(mg, pg);
	dhae_get_params(mc, pc);
	double ep = cmp_tensors(mc, DHAE_PARAM, pg, pc, "weights after the steps");
	cr_expect(ep <= 2e-3, "weights after %d steps differ (rel %g)", steps, ep);
	float sg[2], sc[2];
	dhae_logvar(mg, sg);
	dhae_logvar(mc, sc);
	cr_expect(fabs(sg[0] - sc[0]) <= 1e-5 && fabs(sg[1] - sc[1]) <= 1e-5,
	          "log-variances differ: %g %g against %g %g", sg[0], sg[1], sc[0], sc[1]);

	/* batch-norm running statistics (real architecture) */
	int has_stats = 0;
	size_t ns = 0;
	for (int i = 0; i < dhae_ntensors(mc); i++) {
		const dhae_tensor *t = dhae_tensor_at(mc, i);
		if (t->buf == DHAE_STAT) {
			has_stats = 1;
			if (t->off + t->n > ns)
				ns = t->off + t->n;
		}
	}
	if (has_stats) {
		float *tg = calloc(ns, sizeof *tg), *tc = calloc(ns, sizeof *tc);
		for (int i = 0; i < dhae_ntensors(mc); i++) {
			const dhae_tensor *t = dhae_tensor_at(mc, i);
			if (t->buf == DHAE_STAT)
				dhae_get_tensor(mg, i, tg + t->off), dhae_get_tensor(mc, i, tc + t->off);
		}
		double es = cmp_tensors(mc, DHAE_STAT, tg, tc, "batch-norm running stats");
		cr_expect(es <= 1e-3, "batch-norm running statistics differ (rel %g)", es);
		free(tg), free(tc);
	}

	/* inference: loss with running statistics, and the latent features */
	make_batch(&r, n, S, C, p, b);
	dhae_stats vg = { 0 }, vc = { 0 };
	dhae_eval(mg, n, p, b, &vg);
	dhae_eval(mc, n, p, b, &vc);
	double ev = rel1(vg.loss, vc.loss);
	printf("  inference loss %.6f (cpu %.6f) rel %.3g\n", dhae_stats_loss(&vg), dhae_stats_loss(&vc), ev);
	cr_expect(ev <= 1e-4, "inference losses differ (rel %g)", ev);
	size_t nz = (size_t)n * cfg.latent;
	float *zg = malloc(nz * sizeof *zg), *zc = malloc(nz * sizeof *zc);
	dhae_embed(mg, n, p, b, zg);
	dhae_embed(mc, n, p, b, zc);
	double ez = rel_err(zg, zc, nz);
	printf("  latent z rel %.3g\n", ez);
	cr_expect(ez <= 1e-3, "latent features differ (rel %g)", ez);
	fflush(stdout);

	free(zg), free(zc), free(p), free(b), free(pg), free(pc);
	dhae_free(mg);
	dhae_free(mc);
	gpu->close(gpu);
	cpu->close(cpu);
}

Test(gpu, dhae_synth_training_steps) { train_both(DHAE_SYNTH, 1, 64, 3); }

Test(gpu, dhae_real_training_steps) { train_both(DHAE_REAL, 3, 6, 3); }
