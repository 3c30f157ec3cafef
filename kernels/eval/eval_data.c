#include "eval/eval_data.h"
#include "err.h"
#include "eval/lap.h"
#include "box.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void eval_seq_init(eval_seq *s, const char *name)
{
	memset(s, 0, sizeof *s);
	s->name = xstrdup(name ? name : "");
}

void eval_seq_free(eval_seq *s)
{
	for (int i = 0; i < s->nf; i++) {
		eval_frame *f = &s->f[i];
		free(f->gid), free(f->tid), free(f->gi), free(f->ti), free(f->iou), free(f->ioa);
	}
	free(s->f), free(s->gids), free(s->tids), free(s->name);
	memset(s, 0, sizeof *s);
}

eval_frame *eval_seq_add(eval_seq *s, int64_t t, int ng, const int64_t *gid, int nt,
			 const int64_t *tid)
{
	if (s->nf && t <= s->f[s->nf - 1].t)
		return NULL;
	if (s->nf == s->fcap) {
		s->fcap = s->fcap ? 2 * s->fcap : 64;
		s->f = xrealloc(s->f, (size_t)s->fcap * sizeof *s->f);
	}
	eval_frame *f = &s->f[s->nf++];
	f->t = t, f->ng = ng, f->nt = nt;
	f->gid = xmalloc((size_t)ng * sizeof *f->gid);
	f->tid = xmalloc((size_t)nt * sizeof *f->tid);
	if (ng)
		memcpy(f->gid, gid, (size_t)ng * sizeof *gid);
	if (nt)
		memcpy(f->tid, tid, (size_t)nt * sizeof *tid);
	f->gi = xcalloc((size_t)ng + 1, sizeof *f->gi);
	f->ti = xcalloc((size_t)nt + 1, sizeof *f->ti);
	f->iou = xcalloc((size_t)ng * nt + 1, sizeof *f->iou);
	f->ioa = xcalloc((size_t)nt + 1, sizeof *f->ioa);
	return f;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Sorted distinct ids of one side; returns the count. */
static int distinct(const eval_seq *s, int gt, int64_t **out)
{
	size_t n = 0;
	for (int i = 0; i < s->nf; i++)
		n += (size_t)(gt ? s->f[i].ng : s->f[i].nt);
	int64_t *v = xmalloc((n + 1) * sizeof *v);
	n = 0;
	for (int i = 0; i < s->nf; i++) {
		const eval_frame *f = &s->f[i];
		int k = gt ? f->ng : f->nt;
		if (k)
			memcpy(v + n, gt ? f->gid : f->tid, (size_t)k * sizeof *v);
		n += (size_t)k;
	}
	qsort(v, n, sizeof *v, cmp_i64);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!m || v[i] != v[m - 1])
			v[m++] = v[i];
	*out = v;
	return (int)m;
}

static int lookup(const int64_t *v, int n, int64_t id)
{
	int lo = 0, hi = n - 1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		if (v[mid] < id)
			lo = mid + 1;
		else if (v[mid] > id)
			hi = mid - 1;
		else
			return mid;
	}
	return -1;
}

int eval_seq_index(eval_seq *s, char *err, size_t errn)
{
	free(s->gids), free(s->tids);
	s->ngid = distinct(s, 1, &s->gids);
	s->ntid = distinct(s, 0, &s->tids);
	char *seen_g = xcalloc((size_t)s->ngid + 1, 1), *seen_t = xcalloc((size_t)s->ntid + 1, 1);
	int rc = 0;
	for (int i = 0; i < s->nf && rc == 0; i++) {
		eval_frame *f = &s->f[i];
		for (int g = 0; g < f->ng; g++) {
			f->gi[g] = lookup(s->gids, s->ngid, f->gid[g]);
			if (seen_g[f->gi[g]]++)
				rc = errf(err, errn, "%s: frame %lld: ground-truth id %lld occurs twice",
					  s->name, (long long)f->t, (long long)f->gid[g]);
		}
		for (int t = 0; t < f->nt; t++) {
			f->ti[t] = lookup(s->tids, s->ntid, f->tid[t]);
			if (seen_t[f->ti[t]]++)
				rc = errf(err, errn, "%s: frame %lld: result id %lld occurs twice",
					  s->name, (long long)f->t, (long long)f->tid[t]);
		}
		for (int g = 0; g < f->ng; g++)
			seen_g[f->gi[g]] = 0;
		for (int t = 0; t < f->nt; t++)
			seen_t[f->ti[t]] = 0;
	}
	free(seen_g), free(seen_t);
	return rc;
}

