/* dhae.c: the DHAE network, its loss and its optimiser step, on any nn.h
 * backend. The layer list is built once from the configuration; the
 * forward and backward passes walk it. All trainable floats (the two
 * log-variances last) are one buffer, so one optimiser call updates them
 * all; the gradient buffer has the same layout. */
#include "dhae/dhae.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "rng.h"

#define MAX_TENSORS 64

enum { B_CONV, B_TCONV, B_DENSE };
enum { ACT_RELU = 1, ACT_SIGMOID = 2 };

typedef struct block {
	int kind;
	nn_conv g;            /* convs: geometry (n set per call) */
	size_t in, out;       /* floats per sample in and out */
	int act;              /* ACT_* after the op */
	int bn, drop;         /* batch norm / dropout after the activation */
	int drop_first;       /* order: act -> dropout -> bn (decoder), else act -> bn -> dropout */
	int w, b, gamma, beta, rmean, rvar;   /* tensor indices */
	int id;               /* for the dropout seed */
	int on;               /* part of this network (the inputs decide) */
	float *a;             /* op output, activation in place */
	float *bno, *smean, *sinv;
	float *dro, *mask;
	const float *xin;     /* input of the last forward */
} block;

struct dhae {
	nn_backend *be;
	dhae_cfg cfg;
	dhae_opt opt;
	int max_batch;
	int nt;
	dhae_tensor t[MAX_TENSORS];
	size_t np, ns;        /* floats of parameters (log-variances included), statistics */
	size_t logvar;        /* offset of s_m, s_b in the parameters */
	float *P, *G, *S, *O0, *O1;   /* backend buffers */
	uint64_t step;
	float s[2];           /* host copy of the log-variances */

	block enc[DHAE_MAX_CONV], dec[DHAE_MAX_CONV];
	block encd, boxe, fuse, decd, outc, boxd1, boxd2;

	/* batch buffers (backend) */
	uint8_t *u8;
	float *X, *B, *cat, *G1, *G2, *G3;
	float *gz1, *gz2, *gcat, *gzm, *gzb, *gyb, *gbb, *gsmall;
	const float *ym, *yb;   /* outputs of the last forward */
	size_t gmax;            /* floats per sample of G1..G3 */
};

/* ---- configuration ---- */

void dhae_cfg_default(dhae_cfg *c, int arch, int chans)
{
	memset(c, 0, sizeof *c);
	c->arch = arch;
	c->dropout = 0.25f;
	c->weights = DHAE_UNCERTAIN;
	if (arch == DHAE_SYNTH) {
		static const int f[] = { 16, 32, 32 };
		c->size = 28, c->chans = chans > 0 ? chans : 1, c->nf = 3, c->latent = 64;
		memcpy(c->filters, f, sizeof f);
	} else {
		static const int f[] = { 16, 16, 32, 32, 64 };
		c->size = 128, c->chans = chans > 0 ? chans : 3, c->nf = 5, c->latent = 128;
		memcpy(c->filters, f, sizeof f);
	}
	c->logvar0[0] = (float)log(0.25);
	c->logvar0[1] = (float)log(1.0 / ((double)c->size * c->size));
}

void dhae_cfg_inputs(dhae_cfg *c, int inputs)
{
	c->inputs = inputs;
	if (inputs == DHAE_BOX) {
		c->size = c->chans = c->nf = 0;
		memset(c->filters, 0, sizeof c->filters);
		c->dropout = 0;
	}
}

static const char *const inputs_names[] = { "both", "box", "mask" };

const char *dhae_inputs_name(int inputs)
{
	return inputs >= DHAE_BOTH && inputs <= DHAE_MASK ? inputs_names[inputs] : "?";
}

int dhae_parse_inputs(const char *s, int *inputs)
{
	for (int i = DHAE_BOTH; i <= DHAE_MASK; i++)
		if (!strcmp(s, inputs_names[i])) {
			*inputs = i;
			return 0;
		}
	return -1;
}

/* Padding of encoder conv i: "same" (1), except the synthetic net's last,
 * which is "valid" (0) as in the released code (7 -> 3). */
static int enc_pad(const dhae_cfg *c, int i) { return c->arch == DHAE_SYNTH && i == c->nf - 1 ? 0 : 1; }

int dhae_level_size(const dhae_cfg *c, int i)
{
	int s = c->size;
	for (int k = 0; k <= i; k++)
		s = nn_conv_out(s, 3, 2, enc_pad(c, k));
	return s;
}

/* Output channels of the decoder's transposed conv from level i+1 to i:
 * synth [f1, f0, f0] (top down), real [f4, f3, f2, f1, f0] (usc-mots-method(7),
 * AUTOENCODER). */
static int dec_chans(const dhae_cfg *c, int i)
{
	if (c->arch == DHAE_SYNTH)
		return c->filters[i > 0 ? i - 1 : 0];
	return c->filters[i];
}

