/* The DHAE on the CPU backend: the gradient of the whole loss (both loss
 * forms, both architectures, dropout and batch norm on, the two-input
 * network and the box-only and mask-only ones) against finite differences;
 * determinism; that training lowers the loss; that embedding does not
 * depend on the batch; the architecture's shapes and FLOPs; what the
 * one-input networks hold and compute; the model file. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dhae/dhae.h"
#include "rng.h"

/* n random blob patches (S*S*C) and boxes in [0.1, 0.9]. */
static void make_batch(rng *r, int n, int S, int C, uint8_t *p, float *b)
{
	for (int i = 0; i < n; i++) {
		double cx = 2 + rng_uniform(r) * (S - 4), cy = 2 + rng_uniform(r) * (S - 4);
		double rad = 1.5 + rng_uniform(r) * S / 4;
		for (int y = 0; y < S; y++)
			for (int x = 0; x < S; x++)
				for (int c = 0; c < C; c++) {
					double d = hypot(x - cx, y - cy);
					p[((size_t)i * S * S + (size_t)y * S + x) * C + c] =
						d < rad ? (uint8_t)(255 - 60 * c) : 0;
				}
		for (int k = 0; k < 4; k++)
			b[i * 4 + k] = (float)(0.1 + 0.8 * rng_uniform(r));
	}
}

static double loss_of(dhae *m, int n, const uint8_t *p, const float *b, uint64_t seed)
{
	dhae_stats st = { 0 };
	dhae_train_loss(m, n, p, b, seed, &st);
	return dhae_stats_loss(&st);
}

/* Directional derivatives of the whole training loss (dropout masks fixed
 * by the seed, batch statistics), one tensor at a time, against the
 * gradient the backward pass computed: d/dh L(P + h v) for a random unit
 * direction v on the tensor, by central differences at h = 3e-4, 1e-3 and
 * 3e-3. The loss is float inside (noise ~1e-4 at these h) and piecewise
 * smooth (ReLU): the smallest h is noisy, the largest may cross kinks, and
 * a kink may lie closer to P than any h (then every central difference
 * mixes the slopes of both sides, whatever the direction, while the
 * one-sided difference away from the kink gives the slope the backward
 * pass computed). A wrong gradient is off in every direction at every h
 * and on both sides; a kink spoils one direction or one side. So a tensor
 * passes when, for one of up to 4 random directions, one of the central
 * or one-sided differences is within 4% of the typical |g.v| (plus the
 * noise). */
