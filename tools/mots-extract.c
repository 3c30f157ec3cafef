/* mots-extract: masks from MOTS txt, public detection txt, instance PNGs or
 * COCO JSON, or boxes from MOTChallenge txt, into a det stream: filters,
 * boxes from the masks, square patches. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "coco.h"
#include "detfmt.h"
#include "err.h"
#include "frames.h"
#include "mot_txt.h"
#include "mots_txt.h"
#include "opts.h"
#include "outfile.h"
#include "patch.h"
#include "pngio.h"
#include "progress.h"
#include "rle.h"
#include "seqinfo.h"
#include "seqname.h"
#include "stream.h"

#define IGNORE_CLASS 10

/* One input mask, whatever the source format. */
typedef struct obj {
	int64_t frame, id;
	int cls;
	int has_score;
	double score;
	uint32_t h, w;
	char *rle;          /* NULL: a box only (MOT txt, COCO without segmentation) */
	int has_box, has_id;
	double box[4];      /* 0-based x, y, w, h of a box-only object */
	uint32_t line;      /* line number, 0 for PNG input */
} obj;

typedef struct opts {
	const char *in, *images, *out, *seq;
	int fmt;            /* 'm' MOTS txt, 't' TrackR-CNN, '2' MOTS20, 'p' PNG, 'C' COCO, 'B' MOT */
	coco_opts coco;
	coco_classes cmap;
	long long size_w, size_h;   /* --size, 0: unknown */
	long long cls;      /* -1: every class */
	double min_score;
	long long min_area;
	long long patch;
	int keep_ids, quiet;
} opts;

/* --mots, --trackrcnn, --mots20, --png: the one input and its format. */
static void parse_input(const opts_opt *opt, const char *arg)
{
	opts *o = opt->dst;
	if (o->in)
		die_usage("give one input: --mots, --trackrcnn, --mots20, --png, --coco or --mot");
	o->in = arg, o->fmt = opt->val;
}

static void parse_coco_classes(const opts_opt *opt, const char *arg)
{
	char e[300];
	if (coco_classes_parse(arg, opt->dst, e, sizeof e) != 0)
		die_usage("--coco-classes: %s", e);
}

static void parse_size(const opts_opt *opt, const char *arg)
{
	opts *o = opt->dst;
	char tail;
	if (sscanf(arg, "%lldx%lld%c", &o->size_w, &o->size_h, &tail) != 2 || o->size_w < 1 ||
	    o->size_h < 1 || o->size_w > MOTS_MAX_SIDE || o->size_h > MOTS_MAX_SIDE)
		die_usage("--size: '%s' is not WIDTHxHEIGHT (1..%u)", arg, MOTS_MAX_SIDE);
}

