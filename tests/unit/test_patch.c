/* Patches: geometry and area resampling against values computed by hand. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "patch.h"

static void geom(uint32_t cw, uint32_t ch, uint32_t n, uint32_t sw, uint32_t sh, uint32_t ox, uint32_t oy)
{
	patch_geom g = patch_geometry(cw, ch, n);
	cr_assert(g.sw == sw && g.sh == sh && g.ox == ox && g.oy == oy,
		  "%ux%u -> %u: got %ux%u at %u,%u", cw, ch, n, g.sw, g.sh, g.ox, g.oy);
}

Test(patch, geometry_keeps_aspect_and_centres)
{
	geom(4, 2, 4, 4, 2, 0, 1);
	geom(3, 1, 2, 2, 1, 0, 0);       /* 2/3 rounds to 1 */
	geom(1, 3, 4, 1, 4, 1, 0);       /* 4/3 rounds to 1, (4-1)/2 = 1 */
	geom(5, 3, 128, 128, 77, 0, 25); /* 76.8 -> 77, (128-77)/2 = 25 */
	geom(7, 7, 28, 28, 28, 0, 0);
	geom(100, 1, 28, 28, 1, 0, 13);  /* never below one pixel */
}

Test(patch, shrink_by_area_average)
{
	/* 3x2 region to 2x2: sw = 2, sh = round(2*2/3) = 1, oy = 0.
	 * Output x footprints are 1.5 source pixels: weights 2:1 and 1:2 (in
	 * halves), rows 1:1; the mean over 3 x 2 = 6 units:
	 *   left  = (2*(255+255) + 1*(255+0)) / 6 = 212.5 -> 213
	 *   right = (1*(255+0)   + 2*(0+0))   / 6 = 42.5  -> 43 */
	const uint8_t src[6] = {255, 255, 0, 255, 0, 0};
	uint8_t out[4];
	patch_resample(src, 3, 2, 1, 2, out);
	cr_assert(out[0] == 213 && out[1] == 43 && out[2] == 0 && out[3] == 0,
		  "%u %u %u %u", out[0], out[1], out[2], out[3]);

	/* 4x4 to 2x2, one pixel on in each 2x2 block: 255/4 = 63.75 -> 64. */
	uint8_t s4[16] = {0}, o4[4];
	s4[0] = s4[3] = s4[12] = s4[15] = 255;
	patch_resample(s4, 4, 4, 1, 2, o4);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(o4[i], 64);
}

Test(patch, enlarge_and_pad)
{
	/* 2x1 [255, 0] to 4x4: sw = 4, sh = 2, rows 1-2, each source pixel
	 * covering two patch pixels. */
	const uint8_t src[2] = {255, 0};
	const uint8_t want[16] = {0, 0, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 0, 0, 0, 0};
	uint8_t out[16];
	patch_resample(src, 2, 1, 1, 4, out);
	cr_assert(memcmp(out, want, 16) == 0);

	/* 3x1 [255, 0, 255] to 2x2: sw = 2, sh = 1 (row 0); each output pixel
	 * takes 1.5 pixels: (2*255 + 1*0)/3 = 170 on both sides. */
	const uint8_t s3[3] = {255, 0, 255};
	patch_resample(s3, 3, 1, 1, 2, out);
	cr_assert(out[0] == 170 && out[1] == 170 && out[2] == 0 && out[3] == 0);

	/* Channels are resampled independently. */
	const uint8_t rgb[6] = {10, 20, 30, 40, 50, 60};   /* 2x1 RGB */
	uint8_t o2[12];
	patch_resample(rgb, 2, 1, 3, 2, o2);   /* sw = 2, sh = 1, oy = 0: a copy */
	cr_assert(memcmp(o2, rgb, 6) == 0);
	for (int i = 6; i < 12; i++)
		cr_assert_eq(o2[i], 0);
}

/* An h x w mask from a picture ('#' on). */
static void mask_of(rle_t *r, const char *pic, uint32_t h, uint32_t w)
{
	uint8_t *px = malloc((size_t)h * w);
	for (size_t i = 0; i < (size_t)h * w; i++)
		px[i] = pic[i] == '#';
	rle_encode(r, px, h, w);
	free(px);
}

Test(patch, mask_patch_of_a_detection)
{
	rle_t r;
	mask_of(&r, "......"
		    "..##.."
		    "..#..."
		    "......", 4, 6);
	rle_box b = rle_bbox(&r);
	cr_assert(b.x == 2 && b.y == 1 && b.w == 2 && b.h == 2);
	uint8_t out[16];
	patch_mask(&r, b, 4, out);   /* 2x2 box to 4x4: each pixel becomes a 2x2 block */
	const uint8_t want[16] = {255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 255, 255, 0, 0};
	cr_assert(memcmp(out, want, 16) == 0);
	rle_free(&r);
}

Test(patch, masked_image_patch)
{
	rle_t r;
	mask_of(&r, "...."
		    ".##."
		    ".#.."
		    "....", 4, 4);
	rle_box b = rle_bbox(&r);
	uint8_t px[48];
	for (int i = 0; i < 48; i++)
		px[i] = (uint8_t)(i + 1);
	image rgb = {4, 4, 3, 8, px};
	uint8_t out[12];
	cr_assert_eq(patch_image_channels(&rgb), 3);
	patch_image(&r, b, &rgb, 2, out);   /* 2x2 box to 2x2: the pixels under the mask */
	const uint8_t want[12] = {16, 17, 18, 19, 20, 21, 28, 29, 30, 0, 0, 0};
	cr_assert(memcmp(out, want, 12) == 0);

	uint8_t gray[16];
	for (int i = 0; i < 16; i++)
		gray[i] = (uint8_t)(100 + i);
	image g = {4, 4, 1, 8, gray};
	cr_assert_eq(patch_image_channels(&g), 1);
	patch_image(&r, b, &g, 2, out);
	cr_assert(out[0] == 105 && out[1] == 106 && out[2] == 109 && out[3] == 0);

	/* RGBA: the alpha channel is dropped. */
	uint8_t rgba[64] = {0};
	for (int i = 0; i < 16; i++)
		rgba[4 * i] = (uint8_t)i, rgba[4 * i + 3] = 200;
	image a = {4, 4, 4, 8, rgba};
	cr_assert_eq(patch_image_channels(&a), 3);
	patch_image(&r, b, &a, 2, out);
	cr_assert(out[0] == 5 && out[1] == 0 && out[2] == 0 && out[3] == 6);
	rle_free(&r);
}

Test(patch, empty_mask_gives_zeros)
{
	rle_t r;
	mask_of(&r, "......", 2, 3);
	uint8_t out[9];
	memset(out, 7, sizeof out);
	patch_mask(&r, rle_bbox(&r), 3, out);
	for (int i = 0; i < 9; i++)
		cr_assert_eq(out[i], 0);
	rle_free(&r);
}