int dhae_cfg_check(const dhae_cfg *c, char *err, size_t n)
{
	if (c->arch != DHAE_SYNTH && c->arch != DHAE_REAL)
		return errf(err, n, "unknown architecture");
	if (c->inputs < DHAE_BOTH || c->inputs > DHAE_MASK)
		return errf(err, n, "unknown inputs");
	if (c->inputs == DHAE_BOX) {   /* no patch, no convolutions */
		if (c->latent < 1 || c->latent > 65536)
			return errf(err, n, "latent size %d out of range 1..65536", c->latent);
		return 0;
	}
	if (c->nf < 1 || c->nf > DHAE_MAX_CONV)
		return errf(err, n, "%d conv layers: want 1 to %d", c->nf, DHAE_MAX_CONV);
	if (c->arch == DHAE_REAL && c->nf < 4)
		return errf(err, n, "--arch real needs at least 4 conv layers (batch norm after the 2nd to 4th)");
	for (int i = 0; i < c->nf; i++)
		if (c->filters[i] < 1 || c->filters[i] > 4096)
			return errf(err, n, "filter count %d out of range 1..4096", c->filters[i]);
	if (c->latent < 1 || c->latent > 65536)
		return errf(err, n, "latent size %d out of range 1..65536", c->latent);
	if (c->chans < 1 || c->chans > 4)
		return errf(err, n, "%d patch channels: want 1 to 4", c->chans);
	if (c->size < 4 || c->size > 1024)
		return errf(err, n, "patch size %d out of range 4..1024", c->size);
	int s = c->size;
	for (int i = 0; i < c->nf; i++) {
		int o = nn_conv_out(s, 3, 2, enc_pad(c, i));
		if (o < 1 || s + 2 * enc_pad(c, i) < 3)
			return errf(err, n, "patch size %d is too small for %d stride-2 convs", c->size, c->nf);
		s = o;
	}
	if (!(c->dropout >= 0 && c->dropout < 1))
		return errf(err, n, "dropout %g: want 0 <= rate < 1", c->dropout);
	return 0;
}

static double conv_macs(const nn_conv *g) { return (double)g->oh * g->ow * g->oc * g->kh * g->kw * g->c; }
static double tconv_macs(const nn_conv *g) { return (double)g->h * g->w * g->c * g->kh * g->kw * g->oc; }

/* Multiply-adds of the forward pass, and of the layers whose input needs
 * no gradient (the first conv and the box encoder). */
static void count_macs(const dhae_cfg *c, double *fwd, double *first)
{
	double m = 0, f0 = 0, L = c->latent;
	int hm = dhae_has_mask(c), hb = dhae_has_box(c);
	int s = c->size, ch = c->chans;
	if (hm)
		for (int i = 0; i < c->nf; i++) {
			int o = nn_conv_out(s, 3, 2, enc_pad(c, i));
			nn_conv g = { 1, s, s, ch, o, o, c->filters[i], 3, 3, 2, 2, 1, 1 };
			m += conv_macs(&g);
			if (i == 0)
				f0 = conv_macs(&g);
			s = o, ch = c->filters[i];
		}
	double flat = (double)s * s * ch;
	if (hm)
		m += flat * L + L * flat;                /* encoder and decoder dense */
	if (hb)
		m += 4 * L + L * L + 4 * L;              /* box encoder, box decoder */
	m += (hm && hb ? 2 : 1) * L * L;             /* fuse */
	if (hm) {
		int in = ch;
		for (int i = c->nf - 1; i >= 0; i--) {
			int hi = dhae_level_size(c, i - 1), oc = dec_chans(c, i);
			nn_conv g = { 1, s, s, in, hi, hi, oc, 3, 3, 2, 2, 1, 1 };
			m += tconv_macs(&g);
			s = hi, in = oc;
		}
		m += (double)s * s * c->chans * 9 * in;  /* output conv */
	}
	*fwd = m;
	*first = f0 + (hb ? 4 * L : 0);
}

double dhae_flops_forward(const dhae_cfg *c)
{
	double f, first;
	count_macs(c, &f, &first);
	return 2 * f;
}

double dhae_flops_train(const dhae_cfg *c)
{
	double f, first;
	count_macs(c, &f, &first);
	return 2 * (3 * f - first);   /* forward, weight gradients, input gradients */
}

void dhae_opt_default(dhae_opt *o, int kind)
{
	*o = (dhae_opt){ .kind = kind, .lr = kind == DHAE_ADAM ? 5e-4f : 1.0f, .rho = 0.95f,
	                 .b1 = 0.9f, .b2 = 0.999f, .eps = 1e-7f };
}

/* ---- building ---- */

static int add_tensor(dhae *m, const char *name, int buf, int rank, int d0, int d1, int d2, int d3)
{
	if (m->nt >= MAX_TENSORS)
		die("dhae: too many tensors");
	dhae_tensor *t = &m->t[m->nt];
	snprintf(t->name, sizeof t->name, "%s", name);
	t->rank = rank;
	int d[4] = { d0, d1, d2, d3 };
	t->n = 1;
	for (int i = 0; i < 4; i++) {
		t->shape[i] = i < rank ? d[i] : 0;
		if (i < rank)
			t->n *= (size_t)d[i];
	}
	t->buf = buf;
	size_t *top = buf == DHAE_PARAM ? &m->np : &m->ns;
	t->off = *top;
	*top += t->n;
	return m->nt++;
}