static void gradcheck(dhae_cfg *c, const char *what)
{
	nn_backend *be = nn_cpu_open(2);
	int n = 4, S = c->size, C = c->chans;
	dhae *m = dhae_new(be, c, NULL, n, 7);
	rng r;
	rng_seed(&r, 99);
	uint8_t *patches = malloc((size_t)n * S * S * C + 1);
	float boxes[16];
	make_batch(&r, n, S, C, patches, boxes);
	/* a one-input network gets nothing of the other input */
	const uint8_t *p = dhae_has_mask(c) ? patches : NULL;
	const float *b = dhae_has_box(c) ? boxes : NULL;
	size_t np = dhae_nparams(m);
	float *P = malloc(np * sizeof *P), *P0 = malloc(np * sizeof *P), *G = malloc(np * sizeof *G);
	dhae_get_params(m, P0);
	/* Biases well off zero, so few ReLU inputs sit near a kink (with zero
	 * biases, zero patch regions give inputs of exactly 0), weights moved a
	 * little, and the log-variances away from their init so both loss terms
	 * matter. */
	for (size_t i = 0; i < np; i++)
		P0[i] += 0.05f * (float)(rng_uniform(&r) - 0.5);
	for (int t = 0; t < dhae_ntensors(m); t++) {
		const dhae_tensor *T = dhae_tensor_at(m, t);
		size_t len = strlen(T->name);
		if (T->buf == DHAE_PARAM && len > 2 && !strcmp(T->name + len - 2, ".b"))
			for (size_t k = 0; k < T->n; k++)
				P0[T->off + k] = (float)(rng_uniform(&r) - 0.3);
	}
	P0[np - 2] = 0.3f, P0[np - 1] = -0.4f;
	dhae_set_params(m, P0);
	loss_of(m, n, p, b, 1234);
	dhae_get_grad(m, G);
	double L0 = loss_of(m, n, p, b, 1234);
	/* an absent task's log-variance is in no term */
	if (!dhae_has_mask(c))
		cr_expect(G[np - 2] == 0, "%s: gradient of s_m %g", what, G[np - 2]);
	if (!dhae_has_box(c))
		cr_expect(G[np - 1] == 0, "%s: gradient of s_b %g", what, G[np - 1]);
	int nt = dhae_ntensors(m), tensors = 0;
	for (int t = 0; t <= nt; t++) {
		size_t off, len;
		const char *name;
		if (t < nt) {
			const dhae_tensor *T = dhae_tensor_at(m, t);
			if (T->buf != DHAE_PARAM)
				continue;
			off = T->off, len = T->n, name = T->name;
		} else {
			off = np - 2, len = 2, name = "log-variances";
		}
		tensors++;
		double gn = 0;
		for (size_t k = 0; k < len; k++)
			gn += (double)G[off + k] * G[off + k];
		gn = sqrt(gn / (double)len);   /* typical |g.v| for a random unit v */
		float *v = malloc(len * sizeof *v);
		int ok = 0;
		double gv = 0, fds[3] = { 0 }, hs[3] = { 3e-4, 1e-3, 3e-3 };
		for (int dir = 0; dir < 4 && !ok; dir++) {
			gv = 0;
			for (size_t k = 0; k < len; k++) {
				v[k] = (float)((rng_uniform(&r) < 0.5 ? -1 : 1) / sqrt((double)len));
				gv += (double)G[off + k] * v[k];
			}
			for (int h = 0; h < 3; h++) {
				double L[2];
				for (int sgn = 0; sgn < 2; sgn++) {
					memcpy(P, P0, np * sizeof *P);
					for (size_t k = 0; k < len; k++)
						P[off + k] = P0[off + k] + (float)(sgn ? -hs[h] : hs[h]) * v[k];
					dhae_set_params(m, P);
					L[sgn] = loss_of(m, n, p, b, 1234);
				}
				fds[h] = (L[0] - L[1]) / (2 * hs[h]);
				double tol = 0.04 * fmax(fabs(gv), gn), noise = 1e-4 * 1e-3 / hs[h];
				if (fabs(fds[h] - gv) <= tol + noise || fabs((L[0] - L0) / hs[h] - gv) <= tol + 2 * noise ||
				    fabs((L0 - L[1]) / hs[h] - gv) <= tol + 2 * noise)
					ok = 1;
			}
		}
		cr_expect(ok, "%s %s: g.v %.6g, differences %.6g %.6g %.6g", what, name, gv, fds[0], fds[1], fds[2]);
		free(v);
	}
	/* box only: box.enc, fuse, box.dec1, box.dec2 (w and b), log-variances */
	cr_expect(tensors >= (dhae_has_mask(c) ? 11 : 9), "%s: %d tensors", what, tensors);
	dhae_set_params(m, P0);
	free(patches), free(P), free(P0), free(G);
	dhae_free(m);
	be->close(be);
}

static void small_synth(dhae_cfg *c, int weights)
{
	dhae_cfg_default(c, DHAE_SYNTH, 1);
	c->size = 12, c->nf = 3, c->filters[0] = 3, c->filters[1] = 4, c->filters[2] = 5, c->latent = 6;
	c->weights = weights;
}

Test(dhae, gradient_synth_uncertainty) { dhae_cfg c; small_synth(&c, DHAE_UNCERTAIN); gradcheck(&c, "synth"); }
Test(dhae, gradient_synth_fixed) { dhae_cfg c; small_synth(&c, DHAE_FIXED); gradcheck(&c, "synth fixed"); }

/* the one-input networks, both loss forms */
static void gradcheck_inputs(int inputs, int weights, const char *what)
{
	dhae_cfg c;
	small_synth(&c, weights);
	dhae_cfg_inputs(&c, inputs);
	gradcheck(&c, what);
}
Test(dhae, gradient_box_only) { gradcheck_inputs(DHAE_BOX, DHAE_UNCERTAIN, "box only"); }
Test(dhae, gradient_box_only_fixed) { gradcheck_inputs(DHAE_BOX, DHAE_FIXED, "box only fixed"); }
Test(dhae, gradient_mask_only) { gradcheck_inputs(DHAE_MASK, DHAE_UNCERTAIN, "mask only"); }
Test(dhae, gradient_mask_only_fixed) { gradcheck_inputs(DHAE_MASK, DHAE_FIXED, "mask only fixed"); }

static void small_real(dhae_cfg *c)
{
	dhae_cfg_default(c, DHAE_REAL, 3);
	c->size = 16;
	int f[5] = { 2, 3, 3, 4, 4 };
	memcpy(c->filters, f, sizeof f);
	c->latent = 5;
}

Test(dhae, gradient_real_batchnorm) { dhae_cfg c; small_real(&c); gradcheck(&c, "real"); }

Test(dhae, gradient_real_mask_only)
{
	dhae_cfg c;
	small_real(&c);
	dhae_cfg_inputs(&c, DHAE_MASK);
	gradcheck(&c, "real mask only");
}

