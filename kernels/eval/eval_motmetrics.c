#include "eval/eval_motmetrics.h"
#include "err.h"
#include "eval/lap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A pair may match when its distance is finite: 1 - IoU <= 0.5, computed
 * as motmetrics.distances.iou_matrix does (dist > max_iou -> NaN). */
static double dist_of(double iou)
{
	double d = 1 - iou;
	return d > 0.5 ? NAN : d;
}

/* motmetrics.lap.linear_sum_assignment: forbidden pairs get a cost that
 * no valid assignment can reach, the problem is solved complete, and the
 * forbidden pairs are dropped again. */
static void assign(int nr, int nc, const double *d, double *tmp, int *c4r)
{
	size_t n = (size_t)nr * nc;
	double cmax = 0;
	int nvalid = 0;
	for (size_t k = 0; k < n; k++)
		if (isfinite(d[k])) {
			nvalid++;
			if (fabs(d[k]) > cmax)
				cmax = fabs(d[k]);
		}
	for (int i = 0; i < nr; i++)
		c4r[i] = -1;
	if (!nvalid)
		return;
	int r = nr < nc ? nr : nc;
	double large = 2 * r * (cmax + 1) + 1;
	for (size_t k = 0; k < n; k++)
		tmp[k] = isfinite(d[k]) ? d[k] : large;
	if (lap_solve(nr, nc, tmp, 0, c4r) != LAP_OK)
		die("assignment failed");
	for (int i = 0; i < nr; i++)
		if (c4r[i] >= 0 && !isfinite(d[i * nc + c4r[i]]))
			c4r[i] = -1;
}

/* Id pairs that could match in a frame, one entry per frame. */
typedef struct {
	int *g, *t;
	double *w;
	size_t n, cap;
} pairs;

static void pairs_add(pairs *p, int g, int t)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 1024;
		p->g = xrealloc(p->g, p->cap * sizeof *p->g);
		p->t = xrealloc(p->t, p->cap * sizeof *p->t);
		p->w = xrealloc(p->w, p->cap * sizeof *p->w);
	}
	p->g[p->n] = g, p->t[p->n] = t, p->w[p->n++] = 1;
}

