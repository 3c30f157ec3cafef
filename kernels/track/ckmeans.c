#include "track/ckmeans.h"
#include "track/cgraph.h"
#include "err.h"
#include "track/relink.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- scratch ---- */

enum {
	B_CEN, B_HEAD, B_REMAP, B_BAD, B_COG, B_DIST, B_USED,          /* COP-KMeans */
	B_C, B_CN, B_CBEST, B_CLOSE, B_KLAB, B_KOLD, B_KCNT, B_KBEST,   /* k-means */
	B_WPOS, B_Z, B_FR, B_WDET, B_CNT, B_FIRST, B_INIT, B_PAR, B_GRP, B_CL, /* window */
	B_KEYS, B_LAB, B_MEM, B_MOFF, B_MID, B_MSC, B_ROOT, B_REP,
	B_N
};

struct ck_ws {
	void *p[B_N];
	size_t cap[B_N];
};

ck_ws *ck_ws_new(void)
{
	return xcalloc(1, sizeof(ck_ws));
}

void ck_ws_free(ck_ws *ws)
{
	if (!ws)
		return;
	for (int i = 0; i < B_N; i++)
		free(ws->p[i]);
	free(ws);
}

/* Buffer b with room for n elements of size sz (contents not kept). */
static void *buf(ck_ws *ws, int b, size_t n, size_t sz)
{
	size_t bytes = (n ? n : 1) * sz;
	if (ws->cap[b] < bytes) {
		free(ws->p[b]);
		ws->cap[b] = bytes + bytes / 2;
		ws->p[b] = xmalloc(ws->cap[b]);
	}
	return ws->p[b];
}

static double sqdist(const float *a, const float *b, size_t d)
{
	double s = 0;
	for (size_t i = 0; i < d; i++) {
		double x = (double)a[i] - b[i];
		s += x * x;
	}
	return s;
}

double ck_tolerance(const float *Z, size_t n, size_t d, double tol)
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

/* ---- COP-KMeans (§4.4) ---- */

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
			dist[c] = sqdist(Z + i * d, Z + (size_t)cen[c] * d, d);
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

/* One assignment pass, nearest pair first: of all (component, feasible
 * centre) pairs, the closest is placed, then the next closest of what is
 * left, so a component's choice does not depend on where it sits in the
 * window. A component left with no feasible centre opens a cluster at
 * once. Ties go to the earlier component, then the earlier centre. */
static size_t pass_nearest(const float *Z, size_t n, size_t d, const uint32_t *grp, size_t ng,
			   const uint8_t *cl, uint32_t *cen, size_t nc, int32_t *cog,
			   uint8_t *bad, double *D, uint32_t *rep, size_t cap)
{
	/* rep[g]: the component's first point in window order; D: ng x cap */
	for (size_t g = 0; g < ng; g++)
		rep[g] = UINT32_MAX;
	for (size_t i = 0; i < n; i++)
		if (rep[grp[i]] == UINT32_MAX)
			rep[grp[i]] = (uint32_t)i;
	for (size_t g = 0; g < ng; g++)
		for (size_t c = 0; c < nc; c++)
			D[g * cap + c] = sqdist(Z + (size_t)rep[g] * d, Z + (size_t)cen[c] * d, d);
	for (size_t left = ng; left > 0; left--) {
		int32_t bg = -1, bc = -1;
		for (size_t g = 0; g < ng; g++) {
			if (cog[g] >= 0)
				continue;
			infeasible(cl, ng, (uint32_t)g, cog, bad, nc);
			int32_t c1 = -1;
			for (size_t c = 0; c < nc; c++)
				if (!bad[c] && (c1 < 0 || D[g * cap + c] < D[g * cap + c1]))
					c1 = (int32_t)c;
			if (c1 < 0) {   /* nothing feasible: a cluster of its own */
				bg = (int32_t)g, bc = -1;
				break;
			}
			if (bg < 0 || D[g * cap + c1] < D[bg * cap + bc])
				bg = (int32_t)g, bc = c1;
		}
		if (bc < 0) {
			bc = (int32_t)nc;
			cen[nc++] = rep[bg];
			for (size_t g = 0; g < ng; g++)
				D[g * cap + bc] = sqdist(Z + (size_t)rep[g] * d, Z + (size_t)rep[bg] * d, d);
		}
		cog[bg] = bc;
	}
	return nc;
}

