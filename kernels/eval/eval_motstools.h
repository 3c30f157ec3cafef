/* eval_motstools.h: CLEAR-MOTS as mots_tools (mots_eval/MOTS_metrics.py)
 * computes it, the official sMOTSA / MOTSA / MOTSP of KITTI MOTS and
 * MOTSChallenge.
 *
 * Per frame a pair is a true positive when its mask IoU is > 0.5 (strict);
 * an unmatched result whose IoA with the ignore region is > 0.5 is neither
 * a TP nor an FP. ID switches compare with the last non-missing match of
 * the ground-truth track (gaps allowed); Frag and MT/PT/ML follow the KITTI
 * devkit (tracked ratio > 0.8 MT, < 0.2 ML). Sequences are combined by
 * summing the counts. */
#ifndef USC_EVAL_MOTSTOOLS_H
#define USC_EVAL_MOTSTOOLS_H

#include <stdint.h>

#include "eval/eval_data.h"

typedef struct mt_counts {
	int64_t tp, fp, fn, ids, frag;
	int64_t mt, pt, ml, tracks;  /* ground-truth trajectories */
	int64_t n_gt, n_tr, n_ign;   /* objects; n_ign: results in ignore regions */
	double soft_tp;              /* sum of the IoU of the TPs */
} mt_counts;

typedef struct mt_scores {
	double smotsa, motsa, motsp, modsa, recall, precision;
} mt_scores;

/* Counts of one sequence (s indexed). */
void mt_eval(const eval_seq *s, mt_counts *c);
void mt_add(mt_counts *sum, const mt_counts *c);
/* mots_tools' formulas: -inf for sMOTSA/MOTSA/MODSA when there is no
 * ground truth, inf MOTSP without TPs, recall and precision 0 when
 * undefined. */
void mt_scores_of(const mt_counts *c, mt_scores *r);

#endif
