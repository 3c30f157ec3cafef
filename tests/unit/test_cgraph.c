/* The static constraint graph: same-frame and temporal cannot-links, the
 * three metrics, the alpha_t range and the memory bound. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "track/cgraph.h"

#define H 20
#define W 20

/* A mask of the h x w image with the rectangle [x, x+bw) x [y, y+bh) set. */
static void rect(rle_t *r, int x, int y, int bw, int bh)
{
	uint8_t m[H * W] = {0};
	for (int i = y; i < y + bh; i++)
		for (int j = x; j < x + bw; j++)
			m[i * W + j] = 1;
	rle_encode(r, m, H, W);
}

static cg_node node(int64_t f, int64_t k, const rle_t *r, float x, float y, float w, float h)
{
	cg_node n = {.f = f, .k = k, .box = {x, y, w, h}, .rle = r};
	if (r)
		n.bb = rle_bbox(r);
	return n;
}

static void add(cgraph *g, const cg_node *n, cg_keys *out)
{
	char err[256];
	cr_assert_eq(cg_add(g, n, out, err, sizeof err), 0, "%s", err);
}

Test(cgraph, same_frame_detections_cannot_link)
{
	cg_opts o;
	cg_opts_paper(&o);
	cgraph *g = cg_new(&o);
	cg_keys out = {0};
	rle_t r;
	rect(&r, 2, 2, 5, 5);
	/* identical masks: overlap does not matter within a frame */
	for (int k = 0; k < 3; k++) {
		cg_node n = node(7, 100 + k, &r, 2, 2, 5, 5);
		add(g, &n, &out);
		cr_assert_eq(out.n, (size_t)k);
		for (int j = 0; j < k; j++)
			cr_assert_eq(out.k[j], 100 + j);
	}
	rle_free(&r);
	free(out.k);
	cg_free(g);
}

Test(cgraph, temporal_links_by_mask_overlap_within_alpha_t)
{
	cg_opts o;
	cg_opts_paper(&o);   /* alpha_t 1, IoU <= 0 */
	cgraph *g = cg_new(&o);
	cg_keys out = {0};
	rle_t a, b, c, d;
	rect(&a, 0, 0, 4, 4);      /* frame 1 */
	rect(&b, 10, 10, 4, 4);    /* frame 1 */
	rect(&c, 2, 2, 4, 4);      /* frame 2: overlaps a, not b */
	rect(&d, 0, 0, 4, 4);      /* frame 3: overlaps c; a is 2 frames back */
	cg_node na = node(1, 1, &a, 0, 0, 4, 4), nb = node(1, 2, &b, 10, 10, 4, 4);
	cg_node nc = node(2, 3, &c, 2, 2, 4, 4), nd = node(3, 4, &d, 0, 0, 4, 4);
	add(g, &na, &out);
	add(g, &nb, &out);
	add(g, &nc, &out);
	cr_assert_eq(out.n, 1);
	cr_assert_eq(out.k[0], 2);
	add(g, &nd, &out);
	cr_assert_eq(out.n, 0, "a is out of range, c overlaps");
	for (rle_t *r = &a; r; r = r == &a ? &b : r == &b ? &c : r == &c ? &d : NULL)
		rle_free(r);
	free(out.k);
	cg_free(g);
}

Test(cgraph, iou_threshold_and_alpha_t_are_options)
{
	cg_opts o;
	cg_opts_paper(&o);
	o.alpha_t = 2;
	o.iou_thr = 0.3;
	cgraph *g = cg_new(&o);
	cg_keys out = {0};
	rle_t a, b, c;
	rect(&a, 0, 0, 4, 4);
	rect(&b, 3, 0, 4, 4);      /* IoU 4/28 with a */
	rect(&c, 10, 10, 2, 2);
	cg_node na = node(1, 1, &a, 0, 0, 4, 4), nb = node(2, 2, &b, 3, 0, 4, 4);
	cg_node nc = node(3, 3, &c, 10, 10, 2, 2);
	add(g, &na, &out);
	add(g, &nb, &out);
	cr_assert_eq(out.n, 1, "small overlap is below the threshold");
	add(g, &nc, &out);
	cr_assert_eq(out.n, 2, "two frames back is within alpha_t 2");
	cr_assert_eq(out.k[0], 1);
	cr_assert_eq(out.k[1], 2);
	rle_free(&a), rle_free(&b), rle_free(&c);
	free(out.k);
	cg_free(g);
}

Test(cgraph, box_iou_when_masks_are_missing)
{
	cg_opts o;
	cg_opts_paper(&o);
	cgraph *g = cg_new(&o);
	cg_keys out = {0};
	cg_node a = node(1, 1, NULL, 0, 0, 4, 4), b = node(2, 2, NULL, 2, 2, 4, 4);
	cg_node c = node(3, 3, NULL, 20, 20, 4, 4);
	add(g, &a, &out);
	add(g, &b, &out);
	cr_assert_eq(out.n, 0);
	add(g, &c, &out);
	cr_assert_eq(out.n, 1);
	cr_assert_eq(out.k[0], 2);
	free(out.k);
	cg_free(g);
}

