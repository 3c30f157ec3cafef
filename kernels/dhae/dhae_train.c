/* dhae_train.c: data set and training loop of the DHAE (dhae_train.h). */
#include "dhae/dhae_train.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "outfile.h"
#include "progress.h"
#include "rng.h"
#include "stream.h"
#include "version.h"

/* ---- data ---- */

void dhae_data_free(dhae_data *d)
{
	free(d->patch), free(d->box), free(d->imsize), free(d->frame), free(d->seg);
	memset(d, 0, sizeof *d);
}

static void data_push(dhae_data *d, const ms_det *r, int W, int H)
{
	int hp = d->inputs != DHAE_BOX, hb = d->inputs != DHAE_MASK;
	size_t pb = (size_t)d->ph * d->pw * d->pc;
	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 1024;
		if (hp)
			d->patch = xrealloc(d->patch, d->cap * pb);
		if (hb) {
			d->box = xrealloc(d->box, d->cap * 4 * sizeof *d->box);
			d->imsize = xrealloc(d->imsize, d->cap * 2 * sizeof *d->imsize);
		}
		d->frame = xrealloc(d->frame, d->cap * sizeof *d->frame);
		d->seg = xrealloc(d->seg, d->cap * sizeof *d->seg);
	}
	d->frame[d->n] = r->f, d->seg[d->n] = d->nseg;   /* for the calibration (dhae_calib.h) */
	if (hp)
		memcpy(d->patch + d->n * pb, r->patch, pb);
	if (hb) {
		memcpy(d->box + d->n * 4, r->box, 4 * sizeof *d->box);
		d->imsize[d->n * 2] = (float)W, d->imsize[d->n * 2 + 1] = (float)H;
	}
	d->n++;
}

int dhae_data_read(dhae_data *d, const char *path, char *err, size_t n)
{
	ms_reader *r = ms_reader_open(path);
	if (!r)
		return errf(err, n, "%s: %s", path, strerror(errno));
	ms_header h;
	ms_det rec;
	ms_header_init(&h);
	ms_det_init(&rec);
	int rc, ret = 0;
	int hp = d->inputs != DHAE_BOX, hb = d->inputs != DHAE_MASK;
	while ((rc = ms_read_header(r, &h)) == 1) {
		d->nseg++;
		/* box only (!hp): the patches, if any, are not read */
		if (hp && (h.patch[0] <= 0 || h.patch[1] <= 0 || h.patch[2] <= 0)) {
			ret = errf(err, n, "%s: segment %llu has no patches (run mots-extract with --patch)",
			           ms_reader_name(r), (unsigned long long)ms_reader_segment(r));
			goto out;
		}
		if (hb && (h.width <= 0 || h.height <= 0)) {
			ret = errf(err, n, "%s: segment %llu: image size unknown (header width/height)",
			           ms_reader_name(r), (unsigned long long)ms_reader_segment(r));
			goto out;
		}
		if (hp && !d->ph) {
			d->ph = h.patch[0], d->pw = h.patch[1], d->pc = h.patch[2];
		} else if (hp && (d->ph != h.patch[0] || d->pw != h.patch[1] || d->pc != h.patch[2])) {
			ret = errf(err, n, "%s: patches of %dx%dx%d after %dx%dx%d: inputs must agree",
			           ms_reader_name(r), h.patch[0], h.patch[1], h.patch[2], d->ph, d->pw, d->pc);
			goto out;
		}
		size_t pb = (size_t)d->ph * d->pw * d->pc;
		while ((rc = ms_read_det(r, &rec)) == 1) {
			if ((hp && !(rec.has & MS_PATCH)) || (hb && !(rec.has & MS_BOX))) {
				d->skipped++;
				continue;
			}
			if (hp && rec.patch_len != pb) {
				ret = errf(err, n, "%s: record %llu: patch of %zu bytes, the header says %zu",
				           ms_reader_name(r), (unsigned long long)ms_reader_record(r), rec.patch_len, pb);
				goto out;
			}
			if (hb && (!(rec.box[2] > 0) || !(rec.box[3] > 0))) {
				ret = errf(err, n, "%s: record %llu: box of zero size", ms_reader_name(r),
				           (unsigned long long)ms_reader_record(r));
				goto out;
			}
			data_push(d, &rec, h.width, h.height);
		}
		if (rc < 0)
			break;
	}
	if (rc < 0)
		ret = errf(err, n, "%s", ms_reader_error(r));
out:
	ms_det_free(&rec);
	ms_header_free(&h);
	ms_reader_close(r);
	return ret;
}

