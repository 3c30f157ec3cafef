/* ckmeans.h: sliding-window constrained k-means tracking
 * (usc-mots-method(7), WINDOW TRACKER).
 *
 * cktrack is the sliding window over a stream: label-dependent must-links
 * and cannot-links from the ids of earlier windows, the static
 * cannot-links of cgraph-build, the clustering (copk_cluster() of
 * copkmeans.h, or km_cluster() of kmeans.h without constraints), the
 * motion rules of motion.h, and the association of assoc.h. */
#ifndef USC_CKMEANS_H
#define USC_CKMEANS_H

#include <stddef.h>
#include <stdint.h>

#include "track/assoc.h"
#include "track/copkmeans.h"
#include "track/scratch.h"

enum {
	CK_ORDER_WINDOW = COPK_ORDER_WINDOW,    /* points in window order (the reference) */
	CK_ORDER_NEAREST = COPK_ORDER_NEAREST,  /* the closest (component, centre) pair first */
};

enum {
	CK_CENTRES_KEY,     /* the detections of the current or key frame (the paper) */
	CK_CENTRES_TRACKS,  /* the latest detection of every track in the window */
};

/* One detection of a window, for ck_constraints() and the motion rules. */
typedef struct ck_wdet {
	int64_t f, k, id;           /* frame, key, track id (0: none yet) */
	const int64_t *cl, *ml;     /* the stream's edges: keys of other detections */
	uint32_t ncl, nml;
	const float *box;           /* x, y, w, h, or NULL (only the motion rules read it) */
	const double *vel;          /* box-centre velocity in pixels a frame, or NULL */
	const float *whole;         /* the whole box of a labelled one (motion_carry), or NULL */
	int occluded;               /* box touches another of its frame (motion_mark_occluded) */
} ck_wdet;

/* The constraints of one window of n detections, in window order
 * (usc-mots-method(7), WINDOW TRACKER). Must-links: detections with the
 * same id, and the ml edges, closed transitively: grp[i] gets the
 * component of i (numbered by first appearance); returns their number ng. Cannot-links, between components
 * (ng x ng bytes at *cl, in ws, valid until the next call): the cl edges
 * within a frame; the cl edges between frames when the later detection has
 * no id yet (always, with static_all) and neither is occluded; every pair
 * of different ids. Edges to keys outside the window are ignored. */
size_t ck_constraints(scratch *ws, const ck_wdet *w, size_t n, int static_all,
		      uint32_t *grp, const uint8_t **cl);

/* The frame whose detections are the first centres, given the number of
 * detections of each of nf frames in window order (current first): the
 * current frame if no frame has more, else the oldest frame with the most.
 * Returns its index. */
size_t ck_key_frame(const size_t *count, size_t nf);

/* The exit line's inset when none is measured (--exit-margin auto). */
#define CK_EXIT_DEFAULT 8

typedef struct ck_opts {
	int window;           /* t_lag: frames per window, the current one included (3) */
	int max_iter;         /* COP-KMeans iterations (50) */
	double tol;           /* relative tolerance (1e-4) */
	int constraints;      /* 0: plain k-means on z, no constraint of any kind */
	int n_init;           /* plain k-means restarts (10) */
	int kmeans_iter;      /* plain k-means iterations (300) */
	int static_cl_all;    /* apply the temporal cannot-links of the stream even
	                         when the later detection already has an id (the
	                         reference applies them only to unlabelled ones) */
	int order;            /* CK_ORDER_WINDOW (the reference) or CK_ORDER_NEAREST */
	int centres;          /* first centres: CK_CENTRES_KEY (the paper) or CK_CENTRES_TRACKS */
	int motion;           /* the motion gate (ck_motion_links): on by default, off in the paper's */
	int whole;            /* the motion gate predicts whole boxes (motion_gate.whole) (1; the paper's 0) */
	double motion_iou;    /* its IoU threshold (0.1; the paper's settings 0) */
	double occlusion;     /* the occlusion guard's margin in pixels (1); < 0: off (the paper's) */
	double occlusion_overlap; /* the motion gate's test for occluded boxes (motion_gate.overlap) (0.3; the paper's 0) */
	double claim_margin;  /* the motion gate's claim rule (motion_gate.margin) (0.1); < 0: off (the paper's) */
	double exit;          /* the motion gate's exit line, pixels inside the image (8); < 0: off (the paper's) */
	double jump;          /* the jump limit (motion_jumps), box sides a frame (1); < 0: off (the paper's) */
	int relink;           /* frames a track may be missed and re-linked across (relink.h) (16); 0: off (the paper's) */
	double relink_iou;    /* least IoU of a new track's first box with the prediction (0.01) */
	assoc_opts assoc;     /* assoc.window follows window */
	uint64_t seed;        /* centre order shuffles, k-means++ */
} ck_opts;

