#include "rle.h"
#include "box.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

void rle_free(rle_t *r)
{
	free(r->cnts);
	r->cnts = NULL;
	r->m = 0;
}

void rle_copy_into(rle_t *dst, size_t *cap, const rle_t *src)
{
	if (*cap < src->m) {
		*cap = src->m + src->m / 2 + 8;
		free(dst->cnts);
		dst->cnts = xmalloc(*cap * sizeof *dst->cnts);
	}
	dst->h = src->h, dst->w = src->w, dst->m = src->m;
	if (src->m)
		memcpy(dst->cnts, src->cnts, src->m * sizeof *dst->cnts);
}

void rle_init(rle_t *r, uint32_t h, uint32_t w, uint32_t m, const uint32_t *cnts)
{
	r->h = h, r->w = w, r->m = m;
	r->cnts = xmalloc((m ? m : 1) * sizeof *r->cnts);
	if (m)
		memcpy(r->cnts, cnts, m * sizeof *cnts);
}

int rle_from_string(rle_t *r, const char *s, uint32_t h, uint32_t w, char *err, size_t errn)
{
	size_t n = strlen(s), m = 0;
	uint64_t total = 0, size = (uint64_t)h * w;
	uint32_t *c = xmalloc((n ? n : 1) * sizeof *c);
	size_t p = 0;
	r->cnts = NULL, r->m = 0, r->h = h, r->w = w;
	if (size > UINT32_MAX) {
		free(c);
		return errf(err, errn, "RLE image size %ux%u is too large", h, w);
	}
	while (p < n) {
		uint64_t x = 0;
		int k = 0, more = 1;
		while (more) {
			if (p >= n) {
				free(c);
				return errf(err, errn, "RLE string ends inside a count");
			}
			int ch = (unsigned char)s[p] - 48;
			if (ch < 0 || ch > 63) {
				free(c);
				return errf(err, errn, "RLE string has character '%c' outside '0'..'o'", s[p]);
			}
			if (k >= 12) {
				free(c);
				return errf(err, errn, "RLE count too long");
			}
			x |= (uint64_t)(ch & 0x1f) << (5 * k);
			more = ch & 0x20;
			p++, k++;
			if (!more && (ch & 0x10))
				x |= ~(uint64_t)0 << (5 * k);   /* sign-extend */
		}
		int64_t v = (int64_t)x;
		if (m > 2)
			v += c[m - 2];
		if (v < 0 || v > (int64_t)UINT32_MAX) {
			free(c);
			return errf(err, errn, "RLE count %zu out of range (%lld)", m, (long long)v);
		}
		c[m++] = (uint32_t)v;
		total += (uint64_t)v;
	}
	if (total != size) {
		free(c);
		return errf(err, errn, "RLE runs sum to %llu, not %ux%u = %llu",
			    (unsigned long long)total, h, w, (unsigned long long)size);
	}
	/* Empty runs after the first join their neighbours: [a, 0, b] is the
	 * run a + b. No encoder writes them, but a hand-made string can, and
	 * rleToBbox would then give a box outside the image. */
	size_t q = m ? 1 : 0;
	for (size_t i = 1; i < m; i++) {
		if (c[i] == 0 && i + 1 < m)
			c[q - 1] += c[++i];
		else if (c[i] != 0)
			c[q++] = c[i];
	}
	r->cnts = c, r->m = (uint32_t)q;
	return 0;
}

char *rle_to_string(const rle_t *r)
{
	char *s = xmalloc((size_t)r->m * 7 + 1), *q = s;
	for (uint32_t i = 0; i < r->m; i++) {
		int64_t x = r->cnts[i];
		if (i > 2)
			x -= r->cnts[i - 2];
		int more = 1;
		while (more) {
			int c = (int)(x & 0x1f);
			x >>= 5;   /* arithmetic on int64_t with gcc and clang */
			more = (c & 0x10) ? x != -1 : x != 0;
			if (more)
				c |= 0x20;
			*q++ = (char)(c + 48);
		}
	}
	*q = 0;
	return s;
}

