/* COCO RLE: published test vectors of the COCO string format, random masks through
 * encode / decode / string, and every mask operation against pixel loops. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "rle.h"
#include "rng.h"

static void vector(const uint32_t *c, uint32_t m, const char *s)
{
	rle_t r, back;
	uint64_t sum = 0;
	char err[200];
	for (uint32_t i = 0; i < m; i++)
		sum += c[i];
	rle_init(&r, (uint32_t)sum, 1, m, c);
	char *got = rle_to_string(&r);
	cr_assert_str_eq(got, s);
	cr_assert(rle_from_string(&back, s, (uint32_t)sum, 1, err, sizeof err) == 0, "%s", err);
	cr_assert_eq(back.m, m);
	cr_assert(memcmp(back.cnts, c, m * sizeof *c) == 0, "%s decodes to other counts", s);
	free(got);
	rle_free(&r);
	rle_free(&back);
}

Test(rle, test_vectors)
{
	vector((uint32_t[]){0, 3, 3}, 3, "033");
	vector((uint32_t[]){6}, 1, "6");
	vector((uint32_t[]){465750}, 1, "fjV>");
	vector((uint32_t[]){2, 1, 3, 1, 2}, 5, "2130O");
	vector((uint32_t[]){100, 5, 90, 6, 80, 200}, 6, "T35j21FR6");
	vector((uint32_t[]){333927, 2, 372, 3, 371, 4, 371, 4}, 8, "WSV:2d;1O100");
}

static void real_example(const char *s, uint32_t h, uint32_t w, uint32_t m, uint64_t area, rle_box want)
{
	rle_t r;
	char err[200];
	cr_assert(rle_from_string(&r, s, h, w, err, sizeof err) == 0, "%s", err);
	cr_assert_eq(r.m, m);
	cr_assert_eq(rle_area(&r), area);
	rle_box b = rle_bbox(&r);
	cr_assert(b.x == want.x && b.y == want.y && b.w == want.w && b.h == want.h,
		  "bbox %u %u %u %u", b.x, b.y, b.w, b.h);
	char *back = rle_to_string(&r);
	cr_assert_str_eq(back, s);
	/* Through the pixels and back: the encoder gives the same string. */
	uint8_t *px = malloc((size_t)h * w);
	rle_t again;
	rle_decode(&r, px);
	rle_encode(&again, px, h, w);
	char *s2 = rle_to_string(&again);
	cr_assert_str_eq(s2, s);
	free(s2), free(back), free(px);
	rle_free(&r);
	rle_free(&again);
}

Test(rle, official_examples)
{
	real_example("WSV:2d;1O10000O10000O1O100O100O1O100O1000000000000000O100O102N5K00O1O1N2O110OO2O001O1NTga3",
		     375, 1242, 83, 283, (rle_box){890, 168, 41, 11});
	real_example("kWn[19ZQ1;I0C>000000000000O13M5K2N00001O001O00001O1O005Df\\`b0",
		     /* "\\`": the backslash is part of the string */
		     1080, 1920, 51, 646, (rle_box){1333, 334, 25, 36});
}

Test(rle, empty_and_full_masks)
{
	uint8_t px[12];
	rle_t r;
	memset(px, 0, sizeof px);
	rle_encode(&r, px, 3, 4);
	cr_assert(r.m == 1 && r.cnts[0] == 12);
	rle_box b = rle_bbox(&r);
	cr_assert(b.x == 0 && b.y == 0 && b.w == 0 && b.h == 0);
	rle_free(&r);
	memset(px, 1, sizeof px);
	rle_encode(&r, px, 3, 4);
	cr_assert(r.m == 2 && r.cnts[0] == 0 && r.cnts[1] == 12);
	cr_assert_eq(rle_area(&r), 12);
	rle_free(&r);
}

Test(rle, bad_strings)
{
	rle_t r;
	char err[200];
	cr_assert(rle_from_string(&r, "fjV=", 375, 1242, err, sizeof err) == -1);
	cr_assert(strstr(err, "sum to"), "%s", err);
	cr_assert(rle_from_string(&r, "03 3", 2, 3, err, sizeof err) == -1);
	cr_assert(strstr(err, "outside"), "%s", err);
	cr_assert(rle_from_string(&r, "0o", 2, 3, err, sizeof err) == -1);   /* continuation at the end */
	cr_assert(strstr(err, "ends inside"), "%s", err);
	cr_assert(rle_from_string(&r, "O", 2, 3, err, sizeof err) == -1);    /* -1 as the first count */
	cr_assert(strstr(err, "out of range"), "%s", err);
	cr_assert(rle_from_string(&r, "oooooooooooooo0", 2, 3, err, sizeof err) == -1);
	cr_assert(strstr(err, "too long"), "%s", err);
	cr_assert(rle_from_string(&r, "", 0, 0, err, sizeof err) == 0);      /* a 0x0 mask */
	cr_assert_eq(r.m, 0);
	rle_free(&r);
}

