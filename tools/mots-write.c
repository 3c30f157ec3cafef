/* mots-write: a det stream with track ids out as MOTS txt, instance PNGs,
 * MOT box txt and overlay frames, after the method's post-processing
 * (short tracks dropped, overlapping pixels resolved). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coco.h"
#include "err.h"
#include "filter.h"
#include "opts.h"
#include "outfile.h"
#include "progress.h"
#include "seqname.h"
#include "stream.h"
#include "track/post.h"
#include "track/trackout.h"

/* Frames --png and --overlay write at most, one file each, unless
 * --max-frames says otherwise: a stray frame number must not fill the disk. */
#define MAX_FRAMES 1000000

typedef struct opts {
	const char *in, *mots, *png, *mot, *overlay, *images, *coco;
	long long min_track, first, coco_offset, max_frames;
	int no_overlap, quiet, force;
} opts;

/* What the outputs need of a record. */
typedef post_rec rec;

static opts parse(int argc, char **argv)
{
	opts o = {.max_frames = MAX_FRAMES};
	opts_opt opt[] = {
		OPTS_STR("mots", 0, "FILE", "MOTS txt, one line per mask (- for standard output)", &o.mots,
			 .def = "standard output when no other output is given"),
		OPTS_STR("png", 0, "DIR", "one 16-bit instance map per frame", &o.png),
		OPTS_STR("mot", 0, "FILE", "MOTChallenge box txt", &o.mot),
		OPTS_STR("coco", 0, "FILE", "COCO-style results JSON with track_id", &o.coco),
		OPTS_INT("coco-frame-offset", 0, "N", "COCO: image_id = frame + N", &o.coco_offset,
			 -(1LL << 52), 1LL << 52, .needs = "coco"),
		OPTS_STR("overlay", 0, "DIR", "RGB frames with the tracks drawn (with --images)",
			 &o.overlay),
		OPTS_STR("images", 0, "DIR", "the sequence's frames, for --overlay", &o.images),
		OPTS_INT("min-track", 0, "N", "drop tracks of fewer than N records", &o.min_track,
			 0, 1 << 30),
		OPTS_FLAG("no-overlap", 0, "give a pixel claimed by several masks to the best score",
			  &o.no_overlap),
		OPTS_INT("first", 0, "F", "first frame of --png and --overlay", &o.first, 0, 1LL << 40),
		OPTS_FLAG("force", 0, "replace an existing --png or --overlay folder mots-write did not make",
			  &o.force),
		OPTS_INT("max-frames", 0, "N", "most frames --png and --overlay write", &o.max_frames,
			 1, 1LL << 40),
		OPTS_FLAG("quiet", 'q', "no progress line", &o.quiet),
		OPTS_END,
	};
	opts_tool tool = {"mots-write", "Writes a tracked det stream as MOTS txt, instance PNGs, "
			  "MOT box txt, COCO JSON or overlay frames.", "[STREAM]", opt};
	o.in = opts_operand(opts_parse(&tool, argc, argv), argc, argv, 1);
	if (!o.mots && !o.png && !o.mot && !o.overlay && !o.coco)
		o.mots = "-";   /* a filter's default: MOTS txt on standard output */
	if (!!o.overlay != !!o.images)
		die_usage("--overlay DIR and --images DIR go together");
	return o;
}

/* An output name for a segment: "%s" in the pattern becomes the sequence
 * name, once it is known to name one file and no other place; without it,
 * only one segment may be written. Returns NULL with the message in err. */
static char *name_for(const char *pat, const char *seq, ms_reader *r, char *err, size_t errn)
{
	const char *s = strstr(pat, "%s");
	uint64_t seg = ms_reader_segment(r);
	if (!s) {
		if (seg > 1) {
			errf(err, errn, "%s: the stream holds several sequences; put %%s in the output name",
			     pat);
			return NULL;
		}
		return xstrdup(pat);
	}
	char e[600];
	if (seqname_check(seq, strlen(seq), e, sizeof e) != 0) {
		errf(err, errn, "%s: segment %llu header: %s", ms_reader_name(r), (unsigned long long)seg, e);
		return NULL;
	}
	size_t n = strlen(pat) + strlen(seq) + 1;
	char *name = xmalloc(n);
	snprintf(name, n, "%.*s%s%s", (int)(s - pat), pat, seq, s + 2);
	return name;
}

