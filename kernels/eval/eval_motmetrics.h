/* eval_motmetrics.h: box tracking metrics as py-motmetrics computes them
 * (MOTAccumulator.update, metrics.motchallenge_metrics), the protocol of
 * the MNIST-MOT / Sprites-MOT tables.
 *
 * Distance = 1 - IoU, a pair may match when the distance is <= 0.5. Each
 * frame first keeps the matches of the previous frame that are still
 * valid, then assigns the rest by minimum total distance (maximum number
 * of pairs first). A switch is a match to a hypothesis other than the
 * object's last one. MT: tracked >= 80% of the object's frames, ML: < 20%;
 * Frag: tracked-to-missed transitions inside the tracked span. IDF1 from
 * one global assignment of ids on the frames each pair could match. */
#ifndef USC_EVAL_MOTMETRICS_H
#define USC_EVAL_MOTMETRICS_H

#include <stdint.h>

#include "eval/eval_data.h"

typedef struct mm_counts {
	int64_t matches, switches, fp, misses;   /* MOTA terms; TP = matches + switches */
	int64_t objects, predictions;            /* ground-truth and result boxes */
	int64_t mt, pt, ml, frag, tracks;        /* tracks: distinct ground-truth ids */
	int64_t idtp, idfp, idfn;
	int64_t frames;                          /* for FAF */
	double dsum;                             /* sum of 1 - IoU over TPs */
} mm_counts;

typedef struct mm_scores {
	double mota, motp, idf1, idp, idr, recall, precision, faf;  /* motp = mean IoU */
} mm_scores;

void mm_eval(const eval_seq *s, mm_counts *c);
void mm_add(mm_counts *sum, const mm_counts *c);
/* NaN where py-motmetrics divides by zero. */
void mm_scores_of(const mm_counts *c, mm_scores *r);

#endif
