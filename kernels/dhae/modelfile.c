/* modelfile.c: writing and reading the DHAE model file (modelfile.h). */
#include "dhae/modelfile.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mpscan.h"
#include "outfile.h"
#include "stream.h"

#define MF_MAX_TENSORS 256
#define MF_VERSION 2            /* 2: a "checksum" closes the map */
#define MF_MAX_HISTORY (1u << 24)

void model_init(model *mf) { memset(mf, 0, sizeof *mf); }

void mf_tensors_free(mf_tensor *t, int nt)
{
	for (int i = 0; i < nt; i++)
		free(t[i].data);
	free(t);
}

void model_free(model *mf)
{
	mf_tensors_free(mf->t, mf->nt);
	mf_tensors_free(mf->last, mf->nlast);
	free(mf->hist);
	free(mf->tool), free(mf->args), free(mf->made_by);
	free(mf->opt0), free(mf->opt1);
	memset(mf, 0, sizeof *mf);
}

void model_add_epoch(model *mf, const mf_epoch *e)
{
	if (mf->nhist == mf->hist_cap) {
		mf->hist_cap = mf->hist_cap ? 2 * mf->hist_cap : 64;
		mf->hist = xrealloc(mf->hist, mf->hist_cap * sizeof *mf->hist);
	}
	mf->hist[mf->nhist++] = *e;
}

void model_snapshot(dhae *m, mf_tensor **t, int *nt, float log_var[2])
{
	int n = dhae_ntensors(m);
	if (!*t || *nt != n) {
		mf_tensors_free(*t, *nt);
		*t = xcalloc((size_t)n, sizeof **t);
		*nt = n;
	}
	for (int i = 0; i < n; i++) {
		const dhae_tensor *d = dhae_tensor_at(m, i);
		mf_tensor *o = &(*t)[i];
		if (!o->data || o->n != d->n) {
			free(o->data);
			o->data = xmalloc(d->n * sizeof *o->data);
		}
		memcpy(o->name, d->name, sizeof o->name);
		o->rank = d->rank;
		memcpy(o->shape, d->shape, sizeof o->shape);
		o->n = d->n;
		dhae_get_tensor(m, i, o->data);
	}
	dhae_logvar(m, log_var);
}

static int load_tensors(const mf_tensor *t, int nt, dhae *m, char *err, size_t n)
{
	int want = dhae_ntensors(m);
	if (nt != want)
		return errf(err, n, "%d tensors, the architecture has %d", nt, want);
	for (int i = 0; i < want; i++) {
		const dhae_tensor *d = dhae_tensor_at(m, i);
		const mf_tensor *f = NULL;
		for (int k = 0; k < nt && !f; k++)
			if (!strcmp(t[k].name, d->name))
				f = &t[k];
		if (!f)
			return errf(err, n, "tensor %s missing", d->name);
		if (f->rank != d->rank || memcmp(f->shape, d->shape, sizeof f->shape) != 0)
			return errf(err, n, "tensor %s has another shape than the architecture's", d->name);
		dhae_set_tensor(m, i, f->data);
	}
	return 0;
}

int model_load(const model *mf, dhae *m, int last, char *err, size_t n)
{
	if (last) {
		if (!mf->has_resume)
			return errf(err, n, "no resume state");
		if (load_tensors(mf->last, mf->nlast, m, err, n) < 0)
			return -1;
		dhae_set_logvar(m, mf->last_log_var);
		if (mf->nopt != dhae_nparams(m))
			return errf(err, n, "optimiser state of %zu floats, the model has %zu", mf->nopt,
			            dhae_nparams(m));
		dhae_set_opt(m, mf->opt0, mf->opt1, mf->step);
		return 0;
	}
	if (load_tensors(mf->t, mf->nt, m, err, n) < 0)
		return -1;
	dhae_set_logvar(m, mf->log_var);
	return 0;
}

/* ---- writing ---- */

static void pk_str(msgpack_packer *pk, const char *s)
{
	size_t n = strlen(s);
	msgpack_pack_str(pk, n);
	msgpack_pack_str_body(pk, s, n);
}

static void pk_floats(msgpack_packer *pk, const float *p, size_t n)
{
	/* float32 little-endian, as the stream's z (x86-64 and ARM are LE) */
	msgpack_pack_bin(pk, n * sizeof *p);
	msgpack_pack_bin_body(pk, p, n * sizeof *p);
}

static void pk_tensors(msgpack_packer *pk, const mf_tensor *t, int nt)
{
	msgpack_pack_array(pk, (size_t)nt);
	for (int i = 0; i < nt; i++) {
		msgpack_pack_map(pk, 3);
		pk_str(pk, "name"), pk_str(pk, t[i].name);
		pk_str(pk, "shape");
		msgpack_pack_array(pk, (size_t)t[i].rank);
		for (int k = 0; k < t[i].rank; k++)
			msgpack_pack_int(pk, t[i].shape[k]);
		pk_str(pk, "data"), pk_floats(pk, t[i].data, t[i].n);
	}
}

