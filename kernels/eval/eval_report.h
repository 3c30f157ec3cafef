/* eval_report.h: the per-sequence and combined results of mots-eval, as
 * aligned tables (percentages with two decimals) or as JSON (fractions at
 * full precision, null for undefined values). */
#ifndef USC_EVAL_REPORT_H
#define USC_EVAL_REPORT_H

#include <stdio.h>

#include "eval/eval_motmetrics.h"
#include "eval/eval_motstools.h"
#include "eval/eval_trackeval.h"

typedef struct mots_seq_result {
	char *name;
	mt_counts mt;        /* mots_tools */
	te_hota hota;        /* TrackEval, after its preprocessing */
	te_clear clr;
	te_identity id;
	int64_t removed;     /* results TrackEval deleted (inside ignore regions) */
	te_count cnt;        /* TrackEval's Count, for --csv */
} mots_seq_result;

typedef struct mots_class_result {
	int cls;
	int n;
	mots_seq_result *seq;
} mots_class_result;

typedef struct box_seq_result {
	char *name;
	mm_counts mm;
	/* TrackEval (MotChallenge2DBox preprocessing, eval_mot2d.h) */
	te_hota hota;
	te_clear clr;
	te_identity id;
	te_count cnt;
	int64_t removed;     /* results matched to distractors */
} box_seq_result;

/* The combined row of one class: mots_tools and TrackEval combinations. */
void mots_combine(const mots_class_result *c, mots_seq_result *out);

void report_mots_table(FILE *fp, const mots_class_result *c, int ncls);
void report_mots_json(FILE *fp, const mots_class_result *c, int ncls);
void report_box_table(FILE *fp, const box_seq_result *s, int n);
void report_box_json(FILE *fp, const box_seq_result *s, int n);

#endif
