/* mots-synth kernels: templates, resize, compositing, the slot state
 * machine, paths, ownership and masks, statistics (usc-mots-method(7),
 * SYNTHETIC DATA). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rle.h"
#include "synth/synth.h"
#include "synth/synth_sprite.h"
#include "synth/synth_stats.h"

static int count_on(const uint8_t *t, int n)
{
	int c = 0;
	for (int i = 0; i < n; i++)
		c += t[i] != 0;
	return c;
}

Test(synth_sprite, template_pixel_counts)
{
	static const int want[4] = { 349, 441, 241, 221 };
	uint8_t t[441];
	for (int s = 0; s < 4; s++) {
		sprite_template(s, t);
		cr_expect_eq(count_on(t, 441), want[s], "shape %d: %d px", s, count_on(t, 441));
		for (int i = 0; i < 441; i++)
			cr_assert(t[i] == 0 || t[i] == 255);
	}
}

Test(synth_sprite, template_pixels)
{
	uint8_t t[441];
	sprite_template(0, t);   /* circle: (0-10)^2 + (7-10)^2 = 109 <= 110.25, (6-10)^2 -> 116 */
	cr_expect(t[0 * 21 + 7] && !t[0 * 21 + 6] && t[0 * 21 + 13] && !t[0 * 21 + 14]);
	sprite_template(2, t);   /* triangle: apex (0,10) alone on row 0, base rows 19-20 full */
	cr_expect_eq(count_on(t, 21), 1);
	cr_expect(t[10]);
	cr_expect_eq(count_on(t + 19 * 21, 42), 42);
	cr_expect_eq(count_on(t + 18 * 21, 21), 19);
	/* left of the apex: (21-i)/(j+1) <= 2; row 1 needs j+1 >= 10 */
	cr_expect(t[1 * 21 + 9] && !t[1 * 21 + 8] && t[1 * 21 + 11] && !t[1 * 21 + 12]);
	sprite_template(3, t);   /* diamond: |i-10| + |j-10| <= 10 */
	cr_expect(t[10] && !t[9] && !t[11] && t[10 * 21] && t[10 * 21 + 20]);
	cr_expect_eq(count_on(t + 10 * 21, 21), 21);
}

Test(synth_sprite, colours)
{
	static const uint8_t want[6][3] = {
		{ 0, 0, 255 }, { 0, 255, 0 }, { 0, 255, 255 },
		{ 255, 0, 0 }, { 255, 0, 255 }, { 255, 255, 0 },
	};
	for (int i = 0; i < 6; i++) {
		uint8_t c[3];
		sprite_colour(i, c);
		cr_expect(memcmp(c, want[i], 3) == 0, "colour %d", i);
	}
}

Test(synth_resize, hand_computed_2x2_to_3x3)
{
	/* Columns: dst 0 and 2 clamp to src 0 and 1; dst 1 sits at 0.5 ->
	 * weights 1024/1024, row value 255*1024. Rows 0 and 2 sit at -1/6 and
	 * 7/6: both source rows clamp to the same one, weights 341 + 1707.
	 * SIMD rounding: ((16320*341)>>16) + ((16320*1707)>>16) = 84 + 425,
	 * (509 + 2) >> 2 = 127 (exact arithmetic would give 127.5 -> 128);
	 * row 1: 2 * ((16320*1024)>>16) = 510 -> 128. cv2.resize agrees. */
	const uint8_t a[4] = { 0, 255, 0, 255 };
	const uint8_t wa[9] = { 0, 127, 255, 0, 128, 255, 0, 127, 255 };
	uint8_t d[9];
	resize_linear_u8(a, 2, 2, d, 3, 3);
	cr_expect(memcmp(d, wa, 9) == 0, "%d %d %d / %d %d %d / %d %d %d", d[0], d[1], d[2], d[3],
		  d[4], d[5], d[6], d[7], d[8]);
	const uint8_t b[4] = { 0, 255, 255, 255 };
	const uint8_t wb[9] = { 0, 127, 255, 128, 191, 255, 255, 255, 255 };
	resize_linear_u8(b, 2, 2, d, 3, 3);
	cr_expect(memcmp(d, wb, 9) == 0);
}