Test(rle, empty_runs_are_merged)
{
	/* Found by fuzz_rle: "10" is the runs [1, 0] of a 1x1 mask, whose
	 * pycocotools box would be 2 wide. Parsed, the empty run is gone. */
	rle_t r;
	char err[200];
	cr_assert(rle_from_string(&r, "10", 1, 1, err, sizeof err) == 0, "%s", err);
	cr_assert(r.m == 1 && r.cnts[0] == 1);
	rle_box b = rle_bbox(&r);
	cr_assert(b.w == 0 && b.h == 0);
	rle_free(&r);
	/* [2, 0, 1, 3, 0, 0] -> [3, 3]; [0, 0, 4] -> [4]; a leading 0 stays. */
	uint32_t c1[] = {2, 0, 1, 3, 0, 0}, c2[] = {0, 0, 4}, c3[] = {0, 2, 2};
	uint32_t *in[] = {c1, c2, c3}, m[] = {6, 3, 3}, want[][2] = {{3, 3}, {4, 0}, {0, 2}};
	uint32_t wm[] = {2, 1, 3};
	for (int t = 0; t < 3; t++) {
		uint64_t n = 0;
		for (uint32_t i = 0; i < m[t]; i++)
			n += in[t][i];
		rle_t raw;
		rle_init(&raw, (uint32_t)n, 1, m[t], in[t]);
		char *s = rle_to_string(&raw);
		cr_assert(rle_from_string(&r, s, (uint32_t)n, 1, err, sizeof err) == 0, "%s", err);
		cr_assert_eq(r.m, wm[t]);
		cr_assert(r.cnts[0] == want[t][0] && (r.m < 2 || r.cnts[1] == want[t][1]));
		free(s);
		rle_free(&r);
		rle_free(&raw);
	}
}

/* Random blobby masks: rectangles of random size, some empty, some full. */
static void random_mask(rng *g, uint8_t *px, uint32_t h, uint32_t w)
{
	memset(px, 0, (size_t)h * w);
	int kind = (int)rng_below(g, 10);
	if (kind == 0)
		return;
	if (kind == 1) {
		memset(px, 1, (size_t)h * w);
		return;
	}
	if (kind == 2) {
		for (size_t i = 0; i < (size_t)h * w; i++)
			px[i] = rng_below(g, 2);
		return;
	}
	for (int k = 0; k < 3; k++) {
		uint32_t x0 = (uint32_t)rng_below(g, w), y0 = (uint32_t)rng_below(g, h);
		uint32_t x1 = x0 + (uint32_t)rng_below(g, w - x0), y1 = y0 + (uint32_t)rng_below(g, h - y0);
		for (uint32_t y = y0; y <= y1; y++)
			for (uint32_t x = x0; x <= x1; x++)
				px[(size_t)y * w + x] = 1;
	}
}

/* Column-major run lengths written out plainly, as pycocotools does. */
static uint32_t ref_encode(const uint8_t *px, uint32_t h, uint32_t w, uint32_t *c)
{
	uint32_t m = 0, run = 0;
	int v = 0;
	for (uint32_t x = 0; x < w; x++)
		for (uint32_t y = 0; y < h; y++) {
			int p = px[(size_t)y * w + x] != 0;
			if (p != v)
				c[m++] = run, run = 0, v = p;
			run++;
		}
	c[m++] = run;
	return m;
}

