/* cgraph-build: adds the static cannot-link constraints to a det stream.
 * See cgraph-build(1). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "track/calib.h"
#include "track/calib_stream.h"
#include "track/cgraph.h"
#include "cli.h"
#include "err.h"
#include "filter.h"
#include "opts.h"
#include "outfile.h"
#include "progress.h"
#include "rle.h"
#include "stream.h"

/* --embed-thr X|auto|stream: where the latent-distance threshold comes from. */
enum { THR_GIVEN, THR_AUTO, THR_STREAM };
typedef struct thr_arg {
	int from;
	double *thr;
} thr_arg;

static void parse_thr(const opts_opt *opt, const char *arg)
{
	thr_arg *t = opt->dst;
	if (!strcmp(arg, "auto"))
		t->from = THR_AUTO;
	else if (!strcmp(arg, "stream"))
		t->from = THR_STREAM;
	else
		t->from = THR_GIVEN, *t->thr = cli_num("--embed-thr", arg, 0, 1e30);
}

/* --metric: one criterion or several joined by commas (all must hold). */
static void parse_metric(const opts_opt *opt, const char *arg)
{
	unsigned m = 0;
	const char *p = arg;
	while (1) {
		size_t n = strcspn(p, ",");
		if (n == 8 && !strncmp(p, "mask-iou", n)) m |= CG_MASK_IOU;
		else if (n == 7 && !strncmp(p, "box-iou", n)) m |= CG_BOX_IOU;
		else if (n == 5 && !strncmp(p, "embed", n)) m |= CG_EMBED;
		else die_usage("--metric: '%s' is not a comma list of mask-iou, box-iou and embed",
			       arg);
		if (!p[n]) {
			*(unsigned *)opt->dst = m;
			return;
		}
		p += n + 1;
	}
}

/* --paper: the paper's settings for every option not given. The threshold
 * given with --embed-thr X is written by its own parser (not through the
 * table), so it is kept by hand. */
static void cgraph_build_paper(const opts_tool *tool, cg_opts *o)
{
	cg_opts p;
	cg_opts_paper(&p);
	double thr = o->embed_thr;
	opts_rebase(tool, o, &p, sizeof *o);
	o->embed_thr = thr;
}

/* The criteria for one segment: the default's embed is left out when the
 * segment's records carry no z (its header has no z length). */
static unsigned cgraph_build_metric(unsigned metric, int given, const ms_header *h)
{
	if (!given && (metric & CG_EMBED) && (metric & ~(unsigned)CG_EMBED) && h->zdim <= 0)
		return metric & ~(unsigned)CG_EMBED;
	return metric;
}

/* What one run shares between records. */
typedef struct cgb {
	cg_opts o;
	cgraph *g;
	ms_reader *r;
	ms_writer *w;
	const char *out;
	cg_keys keys;
	progress p;
	uint64_t done;
	calib_acc *hist;    /* --dist-hist: the accumulator that writes the rows, or NULL */
} cgb;

/* Whether record d already cannot-links key k: a pair the temporal
 * criterion forbids (possible with --metric embed or box-iou) gets no
 * must-link, so the graph never holds both. */
static int cgraph_build_has_cl(const ms_det *d, int64_t k)
{
	for (uint32_t i = 0; i < d->ncl; i++)
		if (d->cl[i] == k)
			return 1;
	return 0;
}

/* Adds record d's links and writes it. */
static void cgb_emit(cgb *c, const ms_header *h, ms_det *d)
{
	char err[300];
	const char *name = ms_reader_name(c->r);
	unsigned long long rec = (unsigned long long)ms_reader_record(c->r);
	cg_node n = {.f = d->f, .k = d->k};
	rle_t m = {0};
	if (d->has & MS_RLE) {
		if (rle_from_string(&m, d->rle, (uint32_t)h->height, (uint32_t)h->width, err, sizeof err) != 0)
			die("%s: record %llu: rle: %s", name, rec, err);
		n.rle = &m;
		n.bb = rle_bbox(&m);
	}
	if (d->has & MS_BOX) {
		memcpy(n.box, d->box, sizeof n.box);
	} else if (n.rle) {
		n.box[0] = (float)n.bb.x, n.box[1] = (float)n.bb.y;
		n.box[2] = (float)n.bb.w, n.box[3] = (float)n.bb.h;
	} else if (c->o.metric != CG_EMBED) {   /* an overlap needs a box */
		die("%s: record %llu: no box and no rle to compare", name, rec);
	}
	if (d->has & MS_Z)
		n.z = d->z, n.zdim = d->zdim;
	else if ((c->o.metric & CG_EMBED) || c->hist)
		die("%s: record %llu: no z (run ae-embed first)", name, rec);
	if (cg_add(c->g, &n, &c->keys, err, sizeof err) != 0)
		die("%s: record %llu: %s", name, rec, err);
	d->ncl = 0;
	d->has |= MS_CL;
	for (size_t i = 0; i < c->keys.n; i++)
		ms_det_add_cl(d, c->keys.k[i]);
	if (c->o.ml_iou < 1) {
		if (cg_must_links(c->g, &n, &c->keys, err, sizeof err) != 0)
			die("%s: record %llu: %s", name, rec, err);
		d->has |= MS_ML;
		for (size_t i = 0; i < c->keys.n; i++)
			if (!cgraph_build_has_cl(d, c->keys.k[i]))
				ms_det_add_ml(d, c->keys.k[i]);
	}
	rle_free(&m);
	if (ms_write_det(c->w, d) != 0)
		die("%s: write failed", c->out);
	progress_update(&c->p, ++c->done, NULL);
}