size_t ck_cop_kmeans(ck_ws *ws, const float *Z, size_t n, size_t d, const int64_t *frame,
		     const uint32_t *grp, size_t ng, const uint8_t *cl,
		     const uint32_t *init, size_t k, int max_iter, double tol, int order,
		     uint32_t *lab, int *iters)
{
	/* Centres are always points (the initial ones, those that open a
	 * cluster, the most recent members), so they are kept as indices. At
	 * most one cluster opens per point in an iteration: k + n bound them. */
	size_t cap = k + n;
	uint32_t *cen = buf(ws, B_CEN, cap, sizeof *cen);
	uint32_t *head = buf(ws, B_HEAD, cap, sizeof *head);
	int32_t *remap = buf(ws, B_REMAP, cap, sizeof *remap);
	uint8_t *bad = buf(ws, B_BAD, cap, 1);
	int32_t *cog = buf(ws, B_COG, ng, sizeof *cog);
	double *dist = buf(ws, B_DIST, order == CK_ORDER_NEAREST ? ng * cap : cap, sizeof *dist);
	uint32_t *rep = order == CK_ORDER_NEAREST ? buf(ws, B_REP, ng, sizeof *rep) : NULL;
	size_t nc = k;
	memcpy(cen, init, k * sizeof *cen);
	int it = 0;
	while (it < max_iter) {
		it++;
		for (size_t g = 0; g < ng; g++)
			cog[g] = -1;
		if (order == CK_ORDER_NEAREST)
			nc = pass_nearest(Z, n, d, grp, ng, cl, cen, nc, cog, bad, dist, rep, cap);
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
				shift += sqdist(Z + (size_t)cen[c] * d, Z + (size_t)head[remap[c]] * d, d);
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

/* ---- plain k-means ---- */

static void kmeanspp(const float *Z, size_t n, size_t d, size_t k, rng *r, float *C, double *close)
{
	size_t trials = 2 + (size_t)log((double)k);
	size_t first = (size_t)rng_below(r, n);
	memcpy(C, Z + first * d, d * sizeof *C);
	double pot = 0;
	for (size_t i = 0; i < n; i++)
		pot += close[i] = sqdist(Z + i * d, C, d);
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
				double x = sqdist(Z + i * d, Z + cand * d, d);
				p += x < close[i] ? x : close[i];
			}
			if (p < bestpot)
				bestpot = p, best = cand;
		}
		memcpy(C + c * d, Z + best * d, d * sizeof *C);
		for (size_t i = 0; i < n; i++) {
			double x = sqdist(Z + i * d, Z + best * d, d);
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
			double x = sqdist(Z + i * d, C + c * d, d);
			if (x < bd)
				bd = x, b = (uint32_t)c;
		}
		lab[i] = b;
		inertia += bd;
	}
	return inertia;
}

