/* ckmeans: track ids by sliding-window constrained k-means, or by the
 * greedy mask-IoU baseline. See ckmeans(1). */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "track/ckmeans.h"
#include "cli.h"
#include "err.h"
#include "track/ioutrack.h"
#include "outfile.h"
#include "progress.h"
#include "rle.h"
#include "stream.h"

static const char usage[] =
	"usage: ckmeans [-qv] [--window N] [--max-iter N] [--tol X] [--min-cluster-size N]\n"
	"               [--min-cluster-score X] [--vote first|all] [--static-cl unlabelled|all]\n"
	"               [--order window|nearest] [--motion-gate [--motion-iou X] [--exit-margin PX]]\n"
	"               [--centres key|tracks] [--occlusion-margin PX]\n"
	"               [--relink FRAMES [--relink-iou X]]\n"
	"               [--no-constraints [--n-init N] [--kmeans-iter N]]\n"
	"               [--baseline iou [--match-iou X] [--max-age N]] [--seed N] [-o FILE] [FILE]";

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
} run;

static void emit(run *u, ms_det *d, int64_t id)
{
	d->id = id;
	d->has |= MS_ID;
	if (ms_write_det(u->w, d) != 0)
		die("%s: write failed", u->out);
	progress_update(&u->p, ++u->done, NULL);
}

static _Noreturn void die_rec(run *u, const char *what)
{
	die("%s: record %llu: %s", ms_reader_name(u->r),
	    (unsigned long long)ms_reader_record(u->r), what);
}

