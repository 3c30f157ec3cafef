/* box.h: axis-aligned boxes, their IoU and the velocity of their centres.
 *
 * One box type for every part of the toolchain: the x, y, w, h boxes of
 * the det stream (floats, mots-stream(5)), of MOT txt (doubles), of masks
 * (rle_bbox) and of the synthetic generators (ints) all convert to it
 * exactly. */
#ifndef USC_BOX_H
#define USC_BOX_H

#include <stdint.h>

/* Left, top, width, height in pixels. */
typedef struct box {
	double x, y, w, h;
} box;

/* A det stream's x, y, w, h box. */
box box_of(const float b[4]);

/* IoU of a and b, term by term as py-motmetrics' boxiou (which is also
 * pycocotools' bbox IoU, no +1 pixel): the clipped intersection of the
 * corners, the areas from the corners; 0 when they do not intersect
 * (touching edges do not). */
double box_iou(box a, box b);

/* The area of their intersection (0 when they do not intersect). */
double box_inter(box a, box b);

/* Their intersection over the area of the smaller of the two: 1 when one
 * lies inside the other (a partly hidden object's box inside its whole
 * box), 0 when they do not intersect or one is empty. */
double box_iomin(box a, box b);

/* Whether a and b overlap or lie less than margin pixels apart (margin 0:
 * overlap only; edges that touch do not). */
int box_near(box a, box b, double margin);

/* The centre of b. */
void box_centre(box b, double c[2]);

/* Whether the centre of b lies inside a width x height image inset by
 * inset pixels (on the line counts as inside). */
int box_centre_inside(box b, double width, double height, double inset);

/* The exit rule: whether an object whose box was from and is predicted at
 * to has left a width x height image whose objects vanish inset pixels
 * inside the border (from's centre inside that line, to's outside). 0 when
 * inset < 0 or the image size is unknown (<= 0). */
int box_exits(box from, box to, double width, double height, double inset);

/* The whole box of a partly hidden object whose visible part is vis,
 * nearest to where it was expected (pred): pred's size (grown to vis's
 * where vis is larger), moved the least that makes it contain vis. */
box box_fit(box pred, box vis);

/* The velocity of the centre, in pixels a frame, of a box that was then in
 * frame fthen and is now in frame fnow (fnow != fthen). */
void box_velocity(box now, int64_t fnow, box then, int64_t fthen, double v[2]);

/* b moved on by dt frames at velocity v (width and height kept), rounded
 * to float as a det stream's box is. (Built through a float array: GCC 12
 * at -O2 drops the rounding of a (float) cast inside a compound literal
 * of doubles.) */
box box_predict(box b, const double v[2], double dt);

#endif