void eval_objs_free(eval_objs *e)
{
	for (size_t i = 0; i < e->n; i++)
		rle_free(&e->o[i].rle);
	free(e->o), free(e->name), free(e->src);
	memset(e, 0, sizeof *e);
}

void eval_objs_sort(eval_objs *e)
{
	/* A stable bottom-up merge sort: file order within a frame decides
	 * ties in the assignments, as in the Python tools. */
	size_t n = e->n;
	if (n < 2)
		return;
	int sorted = 1;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = e->o[i - 1].frame <= e->o[i].frame;
	if (sorted)
		return;
	eval_obj *tmp = xmalloc(n * sizeof *tmp), *a = e->o, *b = tmp;
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				b[k++] = a[j].frame < a[i].frame ? a[j++] : a[i++];
			while (i < mid)
				b[k++] = a[i++];
			while (j < hi)
				b[k++] = a[j++];
		}
		eval_obj *t = a;
		a = b, b = t;
	}
	if (a != e->o)
		memcpy(e->o, a, n * sizeof *a);
	free(tmp);
}

size_t eval_objs_clip(eval_objs *e, int64_t last)
{
	size_t k = 0, n = e->n;
	for (size_t i = 0; i < n; i++) {
		if (e->o[i].frame <= last)
			e->o[k++] = e->o[i];
		else
			rle_free(&e->o[i].rle);
	}
	e->n = k;
	return n - k;
}

static int boxes_meet(rle_box a, rle_box b)
{
	return a.w && a.h && b.w && b.h && a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h &&
	       b.y < a.y + a.h;
}

static const char *src_of(const eval_objs *e, const eval_obj *o, char *buf, size_t n)
{
	if (o->line)
		snprintf(buf, n, "%s:%u", e->src, o->line);
	else
		snprintf(buf, n, "%s: frame %lld", e->src, (long long)o->frame);
	return buf;
}

int eval_objs_check_masks(const eval_objs *e, char *err, size_t errn)
{
	char where[512];
	for (size_t a = 0, b; a < e->n; a = b) {
		for (b = a; b < e->n && e->o[b].frame == e->o[a].frame; b++)
			;
		for (size_t i = a; i < b; i++)
			for (size_t j = a; j < i; j++) {
				const eval_obj *p = &e->o[i], *q = &e->o[j];
				if (p->id == q->id)
					return errf(err, errn, "%s: id %lld occurs twice in frame %lld",
						    src_of(e, p, where, sizeof where), (long long)p->id,
						    (long long)p->frame);
				if (p->rle.h != q->rle.h || p->rle.w != q->rle.w)
					return errf(err, errn, "%s: mask is %ux%u, another of frame %lld is %ux%u",
						    src_of(e, p, where, sizeof where), p->rle.h, p->rle.w,
						    (long long)p->frame, q->rle.h, q->rle.w);
				if (boxes_meet(p->bb, q->bb) && rle_intersection(&p->rle, &q->rle))
					return errf(err, errn, "%s: mask of id %lld overlaps id %lld in frame %lld",
						    src_of(e, p, where, sizeof where), (long long)p->id,
						    (long long)q->id, (long long)p->frame);
			}
	}
	return 0;
}

/* Range [a, b) of frame t in a sorted object list, starting the search at *k. */
typedef struct {
	const eval_obj **g, **t, **dc;
	int64_t *gid, *tid;
	size_t cap;
	rle_t *dcr;
} scratch;