Test(cgraph, latent_distance_metric)
{
	cg_opts o;
	cg_opts_paper(&o);
	o.metric = CG_EMBED;
	o.embed_thr = 1.0;
	cgraph *g = cg_new(&o);
	cg_keys out = {0};
	float z1[2] = {0, 0}, z2[2] = {0.6f, 0.79f}, z3[2] = {0.6f, 1.8f};
	cg_node a = node(1, 1, NULL, 0, 0, 4, 4), b = node(2, 2, NULL, 50, 50, 4, 4);
	cg_node c = node(2, 3, NULL, 0, 0, 4, 4);
	a.z = z1, b.z = z2, c.z = z3;
	a.zdim = b.zdim = c.zdim = 2;
	add(g, &a, &out);
	add(g, &b, &out);
	cr_assert_eq(out.n, 0, "boxes apart, latent close (0.99): no link");
	add(g, &c, &out);
	cr_assert_eq(out.n, 2, "same frame as b, latent 1.9 from a");
	cr_assert_eq(out.k[0], 1);
	cr_assert_eq(out.k[1], 2);
	free(out.k);
	cg_free(g);
}

Test(cgraph, combined_metrics_need_every_criterion)
{
	/* embed and box-iou: a cannot-link needs the latent vectors far apart
	 * AND the boxes apart */
	cg_opts o;
	cg_opts_paper(&o);
	o.metric = CG_EMBED | CG_BOX_IOU;
	o.alpha_t = 2;
	o.embed_thr = 1.0;
	cgraph *g = cg_new(&o);
	cg_keys out = {0};
	float za[2] = {0, 0}, far[2] = {3, 0}, near[2] = {0.5f, 0};
	cg_node a = node(1, 1, NULL, 0, 0, 4, 4);
	cg_node b = node(2, 2, NULL, 2, 2, 4, 4);     /* overlaps a, far in z */
	cg_node c = node(3, 3, NULL, 40, 40, 4, 4);   /* apart from a and b, near a in z */
	cg_node d = node(4, 4, NULL, 80, 80, 4, 4);   /* apart from b and c, far in z from b only */
	a.z = za, b.z = far, c.z = near, d.z = za;
	a.zdim = b.zdim = c.zdim = d.zdim = 2;
	add(g, &a, &out);
	add(g, &b, &out);
	cr_assert_eq(out.n, 0, "far in z but the boxes overlap: no link");
	add(g, &c, &out);
	cr_assert_eq(out.n, 1, "a: close in z; b: apart and far in z");
	cr_assert_eq(out.k[0], 2);
	add(g, &d, &out);
	cr_assert_eq(out.n, 1, "b: apart and far in z; c: 0.5 away in z");
	cr_assert_eq(out.k[0], 2);
	free(out.k);
	cg_free(g);
}

Test(cgraph, latent_metric_needs_z)
{
	cg_opts o;
	cg_opts_paper(&o);
	o.metric = CG_EMBED;
	cgraph *g = cg_new(&o);
	cg_keys out = {0};
	char err[256] = "";
	float z[2] = {0, 0};
	cg_node a = node(1, 1, NULL, 0, 0, 4, 4), b = node(2, 2, NULL, 0, 0, 4, 4);
	a.z = z, a.zdim = 2;
	cr_assert_eq(cg_add(g, &a, &out, err, sizeof err), 0);
	cr_assert_eq(cg_add(g, &b, &out, err, sizeof err), -1);
	cr_assert(strstr(err, "no z"), "%s", err);
	free(out.k);
	cg_free(g);
}

Test(cgraph, refuses_frames_going_back_and_mixed_mask_sizes)
{
	cg_opts o;
	cg_opts_paper(&o);
	cgraph *g = cg_new(&o);
	cg_keys out = {0};
	char err[256] = "";
	cg_node a = node(5, 1, NULL, 0, 0, 4, 4), b = node(4, 2, NULL, 0, 0, 4, 4);
	cr_assert_eq(cg_add(g, &a, &out, err, sizeof err), 0);
	cr_assert_eq(cg_add(g, &b, &out, err, sizeof err), -1);
	cr_assert(strstr(err, "must not decrease"), "%s", err);
	cg_reset(g);
	rle_t r1, r2;
	uint8_t m[4 * 4] = {1};
	rle_encode(&r1, m, 4, 4);
	rle_encode(&r2, m, 2, 8);
	cg_node c = node(1, 1, &r1, 0, 0, 1, 1), d = node(2, 2, &r2, 0, 0, 1, 1);
	cr_assert_eq(cg_add(g, &c, &out, err, sizeof err), 0);
	cr_assert_eq(cg_add(g, &d, &out, err, sizeof err), -1);
	cr_assert(strstr(err, "sizes differ"), "%s", err);
	rle_free(&r1), rle_free(&r2);
	free(out.k);
	cg_free(g);
}

