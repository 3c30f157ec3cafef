/* trackout.h: a tracked sequence's records (post.h) written out as
 * mots-write(1) writes them: MOTS txt, MOTChallenge box txt and COCO
 * results lines, 16-bit instance maps and overlay frames. Here rather
 * than in the tool so that each format can be used and tested alone.
 *
 * v holds the n records of one frame, in stream order; images are
 * hh x ww. Each function returns 0, or -1 with the message in err; a
 * line writer stops at the first record it cannot write. */
#ifndef USC_TRACKOUT_H
#define USC_TRACKOUT_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "outfile.h"
#include "track/post.h"

/* The box x, y, w, h of a record's mask, or its own box when it has none. */
int trackout_mask_box(const post_rec *r, uint32_t hh, uint32_t ww, double b[4], char *err,
		      size_t errn);

/* MOTS txt lines; every record needs a mask (path names the output in
 * that message). */
int trackout_mots(FILE *fp, const char *path, const post_rec *v, size_t n, uint32_t hh,
		  uint32_t ww, char *err, size_t errn);

/* MOTChallenge box txt lines "frame,id,x,y,w,h,score,-1,-1,-1": the box
 * of the mask with a 1-based top-left corner, score 1 when the record has
 * none. Boxes and scores are float32 in a stream, so they print as floats. */
int trackout_mot(FILE *fp, const post_rec *v, size_t n, uint32_t hh, uint32_t ww, char *err,
		 size_t errn);

/* COCO results objects: image_id = frame + offset, the box of the mask,
 * score 1 when the record has none. *count is the objects of the list
 * written so far (coco_write_rec's i); coco_write_end closes the list. */
int trackout_coco(FILE *fp, const char *path, const post_rec *v, size_t n, uint32_t hh,
		  uint32_t ww, int64_t offset, size_t *count, char *err, size_t errn);

/* The 16-bit value of a record in an instance map: class*1000 + id, or the
 * id itself when it already reads so (ground truth ids, ignore regions).
 * path names the map folder in the message. */
int trackout_png_value(const post_rec *r, const char *path, uint16_t *val, char *err, size_t errn);

/* Paints the instance map px (hh x ww, row-major) of the records' masks,
 * 0 elsewhere; later masks win overlaps. */
int trackout_paint_ids(const post_rec *v, size_t n, uint32_t hh, uint32_t ww, const char *path,
		       uint16_t *px, char *err, size_t errn);

/* Frame f as od->tmp/NNNNNN.png, in the folder being built; messages name
 * od->path, the folder the user asked for. An instance map (buf: hh * ww
 * values of scratch), or the frame from images with the masks, outlines
 * and ids drawn (overlay.h). */
int trackout_png_frame(const outfile *od, int64_t f, const post_rec *v, size_t n, uint32_t hh,
		       uint32_t ww, uint16_t *buf, char *err, size_t errn);
int trackout_overlay_frame(const outfile *od, const char *images, int64_t f, const post_rec *v,
			   size_t n, uint32_t hh, uint32_t ww, char *err, size_t errn);

#endif