static void add_bn(dhae *m, block *b, const char *prefix, int ch)
{
	char nm[32];
	b->bn = 1;
	snprintf(nm, sizeof nm, "%s.bn.gamma", prefix);
	b->gamma = add_tensor(m, nm, DHAE_PARAM, 1, ch, 0, 0, 0);
	snprintf(nm, sizeof nm, "%s.bn.beta", prefix);
	b->beta = add_tensor(m, nm, DHAE_PARAM, 1, ch, 0, 0, 0);
	snprintf(nm, sizeof nm, "%s.bn.mean", prefix);
	b->rmean = add_tensor(m, nm, DHAE_STAT, 1, ch, 0, 0, 0);
	snprintf(nm, sizeof nm, "%s.bn.var", prefix);
	b->rvar = add_tensor(m, nm, DHAE_STAT, 1, ch, 0, 0, 0);
}

static void make_conv(dhae *m, block *b, const char *name, int transposed, int h, int c, int oh, int oc,
                      int pad, int act)
{
	char nm[32];
	memset(b, 0, sizeof *b);
	b->on = 1;
	b->kind = transposed ? B_TCONV : B_CONV;
	b->g = (nn_conv){ 0, h, h, c, oh, oh, oc, 3, 3, transposed ? 2 : (oh == h ? 1 : 2),
	                  transposed ? 2 : (oh == h ? 1 : 2), pad, pad };
	b->in = (size_t)h * h * c, b->out = (size_t)oh * oh * oc;
	b->act = act;
	snprintf(nm, sizeof nm, "%s.w", name);
	/* conv OHWI [oc][3][3][c]; transposed [c][3][3][oc] (nn.h) */
	b->w = transposed ? add_tensor(m, nm, DHAE_PARAM, 4, c, 3, 3, oc) : add_tensor(m, nm, DHAE_PARAM, 4, oc, 3, 3, c);
	snprintf(nm, sizeof nm, "%s.b", name);
	b->b = add_tensor(m, nm, DHAE_PARAM, 1, oc, 0, 0, 0);
}

static void make_dense(dhae *m, block *b, const char *name, int in, int out, int act)
{
	char nm[32];
	memset(b, 0, sizeof *b);
	b->on = 1;
	b->kind = B_DENSE;
	b->in = (size_t)in, b->out = (size_t)out;
	b->act = act;
	snprintf(nm, sizeof nm, "%s.w", name);
	b->w = add_tensor(m, nm, DHAE_PARAM, 2, in, out, 0, 0);
	snprintf(nm, sizeof nm, "%s.b", name);
	b->b = add_tensor(m, nm, DHAE_PARAM, 1, out, 0, 0, 0);
}

static float *balloc(dhae *m, size_t floats)
{
	return m->be->alloc(m->be, floats * sizeof(float));
}

/* Activation buffers of a block for max_batch samples. */
static void alloc_block(dhae *m, block *b)
{
	size_t n = (size_t)m->max_batch * b->out;
	b->a = balloc(m, n);
	if (b->bn) {
		size_t ch = m->t[b->gamma].n;
		b->bno = balloc(m, n);
		b->smean = balloc(m, ch);
		b->sinv = balloc(m, ch);
	}
	if (b->drop) {
		b->dro = balloc(m, n);
		b->mask = balloc(m, n);
	}
	if (b->in > m->gmax)
		m->gmax = b->in;
	if (b->out > m->gmax)
		m->gmax = b->out;
}

static void free_block(dhae *m, block *b)
{
	float *p[] = { b->a, b->bno, b->smean, b->sinv, b->dro, b->mask };
	for (size_t i = 0; i < sizeof p / sizeof *p; i++)
		if (p[i])
			m->be->free(m->be, p[i]);
}

static void init_params(dhae *m, uint64_t seed)
{
	float *P = xcalloc(m->np, sizeof *P), *S = xcalloc(m->ns ? m->ns : 1, sizeof *S);
	rng r;
	rng_seed(&r, seed);
	for (int i = 0; i < m->nt; i++) {
		dhae_tensor *t = &m->t[i];
		float *d = (t->buf == DHAE_PARAM ? P : S) + t->off;
		size_t len = strlen(t->name);
		const char *suf = len >= 2 ? t->name + len - 2 : "";
		if (t->rank >= 2 && !strcmp(suf, ".w")) {
			/* Glorot uniform (Keras): fans of a conv are in/out channels
			 * times the kernel area; the sum is the same for OHWI and
			 * the transposed layout. */
			double fan;
			if (t->rank == 4)
				fan = (double)t->shape[1] * t->shape[2] * (t->shape[0] + t->shape[3]);
			else
				fan = (double)t->shape[0] + t->shape[1];
			double lim = sqrt(6.0 / fan);
			for (size_t k = 0; k < t->n; k++)
				d[k] = (float)((2 * rng_uniform(&r) - 1) * lim);
		} else if (strstr(t->name, ".bn.gamma") || strstr(t->name, ".bn.var")) {
			for (size_t k = 0; k < t->n; k++)
				d[k] = 1.0f;
		}   /* biases, beta, running means: zero */
	}
	P[m->logvar] = m->cfg.logvar0[0];
	P[m->logvar + 1] = m->cfg.logvar0[1];
	m->s[0] = m->cfg.logvar0[0], m->s[1] = m->cfg.logvar0[1];
	m->be->upload(m->be, m->P, P, m->np * sizeof *P);
	if (m->ns)
		m->be->upload(m->be, m->S, S, m->ns * sizeof *S);
	free(P), free(S);
}