static opts parse(int argc, char **argv)
{
	opts o = {.cls = -1, .min_score = -INFINITY, .out = "-"};
	opts_opt opt[] = {
		OPTS_CALL("mots", 0, "FILE", "input: MOTS txt (ground truth or tracker results)",
			  parse_input, &o, .val = 'm', .group = 1, .required = 1),
		OPTS_CALL("trackrcnn", 0, "FILE", "input: TrackR-CNN detections", parse_input, &o,
			  .val = 't', .group = 1, .required = 1),
		OPTS_CALL("mots20", 0, "FILE", "input: MOTS20 tracking-only detections", parse_input, &o,
			  .val = '2', .group = 1, .required = 1),
		OPTS_CALL("png", 0, "DIR", "input: a folder of 16-bit instance maps", parse_input, &o,
			  .val = 'p', .group = 1, .required = 1),
		OPTS_CALL("coco", 0, "FILE", "input: COCO-style instance segmentation JSON", parse_input, &o,
			  .val = 'C', .group = 1, .required = 1),
		OPTS_CALL("mot", 0, "FILE", "input: MOTChallenge boxes (det.txt, gt.txt), no masks",
			  parse_input, &o, .val = 'B', .group = 1, .required = 1),
		OPTS_INT("class", 0, "N", "keep only class N (1 car, 2 pedestrian)", &o.cls, 0, 1000000,
			 .def = "every class but ignore regions"),
		OPTS_NUM("min-score", 0, "S", "keep detections whose score is at least S",
			 &o.min_score, -1e30, 1e30, .def = "all"),
		OPTS_INT("min-area", 0, "A", "keep masks whose box area is at least A pixels",
			 &o.min_area, 0, (long long)1 << 40),
		OPTS_INT("patch", 0, "N", "add an NxN patch to every record", &o.patch, 1, 4096,
			 .def = "none"),
		OPTS_STR("images", 0, "DIR", "masked-image patches from the frames in DIR", &o.images,
			 .needs = "patch"),
		OPTS_INT("coco-frame-offset", 0, "N", "COCO: frame = image_id - N", &o.coco.frame_offset,
			 -(1LL << 52), 1LL << 52, .needs = "coco",
			 .def = "file_name numbers, else image order (full COCO); image_id (a results list)"),
		OPTS_CALL("coco-classes", 0, "CAT:CLS,...", "COCO: map categories to classes, drop the rest",
			  parse_coco_classes, &o.cmap, .needs = "coco", .def = "category_id as class"),
		OPTS_CALL("size", 0, "WxH", "MOT: the image size", parse_size, &o, .needs = "mot",
			  .def = "from SEQ/seqinfo.ini"),
		OPTS_FLAG("keep-ids", 0, "keep each input id as the record's gt", &o.keep_ids),
		OPTS_STR("seq", 0, "NAME", "sequence name for the header", &o.seq,
			 .def = "the input's name without extension"),
		OPTS_STR("output", 'o', "FILE", "write the stream to FILE, atomically", &o.out,
			 .def = "standard output"),
		OPTS_FLAG("quiet", 'q', "no progress line", &o.quiet),
		OPTS_END,
	};
	opts_tool tool = {"mots-extract", "Turns masks from MOTS txt, detection txt, instance PNGs or "
			  "COCO JSON, or MOT boxes, into a det stream.", "", opt};
	opts_operand(opts_parse(&tool, argc, argv), argc, argv, 0);
	if (!o.in)
		die_usage("no input: give --mots, --trackrcnn, --mots20, --png, --coco or --mot");
	o.coco.offset_set = opts_given(&tool, "coco-frame-offset") > 0;
	if (o.patch && o.fmt == 'B')
		die_usage("--patch: MOT boxes carry no mask (a box-only model needs no patch)");
	if (o.keep_ids && (o.fmt == 't' || o.fmt == '2'))
		die_usage("--keep-ids: detection files carry no ids");
	char e[600];
	/* Later tools put the name into file names; say so now, not there. */
	if (o.seq && seqname_check(o.seq, strlen(o.seq), e, sizeof e) != 0)
		die_usage("--seq: %s", e);
	return o;
}

/* Frames are allocated whole here and by every later tool: the image size
 * an input declares is bounded (mots-stream(5), USC_MOTS_MAX_PIXELS). */
static void check_pixels(const char *where, uint32_t w, uint32_t h)
{
	uint64_t max;
	char e[200];
	if (ms_max_pixels(&max, e, sizeof e) != 0)
		die("%s", e);
	if ((uint64_t)w * h > max)
		die("%s: image %ux%u is %llu pixels, over the limit of %llu (USC_MOTS_MAX_PIXELS raises it)",
		    where, w, h, (unsigned long long)w * h, (unsigned long long)max);
}

/* ---- loading every input format into one list of objects ---- */

typedef struct objs { obj *v; size_t n, cap; } objs;

static obj *push(objs *l)
{
	if (l->n == l->cap)
		l->v = xrealloc(l->v, (l->cap = l->cap ? 2 * l->cap : 1024) * sizeof *l->v);
	memset(&l->v[l->n], 0, sizeof *l->v);
	return &l->v[l->n++];
}

static void load_txt(const opts *o, objs *l)
{
	char err[600];
	if (o->fmt == 'm') {
		mots_file mf;
		if (mots_load(o->in, &mf, err, sizeof err) != 0)
			die("%s", err);
		for (size_t i = 0; i < mf.n; i++) {
			obj *b = push(l);
			mots_obj *m = &mf.obj[i];
			b->frame = m->frame, b->id = m->id, b->cls = m->cls, b->h = m->h, b->w = m->w;
			b->rle = m->rle, b->line = m->line;
		}
		free(mf.obj);   /* the strings now belong to l */
	} else {
		det_file df;
		if (det_load(o->in, o->fmt == 't' ? DET_TRACKRCNN : DET_MOTS20, &df, err, sizeof err) != 0)
			die("%s", err);
		for (size_t i = 0; i < df.n; i++) {
			obj *b = push(l);
			det_obj *d = &df.obj[i];
			b->frame = d->frame, b->cls = d->cls, b->h = d->h, b->w = d->w;
			b->has_score = 1, b->score = d->score;
			b->rle = d->rle, b->line = d->line;
			free(d->reid);
		}
		free(df.obj);
	}
}

