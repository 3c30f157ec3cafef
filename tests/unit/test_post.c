/* Post-processing (kernels/track/post.c): short tracks and overlapping
 * masks; and the IoU baseline fed record by record (iout_add). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../support/masks.h"
#include "rle.h"
#include "track/ioutrack.h"
#include "track/post.h"

enum { H = 4, W = 4 };

/* The COCO string of the H x W mask with rows y0..y1-1, columns x0..x1-1 set. */
static char *rect(int x0, int y0, int x1, int y1)
{
	return masks_rect(H, W, x0, y0, x1, y1);
}

static uint64_t area(const char *s)
{
	rle_t r;
	char err[100];
	cr_assert_eq(rle_from_string(&r, s, H, W, err, sizeof err), 0, "%s", err);
	uint64_t a = rle_area(&r);
	rle_free(&r);
	return a;
}

static post_rec rec(int64_t f, int64_t id, char *rle, float score, uint64_t n)
{
	return (post_rec){.f = f, .id = id, .rle = rle, .score = score, .has_score = score >= 0, .n = n};
}

Test(post, short_tracks_are_dropped_whole)
{
	post_rec v[5] = {rec(1, 7, NULL, -1, 1), rec(1, 8, NULL, -1, 2), rec(2, 7, NULL, -1, 3),
			 rec(3, 9, rect(0, 0, 1, 1), -1, 4), rec(3, 7, NULL, -1, 5)};
	size_t n = post_drop_short_tracks(v, 5, 2);
	cr_assert_eq(n, 3);   /* 8 and 9 had one record each */
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(v[i].id, 7);
	cr_assert_eq(v[0].n, 1);
	cr_assert_eq(v[1].n, 3);
	cr_assert_eq(v[2].n, 5);
	cr_assert_eq(post_drop_short_tracks(v, n, 1), 3);   /* 1: no filter */
}

Test(post, overlapping_pixels_go_to_the_higher_score)
{
	/* frame 1: a (score 0.5) and b (0.9) share column 1; frame 2: c is
	 * covered by d (same score, d earlier) and disappears */
	post_rec v[4] = {rec(1, 1, rect(0, 0, 2, 4), 0.5f, 1), rec(1, 2, rect(1, 0, 3, 4), 0.9f, 2),
			 rec(2, 4, rect(0, 0, 4, 4), -1, 3), rec(2, 3, rect(1, 1, 2, 2), -1, 4)};
	size_t n = 4;
	char err[200];
	cr_assert_eq(post_remove_overlaps(v, &n, H, W, err, sizeof err), 0, "%s", err);
	cr_assert_eq(n, 3);
	cr_assert_eq(v[0].id, 1);
	cr_assert_eq(area(v[0].rle), 4);   /* column 0 only */
	cr_assert_eq(v[1].id, 2);
	cr_assert_eq(area(v[1].rle), 8);   /* untouched */
	cr_assert_eq(v[2].id, 4);
	cr_assert_eq(area(v[2].rle), 16);
	for (size_t i = 0; i < n; i++)
		free(v[i].rle);
}

Test(post, a_bad_mask_is_an_error)
{
	post_rec v[2] = {rec(1, 1, strdup("!!"), 1, 41), rec(1, 2, rect(0, 0, 1, 1), 0.5f, 42)};
	size_t n = 2;
	char err[200] = "";
	cr_assert_eq(post_remove_overlaps(v, &n, H, W, err, sizeof err), -1);
	cr_assert(strstr(err, "record 41: ") == err, "%s", err);
	free(v[0].rle), free(v[1].rle);
}

Test(ioutrack, records_added_one_at_a_time)
{
	iou_opts o;
	iou_opts_default(&o);
	ioutrack *t = iout_new(&o);
	char err[300];
	const int64_t *ids;
	char *a = rect(0, 0, 2, 2), *b = rect(2, 2, 4, 4);
	float bb[4] = {2, 2, 2, 2};
	cr_assert_eq(iout_add(t, a, H, W, NULL, err, sizeof err), 0, "%s", err);
	cr_assert_eq(iout_add(t, NULL, H, W, bb, err, sizeof err), 0, "%s", err);
	cr_assert_eq(iout_end_frame(t, 1, &ids, err, sizeof err), 0, "%s", err);
	cr_assert_eq(ids[0], 1);
	cr_assert_eq(ids[1], 2);
	/* the next frame in the other order: the mask's box is its own */
	cr_assert_eq(iout_add(t, b, H, W, NULL, err, sizeof err), 0, "%s", err);
	cr_assert_eq(iout_add(t, a, H, W, NULL, err, sizeof err), 0, "%s", err);
	cr_assert_eq(iout_end_frame(t, 2, &ids, err, sizeof err), 0, "%s", err);
	cr_assert_eq(ids[0], 2);
	cr_assert_eq(ids[1], 1);
	cr_assert_eq(iout_add(t, NULL, H, W, NULL, err, sizeof err), -1);
	cr_assert_str_eq(err, "no rle and no box");
	cr_assert_eq(iout_add(t, "!!", H, W, NULL, err, sizeof err), -1);
	cr_assert(strncmp(err, "rle: ", 5) == 0, "%s", err);
	cr_assert_eq(iout_add(t, a, H, W, NULL, err, sizeof err), 0, "%s", err);
	cr_assert_eq(iout_end_frame(t, 2, &ids, err, sizeof err), -1);   /* frames must increase */
	iout_free(t);
	free(a), free(b);
}
