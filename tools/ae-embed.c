/* ae-embed: adds the DHAE's latent feature z to every record of a det
 * stream, in batches. See ae-embed(1). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhae/dhae.h"
#include "err.h"
#include "filter.h"
#include "dhae/modelfile.h"
#include "nn/nn.h"
#include "opts.h"
#include "outfile.h"
#include "progress.h"
#include "stream.h"
#include "track/calib_stream.h"
#include "track/exitline.h"

/* Records waiting for their z: at most one batch is held. */
typedef struct pending {
	int n, cap;
	ms_det *rec;
	uint8_t *patch;
	float *feat, *z;
} pending;

static void flush(pending *q, dhae *m, ms_writer *w, const char *out)
{
	if (!q->n)
		return;
	int L = dhae_config(m)->latent;
	dhae_embed(m, q->n, q->patch, q->feat, q->z);
	for (int i = 0; i < q->n; i++) {
		ms_det_set_z(&q->rec[i], q->z + (size_t)i * L, (uint32_t)L);
		if (ms_write_det(w, &q->rec[i]) != 0)
			die("%s: write failed", out);
	}
	q->n = 0;
}

int main(int argc, char **argv)
{
	err_init(argv[0]);
	nn_cpu_tune(argc, argv);
	const char *mpath = NULL, *out = "-";
	int batch = 256, threads = 0, quiet = 0;
	nn_device dev = NN_DEV_AUTO;
	static const int devices[] = {NN_DEV_AUTO, NN_DEV_CPU, NN_DEV_CUDA};
	opts_opt opt[] = {
		OPTS_STR("model", 'm', "MODEL", "the model file", &mpath, .required = 1),
		OPTS_INT("batch", 0, "N", "records embedded at once", &batch, 1, 1 << 16),
		OPTS_CHOICE("device", 0, "auto|cpu|cuda", "where to embed, as in ae-train", &dev, devices),
		OPTS_INT("threads", 0, "N", "CPU threads", &threads, 1, 64, .def = "one per online CPU"),
		OPTS_STR("output", 'o', "FILE", "write the stream to FILE, atomically", &out,
			 .def = "standard output"),
		OPTS_FLAG("quiet", 'q', "no progress line", &quiet),
		OPTS_END,
	};
	opts_tool tool = {"ae-embed", "Adds the autoencoder's latent vector z to every record of a "
			  "det stream.", "[FILE]", opt};
	const char *in = filter_input(opts_parse(&tool, argc, argv), argc, argv);

	char err[400];
	model mf;
	if (model_read(mpath, &mf, err, sizeof err) < 0)
		die("%s", err);
	nn_backend *be = nn_open(dev, threads, err, sizeof err);
	if (!be)
		die("%s", err);
	dhae *m = dhae_new(be, &mf.cfg, NULL, batch, 0);
	if (model_load(&mf, m, 0, err, sizeof err) < 0)
		die("%s: %s", mpath, err);
	const dhae_cfg *cfg = dhae_config(m);
	size_t pb = dhae_patch_bytes(m);
	/* a box-only model reads no patch, a mask-only one no box */
	int hm = dhae_has_mask(cfg), hb = dhae_has_box(cfg);

	filter fl;
	filter_open(&fl, in, out);
	ms_reader *r = fl.r;
	ms_writer *w = fl.w;
	pending q = { .cap = batch };
	q.rec = xcalloc((size_t)batch, sizeof *q.rec);
	for (int i = 0; i < batch; i++)
		ms_det_init(&q.rec[i]);
	if (hm)
		q.patch = xmalloc((size_t)batch * pb);
	if (hb)
		q.feat = xmalloc((size_t)batch * 4 * sizeof *q.feat);
	q.z = xmalloc((size_t)batch * cfg->latent * sizeof *q.z);

	ms_header h;
	ms_header_init(&h);
	progress p;
	progress_start(&p, "records", 0, quiet);
	uint64_t done = 0;
	int rc;
	while ((rc = ms_read_header(r, &h)) == 1) {
		const char *name = ms_reader_name(r);
		unsigned long long seg = (unsigned long long)ms_reader_segment(r);
		if (hm && (h.patch[0] != cfg->size || h.patch[1] != cfg->size || h.patch[2] != cfg->chans))
			die("%s: segment %llu: patches of %dx%dx%d, the model wants %dx%dx%d", name, seg, h.patch[0],
			    h.patch[1], h.patch[2], cfg->size, cfg->size, cfg->chans);
		if (hb && (h.width <= 0 || h.height <= 0))
			die("%s: segment %llu: image size unknown (header width/height)", name, seg);
		h.zdim = cfg->latent;
		/* the model's threshold for cgraph-build --embed-thr auto (nil: none,
		 * so that one from an earlier model is not passed on) */
		const uint8_t *kv;
		size_t kn;
		if (mf.calib.embed_thr > 0 || ms_extra_find(&h.extra, CALIB_HEADER_KEY, &kv, &kn))
			calib_header_put(&h, mf.calib.embed_thr);
		/* and its exit line for ckmeans, the same way */
		if (mf.has_exit || ms_extra_find(&h.extra, EXIT_HEADER_KEY, &kv, &kn))
			exitline_header_put(&h, mf.has_exit ? mf.exit_inset : -1);
		filter_write_header(&fl, &h, argc, argv);
		for (;;) {
			ms_det *d = &q.rec[q.n];
			if ((rc = ms_read_det(r, d)) != 1)
				break;
			unsigned long long rec = (unsigned long long)ms_reader_record(r);
			if (hm && (!(d->has & MS_PATCH) || d->patch_len != pb))
				die("%s: record %llu: no patch of %zu bytes (run mots-extract with --patch %d)", name, rec,
				    pb, cfg->size);
			if (hb && !(d->has & MS_BOX))
				die("%s: record %llu: no box", name, rec);
			if (hm)
				memcpy(q.patch + (size_t)q.n * pb, d->patch, pb);
			if (hb)
				dhae_box_features(d->box, h.width, h.height, mf.wmax, mf.hmax, q.feat + (size_t)q.n * 4);
			if (++q.n == q.cap)
				flush(&q, m, w, out);
			progress_update(&p, ++done, NULL);
		}
		if (rc < 0)
			break;
		flush(&q, m, w, out);
		filter_write_trailer(&fl);
	}
	if (rc < 0)
		die("%s", ms_reader_error(r));
	progress_end(&p, done);
	filter_commit(&fl);
	for (int i = 0; i < batch; i++)
		ms_det_free(&q.rec[i]);
	free(q.rec), free(q.patch), free(q.feat), free(q.z);
	ms_header_free(&h);
	ms_reader_close(r);
	dhae_free(m);
	be->close(be);
	model_free(&mf);
	return 0;
}
