#include "overlay.h"
#include "err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void overlay_to_rgb(const image *in, image *out)
{
	size_t np = (size_t)in->w * in->h;
	const uint8_t *s = in->data;
	uint8_t *d = xmalloc(np * 3);
	for (size_t i = 0; i < np; i++)
		for (int k = 0; k < 3; k++)
			d[3 * i + k] = in->c == 1 ? s[i] : s[i * in->c + k];
	out->w = in->w, out->h = in->h, out->c = 3, out->depth = 8, out->data = d;
}

void overlay_colour(int64_t id, uint8_t rgb[3])
{
	double hue = fmod((double)(uint64_t)id * 0.618033988749895, 1.0) * 6.0;
	double s = 0.8, v = 1.0, c = v * s, x = c * (1 - fabs(fmod(hue, 2.0) - 1)), m = v - c;
	double r = 0, g = 0, b = 0;
	switch ((int)hue) {
	case 0: r = c, g = x; break;
	case 1: r = x, g = c; break;
	case 2: g = c, b = x; break;
	case 3: g = x, b = c; break;
	case 4: r = x, b = c; break;
	default: r = c, b = x; break;
	}
	rgb[0] = (uint8_t)lround(255 * (r + m));
	rgb[1] = (uint8_t)lround(255 * (g + m));
	rgb[2] = (uint8_t)lround(255 * (b + m));
}

void overlay_mask(image *rgb, const rle_t *mask, int64_t id)
{
	uint32_t w = rgb->w, h = rgb->h;
	uint8_t col[3], *px = rgb->data, *m = xmalloc((size_t)w * h);
	overlay_colour(id, col);
	rle_decode(mask, m);
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++) {
			size_t i = (size_t)y * w + x;
			if (!m[i])
				continue;
			int edge = x == 0 || y == 0 || x == w - 1 || y == h - 1 || !m[i - 1] || !m[i + 1]
				|| !m[i - w] || !m[i + w];
			for (int k = 0; k < 3; k++)
				px[3 * i + k] = edge ? col[k] : (uint8_t)((px[3 * i + k] + col[k] + 1) / 2);
		}
	free(m);
}

/* 5x7 glyphs, one byte per row, bit 4 the leftmost column: 0-9 then '-'. */
static const uint8_t font[11][7] = {
	{0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e}, {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e},
	{0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f}, {0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e},
	{0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02}, {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e},
	{0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e}, {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08},
	{0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e}, {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c},
	{0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00}};

/* The label goes just above the box (below it, or inside, when there is no
 * room), so it never hides the object; glyphs are 2x on frames of 360 rows
 * or more. Text in the track's colour on a black plate. */
void overlay_label(image *rgb, int bx, int by, int bh_box, int64_t id)
{
	char s[24];
	int n = snprintf(s, sizeof s, "%lld", (long long)id);
	int w = (int)rgb->w, h = (int)rgb->h, sc = h >= 360 ? 2 : 1;
	int bw = (n * 6 + 1) * sc, bh = 9 * sc, x = bx, y = by - bh;
	uint8_t col[3], *px = rgb->data;
	overlay_colour(id, col);
	if (y < 0)
		y = by + bh_box;
	if (y + bh > h)
		y = by;
	if (x + bw > w) x = w - bw;
	if (y + bh > h) y = h - bh;
	if (x < 0) x = 0;
	if (y < 0) y = 0;
	for (int yy = y; yy < y + bh && yy < h; yy++)
		for (int xx = x; xx < x + bw && xx < w; xx++) {
			int gx = (xx - x) / sc - 1, gy = (yy - y) / sc - 1, on = 0;
			if (gx >= 0 && gy >= 0 && gy < 7 && gx / 6 < n && gx % 6 < 5) {
				char ch = s[gx / 6];
				const uint8_t *g = font[ch == '-' ? 10 : ch - '0'];
				on = (g[gy] >> (4 - gx % 6)) & 1;
			}
			uint8_t *p = px + 3 * ((size_t)yy * w + xx);
			for (int k = 0; k < 3; k++)
				p[k] = on ? col[k] : 0;
		}
}