Test(synth_resize, hand_computed_3x3_to_4x4)
{
	/* scale 3/4: dst 1 sits at 0.625 (weights 768, 1280), dst 2 at 1.375.
	 * Centre: 255*1280 = 326400 per row; (326400>>4)*1280>>16 = 398,
	 * (398 + 2) >> 2 = 100. Corners clamp to the zero border. */
	const uint8_t c[9] = { 0, 0, 0, 0, 255, 0, 0, 0, 0 };
	uint8_t d[16];
	resize_linear_u8(c, 3, 3, d, 4, 4);
	for (int i = 0; i < 16; i++) {
		int centre = (i / 4 == 1 || i / 4 == 2) && (i % 4 == 1 || i % 4 == 2);
		cr_expect_eq(d[i], centre ? 100 : 0, "pixel %d: %d", i, d[i]);
	}
}

Test(synth_resize, same_size_copies_and_row_values)
{
	uint8_t t[441], d[441];
	sprite_template(2, t);
	resize_linear_u8(t, 21, 21, d, 21, 21);
	cr_expect(memcmp(t, d, 441) == 0);
	/* triangle 21x21 -> 25 rows x 19 columns, first rows (from cv2.resize) */
	static const uint8_t row1[19] = { 0, 0, 0, 0, 0, 0, 0, 0, 173, 255, 173 };
	static const uint8_t row2[19] = { 0, 0, 0, 0, 0, 0, 0, 0, 228, 255, 228 };
	uint8_t r[25 * 19];
	resize_linear_u8(t, 21, 21, r, 25, 19);
	cr_expect_eq(count_on(r, 19), 1);
	cr_expect_eq(r[9], 255);
	cr_expect(memcmp(r + 19, row1, 19) == 0);
	cr_expect(memcmp(r + 38, row2, 19) == 0);
}

Test(synth_resize, matches_cv2_on_every_sprite_size)
{
	/* FNV-1a 64 of cv2.resize(template, (w, h)) (OpenCV 4.6) for the four
	 * templates, h = 17..26, w = 17..26, in that order, and the pixel sum. */
	uint64_t h = 0xcbf29ce484222325ull, sum = 0;
	uint8_t t[441], d[26 * 26];
	for (int s = 0; s < 4; s++) {
		sprite_template(s, t);
		for (int dh = 17; dh <= 26; dh++)
			for (int dw = 17; dw <= 26; dw++) {
				resize_linear_u8(t, 21, 21, d, dh, dw);
				for (int i = 0; i < dh * dw; i++) {
					h = (h ^ d[i]) * 0x100000001b3ull;
					sum += d[i];
				}
			}
	}
	cr_expect_eq(sum, 33430828u);
	cr_expect_eq(h, 0xc4f45c0feea93547ull);
}

Test(synth_compose, additive_saturation)
{
	uint8_t img[4 * 4], p[2 * 2] = { 100, 20, 0, 255 };
	memset(img, 0, sizeof img);
	img[5] = 200, img[6] = 10, img[9] = 7, img[10] = 1;
	synth_add_saturate(img, 4, 4, p, 2, 2, 1, 1);
	cr_expect_eq(img[5], 255);   /* 200 + 100 saturates */
	cr_expect_eq(img[6], 30);
	cr_expect_eq(img[9], 7);
	cr_expect_eq(img[10], 255);
	cr_expect_eq(img[0], 0);
	/* A patch hanging over every border only touches the frame. */
	uint8_t big[6 * 6];
	memset(big, 50, sizeof big);
	uint8_t q[2 * 2];
	memset(q, 10, sizeof q);
	synth_add_saturate(big, 2, 2, q, 2, 2, -1, -1);   /* top-left pixel only */
	cr_expect_eq(big[0], 60);
	cr_expect_eq(big[1], 50);
	synth_add_saturate(big, 2, 2, q, 2, 2, 1, 1);     /* bottom-right pixel only */
	cr_expect_eq(big[3], 60);
	cr_expect_eq(big[4], 50);
	synth_add_saturate(big, 2, 2, q, 2, 2, 5, 5);     /* nothing */
	cr_expect_eq(big[3], 60);
}