Test(dhae, architecture)
{
	dhae_cfg c;
	char err[200];
	dhae_cfg_default(&c, DHAE_SYNTH, 1);
	cr_assert(dhae_cfg_check(&c, err, sizeof err) == 0, "%s", err);
	cr_expect(dhae_level_size(&c, 0) == 14 && dhae_level_size(&c, 1) == 7 && dhae_level_size(&c, 2) == 3);
	/* Sprites filters: about 7.5 MFLOP per training sample (the figure) */
	double f = dhae_flops_train(&c);
	cr_expect(f > 7.0e6 && f < 8.0e6, "train FLOPs %g", f);
	nn_backend *be = nn_cpu_open(1);
	dhae *m = dhae_new(be, &c, NULL, 2, 1);
	int found = 0;
	for (int i = 0; i < dhae_ntensors(m); i++) {
		const dhae_tensor *t = dhae_tensor_at(m, i);
		if (!strcmp(t->name, "enc2.w"))   /* OHWI, 7x7x32 -> 3x3x32 */
			{ found++; cr_expect(t->shape[0] == 32 && t->shape[1] == 3 && t->shape[3] == 32); }
		if (!strcmp(t->name, "enc.dense.w"))
			{ found++; cr_expect(t->shape[0] == 288 && t->shape[1] == 64); }
		if (!strcmp(t->name, "dec2.w"))   /* 3x3x32 -> 7x7x32 */
			{ found++; cr_expect(t->shape[0] == 32 && t->shape[3] == 32); }
		if (!strcmp(t->name, "dec0.w"))   /* 14x14x16 -> 28x28x16 */
			{ found++; cr_expect(t->shape[0] == 16 && t->shape[3] == 16); }
		cr_expect(t->buf == DHAE_PARAM, "synth has no batch norm: %s", t->name);
	}
	cr_expect(found == 4);
	dhae_free(m);

	dhae_cfg_default(&c, DHAE_REAL, 3);
	cr_assert(dhae_cfg_check(&c, err, sizeof err) == 0, "%s", err);
	cr_expect(dhae_level_size(&c, 4) == 4);
	m = dhae_new(be, &c, NULL, 1, 1);
	int stats = 0;
	for (int i = 0; i < dhae_ntensors(m); i++)
		stats += dhae_tensor_at(m, i)->buf == DHAE_STAT;
	cr_expect(stats == 10, "5 batch norms, mean and var each: %d", stats);
	dhae_free(m);
	be->close(be);

	c.size = 8;   /* 8 -> 4 -> 2 -> 1 -> 1 -> 1 still works */
	cr_expect(dhae_cfg_check(&c, err, sizeof err) == 0, "%s", err);
	dhae_cfg_default(&c, DHAE_SYNTH, 1);
	c.size = 4;
	cr_expect(dhae_cfg_check(&c, err, sizeof err) < 0);
	dhae_cfg_default(&c, DHAE_SYNTH, 1);
	c.latent = 0;
	cr_expect(dhae_cfg_check(&c, err, sizeof err) < 0);
}

static void train_some(int threads, uint64_t seed, float *P, size_t *np, double *first, double *last)
{
	nn_backend *be = nn_cpu_open(threads);
	dhae_cfg c;
	dhae_cfg_default(&c, DHAE_SYNTH, 1);
	int n = 64;
	dhae_opt o;
	dhae_opt_default(&o, DHAE_ADAM);
	o.lr = 2e-3f;
	dhae *m = dhae_new(be, &c, &o, n, seed);
	rng r;
	rng_seed(&r, 5);
	uint8_t *p = malloc((size_t)n * 784);
	float b[64 * 4];
	make_batch(&r, n, 28, 1, p, b);
	for (int s = 0; s < 25; s++) {
		dhae_stats st = { 0 };
		dhae_train_step(m, n, p, b, seed * 1000 + s, &st);
		if (s == 0 && first)
			*first = dhae_stats_mask_mse(m, &st) + dhae_stats_box_mse(&st);
	}
	dhae_stats st = { 0 };
	dhae_eval(m, n, p, b, &st);
	if (last)
		*last = dhae_stats_mask_mse(m, &st) + dhae_stats_box_mse(&st);
	*np = dhae_nparams(m);
	if (P)
		dhae_get_params(m, P);
	free(p);
	dhae_free(m);
	be->close(be);
}

