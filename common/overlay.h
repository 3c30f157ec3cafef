/* overlay.h: drawing tracks on frames for people to look at: each track's
 * mask tinted in a colour that depends only on its id (the same in every
 * frame and every run), its outline in the full colour, and its id written
 * at the top-left corner of its box with a small built-in 5x7 font. */
#ifndef USC_OVERLAY_H
#define USC_OVERLAY_H

#include <stdint.h>

#include "pngio.h"
#include "rle.h"

/* Copies an 8-bit gray, RGB or RGBA image into a new RGB image. */
void overlay_to_rgb(const image *in, image *out);
/* The colour of track id: hues spread by the golden ratio, so that
 * consecutive ids differ clearly. */
void overlay_colour(int64_t id, uint8_t rgb[3]);
/* Blends the mask in at half strength and draws its outline. */
void overlay_mask(image *rgb, const rle_t *mask, int64_t id);
/* Writes the id in the track's colour on a small black plate, just above
 * the box at (x, y) of height box_h (below or inside when there is no room),
 * kept inside the image. */
void overlay_label(image *rgb, int x, int y, int box_h, int64_t id);

#endif