Test(synth_compose, alpha_over_hand_values)
{
	/* float32: o + (a/255) * (c - o), rounded half to even. */
	uint8_t img[3 * 3];
	const uint8_t red[3] = { 255, 0, 0 }, blue[3] = { 0, 0, 255 }, black[3] = { 0, 0, 0 };
	uint8_t a;
	memset(img, 0, sizeof img);
	a = 128;   /* 0 + 128/255 * 255 = 128.0000076 -> 128 */
	synth_alpha_over(img, 1, 1, &a, 1, 1, 0, 0, red);
	cr_expect(img[0] == 128 && img[1] == 0 && img[2] == 0);
	memset(img, 200, 3);
	a = 100;   /* 200 - 100/255 * 200 = 121.57 -> 122 */
	synth_alpha_over(img, 1, 1, &a, 1, 1, 0, 0, black);
	cr_expect(img[0] == 122 && img[1] == 122 && img[2] == 122);
	memset(img, 37, 3);
	a = 200;   /* 37 + 200/255 * 218 = 207.98 -> 208 */
	synth_alpha_over(img, 1, 1, &a, 1, 1, 0, 0, blue);
	cr_expect(img[0] == 8 && img[1] == 8 && img[2] == 208, "%d %d %d", img[0], img[1], img[2]);
	/* alpha 0 leaves the pixel as it was */
	a = 0;
	synth_alpha_over(img, 1, 1, &a, 1, 1, 0, 0, red);
	cr_expect(img[0] == 8 && img[2] == 208);
}

Test(synth_compose, later_slot_in_front)
{
	/* Red at full alpha, then blue at alpha 128 over it: the later one is
	 * in front. R = 255 - 128.0 = 127, B = 128; then red again, full: red. */
	uint8_t img[3] = { 0, 0, 0 }, full = 255, half = 128;
	const uint8_t red[3] = { 255, 0, 0 }, blue[3] = { 0, 0, 255 };
	synth_alpha_over(img, 1, 1, &full, 1, 1, 0, 0, red);
	synth_alpha_over(img, 1, 1, &half, 1, 1, 0, 0, blue);
	cr_expect(img[0] == 127 && img[1] == 0 && img[2] == 128, "%d %d %d", img[0], img[1], img[2]);
	synth_alpha_over(img, 1, 1, &full, 1, 1, 0, 0, red);
	cr_expect(img[0] == 255 && img[1] == 0 && img[2] == 0);
}

/* A fake digit pool: digit k is a filled square of value 10 + k, plus a
 * bright bar, so MNIST tests need no download. */
static synth_digits fake_digits(void)
{
	synth_digits d = { malloc(8 * 784), 8 };
	memset(d.px, 0, 8 * 784);
	for (int k = 0; k < 8; k++)
		for (int i = 6; i < 22; i++)
			for (int j = 8 + k % 3; j < 20; j++)
				d.px[k * 784 + i * 28 + j] = (uint8_t)(i == 10 + k ? 250 : 40 + 25 * k);
	return d;
}

static void make(synth *s, synth_kind kind, const synth_digits *d, uint64_t seed,
		 double birth_prob, int objects)
{
	synth_config c;
	char err[256];
	synth_config_default(&c, kind, 128, objects);
	c.birth_prob = birth_prob;
	cr_assert_eq(synth_init(s, &c, d, seed, err, sizeof err), 0, "%s", err);
}

Test(synth_config, original_constants)
{
	synth_config c;
	synth_config_default(&c, SYNTH_MNIST, 128, 3);
	cr_expect(c.margin == 9 && c.patch == 28 && c.channels == 1 && c.interval == 5);
	cr_expect(c.birth_prob == 0.5 && c.speed == 5.3 && c.scale_var == 0 && c.ratio_var == 0);
	synth_config_default(&c, SYNTH_SPRITES, 256, 5);
	cr_expect(c.margin == 10 && c.patch == 21 && c.channels == 3 && c.objects == 5);
	cr_expect(c.height == 256 && c.scale_var == 0.1 && c.ratio_var == 0.2);
	synth s;
	char err[256];
	cr_expect_eq(synth_init(&s, &c, NULL, 1, err, sizeof err), 0);
	synth_free(&s);
	synth_config_default(&c, SYNTH_MNIST, 128, 3);
	cr_expect_eq(synth_init(&s, &c, NULL, 1, err, sizeof err), -1);   /* no digits */
	c.objects = 0;
	synth_digits d = fake_digits();
	cr_expect_eq(synth_init(&s, &c, &d, 1, err, sizeof err), -1);
	synth_digits_free(&d);
}

