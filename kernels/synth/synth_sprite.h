/* synth_sprite.h: the pieces of a Sprites-MOT object (usc-mots-method(7),
 * SYNTHETIC DATA):
 * the four 21x21 shape templates, the six colours, and the bilinear resize
 * of OpenCV's cv2.resize(INTER_LINEAR) on uint8, reproduced to the bit. */
#ifndef USC_SYNTH_SPRITE_H
#define USC_SYNTH_SPRITE_H

#include <stdint.h>

#define SPRITE_SIDE 21      /* template side */
#define SPRITE_SHAPES 4     /* circle, rectangle, triangle, diamond */
#define SPRITE_COLOURS 6

/* Fills t (21*21 bytes, row-major) with template `shape` (0..3): 255 on,
 * 0 off. Pixel counts: circle 349, rectangle 441, triangle 241, diamond 221. */
void sprite_template(int shape, uint8_t *t);

/* Colour i (0..5) as R, G, B: blue, green, cyan, red, magenta, yellow. */
void sprite_colour(int i, uint8_t rgb[3]);

/* cv2.resize(src, (dw, dh), interpolation=INTER_LINEAR) for one uint8
 * channel: half-pixel centres, source index clamped at the borders, 11-bit
 * fixed-point weights, and the vertical pass rounded as OpenCV's SIMD code
 * rounds it. Checked equal, pixel for pixel, to cv2.resize of OpenCV 4.6
 * (Debian 12) for the four templates at every size 5..60 x 5..60 and for
 * random images. src is sh x sw and dst dh x dw, row-major; equal sizes
 * copy. Sides up to 64. */
void resize_linear_u8(const uint8_t *src, int sh, int sw, uint8_t *dst, int dh, int dw);

#endif
