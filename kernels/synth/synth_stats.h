/* synth_stats.h: the statistics of a generated video (boxes, tracks,
 * lifetimes, gaps, objects per frame, box overlaps, boxes beyond the
 * frame, occlusion; usc-mots-method(7), SYNTHETIC DATA), gathered frame by
 * frame. */
#ifndef USC_SYNTH_STATS_H
#define USC_SYNTH_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "synth/synth.h"

#define SYNTH_STATS_LEN 64    /* lifetime histogram bins (longer ones go to the last) */

typedef struct synth_stats {
	int64_t frames, boxes, empty, first_visible;   /* first_visible: 1-based, 0 = none */
	int64_t per_frame[SYNTH_OBJECTS_MAX + 1];     /* frames with k objects */
	int64_t pairs, pairs_overlap, pairs_iou50;    /* same-frame pairs of full boxes */
	int64_t beyond;                               /* full boxes not inside the frame */
	int64_t occluded, half_hidden, hidden95, no_mask;  /* visible < 99 %, < 50 %, <= 5 %, 0 px */
	int minw, maxw, minh, maxh;
	double sumw, sumh;
	/* tracks */
	int64_t *len;          /* visible frames per id (index id-1) */
	int64_t cap;
	int64_t tracks;        /* ids that were visible at least once */
	int64_t complete, len_hist[SYNTH_STATS_LEN], len_min, len_max, len_sum;
	int64_t gaps, gap_min, gap_sum;   /* invisible frames between objects of a slot */
	int64_t last_frame[SYNTH_OBJECTS_MAX];   /* last visible frame per slot (0 none) */
} synth_stats;

void synth_stats_init(synth_stats *st);
void synth_stats_free(synth_stats *st);
/* Adds the frame synth_next() just made. */
void synth_stats_add(synth_stats *st, const synth *s);
/* Closes the lifetimes (tracks still alive at the end are not complete)
 * and prints "key value" lines. */
void synth_stats_print(synth_stats *st, const synth *s, FILE *fp);

#endif