Test(synth_slots, wait_five_frames_then_birth_then_visible)
{
	/* birth_prob 1: every slot waits frames 1-5, gives birth in frame 6
	 * (drawn nothing), shows from frame 7 on; ids in slot order. */
	synth s;
	make(&s, SYNTH_SPRITES, NULL, 3, 1.0, 3);
	for (int f = 1; f <= 6; f++) {
		cr_expect_eq(synth_next(&s), 0, "frame %d", f);
		for (int o = 0; o < 3; o++)
			cr_expect_eq(s.obj[o].c, f < 6 ? f : 6, "frame %d slot %d", f, o);
	}
	cr_expect_eq(s.next_id, 3);
	cr_expect_eq(synth_next(&s), 3);
	for (int k = 0; k < 3; k++)
		cr_expect(s.vis[k].slot == k && s.vis[k].id == k + 1);
	/* each object shows from its start point at step 0 */
	for (int k = 0; k < 3; k++)
		cr_expect(s.vis[k].cx == s.obj[k].x1 && s.vis[k].cy == s.obj[k].y1);
	synth_free(&s);

	make(&s, SYNTH_SPRITES, NULL, 3, 0.0, 3);   /* never a birth */
	for (int f = 0; f < 200; f++)
		cr_expect_eq(synth_next(&s), 0);
	cr_expect_eq(s.next_id, 0);
	synth_free(&s);
}

Test(synth_slots, vanish_wait_rebirth_gap)
{
	/* With births certain, a slot's next object shows exactly 7 frames
	 * after its previous one was last seen: 1 vanish + 5 waiting + 1 birth. */
	synth s;
	make(&s, SYNTH_SPRITES, NULL, 11, 1.0, 1);
	int64_t last = 0, prev_id = 0, gaps = 0;
	for (int64_t f = 1; f <= 2000; f++) {
		if (!synth_next(&s))
			continue;
		if (s.vis[0].id != prev_id && prev_id) {
			cr_expect_eq(f - last - 1, 7, "gap before id %lld", (long long)s.vis[0].id);
			gaps++;
		}
		prev_id = s.vis[0].id, last = f;
	}
	cr_expect_gt(gaps, 50);
	synth_free(&s);
}

Test(synth_slots, birth_probability_half)
{
	/* Gap = 6 + Geometric(0.5): minimum 7, mean 8. */
	synth s;
	make(&s, SYNTH_SPRITES, NULL, 5, 0.5, 3);
	synth_stats st;
	synth_stats_init(&st);
	for (int f = 0; f < 20000; f++) {
		synth_next(&s);
		synth_stats_add(&st, &s);
	}
	cr_expect_eq(st.gap_min, 7);
	double mean = (double)st.gap_sum / st.gaps;
	cr_expect(fabs(mean - 8.0) < 0.1, "mean gap %.3f", mean);
	synth_stats_free(&st);
	synth_free(&s);
}

Test(synth_paths, end_points_and_speed)
{
	synth_config c;
	synth_config_default(&c, SYNTH_MNIST, 128, 3);
	int x1, y1;
	double vx, vy;
	/* direction: start line, aim line */
	synth_path(&c, 0, 30, 100, &x1, &y1, &vx, &vy);
	cr_expect(x1 == 30 && y1 == 9 && vy > 0);
	cr_expect(fabs(atan2(vy, vx) - atan2(118 - 9, 100 - 30)) < 1e-12);
	synth_path(&c, 1, 30, 100, &x1, &y1, &vx, &vy);
	cr_expect(x1 == 30 && y1 == 118 && vy < 0);
	synth_path(&c, 2, 40, 60, &x1, &y1, &vx, &vy);
	cr_expect(x1 == 9 && y1 == 40 && vx > 0);
	cr_expect(fabs(atan2(vy, vx) - atan2(60 - 40, 118 - 9)) < 1e-12);
	synth_path(&c, 3, 40, 60, &x1, &y1, &vx, &vy);
	cr_expect(x1 == 118 && y1 == 40 && vx < 0);
	for (int d = 0; d < 4; d++) {
		synth_path(&c, d, 17, 93, &x1, &y1, &vx, &vy);
		cr_expect(fabs(hypot(vx, vy) - 5.3) < 1e-12);
	}
	synth_config_default(&c, SYNTH_SPRITES, 128, 3);
	synth_path(&c, 3, 40, 60, &x1, &y1, &vx, &vy);
	cr_expect(x1 == 117 && y1 == 40);
}

