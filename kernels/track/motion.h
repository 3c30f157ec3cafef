/* motion.h: the tracker's motion rules (not in the paper; on by default, off with --paper;
 * usc-mots-method(7), MOTION RULES): the occlusion guard, the motion gate
 * with its exit rule, and the velocity carry. They read the boxes of a
 * window's detections (ck_wdet) and add cannot-links or velocities. */
#ifndef USC_MOTION_H
#define USC_MOTION_H

#include <stddef.h>
#include <stdint.h>

#include "track/ckmeans.h"

/* The occlusion guard: marks the detections whose box overlaps another
 * box of the same frame or lies less than margin pixels from it (margin
 * 0: overlap only; < 0: marks nothing). Such an object may be partly
 * hidden, so its visible mask, box and z can jump from one frame to the
 * next: ck_constraints drops the temporal cannot-links of marked
 * detections and motion_links holds them to a looser test, as both
 * would read the jump as two objects; a marked detection keeps the
 * velocity its track had before (motion_carry).
 * The n detections are in window order (a frame's detections adjacent). */
void motion_mark_occluded(ck_wdet *w, size_t n, double margin);

/* The motion gate's settings. */
typedef struct motion_gate {
	double iou;            /* forbid a box that overlaps the prediction by IoU <= this */
	double overlap;        /* forbid an occluded box that overlaps the prediction by
	                          intersection over the smaller box <= this */
	double exit;           /* the exit line's inset in pixels; < 0: no exit rule */
	double width, height;  /* the image, for the exit rule */
} motion_gate;

/* The motion gate: for every track id, its last box in the window moved
 * on at the velocity of its last two box centres in the window (else at
 * that detection's vel, else not moved) predicts where it is in a later
 * frame; an unassigned detection of a later frame whose box overlaps that
 * prediction by IoU <= g->iou cannot link with the track. Occluded
 * detections (motion_mark_occluded), and predictions from an occluded
 * box, are held to less: the visible part of a partly hidden object lies
 * inside its whole box, so only a box whose intersection with the
 * prediction is at most g->overlap of the smaller of the two (box_iomin)
 * is forbidden; the velocity skips occluded boxes. The exit rule (g->exit >= 0): a track whose last
 * box centre lies inside the image inset by g->exit pixels and whose
 * predicted centre lies outside it has left the scene, and no detection
 * of that frame can join it. Adds those pairs to cl (ng x ng, from
 * ck_constraints); detections without a box are left alone. Returns the
 * number of pairs added. */
size_t motion_links(const ck_wdet *w, size_t n, const uint32_t *grp, size_t ng, uint8_t *cl,
		    const motion_gate *g);

/* The jump limit: two unassigned detections of different frames whose
 * boxes lie more than jump times the largest side of the two a frame
 * apart (box_near) cannot be one object, so they cannot start a track
 * together. (The motion gate binds tracks; an object that has no track
 * yet has no velocity to predict from, but it does not cross several of
 * its own sizes in a frame.) Adds those pairs to cl (ng x ng, from
 * ck_constraints; jump < 0: none). Returns the number added. */
size_t motion_jumps(const ck_wdet *w, size_t n, const uint32_t *grp, size_t ng, uint8_t *cl,
		    double jump);

/* A held detection as the velocity carry sees it. */
typedef struct motion_held {
	int64_t f, id;         /* frame, track id (0: none) */
	const float *box;      /* x, y, w, h, or NULL */
	int occluded;          /* marked by the occlusion guard */
	double *vel;           /* its box-centre velocity, written */
	int *has_vel;          /* set when vel is */
} motion_held;

/* The velocity carry: each labelled detection with a box, from position s
 * to len - 1 of the detections held (input order; at(ctx, i) gives the
 * i-th), gets the velocity of its box centre since the latest earlier
 * unoccluded detection of its track still held, so a track keeps a
 * velocity after that one leaves the window; an occluded one takes the
 * velocity its track had before. */
void motion_carry(size_t s, size_t len, motion_held (*at)(void *ctx, size_t i), void *ctx);

#endif
