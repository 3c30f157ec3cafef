/* COP-KMeans (usc-mots-method(7), COP-KMEANS), plain k-means, and the sliding-window
 * tracker on stand-in features (box plus a coarse shape code). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "track/cgraph.h"
#include "track/ckmeans.h"
#include "track/copkmeans.h"
#include "track/kmeans.h"
#include "track/motion.h"

Test(ckmeans, tolerance_is_relative_to_the_mean_variance)
{
	float Z[4 * 2] = {0, 0, 2, 0, 0, 4, 2, 4};   /* variances 1 and 4 */
	cr_assert_float_eq(km_tolerance(Z, 4, 2, 1e-4), 1e-4 * 2.5, 1e-12);
	cr_assert_eq(km_tolerance(Z, 1, 2, 1e-4), 0);
}

Test(ckmeans, cop_separates_two_groups)
{
	scratch *ws = scratch_new();
	/* window order: frame 2 (a0, b0), frame 1 (a1, b1) */
	float Z[4] = {0, 10, 0.5f, 9.5f};
	int64_t fr[4] = {2, 2, 1, 1};
	uint32_t grp[4] = {0, 1, 2, 3}, init[2] = {1, 0}, lab[4];
	uint8_t cl[16] = {0};
	cl[0 * 4 + 1] = cl[1 * 4 + 0] = 1;
	cl[2 * 4 + 3] = cl[3 * 4 + 2] = 1;
	int it;
	size_t nc = copk_cluster(ws, Z, 4, 1, fr, grp, 4, cl, init, 2, 50, 0, CK_ORDER_WINDOW, lab, &it);
	cr_assert_eq(nc, 2);
	cr_assert_eq(lab[0], lab[2]);
	cr_assert_eq(lab[1], lab[3]);
	cr_assert_neq(lab[0], lab[1]);
	cr_assert_eq(lab[0], 1, "clusters keep the order of their centres");
	scratch_free(ws);
}

Test(ckmeans, cop_opens_a_cluster_when_no_centre_is_feasible)
{
	scratch *ws = scratch_new();
	/* frame 2: a; frame 1: b and c, both near a but b-c and a-b, a-c
	 * cannot link: c has nowhere to go */
	float Z[3] = {0, 0.1f, 0.2f};
	int64_t fr[3] = {2, 1, 1};
	uint32_t grp[3] = {0, 1, 2}, init[1] = {0}, lab[3];
	uint8_t cl[9] = {0, 1, 1, 1, 0, 1, 1, 1, 0};
	size_t nc = copk_cluster(ws, Z, 3, 1, fr, grp, 3, cl, init, 1, 50, 0, CK_ORDER_WINDOW, lab, NULL);
	cr_assert_eq(nc, 3);
	cr_assert(lab[0] != lab[1] && lab[1] != lab[2] && lab[0] != lab[2]);
	scratch_free(ws);
}

Test(ckmeans, cop_keeps_must_link_components_together)
{
	scratch *ws = scratch_new();
	/* a1 is near centre b but must go with a0 (same track) */
	float Z[4] = {0, 10, 0.2f, 9.9f};
	int64_t fr[4] = {3, 3, 2, 1};
	uint32_t grp[4] = {0, 1, 2, 2}, init[2] = {0, 1}, lab[4];
	uint8_t cl[9] = {0};
	cl[0 * 3 + 1] = cl[1 * 3 + 0] = 1;
	size_t nc = copk_cluster(ws, Z, 4, 1, fr, grp, 3, cl, init, 2, 50, 0, CK_ORDER_WINDOW, lab, NULL);
	cr_assert_eq(nc, 2);
	cr_assert_eq(lab[2], lab[3]);
	cr_assert_eq(lab[2], lab[0], "the component's nearest centre wins for its first member");
	scratch_free(ws);
}

Test(ckmeans, cop_nearest_order_places_the_closest_pair_first)
{
	/* centres: the current frame's a (0) and b (10); the previous frame's
	 * tracks: p (6, first in the window) and q (9.9), which cannot link.
	 * In window order p takes b's centre (4 < 6) and q is left with a; the
	 * closest pair first gives q to b (0.1) and p to a. */
	scratch *ws = scratch_new();
	float Z[4] = {0, 10, 6, 9.9f};
	int64_t fr[4] = {2, 2, 1, 1};
	uint32_t grp[4] = {0, 1, 2, 3}, init[2] = {0, 1}, lab[4];
	uint8_t cl[16] = {0};
	cl[0 * 4 + 1] = cl[1 * 4 + 0] = 1;
	cl[2 * 4 + 3] = cl[3 * 4 + 2] = 1;
	copk_cluster(ws, Z, 4, 1, fr, grp, 4, cl, init, 2, 50, 0, CK_ORDER_WINDOW, lab, NULL);
	cr_assert_eq(lab[2], lab[1], "window order: the first point chooses first");
	cr_assert_eq(lab[3], lab[0]);
	size_t nc = copk_cluster(ws, Z, 4, 1, fr, grp, 4, cl, init, 2, 50, 0, CK_ORDER_NEAREST, lab, NULL);
	cr_assert_eq(nc, 2);
	cr_assert_eq(lab[3], lab[1], "nearest first: q joins b");
	cr_assert_eq(lab[2], lab[0]);
	scratch_free(ws);
}

Test(ckmeans, cop_nearest_order_opens_a_cluster_when_nothing_is_feasible)
{
	scratch *ws = scratch_new();
	float Z[3] = {0, 0.1f, 0.2f};
	int64_t fr[3] = {2, 1, 1};
	uint32_t grp[3] = {0, 1, 2}, init[1] = {0}, lab[3];
	uint8_t cl[9] = {0, 1, 1, 1, 0, 1, 1, 1, 0};
	size_t nc = copk_cluster(ws, Z, 3, 1, fr, grp, 3, cl, init, 1, 50, 0, CK_ORDER_NEAREST, lab, NULL);
	cr_assert_eq(nc, 3);
	cr_assert(lab[0] != lab[1] && lab[1] != lab[2] && lab[0] != lab[2]);
	scratch_free(ws);
}

/* motion_links on m, a fresh copy of the window's cannot-links cl (ng x
 * ng), with a scratch of its own */
static size_t links(const ck_wdet *w, size_t n, const uint32_t *grp, size_t ng, const uint8_t *cl,
		    uint8_t *m, const motion_gate *g)
{
	memcpy(m, cl, ng * ng);
	scratch *ms = scratch_new();
	size_t added = motion_links(ms, w, n, grp, ng, m, g);
	scratch_free(ms);
	return added;
}

Test(ckmeans, motion_gate_forbids_links_away_from_the_predicted_box)
{
	/* track 7 moves right 10 px a frame (frames 1, 2); in frame 3, u sits
	 * where it should be, v where it was (IoU 0 with the prediction) */
	float b1[4] = {0, 0, 8, 8}, b2[4] = {10, 0, 8, 8}, bu[4] = {20, 1, 8, 8}, bv[4] = {10, 0, 8, 8};
	ck_wdet w[4] = {
		{.f = 3, .k = 3, .box = bu}, {.f = 3, .k = 4, .box = bv},
		{.f = 2, .k = 2, .id = 7, .box = b2}, {.f = 1, .k = 1, .id = 7, .box = b1},
	};
	scratch *ws = scratch_new();
	uint32_t grp[4];
	const uint8_t *cl;
	size_t ng = ck_constraints(ws, w, 4, 0, grp, &cl);
	cr_assert_eq(ng, 3);
	uint8_t m[9];
	cr_assert_eq(links(w, 4, grp, ng, cl, m, &(motion_gate){.iou = 0, .overlap = 0, .exit = -1}), 1);
	cr_assert_eq(m[grp[2] * ng + grp[1]], 1, "v is off the predicted path");
	cr_assert_eq(m[grp[1] * ng + grp[2]], 1);
	cr_assert_eq(m[grp[2] * ng + grp[0]], 0, "u is where the track should be");
	/* a track seen in one frame of the window moves at its stored velocity */
	double vel[2] = {10, 0};
	ck_wdet one[3] = {
		{.f = 3, .k = 3, .box = bu}, {.f = 3, .k = 4, .box = bv},
		{.f = 2, .k = 2, .id = 7, .box = b2, .vel = vel},
	};
	ng = ck_constraints(ws, one, 3, 0, grp, &cl);
	cr_assert_eq(links(one, 3, grp, ng, cl, m, &(motion_gate){.iou = 0, .overlap = 0, .exit = -1}), 1);
	cr_assert_eq(m[grp[2] * ng + grp[1]], 1);
	/* without a velocity, the prediction stays put: v is fine, u is not */
	one[2].vel = NULL;
	cr_assert_eq(links(one, 3, grp, ng, cl, m, &(motion_gate){.iou = 0, .overlap = 0, .exit = -1}), 1);
	cr_assert_eq(m[grp[2] * ng + grp[0]], 1);
	cr_assert_eq(m[grp[2] * ng + grp[1]], 0);
	scratch_free(ws);
}