void rle_encode(rle_t *r, const uint8_t *mask, uint32_t h, uint32_t w)
{
	size_t n = (size_t)h * w, m = 0;
	uint32_t *c = xmalloc((n + 1) * sizeof *c), run = 0;
	int v = 0;
	for (uint32_t x = 0; x < w; x++)
		for (uint32_t y = 0; y < h; y++) {
			int p = mask[(size_t)y * w + x] != 0;
			if (p != v) {
				c[m++] = run;
				run = 0;
				v = p;
			}
			run++;
		}
	c[m++] = run;
	r->h = h, r->w = w, r->m = (uint32_t)m;
	r->cnts = xrealloc(c, m * sizeof *c);
}

void rle_decode(const rle_t *r, uint8_t *mask)
{
	size_t k = 0, n = (size_t)r->h * r->w;
	int v = 0;
	memset(mask, 0, n);
	for (uint32_t j = 0; j < r->m; j++, v = !v) {
		size_t e = k + r->cnts[j];
		if (e > n)
			e = n;
		if (v)
			for (; k < e; k++)
				mask[(k % r->h) * r->w + k / r->h] = 1;
		k = e;
	}
}

uint64_t rle_area(const rle_t *r)
{
	uint64_t a = 0;
	for (uint32_t j = 1; j < r->m; j += 2)
		a += r->cnts[j];
	return a;
}

rle_box rle_bbox(const rle_t *r)
{
	rle_box b = {0, 0, 0, 0};
	uint32_t h = r->h, m = r->m / 2 * 2, xs = r->w, ys = h, xe = 0, ye = 0, xp = 0;
	uint64_t cc = 0;
	if (m == 0 || h == 0)
		return b;
	for (uint32_t j = 0; j < m; j++) {
		cc += r->cnts[j];
		uint64_t t = cc - j % 2;
		uint32_t y = (uint32_t)(t % h), x = (uint32_t)(t / h);
		if (j % 2 == 0)
			xp = x;
		else if (xp < x)
			ys = 0, ye = h - 1;
		if (x < xs) xs = x;
		if (x > xe) xe = x;
		if (y < ys) ys = y;
		if (y > ye) ye = y;
	}
	b.x = xs, b.w = xe - xs + 1, b.y = ys, b.h = ye - ys + 1;
	return b;
}

uint64_t rle_intersection(const rle_t *a, const rle_t *b)
{
	uint64_t i = 0;
	if (a->h != b->h || a->w != b->w || !a->m || !b->m)
		return 0;
	uint32_t ka = a->m, kb = b->m, ia = 1, ib = 1;
	uint64_t ca = a->cnts[0], cb = b->cnts[0];
	int va = 0, vb = 0;
	for (;;) {
		uint64_t c = ca < cb ? ca : cb;
		if (va && vb)
			i += c;
		ca -= c, cb -= c;
		if (!ca) {
			if (ia >= ka) break;
			ca = a->cnts[ia++], va = !va;
		}
		if (!cb) {
			if (ib >= kb) break;
			cb = b->cnts[ib++], vb = !vb;
		}
	}
	return i;
}

static box as_box(rle_box b)
{
	return (box){b.x, b.y, b.w, b.h};
}

double rle_iou_bb(const rle_t *dt, rle_box db, const rle_t *gt, rle_box gb, int iscrowd)
{
	/* boxes that do not intersect: no IoU and no IoA */
	if (box_iou(as_box(db), as_box(gb)) <= 0)
		return 0;
	if (dt->h != gt->h || dt->w != gt->w)
		return -1;
	uint64_t i = rle_intersection(dt, gt);
	if (i == 0)
		return 0;
	uint64_t ad = rle_area(dt);
	uint64_t u = iscrowd ? ad : ad + rle_area(gt) - i;
	return (double)i / (double)u;
}

double rle_iou(const rle_t *dt, const rle_t *gt, int iscrowd)
{
	return rle_iou_bb(dt, rle_bbox(dt), gt, rle_bbox(gt), iscrowd);
}