dhae *dhae_new(nn_backend *be, const dhae_cfg *cfg, const dhae_opt *o, int max_batch, uint64_t seed)
{
	char err[200];
	if (dhae_cfg_check(cfg, err, sizeof err) < 0)
		die("dhae: %s", err);
	dhae *m = xcalloc(1, sizeof *m);
	m->be = be, m->cfg = *cfg, m->max_batch = max_batch < 1 ? 1 : max_batch;
	dhae_cfg_inputs(&m->cfg, cfg->inputs);
	const dhae_cfg *c = &m->cfg;
	if (o)
		m->opt = *o;
	else
		dhae_opt_default(&m->opt, DHAE_ADADELTA);
	int real = c->arch == DHAE_REAL, nf = c->nf, L = c->latent;
	int hm = dhae_has_mask(c), hb = dhae_has_box(c);
	char nm[32];

	/* encoder */
	int s = c->size, ch = c->chans;
	for (int i = 0; i < nf; i++) {
		int o2 = nn_conv_out(s, 3, 2, enc_pad(c, i));
		snprintf(nm, sizeof nm, "enc%d", i);
		block *b = &m->enc[i];
		make_conv(m, b, nm, 0, s, ch, o2, c->filters[i], enc_pad(c, i), ACT_RELU);
		b->g.sh = b->g.sw = 2;
		if (real && i >= 1 && i <= 3)
			add_bn(m, b, nm, c->filters[i]), b->drop = 1;
		if (!real && i < 2 && i < nf - 1)
			b->drop = 1;
		s = o2, ch = c->filters[i];
	}
	int top = s, flat = s * s * ch;
	if (hm)
		make_dense(m, &m->encd, "enc.dense", flat, L, ACT_RELU);
	if (hb)
		make_dense(m, &m->boxe, "box.enc", 4, L, ACT_RELU);
	make_dense(m, &m->fuse, "fuse", (hm && hb ? 2 : 1) * L, L, ACT_RELU);
	/* decoder */
	if (hm) {
		make_dense(m, &m->decd, "dec.dense", L, flat, ACT_RELU);
		int in = ch;
		s = top;
		for (int i = nf - 1; i >= 0; i--) {
			int hi = dhae_level_size(c, i - 1), oc = dec_chans(c, i);
			snprintf(nm, sizeof nm, "dec%d", i);
			block *b = &m->dec[i];
			make_conv(m, b, nm, 1, s, in, hi, oc, enc_pad(c, i), ACT_RELU);
			if (real && (i == nf - 2 || i == nf - 3))
				add_bn(m, b, nm, oc), b->drop = 1, b->drop_first = 1;
			else if (real && i == nf - 1)
				b->drop = 1;
			if (!real && i >= 1 && i >= nf - 2)
				b->drop = 1;
			s = hi, in = oc;
		}
		make_conv(m, &m->outc, "dec.out", 0, c->size, in, c->size, c->chans, 1, ACT_SIGMOID);
	}
	if (hb) {
		make_dense(m, &m->boxd1, "box.dec1", L, L, ACT_RELU);
		make_dense(m, &m->boxd2, "box.dec2", L, 4, ACT_SIGMOID);
	}
	if (c->dropout <= 0) {
		for (int i = 0; i < nf; i++)
			m->enc[i].drop = m->dec[i].drop = 0;
	}
	m->logvar = m->np;
	m->np += 2;

	block *all[2 * DHAE_MAX_CONV + 7];
	int nb = 0;
	for (int i = 0; i < nf; i++)
		all[nb++] = &m->enc[i];
	block *rest[] = { &m->encd, &m->boxe, &m->fuse, &m->decd, &m->outc, &m->boxd1, &m->boxd2 };
	for (int i = 0; i < 7; i++)
		if (rest[i]->on)
			all[nb++] = rest[i];
	for (int i = 0; i < nf; i++)
		all[nb++] = &m->dec[i];
	for (int i = 0; i < nb; i++) {
		all[i]->id = i + 1;
		alloc_block(m, all[i]);
	}

	/* batch buffers: only what this network's inputs use */
	size_t n = (size_t)m->max_batch;
	m->P = balloc(m, m->np), m->G = balloc(m, m->np);
	m->O0 = balloc(m, m->np), m->O1 = balloc(m, m->np);
	m->S = balloc(m, m->ns ? m->ns : 1);
	if (hm) {
		m->u8 = be->alloc(be, n * dhae_patch_bytes(m));
		m->X = balloc(m, n * dhae_patch_bytes(m));
	}
	if (hb)
		m->B = balloc(m, n * 4);
	if (hm && hb)
		m->cat = balloc(m, n * 2 * L);
	if (hm)
		m->G1 = balloc(m, n * m->gmax), m->G2 = balloc(m, n * m->gmax), m->G3 = balloc(m, n * m->gmax);
	m->gz1 = balloc(m, n * L);
	if (hm && hb)
		m->gz2 = balloc(m, n * L), m->gcat = balloc(m, n * 2 * L);
	if (hm)
		m->gzm = balloc(m, n * L);
	if (hb)
		m->gzb = balloc(m, n * L), m->gyb = balloc(m, n * 4), m->gbb = balloc(m, n * L);
	m->gsmall = balloc(m, n * 2 * L);
	init_params(m, seed);
	return m;
}