/* The defaults: the paper's settings with the nearest-first order, the
 * motion gate (IoU 0.1) with the exit rule (8 pixels), the jump limit (1
 * box side a frame), every track's centre, the occlusion guard (1 pixel,
 * overlap 0.3), whole boxes, the claim rule (margin 0.1) and re-linking
 * (16 frames, IoU 0.01). */
void ck_opts_default(ck_opts *o);
/* The paper's settings (the reference implementation's): window 3, window
 * order, key-frame centres, no motion gate (so no whole boxes or claim
 * rule), jump limit, occlusion guard, exit rule or re-linking, the first
 * member voted. */
void ck_opts_paper(ck_opts *o);

/* One detection given to the tracker; its arrays are copied. */
typedef struct ck_rec {
	int64_t f, k;              /* frame, key */
	const float *score;        /* NULL: none (counts 1 in the cluster score) */
	const float *z;            /* latent vector (needed) */
	uint32_t zdim;
	const int64_t *cl, *ml;    /* keys of earlier detections: cannot-link, must-link */
	uint32_t ncl, nml;
	const float *box;          /* x, y, w, h (needed by the motion gate), or NULL */
} ck_rec;

typedef struct ck_stats {
	uint64_t windows;      /* windows clustered */
	uint64_t iters;        /* COP-KMeans iterations, all windows */
	uint64_t unconverged;  /* windows that hit max_iter */
	uint64_t opened;       /* clusters opened for points with no feasible centre */
	uint64_t births;       /* tracks started */
	uint64_t motion_cl;    /* cannot-links added by the motion gate */
	uint64_t jump_cl;      /* cannot-links added by the jump limit */
	uint64_t occluded;     /* detections the occlusion guard marked (counted once) */
	uint64_t dup_ids;      /* ids not given because the frame had them already */
	uint64_t relinked;     /* new tracks that took the id of a lost one (--relink) */
} ck_stats;

typedef struct cktrack cktrack;

cktrack *ckt_new(const ck_opts *o);
void ckt_free(cktrack *t);
/* A new sequence: forgets every detection, ids start again at 1. The
 * random stream is not reset, so a stream of several sequences is still
 * reproducible for one seed. */
void ckt_reset(cktrack *t);
/* The image size of the sequence (the exit rule needs it; 0: unknown). */
void ckt_set_image(cktrack *t, double width, double height);
/* The exit rule's line for what follows, pixels inside the image (< 0:
 * no exit rule), e.g. the one the stream carries (track/exitline.h). */
void ckt_set_exit(cktrack *t, double inset);
/* Adds the next detection (frames must not decrease). When it opens a new
 * frame, the window ending at the previous frame is clustered first.
 * Returns 0, or -1 with a message in err. */
int ckt_add(cktrack *t, const ck_rec *r, char *err, size_t errn);
/* End of the sequence: clusters the last window; every id is then final. */
void ckt_finish(cktrack *t);
/* Detections at the front (in input order) whose ids are final: those of
 * frames that no later window can contain. */
size_t ckt_ready(const cktrack *t);
/* Removes the oldest final detection and returns its id (0 = none). */
int64_t ckt_pop(cktrack *t);
/* Detections held now (the window plus the frame being read). */
size_t ckt_held(const cktrack *t);
const ck_stats *ckt_stats(const cktrack *t);

#endif
