/* eval_load.h: ground truth and results for mots-eval, from any of the
 * layouts the MOTS benchmarks use.
 *
 * Masks: a MOTS txt file (one sequence, named after the file), a folder of
 * SSSS.txt, a folder of SSSS/ folders of 16-bit instance PNGs (FFFFFF.png,
 * value class*1000+instance, 0 background, >= 10000 ignore), or one such
 * PNG folder. Boxes: a MOT txt file or a folder of SSSS.txt. */
#ifndef USC_EVAL_LOAD_H
#define USC_EVAL_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "eval/eval_data.h"

typedef struct eval_set {
	eval_objs *seq;   /* sorted by name */
	int n;
	int single;       /* loaded from one file or one PNG folder */
} eval_set;

void eval_set_free(eval_set *s);
/* The sequence called name, or NULL. */
eval_objs *eval_set_find(const eval_set *s, const char *name);

/* Masks, checked (unique ids, no overlaps), sorted by frame. */
int eval_load_masks(const char *path, eval_set *out, char *err, size_t errn);
/* Boxes with a confidence >= min_conf (py-motmetrics loads ground truth
 * with 1, results with -1), shifted by (-1, -1) as it does. */
int eval_load_boxes(const char *path, double min_conf, eval_set *out, char *err, size_t errn);

/* The objects of one 16-bit instance map (row-major, h x w), one per
 * distinct nonzero value, in ascending value order, appended to e. */
void eval_objs_from_instance_map(eval_objs *e, const uint16_t *map, uint32_t h, uint32_t w,
				 int64_t frame);

/* A mots_tools seqmap: "SSSS empty first last" per line (a name alone is
 * accepted too; a TrackEval header line "name" is skipped). */
typedef struct eval_seqmap_entry {
	char *name;
	int64_t first, last;   /* -1 when not given */
} eval_seqmap_entry;

typedef struct eval_seqmap {
	eval_seqmap_entry *e;
	int n;
} eval_seqmap;

int eval_seqmap_load(const char *path, eval_seqmap *m, char *err, size_t errn);
void eval_seqmap_free(eval_seqmap *m);

#endif