Test(synth_paths, straight_down_rounds_half_to_even)
{
	/* x = 50, y = rint(9 + 5.3 k): 35.5 -> 36 and 88.5 -> 88 (half to even,
	 * as Python's round); 21 visible steps, gone when y = 120 > 118. */
	static const int want[21] = { 9, 14, 20, 25, 30, 36, 41, 46, 51, 57, 62, 67, 73, 78, 83,
				      88, 94, 99, 104, 110, 115 };
	synth s;
	make(&s, SYNTH_SPRITES, NULL, 1, 1.0, 1);
	s.cfg.margin = 9;
	int x, y, n = 0;
	for (int f = 0; f < 6; f++)
		cr_expect_eq(synth_slot_step(&s, 0, &x, &y), 0);
	synth_path(&s.cfg, 0, 50, 50, &s.obj[0].x1, &s.obj[0].y1, &s.obj[0].vx, &s.obj[0].vy);
	while (synth_slot_step(&s, 0, &x, &y)) {
		cr_assert_lt(n, 21);
		cr_expect(x == 50 && y == want[n], "step %d: (%d, %d)", n, x, y);
		n++;
	}
	cr_expect_eq(n, 21);
	cr_expect_eq(s.obj[0].c, 0);   /* vanished: waiting again */
	synth_free(&s);
}

Test(synth_paths, every_track_crosses_margin_to_margin)
{
	/* Visible centres stay in the margin box, consecutive ones are 5.3 px
	 * apart (before rounding), the first is on the start line and the last
	 * is within one step of the opposite line. */
	synth s;
	make(&s, SYNTH_SPRITES, NULL, 9, 0.5, 3);
	int m = s.cfg.margin, lo = m, hi = 127 - m, tracks = 0;
	int last[3] = { 0 }, lastx[3], lasty[3];
	int64_t lastid[3] = { 0 };
	for (int f = 0; f < 3000; f++) {
		int seen[3] = { 0 };
		synth_next(&s);
		for (int k = 0; k < s.nvis; k++) {
			const synth_vis *v = &s.vis[k];
			const synth_obj *b = &s.obj[v->slot];
			cr_assert(v->cx >= lo && v->cx <= hi && v->cy >= lo && v->cy <= hi);
			if (v->id != lastid[v->slot]) {
				cr_expect(v->cx == b->x1 && v->cy == b->y1);
				cr_expect(b->dir == 0 ? v->cy == lo : b->dir == 1 ? v->cy == hi :
					  b->dir == 2 ? v->cx == lo : v->cx == hi);
			}
			seen[v->slot] = 1;
			lastid[v->slot] = v->id, lastx[v->slot] = v->cx, lasty[v->slot] = v->cy;
		}
		for (int o = 0; o < 3; o++) {
			if (last[o] && !seen[o]) {
				/* just vanished: the last centre was near the far line */
				const synth_obj *b = &s.obj[o];
				int dist = b->dir == 0 ? hi - lasty[o] : b->dir == 1 ? lasty[o] - lo :
					   b->dir == 2 ? hi - lastx[o] : lastx[o] - lo;
				cr_expect(dist >= 0 && dist <= 6, "dir %d dist %d", b->dir, dist);
				tracks++;
			}
			last[o] = seen[o];
		}
		for (int o = 0; o < 3; o++)
			if (s.obj[o].c == 6)
				cr_expect(fabs(hypot(s.obj[o].vx, s.obj[o].vy) - 5.3) < 1e-12);
	}
	cr_expect_gt(tracks, 200);
	synth_free(&s);
}

/* The owner of pixel (x, y) recomputed from the visible objects' patches:
 * sprites, the last one with alpha > 0; MNIST, the brightest, ties to the
 * last. */