void dhae_free(dhae *m)
{
	if (!m)
		return;
	nn_backend *be = m->be;
	for (int i = 0; i < m->cfg.nf; i++)
		free_block(m, &m->enc[i]), free_block(m, &m->dec[i]);
	block *rest[] = { &m->encd, &m->boxe, &m->fuse, &m->decd, &m->outc, &m->boxd1, &m->boxd2 };
	for (int i = 0; i < 7; i++)
		free_block(m, rest[i]);
	void *p[] = { m->P, m->G, m->O0, m->O1, m->S, m->u8, m->X, m->B, m->cat, m->G1, m->G2, m->G3,
	              m->gz1, m->gz2, m->gcat, m->gzm, m->gzb, m->gyb, m->gbb, m->gsmall };
	for (size_t i = 0; i < sizeof p / sizeof *p; i++)
		if (p[i])
			be->free(be, p[i]);
	free(m);
}

const dhae_cfg *dhae_config(const dhae *m) { return &m->cfg; }
int dhae_max_batch(const dhae *m) { return m->max_batch; }
size_t dhae_patch_bytes(const dhae *m)
{
	return dhae_has_mask(&m->cfg) ? (size_t)m->cfg.size * m->cfg.size * m->cfg.chans : 0;
}
const dhae_opt *dhae_optimizer(const dhae *m) { return &m->opt; }

/* ---- forward and backward ---- */

static float *par(dhae *m, int t) { return m->P + m->t[t].off; }
static float *grad(dhae *m, int t) { return m->G + m->t[t].off; }
static float *stat(dhae *m, int t) { return m->S + m->t[t].off; }

static uint64_t layer_seed(uint64_t seed, int id)
{
	uint64_t z = seed ^ ((uint64_t)id * 0xd1342543de82ef95ull);
	z = (z ^ (z >> 31)) * 0xbf58476d1ce4e5b9ull;
	return z ^ (z >> 29);
}

static nn_bn bn_geo(const block *b, int n)
{
	int ch = b->kind == B_DENSE ? (int)b->out : b->g.oc;
	return (nn_bn){ (size_t)n * (b->out / (size_t)ch), ch, 1e-3f, 0.01f };
}

/* The backend's fused op for a conv block, or NULL. */
static int fused(const dhae *m, const block *b)
{
	const nn_backend *be = m->be;
	if (b->kind == B_CONV)
		return be->conv_fwd_post && be->conv_bwd_post;
	if (b->kind == B_TCONV)
		return be->tconv_fwd_post && be->tconv_bwd_post;
	return 0;
}

/* Does the fused op do this block's dropout (it follows the activation)? */
static int fused_drop(const block *b) { return b->drop && (!b->bn || b->drop_first); }

static const float *blk_fwd(dhae *m, block *b, const float *x, int n, int train, uint64_t seed)
{
	nn_backend *be = m->be;
	size_t ny = (size_t)n * b->out;
	b->xin = x;
	const float *y = b->a;
	int drop = b->drop && train;
	nn_bn g = b->bn ? bn_geo(b, n) : (nn_bn){ 0 };
	if (fused(m, b)) {
		nn_conv gc = b->g;
		gc.n = n;
		nn_post p = { .act = b->act == ACT_RELU ? NN_ACT_RELU : NN_ACT_SIGMOID };
		if (drop && fused_drop(b)) {
			p.mask = b->mask, p.out = b->dro, p.rate = m->cfg.dropout, p.seed = layer_seed(seed, b->id);
			y = b->dro;
		}
		(b->kind == B_CONV ? be->conv_fwd_post : be->tconv_fwd_post)(be, &gc, x, par(m, b->w), par(m, b->b),
		                                                             b->a, &p);
	} else {
		if (b->kind == B_DENSE) {
			be->dense_fwd(be, n, (int)b->in, (int)b->out, x, par(m, b->w), par(m, b->b), b->a);
		} else {
			nn_conv gc = b->g;
			gc.n = n;
			(b->kind == B_CONV ? be->conv_fwd : be->tconv_fwd)(be, &gc, x, par(m, b->w), par(m, b->b), b->a);
		}
		if (b->act == ACT_RELU)
			be->relu_fwd(be, ny, b->a, b->a);
		else
			be->sigmoid_fwd(be, ny, b->a, b->a);
		if (drop && b->drop_first) {
			be->dropout_fwd(be, ny, y, b->dro, b->mask, m->cfg.dropout, layer_seed(seed, b->id));
			y = b->dro;
		}
	}
	if (b->bn) {
		be->bn_fwd(be, &g, y, b->bno, par(m, b->gamma), par(m, b->beta), stat(m, b->rmean),
		           stat(m, b->rvar), b->smean, b->sinv, train);
		y = b->bno;
	}
	if (drop && !b->drop_first && (b->bn || !fused(m, b))) {
		be->dropout_fwd(be, ny, y, b->dro, b->mask, m->cfg.dropout, layer_seed(seed, b->id));
		y = b->dro;
	}
	return y;
}

