/* coco_poly.h: polygons and boxes to masks, exactly as pycocotools.
 *
 * pycocotools' rleFrPoly: the outline is scaled by 5 and traced densely,
 * the points where it crosses a pixel column centre become column
 * boundaries, and the sorted boundaries are the runs. The result is
 * pixel-identical to pycocotools (the same integer and double arithmetic
 * in the same order), so COCO polygon annotations give the masks every
 * COCO tool sees. */
#ifndef USC_COCO_POLY_H
#define USC_COCO_POLY_H

#include <stddef.h>

#include "rle.h"

/* Coordinates beyond this (in pixels) are refused: pycocotools would
 * overflow an int, and the outline would take unbounded memory. */
#define COCO_POLY_MAX_COORD 1e7
/* Points of the traced outline (5 per pixel of perimeter). */
#define COCO_POLY_MAX_POINTS ((size_t)1 << 24)

/* The mask of the closed polygon xy[0..2k) = x1,y1,x2,y2,... (k >= 1) in
 * an h x w image (h, w >= 1). Returns 0, or -1 with a message in err
 * (a coordinate not finite or out of range, an outline too long). */
int coco_poly_rle(rle_t *r, const double *xy, size_t k, uint32_t h, uint32_t w, char *err, size_t errn);
/* pycocotools rleFrBbox: the polygon of the box x, y, w, h. */
int coco_poly_box(rle_t *r, const double bb[4], uint32_t h, uint32_t w, char *err, size_t errn);

#endif