Test(dhae, training_lowers_the_loss_and_repeats)
{
	size_t np;
	double first, last;
	float *a = malloc(200000 * sizeof *a), *b = malloc(200000 * sizeof *b);
	train_some(2, 3, a, &np, &first, &last);
	cr_assert(np < 200000);
	cr_expect(last < 0.5 * first, "reconstruction error %g -> %g", first, last);
	train_some(2, 3, b, &np, NULL, NULL);
	cr_expect(memcmp(a, b, np * sizeof *a) == 0, "same seed, same threads: same weights");
	train_some(2, 4, b, &np, NULL, NULL);
	cr_expect(memcmp(a, b, np * sizeof *a) != 0, "another seed: other weights");
	free(a), free(b);
}

/* Inference is per sample: z does not depend on the rest of the batch
 * (batch norm uses its running statistics, no dropout). */
Test(dhae, embedding_is_per_sample)
{
	nn_backend *be = nn_cpu_open(2);
	dhae_cfg c;
	dhae_cfg_default(&c, DHAE_REAL, 1);
	c.size = 32;
	int n = 5;
	dhae *m = dhae_new(be, &c, NULL, n, 11);
	rng r;
	rng_seed(&r, 8);
	uint8_t *p = malloc((size_t)n * 32 * 32);
	float b[20];
	make_batch(&r, n, 32, 1, p, b);
	dhae_train_step(m, n, p, b, 1, NULL);   /* moves the running statistics */
	float *z = malloc((size_t)n * 128 * sizeof *z), z1[128];
	dhae_embed(m, n, p, b, z);
	dhae_embed(m, 1, p + 3 * 32 * 32, b + 12, z1);
	for (int k = 0; k < 128; k++)
		cr_assert(fabsf(z1[k] - z[3 * 128 + k]) <= 1e-5f * (1 + fabsf(z1[k])), "z[%d] %g vs %g", k, z1[k], z[3 * 128 + k]);
	float nz = 0;
	for (int k = 0; k < n * 128; k++)
		nz += z[k] != 0;
	cr_expect(nz > 0, "latent features are all zero");
	free(p), free(z);
	dhae_free(m);
	be->close(be);
}

static int has_tensor(const dhae *m, const char *name, int d0, int d1)
{
	for (int i = 0; i < dhae_ntensors(m); i++) {
		const dhae_tensor *t = dhae_tensor_at(m, i);
		if (!strcmp(t->name, name))
			return d0 < 0 || (t->shape[0] == d0 && t->shape[1] == d1);
	}
	return 0;
}

/* What the box-only and mask-only networks hold, that the loss is the one
 * task's term (with its own learned log-variance; the other's stays), and
 * that they embed without the input they do not read. */