static void pk_kd(msgpack_packer *pk, const char *k, double v) { pk_str(pk, k), msgpack_pack_double(pk, v); }
static void pk_ku(msgpack_packer *pk, const char *k, uint64_t v) { pk_str(pk, k), msgpack_pack_uint64(pk, v); }

static void pk_pair(msgpack_packer *pk, const char *k, const float v[2])
{
	pk_str(pk, k);
	msgpack_pack_array(pk, 2);
	msgpack_pack_float(pk, v[0]), msgpack_pack_float(pk, v[1]);
}

/* "calib": embed_thr only when there is one, so a reader cannot take 0
 * for a threshold */
static void pk_calib(msgpack_packer *pk, const mf_calib *k)
{
	int ok = k->embed_thr > 0;
	pk_str(pk, "calib");
	msgpack_pack_map(pk, 9 + ok);
	pk_str(pk, "rule"), pk_str(pk, k->rule);
	pk_str(pk, "status"), pk_str(pk, k->status);
	if (ok)
		pk_kd(pk, "embed_thr", k->embed_thr);
	pk_kd(pk, "crossing", k->crossing), pk_kd(pk, "mnn99", k->mnn99);
	pk_ku(pk, "lag", 1);
	pk_str(pk, "pairs");
	msgpack_pack_array(pk, 3);
	for (int i = 0; i < 3; i++)
		msgpack_pack_uint64(pk, k->n[i]);
	const double *v[3] = {k->mu, k->sd, k->w};
	const char *name[3] = {"mu", "sd", "weight"};
	for (int j = 0; j < 3; j++) {
		pk_str(pk, name[j]);
		msgpack_pack_array(pk, 2);
		msgpack_pack_double(pk, v[j][0]), msgpack_pack_double(pk, v[j][1]);
	}
}