Test(rle, random_masks_round_trip)
{
	rng g;
	rng_seed(&g, 7);
	for (int t = 0; t < 300; t++) {
		uint32_t h = 1 + (uint32_t)rng_below(&g, 40), w = 1 + (uint32_t)rng_below(&g, 40);
		uint8_t *px = malloc((size_t)h * w), *back = malloc((size_t)h * w);
		uint32_t *c = malloc(((size_t)h * w + 1) * sizeof *c);
		random_mask(&g, px, h, w);
		rle_t r, s;
		char err[200];
		rle_encode(&r, px, h, w);
		uint32_t m = ref_encode(px, h, w, c);
		cr_assert(r.m == m && memcmp(r.cnts, c, m * sizeof *c) == 0);
		rle_decode(&r, back);
		cr_assert(memcmp(px, back, (size_t)h * w) == 0);
		char *str = rle_to_string(&r);
		cr_assert(rle_from_string(&s, str, h, w, err, sizeof err) == 0, "%s", err);
		cr_assert(s.m == r.m && memcmp(s.cnts, r.cnts, r.m * sizeof *c) == 0);
		uint64_t area = 0;
		for (size_t i = 0; i < (size_t)h * w; i++)
			area += px[i];
		cr_assert_eq(rle_area(&r), area);
		free(str), free(px), free(back), free(c);
		rle_free(&r);
		rle_free(&s);
	}
}

/* pycocotools rleToBbox from pixels: the tight box, except that a run of
 * set pixels that continues into the next column spans the full height. */
static rle_box ref_bbox(const uint8_t *px, uint32_t h, uint32_t w)
{
	uint32_t xs = w, xe = 0, ys = h, ye = 0;
	int wrap = 0, any = 0;
	for (uint32_t x = 0; x < w; x++)
		for (uint32_t y = 0; y < h; y++)
			if (px[(size_t)y * w + x]) {
				any = 1;
				xs = x < xs ? x : xs, xe = x > xe ? x : xe;
				ys = y < ys ? y : ys, ye = y > ye ? y : ye;
				if (y == h - 1 && x + 1 < w && px[x + 1])
					wrap = 1;
			}
	if (!any)
		return (rle_box){0, 0, 0, 0};
	if (wrap)
		ys = 0, ye = h - 1;
	return (rle_box){xs, ys, xe - xs + 1, ye - ys + 1};
}

Test(rle, bbox_against_pixels)
{
	rng g;
	rng_seed(&g, 11);
	for (int t = 0; t < 300; t++) {
		uint32_t h = 1 + (uint32_t)rng_below(&g, 30), w = 1 + (uint32_t)rng_below(&g, 30);
		uint8_t *px = malloc((size_t)h * w);
		random_mask(&g, px, h, w);
		rle_t r;
		rle_encode(&r, px, h, w);
		rle_box a = rle_bbox(&r), b = ref_bbox(px, h, w);
		cr_assert(a.x == b.x && a.y == b.y && a.w == b.w && a.h == b.h,
			  "%ux%u: got %u %u %u %u want %u %u %u %u", h, w, a.x, a.y, a.w, a.h, b.x, b.y, b.w, b.h);
		free(px);
		rle_free(&r);
	}
}

Test(rle, iou_against_pixel_counts)
{
	rng g;
	rng_seed(&g, 3);
	int nonzero = 0;
	for (int t = 0; t < 400; t++) {
		uint32_t h = 1 + (uint32_t)rng_below(&g, 30), w = 1 + (uint32_t)rng_below(&g, 30);
		size_t n = (size_t)h * w;
		uint8_t *a = malloc(n), *b = malloc(n);
		random_mask(&g, a, h, w);
		random_mask(&g, b, h, w);
		rle_t ra, rb;
		rle_encode(&ra, a, h, w);
		rle_encode(&rb, b, h, w);
		uint64_t i = 0, u = 0, aa = 0;
		for (size_t p = 0; p < n; p++)
			i += a[p] && b[p], u += a[p] || b[p], aa += a[p];
		cr_assert_eq(rle_intersection(&ra, &rb), i);
		double want = i ? (double)i / (double)u : 0, crowd = i ? (double)i / (double)aa : 0;
		cr_assert_float_eq(rle_iou(&ra, &rb, 0), want, 1e-12);
		cr_assert_float_eq(rle_iou(&ra, &rb, 1), crowd, 1e-12);
		nonzero += i > 0;
		free(a), free(b);
		rle_free(&ra);
		rle_free(&rb);
	}
	cr_assert(nonzero > 100, "the random pairs rarely overlap (%d)", nonzero);
}

Test(rle, iou_special_cases)
{
	/* Disjoint boxes: 0 without walking; different sizes: -1. */
	uint8_t a[16] = {1, 1, 0, 0, 1, 1, 0, 0}, b[16] = {0}, c[12] = {1};
	b[15] = 1;
	rle_t ra, rb, rc;
	rle_encode(&ra, a, 4, 4);
	rle_encode(&rb, b, 4, 4);
	rle_encode(&rc, c, 3, 4);
	cr_assert_eq(rle_iou(&ra, &rb, 0), 0);
	cr_assert_eq(rle_iou(&ra, &ra, 0), 1);
	cr_assert_eq(rle_iou(&ra, &rc, 0), -1);
	rle_free(&ra), rle_free(&rb), rle_free(&rc);
}

