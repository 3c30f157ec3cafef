/* The CUDA backend against the CPU backend: every op of nn.h layer by
 * layer (nn_compare_backends, on the shapes of both DHAE architectures),
 * then a few DHAE training steps of each architecture on both backends
 * from the same weights, batch and dropout seeds, comparing the losses,
 * the gradients of every tensor, the updated weights, the batch-norm
 * running statistics, the inference loss and the latent features.
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

#include "dhae.h"
#include "nn.h"
#include "rng.h"

/* The CUDA backend, or NULL after printing why the test is skipped. */
static nn_backend *open_cuda(void)
{
	const char *run = getenv("USC_GPU_TEST");
	if (!run || strcmp(run, "1") != 0) {
		printf("test_gpu: skipped: set USC_GPU_TEST=1 (make test-gpu) to run\n");
		return NULL;
	}
#ifdef USC_CUDA
	if (nn_cuda_devices() < 1) {
		printf("test_gpu: skipped: no CUDA device\n");
		return NULL;
	}
	char err[512];
	nn_backend *be = nn_cuda_open(err, sizeof err);
	/* a device answers: a backend that does not open is a failure */
	cr_assert(be, "a CUDA device answers but the backend does not open: %s", err);
	return be;
#else
	printf("test_gpu: skipped: no CUDA device (this build has no CUDA backend)\n");
	return NULL;
#endif
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
	cr_expect(ep <= 5e-4, "weights after %d steps differ (rel %g)", steps, ep);
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
