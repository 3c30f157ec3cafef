/* cgraph.h: the static constraint graph of a detection stream
 * (usc-mots-method(7), CONSTRAINT GRAPH).
 *
 * Two detections cannot be the same object when they are in the same
 * frame, or when they are at most alpha_t frames apart and either their
 * masks do not overlap (IoU <= iou_thr) or their latent vectors are far
 * apart (||z_a - z_b|| >= embed_thr). Each detection gets, as cannot-links,
 * the keys of the earlier detections it conflicts with. The graph streams:
 * it keeps only the detections of the last alpha_t frames, so memory is
 * bounded by that window, not by the video. */
#ifndef USC_CGRAPH_H
#define USC_CGRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "rle.h"

/* The temporal criteria, as bits: with several, a cannot-link needs every
 * one of them (e.g. CG_EMBED | CG_BOX_IOU: far apart in latent space and
 * boxes that do not overlap). */
enum {
	CG_MASK_IOU = 1,   /* mask IoU of the full-image RLEs (box IoU when one has none) */
	CG_BOX_IOU = 2,    /* IoU of the x, y, w, h boxes */
	CG_EMBED = 4,      /* Euclidean distance of the latent vectors */
};

typedef struct cg_opts {
	int alpha_t;        /* temporal range in frames (KITTI 1, MOTSChallenge 2) */
	double iou_thr;     /* cannot-link when IoU <= this (0: no overlap) */
	double embed_thr;   /* cannot-link when ||dz|| >= this (MNIST 2.5, Sprites 1.0) */
	unsigned metric;    /* CG_MASK_IOU, CG_BOX_IOU, CG_EMBED, or several or-ed */
	double ml_iou;      /* must-link when mask IoU > this (cg_must_links); >= 1: none */
} cg_opts;

/* The defaults: alpha_t 1, iou_thr 0, embed_thr 2.5, embed and mask IoU
 * (a cannot-link needs both: far apart in latent space and no mask
 * overlap), must-links above mask IoU 0.5. */
void cg_opts_default(cg_opts *o);
/* The paper's KITTI settings: alpha_t 1, iou_thr 0, embed_thr 2.5, mask
 * IoU alone, no must-links. */
void cg_opts_paper(cg_opts *o);

/* One detection as the graph sees it. The caller's buffers are borrowed:
 * cg_add() copies what it keeps. */
typedef struct cg_node {
	int64_t f, k;        /* frame and key */
	float box[4];        /* x, y, w, h in pixels */
	const rle_t *rle;    /* full-image mask, or NULL */
	rle_box bb;          /* rle_bbox(rle), when rle is set */
	const float *z;      /* latent vector, or NULL */
	uint32_t zdim;
} cg_node;

/* The temporal criterion alone, for two detections of different frames:
 * 1 = cannot-link, 0 = none, -1 = the metric cannot be computed (no z, z
 * lengths or mask sizes differ), with a message in err. */
int cg_temporal_cl(const cg_opts *o, const cg_node *a, const cg_node *b, char *err, size_t errn);

/* Growable list of keys. */
typedef struct cg_keys {
	int64_t *k;
	size_t n, cap;
} cg_keys;

typedef struct cgraph cgraph;

cgraph *cg_new(const cg_opts *o);
void cg_free(cgraph *g);
/* Forgets every detection (a new sequence starts). */
void cg_reset(cgraph *g);
/* Adds the next detection (frames must not decrease) and sets out to the
 * keys of the earlier detections it cannot link with, oldest first: every
 * earlier one of its frame, then those within alpha_t frames that meet the
 * criterion. Returns 0, or -1 with a message in err (frame going back, a
 * metric that cannot be computed). */
int cg_add(cgraph *g, const cg_node *d, cg_keys *out, char *err, size_t errn);
/* Must-links (not in the paper, off by default): after cg_add(g, d),
 * sets out to the keys of the detections of earlier frames, within
 * alpha_t frames, whose mask IoU with d (box IoU when either has no mask)
 * is above ml_iou, oldest first. Above 0.5 a mask has at most one such
 * partner in a frame whose masks do not overlap (their intersections with
 * it would cover more than all of it), so the links are unambiguous.
 * Returns 0, or -1 with a message in err (mask sizes that differ). */
int cg_must_links(const cgraph *g, const cg_node *d, cg_keys *out, char *err, size_t errn);
/* Detections held now (for tests of the memory bound). */
size_t cg_held(const cgraph *g);

#endif
