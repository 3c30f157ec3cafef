/* The memory of lost tracks (relink.h). */
#include <criterion/criterion.h>

#include "track/relink.h"

static const float at10[4] = {10, 10, 20, 20};

Test(relink, a_lost_track_is_predicted_at_its_velocity)
{
	relinker *m = rl_new();
	float a[4] = {0, 0, 20, 20}, b[4] = {10, 0, 20, 20};
	rl_see(m, 7, 1, a);
	rl_see(m, 7, 2, b);   /* 10 px a frame to the right */
	/* 4 frames later the object is at x = 50: the last box (x = 10) does
	 * not overlap it, the prediction does */
	float now[4] = {50, 0, 20, 20};
	cr_assert_eq(rl_match(m, 6, now, 3, 5, 0.5), 7);
	rl_free(m);
}

Test(relink, a_track_that_stopped_is_found_where_it_was)
{
	relinker *m = rl_new();
	float a[4] = {0, 0, 20, 20}, b[4] = {10, 0, 20, 20};
	rl_see(m, 7, 1, a);
	rl_see(m, 7, 2, b);
	/* the velocity says x = 50 by frame 6; it stopped at x = 10 */
	cr_assert_eq(rl_match(m, 6, b, 3, 5, 0.5), 7);
	rl_free(m);
}

Test(relink, detections_may_come_in_any_order)
{
	relinker *m = rl_new();
	float a[4] = {0, 0, 20, 20}, b[4] = {10, 0, 20, 20};
	rl_see(m, 7, 2, b);
	rl_see(m, 7, 1, a);
	rl_see(m, 7, 2, b);   /* seen again by a later window */
	float now[4] = {50, 0, 20, 20};
	cr_assert_eq(rl_match(m, 6, now, 3, 5, 0.5), 7);
	rl_free(m);
}

Test(relink, a_track_without_velocity_stays_put)
{
	relinker *m = rl_new();
	rl_see(m, 3, 1, at10);
	float near[4] = {12, 10, 20, 20}, far[4] = {40, 10, 20, 20};
	cr_assert_eq(rl_match(m, 5, far, 2, 10, 0.1), 0);
	cr_assert_eq(rl_match(m, 5, near, 2, 10, 0.1), 3);
	rl_free(m);
}

Test(relink, only_tracks_lost_within_the_gap_and_before_the_window)
{
	relinker *m = rl_new();
	rl_see(m, 1, 10, at10);
	cr_assert_eq(rl_match(m, 16, at10, 11, 4, 0.1), 0, "5 frames missed: too many");
	cr_assert_eq(rl_match(m, 15, at10, 10, 4, 0.1), 0, "still in the window");
	cr_assert_eq(rl_match(m, 10, at10, 11, 4, 0.1), 0, "not before the new track");
	cr_assert_eq(rl_match(m, 15, at10, 11, 4, 0.1), 1);
	rl_free(m);
}

Test(relink, the_best_overlap_wins_and_is_taken_once)
{
	relinker *m = rl_new();
	float a[4] = {0, 0, 20, 20}, b[4] = {8, 0, 20, 20};
	rl_see(m, 1, 1, a);
	rl_see(m, 2, 1, b);
	float now[4] = {10, 0, 20, 20};
	cr_assert_eq(rl_match(m, 5, now, 2, 10, 0.1), 2);
	cr_assert_eq(rl_match(m, 5, now, 2, 10, 0.1), 1, "2 is taken");
	cr_assert_eq(rl_match(m, 5, now, 2, 10, 0.1), 0);
	rl_see(m, 2, 5, now);   /* seen again: offered again once lost */
	cr_assert_eq(rl_match(m, 9, now, 6, 10, 0.1), 2);
	rl_free(m);
}

Test(relink, threshold_and_forgetting)
{
	relinker *m = rl_new();
	rl_see(m, 1, 1, at10);
	rl_see(m, 2, 8, at10);
	float half[4] = {20, 10, 20, 20};   /* IoU 1/3 with at10 */
	cr_assert_eq(rl_match(m, 12, half, 9, 20, 0.5), 0);
	rl_forget(m, 5);
	cr_assert_eq(rl_held(m), 1);
	cr_assert_eq(rl_match(m, 12, half, 9, 20, 0.3), 2);
	rl_reset(m);
	cr_assert_eq(rl_held(m), 0);
	rl_free(m);
}

Test(relink, a_track_that_left_the_scene_is_not_offered)
{
	/* 10 px a frame to the right in a 100 x 100 image; by frame 4 its
	 * centre (x = 90 at frame 2) is predicted at 110, past the line 8 px
	 * inside the border. A newcomer where it was last seen is someone else. */
	float a[4] = {70, 40, 20, 20}, b[4] = {80, 40, 20, 20};
	double scene[3][3] = {{0, 0, -1}, {100, 100, 8}, {200, 100, 8}};
	int64_t want[3] = {7, 0, 7};   /* no exit rule; it has left; a wider image */
	for (int i = 0; i < 3; i++) {
		relinker *m = rl_new();
		rl_set_scene(m, scene[i][0], scene[i][1], scene[i][2]);
		rl_see(m, 7, 1, a);
		rl_see(m, 7, 2, b);
		cr_assert_eq(rl_match(m, 4, b, 3, 5, 0.1), want[i], "scene %d", i);
		rl_free(m);
	}
}