/* Every output is committed only once the whole stream has been read, so a
 * failure anywhere leaves no file behind. */
static outfile **pending;
static size_t npending;

static void keep(outfile *o)
{
	pending = xrealloc(pending, (npending + 1) * sizeof *pending);
	pending[npending++] = o;
}

/* Two segments of one name would write one output twice, the second over
 * the first's temporary. Returns 0, or -1 with the message in err. */
static int check_unique(const char *path, const char *seq, ms_reader *r, char *err, size_t errn)
{
	for (size_t i = 0; i < npending; i++)
		if (strcmp(pending[i]->path, path) == 0)
			return errf(err, errn, "%s: segment %llu header: %s is an output already (sequence "
				    "name \"%s\" twice, or one name for two outputs)", ms_reader_name(r),
				    (unsigned long long)ms_reader_segment(r), path, seq);
	return 0;
}

static char *output_for(const char *pat, const char *seq, ms_reader *r, char *err, size_t errn)
{
	char *p = name_for(pat, seq, r, err, errn);
	if (p && check_unique(p, seq, r, err, errn) != 0) {
		free(p);
		return NULL;
	}
	return p;
}

/* Spooled standard output is copied out here (outfile_spool). */
static void commit_all(void)
{
	for (size_t i = 0; i < npending; i++) {
		char *p = xstrdup(pending[i]->path);
		if (outfile_commit(pending[i]) != 0)
			die("%s: %m", p);
		free(p);
	}
	free(pending);
}

/* ---- a segment's outputs, one frame at a time ---- */

/* mots-write checks and writes a segment frame by frame, yet reports the
 * failure that checking the whole segment first would: a stream that
 * cannot be read before anything else, then the checks below in this
 * order, each its first failure in the stream. A failure is kept, the
 * outputs it makes pointless stop, and the segment is read to its end
 * before mots-write dies with the message of the lowest rank. */
enum { R_ID = 1, R_OVERLAP, R_FRAMES, R_MOTS, R_MOT, R_COCO, R_PNG, R_OVERLAY, R_NONE };

/* A --png or --overlay folder. */
typedef struct frames_out {
	outfile *od;        /* NULL: not asked for, or not made */
	int rank;           /* R_PNG or R_OVERLAY: which one */
	int64_t next;       /* the next frame it writes */
	uint16_t *buf;
} frames_out;

typedef struct seg {
	const opts *o;
	ms_reader *r;
	const ms_header *h;
	const char *seq;
	outfile *mots, *mot, *coco;   /* NULL: not asked for, or not opened */
	size_t ncoco;                 /* objects written to coco */
	frames_out png, overlay;
	progress pr;
	int has_last;                 /* the last record left, for --max-frames */
	int64_t last_f;
	uint64_t last_n;
	int rank;                     /* of the failure kept; R_NONE: none */
	char err[5000];
} seg;

