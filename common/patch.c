#include "patch.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

patch_geom patch_geometry(uint32_t cw, uint32_t ch, uint32_t n)
{
	patch_geom g = {n, n, n, 0, 0};
	/* The long side becomes n; the short one is rounded half up, >= 1. */
	if (cw > ch) {
		g.sh = (uint32_t)(((uint64_t)ch * n * 2 + cw) / (2 * (uint64_t)cw));
		if (!g.sh) g.sh = 1;
	} else if (ch > cw) {
		g.sw = (uint32_t)(((uint64_t)cw * n * 2 + ch) / (2 * (uint64_t)ch));
		if (!g.sw) g.sw = 1;
	}
	g.ox = (n - g.sw) / 2, g.oy = (n - g.sh) / 2;
	return g;
}

/* Overlap weights of source cells with output cell o, in units where a
 * source cell is `out` long and an output cell `in` long: sum = in. */
static inline void span(uint32_t o, uint32_t in, uint32_t out, uint32_t *first, uint32_t *last)
{
	uint64_t a = (uint64_t)o * in, b = a + in;
	*first = (uint32_t)(a / out), *last = (uint32_t)((b - 1) / out);
}

static inline uint64_t weight(uint32_t x, uint32_t o, uint32_t in, uint32_t out)
{
	uint64_t a = (uint64_t)o * in, b = a + in, s = (uint64_t)x * out, e = s + out;
	return (b < e ? b : e) - (a > s ? a : s);
}

void patch_resample(const uint8_t *src, uint32_t cw, uint32_t ch, int c, uint32_t n, uint8_t *out)
{
	memset(out, 0, (size_t)n * n * c);
	if (!cw || !ch || !n)
		return;
	patch_geom g = patch_geometry(cw, ch, n);
	/* Rows first: tmp[y][ox][k] = sum_x wx * src[y][x][k]  (<= 255 * cw). */
	uint32_t *tmp = xmalloc((size_t)ch * g.sw * c * sizeof *tmp);
	uint64_t *acc = xmalloc((size_t)g.sw * c * sizeof *acc);
	for (uint32_t y = 0; y < ch; y++) {
		const uint8_t *row = src + (size_t)y * cw * c;
		uint32_t *t = tmp + (size_t)y * g.sw * c;
		for (uint32_t ox = 0; ox < g.sw; ox++) {
			uint32_t x0, x1;
			span(ox, cw, g.sw, &x0, &x1);
			for (int k = 0; k < c; k++) {
				uint64_t s = 0;
				for (uint32_t x = x0; x <= x1; x++)
					s += weight(x, ox, cw, g.sw) * row[(size_t)x * c + k];
				t[(size_t)ox * c + k] = (uint32_t)s;
			}
		}
	}
	/* Then columns, and the mean over the footprint (cw * ch units). */
	uint64_t d = (uint64_t)cw * ch;
	for (uint32_t oy = 0; oy < g.sh; oy++) {
		uint32_t y0, y1;
		span(oy, ch, g.sh, &y0, &y1);
		memset(acc, 0, (size_t)g.sw * c * sizeof *acc);
		for (uint32_t y = y0; y <= y1; y++) {
			uint64_t wy = weight(y, oy, ch, g.sh);
			const uint32_t *t = tmp + (size_t)y * g.sw * c;
			for (size_t i = 0; i < (size_t)g.sw * c; i++)
				acc[i] += wy * t[i];
		}
		uint8_t *o = out + ((size_t)(g.oy + oy) * n + g.ox) * c;
		for (size_t i = 0; i < (size_t)g.sw * c; i++)
			o[i] = (uint8_t)((2 * acc[i] + d) / (2 * d));
	}
	free(acc);
	free(tmp);
}

void patch_mask(const rle_t *r, rle_box b, uint32_t n, uint8_t *out)
{
	size_t np = (size_t)b.w * b.h;
	uint8_t *crop = xmalloc(np ? np : 1);
	rle_crop(r, (int)b.x, (int)b.y, b.w, b.h, crop);
	for (size_t i = 0; i < np; i++)
		crop[i] = crop[i] ? 255 : 0;
	patch_resample(crop, b.w, b.h, 1, n, out);
	free(crop);
}

int patch_image_channels(const image *im)
{
	return im->c == 1 ? 1 : 3;
}

void patch_image(const rle_t *r, rle_box b, const image *im, uint32_t n, uint8_t *out)
{
	int c = patch_image_channels(im), ic = im->c;
	size_t np = (size_t)b.w * b.h;
	uint8_t *m = xmalloc(np ? np : 1), *src = xmalloc(np * c + 1);
	const uint8_t *px = im->data;
	rle_crop(r, (int)b.x, (int)b.y, b.w, b.h, m);
	for (uint32_t y = 0; y < b.h; y++)
		for (uint32_t x = 0; x < b.w; x++) {
			size_t i = (size_t)y * b.w + x;
			uint32_t X = b.x + x, Y = b.y + y;
			if (m[i] && X < im->w && Y < im->h) {
				const uint8_t *p = px + ((size_t)Y * im->w + X) * ic;
				for (int k = 0; k < c; k++)
					src[i * c + k] = p[k];
			} else {
				for (int k = 0; k < c; k++)
					src[i * c + k] = 0;
			}
		}
	patch_resample(src, b.w, b.h, c, n, out);
	free(src);
	free(m);
}
