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
	int whole;             /* predict whole boxes (motion_carry), fit occluded ones to them */
	double iou;            /* forbid a box that overlaps the prediction by IoU <= this */
	double overlap;        /* forbid an occluded box that overlaps the prediction by
	                          intersection over the smaller box <= this */
	double margin;         /* the claim rule's margin; < 0: no claim rule */
	double exit;           /* the exit line's inset in pixels; < 0: no exit rule */
	double width, height;  /* the image, for the exit rule */
} motion_gate;

/* The least fit (IoU) of a detection to a track's prediction for the
 * track to claim it (the claim rule). */
#define MOTION_CLAIM_FIT 0.5
/* The least share of an occluded detection's fitted whole box that must be
 * seen, covered by other boxes of its frame or outside the image. */
#define MOTION_HIDDEN_SEEN 0.5

/* The motion gate: every track id predicts where it is in the other frames
 * of the window (later ones, and earlier ones, which an unassigned
 * detection could otherwise join late, unchecked), and an unassigned
 * detection of such a frame that does not fit the prediction cannot link
 * with the track.
 * With whole boxes (g->whole): the prediction is the whole box of the
 * track's latest detection (motion_carry) moved on at that detection's
 * velocity; a detection fits when its box, an occluded one's through the
 * whole box it best fits (box_fit) when at least MOTION_HIDDEN_SEEN of
 * that box is seen, covered by other boxes of its frame or outside the
 * image (else through its own box), overlaps the prediction by IoU >
 * g->iou, and an occluded one also lies inside it by more than g->overlap
 * of the smaller box (box_iomin).
 * Without: the prediction is the track's last box in the window not
 * marked occluded (else its latest) moved on at the velocity of its last
 * two such box centres (else that detection's vel, else not moved); a
 * detection fits when its box overlaps the prediction by IoU > g->iou, or,
 * where the detection or that last box is occluded, by more than
 * g->overlap of the smaller box.
 * The exit rule (g->exit >= 0): a track whose last box centre lies inside
 * the image inset by g->exit pixels and whose predicted centre lies
 * outside it has left the scene, and no detection of that later frame can
 * join it. The claim rule (g->margin >= 0): a detection that fits one track by
 * IoU >= MOTION_CLAIM_FIT, better by more than g->margin than it fits any
 * other track and than any other unassigned detection of its frame fits
 * that track, cannot join the other tracks (where the embeddings of
 * objects that cross are alike, motion tells them apart). Adds those pairs
 * to cl (ng x ng, from ck_constraints); detections without a box are left
 * alone. Returns the number of pairs added. ws: buffers of its own,
 * reused from window to window. */
size_t motion_links(scratch *ws, const ck_wdet *w, size_t n, const uint32_t *grp, size_t ng,
		    uint8_t *cl, const motion_gate *g);

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
	float *whole;          /* its whole box, written once */
	int *has_whole;        /* set when whole is */
} motion_held;

/* The velocity carry: each labelled detection with a box, from position s
 * to len - 1 of the detections held (input order; at(ctx, i) gives the
 * i-th), gets a velocity, so a track keeps one after its boxes leave the
 * window. Without whole boxes: the velocity of its box centre since the
 * latest earlier unoccluded detection of its track still held; an
 * occluded one takes the velocity its track had before. With whole boxes
 * (whole): first its whole box, once: an unoccluded one's own box; an
 * occluded one's is the whole box of the latest earlier detection of its
 * track still held (q), moved on at q's velocity and fitted to its
 * visible box (box_fit), or its own box when there is none; then the
 * velocity of the whole box's centre since q's. The whole box of an
 * object hidden for a while keeps its size and follows what can be seen
 * of it, and so does its velocity. */
void motion_carry(size_t s, size_t len, int whole, motion_held (*at)(void *ctx, size_t i), void *ctx);

#endif