static void pack_model(msgpack_packer *pk, const model *mf)
{
	const dhae_cfg *c = &mf->cfg;
	/* "inputs" only when not both, so that two-input models keep the bytes
	 * (and readers) they had; a box-only model has no patch, filters or
	 * dropout, a mask-only one no box normalisation */
	int hm = dhae_has_mask(c), hb = dhae_has_box(c);
	msgpack_pack_map(pk, 20 + (mf->has_resume ? 1 : 0) + (c->inputs != DHAE_BOTH) - (hm ? 0 : 3) - (hb ? 0 : 1)
			 + (mf->made_by != NULL) + (mf->calib.has ? 1 : 0) + (mf->has_exit ? 1 : 0));
	pk_str(pk, "kind"), pk_str(pk, "model");
	pk_str(pk, "format"), pk_str(pk, "usc-mots dhae");
	pk_ku(pk, "version", MF_VERSION);
	pk_str(pk, "arch"), pk_str(pk, c->arch == DHAE_REAL ? "real" : "synth");
	if (c->inputs != DHAE_BOTH)
		pk_str(pk, "inputs"), pk_str(pk, dhae_inputs_name(c->inputs));
	if (hm) {
		pk_str(pk, "patch");
		msgpack_pack_array(pk, 3);
		msgpack_pack_int(pk, c->size), msgpack_pack_int(pk, c->size), msgpack_pack_int(pk, c->chans);
		pk_str(pk, "filters");
		msgpack_pack_array(pk, (size_t)c->nf);
		for (int i = 0; i < c->nf; i++)
			msgpack_pack_int(pk, c->filters[i]);
	}
	pk_ku(pk, "latent", (uint64_t)c->latent);
	if (hm)
		pk_kd(pk, "dropout", c->dropout);
	pk_str(pk, "weights"), pk_str(pk, c->weights == DHAE_FIXED ? "fixed" : "uncertainty");
	pk_pair(pk, "logvar_init", c->logvar0);
	if (hb) {
		pk_str(pk, "norm");
		msgpack_pack_map(pk, 3);
		pk_str(pk, "box"), pk_str(pk, "cx/W cy/H w/wmax h/hmax");
		pk_kd(pk, "wmax", mf->wmax), pk_kd(pk, "hmax", mf->hmax);
	}
	pk_pair(pk, "log_var", mf->log_var);
	pk_str(pk, "tensors"), pk_tensors(pk, mf->t, mf->nt);
	pk_ku(pk, "best_epoch", mf->best_epoch);
	pk_kd(pk, "best_val_loss", mf->best_val);
	pk_ku(pk, "epochs", mf->epochs);
	pk_str(pk, "history");
	msgpack_pack_array(pk, mf->nhist);
	for (uint32_t i = 0; i < mf->nhist; i++) {
		const mf_epoch *e = &mf->hist[i];
		msgpack_pack_map(pk, 9);
		pk_ku(pk, "epoch", e->epoch);
		pk_kd(pk, "loss", e->loss), pk_kd(pk, "mask_mse", e->mask_mse), pk_kd(pk, "box_mse", e->box_mse);
		pk_kd(pk, "val_loss", e->val_loss), pk_kd(pk, "val_mask_mse", e->val_mask_mse);
		pk_kd(pk, "val_box_mse", e->val_box_mse);
		pk_kd(pk, "sigma_m", e->sigma_m), pk_kd(pk, "sigma_b", e->sigma_b);
	}
	pk_str(pk, "tool"), pk_str(pk, mf->tool ? mf->tool : "");
	pk_str(pk, "args"), pk_str(pk, mf->args ? mf->args : "");
	if (mf->made_by)   /* optional: files without it read the same */
		pk_str(pk, "made_by"), pk_str(pk, mf->made_by);
	if (mf->calib.has)
		pk_calib(pk, &mf->calib);
	if (mf->has_exit)
		pk_kd(pk, "exit_inset", mf->exit_inset);
	if (!mf->has_resume)
		return;
	pk_str(pk, "resume");
	msgpack_pack_map(pk, 11);
	pk_ku(pk, "epoch", mf->epochs);
	pk_ku(pk, "since_best", mf->since_best);
	pk_ku(pk, "seed", mf->seed);
	pk_str(pk, "rng");
	msgpack_pack_array(pk, 4);
	for (int i = 0; i < 4; i++)
		msgpack_pack_uint64(pk, mf->rng[i]);
	pk_ku(pk, "batch", (uint64_t)mf->batch);
	pk_kd(pk, "val_split", mf->val_split);
	pk_ku(pk, "samples", mf->samples);
	pk_str(pk, "optimizer");
	msgpack_pack_map(pk, 7);
	pk_str(pk, "name"), pk_str(pk, mf->opt.kind == DHAE_ADAM ? "adam" : "adadelta");
	pk_kd(pk, "lr", mf->opt.lr), pk_kd(pk, "rho", mf->opt.rho), pk_kd(pk, "b1", mf->opt.b1);
	pk_kd(pk, "b2", mf->opt.b2), pk_kd(pk, "eps", mf->opt.eps), pk_ku(pk, "step", mf->step);
	pk_pair(pk, "log_var", mf->last_log_var);
	pk_str(pk, "tensors"), pk_tensors(pk, mf->last, mf->nlast);
	pk_str(pk, "opt_state");
	msgpack_pack_array(pk, 2);
	pk_floats(pk, mf->opt0, mf->nopt);
	pk_floats(pk, mf->opt1, mf->nopt);
}

