/* copkmeans.h: the COP-KMeans variant the tracker runs on each window
 * (usc-mots-method(7), COP-KMEANS). No streaming, no track state. */
#ifndef USC_COPKMEANS_H
#define USC_COPKMEANS_H

#include <stddef.h>
#include <stdint.h>

#include "track/scratch.h"

enum {
	COPK_ORDER_WINDOW,    /* points in window order (the reference) */
	COPK_ORDER_NEAREST,   /* the closest (component, centre) pair first */
};

/* COP-KMeans. Z: n x d points in window order (current frame first).
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
 * order of its latest frame). With order COPK_ORDER_NEAREST, a pass places
 * the closest (component, feasible centre) pair first, then the closest
 * of the rest, instead of visiting the points in window order (see
 * ckmeans(1), --order). It stops when the summed squared centre
 * shift is <= tol (absolute: see km_tolerance) or after max_iter
 * iterations. lab[i] gets the cluster of i, numbered 0..nc-1 in centre
 * order; returns nc. *iters (may be NULL) gets the iterations run.
 * ws: a scratch of this function's own. */
size_t copk_cluster(scratch *ws, const float *Z, size_t n, size_t d, const int64_t *frame,
		    const uint32_t *grp, size_t ng, const uint8_t *cl,
		    const uint32_t *init, size_t k, int max_iter, double tol, int order,
		    uint32_t *lab, int *iters);

#endif