void dhae_data_box_max(const dhae_data *d, double *wmax, double *hmax)
{
	*wmax = *hmax = 0;
	for (size_t i = 0; i < d->n; i++) {
		if (d->box[i * 4 + 2] > *wmax)
			*wmax = d->box[i * 4 + 2];
		if (d->box[i * 4 + 3] > *hmax)
			*hmax = d->box[i * 4 + 3];
	}
}

float *dhae_data_features(const dhae_data *d, double wmax, double hmax)
{
	if (!d->box && d->inputs == DHAE_MASK)
		return NULL;
	float *f = xmalloc((d->n ? d->n : 1) * 4 * sizeof *f);
	for (size_t i = 0; i < d->n; i++)
		dhae_box_features(d->box + i * 4, d->imsize[i * 2], d->imsize[i * 2 + 1], wmax, hmax, f + i * 4);
	return f;
}

/* ---- training ---- */

typedef struct stage {
	int cap;
	size_t pb;
	uint8_t *patch;
	float *feat;
} stage;

/* The batch's patches and box features, each when the network reads it
 * (s->patch, s->feat NULL otherwise). */
static void gather(stage *s, const dhae_data *d, const float *feat, const uint32_t *idx, int n)
{
	for (int i = 0; i < n; i++) {
		if (s->patch)
			memcpy(s->patch + (size_t)i * s->pb, d->patch + (size_t)idx[i] * s->pb, s->pb);
		if (s->feat)
			memcpy(s->feat + (size_t)i * 4, feat + (size_t)idx[i] * 4, 4 * sizeof *feat);
	}
}

static void evaluate(dhae *m, stage *s, const dhae_data *d, const float *feat, size_t lo, size_t hi,
                     dhae_stats *st)
{
	uint32_t idx[4096];
	for (size_t i = lo; i < hi;) {
		int n = (int)(hi - i < (size_t)s->cap ? hi - i : (size_t)s->cap);
		if (n > 4096)
			n = 4096;
		for (int k = 0; k < n; k++)
			idx[k] = (uint32_t)(i + (size_t)k);
		gather(s, d, feat, idx, n);
		dhae_eval(m, n, s->patch, s->feat, st);
		i += (size_t)n;
	}
}

static void write_log(const char *path, const model *mf, const double *rate, uint32_t first_timed)
{
	outfile *o = outfile_open(path);
	if (!o)
		die("%s: %s", path, strerror(errno));
	fputs("epoch,loss,mask_mse,box_mse,val_loss,val_mask_mse,val_box_mse,sigma_m,sigma_b,samples_per_s\n", o->fp);
	for (uint32_t i = 0; i < mf->nhist; i++) {
		const mf_epoch *e = &mf->hist[i];
		fprintf(o->fp, "%u,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,%.9g,", e->epoch, e->loss, e->mask_mse,
		        e->box_mse, e->val_loss, e->val_mask_mse, e->val_box_mse, e->sigma_m, e->sigma_b);
		if (i >= first_timed)
			fprintf(o->fp, "%.1f", rate[i - first_timed]);
		fputc('\n', o->fp);
	}
	if (outfile_commit(o) != 0)
		die("%s: %s", path, strerror(errno));
}

