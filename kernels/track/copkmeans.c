/* copkmeans.c: COP-KMeans on one window (copkmeans.h). */
#include "track/copkmeans.h"
#include "track/kmeans.h"

#include <string.h>

enum { B_CEN, B_HEAD, B_REMAP, B_BAD, B_COG, B_DIST, B_REP, B_BEST };

/* Centre c is feasible for component g unless a cannot-link partner of g
 * already sits in c: bad[c] = 1 for those. */
static void infeasible(const uint8_t *cl, size_t ng, uint32_t g, const int32_t *cog,
		       uint8_t *bad, size_t nc)
{
	memset(bad, 0, nc);
	if (cl)
		for (size_t h = 0; h < ng; h++)
			if (h != g && cog[h] >= 0 && cl[(size_t)g * ng + h])
				bad[cog[h]] = 1;
}

/* One assignment pass in window order (the reference): each component, at
 * its first point, takes its nearest feasible centre or opens a cluster. */
static size_t pass_window(const float *Z, size_t n, size_t d, const uint32_t *grp, size_t ng,
			  const uint8_t *cl, uint32_t *cen, size_t nc, int32_t *cog,
			  uint8_t *bad, double *dist)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t g = grp[i];
		if (cog[g] >= 0)
			continue;   /* placed with its must-link component */
		infeasible(cl, ng, g, cog, bad, nc);
		int32_t best = -1;
		for (size_t c = 0; c < nc; c++) {
			if (bad[c])
				continue;
			dist[c] = km_sqdist(Z + i * d, Z + (size_t)cen[c] * d, d);
			if (best < 0 || dist[c] < dist[best])
				best = (int32_t)c;
		}
		if (best < 0) {   /* no feasible centre: open a cluster on i */
			best = (int32_t)nc;
			cen[nc++] = (uint32_t)i;
		}
		cog[g] = best;
	}
	return nc;
}

/* The first feasible centre of component g nearest to it (ties to the
 * earlier centre), or -1 when none is feasible. */
static int32_t nearest_feasible(const uint8_t *cl, size_t ng, uint32_t g, const int32_t *cog,
				uint8_t *bad, size_t nc, const double *Dg)
{
	infeasible(cl, ng, g, cog, bad, nc);
	int32_t c1 = -1;
	for (size_t c = 0; c < nc; c++)
		if (!bad[c] && (c1 < 0 || Dg[c] < Dg[c1]))
			c1 = (int32_t)c;
	return c1;
}

/* One assignment pass, nearest pair first: of all (component, feasible
 * centre) pairs, the closest is placed, then the next closest of what is
 * left, so a component's choice does not depend on where it sits in the
 * window. A component left with no feasible centre opens a cluster at
 * once. Ties go to the earlier component, then the earlier centre.
 * Each component's nearest feasible centre (best) is kept from step to
 * step: placing component p in centre c can only make c infeasible for
 * p's cannot-link partners, and opening a cluster on p adds one centre,
 * feasible for those that are not; so a step costs O(ng), not O(ng^2). */
static size_t pass_nearest(const float *Z, size_t n, size_t d, const uint32_t *grp, size_t ng,
			   const uint8_t *cl, uint32_t *cen, size_t nc, int32_t *cog,
			   uint8_t *bad, double *D, uint32_t *rep, int32_t *best, size_t cap)
{
	/* rep[g]: the component's first point in window order; D: ng x cap */
	for (size_t g = 0; g < ng; g++)
		rep[g] = UINT32_MAX;
	for (size_t i = 0; i < n; i++)
		if (rep[grp[i]] == UINT32_MAX)
			rep[grp[i]] = (uint32_t)i;
	for (size_t g = 0; g < ng; g++)
		for (size_t c = 0; c < nc; c++)
			D[g * cap + c] = km_sqdist(Z + (size_t)rep[g] * d, Z + (size_t)cen[c] * d, d);
	for (size_t g = 0; g < ng; g++)
		best[g] = nearest_feasible(cl, ng, (uint32_t)g, cog, bad, nc, D + g * cap);
	for (size_t left = ng; left > 0; left--) {
		int32_t bg = -1;
		for (size_t g = 0; g < ng && !(bg >= 0 && best[bg] < 0); g++) {
			if (cog[g] >= 0)
				continue;
			if (best[g] < 0 || bg < 0 || D[g * cap + best[g]] < D[bg * cap + best[bg]])
				bg = (int32_t)g;
		}
		int32_t bc = best[bg];
		int opened = bc < 0;
		if (opened) {   /* nothing feasible: a cluster of its own */
			bc = (int32_t)nc;
			cen[nc++] = rep[bg];
			for (size_t g = 0; g < ng; g++)
				D[g * cap + bc] = km_sqdist(Z + (size_t)rep[g] * d, Z + (size_t)rep[bg] * d, d);
		}
		cog[bg] = bc;
		for (size_t g = 0; g < ng; g++) {
			if (cog[g] >= 0)
				continue;
			int partner = cl && cl[g * ng + (size_t)bg];
			if (partner && best[g] == bc)
				best[g] = nearest_feasible(cl, ng, (uint32_t)g, cog, bad, nc, D + g * cap);
			else if (opened && !partner &&
				 (best[g] < 0 || D[g * cap + bc] < D[g * cap + best[g]]))
				best[g] = bc;
		}
	}
	return nc;
}