Test(ckmeans, jump_limit_keeps_far_apart_newcomers_from_starting_a_track)
{
	/* frame 1: a (10 px box); frame 2: b next to a, c 100 px away, d of
	 * frame 2 labelled (the jump limit binds unassigned detections only) */
	float ba[4] = {0, 0, 10, 10}, bb[4] = {14, 0, 10, 10}, bc[4] = {110, 0, 10, 10};
	ck_wdet w[4] = {
		{.f = 2, .k = 2, .box = bb}, {.f = 2, .k = 3, .box = bc}, {.f = 2, .k = 4, .id = 5, .box = bc},
		{.f = 1, .k = 1, .box = ba},
	};
	scratch *ws = scratch_new();
	uint32_t grp[4];
	const uint8_t *cl;
	size_t ng = ck_constraints(ws, w, 4, 0, grp, &cl);
	uint8_t m[16];
	memcpy(m, cl, ng * ng);
	cr_assert_eq(motion_jumps(w, 4, grp, ng, m, -1), 0, "off");
	cr_assert_eq(motion_jumps(w, 4, grp, ng, m, 1), 1);
	cr_assert_eq(m[grp[3] * ng + grp[1]], 1, "c is 100 px (10 sides) from a");
	cr_assert_eq(m[grp[1] * ng + grp[3]], 1);
	cr_assert_eq(m[grp[3] * ng + grp[0]], 0, "b is 4 px from a");
	cr_assert_eq(m[grp[3] * ng + grp[2]], 0, "a track is the motion gate's");
	/* the limit grows with the frames between them */
	w[3].f = 0;
	memcpy(m, cl, ng * ng);
	cr_assert_eq(motion_jumps(w, 4, grp, ng, m, 6), 0, "100 px < 6 sides x 2 frames");
	cr_assert_eq(motion_jumps(w, 4, grp, ng, m, 4), 1, "100 px > 4 sides x 2 frames");
	scratch_free(ws);
}

Test(ckmeans, exit_rule_forbids_a_track_predicted_out_of_the_scene)
{
	/* track 7 moves up 5 px a frame, centre y 30 then 25; in frame 3, u
	 * sits exactly where it should be (centre y 20) */
	float b1[4] = {50, 20, 20, 20}, b2[4] = {50, 15, 20, 20}, bu[4] = {50, 10, 20, 20};
	ck_wdet w[3] = {
		{.f = 3, .k = 3, .box = bu},
		{.f = 2, .k = 2, .id = 7, .box = b2}, {.f = 1, .k = 1, .id = 7, .box = b1},
	};
	scratch *ws = scratch_new();
	uint32_t grp[3];
	const uint8_t *cl;
	size_t ng = ck_constraints(ws, w, 3, 0, grp, &cl);
	cr_assert_eq(ng, 2, "the track's two detections are one component");
	uint8_t m[4];
	motion_gate g = {.iou = 0.1, .overlap = 0, .exit = -1, .width = 128, .height = 128};
	cr_assert_eq(links(w, 3, grp, ng, cl, m, &g), 0, "no exit rule: u is on the path");
	g.exit = 21;   /* the prediction's centre (y 20) crosses the exit line */
	cr_assert_eq(links(w, 3, grp, ng, cl, m, &g), 1);
	cr_assert_eq(m[grp[1] * ng + grp[0]], 1, "the track has left the scene");
	g.exit = 10;
	cr_assert_eq(links(w, 3, grp, ng, cl, m, &g), 0, "still inside a 10 px exit line");
	g.exit = 30;   /* the last centre (y 25) is already outside: no crossing */
	cr_assert_eq(links(w, 3, grp, ng, cl, m, &g), 0);
	g.exit = 21, g.width = g.height = 0;   /* no image size: no exit rule */
	cr_assert_eq(links(w, 3, grp, ng, cl, m, &g), 0);
	scratch_free(ws);
}

Test(ckmeans, occlusion_guard_marks_touching_boxes_and_spares_them)
{
	/* frame 2: u and v abut (no overlap, no gap), x is alone;
	 * frame 1: t (track 5), the same boxes as u and v but far apart */
	float bu[4] = {10, 10, 8, 8}, bv[4] = {18, 10, 8, 8}, bx[4] = {60, 60, 8, 8};
	float bt[4] = {2, 10, 8, 8}, bs[4] = {30, 10, 8, 8};
	int64_t cu[] = {3}, cx[] = {3};
	ck_wdet w[5] = {
		{.f = 2, .k = 10, .box = bu, .cl = cu, .ncl = 1},
		{.f = 2, .k = 11, .box = bv},
		{.f = 2, .k = 12, .box = bx, .cl = cx, .ncl = 1},
		{.f = 1, .k = 3, .id = 5, .box = bt},
		{.f = 1, .k = 4, .id = 6, .box = bs},
	};
	motion_mark_occluded(w, 5, 0);
	cr_assert_eq(w[0].occluded + w[1].occluded + w[2].occluded, 0, "abutting: not at margin 0");
	motion_mark_occluded(w, 5, 1);
	cr_assert(w[0].occluded && w[1].occluded);
	cr_assert(!w[2].occluded && !w[3].occluded && !w[4].occluded, "frames are apart");
	ck_wdet save[5];
	memcpy(save, w, sizeof w);
	motion_mark_occluded(w, 5, -1);
	cr_assert_eq(w[0].occluded + w[1].occluded, 0, "a negative margin turns the guard off");
	memcpy(w, save, sizeof w);

	/* the stream's temporal cannot-link spares the occluded u, not x */
	scratch *ws = scratch_new();
	uint32_t grp[5];
	const uint8_t *cl;
	size_t ng = ck_constraints(ws, w, 5, 0, grp, &cl);
	cr_assert_eq(cl[grp[0] * ng + grp[3]], 0, "u is occluded: its temporal cannot-link is dropped");
	cr_assert_eq(cl[grp[2] * ng + grp[3]], 1, "x is not");

	/* motion gate (track 5 has no velocity: predicted where it was, bt):
	 * u overlaps the prediction by IoU 1/3 and by half of its area, v not
	 * at all; a threshold of 0.5 forbids both when unmarked; when marked,
	 * only what overlaps by at most g.overlap of the smaller box */
	float near_[4] = {6, 10, 8, 8};   /* IoU 1/3, intersection 1/2 of each, with bt */
	w[0].box = near_;
	uint8_t m[25];
	ng = ck_constraints(ws, w, 5, 0, grp, &cl);
	links(w, 5, grp, ng, cl, m, &(motion_gate){.iou = 0.5, .overlap = 0, .exit = -1});
	cr_assert_eq(m[grp[3] * ng + grp[0]], 0, "occluded and overlapping the prediction: allowed");
	cr_assert_eq(m[grp[3] * ng + grp[1]], 1, "occluded but off the prediction: forbidden");
	cr_assert_eq(m[grp[3] * ng + grp[2]], 1, "x is not occluded: held to the IoU threshold");
	links(w, 5, grp, ng, cl, m, &(motion_gate){.iou = 0.5, .overlap = 0.5, .exit = -1});
	cr_assert_eq(m[grp[3] * ng + grp[0]], 1, "half inside, overlap 0.5: forbidden");
	/* the visible part of a hidden object: small, inside the whole box */
	float part[4] = {4, 12, 3, 3};    /* IoU 9/64 with bt, wholly inside it */
	w[0].box = part;
	links(w, 5, grp, ng, cl, m, &(motion_gate){.iou = 0.5, .overlap = 0.5, .exit = -1});
	cr_assert_eq(m[grp[3] * ng + grp[0]], 0, "inside the prediction: allowed");
	w[0].box = near_;
	w[0].occluded = w[1].occluded = 0;
	ng = ck_constraints(ws, w, 5, 0, grp, &cl);
	links(w, 5, grp, ng, cl, m, &(motion_gate){.iou = 0.5, .overlap = 0, .exit = -1});
	cr_assert_eq(m[grp[3] * ng + grp[0]], 1, "unmarked, IoU 1/3 <= 0.5: forbidden");
	scratch_free(ws);
}

