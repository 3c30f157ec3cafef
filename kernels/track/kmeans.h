/* kmeans.h: plain k-means, the tracker's no-constraints ablation
 * (usc-mots-method(7), WINDOW TRACKER), and the distances and tolerance
 * COP-KMeans shares with it. No streaming, no track state. */
#ifndef USC_KMEANS_H
#define USC_KMEANS_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"
#include "track/scratch.h"

/* Squared Euclidean distance of two d-vectors (summed in double). */
double km_sqdist(const float *a, const float *b, size_t d);

/* sklearn's tolerance: tol times the mean over dimensions of the
 * (population) variance of the n x d points. */
double km_tolerance(const float *Z, size_t n, size_t d, double tol);

/* Plain k-means as sklearn's KMeans(n_clusters=k): k-means++ seeding with
 * 2 + ln k local trials, Lloyd iterations until the squared centre shift is
 * <= tol (absolute) or max_iter, n_init restarts, the lowest inertia kept.
 * A cluster left empty takes the point farthest from its centre. Labels
 * are numbered by first appearance in point order; returns the number of
 * clusters (k, or fewer when the points have fewer distinct values).
 * ws: a scratch of this function's own. */
size_t km_cluster(scratch *ws, const float *Z, size_t n, size_t d, size_t k, int n_init,
		  int max_iter, double tol, rng *r, uint32_t *lab);

#endif
