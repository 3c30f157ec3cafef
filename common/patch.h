/* patch.h: fixed-size square patches of a detection, the network's input.
 *
 * The box region (the mask's bounding box) is resized with its aspect ratio
 * kept so that its longer side becomes N, then centred on an N x N square
 * of zeros (as Mask R-CNN's resize_image(mode="square") in the released
 * code: offsets floor((N - side) / 2), shorter side round(side * N / long)).
 *
 * Resampling is the area (box-filter) average, computed exactly in
 * integers: each patch pixel is the mean of the source region it covers,
 * every source pixel weighted by the area it shares with that footprint,
 * then rounded half up. It is the same rule for shrinking and enlarging,
 * needs no tuning, and keeps the mean mass of the mask.
 *
 *   mask patch:   1 channel, 255 * (covered fraction of the mask)
 *   image patch:  the image multiplied by the binary mask (pixels outside
 *                 the mask are 0), c = 1 for gray images, 3 for RGB (an
 *                 alpha channel is dropped). */
#ifndef USC_PATCH_H
#define USC_PATCH_H

#include <stddef.h>
#include <stdint.h>

#include "pngio.h"
#include "rle.h"

/* Where the resized region lands in the N x N patch. */
typedef struct patch_geom {
	uint32_t n;        /* patch side */
	uint32_t sw, sh;   /* resized region, 1..n */
	uint32_t ox, oy;   /* its top-left corner in the patch */
} patch_geom;

/* Geometry for a cw x ch region (both > 0). */
patch_geom patch_geometry(uint32_t cw, uint32_t ch, uint32_t n);

/* Resamples a cw x ch region of c interleaved uint8 channels into the
 * n x n x c patch out (zero padded). An empty region gives zeros. */
void patch_resample(const uint8_t *src, uint32_t cw, uint32_t ch, int c, uint32_t n, uint8_t *out);

/* The mask patch of r over box b (n*n bytes). */
void patch_mask(const rle_t *r, rle_box b, uint32_t n, uint8_t *out);

/* The masked-image patch (n*n*c bytes, c = patch_image_channels(im)).
 * im must be 8-bit and of the mask's size. */
int patch_image_channels(const image *im);
void patch_image(const rle_t *r, rle_box b, const image *im, uint32_t n, uint8_t *out);

#endif