static void scratch_fit(scratch *s, size_t n)
{
	if (n <= s->cap)
		return;
	s->cap = n;
	s->g = xrealloc(s->g, n * sizeof *s->g);
	s->t = xrealloc(s->t, n * sizeof *s->t);
	s->dc = xrealloc(s->dc, n * sizeof *s->dc);
	s->gid = xrealloc(s->gid, n * sizeof *s->gid);
	s->tid = xrealloc(s->tid, n * sizeof *s->tid);
	s->dcr = xrealloc(s->dcr, n * sizeof *s->dcr);
}

static void scratch_free(scratch *s)
{
	free(s->g), free(s->t), free(s->dc), free(s->gid), free(s->tid), free(s->dcr);
}

static void walk_range(const eval_objs *e, size_t *k, int64_t t, size_t *a, size_t *b)
{
	while (*k < e->n && e->o[*k].frame < t)
		(*k)++;
	*a = *k;
	while (*k < e->n && e->o[*k].frame == t)
		(*k)++;
	*b = *k;
}

int eval_walk_next(eval_walk *w, const eval_objs *gt, const eval_objs *res)
{
	if (w->kg >= gt->n && w->kr >= res->n)
		return 0;
	w->frame = w->kg < gt->n ? gt->o[w->kg].frame : INT64_MAX;
	if (w->kr < res->n && res->o[w->kr].frame < w->frame)
		w->frame = res->o[w->kr].frame;
	walk_range(gt, &w->kg, w->frame, &w->ga, &w->gb);
	walk_range(res, &w->kr, w->frame, &w->ra, &w->rb);
	return 1;
}

/* Walks the frames of both sides in order and adds a frame wherever
 * either side has an object of the class (every object for boxes). */
static int build(eval_seq *s, const eval_objs *gt, const eval_objs *res, int cls, int boxes,
		 char *err, size_t errn)
{
	eval_walk wk = { 0 };
	scratch sc = { 0 };
	int rc = 0;
	while (rc == 0 && eval_walk_next(&wk, gt, res)) {
		int64_t t = wk.frame;
		size_t ga = wk.ga, gb = wk.gb, ra = wk.ra, rb = wk.rb;
		scratch_fit(&sc, (gb - ga) + (rb - ra) + 1);
		int ng = 0, nt = 0, nd = 0;
		for (size_t i = ga; i < gb; i++) {
			const eval_obj *o = &gt->o[i];
			if (boxes || o->cls == cls)
				sc.gid[ng] = o->id, sc.g[ng++] = o;
			else if (o->cls == 10)
				sc.dc[nd++] = o;
		}
		for (size_t i = ra; i < rb; i++) {
			const eval_obj *o = &res->o[i];
			if (boxes || o->cls == cls)
				sc.tid[nt] = o->id, sc.t[nt++] = o;
		}
		if (!ng && !nt)
			continue;
		eval_frame *f = eval_seq_add(s, t, ng, sc.gid, nt, sc.tid);
		if (boxes) {
			for (int g = 0; g < ng; g++)
				for (int j = 0; j < nt; j++) {
					box a = { sc.g[g]->x, sc.g[g]->y, sc.g[g]->w, sc.g[g]->h };
					box b = { sc.t[j]->x, sc.t[j]->y, sc.t[j]->w, sc.t[j]->h };
					f->iou[g * nt + j] = box_iou(a, b);
				}
			continue;
		}
		const rle_t *any = ng ? &sc.g[0]->rle : nd ? &sc.dc[0]->rle : NULL;
		for (int j = 0; j < nt && any; j++)
			if (sc.t[j]->rle.h != any->h || sc.t[j]->rle.w != any->w)
				rc = errf(err, errn, "%s: frame %lld: result masks are %ux%u, ground truth %ux%u",
					  res->src, (long long)t, sc.t[j]->rle.h, sc.t[j]->rle.w, any->h, any->w);
		for (int g = 0; g < ng; g++)
			for (int j = 0; j < nt; j++)
				f->iou[g * nt + j] = rle_iou_bb(&sc.t[j]->rle, sc.t[j]->bb, &sc.g[g]->rle,
								sc.g[g]->bb, 0);
		if (nd && nt) {
			/* One ignore region per frame: the union of the class-10 masks. */
			rle_t dc;
			for (int d = 0; d < nd; d++)
				sc.dcr[d] = sc.dc[d]->rle;
			rle_merge(&dc, sc.dcr, (size_t)nd, 0);
			rle_box db = rle_bbox(&dc);
			for (int j = 0; j < nt; j++)
				f->ioa[j] = rle_iou_bb(&sc.t[j]->rle, sc.t[j]->bb, &dc, db, 1);
			rle_free(&dc);
		}
	}
	scratch_free(&sc);
	if (rc == 0)
		rc = eval_seq_index(s, err, errn);
	return rc;
}