Test(ckmeans, cop_centres_are_most_recent_members)
{
	scratch *ws = scratch_new();
	/* a mean centre would move (to 1) and need a second pass; a centre
	 * that is the most recent member does not move: one iteration */
	float Z[3] = {0, 2, 100};
	int64_t fr[3] = {3, 2, 3};
	uint32_t grp[3] = {0, 1, 2}, init[2] = {0, 2}, lab[3];
	uint8_t cl[9] = {0};
	cl[0 * 3 + 2] = cl[2 * 3 + 0] = 1;
	int it;
	copk_cluster(ws, Z, 3, 1, fr, grp, 3, cl, init, 2, 50, 0, CK_ORDER_WINDOW, lab, &it);
	cr_assert_eq(it, 1);
	cr_assert_eq(lab[0], lab[1]);
	scratch_free(ws);
}

Test(ckmeans, cop_centre_is_the_latest_member_not_the_first)
{
	scratch *ws = scratch_new();
	/* points out of window order: the older one first. The centre moves
	 * from it (0) to the newer member (2), so a second pass is needed. */
	float Z[2] = {0, 2};
	int64_t fr[2] = {1, 2};
	uint32_t grp[2] = {0, 1}, init[1] = {0}, lab[2];
	int it;
	copk_cluster(ws, Z, 2, 1, fr, grp, 2, NULL, init, 1, 50, 0, CK_ORDER_WINDOW, lab, &it);
	cr_assert_eq(it, 2);
	scratch_free(ws);
}

Test(ckmeans, key_frame_is_current_or_oldest_fullest)
{
	size_t a[3] = {2, 2, 1}, b[3] = {1, 2, 2}, c[3] = {1, 3, 2}, d[1] = {4};
	cr_assert_eq(ck_key_frame(a, 3), 0, "the current frame wins its ties");
	cr_assert_eq(ck_key_frame(b, 3), 2, "else the oldest of the fullest");
	cr_assert_eq(ck_key_frame(c, 3), 1);
	cr_assert_eq(ck_key_frame(d, 1), 0);
}

/* cannot-link between the components of window detections a and b */
static int cl_of(const uint8_t *cl, size_t ng, const uint32_t *grp, int a, int b)
{
	return cl[grp[a] * ng + grp[b]] && cl[grp[b] * ng + grp[a]];
}

Test(ckmeans, window_constraints)
{
	scratch *ws = scratch_new();
	/* window order: frame 3 (keys 30, 31), frame 2 (20: id 1, 21: id 2,
	 * 22: none), frame 1 (10: id 1, 11: id 2) */
	int64_t e30[] = {21, 20, 99}, e31[] = {30, 22}, e22[] = {20, 21, 10, 11}, e21[] = {11};
	int64_t m31[] = {22};
	ck_wdet w[7] = {
		{.f = 3, .k = 30, .cl = e30, .ncl = 3},
		{.f = 3, .k = 31, .cl = e31, .ncl = 2, .ml = m31, .nml = 1},
		{.f = 2, .k = 20, .id = 1},
		{.f = 2, .k = 21, .id = 2, .cl = e21, .ncl = 1},
		{.f = 2, .k = 22, .cl = e22, .ncl = 4},
		{.f = 1, .k = 10, .id = 1},
		{.f = 1, .k = 11, .id = 2},
	};
	uint32_t grp[7];
	const uint8_t *cl;
	size_t ng = ck_constraints(ws, w, 7, 0, grp, &cl);
	cr_assert_eq(ng, 4, "{30} {31 22} {20 10} {21 11}");
	cr_assert_eq(grp[2], grp[5], "same id: must-link");
	cr_assert_eq(grp[3], grp[6]);
	cr_assert_eq(grp[1], grp[4], "ml edge");
	cr_assert_neq(grp[2], grp[3]);
	cr_assert(cl_of(cl, ng, grp, 2, 3), "different ids cannot link");
	cr_assert(cl_of(cl, ng, grp, 0, 2), "unlabelled 30 -> 20 (key 99 is not in the window)");
	cr_assert(cl_of(cl, ng, grp, 0, 1), "same frame");
	cr_assert(cl_of(cl, ng, grp, 4, 6), "22 -> 11 spreads to 21 through id 2");
	cr_assert(cl_of(cl, ng, grp, 1, 2), "31 inherits the same-frame link of 22 to 20");
	scratch_free(ws);
}

Test(ckmeans, temporal_links_bind_only_unlabelled_detections)
{
	scratch *ws = scratch_new();
	int64_t e20[] = {10}, e21[] = {11};
	ck_wdet w[4] = {
		{.f = 2, .k = 20, .id = 5, .cl = e20, .ncl = 1},   /* labelled: its link is off */
		{.f = 2, .k = 21, .cl = e21, .ncl = 1},            /* unlabelled: on */
		{.f = 1, .k = 10},
		{.f = 1, .k = 11, .id = 7},
	};
	uint32_t grp[4];
	const uint8_t *cl;
	size_t ng = ck_constraints(ws, w, 4, 0, grp, &cl);
	cr_assert_eq(ng, 4);
	cr_assert(!cl_of(cl, ng, grp, 0, 2));
	cr_assert(cl_of(cl, ng, grp, 1, 3));
	cr_assert(cl_of(cl, ng, grp, 0, 3), "ids 5 and 7");
	ng = ck_constraints(ws, w, 4, 1, grp, &cl);
	cr_assert(cl_of(cl, ng, grp, 0, 2), "static_all");
	scratch_free(ws);
}

Test(ckmeans, cop_stops_at_max_iter)
{
	scratch *ws = scratch_new();
	/* centres start on the oldest frame and move: more than 1 pass */
	float Z[4] = {0, 10, 4, 6};
	int64_t fr[4] = {2, 2, 1, 1};
	uint32_t grp[4] = {0, 1, 2, 3}, init[2] = {2, 3}, lab[4];
	int it;
	copk_cluster(ws, Z, 4, 1, fr, grp, 4, NULL, init, 2, 1, 0, CK_ORDER_WINDOW, lab, &it);
	cr_assert_eq(it, 1);
	copk_cluster(ws, Z, 4, 1, fr, grp, 4, NULL, init, 2, 50, 0, CK_ORDER_WINDOW, lab, &it);
	cr_assert_gt(it, 1);
	scratch_free(ws);
}

Test(ckmeans, plain_kmeans_finds_blobs)
{
	scratch *ws = scratch_new();
	rng r;
	rng_seed(&r, 3);
	float Z[60 * 2];
	for (int i = 0; i < 60; i++) {
		Z[2 * i] = (float)(i % 3) * 10 + (float)rng_uniform(&r);
		Z[2 * i + 1] = (float)rng_uniform(&r);
	}
	uint32_t lab[60];
	size_t nc = km_cluster(ws, Z, 60, 2, 3, 10, 300, km_tolerance(Z, 60, 2, 1e-4), &r, lab);
	cr_assert_eq(nc, 3);
	for (int i = 0; i < 60; i++)
		cr_assert_eq(lab[i], (uint32_t)(i % 3), "point %d", i);
	/* fewer distinct points than k */
	float same[4] = {1, 1, 1, 1};
	nc = km_cluster(ws, same, 4, 1, 3, 10, 300, 0, &r, lab);
	cr_assert_eq(nc, 1);
	scratch_free(ws);
}

