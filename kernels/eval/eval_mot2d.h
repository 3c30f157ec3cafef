/* eval_mot2d.h: box ground truth and results as TrackEval's
 * MotChallenge2DBox dataset prepares them for HOTA, CLEAR and Identity
 * (datasets/mot_challenge_2d_box.py), class pedestrian.
 *
 * Ground truth lines are "frame,id,x,y,w,h,conf,class,...". With classes
 * (MOT16/17 rules) each frame is matched first (Hungarian on box IoU,
 * pairs below 0.5 - eps excluded) against every ground-truth box; results
 * matched to a distractor (person on vehicle 2, static person 7,
 * distractor 8, reflection 12) are removed; then only the pedestrians
 * (class 1) whose conf column, truncated to an integer, is not 0 stay.
 * Without classes (no class column or -1 everywhere, as MOT15 and the
 * synthetic datasets write) only the conf rule applies. Box IoU is
 * TrackEval's for (x, y, w, h): corners x + w, y + h, areas from the
 * corners, 0 for a box of no area. */
#ifndef USC_EVAL_MOT2D_H
#define USC_EVAL_MOT2D_H

#include <stddef.h>
#include <stdint.h>

#include "eval/eval_data.h"

/* 1 when the ground truth has a class column other than -1. */
int mot2d_has_classes(const eval_objs *gt);
/* The classes TrackEval accepts: ground truth in 1..13 (with classes),
 * results of class 1 or less. Returns 0 or -1 with "SRC:LINE: what". */
int mot2d_check(const eval_objs *gt, const eval_objs *res, int classes, char *err, size_t errn);
/* The frames HOTA, CLEAR and Identity see; *removed counts the results
 * dropped for matching a distractor. Returns 0 or -1 with a message. */
int mot2d_seq(eval_seq *s, const eval_objs *gt, const eval_objs *res, int classes,
	      int64_t *removed, char *err, size_t errn);
/* TrackEval's _calculate_box_ious for one pair of (x, y, w, h) boxes. */
double mot2d_iou(const double *a, const double *b);

#endif
