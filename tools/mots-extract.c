/* mots-extract: masks from MOTS txt, public detection txt or instance PNGs
 * into a det stream: filters, boxes from the masks, square patches. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "detfmt.h"
#include "err.h"
#include "frames.h"
#include "mots_txt.h"
#include "outfile.h"
#include "patch.h"
#include "pngio.h"
#include "progress.h"
#include "rle.h"
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
	char *rle;
	uint32_t line;      /* line number, 0 for PNG input */
} obj;

typedef struct opts {
	const char *in, *images, *out, *seq;
	int fmt;            /* 'm' MOTS txt, 't' TrackR-CNN, '2' MOTS20, 'p' PNG */
	long long cls;      /* -1: every class */
	double min_score;
	long long min_area;
	long long patch;
	int keep_ids, quiet;
} opts;

static void usage(void)
{
	puts("usage: mots-extract (--mots FILE | --trackrcnn FILE | --mots20 FILE | --png DIR)\n"
	     "                    [--class N] [--min-score S] [--min-area A] [--patch N [--images DIR]]\n"
	     "                    [--keep-ids] [--seq NAME] [-o FILE] [-q]");
}

static opts parse(int argc, char **argv)
{
	static const struct option lo[] = {
		{"mots", 1, 0, 'm'}, {"trackrcnn", 1, 0, 't'}, {"mots20", 1, 0, '2'},
		{"png", 1, 0, 'p'}, {"class", 1, 0, 'c'}, {"min-score", 1, 0, 's'},
		{"min-area", 1, 0, 'a'}, {"patch", 1, 0, 'P'}, {"images", 1, 0, 'I'},
		{"keep-ids", 0, 0, 'k'}, {"seq", 1, 0, 'S'}, {"output", 1, 0, 'o'},
		{"quiet", 0, 0, 'q'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
	opts o = {.cls = -1, .min_score = -INFINITY, .out = "-"};
	int c;
	while ((c = getopt_long(argc, argv, "o:qh", lo, NULL)) != -1) {
		switch (c) {
		case 'm': case 't': case '2': case 'p':
			if (o.in)
				die_usage("give one input: --mots, --trackrcnn, --mots20 or --png");
			o.in = optarg, o.fmt = c;
			break;
		case 'c': o.cls = cli_int("--class", optarg, 0, 1000000); break;
		case 's': o.min_score = cli_num("--min-score", optarg, -1e30, 1e30); break;
		case 'a': o.min_area = cli_int("--min-area", optarg, 0, (long long)1 << 40); break;
		case 'P': o.patch = cli_int("--patch", optarg, 1, 4096); break;
		case 'I': o.images = optarg; break;
		case 'k': o.keep_ids = 1; break;
		case 'S': o.seq = optarg; break;
		case 'o': o.out = optarg; break;
		case 'q': o.quiet = 1; break;
		case 'h': usage(); exit(0);
		default: die_usage("unknown option");
		}
	}
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
	if (!o.in)
		die_usage("no input: give --mots, --trackrcnn, --mots20 or --png");
	if (o.images && !o.patch)
		die_usage("--images needs --patch N");
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
	else
		load_txt(&o, &l);

	/* Checks that hold for the whole input before anything is written. */
	for (size_t i = 1; i < l.n; i++) {
		if (l.v[i].frame < l.v[i - 1].frame)
			die("%s: frame %lld after frame %lld (lines must be in frame order)",
			    where(&o, &l.v[i]), (long long)l.v[i].frame, (long long)l.v[i - 1].frame);
		if (l.v[i].h != l.v[0].h || l.v[i].w != l.v[0].w)
			die("%s: image size %ux%u differs from the first line's %ux%u",
			    where(&o, &l.v[i]), l.v[i].h, l.v[i].w, l.v[0].h, l.v[0].w);
	}

	if (l.n)
		check_pixels(where(&o, &l.v[0]), l.v[0].w, l.v[0].h);

	frame_image fi = {0};
	ms_header h;
	ms_header_init(&h);
	ms_header_set_tool(&h, argc, argv);
	h.seq = o.seq ? xstrdup(o.seq) : cli_stem(o.in);
	if (l.n)
		h.width = (int)l.v[0].w, h.height = (int)l.v[0].h;
	if (o.patch) {
		h.patch[0] = h.patch[1] = (int)o.patch, h.patch[2] = 1;
		if (o.images && l.n)
			h.patch[2] = patch_image_channels(get_image(&o, &fi, &l.v[0]));
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
	ms_det_free(&d);
	ms_header_free(&h);
	return 0;
}
