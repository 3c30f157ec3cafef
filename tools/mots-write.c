/* mots-write: a det stream with track ids out as MOTS txt, instance PNGs,
 * MOT box txt and overlay frames, after the method's post-processing
 * (short tracks dropped, overlapping pixels resolved). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coco.h"
#include "err.h"
#include "filter.h"
#include "frames.h"
#include "mots_txt.h"
#include "opts.h"
#include "outfile.h"
#include "overlay.h"
#include "pngio.h"
#include "progress.h"
#include "rle.h"
#include "seqname.h"
#include "stream.h"
#include "track/post.h"

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
 * only one segment may be written. */
static char *name_for(const char *pat, const char *seq, ms_reader *r)
{
	const char *s = strstr(pat, "%s");
	uint64_t seg = ms_reader_segment(r);
	if (!s) {
		if (seg > 1)
			die("%s: the stream holds several sequences; put %%s in the output name", pat);
		return xstrdup(pat);
	}
	char e[600];
	if (seqname_check(seq, strlen(seq), e, sizeof e) != 0)
		die("%s: segment %llu header: %s", ms_reader_name(r), (unsigned long long)seg, e);
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
 * the first's temporary. */
static void check_unique(const char *path, const char *seq, ms_reader *r)
{
	for (size_t i = 0; i < npending; i++)
		if (strcmp(pending[i]->path, path) == 0)
			die("%s: segment %llu header: %s is an output already (sequence name \"%s\" "
			    "twice, or one name for two outputs)",
			    ms_reader_name(r), (unsigned long long)ms_reader_segment(r), path, seq);
}

static char *output_for(const char *pat, const char *seq, ms_reader *r)
{
	char *p = name_for(pat, seq, r);
	check_unique(p, seq, r);
	return p;
}

/* ---- outputs ---- */

/* Opens the output of pattern pat for a segment and keeps it for the
 * final commit. */
static outfile *open_output(const char *pat, const char *seq, ms_reader *r)
{
	char *path = output_for(pat, seq, r);
	outfile *o = outfile_open(path);
	if (!o)
		die("%s: cannot write: %m", path);
	free(path);
	keep(o);
	return o;
}

static void write_mots(outfile *o, const rec *v, size_t n, const ms_header *h)
{
	for (size_t i = 0; i < n; i++) {
		if (!v[i].rle)
			die("%s: record %llu has no mask (\"rle\") for a MOTS txt line", o->path,
			    (unsigned long long)v[i].n);
		mots_write_line(o->fp, v[i].f, v[i].id, v[i].cls, (uint32_t)h->height,
				(uint32_t)h->width, v[i].rle);
	}
}

static void mask_box(const rec *r, const ms_header *h, double b[4])
{
	if (r->rle) {
		rle_t m;
		char e[200];
		if (rle_from_string(&m, r->rle, (uint32_t)h->height, (uint32_t)h->width, e, sizeof e) != 0)
			die("record %llu: %s", (unsigned long long)r->n, e);
		rle_box bb = rle_bbox(&m);
		rle_free(&m);
		b[0] = bb.x, b[1] = bb.y, b[2] = bb.w, b[3] = bb.h;
	} else {
		for (int i = 0; i < 4; i++)
			b[i] = r->box[i];
	}
}

/* A number as people write it: integers plainly, others in the shortest
 * form that reads back the same (mot_write_line would give "1e+01"). */
static const char *num(char *b, double v, int single)
{
	if (v == (double)(long long)v && v > -1e15 && v < 1e15) {
		sprintf(b, "%lld", (long long)v);
		return b;
	}
	for (int p = 6; p <= 17; p++) {
		sprintf(b, "%.*g", p, v);
		double back = strtod(b, NULL);
		if (single ? (float)back == (float)v : back == v)
			break;
	}
	return b;
}

/* MOTChallenge box txt: 1-based pixel coordinates of the top-left corner. */
static void write_mot(outfile *o, const rec *v, size_t n, const ms_header *h)
{
	for (size_t i = 0; i < n; i++) {
		double b[4];
		mask_box(&v[i], h, b);
		char s[5][40];
		fprintf(o->fp, "%lld,%lld,%s,%s,%s,%s,%s,-1,-1,-1\n", (long long)v[i].f,
			(long long)v[i].id, num(s[0], b[0] + 1, 0), num(s[1], b[1] + 1, 0), num(s[2], b[2], 0),
			num(s[3], b[3], 0), num(s[4], v[i].has_score ? v[i].score : 1, 1));
	}
}

/* COCO results: image_id = frame + offset, the box of the mask (or the
 * record's box when it has no mask), score 1 when the record has none. */
static void write_coco(outfile *o, const rec *v, size_t n, const ms_header *h, long long offset)
{
	for (size_t i = 0; i < n; i++) {
		coco_rec c = { v[i].f + offset, v[i].cls, v[i].id, 1, v[i].has_score ? v[i].score : 1,
			       { 0 }, (uint32_t)h->height, (uint32_t)h->width, v[i].rle };
		mask_box(&v[i], h, c.box);
		if (coco_write_rec(o->fp, &c, i) != 0)
			die("%s: write error: %m", o->path);
	}
	if (coco_write_end(o->fp, n) != 0)
		die("%s: write error: %m", o->path);
}

/* The 16-bit value of a record in an instance map: class*1000 + id, or the
 * id itself when it already reads so (ground truth ids, ignore regions). */
static uint16_t png_value(const rec *r, const char *path)
{
	if (r->id >= 10000 && r->id <= 65535)
		return (uint16_t)r->id;
	if (r->id / 1000 == r->cls && r->id > 0)
		return (uint16_t)r->id;
	if (r->id < 1 || r->id > 999 || r->cls < 0 || r->cls > 65)
		die("%s: record %llu: id %lld of class %d does not fit the PNG format class*1000+id",
		    path, (unsigned long long)r->n, (long long)r->id, r->cls);
	return (uint16_t)(r->cls * 1000 + r->id);
}

/* Draws frame f into the folder being built, od->tmp; messages name
 * od->path, the folder the user asked for. */
typedef void (*frame_fn)(const outfile *od, int64_t f, const rec *v, size_t n,
			 const ms_header *h, const opts *o, uint16_t *buf);

/* Saves a frame, or dies naming the file where the user will look for it. */
static void save_frame(const outfile *od, int64_t f, const image *im)
{
	char path[4200], err[600], shown[5000];
	snprintf(path, sizeof path, "%s/%06lld.png", od->tmp, (long long)f);
	if (png_save(path, im, err, sizeof err) != 0)
		die("%s", outdir_shown(od, err, shown, sizeof shown));
}

static void paint_ids(const rec *v, size_t n, const ms_header *h, const char *dir, uint16_t *px)
{
	uint32_t W = (uint32_t)h->width, H = (uint32_t)h->height;
	memset(px, 0, (size_t)W * H * sizeof *px);
	for (size_t i = 0; i < n; i++) {
		if (!v[i].rle)
			continue;
		rle_t r;
		char e[200];
		if (rle_from_string(&r, v[i].rle, H, W, e, sizeof e) != 0)
			die("record %llu: %s", (unsigned long long)v[i].n, e);
		uint16_t val = png_value(&v[i], dir);
		/* Straight from the runs (column-major); later masks win overlaps. */
		uint64_t k = 0;
		for (uint32_t j = 0; j < r.m; j++) {
			uint64_t e2 = k + r.cnts[j];
			if (j % 2)
				for (uint64_t q = k; q < e2; q++)
					px[(size_t)(q % H) * W + q / H] = val;
			k = e2;
		}
		rle_free(&r);
	}
}

static void png_frame(const outfile *od, int64_t f, const rec *v, size_t n, const ms_header *h,
		      const opts *o, uint16_t *buf)
{
	(void)o;
	paint_ids(v, n, h, od->path, buf);
	image im = {(uint32_t)h->width, (uint32_t)h->height, 1, 16, buf};
	save_frame(od, f, &im);
}

static void overlay_frame(const outfile *od, int64_t f, const rec *v, size_t n, const ms_header *h,
			  const opts *o, uint16_t *buf)
{
	char src[4200], err[600];
	image im;
	(void)buf;
	if (frame_png_path(o->images, f, src, sizeof src) != 0)
		die("%s: no image for frame %lld", src, (long long)f);
	if (png_load(src, &im, err, sizeof err) != 0)
		die("%s", err);
	if (im.depth != 8 || im.w != (uint32_t)h->width || im.h != (uint32_t)h->height)
		die("%s: want an 8-bit %dx%d image", src, h->width, h->height);
	image rgb;
	overlay_to_rgb(&im, &rgb);
	image_free(&im);
	for (size_t i = 0; i < n; i++) {
		if (!v[i].rle)
			continue;
		rle_t r;
		if (rle_from_string(&r, v[i].rle, rgb.h, rgb.w, err, sizeof err) != 0)
			die("record %llu: %s", (unsigned long long)v[i].n, err);
		overlay_mask(&rgb, &r, v[i].id);
		rle_free(&r);
	}
	for (size_t i = 0; i < n; i++) {
		double b[4];
		mask_box(&v[i], h, b);
		overlay_label(&rgb, (int)b[0], (int)b[1], (int)b[3], v[i].id);
	}
	save_frame(od, f, &rgb);
	image_free(&rgb);
}

/* --png and --overlay write one file per frame from --first to the last
 * record's frame; refuses a span over --max-frames before writing any. */
static void check_frame_count(const rec *v, size_t n, const opts *o, ms_reader *r)
{
	if (!n || v[n - 1].f < o->first)
		return;
	uint64_t span = (uint64_t)(v[n - 1].f - o->first) + 1;
	if (span <= (uint64_t)o->max_frames)
		return;
	char seg[40] = "";
	if (ms_reader_segment(r) > 1)
		snprintf(seg, sizeof seg, "segment %llu ", (unsigned long long)ms_reader_segment(r));
	die("%s: %srecord %llu: frame %lld makes %llu frames from --first %lld, one file each; "
	    "the limit is %lld (--max-frames N)", ms_reader_name(r), seg, (unsigned long long)v[n - 1].n,
	    (long long)v[n - 1].f, (unsigned long long)span, o->first, o->max_frames);
}

/* Writes one PNG per frame from --first to the last frame, empty or not. */
static void write_frames(const char *dir, const rec *v, size_t n, const ms_header *h,
			 const opts *o, frame_fn fn, progress *pr)
{
	char err[600];
	if (!h->width || !h->height)
		die("%s: the stream header gives no image size", dir);
	outfile *od = outdir_open(dir, o->force, err, sizeof err);
	if (!od)
		die("%s", err);
	int64_t last = n ? v[n - 1].f : o->first - 1;
	uint16_t *buf = xmalloc((size_t)h->width * h->height * sizeof *buf);
	size_t i = 0;
	for (int64_t f = o->first; f <= last; f++) {
		size_t j = i;
		while (i < n && v[i].f < f)
			i++;
		for (j = i; j < n && v[j].f == f; j++)
			;
		fn(od, f, v + i, j - i, h, o, buf);
		progress_update(pr, (uint64_t)(f - o->first + 1), NULL);
		i = j;
	}
	free(buf);
	keep(od);
}

/* write_frames() into the folder the pattern pat names for the sequence,
 * with a progress line. */
static void frames_named(const char *pat, const char *seq, ms_reader *r, const rec *v, size_t n,
			 const ms_header *h, const opts *o, frame_fn fn)
{
	progress pr;
	char *p = output_for(pat, seq, r);
	progress_start(&pr, "frames", 0, o->quiet);
	write_frames(p, v, n, h, o, fn, &pr);
	progress_end(&pr, 0);
	free(p);
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
	rec *v = NULL;
	size_t cap = 0;
	int rc;
	while ((rc = ms_read_header(r, &h)) == 1) {
		size_t n = 0;
		const char *seq = h.seq ? h.seq : "seq";
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
		/* Each track id appears at most once per frame in every output. */
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j-- > 0 && v[j].f == v[i].f;)
				if (v[j].id == v[i].id)
					die("%s: record %llu: track id %lld twice in frame %lld",
					    ms_reader_name(r), (unsigned long long)v[i].n,
					    (long long)v[i].id, (long long)v[i].f);
		n = post_drop_short_tracks(v, n, o.min_track);
		char err[300];
		if (o.no_overlap &&
		    post_remove_overlaps(v, &n, (uint32_t)h.height, (uint32_t)h.width, err, sizeof err) != 0)
			die("%s", err);

		if (o.png || o.overlay)
			check_frame_count(v, n, &o, r);
		if (o.mots)
			write_mots(open_output(o.mots, seq, r), v, n, &h);
		if (o.mot)
			write_mot(open_output(o.mot, seq, r), v, n, &h);
		if (o.coco)
			write_coco(open_output(o.coco, seq, r), v, n, &h, o.coco_offset);
		if (o.png)
			frames_named(o.png, seq, r, v, n, &h, &o, png_frame);
		if (o.overlay)
			frames_named(o.overlay, seq, r, v, n, &h, &o, overlay_frame);
		for (size_t i = 0; i < n; i++)
			free(v[i].rle);
	}
	if (rc < 0)
		die("%s", ms_reader_error(r));
	for (size_t i = 0; i < npending; i++) {
		char *p = xstrdup(pending[i]->path);
		if (outfile_commit(pending[i]) != 0)
			die("%s: %m", p);
		free(p);
	}
	free(pending);
	free(v);
	ms_reader_close(r);
	ms_header_free(&h);
	ms_det_free(&d);
	return 0;
}
