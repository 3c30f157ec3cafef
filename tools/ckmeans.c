/* ckmeans: track ids by sliding-window constrained k-means, or by the
 * greedy mask-IoU baseline. See ckmeans(1). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "track/ckmeans.h"
#include "track/exitline.h"
#include "cli.h"
#include "err.h"
#include "filter.h"
#include "track/ioutrack.h"
#include "opts.h"
#include "outfile.h"
#include "progress.h"
#include "rle.h"
#include "stream.h"

/* Records waiting for their ids, in input order (a ring of reused records). */
typedef struct fifo {
	ms_det *d;
	size_t head, len, cap;
} fifo;

static ms_det *fifo_push(fifo *q)
{
	if (q->len == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 64;
		ms_det *d = xcalloc(cap, sizeof *d);
		for (size_t i = 0; i < q->cap; i++)
			d[i] = q->d[(q->head + i) % q->cap];
		free(q->d);
		q->d = d, q->head = 0, q->cap = cap;
	}
	return &q->d[(q->head + q->len++) % q->cap];
}

static ms_det *fifo_front(fifo *q)
{
	return &q->d[q->head];
}

static void fifo_drop(fifo *q)
{
	q->head = (q->head + 1) % q->cap;
	q->len--;
}

static void fifo_free(fifo *q)
{
	for (size_t i = 0; i < q->cap; i++)
		ms_det_free(&q->d[i]);
	free(q->d);
}

typedef struct run {
	ms_reader *r;
	ms_writer *w;
	const char *out;
	fifo q;
	progress p;
	uint64_t done;
	char err[400];   /* an input error, reported once everything is freed */
	int asked_motion, asked_occlusion, asked_relink;   /* given on the command line: a
	                                                    record without a box is then
	                                                    an error (the defaults leave
	                                                    such records alone) */
} run;

static void emit(run *u, ms_det *d, int64_t id)
{
	d->id = id;
	d->has |= MS_ID;
	if (ms_write_det(u->w, d) != 0)
		die("%s: write failed", u->out);
	progress_update(&u->p, ++u->done, NULL);
}

/* Records an input error about the last record read; returns -1. */
static int fail_rec(run *u, const char *what)
{
	return errf(u->err, sizeof u->err, "%s: record %llu: %s", ms_reader_name(u->r),
		    (unsigned long long)ms_reader_record(u->r), what);
}

static int key_in(const int64_t *v, uint32_t n, int64_t k)
{
	for (uint32_t i = 0; i < n; i++)
		if (v[i] == k)
			return 1;
	return 0;
}

/* The keys of the segment so far; the reader makes them increase, so a
 * link is looked up by bisection. */
typedef struct keyset {
	int64_t *k;
	size_t n, cap;
} keyset;

static int keyset_has(const keyset *s, int64_t k)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->k[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->k[lo] == k;
}

static void keyset_add(keyset *s, int64_t k)
{
	if (s->n == s->cap)
		s->k = xrealloc(s->k, (s->cap = s->cap ? 2 * s->cap : 1024) * sizeof *s->k);
	s->k[s->n++] = k;
}

/* Links go to earlier records of the segment, and a pair is not both
 * must-linked and cannot-linked: anything else is a broken graph. */
static int check_links(run *u, const keyset *s, const ms_det *d)
{
	char msg[200];
	for (uint32_t i = 0; i < d->ncl + d->nml; i++) {
		int ml = i >= d->ncl;
		int64_t k = ml ? d->ml[i - d->ncl] : d->cl[i];
		const char *what = ml ? "must-link" : "cannot-link";
		if (k == d->k)
			snprintf(msg, sizeof msg, "a %s to the record itself (key %lld)", what, (long long)k);
		else if (k > d->k)
			snprintf(msg, sizeof msg, "a %s to the later key %lld (links go to earlier records)",
				 what, (long long)k);
		else if (!keyset_has(s, k))
			snprintf(msg, sizeof msg, "a %s to unknown key %lld (no earlier record of the segment has it)",
				 what, (long long)k);
		else if (ml && key_in(d->cl, d->ncl, k))
			snprintf(msg, sizeof msg, "key %lld is both must-linked and cannot-linked", (long long)k);
		else
			continue;
		return fail_rec(u, msg);
	}
	return 0;
}