size_t copk_cluster(scratch *ws, const float *Z, size_t n, size_t d, const int64_t *frame,
		    const uint32_t *grp, size_t ng, const uint8_t *cl,
		    const uint32_t *init, size_t k, int max_iter, double tol, int order,
		    uint32_t *lab, int *iters)
{
	/* Centres are always points (the initial ones, those that open a
	 * cluster, the most recent members), so they are kept as indices. At
	 * most one cluster opens per point in an iteration: k + n bound them. */
	size_t cap = k + n;
	uint32_t *cen = scratch_buf(ws, B_CEN, cap, sizeof *cen);
	uint32_t *head = scratch_buf(ws, B_HEAD, cap, sizeof *head);
	int32_t *remap = scratch_buf(ws, B_REMAP, cap, sizeof *remap);
	uint8_t *bad = scratch_buf(ws, B_BAD, cap, 1);
	int32_t *cog = scratch_buf(ws, B_COG, ng, sizeof *cog);
	double *dist = scratch_buf(ws, B_DIST, order == COPK_ORDER_NEAREST ? ng * cap : cap, sizeof *dist);
	uint32_t *rep = order == COPK_ORDER_NEAREST ? scratch_buf(ws, B_REP, ng, sizeof *rep) : NULL;
	int32_t *best = order == COPK_ORDER_NEAREST ? scratch_buf(ws, B_BEST, ng, sizeof *best) : NULL;
	size_t nc = k;
	memcpy(cen, init, k * sizeof *cen);
	int it = 0;
	while (it < max_iter) {
		it++;
		for (size_t g = 0; g < ng; g++)
			cog[g] = -1;
		if (order == COPK_ORDER_NEAREST)
			nc = pass_nearest(Z, n, d, grp, ng, cl, cen, nc, cog, bad, dist, rep, best, cap);
		else
			nc = pass_window(Z, n, d, grp, ng, cl, cen, nc, cog, bad, dist);
		for (size_t c = 0; c < nc; c++)
			remap[c] = -1;
		for (size_t i = 0; i < n; i++) {
			lab[i] = (uint32_t)cog[grp[i]];
			remap[lab[i]] = 0;
		}
		/* Empty clusters disappear; the rest keep their order. */
		size_t nn = 0;
		for (size_t c = 0; c < nc; c++)
			if (remap[c] == 0)
				remap[c] = (int32_t)nn++;
		for (size_t c = 0; c < nn; c++)
			head[c] = UINT32_MAX;
		for (size_t i = 0; i < n; i++) {
			uint32_t c = (uint32_t)remap[lab[i]];
			if (head[c] == UINT32_MAX || frame[i] > frame[head[c]])
				head[c] = (uint32_t)i;
		}
		double shift = 0;
		for (size_t c = 0; c < nc; c++)
			if (remap[c] >= 0)
				shift += km_sqdist(Z + (size_t)cen[c] * d, Z + (size_t)head[remap[c]] * d, d);
		for (size_t i = 0; i < n; i++)
			lab[i] = (uint32_t)remap[lab[i]];
		memcpy(cen, head, nn * sizeof *cen);
		nc = nn;
		if (shift <= tol)
			break;
	}
	if (iters)
		*iters = it;
	return nc;
}