size_t ck_kmeans(ck_ws *ws, const float *Z, size_t n, size_t d, size_t k, int n_init,
		 int max_iter, double tol, rng *r, uint32_t *lab)
{
	if (k > n)
		k = n;
	if (k == 0)
		return 0;
	float *C = buf(ws, B_C, k * d, sizeof *C);
	float *Cn = buf(ws, B_CN, k * d, sizeof *Cn);
	double *close = buf(ws, B_CLOSE, n, sizeof *close);
	uint32_t *l = buf(ws, B_KLAB, n, sizeof *l);
	uint32_t *lold = buf(ws, B_KOLD, n, sizeof *lold);
	uint32_t *cnt = buf(ws, B_KCNT, k, sizeof *cnt);
	uint32_t *best = buf(ws, B_KBEST, n, sizeof *best);
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
					double x = sqdist(Z + i * d, C + l[i] * d, d);
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
	int32_t *remap = buf(ws, B_REMAP, k, sizeof *remap);
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

/* ---- the sliding window ---- */

void ck_opts_default(ck_opts *o)
{
	ck_opts_paper(o);
	o->order = CK_ORDER_NEAREST;
	o->centres = CK_CENTRES_TRACKS;
	o->motion = 1;
	o->motion_iou = 0.1;
	o->occlusion = 1;
	o->exit = 8;
}

void ck_opts_paper(ck_opts *o)
{
	o->window = 3;
	o->max_iter = 50;
	o->tol = 1e-4;
	o->constraints = 1;
	o->n_init = 10;
	o->kmeans_iter = 300;
	o->static_cl_all = 0;
	o->order = CK_ORDER_WINDOW;
	o->centres = CK_CENTRES_KEY;
	o->motion = 0;
	o->motion_iou = 0;
	o->occlusion = -1;
	o->exit = -1;
	o->relink = 0;
	o->relink_iou = 0.1;
	assoc_opts_default(&o->assoc);
	o->seed = 1;
}

typedef struct rec {
	int64_t f, k, id;
	float score, box[4], vel[2];
	int has_score, has_box, has_vel;
	int occl;               /* the occlusion guard's mark; -1: not yet known */
	float *z;
	int64_t *cl, *ml;
	uint32_t ncl, nml;
	size_t zcap, clcap, mlcap;
} rec;

struct cktrack {
	ck_opts o;
	rng r;
	ck_ws *ws;
	relinker *rl;           /* lost tracks, with relink on */
	rec *q;                 /* ring of held detections, input order */
	size_t head, len, cap;
	size_t ready;           /* final ones at the front */
	int started;
	int64_t fr_start, last_f, next_id;
	uint32_t zdim;
	double width, height;   /* the image (ckt_set_image) */
	ck_stats st;
};

cktrack *ckt_new(const ck_opts *o)
{
	cktrack *t = xcalloc(1, sizeof *t);
	t->o = *o;
	t->o.assoc.window = o->window;
	rng_seed(&t->r, o->seed);
	t->ws = ck_ws_new();
	t->rl = rl_new();
	t->cap = 64;
	t->q = xcalloc(t->cap, sizeof *t->q);
	t->next_id = 1;
	return t;
}

void ckt_free(cktrack *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++) {
		free(t->q[i].z);
		free(t->q[i].cl);
		free(t->q[i].ml);
	}
	free(t->q);
	ck_ws_free(t->ws);
	rl_free(t->rl);
	free(t);
}

void ckt_reset(cktrack *t)
{
	t->head = t->len = t->ready = 0;
	t->started = 0;
	t->next_id = 1;
	rl_reset(t->rl);
}

void ckt_set_image(cktrack *t, double width, double height)
{
	t->width = width, t->height = height;
}

size_t ckt_ready(const cktrack *t)
{
	return t->ready;
}

size_t ckt_held(const cktrack *t)
{
	return t->len;
}

const ck_stats *ckt_stats(const cktrack *t)
{
	return &t->st;
}

static rec *qat(const cktrack *t, size_t i)
{
	return &t->q[(t->head + i) % t->cap];
}

int64_t ckt_pop(cktrack *t)
{
	if (!t->ready)
		return 0;
	int64_t id = qat(t, 0)->id;
	t->head = (t->head + 1) % t->cap;
	t->len--, t->ready--;
	return id;
}

static void *copy_into(void *dst, size_t *cap, const void *src, size_t n, size_t sz)
{
	if (*cap < n) {
		*cap = n + n / 2 + 4;
		free(dst);
		dst = xmalloc(*cap * sz);
	}
	if (n)
		memcpy(dst, src, n * sz);
	return dst;
}