int eval_seq_from_masks(eval_seq *s, const eval_objs *gt, const eval_objs *res, int cls,
			char *err, size_t errn)
{
	return build(s, gt, res, cls, 0, err, errn);
}

int eval_seq_from_boxes(eval_seq *s, const eval_objs *gt, const eval_objs *res, char *err,
			size_t errn)
{
	return build(s, gt, res, 0, 1, err, errn);
}

typedef struct { int g, t; double w; int root; } wpair;

static int cmp_pair(const void *a, const void *b)
{
	const wpair *p = a, *q = b;
	if (p->root != q->root)
		return (p->root > q->root) - (p->root < q->root);
	if (p->g != q->g)
		return (p->g > q->g) - (p->g < q->g);
	return (p->t > q->t) - (p->t < q->t);
}

static int uf_find(int *up, int x)
{
	while (up[x] != x)
		x = up[x] = up[up[x]];
	return x;
}

double eval_max_matching(size_t n, const int *g, const int *t, const double *w)
{
	if (!n)
		return 0;
	int G = 0, T = 0;
	for (size_t k = 0; k < n; k++) {
		if (g[k] >= G)
			G = g[k] + 1;
		if (t[k] >= T)
			T = t[k] + 1;
	}
	/* Components of the bipartite graph: rows 0..G-1, columns G..G+T-1. */
	int *up = xmalloc(((size_t)G + T) * sizeof *up);
	for (int i = 0; i < G + T; i++)
		up[i] = i;
	for (size_t k = 0; k < n; k++) {
		int a = uf_find(up, g[k]), b = uf_find(up, G + t[k]);
		if (a != b)
			up[a] = b;
	}
	wpair *p = xmalloc(n * sizeof *p);
	for (size_t k = 0; k < n; k++)
		p[k] = (wpair){ g[k], t[k], w[k], uf_find(up, g[k]) };
	qsort(p, n, sizeof *p, cmp_pair);
	int *ri = xmalloc(((size_t)G + 1) * sizeof *ri), *ci = xmalloc(((size_t)T + 1) * sizeof *ci);
	double total = 0;
	for (size_t a = 0, b; a < n; a = b) {
		for (b = a; b < n && p[b].root == p[a].root; b++)
			;
		/* Local row and column numbers of this component. */
		int nr = 0, nc = 0;
		for (size_t k = a; k < b; k++)
			ri[p[k].g] = -1, ci[p[k].t] = -1;
		for (size_t k = a; k < b; k++) {
			if (ri[p[k].g] < 0)
				ri[p[k].g] = nr++;
			if (ci[p[k].t] < 0)
				ci[p[k].t] = nc++;
		}
		double *m = xcalloc((size_t)nr * nc, sizeof *m);
		int *c4r = xmalloc((size_t)nr * sizeof *c4r);
		for (size_t k = a; k < b; k++)
			m[(size_t)ri[p[k].g] * nc + ci[p[k].t]] += p[k].w;
		if (lap_solve(nr, nc, m, 1, c4r) != LAP_OK)
			die("assignment failed");
		total += lap_cost(nr, nc, m, c4r);
		free(m), free(c4r);
	}
	free(up), free(p), free(ri), free(ci);
	return total;
}