/* A NaN makes every inertia NaN: the labels still come from a run of
 * this call, never from what the workspace held before. */
Test(ckmeans, plain_kmeans_with_a_nan_gives_valid_labels)
{
	scratch *ws = scratch_new();
	rng r;
	rng_seed(&r, 3);
	float Z[60];
	for (int i = 0; i < 60; i++)
		Z[i] = (float)(59 - i) * 10;
	uint32_t lab[60];
	cr_assert_eq(km_cluster(ws, Z, 60, 1, 60, 1, 300, 0, &r, lab), 60);
	float bad[4] = {NAN, 1, 2, 3};
	size_t nc = km_cluster(ws, bad, 4, 1, 2, 3, 300, 0, &r, lab);
	cr_assert(nc >= 1 && nc <= 2, "%zu clusters", nc);
	for (int i = 0; i < 4; i++)
		cr_assert_lt(lab[i], nc, "point %d", i);
	scratch_free(ws);
}

/* ---- the tracker ---- */

typedef struct sim {
	int n;
	int64_t f[4096], k[4096], gt[4096];
	float z[4096][4];
	float box[4096][4];
} sim;

/* Objects on straight lines; z is the stand-in feature: box centre and
 * size scaled to the image, as the box half of the autoencoder sees it. */
static void add_obj(sim *s, int64_t f, int gt, float x, float y, float w, float h)
{
	int i = s->n++;
	cr_assert_lt(s->n, 4096);
	s->f[i] = f, s->k[i] = i + 1, s->gt[i] = gt;
	s->box[i][0] = x, s->box[i][1] = y, s->box[i][2] = w, s->box[i][3] = h;
	s->z[i][0] = (x + w / 2) / 12.8f, s->z[i][1] = (y + h / 2) / 12.8f;
	s->z[i][2] = w / 12.8f, s->z[i][3] = h / 12.8f;
}

/* Runs cgraph (box IoU, alpha_t 1) and the tracker over s; ids out.
 * with_edges: 0 none, 1 cgraph's, 2 only the same-frame ones. */
static void run(const sim *s, const ck_opts *o, int64_t *ids, int with_edges)
{
	cg_opts go;
	cg_opts_paper(&go);
	go.metric = CG_BOX_IOU;
	go.alpha_t = with_edges == 2 ? 0 : 1;
	cgraph *g = cg_new(&go);
	cktrack *t = ckt_new(o);
	ckt_set_image(t, 128, 128);
	cg_keys keys = {0};
	char err[256];
	int out = 0;
	for (int i = 0; i < s->n; i++) {
		cg_node n = {.f = s->f[i], .k = s->k[i], .z = s->z[i], .zdim = 4};
		memcpy(n.box, s->box[i], sizeof n.box);
		cr_assert_eq(cg_add(g, &n, &keys, err, sizeof err), 0, "%s", err);
		ck_rec r = {.f = s->f[i], .k = s->k[i], .z = s->z[i], .zdim = 4, .box = s->box[i]};
		if (with_edges)
			r.cl = keys.k, r.ncl = (uint32_t)keys.n;
		cr_assert_eq(ckt_add(t, &r, err, sizeof err), 0, "%s", err);
		while (ckt_ready(t))
			ids[out++] = ckt_pop(t);
	}
	ckt_finish(t);
	while (ckt_ready(t))
		ids[out++] = ckt_pop(t);
	cr_assert_eq(out, s->n);
	free(keys.k);
	ckt_free(t);
	cg_free(g);
}

/* Identity switches as MOT counts them (on the labelled detections), and
 * the number of unlabelled ones. */
static void score(const sim *s, const int64_t *ids, int *ids_sw, int *unlabelled, int *shared)
{
	int64_t last[64] = {0};
	*ids_sw = *unlabelled = *shared = 0;
	for (int i = 0; i < s->n; i++) {
		if (!ids[i]) {
			(*unlabelled)++;
			continue;
		}
		if (last[s->gt[i]] && last[s->gt[i]] != ids[i])
			(*ids_sw)++;
		last[s->gt[i]] = ids[i];
		for (int j = 0; j < s->n; j++)
			if (j != i && s->f[j] == s->f[i] && ids[j] == ids[i])
				(*shared)++;
	}
}

Test(cktrack, two_objects_two_tracks)
{
	static sim s;
	s.n = 0;
	for (int f = 1; f <= 30; f++) {
		add_obj(&s, f, 1, 5.0f + 3 * f, 20, 10, 10);
		add_obj(&s, f, 2, 100.0f - 3 * f, 80, 12, 12);
	}
	ck_opts o;
	ck_opts_paper(&o);
	int64_t ids[4096];
	run(&s, &o, ids, 1);
	int sw, un, sh;
	score(&s, ids, &sw, &un, &sh);
	cr_assert_eq(sw, 0);
	cr_assert_eq(un, 0, "the first window labels its frames too");
	cr_assert_eq(sh, 0);
	cr_assert_neq(ids[0], ids[1]);
	cr_assert(ids[0] > 0 && ids[1] > 0 && ids[0] <= 2 && ids[1] <= 2);
}

Test(cktrack, jump_limit_keeps_look_alikes_far_apart_in_two_tracks)
{
	/* x is seen once (frame 5) and y, which looks the same, from frame 7
	 * on, far away: with nothing else between them they would start one
	 * track (a 90 px jump in two frames for a 10 px object) */
	static sim s;
	s.n = 0;
	int ix = -1, iy = -1;
	for (int f = 1; f <= 12; f++) {
		add_obj(&s, f, 1, 5.0f + 3 * f, 60, 12, 12);
		if (f == 5)
			add_obj(&s, f, 2, 10, 10, 10, 10), ix = s.n - 1;
		if (f >= 7) {
			add_obj(&s, f, 3, 100, 100, 10, 10);
			if (iy < 0)
				iy = s.n - 1;
		}
	}
	for (int i = 0; i < s.n; i++)
		if (s.gt[i] != 1)
			s.z[i][0] = s.z[i][1] = 5, s.z[i][2] = s.z[i][3] = 1;
	ck_opts o;
	ck_opts_default(&o);
	o.jump = -1;
	int64_t ids[4096];
	run(&s, &o, ids, 1);
	cr_assert(ids[ix] != 0 && ids[ix] == ids[iy], "without the limit x and y start one track");
	ck_opts_default(&o);
	run(&s, &o, ids, 1);
	cr_assert_eq(ids[ix], 0, "x alone starts nothing");
	cr_assert(ids[iy] > 0 && ids[iy] == ids[s.n - 1]);
}

Test(cktrack, a_new_object_needs_two_detections)
{
	static sim s;
	s.n = 0;
	for (int f = 1; f <= 10; f++)
		add_obj(&s, f, 1, 5.0f + 3 * f, 20, 10, 10);
	add_obj(&s, 11, 2, 90, 90, 10, 10);   /* seen once, at the end */
	ck_opts o;
	ck_opts_paper(&o);
	int64_t ids[4096];
	run(&s, &o, ids, 1);
	cr_assert_eq(ids[s.n - 1], 0, "a singleton starts nothing");
	cr_assert_eq(ids[s.n - 2], ids[0]);
}

Test(cktrack, crossing_objects_keep_their_ids)
{
	/* Three objects; two cross each other's path a few frames apart, one
	 * leaves and another enters; the window and constraints must keep every
	 * identity. */
	static sim s;
	s.n = 0;
	for (int f = 1; f <= 120; f++) {
		add_obj(&s, f, 1, 2.0f * f, 30, 10, 10);
		add_obj(&s, f, 2, 240.0f - 2 * f, 36, 14, 14);
		if (f < 60)
			add_obj(&s, f, 3, 60, 5.0f + 2 * f, 8, 16);
		if (f > 70)
			add_obj(&s, f, 4, 150, 200.0f - 2 * (f - 70), 16, 8);
	}
	ck_opts o;
	ck_opts_paper(&o);
	int64_t ids[4096];
	run(&s, &o, ids, 1);
	int sw, un, sh;
	score(&s, ids, &sw, &un, &sh);
	cr_assert_eq(sw, 0);
	cr_assert_eq(sh, 0);
	cr_assert_leq(un, 1, "%d unlabelled", un);
	int64_t mx = 0;
	for (int i = 0; i < s.n; i++)
		mx = ids[i] > mx ? ids[i] : mx;
	cr_assert_eq(mx, 4);
}