static void fail(seg *s, int rank, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(seg *s, int rank, const char *fmt, ...)
{
	if (rank >= s->rank)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
	s->rank = rank;
}

/* Whether output f of rank k is still written. */
static int live(const seg *s, const void *f, int k)
{
	return f && s->rank > k;
}

/* The line outputs of one frame; the writers are in track/trackout.h. */
static void write_lines(seg *s, const rec *v, size_t n)
{
	uint32_t hh = (uint32_t)s->h->height, ww = (uint32_t)s->h->width;
	char e[5000];
	if (live(s, s->mots, R_MOTS) && trackout_mots(s->mots->fp, s->mots->path, v, n, hh, ww, e,
						      sizeof e) != 0)
		fail(s, R_MOTS, "%s", e);
	if (live(s, s->mot, R_MOT) && trackout_mot(s->mot->fp, v, n, hh, ww, e, sizeof e) != 0)
		fail(s, R_MOT, "%s", e);
	if (live(s, s->coco, R_COCO) && trackout_coco(s->coco->fp, s->coco->path, v, n, hh, ww,
						      s->o->coco_offset, &s->ncoco, e, sizeof e) != 0)
		fail(s, R_COCO, "%s", e);
}

static void coco_end(seg *s)
{
	if (live(s, s->coco, R_COCO) && coco_write_end(s->coco->fp, s->ncoco) != 0)
		fail(s, R_COCO, "%s: write error: %m", s->coco->path);
}

/* Opens the file output of pattern pat for the segment and keeps it for
 * the final commit. */
static outfile *open_file(seg *s, const char *pat, int rank)
{
	if (!pat)
		return NULL;
	char e[1200];
	char *path = output_for(pat, s->seq, s->r, e, sizeof e);
	if (!path) {
		fail(s, rank, "%s", e);
		return NULL;
	}
	outfile *f = outfile_open(path);
	if (!f) {
		fail(s, rank, "%s: cannot write: %m", path);
		free(path);
		return NULL;
	}
	free(path);
	keep(f);
	outfile_spool(f);
	return f;
}

/* --png and --overlay write one file per frame from --first to the last
 * record's frame, empty or not. */
static void open_frames(seg *s, frames_out *fo, const char *pat, int rank)
{
	*fo = (frames_out){NULL, rank, s->o->first, NULL};
	if (!pat)
		return;
	char e[1200];
	char *path = output_for(pat, s->seq, s->r, e, sizeof e);
	if (!path) {
		fail(s, rank, "%s", e);
		return;
	}
	if (!s->h->width || !s->h->height)
		fail(s, rank, "%s: the stream header gives no image size", path);
	else if (!(fo->od = outdir_open(path, s->o->force, e, sizeof e)))
		fail(s, rank, "%s", e);
	free(path);
	if (!fo->od)
		return;
	if (rank == R_PNG)
		fo->buf = xmalloc((size_t)s->h->width * s->h->height * sizeof *fo->buf);
	keep(fo->od);
}

/* Writes the frames of fo up to f, the empty ones before it and f with its
 * n records. */
static void write_frames(seg *s, frames_out *fo, int64_t f, const rec *v, size_t n)
{
	if (!live(s, fo->od, fo->rank) || f < s->o->first)
		return;
	uint32_t hh = (uint32_t)s->h->height, ww = (uint32_t)s->h->width;
	char e[5000];
	for (; fo->next <= f; fo->next++) {
		int at = fo->next == f;
		const rec *fv = at ? v : NULL;
		size_t fn = at ? n : 0;
		int rc = fo->rank == R_PNG
			 ? trackout_png_frame(fo->od, fo->next, fv, fn, hh, ww, fo->buf, e, sizeof e)
			 : trackout_overlay_frame(fo->od, s->o->images, fo->next, fv, fn, hh, ww, e,
						  sizeof e);
		if (rc != 0) {
			fail(s, fo->rank, "%s", e);
			return;
		}
		progress_update(&s->pr, (uint64_t)(fo->next - s->o->first + 1), NULL);
	}
}

static void seg_start(seg *s, const opts *o, ms_reader *r, const ms_header *h)
{
	*s = (seg){.o = o, .r = r, .h = h, .seq = h->seq ? h->seq : "seq", .rank = R_NONE};
	s->mots = open_file(s, o->mots, R_MOTS);
	s->mot = open_file(s, o->mot, R_MOT);
	s->coco = open_file(s, o->coco, R_COCO);
	open_frames(s, &s->png, o->png, R_PNG);
	open_frames(s, &s->overlay, o->overlay, R_OVERLAY);
	progress_start(&s->pr, "frames", 0, o->quiet || !(o->png || o->overlay));
}

/* Each track id appears at most once per frame in every output: the n
 * records of one frame, as read. */
static void check_ids(seg *s, const rec *v, size_t n)
{
	for (size_t i = 1; i < n && s->rank > R_ID; i++)
		for (size_t j = 0; j < i; j++)
			if (v[j].id == v[i].id) {
				fail(s, R_ID, "%s: record %llu: track id %lld twice in frame %lld",
				     ms_reader_name(s->r), (unsigned long long)v[i].n, (long long)v[i].id,
				     (long long)v[i].f);
				break;
			}
}

/* The n records of one frame (short tracks already dropped): overlaps
 * resolved, then appended to every output; frees their masks. */
static void frame_out(seg *s, rec *v, size_t n)
{
	const opts *o = s->o;
	char e[300];
	if (s->rank <= R_OVERLAP)
		;
	else if (o->no_overlap &&
		 post_remove_overlaps(v, &n, (uint32_t)s->h->height, (uint32_t)s->h->width, e, sizeof e) != 0)
		fail(s, R_OVERLAP, "%s", e);
	else if (n) {
		int64_t f = v[0].f;
		s->has_last = 1, s->last_f = f, s->last_n = v[n - 1].n;
		/* The message, naming the last record, comes at the segment's end. */
		if ((o->png || o->overlay) && f >= o->first &&
		    (uint64_t)(f - o->first) + 1 > (uint64_t)o->max_frames)
			fail(s, R_FRAMES, "--max-frames");
		write_lines(s, v, n);
		write_frames(s, &s->png, f, v, n);
		write_frames(s, &s->overlay, f, v, n);
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].rle);
}

