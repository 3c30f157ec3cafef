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

/* The area weights of one axis: output cell o covers source cells
 * first[o] .. first[o] + count[o] - 1 with weights w[off[o] ...], in units
 * where a source cell is `out` long and an output cell `in` long, so the
 * weights of every output cell sum to `in`. */
typedef struct axis {
	uint32_t *first, *count, *off, *w;
} axis;

static void axis_make(axis *a, uint32_t in, uint32_t out)
{
	a->first = xmalloc(3 * (size_t)out * sizeof *a->first);
	a->count = a->first + out, a->off = a->count + out;
	a->w = xmalloc(((size_t)in + out) * sizeof *a->w);
	size_t k = 0;
	for (uint32_t o = 0; o < out; o++) {
		uint64_t lo = (uint64_t)o * in, hi = lo + in;
		uint32_t x0 = (uint32_t)(lo / out), x1 = (uint32_t)((hi - 1) / out);
		a->first[o] = x0, a->count[o] = x1 - x0 + 1, a->off[o] = (uint32_t)k;
		for (uint32_t x = x0; x <= x1; x++) {
			uint64_t s = (uint64_t)x * out, e = s + out;
			a->w[k++] = (uint32_t)((hi < e ? hi : e) - (lo > s ? lo : s));
		}
	}
}

static void axis_free(axis *a)
{
	free(a->first);
	free(a->w);
}

void patch_resample(const uint8_t *src, uint32_t cw, uint32_t ch, int c, uint32_t n, uint8_t *out)
{
	memset(out, 0, (size_t)n * n * c);
	if (!cw || !ch || !n)
		return;
	patch_geom g = patch_geometry(cw, ch, n);
	axis ax, ay;
	axis_make(&ax, cw, g.sw);
	axis_make(&ay, ch, g.sh);
	size_t row = (size_t)g.sw * c;
	/* Rows first: tmp[y][ox][k] = sum_x wx * src[y][x][k]  (<= 255 * cw). */
	uint32_t *tmp = xmalloc((size_t)ch * row * sizeof *tmp);
	uint64_t *acc = xmalloc(row * sizeof *acc);
	for (uint32_t y = 0; y < ch; y++) {
		const uint8_t *sr = src + (size_t)y * cw * c;
		uint32_t *t = tmp + (size_t)y * row;
		for (uint32_t ox = 0; ox < g.sw; ox++) {
			const uint32_t *w = ax.w + ax.off[ox];
			const uint8_t *p = sr + (size_t)ax.first[ox] * c;
			uint32_t m = ax.count[ox];
			for (int k = 0; k < c; k++) {
				uint32_t s = 0;
				for (uint32_t i = 0; i < m; i++)
					s += w[i] * p[(size_t)i * c + k];
				t[(size_t)ox * c + k] = s;
			}
		}
	}
	/* Then columns, and the mean over the footprint (cw * ch units),
	 * rounded half up: q = floor((2 acc + d) / 2d). The division goes
	 * through a double reciprocal and an exact integer correction, as
	 * 64-bit division per pixel would dominate the whole patch. */
	uint64_t d = (uint64_t)cw * ch, d2 = 2 * d;
	double inv = 1.0 / (double)d2;
	for (uint32_t oy = 0; oy < g.sh; oy++) {
		const uint32_t *w = ay.w + ay.off[oy];
		memset(acc, 0, row * sizeof *acc);
		for (uint32_t i = 0; i < ay.count[oy]; i++) {
			uint64_t wy = w[i];
			const uint32_t *t = tmp + (size_t)(ay.first[oy] + i) * row;
			for (size_t j = 0; j < row; j++)
				acc[j] += wy * t[j];
		}
		uint8_t *o = out + ((size_t)(g.oy + oy) * n + g.ox) * c;
		for (size_t j = 0; j < row; j++) {
			uint64_t x = 2 * acc[j] + d, q = (uint64_t)((double)x * inv);
			if (q * d2 > x)
				q--;
			else if ((q + 1) * d2 <= x)
				q++;
			o[j] = (uint8_t)q;
		}
	}
	free(acc);
	free(tmp);
	axis_free(&ax);
	axis_free(&ay);
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
