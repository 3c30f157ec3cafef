#include <criterion/criterion.h>
#include "box.h"

Test(box, iou)
{
	float a[4] = {0, 0, 10, 10}, b[4] = {5, 0, 10, 10}, c[4] = {10, 0, 5, 5};
	cr_assert_float_eq(box_iou(box_of(a), box_of(b)), 50.0 / 150.0, 1e-9);
	cr_assert_eq(box_iou(box_of(a), box_of(c)), 0);   /* touching edges do not overlap */
	cr_assert_eq(box_iou(box_of(a), box_of(a)), 1);
}

Test(box, iou_of_degenerate_boxes_is_zero)
{
	box a = {0, 0, 10, 10}, flat = {2, 2, 0, 5}, neg = {2, 2, -3, 5};
	cr_assert_eq(box_iou(a, flat), 0);
	cr_assert_eq(box_iou(a, neg), 0);
	cr_assert_eq(box_iou(flat, flat), 0);
}

Test(box, intersection_over_the_smaller_box)
{
	box a = {0, 0, 10, 10}, in = {2, 2, 4, 4}, half = {5, 0, 10, 10}, off = {20, 0, 5, 5};
	cr_assert_eq(box_iomin(a, in), 1, "inside: 1 whatever the sizes");
	cr_assert_eq(box_iomin(in, a), 1);
	cr_assert_float_eq(box_iomin(a, half), 0.5, 1e-12);
	cr_assert_eq(box_iomin(a, off), 0);
	cr_assert_eq(box_iomin(a, (box){2, 2, 0, 5}), 0, "an empty box");
}

Test(box, fit_moves_the_whole_box_the_least_to_hold_the_visible_part)
{
	box pred = {10, 20, 20, 10};
	box in = box_fit(pred, (box){12, 22, 3, 3});
	cr_assert(in.x == 10 && in.y == 20 && in.w == 20 && in.h == 10, "inside: the prediction");
	box right = box_fit(pred, (box){28, 25, 4, 2});   /* 2 px past the right side */
	cr_assert(right.x == 12 && right.y == 20 && right.w == 20 && right.h == 10);
	box above = box_fit(pred, (box){15, 15, 2, 2});   /* 5 px above */
	cr_assert(above.x == 10 && above.y == 15);
	box big = box_fit(pred, (box){5, 20, 30, 4});     /* wider than the whole box */
	cr_assert(big.x == 5 && big.w == 30 && big.h == 10, "the visible part wins");
}

Test(box, centre_inside_an_inset_image)
{
	box b = {90, 40, 10, 10};   /* centre (95, 45) */
	cr_assert(box_centre_inside(b, 100, 100, 5), "on the line counts");
	cr_assert(!box_centre_inside(b, 100, 100, 6));
	cr_assert(box_centre_inside(b, 200, 100, 8));
	cr_assert(!box_centre_inside((box){-10, 40, 4, 4}, 100, 100, 0));
}

Test(box, exits_when_the_centre_crosses_the_inset_line)
{
	box in = {80, 40, 10, 10}, out = {92, 40, 10, 10};   /* centres x = 85, 97 */
	cr_assert(box_exits(in, out, 100, 100, 8));
	cr_assert(!box_exits(out, in, 100, 100, 8), "coming in is not leaving");
	cr_assert(!box_exits(in, in, 100, 100, 8));
	cr_assert(!box_exits(in, out, 100, 100, 2), "97 is inside a 2 px line");
	cr_assert(!box_exits(in, out, 100, 100, -1), "no rule");
	cr_assert(!box_exits(in, out, 0, 100, 8), "no image size");
}

Test(box, near_counts_the_margin)
{
	box a = {0, 0, 10, 10}, b = {12, 0, 5, 5};
	cr_assert(!box_near(a, b, 0));
	cr_assert(!box_near(a, b, 2));   /* exactly 2 apart: not less */
	cr_assert(box_near(a, b, 2.5));
	cr_assert(box_near(a, a, 0));
}

Test(box, velocity_of_centres_and_prediction)
{
	box then = {10, 20, 4, 6}, now = {16, 17, 8, 6};
	double v[2];
	box_velocity(now, 5, then, 2, v);
	/* centres (12, 23) then, (20, 20) now, three frames apart */
	cr_assert_float_eq(v[0], 8.0 / 3, 1e-12);
	cr_assert_float_eq(v[1], -1, 1e-12);
	box p = box_predict(now, v, 3);
	cr_assert_eq(p.x, 24);
	cr_assert_eq(p.y, 14);
	cr_assert_eq(p.w, 8);
	cr_assert_eq(p.h, 6);
	/* the position is rounded to float */
	double third[2] = {1.0 / 3, 0};
	double px = box_predict(now, third, 1).x;
	cr_assert_eq(px, (double)(float)(16 + 1.0 / 3), "%.17g", px);
}
