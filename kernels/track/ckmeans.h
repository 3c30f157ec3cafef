/* ckmeans.h: sliding-window constrained k-means tracking (method.md §4).
 *
 * Three layers, each usable alone:
 *   ck_cop_kmeans()  the COP-KMeans variant of §4.4 on one window;
 *   ck_kmeans()      plain k-means (k-means++, Lloyd, restarts), the
 *                    no-constraints ablation;
 *   cktrack          the sliding window over a stream: label-dependent
 *                    must-links and cannot-links from the ids of earlier
 *                    windows, the static cannot-links of cgraph-build, the
 *                    clustering, and the association of assoc.h. */
#ifndef USC_CKMEANS_H
#define USC_CKMEANS_H

#include <stddef.h>
#include <stdint.h>

#include "track/assoc.h"
#include "rng.h"

/* Scratch buffers reused from window to window. */
typedef struct ck_ws ck_ws;
ck_ws *ck_ws_new(void);
void ck_ws_free(ck_ws *ws);

/* sklearn's tolerance: tol times the mean over dimensions of the
 * (population) variance of the n x d points. */
double ck_tolerance(const float *Z, size_t n, size_t d, double tol);

enum {
	CK_ORDER_WINDOW,    /* points in window order (the reference) */
	CK_ORDER_NEAREST,   /* the closest (component, centre) pair first */
};

enum {
	CK_CENTRES_KEY,     /* the detections of the current or key frame (the paper) */
	CK_CENTRES_TRACKS,  /* the latest detection of every track in the window */
};

/* COP-KMeans, §4.4. Z: n x d points in window order (current frame first).
 * frame[i]: frame of point i (centres move to the most recent member).
 * grp[i]: must-link component of i, 0..ng-1 (the transitive closure: all
 * of a component always share a cluster). cl: ng x ng bytes, nonzero where
 * two components cannot link (symmetric; the diagonal is ignored, as the
 * reference ignores inconsistent pairs); NULL for none. init: the k points
 * whose vectors are the first centres, in the order ties are broken.
 * Each iteration visits the points in order and gives each (with its
 * component) the nearest centre that breaks no cannot-link, or opens a new
 * cluster on it when none is feasible; clusters left empty disappear; each
 * centre becomes its cluster's most recent member (the first in window
 * order of its latest frame). With order CK_ORDER_NEAREST, a pass places
 * the closest (component, feasible centre) pair first, then the closest
 * of the rest, instead of visiting the points in window order (see
 * ckmeans(1), --order). It stops when the summed squared centre
 * shift is <= tol (absolute: see ck_tolerance) or after max_iter
 * iterations. lab[i] gets the cluster of i, numbered 0..nc-1 in centre
 * order; returns nc. *iters (may be NULL) gets the iterations run. */
size_t ck_cop_kmeans(ck_ws *ws, const float *Z, size_t n, size_t d, const int64_t *frame,
		     const uint32_t *grp, size_t ng, const uint8_t *cl,
		     const uint32_t *init, size_t k, int max_iter, double tol, int order,
		     uint32_t *lab, int *iters);

/* Plain k-means as sklearn's KMeans(n_clusters=k): k-means++ seeding with
 * 2 + ln k local trials, Lloyd iterations until the squared centre shift is
 * <= tol (absolute) or max_iter, n_init restarts, the lowest inertia kept.
 * A cluster left empty takes the point farthest from its centre. Labels
 * are numbered by first appearance in point order; returns the number of
 * clusters (k, or fewer when the points have fewer distinct values). */
size_t ck_kmeans(ck_ws *ws, const float *Z, size_t n, size_t d, size_t k, int n_init,
		 int max_iter, double tol, rng *r, uint32_t *lab);

/* One detection of a window, for ck_constraints(). */
typedef struct ck_wdet {
	int64_t f, k, id;           /* frame, key, track id (0: none yet) */
	const int64_t *cl, *ml;     /* the stream's edges: keys of other detections */
	uint32_t ncl, nml;
	const float *box;           /* x, y, w, h, or NULL (only the motion gate reads it) */
	const float *vel;           /* box-centre velocity in pixels a frame, or NULL */
	int occluded;               /* box touches another of its frame (ck_mark_occluded) */
} ck_wdet;