static int expected_owner(const synth *s, int x, int y)
{
	int own = 0, best = 0;
	for (int k = 0; k < s->nvis; k++) {
		const synth_vis *v = &s->vis[k];
		const synth_obj *b = &s->obj[v->slot];
		int i = y - v->top, j = x - v->left;
		if (i < 0 || j < 0 || i >= b->ph || j >= b->pw)
			continue;
		int a = b->patch[i * b->pw + j];
		if (!a)
			continue;
		if (s->cfg.kind == SYNTH_SPRITES || a >= best)
			own = k + 1, best = a;
	}
	return own;
}

static void check_frames(synth_kind kind, uint64_t seed)
{
	synth_digits d = fake_digits();
	synth s;
	make(&s, kind, &d, seed, 0.5, 3);
	int H = 128, W = 128, shared = 0;
	uint8_t *mask = malloc((size_t)H * W);
	uint32_t *cnts = malloc(((size_t)2 * H * W + 2) * sizeof *cnts);
	for (int f = 0; f < 400; f++) {
		synth_next(&s);
		for (int y = 0; y < H; y++)
			for (int x = 0; x < W; x++)
				cr_assert_eq(s.owner[y * W + x], expected_owner(&s, x, y),
					     "frame %d pixel %d,%d", f + 1, x, y);
		for (int k = 0; k < s.nvis; k++) {
			const synth_vis *v = &s.vis[k];
			for (int i = 0; i < H * W; i++)
				mask[i] = s.owner[i] == k + 1;
			rle_t want, got;
			rle_encode(&want, mask, H, W);
			uint32_t m = synth_mask_counts(&s, k, cnts);
			rle_init(&got, H, W, m, cnts);
			cr_assert(want.m == got.m && !memcmp(want.cnts, got.cnts, m * 4),
				  "frame %d object %d: counts differ", f + 1, k);
			cr_expect_eq(rle_area(&got), v->area);
			rle_box bb = rle_bbox(&got);
			if (v->area)
				cr_expect(bb.x == (uint32_t)v->tx && bb.y == (uint32_t)v->ty &&
					  bb.w == (uint32_t)v->tw && bb.h == (uint32_t)v->th);
			cr_expect(v->area <= v->own);
			shared += v->area < v->own;
			rle_free(&want), rle_free(&got);
		}
	}
	cr_expect_gt(shared, 10);   /* overlaps did happen */
	free(mask), free(cnts);
	synth_free(&s);
	synth_digits_free(&d);
}

Test(synth_masks, sprites_front_owns_and_counts_match_rle_encode) { check_frames(SYNTH_SPRITES, 21); }
Test(synth_masks, mnist_brightest_owns_and_counts_match_rle_encode) { check_frames(SYNTH_MNIST, 22); }

Test(synth_masks, full_column_and_corner_masks)
{
	/* Masks touching the frame's edges and spanning whole columns. */
	synth s;
	make(&s, SYNTH_SPRITES, NULL, 1, 1.0, 1);
	uint8_t mask[128 * 128];
	uint32_t cnts[2 * 128 * 128 + 2];
	s.nvis = 1;
	synth_vis *v = &s.vis[0];
	for (int t = 0; t < 4; t++) {
		memset(s.owner, 0, sizeof mask);
		if (t == 0) { v->tx = 5, v->ty = 0, v->tw = 3, v->th = 128; }
		if (t == 1) { v->tx = 125, v->ty = 120, v->tw = 3, v->th = 8; }
		if (t == 2) { v->tx = 0, v->ty = 0, v->tw = 2, v->th = 3; }
		if (t == 3) { v->tx = 0, v->ty = 0, v->tw = 128, v->th = 128; }
		for (int y = v->ty; y < v->ty + v->th; y++)
			for (int x = v->tx; x < v->tx + v->tw; x++)
				s.owner[y * 128 + x] = (uint8_t)((x + y) % 3 != 1 || t == 3);
		for (int i = 0; i < 128 * 128; i++)
			mask[i] = s.owner[i] == 1;
		rle_t want;
		rle_encode(&want, mask, 128, 128);
		uint32_t m = synth_mask_counts(&s, 0, cnts);
		cr_expect(m == want.m && !memcmp(cnts, want.cnts, m * 4), "case %d", t);
		rle_free(&want);
	}
	synth_free(&s);
}

