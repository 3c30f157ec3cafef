/* rle.h: COCO compressed run-length masks, exactly as pycocotools.
 *
 * A mask of h x w pixels is read in column-major order (index x*h + y).
 * counts alternate runs of 0s and 1s and always start with a 0-run (which
 * may be empty), so the counts sum to h*w. The string form packs each count
 * (a delta against the count two back, from index 3 on) in 5-bit groups,
 * 6 bits per character, characters '0'..'o'. See mots-stream(5). */
#ifndef USC_RLE_H
#define USC_RLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct rle {
	uint32_t h, w;     /* image size */
	uint32_t m;        /* number of counts */
	uint32_t *cnts;    /* m runs, owned (malloc) */
} rle_t;

/* Box of a mask, in pixels: left column, top row, width, height. */
typedef struct { uint32_t x, y, w, h; } rle_box;

void rle_free(rle_t *r);
/* Copies src into dst, whose runs buffer (dst->cnts, room for *cap counts,
 * or NULL and 0) is reused, or replaced when too small. */
void rle_copy_into(rle_t *dst, size_t *cap, const rle_t *src);
/* Takes ownership of nothing: copies cnts. */
void rle_init(rle_t *r, uint32_t h, uint32_t w, uint32_t m, const uint32_t *cnts);

/* Parses a COCO string for an h x w image. Returns 0, or -1 with a message
 * in err (characters outside '0'..'o', a count out of range, counts that do
 * not sum to h*w). Empty runs after the first (which no encoder writes)
 * are merged away, so r is canonical: rle_to_string(r) gives s back for
 * every string an encoder made. */
int rle_from_string(rle_t *r, const char *s, uint32_t h, uint32_t w, char *err, size_t errn);
/* The COCO string of r (malloc'd, NUL-terminated). */
char *rle_to_string(const rle_t *r);

/* Encodes / decodes a row-major h x w mask (nonzero = on). */
void rle_encode(rle_t *r, const uint8_t *mask, uint32_t h, uint32_t w);
void rle_decode(const rle_t *r, uint8_t *mask);   /* writes 0/1, h*w bytes */

uint64_t rle_area(const rle_t *r);
/* Bounding box as pycocotools rleToBbox: the tight box of the set pixels
 * (a run that crosses a column covers the bottom and top rows, so the box
 * spans the whole height); all zero for an empty mask. */
rle_box rle_bbox(const rle_t *r);

/* Intersection area of two masks of the same size. */
uint64_t rle_intersection(const rle_t *a, const rle_t *b);
/* pycocotools rleIou(dt, gt, iscrowd) for one pair: bounding-box IoU first
 * (0 ends it), then the runs. iscrowd gives |dt & gt| / |dt| (IoA).
 * Different sizes give -1. */
double rle_iou(const rle_t *dt, const rle_t *gt, int iscrowd);
/* Same, with boxes the caller computed once with rle_bbox(). */
double rle_iou_bb(const rle_t *dt, rle_box db, const rle_t *gt, rle_box gb, int iscrowd);

/* pycocotools rleMerge of n masks: union, or intersection when intersect
 * is set. n == 0 gives a 0 x 0 mask; different sizes give 0 x 0 too. */
void rle_merge(rle_t *out, const rle_t *in, size_t n, int intersect);
/* a minus b (pixels of a not in b). */
void rle_minus(rle_t *out, const rle_t *a, const rle_t *b);

/* Writes the crop [x0, x0+cw) x [y0, y0+ch) of the mask to out (row-major,
 * cw*ch bytes, 0/1). Pixels outside the image are 0. */
void rle_crop(const rle_t *r, int x0, int y0, uint32_t cw, uint32_t ch, uint8_t *out);

#endif