static uint32_t uf_find(uint32_t *p, uint32_t i)
{
	while (p[i] != i)
		i = p[i] = p[p[i]];
	return i;
}

static void uf_union(uint32_t *p, uint32_t a, uint32_t b)
{
	a = uf_find(p, a), b = uf_find(p, b);
	if (a != b)
		p[a > b ? a : b] = a < b ? a : b;   /* the earlier point is the root */
}

typedef struct { int64_t k; uint32_t w; } keypos;

static int cmp_key(const void *a, const void *b)
{
	int64_t x = ((const keypos *)a)->k, y = ((const keypos *)b)->k;
	return (x > y) - (x < y);
}

static int32_t lookup(const keypos *kp, size_t n, int64_t k)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (kp[mid].k < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && kp[lo].k == k ? (int32_t)kp[lo].w : -1;
}

size_t ck_key_frame(const size_t *count, size_t nf)
{
	size_t best = 0;
	for (size_t i = 1; i < nf; i++)
		if (count[i] > count[best] || (count[i] == count[best] && best != 0))
			best = i;
	return best;
}

size_t ck_constraints(ck_ws *ws, const ck_wdet *w, size_t n, int static_all,
		      uint32_t *grp, const uint8_t **clout)
{
	uint32_t *par = buf(ws, B_PAR, n, sizeof *par);
	keypos *kp = buf(ws, B_KEYS, n, sizeof *kp);
	for (size_t i = 0; i < n; i++) {
		par[i] = (uint32_t)i;
		kp[i].k = w[i].k, kp[i].w = (uint32_t)i;
	}
	qsort(kp, n, sizeof *kp, cmp_key);
	/* must-links: one component per track id, plus the stream's */
	for (size_t i = 0; i < n; i++) {
		if (w[i].id > 0)
			for (size_t j = 0; j < i; j++)
				if (w[j].id == w[i].id) {
					uf_union(par, (uint32_t)j, (uint32_t)i);
					break;
				}
		for (uint32_t e = 0; e < w[i].nml; e++) {
			int32_t j = lookup(kp, n, w[i].ml[e]);
			if (j >= 0)
				uf_union(par, (uint32_t)j, (uint32_t)i);
		}
	}
	uint32_t *root = buf(ws, B_ROOT, n, sizeof *root);
	size_t ng = 0;
	for (size_t i = 0; i < n; i++)
		root[i] = UINT32_MAX;
	for (size_t i = 0; i < n; i++) {
		uint32_t r = uf_find(par, (uint32_t)i);
		if (root[r] == UINT32_MAX)
			root[r] = (uint32_t)ng++;
		grp[i] = root[r];
	}
	/* cannot-links between components: the closure of §4.2 */
	uint8_t *cl = buf(ws, B_CL, ng * ng, 1);
	memset(cl, 0, ng * ng);
	for (size_t i = 0; i < n; i++) {
		for (uint32_t e = 0; e < w[i].ncl; e++) {
			int32_t j = lookup(kp, n, w[i].cl[e]);
			if (j < 0)
				continue;   /* out of the window */
			size_t later = w[j].f > w[i].f ? (size_t)j : i;
			if (w[j].f != w[i].f && w[later].id != 0 && !static_all)
				continue;   /* temporal links bind unlabelled detections */
			if (w[j].f != w[i].f && (w[i].occluded || w[j].occluded))
				continue;   /* the occlusion guard */
			cl[grp[i] * ng + grp[j]] = cl[grp[j] * ng + grp[i]] = 1;
		}
		if (w[i].id > 0)
			for (size_t j = 0; j < i; j++)
				if (w[j].id > 0 && w[j].id != w[i].id)
					cl[grp[i] * ng + grp[j]] = cl[grp[j] * ng + grp[i]] = 1;
	}
	*clout = cl;
	return ng;
}