Test(synth_video, deterministic_per_seed)
{
	synth a, b, c;
	make(&a, SYNTH_SPRITES, NULL, 42, 0.5, 3);
	make(&b, SYNTH_SPRITES, NULL, 42, 0.5, 3);
	make(&c, SYNTH_SPRITES, NULL, 43, 0.5, 3);
	int differ = 0;
	for (int f = 0; f < 300; f++) {
		synth_next(&a), synth_next(&b), synth_next(&c);
		cr_assert(!memcmp(a.img, b.img, 128 * 128 * 3));
		differ |= memcmp(a.img, c.img, 128 * 128 * 3) != 0;
	}
	cr_expect(differ);
	synth_free(&a), synth_free(&b), synth_free(&c);
}

Test(synth_video, sprites_statistics)
{
	/* the statistics at a smaller scale: frames 1-6 empty, lifetimes
	 * 21..29, sizes 17..25 x 17..26, about 2.2 objects per frame. */
	synth s;
	make(&s, SYNTH_SPRITES, NULL, 7, 0.5, 3);
	synth_stats st;
	synth_stats_init(&st);
	for (int f = 0; f < 5000; f++) {
		synth_next(&s);
		synth_stats_add(&st, &s);
	}
	FILE *devnull = fopen("/dev/null", "w");
	synth_stats_print(&st, &s, devnull);
	fclose(devnull);
	cr_expect_geq(st.first_visible, 7);   /* frames 1-6 are always empty */
	cr_expect(st.len_min >= 21 && st.len_max <= 30, "%lld..%lld", (long long)st.len_min,
		  (long long)st.len_max);
	double mean = (double)st.len_sum / st.complete;
	cr_expect(mean > 22.0 && mean < 23.0, "mean length %.2f", mean);
	cr_expect(st.minh >= 17 && st.maxh <= 25 && st.minw >= 17 && st.maxw <= 26);
	double per = (double)st.boxes / st.frames;
	cr_expect(per > 2.1 && per < 2.3, "%.3f objects per frame", per);
	double occ = (double)st.occluded / st.boxes;
	cr_expect(occ > 0.04 && occ < 0.10, "occluded %.3f", occ);
	synth_stats_free(&st);
	synth_free(&s);
}

Test(synth_digits, load_idx_and_reject_bad_files)
{
	char path[] = "/tmp/test_synth_XXXXXX", err[256];
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	FILE *fp = fdopen(fd, "wb");
	const uint8_t h[16] = { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28 };
	fwrite(h, 1, 16, fp);
	for (int i = 0; i < 2 * 784; i++)
		fputc(i % 251, fp);
	fclose(fp);
	synth_digits d;
	cr_assert_eq(synth_digits_load(path, &d, err, sizeof err), 0, "%s", err);
	cr_expect(d.n == 2 && d.px[784] == 784 % 251);
	synth_digits_free(&d);
	fp = fopen(path, "wb");
	fwrite(h, 1, 16, fp);   /* announces 2 digits, holds none */
	fclose(fp);
	cr_expect_eq(synth_digits_load(path, &d, err, sizeof err), -1);
	cr_expect(strstr(err, "truncated") != NULL, "%s", err);
	/* 116 bytes announcing 2^24 digits: refused from the file size,
	 * before the pixels are allocated */
	const uint8_t big[16] = { 0, 0, 8, 3, 1, 0, 0, 0, 0, 0, 0, 28, 0, 0, 0, 28 };
	fp = fopen(path, "wb");
	fwrite(big, 1, 16, fp);
	for (int i = 0; i < 100; i++)
		fputc(i, fp);
	fclose(fp);
	cr_expect_eq(synth_digits_load(path, &d, err, sizeof err), -1);
	cr_expect(strstr(err, "16777216 digits announced, 100 bytes of pixels there") != NULL, "%s", err);
	cr_expect_eq(synth_digits_load("/dev/null", &d, err, sizeof err), -1);
	fp = fopen(path, "wb");
	fputs("not an idx file at all", fp);
	fclose(fp);
	cr_expect_eq(synth_digits_load(path, &d, err, sizeof err), -1);
	cr_expect(strstr(err, path) != NULL);
	unlink(path);
	cr_expect_eq(synth_digits_load(path, &d, err, sizeof err), -1);
}
