/* ioutrack.h: the classic baseline, a greedy frame-to-frame mask-IoU
 * tracker (in the spirit of Bochinski et al.'s IoU tracker, on masks).
 *
 * Each frame, the pairs (track, detection) are taken in decreasing IoU
 * order, each track and detection at most once, while IoU >= thr; a track
 * is compared through its last detection, if that is at most max_age
 * frames old. Detections left over start new tracks at once. No appearance,
 * no motion model, no window: ids are final as soon as a frame is read. */
#ifndef USC_IOUTRACK_H
#define USC_IOUTRACK_H

#include <stddef.h>
#include <stdint.h>

#include "rle.h"

typedef struct iou_opts {
	double thr;       /* least IoU for a match (0.5) */
	int max_age;      /* frames a track waits for a match (1: frame to frame) */
} iou_opts;

void iou_opts_default(iou_opts *o);

/* One detection of a frame. rle may be NULL: box IoU is used with it. */
typedef struct iou_det {
	const rle_t *rle;
	float box[4];     /* x, y, w, h */
} iou_det;

typedef struct ioutrack ioutrack;

ioutrack *iout_new(const iou_opts *o);
void iout_free(ioutrack *t);
void iout_reset(ioutrack *t);   /* a new sequence: ids start again at 1 */
/* The n detections of frame f (frames increasing): ids[i] gets the track
 * id of det[i]. Returns 0, or -1 with a message in err (frame not after the
 * last, masks of different sizes). */
int iout_frame(ioutrack *t, int64_t f, const iou_det *det, size_t n, int64_t *ids,
	       char *err, size_t errn);
size_t iout_live(const ioutrack *t);   /* tracks held (bounded by max_age) */

/* The same, one record at a time (as a stream gives them): iout_add()
 * each detection of a frame, then iout_end_frame(). */
/* A detection of the frame being read: rle, its COCO string for an h x w
 * image, or NULL; box, x, y, w, h, or NULL for the box of the mask (one of
 * the two is needed). Returns 0, or -1 with a message in err ("rle: what",
 * "no rle and no box"). */
int iout_add(ioutrack *t, const char *rle, uint32_t h, uint32_t w, const float *box,
	     char *err, size_t errn);
/* Tracks the detections added since the last call as frame f (iout_frame):
 * *ids gets their ids, in the order they were added (valid until the next
 * iout_add). Returns 0, or -1 with a message in err. */
int iout_end_frame(ioutrack *t, int64_t f, const int64_t **ids, char *err, size_t errn);

#endif