/* Whether boxes a and b overlap or lie less than m pixels apart. */
static int boxes_near(const float *a, const float *b, double m)
{
	return a[0] - m < (double)b[0] + b[2] && b[0] - m < (double)a[0] + a[2] &&
	       a[1] - m < (double)b[1] + b[3] && b[1] - m < (double)a[1] + a[3];
}

void ck_mark_occluded(ck_wdet *w, size_t n, double margin)
{
	for (size_t i = 0; i < n; i++)
		w[i].occluded = 0;
	if (margin < 0)
		return;
	for (size_t b = 0, e; b < n; b = e) {
		for (e = b + 1; e < n && w[e].f == w[b].f; e++)
			;
		for (size_t i = b; i < e; i++)
			for (size_t j = i + 1; j < e; j++)
				if (w[i].box && w[j].box && boxes_near(w[i].box, w[j].box, margin))
					w[i].occluded = w[j].occluded = 1;
	}
}

/* Whether the centre of box b lies inside the image inset by g->exit. */
static int inside_exit(const ck_gate *g, const float *b)
{
	double cx = b[0] + b[2] / 2.0, cy = b[1] + b[3] / 2.0, e = g->exit;
	return cx >= e && cx <= g->width - e && cy >= e && cy <= g->height - e;
}

size_t ck_motion_links(const ck_wdet *w, size_t n, const uint32_t *grp, size_t ng, uint8_t *cl,
		       const ck_gate *g)
{
	size_t added = 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i].id <= 0 || !w[i].box)
			continue;
		/* i: the track's first detection in window order, i.e. of its
		 * latest frame */
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = w[j].id == w[i].id;
		if (seen)
			continue;
		/* last: its latest box not marked occluded (else i's own);
		 * prev: the latest unmarked one of an earlier frame */
		size_t l = i;
		for (size_t j = i; j < n && w[l].occluded; j++)
			if (w[j].id == w[i].id && w[j].box && !w[j].occluded)
				l = j;
		const float *last = w[l].box, *prev = NULL;
		int64_t fl = w[l].f, fp = 0;
		for (size_t j = l + 1; j < n; j++)
			if (w[j].id == w[i].id && w[j].box && !w[j].occluded && w[j].f < fl &&
			    (!prev || w[j].f > fp))
				prev = w[j].box, fp = w[j].f;
		double vx = 0, vy = 0;
		if (!prev && w[l].vel)
			vx = w[l].vel[0], vy = w[l].vel[1];
		if (prev) {
			double dt = (double)(fl - fp);
			vx = ((last[0] + last[2] / 2) - (prev[0] + prev[2] / 2)) / dt;
			vy = ((last[1] + last[3] / 2) - (prev[1] + prev[3] / 2)) / dt;
		}
		int exits = g->exit >= 0 && g->width > 0 && g->height > 0 && inside_exit(g, last);
		for (size_t j = 0; j < n; j++) {
			if (w[j].id != 0 || !w[j].box || w[j].f <= w[i].f)
				continue;
			double dt = (double)(w[j].f - fl);
			float pred[4] = {(float)(last[0] + vx * dt), (float)(last[1] + vy * dt), last[2], last[3]};
			/* an occluded box, or a prediction from one, only has to
			 * come as near as the guard's margin: a partly hidden
			 * object's box shrinks and shifts */
			int off = w[j].occluded || w[l].occluded ? !boxes_near(pred, w[j].box, g->margin)
								 : cg_box_iou(pred, w[j].box) <= g->iou;
			if (exits && !inside_exit(g, pred))
				off = 1;   /* it has left the scene */
			uint8_t *e = &cl[(size_t)grp[i] * ng + grp[j]];
			if (off && !*e) {
				*e = cl[(size_t)grp[j] * ng + grp[i]] = 1;
				added++;
			}
		}
	}
	return added;
}

/* Whether another detection of r's frame (from queue position s on)
 * already has id. With the same-frame cannot-links this never happens;
 * plain k-means can put two detections of one frame in one cluster, and
 * an id is kept unique within a frame by leaving the later one without. */