/* COCO JSON: masks, or boxes where an object has no segmentation; crowd
 * regions become ignore regions. Sorted by frame by coco_load. */
static void load_coco(const opts *o, objs *l)
{
	coco_file cf;
	char err[600];
	if (coco_load(o->in, &o->coco, &cf, err, sizeof err) != 0)
		die("%s", err);
	for (size_t i = 0; i < cf.n; i++) {
		coco_obj *c = &cf.obj[i];
		int cls = (int)c->cat;
		if (o->cmap.n && !coco_classes_map(&o->cmap, c->cat, &cls))
			continue;   /* a map keeps only the categories it names */
		obj *b = push(l);
		b->frame = c->frame, b->cls = c->iscrowd ? IGNORE_CLASS : cls;
		b->has_score = c->has_score, b->score = c->score;
		b->id = c->track_id, b->has_id = c->has_track;
		b->h = c->h, b->w = c->w, b->rle = c->rle, b->line = c->line;
		b->has_box = c->has_box;
		memcpy(b->box, c->box, sizeof b->box);
		c->rle = NULL;   /* now l's */
	}
	coco_file_free(&cf);
}

static int by_frame_line(const void *a, const void *b)
{
	const obj *x = a, *y = b;
	if (x->frame != y->frame)
		return (x->frame > y->frame) - (x->frame < y->frame);
	return (x->line > y->line) - (x->line < y->line);
}

/* MOTChallenge boxes: 1-based corners made 0-based; the confidence as the
 * score; the class column when there is one, else 1 (MOTChallenge's
 * pedestrian). Ground truth comes sorted by id, so the lines are put in
 * frame order (and file order within a frame). */
static void load_mot(opts *o, objs *l)
{
	mot_file mf;
	char err[600];
	if (mot_load(o->in, &mf, err, sizeof err) != 0)
		die("%s", err);
	if (!o->size_w) {
		char *ini = seqinfo_path_for(o->in);
		seqinfo si;
		if (access(ini, R_OK) == 0) {
			if (seqinfo_load(ini, &si, err, sizeof err) != 0)
				die("%s", err);
			o->size_w = si.width, o->size_h = si.height;
		}
		free(ini);
	}
	for (size_t i = 0; i < mf.n; i++) {
		mot_box *m = &mf.box[i];
		obj *b = push(l);
		b->frame = m->frame, b->id = m->id, b->has_id = 1;
		b->cls = m->cls >= 0 ? m->cls : 1;
		b->has_score = 1, b->score = m->conf;
		b->has_box = 1;
		b->box[0] = m->x - 1, b->box[1] = m->y - 1, b->box[2] = m->w, b->box[3] = m->h;
		b->h = (uint32_t)o->size_h, b->w = (uint32_t)o->size_w, b->line = m->line;
		if (m->frame < 0)
			die("%s:%u: negative frame %lld", o->in, m->line, (long long)m->frame);
	}
	mot_file_free(&mf);
	qsort(l->v, l->n, sizeof *l->v, by_frame_line);
}

/* Instance maps: every distinct non-zero value v is one object, class
 * v / 1000, id v; every v >= 10000 is an ignore region (class 10). */