/* dy (block output gradient) is overwritten; scr holds batch norm's
 * input gradient; dx may be NULL. */
static void blk_bwd(dhae *m, block *b, int n, float *dy, float *scr, float *dx)
{
	nn_backend *be = m->be;
	size_t ny = (size_t)n * b->out;
	float *cur = dy;
	nn_bn g = b->bn ? bn_geo(b, n) : (nn_bn){ 0 };
	int fu = fused(m, b);
	if (b->drop && !b->drop_first && (b->bn || !fu))
		be->dropout_bwd(be, ny, cur, b->mask, cur);
	if (b->bn) {
		const float *bx = b->drop && b->drop_first ? b->dro : b->a;
		be->bn_bwd(be, &g, bx, cur, par(m, b->gamma), b->smean, b->sinv, scr, grad(m, b->gamma),
		           grad(m, b->beta));
		cur = scr;
	}
	if (fu) {
		nn_conv gc = b->g;
		gc.n = n;
		nn_post p = { .act = b->act == ACT_RELU ? NN_ACT_RELU : NN_ACT_SIGMOID,
		              .mask = fused_drop(b) ? b->mask : NULL };
		(b->kind == B_CONV ? be->conv_bwd_post : be->tconv_bwd_post)(be, &gc, b->xin, par(m, b->w), b->a, &p,
		                                                             cur, dx, grad(m, b->w), grad(m, b->b));
		return;
	}
	if (b->drop && b->drop_first)
		be->dropout_bwd(be, ny, cur, b->mask, cur);
	if (b->act == ACT_RELU)
		be->relu_bwd(be, ny, b->a, cur, cur);
	else
		be->sigmoid_bwd(be, ny, b->a, cur, cur);
	if (b->kind == B_DENSE) {
		be->dense_bwd(be, n, (int)b->in, (int)b->out, b->xin, par(m, b->w), cur, dx, grad(m, b->w),
		              grad(m, b->b));
	} else {
		nn_conv gc = b->g;
		gc.n = n;
		(b->kind == B_CONV ? be->conv_bwd : be->tconv_bwd)(be, &gc, b->xin, par(m, b->w), cur, dx,
		                                                   grad(m, b->w), grad(m, b->b));
	}
}

static void load_batch(dhae *m, int n, const uint8_t *patches, const float *boxes)
{
	nn_backend *be = m->be;
	if (n < 1 || n > m->max_batch)
		die("dhae: batch of %d samples, built for 1..%d", n, m->max_batch);
	if (dhae_has_mask(&m->cfg)) {
		if (!patches)
			die("dhae: the network reads patches, none given");
		size_t pb = dhae_patch_bytes(m);
		be->upload(be, m->u8, patches, (size_t)n * pb);
		be->u8_to_f32(be, (size_t)n * pb, m->u8, m->X, 1.0f / 255.0f);
	}
	if (dhae_has_box(&m->cfg)) {
		if (!boxes)
			die("dhae: the network reads boxes, none given");
		be->upload(be, m->B, boxes, (size_t)n * 4 * sizeof *boxes);
	}
}

/* Encoder up to Z; returns Z. */
static const float *encode(dhae *m, int n, int train, uint64_t seed)
{
	nn_backend *be = m->be;
	const float *zm = NULL, *zb = NULL;
	if (dhae_has_mask(&m->cfg)) {
		const float *h = m->X;
		for (int i = 0; i < m->cfg.nf; i++)
			h = blk_fwd(m, &m->enc[i], h, n, train, seed);
		zm = blk_fwd(m, &m->encd, h, n, train, seed);
	}
	if (dhae_has_box(&m->cfg))
		zb = blk_fwd(m, &m->boxe, m->B, n, train, seed);
	const float *in = zm ? zm : zb;
	if (zm && zb) {
		int L = m->cfg.latent;
		be->concat(be, n, L, L, zm, zb, m->cat);
		in = m->cat;
	}
	return blk_fwd(m, &m->fuse, in, n, train, seed);
}

static void forward(dhae *m, int n, int train, uint64_t seed)
{
	const float *z = encode(m, n, train, seed);
	if (dhae_has_mask(&m->cfg)) {
		const float *d = blk_fwd(m, &m->decd, z, n, train, seed);
		for (int i = m->cfg.nf - 1; i >= 0; i--)
			d = blk_fwd(m, &m->dec[i], d, n, train, seed);
		m->ym = blk_fwd(m, &m->outc, d, n, train, seed);
	}
	if (dhae_has_box(&m->cfg)) {
		const float *bb = blk_fwd(m, &m->boxd1, z, n, train, seed);
		m->yb = blk_fwd(m, &m->boxd2, bb, n, train, seed);
	}
}