static int id_in_frame(const cktrack *t, size_t s, const rec *r, int64_t id)
{
	for (size_t i = s; i < t->len; i++) {
		const rec *q = qat(t, i);
		if (q != r && q->f == r->f && q->id == id)
			return 1;
	}
	return 0;
}

/* Each labelled detection from queue position s on gets the velocity of
 * its box centre since the latest earlier detection of its track still
 * held, so a track keeps a velocity after that one leaves the window. */
static void track_velocities(cktrack *t, size_t s)
{
	for (size_t i = s; i < t->len; i++) {
		rec *r = qat(t, i);
		if (r->id <= 0 || !r->has_box)
			continue;
		if (r->occl == 1) {
			/* a partly hidden box moves as the track did before */
			for (size_t j = i; j-- > 0;) {
				const rec *q = qat(t, j);
				if (q->id == r->id && q->has_vel && q->f < r->f) {
					memcpy(r->vel, q->vel, sizeof r->vel);
					r->has_vel = 1;
					break;
				}
			}
			continue;
		}
		const rec *p = NULL;
		for (size_t j = i; j-- > 0;) {
			const rec *q = qat(t, j);
			if (q->id == r->id && q->has_box && q->occl != 1 && q->f < r->f) {
				p = q;
				break;
			}
		}
		if (!p)
			continue;
		float dt = (float)(r->f - p->f);
		r->vel[0] = ((r->box[0] + r->box[2] / 2) - (p->box[0] + p->box[2] / 2)) / dt;
		r->vel[1] = ((r->box[1] + r->box[3] / 2) - (p->box[1] + p->box[3] / 2)) / dt;
		r->has_vel = 1;
	}
}

/* The latest detection of each track id in the window (the first in
 * window order), into out; returns how many. */
static size_t track_heads(const ck_wdet *w, size_t n, uint32_t *out)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i].id <= 0)
			continue;
		size_t j = 0;
		while (j < i && w[j].id != w[i].id)
			j++;
		if (j == i)
			out[m++] = (uint32_t)i;
	}
	return m;
}

/* A cluster of m members (window positions mm, window order) has just
 * become a new track, ids mid: if its oldest box continues a track lost
 * from the window (lo: the window's first frame) within the relink gap,
 * the members take that track's id and the new id is given back. */
static void relink_birth(cktrack *t, const uint32_t *wpos, const uint32_t *mm, size_t m,
			 int64_t *mid, int64_t lo)
{
	const rec *first = NULL;
	for (size_t j = m; j-- > 0 && !first;)
		if (qat(t, wpos[mm[j]])->has_box)
			first = qat(t, wpos[mm[j]]);
	if (!first)
		return;
	int64_t id = rl_match(t->rl, first->f, first->box, lo, t->o.relink, t->o.relink_iou);
	if (!id)
		return;
	for (size_t j = 0; j < m; j++)
		mid[j] = id;
	t->next_id--;   /* the new id went to no one */
	t->st.relinked++;
}