/* The visible part of box a when box b is drawn over it: the bounding
 * box of a's pixels outside b (0 x 0 when none is left). */
static void visible_box(const float a[4], const float b[4], float out[4])
{
	int x0 = 1 << 20, y0 = 1 << 20, x1 = -1, y1 = -1;
	for (int y = (int)a[1]; y < (int)(a[1] + a[3]); y++)
		for (int x = (int)a[0]; x < (int)(a[0] + a[2]); x++) {
			if (x >= b[0] && x < b[0] + b[2] && y >= b[1] && y < b[1] + b[3])
				continue;
			x0 = x < x0 ? x : x0, y0 = y < y0 ? y : y0;
			x1 = x > x1 ? x : x1, y1 = y > y1 ? y : y1;
		}
	out[0] = (float)x0, out[1] = (float)y0;
	out[2] = x1 < 0 ? 0 : (float)(x1 - x0 + 1), out[3] = y1 < 0 ? 0 : (float)(y1 - y0 + 1);
}

/* Object 1 moves right and passes behind object 2, which moves down
 * across its path: only 1's visible box is seen, so while hidden its box
 * (and the z made from it) shrinks and jumps. n: frames. */
static void occlusion_scene(sim *s, int n)
{
	s->n = 0;
	for (int f = 1; f <= n; f++) {
		float a[4] = {4.0f * f, 40, 16, 16}, b[4] = {64, 30 + 0.5f * f, 10, 40}, v[4];
		visible_box(a, b, v);
		if (v[2] > 0)
			add_obj(s, f, 1, v[0], v[1], v[2], v[3]);
		add_obj(s, f, 2, b[0], b[1], b[2], b[3]);
	}
}

Test(cktrack, occlusion_guard_and_track_centres_keep_a_hidden_object)
{
	static sim s;
	occlusion_scene(&s, 30);
	ck_opts o;
	ck_opts_paper(&o);
	o.order = CK_ORDER_NEAREST;
	o.motion = 1;
	o.motion_iou = 0.3;
	int64_t ids[4096];
	int sw, un, sh;
	run(&s, &o, ids, 1);
	score(&s, ids, &sw, &un, &sh);
	cr_log_info("without the guard: %d switches, %d unlabelled", sw, un);
	int sw_plain = sw + un;
	o.occlusion = 0;
	o.centres = CK_CENTRES_TRACKS;
	run(&s, &o, ids, 1);
	score(&s, ids, &sw, &un, &sh);
	cr_assert_eq(sw, 0, "%d switches", sw);
	cr_assert_eq(un, 0);
	cr_assert_eq(sh, 0);
	cr_assert_gt(sw_plain, 0, "the scene must break the tracker without the guard");
}

Test(cktrack, whole_boxes_and_the_claim_rule_keep_look_alikes_apart_as_they_pass)
{
	/* two objects that look the same (one z) pass each other, the
	 * smaller one behind the taller: only motion tells them apart */
	static sim s;
	s.n = 0;
	for (int f = 1; f <= 34; f++) {
		float a[4] = {3.0f * f, 40, 16, 16}, b[4] = {110.0f - 3 * f, 32, 16, 32}, v[4];
		visible_box(a, b, v);
		if (v[2] > 0)
			add_obj(&s, f, 1, v[0], v[1], v[2], v[3]);
		add_obj(&s, f, 2, b[0], b[1], b[2], b[3]);
	}
	for (int i = 0; i < s.n; i++)
		s.z[i][0] = s.z[i][1] = s.z[i][2] = s.z[i][3] = 1;
	ck_opts o;
	ck_opts_default(&o);
	o.whole = 0, o.claim_margin = -1;
	int64_t ids[4096];
	int sw, un, sh;
	run(&s, &o, ids, 1);
	score(&s, ids, &sw, &un, &sh);
	cr_log_info("without whole boxes and claims: %d switches, %d unlabelled", sw, un);
	cr_assert_gt(sw + un, 0, "the scene must break the tracker without them");
	ck_opts_default(&o);
	run(&s, &o, ids, 1);
	score(&s, ids, &sw, &un, &sh);
	cr_assert_eq(sw, 0, "%d switches", sw);
	cr_assert_eq(un, 0, "%d unlabelled", un);
	cr_assert_eq(sh, 0);
}

Test(cktrack, track_centres_follow_each_tracks_latest_detection)
{
	/* A drifts right and leaves after frame 5; B jumps left (think: its
	 * box shrinking behind an occluder) and ends up near A. In the window
	 * of frame 6 the key frame is 4: B's first centre is its frame-4
	 * detection, far from B_6, so B_6 joins the cluster of A's frame-4
	 * centre. From each track's latest detection, B_6 stays with B. */
	static const float ax[5] = {101, 102, 103, 104, 105};
	static const float bx[6] = {160, 150, 140, 124, 108, 107.5f};
	static sim s;
	s.n = 0;
	for (int f = 1; f <= 6; f++) {
		if (f <= 5)
			add_obj(&s, f, 1, ax[f - 1] - 5, 45, 10, 10);
		add_obj(&s, f, 2, bx[f - 1] - 5, 45, 10, 10);
	}
	ck_opts o;
	ck_opts_paper(&o);
	o.order = CK_ORDER_NEAREST;
	int64_t ids[4096];
	run(&s, &o, ids, 2);
	cr_assert_eq(ids[s.n - 1], ids[0], "key-frame centres: B_6 takes A's id (the case guarded against)");
	o.centres = CK_CENTRES_TRACKS;
	run(&s, &o, ids, 2);
	int sw, un, sh;
	score(&s, ids, &sw, &un, &sh);
	cr_assert_eq(sw, 0);
	cr_assert_eq(ids[s.n - 1], ids[s.n - 2], "B_6 keeps B's id");
	cr_assert_neq(ids[0], ids[1]);
}

Test(cktrack, same_frame_cannot_links_separate_identical_features)
{
	/* two objects with the same features in every frame (think: twins the
	 * encoder cannot tell apart). Only the same-frame links keep two ids. */
	static sim s;
	s.n = 0;
	for (int f = 1; f <= 10; f++) {
		add_obj(&s, f, 1, 10, 10, 10, 10);
		add_obj(&s, f, 2, 10, 10, 10, 10);
	}
	ck_opts o;
	ck_opts_paper(&o);
	int64_t ids[4096];
	run(&s, &o, ids, 1);
	for (int f = 0; f < 10; f++)
		cr_assert_neq(ids[2 * f], ids[2 * f + 1], "frame %d", f + 1);
	run(&s, &o, ids, 0);
	int lost = 0;
	for (int f = 0; f < 10; f++) {
		cr_assert(ids[2 * f] != ids[2 * f + 1] || !ids[2 * f], "an id twice in frame %d", f + 1);
		lost += !ids[2 * f] || !ids[2 * f + 1];
	}
	cr_assert_gt(lost, 0, "without the edges one cluster takes both: one twin is left without an id");
}

Test(cktrack, plain_kmeans_ablation_tracks_separated_objects)
{
	static sim s;
	s.n = 0;
	for (int f = 1; f <= 40; f++) {
		add_obj(&s, f, 1, 5.0f + 2 * f, 20, 10, 10);
		add_obj(&s, f, 2, 5.0f + 2 * f, 100, 10, 10);
	}
	ck_opts o;
	ck_opts_paper(&o);
	o.constraints = 0;
	int64_t ids[4096];
	run(&s, &o, ids, 0);
	int sw, un, sh;
	score(&s, ids, &sw, &un, &sh);
	cr_assert_eq(sw, 0);
	cr_assert_eq(un, 0);
}

