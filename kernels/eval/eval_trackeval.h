/* eval_trackeval.h: HOTA, CLEAR and Identity as TrackEval computes them
 * for KITTI MOTS and MOTSChallenge (datasets/kitti_mots.py,
 * metrics/{hota,clear,identity}.py).
 *
 * te_preprocess() first matches each frame (Hungarian on IoU, pairs below
 * 0.5 - eps excluded) and deletes the unmatched results whose IoA with
 * the ignore region is > 0.5 + eps; every metric then sees what is left.
 * HOTA is the two-pass algorithm: a global alignment score per id pair,
 * one Hungarian per frame on alignment x IoU, then per alpha in
 * {0.05, ..., 0.95} the matched pairs with IoU >= alpha - eps. The summary
 * values are the means over the 19 alphas. Identity: one global
 * assignment on the number of frames with IoU >= 0.5. */
#ifndef USC_EVAL_TRACKEVAL_H
#define USC_EVAL_TRACKEVAL_H

#include <stdint.h>

#include "eval/eval_data.h"

#define TE_NA 19

/* Per alpha. */
typedef struct te_hota {
	double tp[TE_NA], fn[TE_NA], fp[TE_NA];
	double assa[TE_NA], assre[TE_NA], asspr[TE_NA], loca[TE_NA];
	double deta[TE_NA], detre[TE_NA], detpr[TE_NA], hota[TE_NA];
} te_hota;

typedef struct te_summary {   /* means over the alphas */
	double hota, deta, assa, detre, detpr, assre, asspr, loca;
	double hota0, loca0;      /* at alpha = 0.05 */
} te_summary;

typedef struct te_clear {
	int64_t tp, fn, fp, idsw, mt, pt, ml, frag;
	double motp_sum;
} te_clear;

typedef struct te_clear_scores {
	double mota, motp, smota, recall, precision;
} te_clear_scores;

typedef struct te_identity {
	int64_t idtp, idfn, idfp;
} te_identity;

typedef struct te_id_scores {
	double idf1, idr, idp;
} te_id_scores;

/* TrackEval's Count metric, and the frames CLEAR counts (CLR_Frames). */
typedef struct te_count {
	int64_t dets, gt_dets, ids, gt_ids;
	int64_t frames;   /* the sequence's length */
} te_count;

/* The alpha thresholds, as np.arange(0.05, 0.99, 0.05). */
double te_alpha(int a);

/* The frames every TrackEval metric sees: s without the unmatched results
 * inside ignore regions (out is indexed; ids keep their dense numbers).
 * Returns how many results were deleted. */
int64_t te_preprocess(const eval_seq *s, eval_seq *out);

void te_count_eval(const eval_seq *s, te_count *c);
void te_hota_eval(const eval_seq *s, te_hota *h);
void te_clear_eval(const eval_seq *s, te_clear *c);
void te_identity_eval(const eval_seq *s, te_identity *id);

/* Combining sequences as TrackEval's COMBINED_SEQ: counts summed,
 * AssA / AssRe / AssPr / LocA averaged with TP weights, then DetA and
 * HOTA recomputed. */
void te_hota_combine(const te_hota *v, int n, te_hota *out);
void te_hota_summary(const te_hota *h, te_summary *s);
void te_clear_combine(const te_clear *v, int n, te_clear *out);
void te_clear_scores_of(const te_clear *c, te_clear_scores *r);
void te_identity_combine(const te_identity *v, int n, te_identity *out);
void te_identity_scores_of(const te_identity *id, te_id_scores *r);

#endif