/* Clusters the window ending at frame fr and writes the new ids back. */
static void cluster_window(cktrack *t, int64_t fr)
{
	ck_ws *ws = t->ws;
	int64_t lo = fr - t->o.window + 1;
	size_t s = t->len;
	while (s > 0 && qat(t, s - 1)->f >= lo)
		s--;
	size_t n = t->len - s, d = t->zdim;
	if (!n)
		return;
	/* window order: current frame first, each frame in input order */
	uint32_t *wpos = buf(ws, B_WPOS, n, sizeof *wpos);
	float *Z = buf(ws, B_Z, n * d, sizeof *Z);
	int64_t *frame = buf(ws, B_FR, n, sizeof *frame);
	ck_wdet *wd = buf(ws, B_WDET, n, sizeof *wd);
	size_t *cnt = buf(ws, B_CNT, n, sizeof *cnt), *first = buf(ws, B_FIRST, n, sizeof *first);
	size_t w = 0, nf = 0;
	for (size_t e = t->len; e > s;) {
		size_t b = e;
		int64_t f = qat(t, e - 1)->f;
		while (b > s && qat(t, b - 1)->f == f)
			b--;
		cnt[nf] = e - b, first[nf++] = w;
		for (size_t i = b; i < e; i++, w++) {
			const rec *r = qat(t, i);
			wpos[w] = (uint32_t)i;
			memcpy(Z + w * d, r->z, d * sizeof *Z);
			frame[w] = r->f;
			wd[w] = (ck_wdet){.f = r->f, .k = r->k, .id = r->id,
					  .cl = r->cl, .ncl = r->ncl, .ml = r->ml, .nml = r->nml,
					  .box = r->has_box ? r->box : NULL,
					  .vel = r->has_vel ? r->vel : NULL};
		}
		e = b;
	}
	if (t->o.occlusion >= 0) {
		ck_mark_occluded(wd, n, t->o.occlusion);
		for (size_t i = 0; i < n; i++) {
			rec *r = qat(t, wpos[i]);
			if (r->occl < 0)
				t->st.occluded += (uint64_t)wd[i].occluded;
			r->occl = wd[i].occluded;
		}
	}
	size_t key = ck_key_frame(cnt, nf), k = cnt[key];
	uint32_t *init = buf(ws, B_INIT, n, sizeof *init);
	size_t nt = t->o.centres == CK_CENTRES_TRACKS ? track_heads(wd, n, init) : 0;
	if (nt) {
		k = nt;     /* every track keeps a centre; newcomers join or open */
	} else {
		for (size_t i = 0; i < k; i++)
			init[i] = (uint32_t)(first[key] + i);
		rng_shuffle_u32(&t->r, init, k);
	}

	uint32_t *lab = buf(ws, B_LAB, n, sizeof *lab);
	size_t nc;
	double tol = ck_tolerance(Z, n, d, t->o.tol);
	if (t->o.constraints) {
		uint32_t *grp = buf(ws, B_GRP, n, sizeof *grp);
		const uint8_t *cl;
		size_t ng = ck_constraints(ws, wd, n, t->o.static_cl_all, grp, &cl);
		if (t->o.motion) {   /* cl is this workspace's own buffer */
			ck_gate g = {.iou = t->o.motion_iou, .margin = t->o.occlusion, .exit = t->o.exit,
				     .width = t->width, .height = t->height};
			t->st.motion_cl += ck_motion_links(wd, n, grp, ng, (uint8_t *)cl, &g);
		}
		int it;
		nc = ck_cop_kmeans(ws, Z, n, d, frame, grp, ng, cl, init, k,
				   t->o.max_iter, tol, t->o.order, lab, &it);
		t->st.iters += (uint64_t)it;
		t->st.unconverged += it >= t->o.max_iter;
		t->st.opened += nc > k ? nc - k : 0;
	} else {
		nc = ck_kmeans(ws, Z, n, d, k, t->o.n_init, t->o.kmeans_iter, tol, &t->r, lab);
	}
	t->st.windows++;

	/* association, cluster by cluster, members in window order */
	uint32_t *moff = buf(ws, B_MOFF, nc + 1, sizeof *moff);
	uint32_t *mem = buf(ws, B_MEM, n, sizeof *mem);
	int64_t *mid = buf(ws, B_MID, n, sizeof *mid);
	float *msc = buf(ws, B_MSC, n, sizeof *msc);
	memset(moff, 0, (nc + 1) * sizeof *moff);
	for (size_t i = 0; i < n; i++)
		moff[lab[i] + 1]++;
	for (size_t c = 0; c < nc; c++)
		moff[c + 1] += moff[c];
	for (size_t i = 0; i < n; i++)
		mem[moff[lab[i]]++] = (uint32_t)i;
	for (size_t c = nc; c > 0; c--)
		moff[c] = moff[c - 1];
	moff[0] = 0;
	for (size_t c = 0; c < nc; c++) {
		size_t m = moff[c + 1] - moff[c];
		const uint32_t *mm = mem + moff[c];
		for (size_t j = 0; j < m; j++) {
			const rec *r = qat(t, wpos[mm[j]]);
			mid[j] = r->id;
			msc[j] = r->has_score ? r->score : 1.0f;
		}
		if (assoc_cluster(&t->o.assoc, m, mid, msc, &t->next_id) == ASSOC_BIRTH) {
			t->st.births++;
			if (t->o.relink > 0)
				relink_birth(t, wpos, mm, m, mid, lo);
		}
		for (size_t j = 0; j < m; j++) {
			rec *r = qat(t, wpos[mm[j]]);
			if (r->id == 0 && mid[j] != 0 && id_in_frame(t, s, r, mid[j])) {
				t->st.dup_ids++;   /* only without constraints */
				continue;
			}
			r->id = mid[j];
		}
	}
	if (t->o.motion)
		track_velocities(t, s);
	if (t->o.relink > 0) {
		for (size_t i = s; i < t->len; i++) {
			const rec *r = qat(t, i);
			if (r->id > 0 && r->has_box)
				rl_see(t->rl, r->id, r->f, r->box);
		}
		rl_forget(t->rl, lo - t->o.relink - 1);
	}
}