/* One segment by constrained k-means: ids leave once final. */
static int segment_ck(run *u, cktrack *t, const ck_opts *o)
{
	ms_det d;
	ms_det_init(&d);
	keyset keys = { 0 };
	char err[300];
	int rc;
	ckt_reset(t);
	while ((rc = ms_read_det(u->r, &d)) == 1) {
		rc = -1;
		if (o->constraints && !(d.has & MS_CL)) {
			fail_rec(u, "no cannot-link edges (run cgraph-build first, or give --no-constraints)");
			break;
		}
		if (check_links(u, &keys, &d) != 0)
			break;
		keyset_add(&keys, d.k);
		ck_rec c = {
			.f = d.f, .k = d.k,
			.score = (d.has & MS_SCORE) ? &d.score : NULL,
			.z = (d.has & MS_Z) ? d.z : NULL, .zdim = d.zdim,
			.cl = d.cl, .ncl = (d.has & MS_CL) ? d.ncl : 0,
			.ml = d.ml, .nml = (d.has & MS_ML) ? d.nml : 0,
			.box = (d.has & MS_BOX) ? d.box : NULL,
		};
		const char *nobox = (d.has & MS_BOX) ? NULL
			: u->asked_motion && o->motion && o->constraints ? "no box (the motion gate needs one)"
			: u->asked_occlusion && o->occlusion >= 0 && o->constraints ? "no box (the occlusion guard needs one)"
			: u->asked_relink && o->relink > 0 ? "no box (--relink needs one)" : NULL;
		if (nobox) {
			fail_rec(u, nobox);
			break;
		}
		if (!o->constraints)
			c.ncl = c.nml = 0;
		if (ckt_add(t, &c, err, sizeof err) != 0) {
			fail_rec(u, err);
			break;
		}
		ms_det_copy(fifo_push(&u->q), &d);
		while (ckt_ready(t)) {
			emit(u, fifo_front(&u->q), ckt_pop(t));
			fifo_drop(&u->q);
		}
	}
	if (rc == 0) {
		ckt_finish(t);
		while (ckt_ready(t)) {
			emit(u, fifo_front(&u->q), ckt_pop(t));
			fifo_drop(&u->q);
		}
	}
	ms_det_free(&d);
	free(keys.k);
	return rc;
}

/* Tracks one buffered frame with the IoU baseline and writes it; 0, or
 * -1 with the error in u->err. */
static int flush_frame(run *u, ioutrack *t)
{
	size_t n = u->q.len;
	char err[300];
	const int64_t *ids;
	if (!n)
		return 0;
	int64_t f = fifo_front(&u->q)->f;
	if (iout_end_frame(t, f, &ids, err, sizeof err) != 0)
		return errf(u->err, sizeof u->err, "%s: frame %lld: %s", ms_reader_name(u->r), (long long)f, err);
	for (size_t i = 0; i < n; i++) {
		emit(u, fifo_front(&u->q), ids[i]);
		fifo_drop(&u->q);
	}
	return 0;
}

static int segment_iou(run *u, ioutrack *t, const ms_header *h)
{
	ms_det d;
	ms_det_init(&d);
	char err[300];
	int rc;
	iout_reset(t);
	while ((rc = ms_read_det(u->r, &d)) == 1) {
		if (u->q.len && fifo_front(&u->q)->f != d.f && flush_frame(u, t) != 0) {
			rc = -1;
			break;
		}
		if (iout_add(t, (d.has & MS_RLE) ? d.rle : NULL, (uint32_t)h->height, (uint32_t)h->width,
			     (d.has & MS_BOX) ? d.box : NULL, err, sizeof err) != 0) {
			rc = errf(u->err, sizeof u->err, "%s: key %lld: %s", ms_reader_name(u->r),
				  (long long)d.k, err);
			break;
		}
		ms_det_copy(fifo_push(&u->q), &d);
	}
	if (rc == 0 && flush_frame(u, t) != 0)
		rc = -1;
	ms_det_free(&d);
	return rc;
}

/* --exit-margin PX|auto: the exit line given, or the one the stream
 * carries (track/exitline.h), else the default's. */
typedef struct exit_arg {
	int given, is_auto;
	double px;
} exit_arg;

static void parse_exit(const opts_opt *opt, const char *arg)
{
	exit_arg *e = opt->dst;
	e->given = 1;
	e->is_auto = !strcmp(arg, "auto");
	e->px = e->is_auto ? CK_EXIT_DEFAULT : cli_num("--exit-margin", arg, 0, 1e6);
}

/* The motion gate's settings need the gate (on by default, off with
 * --paper unless --motion-gate is given), re-linking's need re-linking
 * (likewise). */
static void ckmeans_check_gate(const opts_tool *tool, const ck_opts *o)
{
	static const char *const needs[] = {"motion-iou", "exit-margin", "occlusion-overlap",
					    "whole-boxes", "claim-margin"};
	for (size_t i = 0; i < sizeof needs / sizeof *needs; i++)
		if (!o->motion && opts_given(tool, needs[i]))
			die_usage("--%s needs --motion-gate", needs[i]);
	if (!o->relink && opts_given(tool, "relink-iou"))
		die_usage("--relink-iou needs --relink");
}