Test(cktrack, a_gap_longer_than_the_window_starts_a_new_id)
{
	static sim s;
	s.n = 0;
	for (int f = 1; f <= 10; f++)
		add_obj(&s, f, 1, 20, 20, 10, 10);
	for (int f = 14; f <= 20; f++)   /* 3 frames missing: no re-ID */
		add_obj(&s, f, 1, 20, 20, 10, 10);
	ck_opts o;
	ck_opts_paper(&o);
	int64_t ids[4096];
	run(&s, &o, ids, 1);
	cr_assert_neq(ids[0], ids[s.n - 1]);
	o.window = 5;   /* a window of 5 frames bridges the gap */
	run(&s, &o, ids, 1);
	cr_assert_eq(ids[0], ids[s.n - 1]);
}

Test(cktrack, exit_rule_keeps_a_newcomer_off_a_track_that_left_while_occluded)
{
	static sim s;
	s.n = 0;
	/* A and B move up side by side, touching (occluded for the guard) from
	 * frame 13, and leave over the top after frame 18; C appears in frame
	 * 19 just below A's last box and moves down */
	for (int f = 1; f <= 18; f++) {
		add_obj(&s, f, 1, 40, 100.0f - 5 * f, 20, 20);
		add_obj(&s, f, 2, f < 13 ? 75.0f : 60.0f, 100.0f - 5 * f, 20, 20);
	}
	for (int f = 19; f <= 26; f++)
		add_obj(&s, f, 3, 40, 12.0f + 5 * (f - 19), 20, 20);
	ck_opts o;
	ck_opts_paper(&o);
	o.order = CK_ORDER_NEAREST;
	o.centres = CK_CENTRES_TRACKS;
	o.motion = 1;
	o.motion_iou = 0.1;
	o.occlusion = 1;
	int64_t ids[4096];
	run(&s, &o, ids, 1);
	int last_a = -1;
	for (int i = 0; i < s.n; i++)
		if (s.gt[i] == 1)
			last_a = i;
	cr_assert_eq(ids[s.n - 1], ids[last_a], "without the exit rule C takes A's id");
	/* A's last boxes are all occluded: the exit rule needs the velocity
	 * A had before, carried through the occlusion */
	o.exit = 18;
	run(&s, &o, ids, 1);
	cr_assert_neq(ids[s.n - 1], ids[last_a]);
	for (int i = 0; i < s.n; i++)
		if (s.gt[i] == 3 && s.f[i] > 19)
			cr_assert_eq(ids[i], ids[s.n - 1], "C is one track");
}

Test(cktrack, relink_bridges_a_gap_along_the_track)
{
	static sim s;
	s.n = 0;
	/* object 1 moves right, is missed for 4 frames and comes back where
	 * it would be; object 2 sits still far away */
	for (int f = 1; f <= 20; f++) {
		if (f < 9 || f > 12)
			add_obj(&s, f, 1, 5.0f + 4 * f, 20, 10, 10);
		add_obj(&s, f, 2, 60, 90, 10, 10);
	}
	ck_opts o;
	ck_opts_paper(&o);
	int64_t ids[4096];
	run(&s, &o, ids, 1);
	cr_assert_neq(ids[0], ids[s.n - 2], "without --relink the gap starts a new id");
	o.relink = 4;
	run(&s, &o, ids, 1);
	int sw, un, sh;
	score(&s, ids, &sw, &un, &sh);
	cr_assert_eq(sw, 0);
	cr_assert_eq(un, 0);
	cr_assert_eq(ids[0], ids[s.n - 2]);
	int64_t top = 0;
	for (int i = 0; i < s.n; i++)
		top = ids[i] > top ? ids[i] : top;
	cr_assert_eq(top, 2, "the id the new track gave back is not skipped");
	o.relink = 3;   /* 4 frames missing */
	run(&s, &o, ids, 1);
	cr_assert_neq(ids[0], ids[s.n - 2]);
}

Test(cktrack, relink_leaves_a_newcomer_elsewhere_alone)
{
	static sim s;
	s.n = 0;
	for (int f = 1; f <= 8; f++)
		add_obj(&s, f, 1, 5.0f + 4 * f, 20, 10, 10);
	for (int f = 12; f <= 20; f++)   /* a new object far from the prediction */
		add_obj(&s, f, 2, 5.0f + 4 * f, 90, 10, 10);
	ck_opts o;
	ck_opts_paper(&o);
	o.relink = 10;
	int64_t ids[4096];
	run(&s, &o, ids, 1);
	cr_assert_neq(ids[0], ids[s.n - 1]);
	cr_assert_eq(ids[s.n - 1], 2);
}

Test(cktrack, ids_are_released_once_no_window_can_change_them)
{
	ck_opts o;
	ck_opts_paper(&o);
	cktrack *t = ckt_new(&o);
	char err[256];
	float z[2] = {0, 0};
	size_t most = 0;
	for (int f = 1; f <= 200; f++) {
		for (int j = 0; j < 2; j++) {
			z[0] = (float)(j * 10);
			ck_rec r = {.f = f, .k = 2 * f + j, .z = z, .zdim = 2};
			cr_assert_eq(ckt_add(t, &r, err, sizeof err), 0, "%s", err);
			/* after the first record of frame f, frames < f-2 are final */
			if (j == 0 && f > 3)
				cr_assert_eq(ckt_ready(t), 2, "frame %d", f);
		}
		while (ckt_ready(t))
			ckt_pop(t);
		most = ckt_held(t) > most ? ckt_held(t) : most;
	}
	cr_assert_leq(most, 6, "held %zu", most);
	ckt_finish(t);
	cr_assert_eq(ckt_ready(t), ckt_held(t));
	ckt_free(t);
}

Test(cktrack, refuses_bad_input)
{
	ck_opts o;
	ck_opts_paper(&o);
	cktrack *t = ckt_new(&o);
	char err[256] = "";
	float z[3] = {0};
	ck_rec none = {.f = 1, .k = 1};
	cr_assert_eq(ckt_add(t, &none, err, sizeof err), -1);
	cr_assert(strstr(err, "no z"), "%s", err);
	ck_rec a = {.f = 5, .k = 1, .z = z, .zdim = 3}, b = {.f = 4, .k = 2, .z = z, .zdim = 3};
	ck_rec c = {.f = 6, .k = 3, .z = z, .zdim = 2};
	cr_assert_eq(ckt_add(t, &a, err, sizeof err), 0);
	cr_assert_eq(ckt_add(t, &b, err, sizeof err), -1);
	cr_assert(strstr(err, "must not decrease"), "%s", err);
	cr_assert_eq(ckt_add(t, &c, err, sizeof err), -1);
	cr_assert(strstr(err, "z has 2 values"), "%s", err);
	ckt_free(t);
}

Test(cktrack, same_seed_same_ids)
{
	static sim s;
	s.n = 0;
	for (int f = 1; f <= 60; f++)
		for (int g = 1; g <= 3; g++)
			add_obj(&s, f, g, 40.0f * g + (float)sin(f * 0.3 + g) * 30, 50.0f + (float)cos(f * 0.2 * g) * 40, 12, 12);
	ck_opts o;
	ck_opts_paper(&o);
	o.seed = 42;
	static int64_t a[4096], b[4096];
	run(&s, &o, a, 1);
	run(&s, &o, b, 1);
	cr_assert_eq(memcmp(a, b, (size_t)s.n * sizeof *a), 0);
}

/* ---- the IoU baseline (ckmeans --baseline iou) ---- */

#include "track/ioutrack.h"

static iou_det boxdet(float x, float y, float w, float h)
{
	return (iou_det){.rle = NULL, .box = {x, y, w, h}};
}

Test(ioutrack, greedy_highest_iou_first)
{
	iou_opts o;
	iou_opts_default(&o);
	o.thr = 0.1;
	ioutrack *t = iout_new(&o);
	char err[256];
	int64_t ids[2];
	iou_det f1[2] = {boxdet(0, 0, 10, 10), boxdet(10, 0, 10, 10)};
	cr_assert_eq(iout_frame(t, 1, f1, 2, ids, err, sizeof err), 0, "%s", err);
	cr_assert_eq(ids[0], 1);
	cr_assert_eq(ids[1], 2);
	/* the first new box overlaps track 2 best (0.54), but the second one
	 * is track 2 exactly (1.0): that pair goes first, and the first box
	 * is left with track 1 (0.18), where matching in detection order would
	 * have started a track */
	iou_det f2[2] = {boxdet(7, 0, 10, 10), boxdet(10, 0, 10, 10)};
	cr_assert_eq(iout_frame(t, 2, f2, 2, ids, err, sizeof err), 0, "%s", err);
	cr_assert_eq(ids[1], 2);
	cr_assert_eq(ids[0], 1);
	iout_free(t);
}