static void load_png_dir(const opts *o, objs *l)
{
	frame_list fl;
	char err[600];
	if (frame_list_dir(o->in, &fl, err, sizeof err) != 0)
		die("%s", err);
	if (fl.n == 0)
		die("%s: no frame PNGs (NNNNNN.png) in the folder", o->in);
	uint8_t *mask = NULL;
	uint32_t fw = 0, fh = 0;
	for (size_t i = 0; i < fl.n; i++) {
		image im;
		if (png_load(fl.path[i], &im, err, sizeof err) != 0)
			die("%s", err);
		if (im.depth != 16 || im.c != 1)
			die("%s: not a 16-bit single-channel instance map (%d-bit, %d channels)",
			    fl.path[i], im.depth, im.c);
		if (i == 0) {
			check_pixels(fl.path[i], im.w, im.h);
			fw = im.w, fh = im.h, mask = xmalloc((size_t)fw * fh);
		}
		else if (im.w != fw || im.h != fh)
			die("%s: %ux%u, but the first frame is %ux%u", fl.path[i], im.w, im.h, fw, fh);
		/* The distinct values of the frame, in increasing order. */
		const uint16_t *px = im.data;
		size_t np = (size_t)fw * fh;
		static uint8_t seen[65536];
		memset(seen, 0, sizeof seen);
		for (size_t p = 0; p < np; p++)
			seen[px[p]] = 1;
		for (uint32_t v = 1; v < 65536; v++) {
			if (!seen[v])
				continue;
			for (size_t p = 0; p < np; p++)
				mask[p] = px[p] == v;
			rle_t r;
			rle_encode(&r, mask, fh, fw);
			obj *b = push(l);
			b->frame = fl.frame[i], b->id = v;
			b->cls = v >= 10000 ? IGNORE_CLASS : (int)(v / 1000);
			b->h = fh, b->w = fw;
			b->rle = rle_to_string(&r);
			rle_free(&r);
		}
		image_free(&im);
	}
	free(mask);
	frame_list_free(&fl);
}

/* Where an object came from, for messages. */
static const char *where(const opts *o, const obj *b)
{
	static char s[700];
	if (b->line)
		snprintf(s, sizeof s, "%s:%u", o->in, b->line);
	else
		snprintf(s, sizeof s, "%s: frame %lld", o->in, (long long)b->frame);
	return s;
}

/* The frame image for --images, cached for consecutive objects. */
typedef struct frame_image { int64_t frame; int loaded; image im; char path[4200]; } frame_image;

static const image *get_image(const opts *o, frame_image *fi, const obj *b)
{
	char err[600];
	if (fi->loaded && fi->frame == b->frame)
		return &fi->im;
	if (fi->loaded)
		image_free(&fi->im);
	fi->loaded = 0;
	if (frame_png_path(o->images, b->frame, fi->path, sizeof fi->path) != 0)
		die("%s: no image for frame %lld (%s)", where(o, b), (long long)b->frame, fi->path);
	if (png_load(fi->path, &fi->im, err, sizeof err) != 0)
		die("%s", err);
	if (fi->im.depth != 8)
		die("%s: a 16-bit image; --images wants 8-bit gray or RGB frames", fi->path);
	if (fi->im.w != b->w || fi->im.h != b->h)
		die("%s: image is %ux%u, the masks are %ux%u", fi->path, fi->im.w, fi->im.h, b->w, b->h);
	fi->loaded = 1, fi->frame = b->frame;
	return &fi->im;
}