int main(int argc, char **argv)
{
	err_init(argv[0]);
	ck_opts o;
	iou_opts io;
	ck_opts_default(&o);
	iou_opts_default(&io);
	const char *out = "-";
	int quiet = 0, verbose = 0, baseline = 0, paper = 0;
	exit_arg ex = {.is_auto = 1, .px = CK_EXIT_DEFAULT};
	static const int orders[] = {CK_ORDER_WINDOW, CK_ORDER_NEAREST};
	static const int centres[] = {CK_CENTRES_KEY, CK_CENTRES_TRACKS}, on[] = {1};
	opts_opt opt[] = {
		OPTS_INT("window", 0, "N", "frames per window, the current one included (t_lag)",
			 &o.window, 1, 1000),
		OPTS_INT("max-iter", 0, "N", "COP-KMeans passes per window", &o.max_iter, 1, 1000000),
		OPTS_NUM("tol", 0, "X", "relative tolerance of the centre shift", &o.tol, 0, 1e30),
		OPTS_INT("min-cluster-size", 0, "N", "members a cluster needs to start or extend a track",
			 &o.assoc.min_size, 1, 1000000),
		OPTS_NUM("min-cluster-score", 0, "X", "least cluster score", &o.assoc.min_score,
			 -1e30, 1e30),
		OPTS_CHOICE("vote", 0, "first|all", "unassigned members a majority vote labels",
			    &o.assoc.vote_all, NULL),
		OPTS_CHOICE("static-cl", 0, "unlabelled|all",
			    "later detections the temporal cl edges bind", &o.static_cl_all, NULL),
		OPTS_CHOICE("order", 0, "window|nearest", "order in which a pass places points",
			    &o.order, orders),
		OPTS_FLAG("motion-gate", 0, "cannot-links from constant-velocity box prediction",
			  &o.motion),
		OPTS_NUM("motion-iou", 0, "X", "largest IoU with a predicted box that still forbids a link",
			 &o.motion_iou, 0, 1),
		OPTS_CALL("exit-margin", 0, "PX|auto", "a track predicted to cross this line inside the border "
			  "has left (auto: the one the stream's model measured, else 8)", parse_exit, &ex,
			  .def = "auto"),
		OPTS_NUM("max-jump", 0, "X", "unassigned boxes farther apart than X box sides a frame cannot start a track together",
			 &o.jump, 0, 1e6),
		OPTS_CHOICE("centres", 0, "key|tracks", "first centres: the key frame's or every track's",
			    &o.centres, centres),
		OPTS_NUM("occlusion-margin", 0, "PX", "spare boxes this close to another the temporal cannot-links",
			 &o.occlusion, 0, 1e6),
		OPTS_NUM("occlusion-overlap", 0, "X", "with the motion gate, an occluded box must overlap the prediction by more than X of the smaller box",
			 &o.occlusion_overlap, 0, 1),
		OPTS_CHOICE("whole-boxes", 0, "off|on", "with the motion gate, predict whole boxes and fit occluded boxes to them",
			    &o.whole, NULL),
		OPTS_NUM("claim-margin", 0, "X", "with the motion gate, a box that fits one track's prediction better by more than X cannot join another (< 0: off)",
			 &o.claim_margin, -1, 1),
		OPTS_INT("relink", 0, "FRAMES", "re-link a new track to one missed for at most FRAMES (0: off)",
			 &o.relink, 0, 1000000),
		OPTS_NUM("relink-iou", 0, "X", "least IoU of the new track's first box with the prediction",
			 &o.relink_iou, 0, 1),
		OPTS_SET("no-constraints", 0, "plain k-means, no constraints (the no G_t ablation)",
			 &o.constraints, 0),
		OPTS_INT("n-init", 0, "N", "plain k-means restarts", &o.n_init, 1, 100000,
			 .needs = "no-constraints"),
		OPTS_INT("kmeans-iter", 0, "N", "plain k-means passes per restart", &o.kmeans_iter,
			 1, 1000000, .needs = "no-constraints"),
		OPTS_CHOICE("baseline", 0, "iou", "the greedy frame-to-frame mask-IoU tracker instead",
			    &baseline, on, .def = ""),
		OPTS_NUM("match-iou", 0, "X", "baseline: least IoU of a match", &io.thr, 0, 1,
			 .needs = "baseline=iou"),
		OPTS_INT("max-age", 0, "N", "baseline: frames a track waits for its next detection",
			 &io.max_age, 1, 1000000, .needs = "baseline=iou"),
		OPTS_INT("seed", 0, "N", "seed of the centre-order shuffles and k-means++", &o.seed,
			 0, INT64_MAX),
		OPTS_FLAG("paper", 0, "the paper's settings (window order, key-frame centres, no motion "
			  "gate, jump limit, occlusion guard or exit rule) for the options not given", &paper),
		OPTS_STR("output", 'o', "FILE", "write the stream to FILE, atomically", &out,
			 .def = "standard output"),
		OPTS_FLAG("quiet", 'q', "no progress line", &quiet),
		OPTS_FLAG("verbose", 'v', "one line of counts on standard error at the end", &verbose),
		OPTS_END,
	};
	opts_tool tool = {"ckmeans", "Tracks ids by sliding-window constrained k-means, or by the "
			  "mask-IoU baseline.", "[FILE]", opt};
	int first = opts_parse(&tool, argc, argv);
	if (paper) {
		ck_opts p;
		ck_opts_paper(&p);
		opts_rebase(&tool, &o, &p, sizeof o);
	}
	if (ex.given)
		o.exit = ex.px;
	ckmeans_check_gate(&tool, &o);
	const char *in = filter_input(first, argc, argv);
	filter fl;
	filter_open(&fl, in, out);
	run u = {.out = out, .r = fl.r, .w = fl.w};
	u.asked_motion = opts_given(&tool, "motion-gate") || opts_given(&tool, "motion-iou") ||
			 opts_given(&tool, "exit-margin");
	u.asked_occlusion = opts_given(&tool, "occlusion-margin");
	u.asked_relink = opts_given(&tool, "relink");
	cktrack *t = baseline ? NULL : ckt_new(&o);
	ioutrack *it = baseline ? iout_new(&io) : NULL;
	ms_header h;
	ms_header_init(&h);
	progress_start(&u.p, "records", 0, quiet);
	int rc;
	while ((rc = ms_read_header(u.r, &h)) == 1) {
		filter_write_header(&fl, &h, argc, argv);
		/* the default exit rule is left out where the image size is not known */
		if (t && o.exit >= 0 && !ex.is_auto && (h.width <= 0 || h.height <= 0)) {
			rc = errf(u.err, sizeof u.err, "%s: segment %s: no image size (--exit-margin needs width and height)",
				  ms_reader_name(u.r), h.seq ? h.seq : "?");
			break;
		}
		if (t) {
			ckt_set_image(t, h.width, h.height);
			/* the exit line the model measured, unless one is given */
			double inset = o.exit;
			int measured = 0;
			if (o.exit >= 0 && ex.is_auto &&
			    (measured = exitline_header_get(&h, &inset, u.err, sizeof u.err)) < 0) {
				char e[sizeof u.err];
				snprintf(e, sizeof e, "%s", u.err);
				rc = errf(u.err, sizeof u.err, "%s: segment %s: %s", ms_reader_name(u.r),
					  h.seq ? h.seq : "?", e);
				break;
			}
			ckt_set_exit(t, inset);
			if (verbose && o.exit >= 0)
				fprintf(stderr, "ckmeans: segment %s: exit line %.4g px inside the border (%s)\n",
					h.seq ? h.seq : "?", inset, measured ? "the model's, measured on its training boxes"
					: !ex.is_auto ? "--exit-margin" : "the default; the stream carries none");
		}
		rc = baseline ? segment_iou(&u, it, &h) : segment_ck(&u, t, &o);
		if (rc < 0)
			break;
		filter_write_trailer(&fl);
	}
	if (rc < 0) {
		/* free what the run holds first, so that an input error leaves
		 * nothing behind (leak checkers see an ordinary exit) */
		char msg[sizeof u.err];
		snprintf(msg, sizeof msg, "%s", u.err[0] ? u.err : ms_reader_error(u.r));
		ms_writer_discard(u.w);
		outfile_abort(fl.of);
		ckt_free(t), iout_free(it), fifo_free(&u.q);
		ms_header_free(&h);
		ms_reader_close(u.r);
		die("%s", msg);
	}
	progress_end(&u.p, u.done);
	filter_commit(&fl);
	if (verbose && t) {
		const ck_stats *s = ckt_stats(t);
		fprintf(stderr, "ckmeans: %llu records, %llu windows, %.2f iterations a window, "
			"%llu at --max-iter, %llu clusters opened, %llu tracks, %llu motion cannot-links, "
			"%llu jump cannot-links, %llu occluded, %llu relinked, %llu ids not given twice in a frame\n",
			(unsigned long long)u.done, (unsigned long long)s->windows,
			s->windows ? (double)s->iters / s->windows : 0.0,
			(unsigned long long)s->unconverged, (unsigned long long)s->opened,
			(unsigned long long)s->births, (unsigned long long)s->motion_cl,
			(unsigned long long)s->jump_cl, (unsigned long long)s->occluded, (unsigned long long)s->relinked,
			(unsigned long long)s->dup_ids);
	}
	ckt_free(t);
	iout_free(it);
	fifo_free(&u.q);
	ms_header_free(&h);
	ms_reader_close(u.r);
	return 0;
}