int main(int argc, char **argv)
{
	err_init(argv[0]);
	cg_opts o;
	cg_opts_default(&o);
	const char *out = "-", *hist = NULL;
	int quiet = 0, verbose = 0, paper = 0;
	long calib_frames = 100;
	int rule = CALIB_MNN99;
	thr_arg thr = {THR_AUTO, &o.embed_thr};
	static const int rules[] = {CALIB_MNN99, CALIB_CROSSING};
	opts_opt opt[] = {
		OPTS_INT("alpha-t", 0, "N", "temporal range in frames of the cannot-links (0: same frame only)",
			 &o.alpha_t, 0, 1000000),
		OPTS_NUM("iou-thr", 0, "X", "detections within alpha-t frames cannot link at IoU <= X",
			 &o.iou_thr, -1, 1),
		OPTS_CALL("metric", 0, "M[,M...]", "the temporal criterion: mask-iou, box-iou or embed; "
			  "several must all hold", parse_metric, &o.metric, .size = sizeof o.metric,
			  .def = "embed,mask-iou; mask-iou for a stream without z"),
		OPTS_CALL("embed-thr", 0, "X|auto|stream", "least latent distance that forbids a link: a "
			  "number, the model's (auto) or measured on the stream (selects embed unless "
			  "--metric is given)", parse_thr, &thr, .def = "auto"),
		OPTS_INT("calib-frames", 0, "N", "frames of each segment the stream's threshold is measured on",
			 &calib_frames, 2, 100000000),
		OPTS_CHOICE("calib-rule", 0, "mnn99|crossing", "how a threshold measured on the stream is read "
			    "from the distances", &rule, rules),
		OPTS_STR("dist-hist", 0, "FILE", "write the consecutive-frame latent distances as CSV", &hist,
			 .def = "none"),
		OPTS_NUM("ml-iou", 0, "X", "must-link detections within alpha-t frames at mask IoU > X "
			 "(1: none)", &o.ml_iou, 0.5, 1),
		OPTS_FLAG("paper", 0, "the paper's settings (metric mask-iou, no must-links) for the "
			  "options not given", &paper),
		OPTS_STR("output", 'o', "FILE", "write the stream to FILE, atomically", &out,
			 .def = "standard output"),
		OPTS_FLAG("quiet", 'q', "no progress line", &quiet),
		OPTS_FLAG("verbose", 'v', "the threshold of each segment, where it came from, and the fit",
			  &verbose),
		OPTS_END,
	};
	opts_tool tool = {"cgraph-build", "Adds the static cannot-link constraints to a det stream.",
			  "[FILE]", opt};
	int first = opts_parse(&tool, argc, argv);
	if (paper)
		cgraph_build_paper(&tool, &o);
	/* a metric chosen by the user is kept even without z; the default
	 * drops embed for a segment whose records carry none */
	int metric_given = opts_given(&tool, "metric") || opts_given(&tool, "embed-thr");
	if (opts_given(&tool, "embed-thr") && !opts_given(&tool, "metric"))
		o.metric = CG_EMBED;
	int thr_from = thr.from;
	const char *in = filter_input(first, argc, argv);
	filter fl;
	filter_open(&fl, in, out);
	cgb cb = {.o = o, .r = fl.r, .w = fl.w};
	FILE *hf = NULL;
	if (hist) {
		if (!(hf = fopen(hist, "w")))
			die("%s: %s", hist, strerror(errno));
		calib_csv_header(hf);
	}
	unsigned metric = cb.o.metric;
	/* one accumulator: samples of the prefix for the fit, CSV rows of
	 * every record */
	calib_acc *acc = calib_acc_new(1, 0, hf);
	cb.hist = hf ? acc : NULL;
	calib_prefix pre = {0};
	cb.out = out;
	cb.g = cg_new(&cb.o);
	ms_header h;
	ms_det d;
	ms_header_init(&h);
	ms_det_init(&d);
	char err[400];
	progress_start(&cb.p, "records", 0, quiet);
	int rc;
	while ((rc = ms_read_header(cb.r, &h)) == 1) {
		filter_write_header(&fl, &h, argc, argv);
		const char *name = ms_reader_name(cb.r);
		unsigned long long seg = (unsigned long long)ms_reader_segment(cb.r);
		calib_acc_segment(acc), calib_acc_clear(acc);
		unsigned seg_metric = cgraph_build_metric(metric, metric_given, &h);
		int embed = (seg_metric & CG_EMBED) != 0;
		/* the threshold: given, carried by the stream, or measured on
		 * its first frames (which are held back meanwhile) */
		double thr = cb.o.embed_thr;
		int hrc = embed && thr_from == THR_AUTO ? calib_header_thr(&h, &thr, err, sizeof err) : 0;
		if (hrc < 0)
			die("%s: segment %llu: %s", name, seg, err);
		int fitting = embed && thr_from != THR_GIVEN && hrc == 0;
		int measure = fitting || hf;
		calib_acc_limit(acc, fitting ? (size_t)1 << 22 : 0);   /* samples only for a fit */
		pre.n = 0, pre.ended = 0;
		if (measure && calib_prefix_read(&pre, cb.r, calib_frames, acc, err, sizeof err) < 0)
			die("%s", err);
		if (fitting) {
			calib_fit_t fit;
			calib_acc_fit(acc, 50, &fit);
			char why[600];
			calib_describe(&fit, why, sizeof why);
			int st;
			thr = calib_threshold(&fit, rule, &st);   /* infinite when it failed: no latent cannot-links */
			calib_acc_limit(acc, 0);   /* the rest of the segment only writes rows */
			if (st != CALIB_OK)
				warnf("segment %llu: --embed-thr %s, rule %s: %s in the first %ld frames (%s); no "
				      "latent-distance cannot-links (give --embed-thr X to set one)", seg,
				      thr_from == THR_AUTO ? "auto" : "stream", calib_rule_name(rule),
				      calib_status_name(st), calib_frames, why);
			else if (verbose)
				fprintf(stderr, "%s: segment %llu: embed-thr %.4g (rule %s) measured on the first %ld frames: %s\n",
					progname, seg, thr, calib_rule_name(rule), calib_frames, why);
		} else if (verbose && embed) {
			fprintf(stderr, "%s: segment %llu: embed-thr %.4g (%s)\n", progname, seg, thr,
				hrc == 1 ? "the model's, from the stream header" : "given");
		}
		if (thr != cb.o.embed_thr || seg_metric != cb.o.metric || !cb.g) {
			cg_free(cb.g);
			cb.o.embed_thr = thr;
			cb.o.metric = seg_metric;
			cb.g = cg_new(&cb.o);
		}
		cg_reset(cb.g);
		for (size_t i = 0; i < pre.n; i++)
			cgb_emit(&cb, &h, &pre.rec[i]);
		rc = pre.ended ? 0 : 1;
		while (!pre.ended && (rc = ms_read_det(cb.r, &d)) == 1) {
			if (cb.hist && (d.has & MS_Z) &&
			    calib_acc_add(cb.hist, d.f, d.k, (d.has & MS_GT) ? d.gt : -1, d.z, d.zdim, err, sizeof err) < 0)
				die("%s: record %llu: %s", name, (unsigned long long)ms_reader_record(cb.r), err);
			cgb_emit(&cb, &h, &d);
		}
		if (rc < 0)
			break;
		filter_write_trailer(&fl);
	}
	if (rc < 0)
		die("%s", ms_reader_error(cb.r));
	progress_end(&cb.p, cb.done);
	filter_commit(&fl);
	if (hf && fclose(hf) != 0)
		die("%s: write failed", hist);
	free(cb.keys.k);
	cg_free(cb.g);
	calib_acc_free(acc);
	calib_prefix_free(&pre);
	ms_det_free(&d);
	ms_header_free(&h);
	ms_reader_close(cb.r);
	return 0;
}