Test(dhae, one_input_networks)
{
	nn_backend *be = nn_cpu_open(2);
	int n = 8, L = 6;
	rng r;
	rng_seed(&r, 21);
	uint8_t p[8 * 144];
	float b[32];
	make_batch(&r, n, 12, 1, p, b);
	char err[200];
	for (int in = DHAE_BOX; in <= DHAE_MASK; in++) {
		int box = in == DHAE_BOX;
		const char *what = dhae_inputs_name(in);
		dhae_cfg c;
		small_synth(&c, DHAE_UNCERTAIN);
		dhae_cfg_inputs(&c, in);
		cr_assert(dhae_cfg_check(&c, err, sizeof err) == 0, "%s: %s", what, err);
		cr_expect(box ? c.size == 0 && c.nf == 0 : c.size == 12 && c.nf == 3, "%s", what);
		dhae_opt o;
		dhae_opt_default(&o, DHAE_ADAM);
		dhae *m = dhae_new(be, &c, &o, n, 5);
		cr_expect(dhae_patch_bytes(m) == (box ? 0u : 144u), "%s", what);
		cr_expect(has_tensor(m, "fuse.w", L, L), "%s: fuse is latent x latent", what);
		cr_expect(has_tensor(m, "box.enc.w", -1, 0) == box && has_tensor(m, "box.dec2.w", -1, 0) == box, "%s", what);
		cr_expect(has_tensor(m, "enc0.w", -1, 0) == !box && has_tensor(m, "dec.out.w", -1, 0) == !box, "%s", what);
		cr_expect(has_tensor(m, "enc.dense.w", -1, 0) == !box && has_tensor(m, "dec.dense.w", -1, 0) == !box);
		/* forward FLOPs of the box-only net: 4L + L*L + L*L + 4L multiply-adds */
		if (box)
			cr_expect(dhae_flops_forward(&c) == 2.0 * (8 * L + 2 * L * L), "%g", dhae_flops_forward(&c));
		else
			cr_expect(dhae_flops_forward(&c) > 0);

		const uint8_t *pp = box ? NULL : p;
		const float *bb = box ? b : NULL;
		float s0[2];
		dhae_logvar(m, s0);
		for (int k = 0; k < 5; k++)
			dhae_train_step(m, n, pp, bb, 100 + k, NULL);
		float s[2];
		dhae_logvar(m, s);
		int k = box ? 1 : 0;
		cr_expect(s[1 - k] == s0[1 - k], "%s: the absent task's log-variance moved", what);
		cr_expect(s[k] != s0[k], "%s: the task's log-variance is learned", what);
		dhae_stats st = { 0 };
		dhae_eval(m, n, pp, bb, &st);
		double e = box ? st.box_sse : st.mask_sse;
		cr_expect((box ? st.mask_sse : st.box_sse) == 0 && e > 0, "%s", what);
		double absent = box ? dhae_stats_mask_mse(m, &st) : dhae_stats_box_mse(&st);
		cr_expect(absent == 0, "%s: the absent task's mse %g", what, absent);
		double want = 0.5 * exp(-(double)s[k]) * e / n + 0.5 * s[k];
		cr_expect(fabs(dhae_stats_loss(&st) - want) <= 1e-9 * (1 + fabs(want)), "%s: loss %.9g, the term %.9g",
		          what, dhae_stats_loss(&st), want);

		float z[8 * 6], z1[6];
		dhae_embed(m, n, pp, bb, z);
		dhae_embed(m, 1, box ? NULL : p + 3 * 144, box ? b + 12 : NULL, z1);
		float nz = 0;
		for (int i = 0; i < L; i++)
			cr_expect(fabsf(z1[i] - z[3 * L + i]) <= 1e-5f * (1 + fabsf(z1[i])), "%s", what);
		for (int i = 0; i < n * L; i++)
			nz += z[i] != 0;
		cr_expect(nz > 0, "%s: latent features are all zero", what);
		/* z depends on the input the network reads, not on the other */
		if (box) {
			float b2[32];
			memcpy(b2, b, sizeof b2);
			b2[12] += 0.3f;
			dhae_embed(m, n, p, b2, z);   /* patches given anyway: ignored */
		} else {
			uint8_t p2[8 * 144];
			memcpy(p2, p, sizeof p2);
			memset(p2 + 3 * 144, 255, 72);
			dhae_embed(m, n, p2, b, z);
		}
		float d = 0;
		for (int i = 0; i < L; i++)
			d += fabsf(z1[i] - z[3 * L + i]);
		cr_expect(d > 0, "%s: z does not follow the input", what);
		dhae_free(m);
	}
	/* a box-only configuration checks no patch or convolution */
	dhae_cfg c;
	dhae_cfg_default(&c, DHAE_REAL, 1);
	dhae_cfg_inputs(&c, DHAE_BOX);
	cr_expect(dhae_cfg_check(&c, err, sizeof err) == 0, "%s", err);
	c.latent = 0;
	cr_expect(dhae_cfg_check(&c, err, sizeof err) < 0);
	c.latent = 4, c.inputs = 7;
	cr_expect(dhae_cfg_check(&c, err, sizeof err) < 0);
	int v;
	cr_expect(dhae_parse_inputs("mask", &v) == 0 && v == DHAE_MASK && dhae_parse_inputs("loc", &v) < 0);
	be->close(be);
}

Test(dhae, box_features)
{
	float box[4] = { 10, 20, 30, 40 }, f[4];
	dhae_box_features(box, 128, 64, 60, 80, f);
	cr_expect(f[0] == 25.0f / 128 && f[1] == 40.0f / 64 && f[2] == 0.5f && f[3] == 0.5f);
}

/* ---- the model file ---- */
#include <unistd.h>
#include "dhae/modelfile.h"

static void trained_model(model *mf, dhae **out, nn_backend *be, int inputs)
{
	dhae_cfg c;
	small_synth(&c, DHAE_UNCERTAIN);
	dhae_cfg_inputs(&c, inputs);
	dhae *m = dhae_new(be, &c, NULL, 8, 3);
	rng r;
	rng_seed(&r, 4);
	uint8_t p[8 * 144];
	float b[32];
	make_batch(&r, 8, 12, 1, p, b);
	dhae_train_step(m, 8, p, b, 9, NULL);
	model_init(mf);
	mf->cfg = c;
	if (dhae_has_box(&c))
		mf->wmax = 20, mf->hmax = 30;
	model_snapshot(m, &mf->t, &mf->nt, mf->log_var);
	mf_epoch e = { .epoch = 1, .loss = 2.5, .val_loss = 3.5, .sigma_m = 0.5 };
	model_add_epoch(mf, &e);
	mf->epochs = 1, mf->best_epoch = 1, mf->best_val = 3.5;
	mf->tool = strdup("test"), mf->args = strdup("a b");
	mf->has_resume = 1;
	model_snapshot(m, &mf->last, &mf->nlast, mf->last_log_var);
	mf->nopt = dhae_nparams(m);
	mf->opt0 = malloc(mf->nopt * sizeof(float)), mf->opt1 = malloc(mf->nopt * sizeof(float));
	dhae_get_opt(m, mf->opt0, mf->opt1, &mf->step);
	mf->seed = 3, mf->batch = 8, mf->val_split = 0.1, mf->samples = 8;
	mf->rng[0] = 1, mf->rng[3] = UINT64_MAX;
	mf->opt = *dhae_optimizer(m);
	*out = m;
}