/* One segment by constrained k-means: ids leave once final. */
static int segment_ck(run *u, cktrack *t, const ck_opts *o)
{
	ms_det d;
	ms_det_init(&d);
	char err[300];
	int rc;
	ckt_reset(t);
	while ((rc = ms_read_det(u->r, &d)) == 1) {
		if (o->constraints && !(d.has & MS_CL))
			die_rec(u, "no cannot-link edges (run cgraph-build first, or give --no-constraints)");
		ck_rec c = {
			.f = d.f, .k = d.k,
			.score = (d.has & MS_SCORE) ? &d.score : NULL,
			.z = (d.has & MS_Z) ? d.z : NULL, .zdim = d.zdim,
			.cl = d.cl, .ncl = (d.has & MS_CL) ? d.ncl : 0,
			.ml = d.ml, .nml = (d.has & MS_ML) ? d.nml : 0,
			.box = (d.has & MS_BOX) ? d.box : NULL,
		};
		if (o->motion && o->constraints && !(d.has & MS_BOX))
			die_rec(u, "no box (the motion gate needs one)");
		if (o->occlusion >= 0 && o->constraints && !(d.has & MS_BOX))
			die_rec(u, "no box (the occlusion guard needs one)");
		if (o->relink > 0 && !(d.has & MS_BOX))
			die_rec(u, "no box (--relink needs one)");
		if (!o->constraints)
			c.ncl = c.nml = 0;
		if (ckt_add(t, &c, err, sizeof err) != 0)
			die_rec(u, err);
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
	return rc;
}

/* Tracks one buffered frame with the IoU baseline and writes it. */
static void flush_frame(run *u, ioutrack *t)
{
	size_t n = u->q.len;
	char err[300];
	const int64_t *ids;
	if (!n)
		return;
	int64_t f = fifo_front(&u->q)->f;
	if (iout_end_frame(t, f, &ids, err, sizeof err) != 0)
		die("%s: frame %lld: %s", ms_reader_name(u->r), (long long)f, err);
	for (size_t i = 0; i < n; i++) {
		emit(u, fifo_front(&u->q), ids[i]);
		fifo_drop(&u->q);
	}
}

static int segment_iou(run *u, ioutrack *t, const ms_header *h)
{
	ms_det d;
	ms_det_init(&d);
	char err[300];
	int rc;
	iout_reset(t);
	while ((rc = ms_read_det(u->r, &d)) == 1) {
		if (u->q.len && fifo_front(&u->q)->f != d.f)
			flush_frame(u, t);
		if (iout_add(t, (d.has & MS_RLE) ? d.rle : NULL, (uint32_t)h->height, (uint32_t)h->width,
			     (d.has & MS_BOX) ? d.box : NULL, err, sizeof err) != 0)
			die("%s: key %lld: %s", ms_reader_name(u->r), (long long)d.k, err);
		ms_det_copy(fifo_push(&u->q), &d);
	}
	if (rc == 0)
		flush_frame(u, t);
	ms_det_free(&d);
	return rc;
}

int main(int argc, char **argv)
{
	err_init(argv[0]);
	ck_opts o;
	iou_opts io;
	ck_opts_default(&o);
	iou_opts_default(&io);
	const char *out = "-";
	int quiet = 0, verbose = 0, baseline = 0;
	static const struct option lo[] = {
		{"window", required_argument, 0, 'w'},
		{"max-iter", required_argument, 0, 'I'},
		{"tol", required_argument, 0, 't'},
		{"min-cluster-size", required_argument, 0, 'm'},
		{"min-cluster-score", required_argument, 0, 's'},
		{"vote", required_argument, 0, 'V'},
		{"static-cl", required_argument, 0, 'S'},
		{"order", required_argument, 0, 'O'},
		{"motion-gate", no_argument, 0, 'g'},
		{"motion-iou", required_argument, 0, 'G'},
		{"occlusion-margin", required_argument, 0, 'C'},
		{"exit-margin", required_argument, 0, 'E'},
		{"centres", required_argument, 0, 'c'},
		{"relink", required_argument, 0, 'L'},
		{"relink-iou", required_argument, 0, 'R'},
		{"no-constraints", no_argument, 0, 'n'},
		{"n-init", required_argument, 0, 'N'},
		{"kmeans-iter", required_argument, 0, 'K'},
		{"baseline", required_argument, 0, 'b'},
		{"match-iou", required_argument, 0, 'M'},
		{"max-age", required_argument, 0, 'A'},
		{"seed", required_argument, 0, 'r'},
		{"output", required_argument, 0, 'o'},
		{"quiet", no_argument, 0, 'q'},
		{"verbose", no_argument, 0, 'v'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "o:qvh", lo, NULL)) != -1) {
		switch (c) {
		case 'w': o.window = (int)cli_int("--window", optarg, 1, 1000); break;
		case 'I': o.max_iter = (int)cli_int("--max-iter", optarg, 1, 1000000); break;
		case 't': o.tol = cli_num("--tol", optarg, 0, 1e30); break;
		case 'm': o.assoc.min_size = (int)cli_int("--min-cluster-size", optarg, 1, 1000000); break;
		case 's': o.assoc.min_score = cli_num("--min-cluster-score", optarg, -1e30, 1e30); break;
		case 'V':
			if (!strcmp(optarg, "first")) o.assoc.vote_all = 0;
			else if (!strcmp(optarg, "all")) o.assoc.vote_all = 1;
			else die_usage("--vote: '%s' is not first or all\n%s", optarg, usage);
			break;
		case 'S':
			if (!strcmp(optarg, "unlabelled")) o.static_cl_all = 0;
			else if (!strcmp(optarg, "all")) o.static_cl_all = 1;
			else die_usage("--static-cl: '%s' is not unlabelled or all\n%s", optarg, usage);
			break;
		case 'O':
			if (!strcmp(optarg, "window")) o.order = CK_ORDER_WINDOW;
			else if (!strcmp(optarg, "nearest")) o.order = CK_ORDER_NEAREST;
			else die_usage("--order: '%s' is not window or nearest\n%s", optarg, usage);
			break;
		case 'c':
			if (!strcmp(optarg, "key")) o.centres = CK_CENTRES_KEY;
			else if (!strcmp(optarg, "tracks")) o.centres = CK_CENTRES_TRACKS;
			else die_usage("--centres: '%s' is not key or tracks\n%s", optarg, usage);
			break;
		case 'g': o.motion = 1; break;
		case 'G': o.motion_iou = cli_num("--motion-iou", optarg, 0, 1); break;
		case 'C': o.occlusion = cli_num("--occlusion-margin", optarg, 0, 1e6); break;
		case 'E': o.exit = cli_num("--exit-margin", optarg, 0, 1e6); break;
		case 'L': o.relink = (int)cli_int("--relink", optarg, 0, 1000000); break;
		case 'R': o.relink_iou = cli_num("--relink-iou", optarg, 0, 1); break;
		case 'n': o.constraints = 0; break;
		case 'N': o.n_init = (int)cli_int("--n-init", optarg, 1, 100000); break;
		case 'K': o.kmeans_iter = (int)cli_int("--kmeans-iter", optarg, 1, 1000000); break;
		case 'b':
			if (strcmp(optarg, "iou"))
				die_usage("--baseline: '%s' is not iou\n%s", optarg, usage);
			baseline = 1;
			break;
		case 'M': io.thr = cli_num("--match-iou", optarg, 0, 1); break;
		case 'A': io.max_age = (int)cli_int("--max-age", optarg, 1, 1000000); break;
		case 'r': o.seed = (uint64_t)cli_int("--seed", optarg, 0, INT64_MAX); break;
		case 'o': out = optarg; break;
		case 'q': quiet = 1; break;
		case 'v': verbose = 1; break;
		case 'h': puts(usage); return 0;
		default: die_usage("%s", usage);
		}
	}
	if (optind < argc - 1)
		die_usage("one input at most\n%s", usage);
	if (o.exit >= 0 && !o.motion)
		die_usage("--exit-margin needs --motion-gate\n%s", usage);
	const char *in = optind < argc ? argv[optind] : "-";
	run u = {.out = out};
	u.r = ms_reader_open(in);
	if (!u.r)
		die("%s: %s", in, strerror(errno));
	outfile *of = outfile_open(out);
	if (!of)
		die("%s: %s", out, strerror(errno));
	u.w = ms_writer_new(of->fp);
	cktrack *t = baseline ? NULL : ckt_new(&o);
	ioutrack *it = baseline ? iout_new(&io) : NULL;
	ms_header h;
	ms_header_init(&h);
	progress_start(&u.p, "records", 0, quiet);
	int rc;
	while ((rc = ms_read_header(u.r, &h)) == 1) {
		ms_header_set_tool(&h, argc, argv);
		if (ms_write_header(u.w, &h) != 0)
			die("%s: write failed", out);
		if (t && o.exit >= 0 && (h.width <= 0 || h.height <= 0))
			die("%s: segment %s: no image size (--exit-margin needs width and height)",
			    ms_reader_name(u.r), h.seq ? h.seq : "?");
		if (t)
			ckt_set_image(t, h.width, h.height);
		rc = baseline ? segment_iou(&u, it, &h) : segment_ck(&u, t, &o);
		if (rc < 0)
			break;
		if (ms_write_trailer(u.w) != 0)
			die("%s: write failed", out);
	}
	if (rc < 0)
		die("%s", ms_reader_error(u.r));
	progress_end(&u.p, u.done);
	if (ms_writer_free(u.w) != 0 || outfile_commit(of) != 0)
		die("%s: write failed", out);
	if (verbose && t) {
		const ck_stats *s = ckt_stats(t);
		fprintf(stderr, "ckmeans: %llu records, %llu windows, %.2f iterations a window, "
			"%llu at --max-iter, %llu clusters opened, %llu tracks, %llu motion cannot-links, "
			"%llu occluded, %llu relinked, %llu ids not given twice in a frame\n",
			(unsigned long long)u.done, (unsigned long long)s->windows,
			s->windows ? (double)s->iters / s->windows : 0.0,
			(unsigned long long)s->unconverged, (unsigned long long)s->opened,
			(unsigned long long)s->births, (unsigned long long)s->motion_cl,
			(unsigned long long)s->occluded, (unsigned long long)s->relinked,
			(unsigned long long)s->dup_ids);
	}
	ckt_free(t);
	iout_free(it);
	fifo_free(&u.q);
	ms_header_free(&h);
	ms_reader_close(u.r);
	return 0;
}
