/* trackout.c: the output formats of a tracked sequence (trackout.h). */
#include "track/trackout.h"
#include "coco.h"
#include "err.h"
#include "frames.h"
#include "mot_txt.h"
#include "mots_txt.h"
#include "overlay.h"
#include "pngio.h"
#include "rle.h"

#include <string.h>

int trackout_mask_box(const post_rec *r, uint32_t hh, uint32_t ww, double b[4], char *err,
		      size_t errn)
{
	if (r->rle) {
		rle_t m;
		char e[200];
		if (rle_from_string(&m, r->rle, hh, ww, e, sizeof e) != 0)
			return errf(err, errn, "record %llu: %s", (unsigned long long)r->n, e);
		rle_box bb = rle_bbox(&m);
		rle_free(&m);
		b[0] = bb.x, b[1] = bb.y, b[2] = bb.w, b[3] = bb.h;
	} else {
		for (int i = 0; i < 4; i++)
			b[i] = r->box[i];
	}
	return 0;
}

int trackout_mots(FILE *fp, const char *path, const post_rec *v, size_t n, uint32_t hh,
		  uint32_t ww, char *err, size_t errn)
{
	for (size_t i = 0; i < n; i++) {
		if (!v[i].rle)
			return errf(err, errn, "%s: record %llu has no mask (\"rle\") for a MOTS txt line",
				    path, (unsigned long long)v[i].n);
		mots_write_line(fp, v[i].f, v[i].id, v[i].cls, hh, ww, v[i].rle);
	}
	return 0;
}

int trackout_mot(FILE *fp, const post_rec *v, size_t n, uint32_t hh, uint32_t ww, char *err,
		 size_t errn)
{
	for (size_t i = 0; i < n; i++) {
		double b[4];
		if (trackout_mask_box(&v[i], hh, ww, b, err, errn) != 0)
			return -1;
		mot_write_line(fp, v[i].f, v[i].id, b[0] + 1, b[1] + 1, b[2], b[3],
			       v[i].has_score ? v[i].score : 1, 1);
	}
	return 0;
}

int trackout_coco(FILE *fp, const char *path, const post_rec *v, size_t n, uint32_t hh,
		  uint32_t ww, int64_t offset, size_t *count, char *err, size_t errn)
{
	for (size_t i = 0; i < n; i++) {
		coco_rec c = { v[i].f + offset, v[i].cls, v[i].id, 1, v[i].has_score ? v[i].score : 1,
			       { 0 }, hh, ww, v[i].rle };
		if (trackout_mask_box(&v[i], hh, ww, c.box, err, errn) != 0)
			return -1;
		if (coco_write_rec(fp, &c, (*count)++) != 0)
			return errf(err, errn, "%s: write error: %m", path);
	}
	return 0;
}

int trackout_png_value(const post_rec *r, const char *path, uint16_t *val, char *err, size_t errn)
{
	if (r->id >= 10000 && r->id <= 65535)
		*val = (uint16_t)r->id;
	else if (r->id / 1000 == r->cls && r->id > 0)
		*val = (uint16_t)r->id;
	else if (r->id < 1 || r->id > 999 || r->cls < 0 || r->cls > 65)
		return errf(err, errn, "%s: record %llu: id %lld of class %d does not fit the PNG format "
			    "class*1000+id", path, (unsigned long long)r->n, (long long)r->id, r->cls);
	else
		*val = (uint16_t)(r->cls * 1000 + r->id);
	return 0;
}

int trackout_paint_ids(const post_rec *v, size_t n, uint32_t hh, uint32_t ww, const char *path,
		       uint16_t *px, char *err, size_t errn)
{
	memset(px, 0, (size_t)ww * hh * sizeof *px);
	for (size_t i = 0; i < n; i++) {
		if (!v[i].rle)
			continue;
		rle_t r;
		char e[200];
		if (rle_from_string(&r, v[i].rle, hh, ww, e, sizeof e) != 0)
			return errf(err, errn, "record %llu: %s", (unsigned long long)v[i].n, e);
		uint16_t val = 0;
		if (trackout_png_value(&v[i], path, &val, err, errn) != 0) {
			rle_free(&r);
			return -1;
		}
		/* Straight from the runs (column-major). */
		uint64_t k = 0;
		for (uint32_t j = 0; j < r.m; j++) {
			uint64_t e2 = k + r.cnts[j];
			if (j % 2)
				for (uint64_t q = k; q < e2; q++)
					px[(size_t)(q % hh) * ww + q / hh] = val;
			k = e2;
		}
		rle_free(&r);
	}
	return 0;
}

/* Saves a frame; on failure the message names the file where the user
 * will look for it. */
static int save_frame(const outfile *od, int64_t f, const image *im, char *err, size_t errn)
{
	char path[4200], e[600], shown[5000];
	snprintf(path, sizeof path, "%s/%06lld.png", od->tmp, (long long)f);
	if (png_save(path, im, e, sizeof e) != 0)
		return errf(err, errn, "%s", outdir_shown(od, e, shown, sizeof shown));
	return 0;
}

int trackout_png_frame(const outfile *od, int64_t f, const post_rec *v, size_t n, uint32_t hh,
		       uint32_t ww, uint16_t *buf, char *err, size_t errn)
{
	if (trackout_paint_ids(v, n, hh, ww, od->path, buf, err, errn) != 0)
		return -1;
	image im = {ww, hh, 1, 16, buf};
	return save_frame(od, f, &im, err, errn);
}

int trackout_overlay_frame(const outfile *od, const char *images, int64_t f, const post_rec *v,
			   size_t n, uint32_t hh, uint32_t ww, char *err, size_t errn)
{
	char src[4200], e[600];
	image im;
	if (frame_png_path(images, f, src, sizeof src) != 0)
		return errf(err, errn, "%s: no image for frame %lld", src, (long long)f);
	if (png_load(src, &im, e, sizeof e) != 0)
		return errf(err, errn, "%s", e);
	if (im.depth != 8 || im.w != ww || im.h != hh) {
		image_free(&im);
		return errf(err, errn, "%s: want an 8-bit %ux%u image", src, ww, hh);
	}
	image rgb;
	overlay_to_rgb(&im, &rgb);
	image_free(&im);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!v[i].rle)
			continue;
		rle_t r;
		if (rle_from_string(&r, v[i].rle, rgb.h, rgb.w, e, sizeof e) != 0) {
			rc = errf(err, errn, "record %llu: %s", (unsigned long long)v[i].n, e);
			break;
		}
		overlay_mask(&rgb, &r, v[i].id);
		rle_free(&r);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		double b[4];
		if ((rc = trackout_mask_box(&v[i], hh, ww, b, err, errn)) == 0)
			overlay_label(&rgb, (int)b[0], (int)b[1], (int)b[3], v[i].id);
	}
	if (rc == 0)
		rc = save_frame(od, f, &rgb, err, errn);
	image_free(&rgb);
	return rc;
}