/* Writes mf to a new temporary file; path ("/tmp/test_dhae_XXXXXX") gets its name. */
static void write_tmp(const model *mf, char *path)
{
	char err[300];
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	cr_assert(model_write(path, mf, err, sizeof err) == 0, "%s", err);
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f);
	fseek(f, 0, SEEK_END);
	*n = (size_t)ftell(f);
	rewind(f);
	uint8_t *b = malloc(*n);
	cr_assert(fread(b, 1, *n, f) == *n);
	fclose(f);
	return b;
}

Test(modelfile, round_trip)
{
	nn_backend *be = nn_cpu_open(1);
	model mf, back;
	dhae *m;
	trained_model(&mf, &m, be, DHAE_BOTH);
	char path[] = "/tmp/test_dhae_XXXXXX", err[300];
	write_tmp(&mf, path);
	cr_assert(model_read(path, &back, err, sizeof err) == 0, "%s", err);
	cr_expect(back.cfg.arch == DHAE_SYNTH && back.cfg.size == 12 && back.cfg.nf == 3 && back.cfg.latent == 6);
	cr_expect(back.cfg.filters[2] == 5 && back.wmax == 20 && back.hmax == 30);
	cr_expect(back.log_var[0] == mf.log_var[0] && back.log_var[1] == mf.log_var[1]);
	cr_assert(back.nt == mf.nt);
	for (int i = 0; i < mf.nt; i++) {
		cr_expect(strcmp(back.t[i].name, mf.t[i].name) == 0 && back.t[i].n == mf.t[i].n);
		cr_expect(memcmp(back.t[i].data, mf.t[i].data, mf.t[i].n * sizeof(float)) == 0, "%s", mf.t[i].name);
	}
	cr_expect(back.nhist == 1 && back.hist[0].val_loss == 3.5 && back.best_epoch == 1);
	cr_expect(back.has_resume && back.step == 1 && back.rng[3] == UINT64_MAX && back.samples == 8);
	cr_expect(back.nopt == mf.nopt && memcmp(back.opt0, mf.opt0, mf.nopt * sizeof(float)) == 0);
	cr_expect(strcmp(back.args, "a b") == 0);
	/* it loads into a network of the same architecture */
	dhae *m2 = dhae_new(be, &back.cfg, NULL, 2, 99);
	cr_expect(model_load(&back, m2, 0, err, sizeof err) == 0, "%s", err);
	cr_expect(model_load(&back, m2, 1, err, sizeof err) == 0, "%s", err);
	/* and not into another */
	dhae_cfg other = back.cfg;
	other.latent = 7;
	dhae *m3 = dhae_new(be, &other, NULL, 2, 99);
	cr_expect(model_load(&back, m3, 0, err, sizeof err) < 0);
	/* rewriting what was read gives the same bytes */
	char path2[] = "/tmp/test_dhae_XXXXXX";
	write_tmp(&back, path2);
	size_t n1, n2;
	uint8_t *b1 = slurp(path, &n1), *b2 = slurp(path2, &n2);
	cr_expect(n1 == n2 && memcmp(b1, b2, n1) == 0);
	/* a two-input model is written as before the inputs existed: no key */
	cr_expect(memmem(b1, n1, "inputs", 6) == NULL);
	/* every truncation and many corruptions are refused or read, never crash */
	for (size_t len = 0; len < n1; len += len < 600 ? 1 : 97) {
		model t;
		cr_assert(model_read_mem(b1, len, "cut", &t, err, sizeof err) < 0, "truncated at %zu read", len);
	}
	rng r;
	rng_seed(&r, 5);
	for (int k = 0; k < 300; k++) {
		memcpy(b2, b1, n1);
		for (int f = 0; f < 4; f++)
			b2[rng_below(&r, n1)] = (uint8_t)rng_u64(&r);
		model t;
		if (model_read_mem(b2, n1, "flip", &t, err, sizeof err) == 0)
			model_free(&t);
	}
	/* a declared length far beyond the data is an error, not an allocation */
	static const uint8_t huge[] = { 0x81, 0xa7, 't', 'e', 'n', 's', 'o', 'r', 's', 0xdd, 0x7f, 0xff, 0xff, 0xff };
	model t;
	cr_expect(model_read_mem(huge, sizeof huge, "huge", &t, err, sizeof err) < 0);
	free(b1), free(b2);
	unlink(path), unlink(path2);
	dhae_free(m), dhae_free(m2), dhae_free(m3);
	model_free(&mf), model_free(&back);
	be->close(be);
}