Test(rle, merge_minus_against_pixels)
{
	rng g;
	rng_seed(&g, 5);
	for (int t = 0; t < 200; t++) {
		uint32_t h = 1 + (uint32_t)rng_below(&g, 25), w = 1 + (uint32_t)rng_below(&g, 25);
		size_t n = (size_t)h * w;
		uint8_t *m[3], *got = malloc(n);
		rle_t r[3], out;
		for (int k = 0; k < 3; k++) {
			m[k] = malloc(n);
			random_mask(&g, m[k], h, w);
			rle_encode(&r[k], m[k], h, w);
		}
		for (int op = 0; op < 3; op++) {
			if (op < 2)
				rle_merge(&out, r, 3, op);
			else
				rle_minus(&out, &r[0], &r[1]);
			cr_assert(out.h == h && out.w == w);
			uint64_t sum = 0;
			for (uint32_t j = 0; j < out.m; j++)
				sum += out.cnts[j];
			cr_assert_eq(sum, n);
			rle_decode(&out, got);
			for (size_t p = 0; p < n; p++) {
				int want = op == 0 ? (m[0][p] || m[1][p] || m[2][p])
					: op == 1 ? (m[0][p] && m[1][p] && m[2][p]) : (m[0][p] && !m[1][p]);
				cr_assert_eq(got[p], want, "op %d pixel %zu", op, p);
			}
			/* The result is canonical: encoding its pixels gives its runs. */
			rle_t again;
			rle_encode(&again, got, h, w);
			cr_assert(again.m == out.m && !memcmp(again.cnts, out.cnts, out.m * sizeof *out.cnts));
			rle_free(&again);
			rle_free(&out);
		}
		for (int k = 0; k < 3; k++)
			free(m[k]), rle_free(&r[k]);
		free(got);
	}
}

Test(rle, merge_edge_cases)
{
	rle_t out, a, b;
	uint8_t pa[6] = {1, 0, 0, 1, 1, 0}, pb[8] = {0};
	rle_merge(&out, NULL, 0, 0);
	cr_assert(out.h == 0 && out.w == 0 && out.m == 0);
	rle_free(&out);
	rle_encode(&a, pa, 2, 3);
	rle_encode(&b, pb, 2, 4);
	rle_t both[2] = {a, b};
	rle_merge(&out, both, 2, 0);
	cr_assert(out.h == 0 && out.w == 0);
	rle_free(&out);
	rle_merge(&out, &a, 1, 0);
	cr_assert(out.m == a.m && !memcmp(out.cnts, a.cnts, a.m * sizeof *a.cnts));
	rle_free(&out), rle_free(&a), rle_free(&b);
}

Test(rle, crop_against_pixels)
{
	rng g;
	rng_seed(&g, 9);
	for (int t = 0; t < 300; t++) {
		uint32_t h = 1 + (uint32_t)rng_below(&g, 25), w = 1 + (uint32_t)rng_below(&g, 25);
		uint8_t *px = malloc((size_t)h * w);
		random_mask(&g, px, h, w);
		rle_t r;
		rle_encode(&r, px, h, w);
		/* Windows that may stick out of the image on any side. */
		int x0 = (int)rng_below(&g, w + 6) - 3, y0 = (int)rng_below(&g, h + 6) - 3;
		uint32_t cw = 1 + (uint32_t)rng_below(&g, w + 4), ch = 1 + (uint32_t)rng_below(&g, h + 4);
		uint8_t *out = malloc((size_t)cw * ch);
		rle_crop(&r, x0, y0, cw, ch, out);
		for (uint32_t y = 0; y < ch; y++)
			for (uint32_t x = 0; x < cw; x++) {
				int X = x0 + (int)x, Y = y0 + (int)y;
				int want = X >= 0 && Y >= 0 && X < (int)w && Y < (int)h && px[(size_t)Y * w + X];
				cr_assert_eq(out[(size_t)y * cw + x], want, "crop %d,%d %ux%u of %ux%u at %u,%u",
					     x0, y0, cw, ch, w, h, x, y);
			}
		free(out), free(px);
		rle_free(&r);
	}
}