/* FNV-1a 64: any change of one byte changes the sum. */
static uint64_t mf_fnv1a(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

#define MF_FNV_SEED 0xcbf29ce484222325ull

/* Writes to the file and sums what passes. */
typedef struct mf_sink {
	FILE *fp;
	uint64_t sum;
} mf_sink;

static int mf_sink_write(void *data, const char *buf, size_t len)
{
	mf_sink *s = data;
	s->sum = mf_fnv1a(s->sum, buf, len);
	return fwrite(buf, 1, len, s->fp) == len ? 0 : -1;
}

int model_write(const char *path, const model *mf, char *err, size_t n)
{
	outfile *o = outfile_open(path);
	if (!o)
		return errf(err, n, "%s: %s", path, strerror(errno));
	mf_sink sink = { o->fp, MF_FNV_SEED };
	msgpack_packer pk;
	msgpack_packer_init(&pk, &sink, mf_sink_write);
	pack_model(&pk, mf);
	/* the last pair: the sum of every byte before its key */
	uint64_t sum = sink.sum;
	pk_str(&pk, "checksum");
	msgpack_pack_uint64(&pk, sum);
	if (ferror(o->fp)) {
		outfile_abort(o);
		return errf(err, n, "%s: write failed", path);
	}
	if (outfile_commit(o) != 0)
		return errf(err, n, "%s: %s", path, strerror(errno));
	return 0;
}

/* ---- reading: a cursor over one complete object ---- */

typedef struct cur {
	const uint8_t *p;
	size_t len, off;
	char *err;
	size_t errn;
	const char *name;
	const char *where;   /* key being read, for messages */
} cur;

static int bad(cur *c, const char *what)
{
	return errf(c->err, c->errn, "%s: %s%s%s", c->name, c->where ? c->where : "", c->where ? ": " : "", what);
}

/* Reads an item header; for str/bin, checks the payload is there. */
static int item(cur *c, mp_item *it)
{
	size_t h = mp_item_head(c->p + c->off, c->len - c->off, it);
	if (!h || it->type == MP_BAD)
		return bad(c, "truncated or not MessagePack");
	if ((it->type == MP_STR || it->type == MP_BIN || it->type == MP_EXT) && it->len > c->len - c->off - h)
		return bad(c, "declared length runs past the end");
	c->off += h;
	return 0;
}

/* An item that must be of one type; what says otherwise. */
static int item_of(cur *c, mp_item *it, int type, const char *what)
{
	if (item(c, it) < 0)
		return -1;
	return it->type == type ? 0 : bad(c, what);
}

static int skip(cur *c)
{
	size_t k = mp_skip(c->p + c->off, c->len - c->off);
	if (!k)
		return bad(c, "truncated value");
	c->off += k;
	return 0;
}

static int get_num(cur *c, double *v)
{
	mp_item it;
	if (item(c, &it) < 0)
		return -1;
	switch (it.type) {
	case MP_UINT: *v = (double)it.v.u; return 0;
	case MP_INT: *v = (double)it.v.i; return 0;
	case MP_FLOAT32: case MP_FLOAT64: *v = it.v.f; return 0;
	default: return bad(c, "not a number");
	}
}

static int get_u64(cur *c, uint64_t *v)
{
	mp_item it;
	if (item(c, &it) < 0)
		return -1;
	if (it.type == MP_UINT) {
		*v = it.v.u;
		return 0;
	}
	if (it.type == MP_INT && it.v.i >= 0) {
		*v = (uint64_t)it.v.i;
		return 0;
	}
	return bad(c, "not an unsigned integer");
}

static int get_int(cur *c, int *v, long lo, long hi)
{
	double d;
	if (get_num(c, &d) < 0)
		return -1;
	if (!(d >= lo && d <= hi) || d != floor(d))
		return bad(c, "integer out of range");
	*v = (int)d;
	return 0;
}

/* The bytes of a string item (not NUL-terminated); what says when it is
 * not a string. */
static int str_of(cur *c, const char *what, const char **s, size_t *n)
{
	mp_item it;
	if (item_of(c, &it, MP_STR, what) < 0)
		return -1;
	*s = (const char *)c->p + c->off, *n = (size_t)it.len;
	c->off += it.len;
	return 0;
}

/* A string into buf (cap bytes, NUL-terminated; longer is an error). */
static int get_str(cur *c, char *buf, size_t cap)
{
	const char *s;
	size_t n;
	if (str_of(c, "not a string", &s, &n) < 0)
		return -1;
	if (n >= cap)
		return bad(c, "string too long");
	memcpy(buf, s, n);
	buf[n] = 0;
	return 0;
}

/* A map key: keys longer than cap are not ours and read as "". */
static int get_key(cur *c, char *buf, size_t cap)
{
	const char *s;
	size_t n;
	if (str_of(c, "map key is not a string", &s, &n) < 0)
		return -1;
	n = n < cap ? n : 0;
	memcpy(buf, s, n);
	buf[n] = 0;
	return 0;
}

static int get_strdup(cur *c, char **out)
{
	const char *s;
	size_t n;
	if (str_of(c, "not a string", &s, &n) < 0)
		return -1;
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = 0;
	free(*out);
	*out = d;
	return 0;
}

static int get_array(cur *c, uint64_t *n, uint64_t max)
{
	mp_item it;
	if (item_of(c, &it, MP_ARRAY, "not an array") < 0)
		return -1;
	if (it.len > max)
		return bad(c, "array too long");
	*n = it.len;
	return 0;
}

static int get_map(cur *c, uint64_t *n)
{
	mp_item it;
	if (item_of(c, &it, MP_MAP, "not a map") < 0)
		return -1;
	*n = it.len;
	return 0;
}

/* n floats from a bin of exactly n*4 bytes (n = 0: any length, allocated). */
static int get_floats(cur *c, float **out, size_t *n)
{
	mp_item it;
	if (item_of(c, &it, MP_BIN, "not a float32 array (bin)") < 0)
		return -1;
	if (it.len % 4)
		return bad(c, "not a float32 array (bin)");
	if (*n && it.len != *n * 4)
		return bad(c, "data size does not match the shape");
	*n = (size_t)it.len / 4;
	free(*out);
	*out = xmalloc(it.len ? (size_t)it.len : 1);
	memcpy(*out, c->p + c->off, (size_t)it.len);
	c->off += (size_t)it.len;
	return 0;
}

/* Index of the first NaN or Inf of v, or n when all are finite. */
static size_t first_nonfinite(const float *v, size_t n)
{
	size_t i = 0;
	while (i < n && isfinite(v[i]))
		i++;
	return i;
}

static int get_pair(cur *c, float v[2])
{
	uint64_t n = 0;
	double a, b;
	if (get_array(c, &n, 2) < 0)
		return -1;
	if (n != 2)
		return bad(c, "want two numbers");
	if (get_num(c, &a) < 0 || get_num(c, &b) < 0)
		return -1;
	if (!isfinite(a) || !isfinite(b) || fabs(a) > FLT_MAX || fabs(b) > FLT_MAX)
		return bad(c, "not a pair of finite numbers");
	v[0] = (float)a, v[1] = (float)b;
	return 0;
}

static int get_tensors(cur *c, mf_tensor **out, int *nout)
{
	uint64_t n = 0;
	if (get_array(c, &n, MF_MAX_TENSORS) < 0)
		return -1;
	mf_tensor *t = xcalloc(n ? n : 1, sizeof *t);
	int nt = (int)n;
	for (int i = 0; i < nt; i++) {
		uint64_t np = 0;
		if (get_map(c, &np) < 0)
			goto fail;
		int have_shape = 0;
		for (uint64_t k = 0; k < np; k++) {
			char key[16];
			if (get_key(c, key, sizeof key) < 0)
				goto fail;
			if (!strcmp(key, "name")) {
				if (get_str(c, t[i].name, sizeof t[i].name) < 0)
					goto fail;
			} else if (!strcmp(key, "shape")) {
				uint64_t r = 0;
				if (get_array(c, &r, 4) < 0)
					goto fail;
				t[i].rank = (int)r;
				t[i].n = 1;
				for (int d = 0; d < (int)r; d++) {
					if (get_int(c, &t[i].shape[d], 1, 1 << 24) < 0)
						goto fail;
					t[i].n *= (size_t)t[i].shape[d];
					if (t[i].n > MS_MAX_OBJECT / 4) {
						bad(c, "tensor too large");
						goto fail;
					}
				}
				have_shape = 1;
			} else if (!strcmp(key, "data")) {
				if (!have_shape) {
					bad(c, "tensor data before its shape");
					goto fail;
				}
				size_t want = t[i].n;
				if (get_floats(c, &t[i].data, &want) < 0)
					goto fail;
			} else if (skip(c) < 0) {
				goto fail;
			}
		}
		if (!t[i].data || !t[i].name[0]) {
			bad(c, "tensor without name or data");
			goto fail;
		}
		/* one Inf weight turns every embedding into zeros: refuse it */
		size_t at = first_nonfinite(t[i].data, t[i].n);
		if (at < t[i].n) {
			char what[96];
			snprintf(what, sizeof what, "tensor %s: value %zu is %s", t[i].name, at + 1,
				 isnan(t[i].data[at]) ? "NaN" : "infinite");
			bad(c, what);
			goto fail;
		}
	}
	*out = t, *nout = nt;
	return 0;
fail:
	mf_tensors_free(t, nt);
	return -1;
}

static int get_history(cur *c, model *mf)
{
	uint64_t n = 0;
	if (get_array(c, &n, MF_MAX_HISTORY) < 0)
		return -1;
	mf->nhist = 0;
	for (uint64_t i = 0; i < n; i++) {
		mf_epoch e = { 0 };
		uint64_t np = 0;
		if (get_map(c, &np) < 0)
			return -1;
		for (uint64_t k = 0; k < np; k++) {
			char key[16];
			if (get_key(c, key, sizeof key) < 0)
				return -1;
			double v = 0;
			int known = 1;
			if (!strcmp(key, "epoch")) {
				uint64_t u = 0;
				if (get_u64(c, &u) < 0)
					return -1;
				e.epoch = (uint32_t)u;
				continue;
			}
			double *f = !strcmp(key, "loss") ? &e.loss : !strcmp(key, "mask_mse") ? &e.mask_mse
			          : !strcmp(key, "box_mse") ? &e.box_mse : !strcmp(key, "val_loss") ? &e.val_loss
			          : !strcmp(key, "val_mask_mse") ? &e.val_mask_mse
			          : !strcmp(key, "val_box_mse") ? &e.val_box_mse
			          : !strcmp(key, "sigma_m") ? &e.sigma_m : !strcmp(key, "sigma_b") ? &e.sigma_b : NULL;
			known = f != NULL;
			if (known) {
				if (get_num(c, &v) < 0)
					return -1;
				*f = v;
			} else if (skip(c) < 0) {
				return -1;
			}
		}
		model_add_epoch(mf, &e);
	}
	return 0;
}

static int get_optimizer(cur *c, model *mf)
{
	uint64_t np = 0;
	if (get_map(c, &np) < 0)
		return -1;
	for (uint64_t k = 0; k < np; k++) {
		char key[16];
		double v;
		if (get_key(c, key, sizeof key) < 0)
			return -1;
		if (!strcmp(key, "name")) {
			char nm[16];
			if (get_str(c, nm, sizeof nm) < 0)
				return -1;
			if (!strcmp(nm, "adam"))
				mf->opt.kind = DHAE_ADAM;
			else if (!strcmp(nm, "adadelta"))
				mf->opt.kind = DHAE_ADADELTA;
			else
				return bad(c, "unknown optimizer");
		} else if (!strcmp(key, "step")) {
			if (get_u64(c, &mf->step) < 0)
				return -1;
		} else {
			float *f = !strcmp(key, "lr") ? &mf->opt.lr : !strcmp(key, "rho") ? &mf->opt.rho
			         : !strcmp(key, "b1") ? &mf->opt.b1 : !strcmp(key, "b2") ? &mf->opt.b2
			         : !strcmp(key, "eps") ? &mf->opt.eps : NULL;
			if (!f) {
				if (skip(c) < 0)
					return -1;
				continue;
			}
			if (get_num(c, &v) < 0)
				return -1;
			*f = (float)v;
		}
	}
	return 0;
}

static int get_resume(cur *c, model *mf)
{
	uint64_t np = 0;
	if (get_map(c, &np) < 0)
		return -1;
	int have_opt = 0;
	for (uint64_t k = 0; k < np; k++) {
		char key[16];
		uint64_t u = 0;
		double v;
		if (get_key(c, key, sizeof key) < 0)
			return -1;
		c->where = "resume";
		if (!strcmp(key, "epoch") || !strcmp(key, "since_best") || !strcmp(key, "seed") ||
		    !strcmp(key, "batch") || !strcmp(key, "samples")) {
			if (get_u64(c, &u) < 0)
				return -1;
			if (!strcmp(key, "since_best"))
				mf->since_best = (uint32_t)u;
			else if (!strcmp(key, "seed"))
				mf->seed = u;
			else if (!strcmp(key, "batch")) {
				if (u < 1 || u > (1u << 24))
					return bad(c, "batch out of range");
				mf->batch = (int)u;
			} else if (!strcmp(key, "samples"))
				mf->samples = u;
		} else if (!strcmp(key, "rng")) {
			uint64_t n = 0;
			if (get_array(c, &n, 4) < 0)
				return -1;
			if (n != 4)
				return bad(c, "rng state: want 4 integers");
			for (int i = 0; i < 4; i++)
				if (get_u64(c, &mf->rng[i]) < 0)
					return -1;
			/* xoshiro256 never leaves the all-zero state: draws would
			 * all be 0 and rejection sampling would never end */
			if (!(mf->rng[0] | mf->rng[1] | mf->rng[2] | mf->rng[3]))
				return bad(c, "rng state is all zeros (not a valid xoshiro256 state)");
		} else if (!strcmp(key, "val_split")) {
			if (get_num(c, &v) < 0)
				return -1;
			mf->val_split = v;
		} else if (!strcmp(key, "optimizer")) {
			if (get_optimizer(c, mf) < 0)
				return -1;
		} else if (!strcmp(key, "log_var")) {
			if (get_pair(c, mf->last_log_var) < 0)
				return -1;
		} else if (!strcmp(key, "tensors")) {
			mf_tensors_free(mf->last, mf->nlast);
			mf->last = NULL, mf->nlast = 0;
			if (get_tensors(c, &mf->last, &mf->nlast) < 0)
				return -1;
		} else if (!strcmp(key, "opt_state")) {
			uint64_t n = 0;
			if (get_array(c, &n, 2) < 0)
				return -1;
			if (n != 2)
				return bad(c, "opt_state: want two arrays");
			size_t a = 0, b = 0;
			if (get_floats(c, &mf->opt0, &a) < 0 || get_floats(c, &mf->opt1, &b) < 0)
				return -1;
			if (a != b)
				return bad(c, "opt_state: arrays of different lengths");
			if (first_nonfinite(mf->opt0, a) < a || first_nonfinite(mf->opt1, b) < b)
				return bad(c, "opt_state: a value is not finite");
			mf->nopt = a;
			have_opt = 1;
		} else if (skip(c) < 0) {
			return -1;
		}
	}
	c->where = "resume";
	if (!have_opt || !mf->last)
		return bad(c, "incomplete (no weights or optimiser state)");
	mf->has_resume = 1;
	return 0;
}

static int get_filters(cur *c, dhae_cfg *cfg)
{
	uint64_t n = 0;
	if (get_array(c, &n, DHAE_MAX_CONV) < 0)
		return -1;
	cfg->nf = (int)n;
	for (int i = 0; i < cfg->nf; i++)
		if (get_int(c, &cfg->filters[i], 1, 4096) < 0)
			return -1;
	return 0;
}

/* The checksum closes the map and sums every byte before its key. */
static int get_checksum(cur *c, size_t key_at, int last)
{
	uint64_t want;
	if (get_u64(c, &want) < 0)
		return -1;
	if (!last)
		return bad(c, "not the last key (the file is damaged)");
	if (mf_fnv1a(MF_FNV_SEED, c->p, key_at) != want)
		return bad(c, "does not match the contents (the file is damaged)");
	return 0;
}

/* "calib": the threshold (a positive finite number) and the rule; the
 * rest is for people and is skipped. */
static int get_calib(cur *c, mf_calib *k)
{
	uint64_t nn = 0;
	if (get_map(c, &nn) < 0)
		return -1;
	memset(k, 0, sizeof *k);
	k->has = 1;
	for (uint64_t i = 0; i < nn; i++) {
		char key[16];
		if (get_key(c, key, sizeof key) < 0)
			return -1;
		if (!strcmp(key, "embed_thr")) {
			if (get_num(c, &k->embed_thr) < 0)
				return -1;
			if (!isfinite(k->embed_thr) || !(k->embed_thr > 0))
				return bad(c, "embed_thr is not a positive finite distance");
		} else if (!strcmp(key, "rule")) {
			if (get_str(c, k->rule, sizeof k->rule) < 0)
				return -1;
		} else if (!strcmp(key, "status")) {
			if (get_str(c, k->status, sizeof k->status) < 0)
				return -1;
		} else if (skip(c) < 0) {
			return -1;
		}
	}
	return 0;
}

static int parse(cur *c, model *mf)
{
	uint64_t np = 0;
	c->where = NULL;
	if (get_map(c, &np) < 0)
		return -1;
	int have_kind = 0, have_arch = 0, have_patch = 0, have_t = 0;
	uint64_t version = 0;
	dhae_cfg *cfg = &mf->cfg;
	dhae_cfg_default(cfg, DHAE_SYNTH, 1);
	for (uint64_t k = 0; k < np; k++) {
		char key[32];
		size_t key_at = c->off;
		c->where = NULL;
		if (get_key(c, key, sizeof key) < 0)
			return -1;
		c->where = key;
		char s[32];
		double v;
		if (!strcmp(key, "kind")) {
			if (get_str(c, s, sizeof s) < 0)
				return -1;
			if (strcmp(s, "model"))
				return bad(c, "not a model file");
			have_kind = 1;
		} else if (!strcmp(key, "version")) {
			uint64_t u = 0;
			if (get_u64(c, &u) < 0)
				return -1;
			if (u > MF_VERSION)
				return bad(c, "model file of a newer version");
			version = u;
		} else if (!strcmp(key, "arch")) {
			if (get_str(c, s, sizeof s) < 0)
				return -1;
			if (!strcmp(s, "synth"))
				cfg->arch = DHAE_SYNTH;
			else if (!strcmp(s, "real"))
				cfg->arch = DHAE_REAL;
			else
				return bad(c, "unknown architecture");
			have_arch = 1;
		} else if (!strcmp(key, "inputs")) {
			if (get_str(c, s, sizeof s) < 0)
				return -1;
			if (dhae_parse_inputs(s, &cfg->inputs) < 0)
				return bad(c, "not both, box or mask");
		} else if (!strcmp(key, "patch")) {
			uint64_t n = 0;
			int h, w;
			if (get_array(c, &n, 3) < 0)
				return -1;
			if (n != 3)
				return bad(c, "want [h, w, c]");
			if (get_int(c, &h, 1, 1024) < 0 || get_int(c, &w, 1, 1024) < 0 ||
			    get_int(c, &cfg->chans, 1, 4) < 0)
				return -1;
			if (h != w)
				return bad(c, "patches must be square");
			cfg->size = h;
			have_patch = 1;
		} else if (!strcmp(key, "filters")) {
			if (get_filters(c, cfg) < 0)
				return -1;
		} else if (!strcmp(key, "latent")) {
			if (get_int(c, &cfg->latent, 1, 65536) < 0)
				return -1;
		} else if (!strcmp(key, "dropout")) {
			if (get_num(c, &v) < 0)
				return -1;
			cfg->dropout = (float)v;
		} else if (!strcmp(key, "weights")) {
			if (get_str(c, s, sizeof s) < 0)
				return -1;
			cfg->weights = !strcmp(s, "fixed") ? DHAE_FIXED : DHAE_UNCERTAIN;
		} else if (!strcmp(key, "logvar_init")) {
			if (get_pair(c, cfg->logvar0) < 0)
				return -1;
		} else if (!strcmp(key, "norm")) {
			uint64_t nn = 0;
			if (get_map(c, &nn) < 0)
				return -1;
			for (uint64_t i = 0; i < nn; i++) {
				char nk[16];
				if (get_key(c, nk, sizeof nk) < 0)
					return -1;
				if (!strcmp(nk, "wmax") || !strcmp(nk, "hmax")) {
					if (get_num(c, &v) < 0)
						return -1;
					*(nk[0] == 'w' ? &mf->wmax : &mf->hmax) = v;
				} else if (skip(c) < 0) {
					return -1;
				}
			}
		} else if (!strcmp(key, "log_var")) {
			if (get_pair(c, mf->log_var) < 0)
				return -1;
		} else if (!strcmp(key, "tensors")) {
			mf_tensors_free(mf->t, mf->nt);
			mf->t = NULL, mf->nt = 0;
			if (get_tensors(c, &mf->t, &mf->nt) < 0)
				return -1;
			have_t = 1;
		} else if (!strcmp(key, "best_epoch") || !strcmp(key, "epochs")) {
			uint64_t u = 0;
			if (get_u64(c, &u) < 0)
				return -1;
			*(key[0] == 'b' ? &mf->best_epoch : &mf->epochs) = (uint32_t)u;
		} else if (!strcmp(key, "best_val_loss")) {
			if (get_num(c, &mf->best_val) < 0)
				return -1;
		} else if (!strcmp(key, "history")) {
			if (get_history(c, mf) < 0)
				return -1;
		} else if (!strcmp(key, "tool") || !strcmp(key, "args")) {
			if (get_strdup(c, key[0] == 't' ? &mf->tool : &mf->args) < 0)
				return -1;
		} else if (!strcmp(key, "made_by")) {
			if (get_strdup(c, &mf->made_by) < 0)
				return -1;
		} else if (!strcmp(key, "resume")) {
			if (get_resume(c, mf) < 0)
				return -1;
		} else if (!strcmp(key, "checksum")) {
			if (get_checksum(c, key_at, k + 1 == np) < 0)
				return -1;
			mf->checksummed = 1;
		} else if (!strcmp(key, "calib")) {
			if (get_calib(c, &mf->calib) < 0)
				return -1;
		} else if (!strcmp(key, "exit_inset")) {
			if (get_num(c, &mf->exit_inset) < 0)
				return -1;
			if (!isfinite(mf->exit_inset) || mf->exit_inset < 0)
				return bad(c, "not a distance (a finite number >= 0)");
			mf->has_exit = 1;
		} else if (skip(c) < 0) {
			return -1;
		}
	}
	c->where = NULL;
	if (!have_kind)
		return bad(c, "not a model file (no kind)");
	if (version >= 2 && !mf->checksummed)
		return bad(c, "no checksum (the file is damaged)");
	/* a file without "inputs" is a two-input model (written before the key) */
	dhae_cfg_inputs(cfg, cfg->inputs);
	if (!have_arch || (dhae_has_mask(cfg) && !have_patch) || !have_t)
		return bad(c, "incomplete model (arch, patch or tensors missing)");
	if (!dhae_has_box(cfg))
		mf->wmax = mf->hmax = 0;
	else if (!(mf->wmax > 0) || !(mf->hmax > 0) || !isfinite(mf->wmax) || !isfinite(mf->hmax))
		return bad(c, "box normalisation (norm.wmax, norm.hmax) missing or not positive");
	char e[200];
	if (dhae_cfg_check(cfg, e, sizeof e) < 0)
		return bad(c, e);
	return 0;
}

int model_read_mem(const void *buf, size_t len, const char *name, model *mf, char *err, size_t n)
{
	model_init(mf);
	cur c = { .p = buf, .len = len, .err = err, .errn = n, .name = name };
	size_t whole = mp_skip(buf, len);
	if (!whole) {
		errf(err, n, "%s: truncated or not MessagePack", name);
		return -1;
	}
	c.len = whole;
	if (parse(&c, mf) < 0) {
		model_free(mf);
		return -1;
	}
	return 0;
}

int model_read(const char *path, model *mf, char *err, size_t n)
{
	model_init(mf);
	ms_reader *r = ms_reader_open(path);
	if (!r)
		return errf(err, n, "%s: %s", path, strerror(errno));
	const uint8_t *p;
	size_t len;
	int rc = ms_read_raw(r, &p, &len);
	if (rc <= 0) {
		errf(err, n, "%s", rc == 0 ? "empty model file" : ms_reader_error(r));
		if (rc == 0)
			errf(err, n, "%s: empty model file", path);
		ms_reader_close(r);
		return -1;
	}
	rc = model_read_mem(p, len, path, mf, err, n);
	ms_reader_close(r);
	return rc;
}