/* Writes mf to a temporary file and returns its bytes. */
static uint8_t *model_bytes(const model *mf, size_t *n)
{
	char path[] = "/tmp/test_dhae_XXXXXX";
	write_tmp(mf, path);
	uint8_t *b = slurp(path, n);
	unlink(path);
	return b;
}

/* The exit line (track/exitline.h): stored when measured, read back, and
 * refused when it is not a distance. */
Test(modelfile, exit_inset)
{
	nn_backend *be = nn_cpu_open(1);
	model mf, t;
	dhae *m;
	char err[300];
	trained_model(&mf, &m, be, DHAE_BOTH);
	size_t n;
	uint8_t *b = model_bytes(&mf, &n);
	cr_assert(model_read_mem(b, n, "m", &t, err, sizeof err) == 0, "%s", err);
	cr_expect(!t.has_exit && memmem(b, n, "exit_inset", 10) == NULL, "none measured: no key");
	model_free(&t), free(b);
	mf.has_exit = 1, mf.exit_inset = 9.5;
	b = model_bytes(&mf, &n);
	cr_assert(model_read_mem(b, n, "m", &t, err, sizeof err) == 0, "%s", err);
	cr_expect(t.has_exit && t.exit_inset == 9.5);
	model_free(&t), free(b);
	mf.exit_inset = -3;
	b = model_bytes(&mf, &n);
	cr_assert(model_read_mem(b, n, "m", &t, err, sizeof err) < 0);
	cr_expect(strstr(err, "exit_inset") && strstr(err, "not a distance"), "%s", err);
	free(b);
	model_free(&mf);
	dhae_free(m);
	be->close(be);
}

/* The checksum: every flipped bit is refused; a file of format version 1
 * (no checksum) is still read, and says so. */
Test(modelfile, checksum_refuses_flipped_bits)
{
	nn_backend *be = nn_cpu_open(1);
	model mf, t;
	dhae *m;
	char err[300];
	trained_model(&mf, &m, be, DHAE_BOTH);
	size_t n;
	uint8_t *b = model_bytes(&mf, &n), *f = malloc(n);
	cr_assert(model_read_mem(b, n, "m", &t, err, sizeof err) == 0, "%s", err);
	cr_expect(t.checksummed);
	model_free(&t);
	int flips = 0;
	for (size_t i = 0; i < n; i += 7, flips++) {
		memcpy(f, b, n);
		f[i] ^= (uint8_t)(1u << (i % 8));
		cr_assert(model_read_mem(f, n, "flip", &t, err, sizeof err) < 0, "bit %zu of byte %zu flipped, read",
			  i % 8, i);
	}
	cr_expect(flips > 100);
	/* version 1: no "checksum" pair (18 bytes at the end), one key less */
	const uint8_t sum_key[] = { 0xa8, 'c', 'h', 'e', 'c', 'k', 's', 'u', 'm', 0xcf };
	cr_assert(n > 18 && memcmp(b + n - 18, sum_key, sizeof sum_key) == 0);
	cr_assert(b[0] == 0xde);   /* map16: 21 keys */
	memcpy(f, b, n - 18);
	f[2]--;
	uint8_t *v = memmem(f, n - 18, "\xa7version\x02", 9);
	cr_assert(v);
	v[8] = 1;
	cr_assert(model_read_mem(f, n - 18, "v1", &t, err, sizeof err) == 0, "%s", err);
	cr_expect(!t.checksummed);
	model_free(&t);
	/* the same without the version bump is a damaged version 2 file */
	v[8] = 2;
	cr_assert(model_read_mem(f, n - 18, "v2", &t, err, sizeof err) < 0);
	cr_expect(strstr(err, "no checksum"), "%s", err);
	free(b), free(f);
	dhae_free(m);
	model_free(&mf);
	be->close(be);
}