static void process(cktrack *t, int64_t fr)
{
	if (fr >= t->fr_start + t->o.window - 1)
		cluster_window(t, fr);
}

int ckt_add(cktrack *t, const ck_rec *r, char *err, size_t errn)
{
	if (!r->z)
		return errf(err, errn, "no z (run ae-embed first)");
	for (uint32_t j = 0; j < r->zdim; j++)
		if (!isfinite(r->z[j]))
			return errf(err, errn, "z value %u is not a finite number", j + 1);
	if (t->started) {
		if (r->f < t->last_f)
			return errf(err, errn, "frame %lld after frame %lld: frames must not decrease",
				    (long long)r->f, (long long)t->last_f);
		if (r->zdim != t->zdim)
			return errf(err, errn, "z has %u values, earlier records %u", r->zdim, t->zdim);
		if (r->f > t->last_f) {
			process(t, t->last_f);
			int64_t lo = r->f - t->o.window + 1;   /* the oldest frame still needed */
			while (t->ready < t->len && qat(t, t->ready)->f < lo)
				t->ready++;
		}
	} else {
		if (r->zdim == 0)
			return errf(err, errn, "z is empty");
		t->started = 1;
		t->fr_start = r->f;
		t->zdim = r->zdim;
	}
	t->last_f = r->f;
	if (t->len == t->cap) {
		size_t cap = t->cap * 2;
		rec *q = xcalloc(cap, sizeof *q);
		for (size_t i = 0; i < t->cap; i++)
			q[i] = t->q[(t->head + i) % t->cap];
		free(t->q);
		t->q = q, t->head = 0, t->cap = cap;
	}
	rec *q = qat(t, t->len);
	q->f = r->f, q->k = r->k, q->id = 0;
	q->has_score = r->score != NULL;
	q->score = r->score ? *r->score : 1.0f;
	q->has_box = r->box != NULL;
	q->has_vel = 0;
	q->occl = -1;
	if (r->box)
		memcpy(q->box, r->box, sizeof q->box);
	q->z = copy_into(q->z, &q->zcap, r->z, r->zdim, sizeof *q->z);
	q->cl = copy_into(q->cl, &q->clcap, r->cl, r->ncl, sizeof *q->cl);
	q->ncl = r->ncl;
	q->ml = copy_into(q->ml, &q->mlcap, r->ml, r->nml, sizeof *q->ml);
	q->nml = r->nml;
	t->len++;
	return 0;
}

void ckt_finish(cktrack *t)
{
	if (t->started)
		process(t, t->last_f);
	t->ready = t->len;
	t->started = 0;
}