/* Loss coefficients c (dL/dpred = 2c(pred - target)) of the mask and box. */
static void loss_coefs(const dhae *m, int n, float c[2])
{
	if (m->cfg.weights == DHAE_FIXED) {
		c[0] = (float)(0.25 / ((double)n * dhae_patch_bytes(m)));
		c[1] = (float)(0.25 / ((double)n * 4));
	} else {
		c[0] = (float)(0.5 * exp(-(double)m->s[0]) / n);
		c[1] = (float)(0.5 * exp(-(double)m->s[1]) / n);
	}
}

/* Loss value from the sums E_m, E_b of a batch of n: the terms of the
 * tasks the network has. */
static double loss_value(const dhae *m, int n, double em, double eb)
{
	int hm = dhae_has_mask(&m->cfg), hb = dhae_has_box(&m->cfg);
	if (m->cfg.weights == DHAE_FIXED) {
		if (hm && hb)
			return 0.25 * em / ((double)n * dhae_patch_bytes(m)) + 0.25 * eb / ((double)n * 4);
		return hm ? 0.25 * em / ((double)n * dhae_patch_bytes(m)) : 0.25 * eb / ((double)n * 4);
	}
	if (hm && hb)
		return 0.5 * exp(-(double)m->s[0]) * em / n + 0.5 * exp(-(double)m->s[1]) * eb / n +
		       0.5 * m->s[0] + 0.5 * m->s[1];
	int k = hm ? 0 : 1;
	return 0.5 * exp(-(double)m->s[k]) * (hm ? em : eb) / n + 0.5 * m->s[k];
}

static void add_stats(const dhae *m, dhae_stats *st, int n, double em, double eb)
{
	if (!st)
		return;
	st->n += n;
	st->loss += n * loss_value(m, n, em, eb);
	st->mask_sse += em;
	st->box_sse += eb;
}

static void train_pass(dhae *m, int n, const uint8_t *patches, const float *boxes, uint64_t seed,
                       dhae_stats *st, int update)
{
	nn_backend *be = m->be;
	int hm = dhae_has_mask(&m->cfg), hb = dhae_has_box(&m->cfg);
	load_batch(m, n, patches, boxes);
	forward(m, n, 1, seed);
	float c[2];
	loss_coefs(m, n, c);
	size_t D = dhae_patch_bytes(m);
	int L = m->cfg.latent, nf = m->cfg.nf;
	double em = hm ? be->sse(be, (size_t)n * D, m->ym, m->X, c[0], m->G1) : 0;
	double eb = hb ? be->sse(be, (size_t)n * 4, m->yb, m->B, c[1], m->gyb) : 0;
	add_stats(m, st, n, em, eb);

	float *dy, *dx, *t;
	if (hm) {   /* mask decoder, top down, ping-ponging G1 <-> G2 */
		dy = m->G1, dx = m->G2;
		blk_bwd(m, &m->outc, n, dy, m->G3, dx);
		t = dy, dy = dx, dx = t;
		for (int i = 0; i < nf; i++) {
			blk_bwd(m, &m->dec[i], n, dy, m->G3, dx);
			t = dy, dy = dx, dx = t;
		}
		blk_bwd(m, &m->decd, n, dy, m->G3, m->gz1);
	}
	if (hb) {   /* box decoder */
		blk_bwd(m, &m->boxd2, n, m->gyb, m->gsmall, m->gbb);
		blk_bwd(m, &m->boxd1, n, m->gbb, m->gsmall, hm ? m->gz2 : m->gz1);
	}
	if (hm && hb) {   /* Z feeds both decoders */
		be->add(be, (size_t)n * L, m->gz1, m->gz2, m->gz1);
		blk_bwd(m, &m->fuse, n, m->gz1, m->gsmall, m->gcat);
		be->split(be, n, L, L, m->gcat, m->gzm, m->gzb);
	} else {
		blk_bwd(m, &m->fuse, n, m->gz1, m->gsmall, hm ? m->gzm : m->gzb);
	}
	if (hb)
		blk_bwd(m, &m->boxe, n, m->gzb, m->gsmall, NULL);
	if (hm) {
		blk_bwd(m, &m->encd, n, m->gzm, m->gsmall, m->G1);
		dy = m->G1, dx = m->G2;
		for (int i = nf - 1; i >= 0; i--) {
			blk_bwd(m, &m->enc[i], n, dy, m->G3, i > 0 ? dx : NULL);
			t = dy, dy = dx, dx = t;
		}
	}
	/* the log-variances: dL/ds = 0.5 - 0.5*exp(-s)*E/n; an absent task's
	 * s has no term, so no gradient */
	float gs[2] = { 0, 0 };
	if (m->cfg.weights == DHAE_UNCERTAIN) {
		if (hm)
			gs[0] = (float)(0.5 - 0.5 * exp(-(double)m->s[0]) * em / n);
		if (hb)
			gs[1] = (float)(0.5 - 0.5 * exp(-(double)m->s[1]) * eb / n);
	}
	be->upload(be, m->G + m->logvar, gs, sizeof gs);
	if (!update)
		return;

	m->step++;
	const dhae_opt *o = &m->opt;
	if (o->kind == DHAE_ADAM) {
		double t1 = (double)m->step;
		float lr_t = (float)(o->lr * sqrt(1 - pow(o->b2, t1)) / (1 - pow(o->b1, t1)));
		be->adam(be, m->np, m->P, m->G, m->O0, m->O1, lr_t, o->b1, o->b2, o->eps);
	} else {
		be->adadelta(be, m->np, m->P, m->G, m->O0, m->O1, o->lr, o->rho, o->eps);
	}
	be->download(be, m->s, m->P + m->logvar, sizeof m->s);
}

