/* eval_data.h: what every evaluator reads: per frame, the ground-truth
 * and result objects of one class, their IoU matrix and each result's
 * IoA with the frame's ignore region.
 *
 * Built once per sequence and class from masks (pycocotools IoU, boxes
 * computed once, bounding-box precheck) or from boxes (py-motmetrics box
 * IoU), then scored by eval_motstools.h, eval_trackeval.h and
 * eval_motmetrics.h, which see only numbers. Frames where neither side
 * has an object are left out: no metric counts them. */
#ifndef USC_EVAL_DATA_H
#define USC_EVAL_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "rle.h"

typedef struct eval_frame {
	int64_t t;        /* frame number as written */
	int ng, nt;       /* ground-truth and result objects, in file order */
	int64_t *gid;     /* their ids as written */
	int64_t *tid;
	int *gi, *ti;     /* dense ids 0..n-1 (ascending id order), by eval_seq_index() */
	double *iou;      /* ng x nt, row-major: iou[g * nt + t] */
	double *ioa;      /* nt: |t & ignore| / |t|, 0 when the frame has none */
} eval_frame;

typedef struct eval_seq {
	char *name;
	eval_frame *f;    /* ascending frame numbers */
	int nf, fcap;
	int ngid, ntid;   /* distinct ids, after eval_seq_index() */
	int64_t *gids, *tids; /* ids by dense index */
	int64_t frames;   /* length of the sequence (for FAF) */
} eval_seq;

void eval_seq_init(eval_seq *s, const char *name);
void eval_seq_free(eval_seq *s);
/* Appends frame t (after the last one) with ng and nt objects: IoU and IoA
 * start at 0 for the caller to fill. Returns NULL if t is not after the
 * previous frame. */
eval_frame *eval_seq_add(eval_seq *s, int64_t t, int ng, const int64_t *gid, int nt,
			 const int64_t *tid);
/* Numbers the ids densely (gi, ti, gids, tids). Returns 0, or -1 with a
 * message when an id occurs twice in one frame. */
int eval_seq_index(eval_seq *s, char *err, size_t errn);

/* One object of a loaded sequence: a mask (MOTS) or a box (MOT). */
typedef struct eval_obj {
	int64_t frame, id;
	int cls;          /* 10 = ignore region */
	rle_t rle;        /* h = w = 0 in box mode */
	rle_box bb;       /* rle_bbox(), computed once */
	double x, y, w, h; /* box mode: the box as py-motmetrics holds it */
	double bx, by;    /* box mode: x and y as written (TrackEval's boxes) */
	double conf;      /* box mode: the confidence column (1 when missing) */
	uint32_t line;    /* source line (txt) or 0 (PNG) */
} eval_obj;

/* A loaded sequence: objects sorted by frame, file order within a frame. */
typedef struct eval_objs {
	char *name;       /* sequence name */
	char *src;        /* file or folder, for messages */
	eval_obj *o;
	size_t n, cap;
} eval_objs;

void eval_objs_free(eval_objs *e);
/* Stable sort by frame. */
void eval_objs_sort(eval_objs *e);
/* Keeps objects with frame <= last (a seqmap's last frame). Returns how
 * many were dropped. */
size_t eval_objs_clip(eval_objs *e, int64_t last);
/* The MOTS rules both official tools enforce: ids unique within a frame,
 * masks of one frame the same size and not overlapping (any class, ignore
 * regions included). Returns 0 or -1 with "SRC: frame F: what". */
int eval_objs_check_masks(const eval_objs *e, char *err, size_t errn);

/* Both sides frame by frame: each eval_walk_next moves to the next frame
 * either side has objects in (sorted sides), gt->o[ga..gb) and
 * res->o[ra..rb) being its objects; 0 once both are spent. Start from
 * { 0 }. */
typedef struct eval_walk {
	size_t kg, kr, ga, gb, ra, rb;
	int64_t frame;
} eval_walk;

int eval_walk_next(eval_walk *w, const eval_objs *gt, const eval_objs *res);

/* MOTS: frames of class cls. Ground truth of class 10 is the ignore
 * region (several are merged); other classes are dropped. IoU and IoA are
 * pycocotools' rleIou. Returns 0, or -1 with a message (masks of GT and
 * result differ in size). */
int eval_seq_from_masks(eval_seq *s, const eval_objs *gt, const eval_objs *res, int cls,
			char *err, size_t errn);
/* Boxes: every object, IoU as py-motmetrics' boxiou. */
int eval_seq_from_boxes(eval_seq *s, const eval_objs *gt, const eval_objs *res, char *err,
			size_t errn);
/* Largest total weight of a matching of ground-truth ids to result ids,
 * given n weighted pairs (g[k], t[k], w[k] >= 0; repeated pairs add up):
 * the IDTP of the identity metrics. Solved per connected component, so
 * results that change ids every frame stay cheap. */
double eval_max_matching(size_t n, const int *g, const int *t, const double *w);

#endif