void dhae_train_run(dhae *m, model *mf, const dhae_data *d, const dhae_train_opts *o,
                    dhae_train_result *res)
{
	char err[300];
	memset(res, 0, sizeof *res);
	int hm = dhae_has_mask(dhae_config(m)), hb = dhae_has_box(dhae_config(m));
	if ((hm && !d->patch && d->n) || (hb && !d->box && d->n))
		die("dhae_train_run: the data lack an input the network reads");
	float *feat = dhae_data_features(d, mf->wmax, mf->hmax);
	/* Keras's validation_split: the last share of the input, before shuffling */
	size_t nval = (size_t)floor((double)d->n * o->val_split);
	size_t ntrain = d->n - nval;
	if (ntrain < 1)
		die("no training samples left after the %.0f%% validation split", 100 * o->val_split);
	if (ntrain > UINT32_MAX)
		die("too many samples");

	rng r;
	uint32_t start = 0;
	if (o->resume) {
		if (model_load(mf, m, 1, err, sizeof err) < 0)
			die("%s: %s", o->out, err);
		if (mf->samples != d->n)
			die("%s: the checkpoint was trained on %llu samples, the input has %zu", o->out,
			    (unsigned long long)mf->samples, d->n);
		memcpy(r.s, mf->rng, sizeof r.s);
		start = mf->epochs;
		if (!mf->t)
			die("%s: no best weights in the checkpoint", o->out);
	} else {
		rng_seed(&r, o->seed);
		mf->epochs = 0, mf->nhist = 0, mf->since_best = 0, mf->best_val = INFINITY, mf->best_epoch = 0;
		mf->seed = o->seed;
	}
	mf->samples = d->n;
	mf->batch = o->batch;
	mf->val_split = o->val_split;
	mf->opt = *dhae_optimizer(m);
	free(mf->tool), free(mf->args);
	mf->tool = xstrdup(o->tool ? o->tool : "");
	mf->args = xstrdup(o->args ? o->args : "");
	/* the build that wrote the file, for people; no reader depends on it */
	size_t vn = strlen(mf->tool) + strlen(version_text()) + 2;
	free(mf->made_by);
	mf->made_by = xmalloc(vn);
	snprintf(mf->made_by, vn, "%s %s", mf->tool, version_text());
	mf->has_resume = 1;

	stage s = { .cap = o->batch, .pb = dhae_patch_bytes(m) };
	if (dhae_has_mask(dhae_config(m)))
		s.patch = xmalloc((size_t)s.cap * s.pb);
	if (dhae_has_box(dhae_config(m)))
		s.feat = xmalloc((size_t)s.cap * 4 * sizeof *s.feat);
	uint32_t *order = xmalloc(ntrain * sizeof *order);
	double *rate = xcalloc((size_t)(o->epochs > (int)start ? o->epochs - (int)start : 0) + 1, sizeof *rate);
	uint32_t first_timed = mf->nhist;

	progress p;
	uint64_t total = o->epochs > (int)start ? (uint64_t)(o->epochs - (int)start) * ntrain : 0;
	progress_start(&p, "samples", total, o->quiet);
	uint64_t done = 0;
	double t0 = now_seconds(), train_time = 0;
	char note[200] = "";
	int stop = o->patience > 0 && mf->since_best >= (uint32_t)o->patience;
	for (uint32_t ep = start + 1; ep <= (uint32_t)o->epochs && !stop; ep++) {
		for (size_t i = 0; i < ntrain; i++)
			order[i] = (uint32_t)i;
		rng_shuffle_u32(&r, order, ntrain);
		dhae_stats tr = { 0 };
		double te = now_seconds();
		for (size_t i = 0; i < ntrain; i += (size_t)s.cap) {
			int n = (int)(ntrain - i < (size_t)s.cap ? ntrain - i : (size_t)s.cap);
			gather(&s, d, feat, order + i, n);
			dhae_train_step(m, n, s.patch, s.feat, rng_u64(&r), &tr);
			done += (size_t)n;
			float lv[2];
			dhae_logvar(m, lv);
			if (hm && hb)
				snprintf(note, sizeof note, "epoch %u/%d loss %.4g mask %.4g box %.4g sigma_m %.3g sigma_b %.3g",
				         ep, o->epochs, dhae_stats_loss(&tr), dhae_stats_mask_mse(m, &tr),
				         dhae_stats_box_mse(&tr), exp(0.5 * lv[0]), exp(0.5 * lv[1]));
			else
				snprintf(note, sizeof note, "epoch %u/%d loss %.4g %s %.4g sigma_%c %.3g", ep, o->epochs,
				         dhae_stats_loss(&tr), hm ? "mask" : "box",
				         hm ? dhae_stats_mask_mse(m, &tr) : dhae_stats_box_mse(&tr), hm ? 'm' : 'b',
				         exp(0.5 * lv[hm ? 0 : 1]));
			progress_update(&p, done, note);
		}
		double tt = now_seconds() - te;
		train_time += tt;
		dhae_stats va = { 0 };
		evaluate(m, &s, d, feat, ntrain, d->n, &va);
		float lv[2];
		dhae_logvar(m, lv);
		mf_epoch e = { .epoch = ep, .loss = dhae_stats_loss(&tr), .mask_mse = dhae_stats_mask_mse(m, &tr),
		               .box_mse = dhae_stats_box_mse(&tr), .sigma_m = exp(0.5 * lv[0]),
		               .sigma_b = exp(0.5 * lv[1]) };
		if (nval) {
			e.val_loss = dhae_stats_loss(&va);
			e.val_mask_mse = dhae_stats_mask_mse(m, &va);
			e.val_box_mse = dhae_stats_box_mse(&va);
		} else {   /* no validation data: monitor the training loss */
			e.val_loss = e.loss, e.val_mask_mse = e.mask_mse, e.val_box_mse = e.box_mse;
		}
		model_add_epoch(mf, &e);
		rate[ep - start - 1] = tt > 0 ? (double)ntrain / tt : 0;
		mf->epochs = ep;
		if (e.val_loss < mf->best_val || !mf->t) {
			mf->best_val = e.val_loss, mf->best_epoch = ep, mf->since_best = 0;
			model_snapshot(m, &mf->t, &mf->nt, mf->log_var);
		} else {
			mf->since_best++;
		}
		/* the state to resume from: the latest weights, optimiser, rng */
		model_snapshot(m, &mf->last, &mf->nlast, mf->last_log_var);
		size_t np = dhae_nparams(m);
		if (mf->nopt != np) {
			free(mf->opt0), free(mf->opt1);
			mf->opt0 = xmalloc(np * sizeof *mf->opt0), mf->opt1 = xmalloc(np * sizeof *mf->opt1);
			mf->nopt = np;
		}
		dhae_get_opt(m, mf->opt0, mf->opt1, &mf->step);
		memcpy(mf->rng, r.s, sizeof r.s);
		if (model_write(o->out, mf, err, sizeof err) < 0)
			die("%s", err);
		if (o->log)
			write_log(o->log, mf, rate, first_timed);
		if (o->verbose) {
			if (p.on)
				fputc('\n', stderr);
			if (hm && hb)
				fprintf(stderr, "%s: epoch %u loss %.5g mask %.5g box %.5g val %.5g (mask %.5g box %.5g) "
				        "sigma_m %.4g sigma_b %.4g %.0f samples/s%s\n", progname, ep, e.loss, e.mask_mse,
				        e.box_mse, e.val_loss, e.val_mask_mse, e.val_box_mse, e.sigma_m, e.sigma_b,
				        rate[ep - start - 1], mf->best_epoch == ep ? " *" : "");
			else
				fprintf(stderr, "%s: epoch %u loss %.5g %s %.5g val %.5g (%s %.5g) sigma_%c %.4g "
				        "%.0f samples/s%s\n", progname, ep, e.loss, hm ? "mask" : "box",
				        hm ? e.mask_mse : e.box_mse, e.val_loss, hm ? "mask" : "box",
				        hm ? e.val_mask_mse : e.val_box_mse, hm ? 'm' : 'b', hm ? e.sigma_m : e.sigma_b,
				        rate[ep - start - 1], mf->best_epoch == ep ? " *" : "");
		}
		res->epochs_run++;
		if (o->patience > 0 && mf->since_best >= (uint32_t)o->patience) {
			stop = 1;
			res->stopped_early = 1;
		}
	}
	progress_end(&p, done);
	res->best_epoch = (int)mf->best_epoch;
	res->best_val = mf->best_val;
	res->seconds = now_seconds() - t0;
	res->samples_per_s = train_time > 0 ? (double)done / train_time : 0;
	free(s.patch), free(s.feat), free(order), free(rate), free(feat);
}