void dhae_train_step(dhae *m, int n, const uint8_t *patches, const float *boxes, uint64_t seed, dhae_stats *st)
{
	train_pass(m, n, patches, boxes, seed, st, 1);
}

void dhae_train_loss(dhae *m, int n, const uint8_t *patches, const float *boxes, uint64_t seed, dhae_stats *st)
{
	train_pass(m, n, patches, boxes, seed, st, 0);
}

void dhae_eval(dhae *m, int n, const uint8_t *patches, const float *boxes, dhae_stats *st)
{
	nn_backend *be = m->be;
	load_batch(m, n, patches, boxes);
	forward(m, n, 0, 0);
	double em = dhae_has_mask(&m->cfg) ? be->sse(be, (size_t)n * dhae_patch_bytes(m), m->ym, m->X, 0, NULL) : 0;
	double eb = dhae_has_box(&m->cfg) ? be->sse(be, (size_t)n * 4, m->yb, m->B, 0, NULL) : 0;
	add_stats(m, st, n, em, eb);
}

void dhae_embed(dhae *m, int n, const uint8_t *patches, const float *boxes, float *z)
{
	load_batch(m, n, patches, boxes);
	const float *zd = encode(m, n, 0, 0);
	m->be->download(m->be, z, zd, (size_t)n * m->cfg.latent * sizeof *z);
}

void dhae_last_output(dhae *m, int n, float *mask, float *box)
{
	if (mask && m->ym)
		m->be->download(m->be, mask, m->ym, (size_t)n * dhae_patch_bytes(m) * sizeof *mask);
	if (box && m->yb)
		m->be->download(m->be, box, m->yb, (size_t)n * 4 * sizeof *box);
}

/* ---- state ---- */

void dhae_logvar(const dhae *m, float s[2]) { s[0] = m->s[0], s[1] = m->s[1]; }

void dhae_set_logvar(dhae *m, const float s[2])
{
	m->s[0] = s[0], m->s[1] = s[1];
	m->be->upload(m->be, m->P + m->logvar, m->s, sizeof m->s);
}

double dhae_stats_loss(const dhae_stats *s) { return s->n > 0 ? s->loss / s->n : 0; }
double dhae_stats_mask_mse(const dhae *m, const dhae_stats *s)
{
	return s->n > 0 && dhae_patch_bytes(m) ? s->mask_sse / (s->n * (double)dhae_patch_bytes(m)) : 0;
}
double dhae_stats_box_mse(const dhae_stats *s) { return s->n > 0 ? s->box_sse / (s->n * 4) : 0; }

int dhae_ntensors(const dhae *m) { return m->nt; }
const dhae_tensor *dhae_tensor_at(const dhae *m, int i) { return &m->t[i]; }

void dhae_get_tensor(dhae *m, int i, float *host)
{
	const dhae_tensor *t = &m->t[i];
	m->be->download(m->be, host, (t->buf == DHAE_PARAM ? m->P : m->S) + t->off, t->n * sizeof *host);
}

void dhae_set_tensor(dhae *m, int i, const float *host)
{
	const dhae_tensor *t = &m->t[i];
	m->be->upload(m->be, (t->buf == DHAE_PARAM ? m->P : m->S) + t->off, host, t->n * sizeof *host);
}

size_t dhae_nparams(const dhae *m) { return m->np; }

void dhae_get_opt(dhae *m, float *s0, float *s1, uint64_t *step)
{
	m->be->download(m->be, s0, m->O0, m->np * sizeof *s0);
	m->be->download(m->be, s1, m->O1, m->np * sizeof *s1);
	*step = m->step;
}

void dhae_set_opt(dhae *m, const float *s0, const float *s1, uint64_t step)
{
	m->be->upload(m->be, m->O0, s0, m->np * sizeof *s0);
	m->be->upload(m->be, m->O1, s1, m->np * sizeof *s1);
	m->step = step;
}

void dhae_get_grad(dhae *m, float *host) { m->be->download(m->be, host, m->G, m->np * sizeof *host); }
void dhae_get_params(dhae *m, float *host) { m->be->download(m->be, host, m->P, m->np * sizeof *host); }

void dhae_set_params(dhae *m, const float *host)
{
	m->be->upload(m->be, m->P, host, m->np * sizeof *host);
	m->s[0] = host[m->logvar], m->s[1] = host[m->logvar + 1];
}

void dhae_box_features(const float box[4], double W, double H, double wmax, double hmax, float out[4])
{
	out[0] = (float)((box[0] + box[2] / 2.0) / W);
	out[1] = (float)((box[1] + box[3] / 2.0) / H);
	out[2] = (float)(box[2] / wmax);
	out[3] = (float)(box[3] / hmax);
}
