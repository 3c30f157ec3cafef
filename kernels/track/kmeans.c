/* kmeans.c: plain k-means as sklearn's KMeans (kmeans.h). */
#include "track/kmeans.h"

#include <math.h>
#include <string.h>

enum { B_C, B_CN, B_CLOSE, B_KLAB, B_KOLD, B_KCNT, B_KBEST, B_REMAP };

double km_sqdist(const float *a, const float *b, size_t d)
{
	double s = 0;
	for (size_t i = 0; i < d; i++) {
		double x = (double)a[i] - b[i];
		s += x * x;
	}
	return s;
}

double km_tolerance(const float *Z, size_t n, size_t d, double tol)
{
	if (n == 0 || d == 0)
		return 0;
	double var = 0;
	for (size_t j = 0; j < d; j++) {
		double m = 0, v = 0;
		for (size_t i = 0; i < n; i++)
			m += Z[i * d + j];
		m /= (double)n;
		for (size_t i = 0; i < n; i++) {
			double x = Z[i * d + j] - m;
			v += x * x;
		}
		var += v / (double)n;
	}
	return tol * var / (double)d;
}

static void kmeanspp(const float *Z, size_t n, size_t d, size_t k, rng *r, float *C, double *close)
{
	size_t trials = 2 + (size_t)log((double)k);
	size_t first = (size_t)rng_below(r, n);
	memcpy(C, Z + first * d, d * sizeof *C);
	double pot = 0;
	for (size_t i = 0; i < n; i++)
		pot += close[i] = km_sqdist(Z + i * d, C, d);
	for (size_t c = 1; c < k; c++) {
		size_t best = 0;
		double bestpot = INFINITY;
		for (size_t t = 0; t < trials; t++) {
			/* the first point whose running sum reaches u */
			double u = rng_uniform(r) * pot, acc = 0;
			size_t cand = n - 1;
			for (size_t i = 0; i < n; i++) {
				acc += close[i];
				if (acc >= u) {
					cand = i;
					break;
				}
			}
			double p = 0;
			for (size_t i = 0; i < n; i++) {
				double x = km_sqdist(Z + i * d, Z + cand * d, d);
				p += x < close[i] ? x : close[i];
			}
			if (p < bestpot)
				bestpot = p, best = cand;
		}
		memcpy(C + c * d, Z + best * d, d * sizeof *C);
		for (size_t i = 0; i < n; i++) {
			double x = km_sqdist(Z + i * d, Z + best * d, d);
			if (x < close[i])
				close[i] = x;
		}
		pot = bestpot;
	}
}

static double assign(const float *Z, size_t n, size_t d, const float *C, size_t k, uint32_t *lab)
{
	double inertia = 0;
	for (size_t i = 0; i < n; i++) {
		double bd = INFINITY;
		uint32_t b = 0;
		for (size_t c = 0; c < k; c++) {
			double x = km_sqdist(Z + i * d, C + c * d, d);
			if (x < bd)
				bd = x, b = (uint32_t)c;
		}
		lab[i] = b;
		inertia += bd;
	}
	return inertia;
}

size_t km_cluster(scratch *ws, const float *Z, size_t n, size_t d, size_t k, int n_init,
		  int max_iter, double tol, rng *r, uint32_t *lab)
{
	if (k > n)
		k = n;
	if (k == 0)
		return 0;
	float *C = scratch_buf(ws, B_C, k * d, sizeof *C);
	float *Cn = scratch_buf(ws, B_CN, k * d, sizeof *Cn);
	double *close = scratch_buf(ws, B_CLOSE, n, sizeof *close);
	uint32_t *l = scratch_buf(ws, B_KLAB, n, sizeof *l);
	uint32_t *lold = scratch_buf(ws, B_KOLD, n, sizeof *lold);
	uint32_t *cnt = scratch_buf(ws, B_KCNT, k, sizeof *cnt);
	uint32_t *best = scratch_buf(ws, B_KBEST, n, sizeof *best);
	double bestin = INFINITY;
	for (int run = 0; run < (n_init > 0 ? n_init : 1); run++) {
		kmeanspp(Z, n, d, k, r, C, close);
		for (int it = 0; it < max_iter; it++) {
			assign(Z, n, d, C, k, l);
			memset(Cn, 0, k * d * sizeof *Cn);
			memset(cnt, 0, k * sizeof *cnt);
			for (size_t i = 0; i < n; i++) {
				cnt[l[i]]++;
				for (size_t j = 0; j < d; j++)
					Cn[l[i] * d + j] += Z[i * d + j];
			}
			/* An empty cluster takes the point farthest from its centre
			 * (from a cluster that keeps at least one). */
			for (size_t c = 0; c < k; c++) {
				if (cnt[c])
					continue;
				double fd = -1;
				size_t far = 0;
				for (size_t i = 0; i < n; i++) {
					double x = km_sqdist(Z + i * d, C + l[i] * d, d);
					if (cnt[l[i]] > 1 && x > fd)
						fd = x, far = i;
				}
				if (fd < 0)
					break;
				for (size_t j = 0; j < d; j++) {
					Cn[l[far] * d + j] -= Z[far * d + j];
					Cn[c * d + j] = Z[far * d + j];
				}
				cnt[l[far]]--;
				l[far] = (uint32_t)c;
				cnt[c] = 1;
			}
			for (size_t c = 0; c < k; c++)
				for (size_t j = 0; j < d; j++)
					Cn[c * d + j] = cnt[c] ? Cn[c * d + j] / (float)cnt[c] : C[c * d + j];
			double shift = 0;
			for (size_t j = 0; j < k * d; j++) {
				double x = (double)Cn[j] - C[j];
				shift += x * x;
			}
			memcpy(C, Cn, k * d * sizeof *C);
			if (it > 0 && !memcmp(l, lold, n * sizeof *l))
				break;   /* labels stable: converged exactly */
			memcpy(lold, l, n * sizeof *l);
			if (shift <= tol)
				break;
		}
		double in = assign(Z, n, d, C, k, l);
		/* the first run always counts: a NaN inertia never compares less */
		if (run == 0 || in < bestin) {
			bestin = in;
			memcpy(best, l, n * sizeof *best);
		}
	}
	/* number clusters by first appearance */
	int32_t *remap = scratch_buf(ws, B_REMAP, k, sizeof *remap);
	for (size_t c = 0; c < k; c++)
		remap[c] = -1;
	size_t nc = 0;
	for (size_t i = 0; i < n; i++) {
		if (remap[best[i]] < 0)
			remap[best[i]] = (int32_t)nc++;
		lab[i] = (uint32_t)remap[best[i]];
	}
	return nc;
}