Test(ioutrack, threshold_age_and_new_tracks)
{
	iou_opts o;
	iou_opts_default(&o);   /* IoU >= 0.5, one frame */
	ioutrack *t = iout_new(&o);
	char err[256];
	int64_t id;
	iou_det a = boxdet(0, 0, 10, 10), b = boxdet(4, 0, 10, 10), c = boxdet(4, 0, 10, 10);
	iout_frame(t, 1, &a, 1, &id, err, sizeof err);
	cr_assert_eq(id, 1);
	iout_frame(t, 2, &b, 1, &id, err, sizeof err);   /* IoU 6/14 < 0.5 */
	cr_assert_eq(id, 2);
	iout_frame(t, 4, &c, 1, &id, err, sizeof err);   /* a frame missed: too old */
	cr_assert_eq(id, 3);
	cr_assert_eq(iout_live(t), 1, "old tracks are forgotten");
	o.max_age = 2;
	iout_free(t);
	t = iout_new(&o);
	iout_frame(t, 1, &b, 1, &id, err, sizeof err);
	iout_frame(t, 3, &c, 1, &id, err, sizeof err);
	cr_assert_eq(id, 1, "max_age 2 bridges one missed frame");
	cr_assert_eq(iout_frame(t, 3, &c, 1, &id, err, sizeof err), -1);
	cr_assert(strstr(err, "must increase"), "%s", err);
	iout_reset(t);
	iout_frame(t, 1, &c, 1, &id, err, sizeof err);
	cr_assert_eq(id, 1, "ids restart");
	iout_free(t);
}

Test(ioutrack, masks_over_boxes)
{
	/* two L-shaped masks with the same box: box IoU 1, mask IoU 0 */
	uint8_t m1[10 * 10] = {0}, m2[10 * 10] = {0};
	for (int i = 0; i < 10; i++) {
		m1[i * 10] = m1[i] = 1;                 /* left column, top row */
		m2[i * 10 + 9] = m2[90 + i] = 1;        /* right column, bottom row */
	}
	rle_t r1, r2;
	rle_encode(&r1, m1, 10, 10);
	rle_encode(&r2, m2, 10, 10);
	iou_opts o;
	iou_opts_default(&o);
	ioutrack *t = iout_new(&o);
	char err[256];
	int64_t id;
	iou_det a = {.rle = &r1, .box = {0, 0, 10, 10}}, b = {.rle = &r2, .box = {0, 0, 10, 10}};
	iout_frame(t, 1, &a, 1, &id, err, sizeof err);
	iout_frame(t, 2, &b, 1, &id, err, sizeof err);
	cr_assert_eq(id, 2, "the masks do not overlap");
	iout_frame(t, 3, &b, 1, &id, err, sizeof err);
	cr_assert_eq(id, 2);
	rle_free(&r1), rle_free(&r2);
	iout_free(t);
}

/* ---- the velocity carry (motion_carry) ---- */

typedef struct held {
	int64_t f, id;
	float box[4], whole[4];
	int has_box, occl, has_vel, has_whole;
	double vel[2];
} held;

static motion_held held_at(void *ctx, size_t i)
{
	held *h = (held *)ctx + i;
	return (motion_held){.f = h->f, .id = h->id, .box = h->has_box ? h->box : NULL,
			     .occluded = h->occl, .vel = h->vel, .has_vel = &h->has_vel,
			     .whole = h->whole, .has_whole = &h->has_whole};
}

Test(motion, carry_gives_centre_velocities_and_keeps_them_through_occlusion)
{
	held h[5] = {
		{.f = 1, .id = 5, .box = {0, 0, 4, 4}, .has_box = 1},
		{.f = 3, .id = 5, .box = {6, 2, 4, 4}, .has_box = 1},     /* centre (2,2) -> (8,4) */
		{.f = 3, .id = 6, .box = {50, 50, 4, 4}, .has_box = 1},   /* first of its track */
		{.f = 4, .id = 5, .box = {0, 0, 2, 2}, .has_box = 1, .occl = 1},
		{.f = 4, .id = 0, .box = {1, 1, 2, 2}, .has_box = 1},     /* no track */
	};
	motion_carry(1, 5, 0, held_at, h);
	cr_assert(!h[0].has_vel);   /* before s: left alone */
	cr_assert(h[1].has_vel);
	cr_assert_float_eq(h[1].vel[0], 3, 1e-12);
	cr_assert_float_eq(h[1].vel[1], 1, 1e-12);
	cr_assert(!h[2].has_vel);
	cr_assert(h[3].has_vel);    /* occluded: the track's velocity before */
	cr_assert_float_eq(h[3].vel[0], 3, 1e-12);
	cr_assert_float_eq(h[3].vel[1], 1, 1e-12);
	cr_assert(!h[4].has_vel);
}

Test(motion, carry_with_whole_boxes_follows_a_hidden_object)
{
	/* a 10 x 10 object moves right 2 px a frame; from frame 3 on only a
	 * sliver of it is seen, and in frame 5 the sliver shows it went 3 */
	held h[5] = {
		{.f = 1, .id = 4, .box = {0, 0, 10, 10}, .has_box = 1},
		{.f = 2, .id = 4, .box = {2, 0, 10, 10}, .has_box = 1},
		{.f = 3, .id = 4, .box = {11, 4, 3, 2}, .has_box = 1, .occl = 1},
		{.f = 4, .id = 4, .box = {14, 0, 2, 10}, .has_box = 1, .occl = 1},
		{.f = 5, .id = 4, .box = {17, 0, 2, 2}, .has_box = 1, .occl = 1},
	};
	motion_carry(0, 5, 1, held_at, h);
	static const float want[5] = {0, 2, 4, 6, 9};   /* the whole boxes' x */
	for (int i = 0; i < 5; i++) {
		cr_assert(h[i].has_whole);
		cr_assert_float_eq(h[i].whole[0], want[i], 1e-6, "frame %d", i + 1);
		cr_assert(h[i].whole[1] == 0 && h[i].whole[2] == 10 && h[i].whole[3] == 10, "frame %d", i + 1);
	}
	cr_assert(!h[0].has_vel);
	cr_assert_float_eq(h[3].vel[0], 2, 1e-12, "the whole box's velocity");
	cr_assert_float_eq(h[4].vel[0], 3, 1e-12, "follows what is seen");
	cr_assert_float_eq(h[4].vel[1], 0, 1e-12);
	/* once written, a whole box stays (the window moves on) */
	h[3].whole[0] = 100;
	motion_carry(3, 5, 1, held_at, h);
	cr_assert_eq(h[3].whole[0], 100);
}

Test(ckmeans, motion_gate_with_whole_boxes_keeps_a_sliver_inside_the_whole_box)
{
	/* track 7 (whole box 8 x 8, 10 px a frame to the right) was last seen
	 * as a sliver; in frame 3, u is a sliver inside where its whole box
	 * should be, behind o, and v is a sliver well past it */
	float b2[4] = {12, 2, 2, 4}, whole[4] = {10, 0, 8, 8}, bu[4] = {25, 2, 1, 4}, bv[4] = {40, 2, 1, 4};
	float bo[4] = {19, 0, 9, 8};
	double vel[2] = {10, 0};
	ck_wdet w[4] = {
		{.f = 3, .k = 3, .box = bu, .occluded = 1}, {.f = 3, .k = 4, .box = bv, .occluded = 1},
		{.f = 3, .k = 5, .box = bo, .occluded = 1},
		{.f = 2, .k = 2, .id = 7, .box = b2, .vel = vel, .whole = whole, .occluded = 1},
	};
	scratch *ws = scratch_new();
	uint32_t grp[4];
	const uint8_t *cl;
	size_t ng = ck_constraints(ws, w, 4, 0, grp, &cl);
	uint8_t m[16];
	motion_gate g = {.whole = 1, .iou = 0.1, .overlap = 0.3, .margin = -1, .exit = -1};
	cr_assert_eq(links(w, 4, grp, ng, cl, m, &g), 1);
	cr_assert_eq(m[grp[3] * ng + grp[0]], 0, "u lies inside the predicted whole box");
	cr_assert_eq(m[grp[3] * ng + grp[1]], 1, "v does not");
	/* predicted from the sliver itself, u is off too */
	g.whole = 0;
	cr_assert_eq(links(w, 4, grp, ng, cl, m, &g), 2);
	cr_assert_eq(m[grp[3] * ng + grp[0]], 1);
	scratch_free(ws);
}