/* One merge step of pycocotools rleMerge: a op b into out (counts). */
static uint32_t merge2(uint32_t *out, const uint32_t *ac, uint32_t am,
		       const uint32_t *bc, uint32_t bm, int op)
{
	uint32_t m = 0, ia = 1, ib = 1;
	uint64_t ca = ac[0], cb = bc[0], cc = 0, ct = 1;
	int v = 0, va = 0, vb = 0, vp;
	while (ct > 0) {
		uint64_t c = ca < cb ? ca : cb;
		cc += c, ct = 0;
		ca -= c;
		if (!ca && ia < am) ca = ac[ia++], va = !va;
		ct += ca;
		cb -= c;
		if (!cb && ib < bm) cb = bc[ib++], vb = !vb;
		ct += cb;
		vp = v;
		v = op == 1 ? (va && vb) : op == 0 ? (va || vb) : (va && !vb);
		if (v != vp || ct == 0) {
			out[m++] = (uint32_t)cc;
			cc = 0;
		}
	}
	return m;
}

void rle_merge(rle_t *out, const rle_t *in, size_t n, int intersect)
{
	if (n == 0) {
		rle_init(out, 0, 0, 0, NULL);
		return;
	}
	uint32_t h = in[0].h, w = in[0].w, m = in[0].m;
	if (n == 1) {
		rle_init(out, h, w, m, in[0].cnts);
		return;
	}
	for (size_t i = 1; i < n; i++)
		if (in[i].h != h || in[i].w != w) {
			rle_init(out, 0, 0, 0, NULL);
			return;
		}
	/* Enough for any result: a run boundary needs a boundary in an input. */
	size_t cap = 1;
	for (size_t i = 0; i < n; i++)
		cap += in[i].m;
	uint32_t *a = xmalloc(cap * sizeof *a), *b = xmalloc(cap * sizeof *b);
	memcpy(a, in[0].cnts, m * sizeof *a);
	for (size_t i = 1; i < n; i++) {
		m = merge2(b, a, m, in[i].cnts, in[i].m, intersect ? 1 : 0);
		uint32_t *t = a; a = b; b = t;
	}
	free(b);
	out->h = h, out->w = w, out->m = m;
	out->cnts = xrealloc(a, (m ? m : 1) * sizeof *a);
}

void rle_minus(rle_t *out, const rle_t *a, const rle_t *b)
{
	if (a->h != b->h || a->w != b->w) {
		rle_init(out, 0, 0, 0, NULL);
		return;
	}
	uint32_t *c = xmalloc(((size_t)a->m + b->m + 1) * sizeof *c);
	out->h = a->h, out->w = a->w;
	out->m = merge2(c, a->cnts, a->m, b->cnts, b->m, 2);
	out->cnts = c;
}

void rle_crop(const rle_t *r, int x0, int y0, uint32_t cw, uint32_t ch, uint8_t *out)
{
	uint64_t k = 0, h = r->h;
	memset(out, 0, (size_t)cw * ch);
	if (!h)
		return;
	for (uint32_t j = 0; j < r->m; j++) {
		uint64_t e = k + r->cnts[j];
		if (j % 2) {
			/* Visit the columns this run touches that fall in the crop. */
			for (uint64_t p = k; p < e;) {
				int64_t x = (int64_t)(p / h), y = (int64_t)(p % h);
				uint64_t col_end = (uint64_t)(x + 1) * h;
				uint64_t q = e < col_end ? e : col_end;   /* run part in column x */
				if (x >= x0 + (int64_t)cw)
					break;
				if (x >= x0) {
					int64_t ya = y, yb = y + (int64_t)(q - p);   /* rows [ya, yb) */
					if (ya < y0) ya = y0;
					if (yb > y0 + (int64_t)ch) yb = y0 + (int64_t)ch;
					for (int64_t yy = ya; yy < yb; yy++)
						out[(size_t)(yy - y0) * cw + (size_t)(x - x0)] = 1;
				} else if (e > (uint64_t)x0 * h) {
					q = (uint64_t)x0 * h;   /* jump to the crop's first column */
				} else {
					break;
				}
				p = q;
			}
		}
		k = e;
	}
}