void mm_eval(const eval_seq *s, mm_counts *c)
{
	memset(c, 0, sizeof *c);
	int G = s->ngid, cap = 0;
	c->tracks = G;
	c->frames = s->frames;
	/* Per object: last hypothesis, frame index of its last match,
	 * occurrences, tracked frames, fragmentation state. */
	int *m = xmalloc(((size_t)G + 1) * sizeof *m), *last = xmalloc(((size_t)G + 1) * sizeof *last);
	int *occ = xcalloc((size_t)G + 1, sizeof *occ), *trk = xcalloc((size_t)G + 1, sizeof *trk);
	char *fst = xcalloc((size_t)G + 1, 1);   /* 0 never tracked, 1 tracked, 2 lost after tracked */
	double *d = NULL, *tmp = NULL;
	int *c4r = NULL;
	pairs pl = { 0 };
	char *gm = NULL, *hm = NULL;
	for (int g = 0; g < G; g++)
		m[g] = -1, last[g] = -2;

	for (int k = 0; k < s->nf; k++) {
		const eval_frame *f = &s->f[k];
		int ng = f->ng, nt = f->nt;
		if (!gm || ng * nt > cap || ng > cap || nt > cap) {
			cap = ng * nt + ng + nt + 1;   /* never 0: the flags are cleared below */
			d = xrealloc(d, (size_t)cap * sizeof *d);
			tmp = xrealloc(tmp, (size_t)cap * sizeof *tmp);
			c4r = xrealloc(c4r, (size_t)cap * sizeof *c4r);
			gm = xrealloc(gm, (size_t)cap);
			hm = xrealloc(hm, (size_t)cap);
		}
		memset(gm, 0, (size_t)ng);
		memset(hm, 0, (size_t)nt);
		for (int i = 0; i < ng * nt; i++)
			d[i] = dist_of(f->iou[i]);
		for (int g = 0; g < ng; g++)
			for (int j = 0; j < nt; j++)
				if (isfinite(d[g * nt + j]))
					pairs_add(&pl, f->gi[g], f->ti[j]);
		c->objects += ng, c->predictions += nt;

		if (ng && nt) {
			/* 1. Matches of the previous frame that still hold. */
			for (int g = 0; g < ng; g++) {
				int o = f->gi[g];
				if (m[o] < 0 || last[o] != k - 1)
					continue;
				for (int j = 0; j < nt; j++) {
					if (hm[j] || f->ti[j] != m[o])
						continue;
					if (isfinite(d[g * nt + j])) {
						gm[g] = hm[j] = 1;
						last[o] = k;
						c->matches++;
						c->dsum += d[g * nt + j];
					}
					break;
				}
			}
			/* 2. The rest by minimum distance. */
			for (int g = 0; g < ng; g++)
				for (int j = 0; j < nt; j++)
					if (gm[g] || hm[j])
						d[g * nt + j] = NAN;
			assign(ng, nt, d, tmp, c4r);
			for (int g = 0; g < ng; g++) {
				int j = c4r[g];
				if (j < 0)
					continue;
				int o = f->gi[g], h = f->ti[j];
				if (m[o] >= 0 && m[o] != h)
					c->switches++;
				else
					c->matches++;
				c->dsum += d[g * nt + j];
				gm[g] = hm[j] = 1;
				m[o] = h;
				last[o] = k;
			}
		}
		for (int g = 0; g < ng; g++) {
			int o = f->gi[g];
			occ[o]++;
			if (gm[g]) {
				trk[o]++;
				if (fst[o] == 2)
					c->frag++;
				fst[o] = 1;
			} else {
				c->misses++;
				if (fst[o] == 1)
					fst[o] = 2;
			}
		}
		for (int j = 0; j < nt; j++)
			c->fp += !hm[j];
	}
	for (int g = 0; g < G; g++) {
		double r = occ[g] ? trk[g] / (double)occ[g] : 0;
		if (r >= 0.8)
			c->mt++;
		else if (r >= 0.2)
			c->pt++;
		else
			c->ml++;
	}
	/* IDF1: the global id assignment maximises the frames matched. */
	c->idtp = (int64_t)eval_max_matching(pl.n, pl.g, pl.t, pl.w);
	c->idfn = c->objects - c->idtp;
	c->idfp = c->predictions - c->idtp;
	free(m), free(last), free(occ), free(trk), free(fst), free(d), free(tmp);
	free(pl.g), free(pl.t), free(pl.w);
	free(c4r), free(gm), free(hm);
}

void mm_add(mm_counts *a, const mm_counts *c)
{
	a->matches += c->matches, a->switches += c->switches, a->fp += c->fp, a->misses += c->misses;
	a->objects += c->objects, a->predictions += c->predictions;
	a->mt += c->mt, a->pt += c->pt, a->ml += c->ml, a->frag += c->frag, a->tracks += c->tracks;
	a->idtp += c->idtp, a->idfp += c->idfp, a->idfn += c->idfn;
	a->frames += c->frames;
	a->dsum += c->dsum;
}

static double qdiv(double a, double b)
{
	return b == 0 ? NAN : a / b;
}

void mm_scores_of(const mm_counts *c, mm_scores *r)
{
	double det = (double)(c->matches + c->switches);
	r->mota = 1 - qdiv((double)(c->misses + c->switches + c->fp), (double)c->objects);
	r->motp = 1 - qdiv(c->dsum, det);
	r->recall = qdiv(det, (double)c->objects);
	r->precision = qdiv(det, det + c->fp);
	r->idp = qdiv((double)c->idtp, (double)(c->idtp + c->idfp));
	r->idr = qdiv((double)c->idtp, (double)(c->idtp + c->idfn));
	r->idf1 = qdiv(2.0 * c->idtp, (double)(c->objects + c->predictions));
	r->faf = qdiv((double)c->fp, (double)c->frames);
}