Test(ckmeans, motion_gate_checks_the_frames_before_a_tracks_latest_box)
{
	/* track 7 seen in frames 1 and 3 (10 px a frame to the right); in
	 * frame 2, u sits on its path, v far from it: v cannot join it late */
	float b1[4] = {0, 0, 8, 8}, b3[4] = {20, 0, 8, 8}, bu[4] = {10, 0, 8, 8}, bv[4] = {60, 40, 8, 8};
	ck_wdet w[4] = {
		{.f = 3, .k = 4, .id = 7, .box = b3},
		{.f = 2, .k = 2, .box = bu}, {.f = 2, .k = 3, .box = bv},
		{.f = 1, .k = 1, .id = 7, .box = b1},
	};
	scratch *ws = scratch_new();
	uint32_t grp[4];
	const uint8_t *cl;
	size_t ng = ck_constraints(ws, w, 4, 0, grp, &cl);
	uint8_t m[9];
	motion_gate g = {.iou = 0.1, .overlap = 0.3, .margin = -1, .exit = -1};
	cr_assert_eq(links(w, 4, grp, ng, cl, m, &g), 1);
	cr_assert_eq(m[grp[0] * ng + grp[2]], 1, "v is off the path between the track's boxes");
	cr_assert_eq(m[grp[0] * ng + grp[1]], 0, "u is on it");
	scratch_free(ws);
}

Test(ckmeans, whole_box_fit_needs_something_to_hide_the_rest)
{
	/* track 7's whole box is 40 x 40; a 4 x 4 box touching a 4 x 4
	 * neighbour (so marked occluded) inside its prediction could be the
	 * visible part of it only if something hid the rest */
	float b1[4] = {20, 20, 40, 40}, small[4] = {30, 30, 4, 4}, nb[4] = {34, 30, 4, 4};
	double vel[2] = {0, 0};
	ck_wdet w[3] = {
		{.f = 2, .k = 2, .box = small, .occluded = 1}, {.f = 2, .k = 3, .box = nb, .occluded = 1},
		{.f = 1, .k = 1, .id = 7, .box = b1, .vel = vel, .whole = b1},
	};
	scratch *ws = scratch_new();
	uint32_t grp[3];
	const uint8_t *cl;
	size_t ng = ck_constraints(ws, w, 3, 0, grp, &cl);
	uint8_t m[9];
	motion_gate g = {.whole = 1, .iou = 0.1, .overlap = 0.3, .margin = -1, .exit = -1};
	links(w, 3, grp, ng, cl, m, &g);
	cr_assert_eq(m[grp[2] * ng + grp[0]], 1, "nothing hides the rest of the whole box: off");
	/* a big box in front (the neighbour grown over the whole box) does */
	float big[4] = {22, 22, 40, 40};
	w[1].box = big;
	links(w, 3, grp, ng, cl, m, &g);
	cr_assert_eq(m[grp[2] * ng + grp[0]], 0, "hidden behind the big box: it may be the track");
	scratch_free(ws);
}

Test(ckmeans, claim_rule_gives_each_track_the_box_its_motion_picks)
{
	/* tracks 1 and 2 are predicted 4 px apart; p sits on 1's prediction,
	 * q on 2's: each fits its own track by IoU 1 and the other by 0.43,
	 * which the gate lets through */
	float a[4] = {0, 0, 10, 10}, b[4] = {4, 0, 10, 10}, p[4] = {10, 0, 10, 10}, q[4] = {14, 0, 10, 10};
	double vel[2] = {10, 0};
	ck_wdet w[4] = {
		{.f = 2, .k = 3, .box = p}, {.f = 2, .k = 4, .box = q},
		{.f = 1, .k = 1, .id = 1, .box = a, .vel = vel, .whole = a},
		{.f = 1, .k = 2, .id = 2, .box = b, .vel = vel, .whole = b},
	};
	scratch *ws = scratch_new();
	uint32_t grp[4];
	const uint8_t *cl;
	size_t ng = ck_constraints(ws, w, 4, 0, grp, &cl);
	cr_assert_eq(ng, 4);
	uint8_t m[16];
	motion_gate g = {.whole = 1, .iou = 0.1, .overlap = 0.3, .margin = -1, .exit = -1};
	cr_assert_eq(links(w, 4, grp, ng, cl, m, &g), 0, "no claim rule: the gate lets all through");
	g.margin = 0.2;
	cr_assert_eq(links(w, 4, grp, ng, cl, m, &g), 2);
	cr_assert_eq(m[grp[0] * ng + grp[3]], 1, "p cannot join 2");
	cr_assert_eq(m[grp[1] * ng + grp[2]], 1, "q cannot join 1");
	cr_assert_eq(m[grp[0] * ng + grp[2]], 0);
	cr_assert_eq(m[grp[1] * ng + grp[3]], 0);
	g.margin = 0.6;   /* 1 - 0.43 is not more than 0.6: no claim */
	cr_assert_eq(links(w, 4, grp, ng, cl, m, &g), 0);
	/* a tie claims nothing: q moved onto p */
	memcpy(q, p, sizeof q);
	g.margin = 0;
	cr_assert_eq(links(w, 4, grp, ng, cl, m, &g), 0, "two boxes fit track 1 alike");
	scratch_free(ws);
}

Test(cktrack, defaults_and_the_papers_settings)
{
	ck_opts d, p, q;
	memset(&d, 0, sizeof d), memset(&p, 0, sizeof p);   /* padding, for memcmp */
	ck_opts_default(&d);
	ck_opts_paper(&p);
	cr_assert_eq(p.order, CK_ORDER_WINDOW);
	cr_assert_eq(p.centres, CK_CENTRES_KEY);
	cr_assert_eq(p.motion, 0);
	cr_assert(p.occlusion < 0 && p.exit < 0);
	cr_assert_eq(p.relink, 0);
	cr_assert_eq(p.window, 3);
	cr_assert_eq(p.assoc.vote_all, 0);
	cr_assert_eq(d.order, CK_ORDER_NEAREST);
	cr_assert_eq(d.centres, CK_CENTRES_TRACKS);
	cr_assert_eq(d.motion, 1);
	cr_assert_eq(d.motion_iou, 0.1);
	cr_assert_eq(d.exit, 8);
	cr_assert_eq(d.occlusion, 1);
	cr_assert_eq(d.jump, 1);
	cr_assert(p.jump < 0);
	cr_assert_eq(d.occlusion_overlap, 0.3);
	cr_assert_eq(d.relink, 16);
	cr_assert_eq(d.relink_iou, 0.01);
	cr_assert_eq(d.whole, 1);
	cr_assert_eq(d.claim_margin, 0.1);
	cr_assert(p.whole == 0 && p.claim_margin < 0);
	/* the rest is the paper's */
	memcpy(&q, &d, sizeof q);
	q.order = p.order, q.centres = p.centres, q.motion = p.motion, q.motion_iou = p.motion_iou;
	q.exit = p.exit, q.occlusion = p.occlusion, q.jump = p.jump, q.occlusion_overlap = p.occlusion_overlap;
	q.relink = p.relink, q.relink_iou = p.relink_iou;
	q.whole = p.whole, q.claim_margin = p.claim_margin;
	cr_assert_eq(memcmp(&q, &p, sizeof q), 0);
}