/* The segment is read: dies with its failure, if any, or ends its lists. */
static void seg_end(seg *s)
{
	const opts *o = s->o;
	if ((o->png || o->overlay) && s->has_last && s->rank >= R_FRAMES && s->last_f >= o->first) {
		uint64_t span = (uint64_t)(s->last_f - o->first) + 1;
		if (span > (uint64_t)o->max_frames) {
			char sg[40] = "";
			if (ms_reader_segment(s->r) > 1)
				snprintf(sg, sizeof sg, "segment %llu ",
					 (unsigned long long)ms_reader_segment(s->r));
			s->rank = R_NONE;
			fail(s, R_FRAMES, "%s: %srecord %llu: frame %lld makes %llu frames from --first %lld, "
			     "one file each; the limit is %lld (--max-frames N)", ms_reader_name(s->r), sg,
			     (unsigned long long)s->last_n, (long long)s->last_f, (unsigned long long)span,
			     o->first, o->max_frames);
		}
	}
	coco_end(s);
	if (s->rank < R_NONE)
		die("%s", s->err);
	progress_end(&s->pr, 0);
	free(s->png.buf);
	free(s->overlay.buf);
}

int main(int argc, char **argv)
{
	err_init(argv[0]);
	opts o = parse(argc, argv);
	ms_reader *r = filter_reader(o.in);
	ms_header h;
	ms_det d;
	ms_header_init(&h);
	ms_det_init(&d);
	/* Only --min-track needs a whole segment (its tracks' lengths) before
	 * writing; otherwise v holds one frame. */
	int whole = o.min_track > 1;
	rec *v = NULL;
	size_t cap = 0;
	int rc;
	while ((rc = ms_read_header(r, &h)) == 1) {
		seg s;
		seg_start(&s, &o, r, &h);
		size_t n = 0, n0 = 0;   /* v[n0..n): the frame being read */
		while ((rc = ms_read_det(r, &d)) == 1) {
			if (!(d.has & (MS_ID | MS_GT)))
				die("%s: record %llu: no \"id\" (or \"gt\") to write", ms_reader_name(r),
				    (unsigned long long)ms_reader_record(r));
			int64_t id = d.has & MS_ID ? d.id : d.gt;
			if (id == 0)
				continue;   /* 0: not on any track */
			if (!(d.has & MS_CLS))
				die("%s: record %llu: no \"cls\"", ms_reader_name(r),
				    (unsigned long long)ms_reader_record(r));
			if (n > n0 && v[n0].f != d.f) {   /* frame v[n0].f is complete */
				check_ids(&s, v + n0, n - n0);
				if (whole)
					n0 = n;
				else
					frame_out(&s, v, n), n = 0;
			}
			if (n == cap)
				v = xrealloc(v, (cap = cap ? 2 * cap : 1024) * sizeof *v);
			rec *q = &v[n++];
			q->f = d.f, q->id = id, q->k = d.k, q->cls = d.cls;
			q->has_score = !!(d.has & MS_SCORE), q->score = d.score;
			memcpy(q->box, d.box, sizeof q->box);
			q->rle = d.has & MS_RLE ? xstrdup(d.rle) : NULL;
			q->n = ms_reader_record(r);
		}
		if (rc < 0)
			break;
		check_ids(&s, v + n0, n - n0);
		if (whole)
			n = post_drop_short_tracks(v, n, o.min_track);
		for (size_t i = 0, j; i < n; i = j) {
			for (j = i; j < n && v[j].f == v[i].f; j++)
				;
			frame_out(&s, v + i, j - i);
		}
		seg_end(&s);
	}
	if (rc < 0)
		die("%s", ms_reader_error(r));
	commit_all();
	free(v);
	ms_reader_close(r);
	ms_header_free(&h);
	ms_det_free(&d);
	return 0;
}