Test(cgraph, crowded_frames_keep_their_masks)
{
	/* 40 detections a frame: the held ring grows past its first size and
	 * the masks it holds must move with it */
	cg_opts o;
	cg_opts_paper(&o);
	cgraph *g = cg_new(&o);
	cg_keys out = {0};
	rle_t r[40];
	for (int j = 0; j < 40; j++)
		rect(&r[j], j % 20, j / 20 * 10, 1, 10);   /* 1-pixel columns */
	for (int f = 0; f < 3; f++)
		for (int j = 0; j < 40; j++) {
			cg_node n = node(f, f * 40 + j, &r[j], (float)(j % 20), (float)(j / 20 * 10), 1, 10);
			add(g, &n, &out);
			if (f == 0)
				continue;
			/* j earlier ones of its frame, and the 39 others of the
			 * previous frame: only its own column overlaps */
			cr_assert_eq(out.n, (size_t)(j + 39), "frame %d det %d: %zu", f, j, out.n);
			for (size_t i = 0; i < 39; i++)
				cr_assert_neq(out.k[i], (f - 1) * 40 + j);
		}
	for (int j = 0; j < 40; j++)
		rle_free(&r[j]);
	free(out.k);
	cg_free(g);
}

Test(cgraph, memory_is_bounded_by_the_window)
{
	cg_opts o;
	cg_opts_paper(&o);
	o.alpha_t = 2;
	cgraph *g = cg_new(&o);
	cg_keys out = {0};
	rle_t r;
	rect(&r, 1, 1, 3, 3);
	size_t most = 0;
	for (int f = 0; f < 5000; f++)
		for (int j = 0; j < 3; j++) {
			cg_node n = node(f, f * 3 + j, &r, 1, 1, 3, 3);
			add(g, &n, &out);
			if (cg_held(g) > most)
				most = cg_held(g);
		}
	cr_assert_leq(most, 9, "held %zu detections", most);
	cg_reset(g);
	cr_assert_eq(cg_held(g), 0);
	rle_free(&r);
	free(out.k);
	cg_free(g);
}

Test(cgraph, must_links_join_a_clear_overlap_only)
{
	cg_opts o;
	cg_opts_paper(&o);
	o.ml_iou = 0.5;
	cgraph *g = cg_new(&o);
	cg_keys cl = {0}, ml = {0};
	char err[256];
	rle_t a, b, c, d;
	rect(&a, 0, 0, 8, 8);    /* frame 1 */
	rect(&b, 10, 0, 8, 8);
	rect(&c, 1, 0, 8, 8);    /* frame 2: a moved 1 px (IoU 7/9) */
	rect(&d, 14, 0, 8, 8);   /* frame 2: b moved 4 px (IoU 4/12) */
	cg_node na = node(1, 1, &a, 0, 0, 8, 8), nb = node(1, 2, &b, 10, 0, 8, 8);
	cg_node nc = node(2, 3, &c, 1, 0, 8, 8), nd = node(2, 4, &d, 14, 0, 8, 8);
	add(g, &na, &cl);
	cr_assert_eq(cg_must_links(g, &na, &ml, err, sizeof err), 0);
	cr_assert_eq(ml.n, 0, "nothing earlier");
	add(g, &nb, &cl);
	cr_assert_eq(cg_must_links(g, &nb, &ml, err, sizeof err), 0);
	cr_assert_eq(ml.n, 0, "the same frame never must-links");
	add(g, &nc, &cl);
	cr_assert_eq(cg_must_links(g, &nc, &ml, err, sizeof err), 0);
	cr_assert_eq(ml.n, 1);
	cr_assert_eq(ml.k[0], 1);
	add(g, &nd, &cl);
	cr_assert_eq(cg_must_links(g, &nd, &ml, err, sizeof err), 0);
	cr_assert_eq(ml.n, 0, "IoU 1/3 is not above 0.5");
	/* off by default */
	cgraph *g0 = cg_new(&(cg_opts){.alpha_t = 1, .metric = CG_MASK_IOU, .ml_iou = 1});
	add(g0, &na, &cl);
	add(g0, &nc, &cl);
	cr_assert_eq(cg_must_links(g0, &nc, &ml, err, sizeof err), 0);
	cr_assert_eq(ml.n, 0);
	rle_free(&a), rle_free(&b), rle_free(&c), rle_free(&d);
	free(cl.k), free(ml.k);
	cg_free(g), cg_free(g0);
}

Test(cgraph, defaults_and_the_papers_settings)
{
	cg_opts d, p;
	cg_opts_default(&d);
	cg_opts_paper(&p);
	cr_assert_eq(p.alpha_t, 1);
	cr_assert_eq(p.metric, CG_MASK_IOU);
	cr_assert_eq(p.iou_thr, 0);
	cr_assert_eq(p.ml_iou, 1, "no must-links");
	cr_assert_eq(d.alpha_t, 1);
	cr_assert_eq(d.metric, CG_EMBED | CG_MASK_IOU);
	cr_assert_eq(d.iou_thr, p.iou_thr);
	cr_assert_eq(d.embed_thr, p.embed_thr);
	cr_assert_eq(d.ml_iou, 0.5);
}