/* NaN or Inf weights, and an all-zero rng state, are refused by name. */
Test(modelfile, refuses_non_finite_weights_and_zero_rng)
{
	nn_backend *be = nn_cpu_open(1);
	model mf, t;
	dhae *m;
	char err[300];
	trained_model(&mf, &m, be, DHAE_BOTH);
	size_t n;
	uint8_t *b;
	const float bad[3] = { NAN, INFINITY, -INFINITY };
	for (int k = 0; k < 3; k++) {
		int ti = k == 0 ? 0 : mf.nt - 1;
		float keep = mf.t[ti].data[1];
		mf.t[ti].data[1] = bad[k];
		b = model_bytes(&mf, &n);
		cr_assert(model_read_mem(b, n, "m", &t, err, sizeof err) < 0, "weight %g read", bad[k]);
		cr_expect(strstr(err, mf.t[ti].name) && strstr(err, "value 2 is"), "%s", err);
		free(b);
		mf.t[ti].data[1] = keep;
	}
	mf.last[0].data[0] = NAN;   /* the resume weights too */
	b = model_bytes(&mf, &n);
	cr_assert(model_read_mem(b, n, "m", &t, err, sizeof err) < 0);
	cr_expect(strstr(err, mf.last[0].name), "%s", err);
	free(b);
	mf.last[0].data[0] = 0;
	memset(mf.rng, 0, sizeof mf.rng);
	b = model_bytes(&mf, &n);
	cr_assert(model_read_mem(b, n, "m", &t, err, sizeof err) < 0);
	cr_expect(strstr(err, "rng state is all zeros"), "%s", err);
	free(b);
	dhae_free(m);
	model_free(&mf);
	be->close(be);
}

/* Box-only and mask-only models: the inputs are kept, the box-only one has
 * no patch and the mask-only one no box normalisation, they load into
 * their network and not into the two-input one. */
Test(modelfile, one_input_models)
{
	nn_backend *be = nn_cpu_open(1);
	char err[300];
	for (int in = DHAE_BOX; in <= DHAE_MASK; in++) {
		const char *what = dhae_inputs_name(in);
		model mf, back;
		dhae *m;
		trained_model(&mf, &m, be, in);
		char path[] = "/tmp/test_dhae_XXXXXX";
		int fd = mkstemp(path);
		cr_assert(fd >= 0);
		close(fd);
		cr_assert(model_write(path, &mf, err, sizeof err) == 0, "%s", err);
		cr_assert(model_read(path, &back, err, sizeof err) == 0, "%s: %s", what, err);
		cr_expect(back.cfg.inputs == in && back.cfg.latent == 6, "%s", what);
		if (in == DHAE_BOX)
			cr_expect(back.cfg.size == 0 && back.cfg.nf == 0 && back.wmax == 20 && back.hmax == 30);
		else
			cr_expect(back.cfg.size == 12 && back.cfg.nf == 3 && back.cfg.filters[2] == 5 && back.wmax == 0);
		size_t n1;
		uint8_t *b1 = slurp(path, &n1);
		cr_expect(memmem(b1, n1, "\xa6inputs", 7) != NULL, "%s: inputs key", what);
		cr_expect((memmem(b1, n1, "\xa5patch", 6) == NULL) == (in == DHAE_BOX), "%s: patch key", what);
		cr_expect((memmem(b1, n1, "\xa4norm", 5) == NULL) == (in == DHAE_MASK), "%s: norm key", what);
		dhae *m2 = dhae_new(be, &back.cfg, NULL, 2, 99);
		cr_expect(model_load(&back, m2, 0, err, sizeof err) == 0, "%s: %s", what, err);
		cr_expect(model_load(&back, m2, 1, err, sizeof err) == 0, "%s: %s", what, err);
		dhae_cfg both = back.cfg;
		if (in == DHAE_BOX)
			small_synth(&both, DHAE_UNCERTAIN);
		both.inputs = DHAE_BOTH;
		dhae *m3 = dhae_new(be, &both, NULL, 2, 99);
		cr_expect(model_load(&back, m3, 0, err, sizeof err) < 0, "%s model loads as both", what);
		/* rewriting gives the same bytes; cuts are refused */
		char path2[] = "/tmp/test_dhae_XXXXXX";
		fd = mkstemp(path2);
		close(fd);
		cr_assert(model_write(path2, &back, err, sizeof err) == 0);
		size_t n2;
		uint8_t *b2 = slurp(path2, &n2);
		cr_expect(n1 == n2 && memcmp(b1, b2, n1) == 0, "%s", what);
		for (size_t len = 0; len < n1; len += 37) {
			model t;
			cr_assert(model_read_mem(b1, len, "cut", &t, err, sizeof err) < 0);
		}
		free(b1), free(b2);
		unlink(path), unlink(path2);
		dhae_free(m), dhae_free(m2), dhae_free(m3);
		model_free(&mf), model_free(&back);
	}
	/* an unknown inputs value is an error */
	static const uint8_t bad[] = { 0x81, 0xa6, 'i', 'n', 'p', 'u', 't', 's', 0xa3, 'l', 'o', 'c' };
	model t;
	cr_expect(model_read_mem(bad, sizeof bad, "bad", &t, err, sizeof err) < 0 && strstr(err, "inputs"), "%s", err);
	be->close(be);
}