int main(int argc, char **argv)
{
	err_init(argv[0]);
	opts o = parse(argc, argv);
	objs l = {0};
	if (o.fmt == 'p')
		load_png_dir(&o, &l);
	else if (o.fmt == 'C')
		load_coco(&o, &l);
	else if (o.fmt == 'B')
		load_mot(&o, &l);
	else
		load_txt(&o, &l);

	/* Checks that hold for the whole input before anything is written. */
	for (size_t i = 1; i < l.n; i++) {
		if (l.v[i].frame < l.v[i - 1].frame)
			die("%s: frame %lld after frame %lld (lines must be in frame order)",
			    where(&o, &l.v[i]), (long long)l.v[i].frame, (long long)l.v[i - 1].frame);
	}
	/* One image size: that of the first object that knows it (a COCO box
	 * without an image entry does not). */
	const obj *sz = NULL;
	for (size_t i = 0; i < l.n; i++) {
		if (!l.v[i].w)
			continue;
		if (!sz)
			sz = &l.v[i];
		else if (l.v[i].h != sz->h || l.v[i].w != sz->w)
			die("%s: image size %ux%u differs from the first line's %ux%u",
			    where(&o, &l.v[i]), l.v[i].h, l.v[i].w, sz->h, sz->w);
	}

	if (l.n)
		check_pixels(where(&o, &l.v[0]), l.v[0].w, l.v[0].h);

	frame_image fi = {0};
	ms_header h;
	ms_header_init(&h);
	ms_header_set_tool(&h, argc, argv);
	h.seq = o.seq ? xstrdup(o.seq) : cli_stem(o.in);
	if (sz)
		h.width = (int)sz->w, h.height = (int)sz->h;
	if (o.patch) {
		h.patch[0] = h.patch[1] = (int)o.patch, h.patch[2] = 1;
		if (o.images && sz)
			h.patch[2] = patch_image_channels(get_image(&o, &fi, sz));
	}

	outfile *out = outfile_open(o.out);
	if (!out)
		die("%s: cannot write: %m", o.out);
	ms_writer *w = ms_writer_new(out->fp);
	ms_det d;
	ms_det_init(&d);
	progress pr;
	progress_start(&pr, "masks", l.n, o.quiet);
	size_t pn = (size_t)o.patch * o.patch * h.patch[2];
	uint8_t *pbuf = xmalloc(pn ? pn : 1);
	ms_write_header(w, &h);

	for (size_t i = 0; i < l.n; i++) {
		obj *b = &l.v[i];
		progress_update(&pr, i, NULL);
		if (o.cls >= 0 && b->cls != o.cls)
			continue;
		/* Ignore regions are not objects; kept only to carry ground truth. */
		if (o.cls < 0 && b->cls == IGNORE_CLASS && !o.keep_ids)
			continue;
		if (b->has_score && b->score < o.min_score)
			continue;
		if (!b->rle) {
			if (b->box[2] * b->box[3] < (double)o.min_area)
				continue;
			if (o.patch)
				die("%s: no mask to cut a patch from (a box only)", where(&o, b));
			if (o.keep_ids && !b->has_id)
				die("%s: no track_id for --keep-ids", where(&o, b));
			ms_det_clear(&d);
			d.f = b->frame, d.k = (int64_t)i;
			d.cls = b->cls, d.has |= MS_CLS;
			if (b->has_score)
				d.score = (float)b->score, d.has |= MS_SCORE;
			for (int j = 0; j < 4; j++)
				d.box[j] = (float)b->box[j];
			d.has |= MS_BOX;
			if (o.keep_ids)
				d.gt = b->id, d.has |= MS_GT;
			if (ms_write_det(w, &d) != 0)
				die("%s: write error: %m", o.out);
			continue;
		}
		if (o.keep_ids && o.fmt == 'C' && !b->has_id)
			die("%s: no track_id for --keep-ids", where(&o, b));
		rle_t r;
		char err[200];
		if (rle_from_string(&r, b->rle, b->h, b->w, err, sizeof err) != 0)
			die("%s: %s", where(&o, b), err);
		rle_box bb = rle_bbox(&r);
		if ((long long)bb.w * bb.h < o.min_area) {
			rle_free(&r);
			continue;
		}
		ms_det_clear(&d);
		d.f = b->frame;
		d.k = (int64_t)i;   /* the object's index in the input: MOTS20's det_id */
		d.cls = b->cls, d.has |= MS_CLS;
		if (b->has_score)
			d.score = (float)b->score, d.has |= MS_SCORE;
		d.box[0] = (float)bb.x, d.box[1] = (float)bb.y;
		d.box[2] = (float)bb.w, d.box[3] = (float)bb.h;
		d.has |= MS_BOX;
		char *canon = rle_to_string(&r);
		ms_det_set_rle(&d, canon);
		free(canon);
		if (o.patch) {
			if (o.images) {
				const image *im = get_image(&o, &fi, b);
				if (patch_image_channels(im) != h.patch[2])
					die("%s: %d channels, but the first frame has %d", fi.path,
					    patch_image_channels(im), h.patch[2]);
				patch_image(&r, bb, im, (uint32_t)o.patch, pbuf);
			} else {
				patch_mask(&r, bb, (uint32_t)o.patch, pbuf);
			}
			ms_det_set_patch(&d, pbuf, pn);
		}
		if (o.keep_ids)
			d.gt = b->id, d.has |= MS_GT;
		rle_free(&r);
		if (ms_write_det(w, &d) != 0)
			die("%s: write error: %m", o.out);
	}
	if (ms_write_trailer(w) != 0 || ms_writer_free(w) != 0)
		die("%s: write error: %m", o.out);
	if (outfile_commit(out) != 0)
		die("%s: %m", o.out);
	progress_end(&pr, l.n);

	if (fi.loaded)
		image_free(&fi.im);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].rle);
	free(l.v);
	free(pbuf);
	coco_classes_free(&o.cmap);
	ms_det_free(&d);
	ms_header_free(&h);
	return 0;
}