/* The occlusion guard (not in the paper; on by default, off in ck_opts_paper): marks the
 * detections whose box overlaps another box of the same frame or lies
 * less than margin pixels from it (margin 0: overlap only; < 0: marks
 * nothing). Such an object may be partly hidden, so its visible mask, box
 * and z can jump from one frame to the next: ck_constraints drops the
 * temporal cannot-links of marked detections and ck_motion_links holds
 * them to the margin only, as both would read the jump as two objects; a
 * marked detection keeps the velocity its track had before.
 * The n detections are in window order (a frame's detections adjacent). */
void ck_mark_occluded(ck_wdet *w, size_t n, double margin);

/* The constraints of one window of n detections (§4.2, §4.3), in window
 * order. Must-links: detections with the same id, and the ml edges, closed
 * transitively: grp[i] gets the component of i (numbered by first
 * appearance); returns their number ng. Cannot-links, between components
 * (ng x ng bytes at *cl, in ws, valid until the next call): the cl edges
 * within a frame; the cl edges between frames when the later detection has
 * no id yet (always, with static_all) and neither is occluded; every pair
 * of different ids. Edges to keys outside the window are ignored. */
size_t ck_constraints(ck_ws *ws, const ck_wdet *w, size_t n, int static_all,
		      uint32_t *grp, const uint8_t **cl);

/* The motion gate's settings. */
typedef struct ck_gate {
	double iou;            /* forbid a box that overlaps the prediction by IoU <= this */
	double margin;         /* the occlusion guard's margin (ck_mark_occluded) */
	double exit;           /* the exit line's inset in pixels; < 0: no exit rule */
	double width, height;  /* the image, for the exit rule */
} ck_gate;

/* The motion gate (not in the paper; on by default, off in ck_opts_paper): for every track id,
 * its last box in the window moved on at the velocity of its last two box
 * centres in the window (else at that detection's vel, else not moved)
 * predicts where it is in a later frame; an unassigned detection of
 * a later frame whose box overlaps that prediction by IoU <= g->iou cannot
 * link with the track. Occluded detections (ck_mark_occluded), and
 * predictions from an occluded box, are held to less: only a box that
 * neither overlaps the prediction nor lies less than g->margin pixels
 * from it is forbidden; the velocity skips occluded boxes. The exit rule
 * (g->exit >= 0): a track whose last box centre lies inside the image
 * inset by g->exit pixels and whose predicted centre lies outside it has
 * left the scene, and no detection of that frame can join it. Adds those
 * pairs to cl (ng x ng, from ck_constraints); detections without a box
 * are left alone. Returns the number of pairs added. */
size_t ck_motion_links(const ck_wdet *w, size_t n, const uint32_t *grp, size_t ng, uint8_t *cl,
		       const ck_gate *g);

/* The frame whose detections are the first centres, given the number of
 * detections of each of nf frames in window order (current first): the
 * current frame if no frame has more, else the oldest frame with the most.
 * Returns its index. */
size_t ck_key_frame(const size_t *count, size_t nf);

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
	double motion_iou;    /* its IoU threshold (0.1; the paper's settings 0) */
	double occlusion;     /* the occlusion guard's margin in pixels (1); < 0: off (the paper's) */
	double exit;          /* the motion gate's exit line, pixels inside the image (8); < 0: off (the paper's) */
	int relink;           /* frames a track may be missed and re-linked across (relink.h); 0: off */
	double relink_iou;    /* least IoU of a new track's first box with the prediction (0.1) */
	assoc_opts assoc;     /* assoc.window follows window */
	uint64_t seed;        /* centre order shuffles, k-means++ */
} ck_opts;

/* The defaults: the paper's settings with the nearest-first order, the
 * motion gate (IoU 0.1) with the exit rule (8 pixels), every track's
 * centre and the occlusion guard (1 pixel). */
void ck_opts_default(ck_opts *o);
/* The paper's settings (the reference implementation's): window 3, window
 * order, key-frame centres, no motion gate, occlusion guard, exit rule or
 * re-linking, the first member voted. */
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
