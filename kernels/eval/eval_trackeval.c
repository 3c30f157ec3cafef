#include "eval/eval_trackeval.h"
#include "err.h"
#include "eval/lap.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EPS DBL_EPSILON   /* np.finfo('float').eps */

double te_alpha(int a)
{
	return 0.05 + a * 0.05;   /* what np.arange computes: start + i * step */
}

static double dmax(double a, double b)
{
	return a > b ? a : b;
}

/* Maximising assignment of one frame's ng x nt matrix. */
static void assign_max(int ng, int nt, const double *m, int *col4row)
{
	if (lap_solve(ng, nt, m, 1, col4row) != LAP_OK)
		die("assignment failed (NaN in a similarity matrix)");
}

/* Work arrays of one frame, grown to the largest frame seen: room for its
 * ng x nt matrix and a row or a column of it. */
typedef struct {
	int cap;
	double *score, *rows, *cols;
	int *c4r, *keep, *tid;
	int64_t *tids;
} te_scratch;

static void te_scratch_fit(te_scratch *s, int ng, int nt)
{
	if (ng * nt <= s->cap && ng <= s->cap && nt <= s->cap)
		return;
	s->cap = ng * nt + ng + nt;
	s->score = xrealloc(s->score, (size_t)s->cap * sizeof *s->score);
	s->rows = xrealloc(s->rows, (size_t)s->cap * sizeof *s->rows);
	s->cols = xrealloc(s->cols, (size_t)s->cap * sizeof *s->cols);
	s->c4r = xrealloc(s->c4r, (size_t)s->cap * sizeof *s->c4r);
	s->keep = xrealloc(s->keep, (size_t)s->cap * sizeof *s->keep);
	s->tid = xrealloc(s->tid, (size_t)s->cap * sizeof *s->tid);
	s->tids = xrealloc(s->tids, (size_t)s->cap * sizeof *s->tids);
}

static void te_scratch_free(te_scratch *s)
{
	free(s->score), free(s->rows), free(s->cols);
	free(s->c4r), free(s->keep), free(s->tid), free(s->tids);
}

int64_t te_preprocess(const eval_seq *s, eval_seq *out)
{
	eval_seq_init(out, s->name);
	out->frames = s->frames;
	int64_t removed = 0;
	te_scratch sc = { 0 };
	for (int i = 0; i < s->nf; i++) {
		const eval_frame *f = &s->f[i];
		int ng = f->ng, nt = f->nt;
		te_scratch_fit(&sc, ng, nt);
		for (int j = 0; j < nt; j++)
			sc.keep[j] = 0;   /* 0: unmatched, 1: matched */
		if (ng && nt) {
			for (int k = 0; k < ng * nt; k++)
				sc.score[k] = f->iou[k] < 0.5 - EPS ? -10000 : f->iou[k];
			assign_max(ng, nt, sc.score, sc.c4r);
			for (int g = 0; g < ng; g++)
				if (sc.c4r[g] >= 0 && sc.score[g * nt + sc.c4r[g]] > 0 + EPS)
					sc.keep[sc.c4r[g]] = 1;
		}
		int n = 0;
		for (int j = 0; j < nt; j++) {
			if (!sc.keep[j] && f->ioa[j] > 0.5 + EPS) {
				removed++;
				continue;
			}
			sc.tid[n] = j, sc.tids[n++] = f->tid[j];
		}
		eval_frame *o = eval_seq_add(out, f->t, ng, f->gid, n, sc.tids);
		memcpy(o->gi, f->gi, (size_t)ng * sizeof *o->gi);
		for (int k = 0; k < n; k++) {
			o->ti[k] = f->ti[sc.tid[k]];
			o->ioa[k] = f->ioa[sc.tid[k]];
			for (int g = 0; g < ng; g++)
				o->iou[g * n + k] = f->iou[g * nt + sc.tid[k]];
		}
	}
	out->ngid = s->ngid, out->ntid = s->ntid;
	out->gids = xmalloc(((size_t)s->ngid + 1) * sizeof *out->gids);
	out->tids = xmalloc(((size_t)s->ntid + 1) * sizeof *out->tids);
	memcpy(out->gids, s->gids, (size_t)s->ngid * sizeof *s->gids);
	memcpy(out->tids, s->tids, (size_t)s->ntid * sizeof *s->tids);
	te_scratch_free(&sc);
	return removed;
}

static void hota_final_fields(te_hota *h)
{
	for (int a = 0; a < TE_NA; a++) {
		h->detre[a] = h->tp[a] / dmax(1, h->tp[a] + h->fn[a]);
		h->detpr[a] = h->tp[a] / dmax(1, h->tp[a] + h->fp[a]);
		h->deta[a] = h->tp[a] / dmax(1, h->tp[a] + h->fn[a] + h->fp[a]);
		h->hota[a] = sqrt(h->deta[a] * h->assa[a]);
	}
}

/* Id pairs that ever overlap: open addressing from key g * T + t to a slot
 * holding the pair's potential and its match counts per alpha. Dense
 * G x T arrays would not fit for results that change ids every frame. */
typedef struct {
	uint64_t *key;        /* key + 1; 0 = empty */
	double *pot, *match;  /* per slot; match: TE_NA per slot */
	size_t n, cap;
} pairmap;

static size_t pm_slot(const pairmap *m, uint64_t key)
{
	size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & (m->cap - 1);
	while (m->key[i] && m->key[i] != key + 1)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void pm_grow(pairmap *m)
{
	pairmap o = *m;
	m->cap = o.cap ? 2 * o.cap : 1024;
	m->key = xcalloc(m->cap, sizeof *m->key);
	m->pot = xcalloc(m->cap, sizeof *m->pot);
	m->match = xcalloc(m->cap * TE_NA, sizeof *m->match);
	for (size_t i = 0; i < o.cap; i++)
		if (o.key[i]) {
			size_t j = pm_slot(m, o.key[i] - 1);
			m->key[j] = o.key[i], m->pot[j] = o.pot[i];
			memcpy(&m->match[j * TE_NA], &o.match[i * TE_NA], TE_NA * sizeof *m->match);
		}
	free(o.key), free(o.pot), free(o.match);
}

/* The slot of key, created when add is set; (size_t)-1 if absent. */
static size_t pm_get(pairmap *m, uint64_t key, int add)
{
	if (!m->cap) {
		if (!add)
			return (size_t)-1;
		pm_grow(m);
	}
	size_t i = pm_slot(m, key);
	if (m->key[i])
		return i;
	if (!add)
		return (size_t)-1;
	if (2 * (m->n + 1) > m->cap) {
		pm_grow(m);
		i = pm_slot(m, key);
	}
	m->key[i] = key + 1;
	m->n++;
	return i;
}

void te_hota_eval(const eval_seq *s, te_hota *h)
{
	memset(h, 0, sizeof *h);
	int G = s->ngid, T = s->ntid;
	int64_t ngd = 0, ntd = 0;
	for (int i = 0; i < s->nf; i++)
		ngd += s->f[i].ng, ntd += s->f[i].nt;
	if (ntd == 0 || ngd == 0) {
		for (int a = 0; a < TE_NA; a++) {
			h->fn[a] = (double)(ntd == 0 ? ngd : 0);
			h->fp[a] = (double)(ntd == 0 ? 0 : ntd);
			h->loca[a] = 1;
		}
		hota_final_fields(h);
		return;
	}
	pairmap pm = { 0 };
	double *gcount = xcalloc((size_t)G, sizeof *gcount), *tcount = xcalloc((size_t)T, sizeof *tcount);
	te_scratch sc = { 0 };
#define KEY(g, t) ((uint64_t)(g) * (uint64_t)T + (uint64_t)(t))

	/* Pass 1: how well each id pair aligns over the whole sequence. */
	for (int i = 0; i < s->nf; i++) {
		const eval_frame *f = &s->f[i];
		int ng = f->ng, nt = f->nt;
		te_scratch_fit(&sc, ng, nt);
		for (int g = 0; g < ng; g++) {
			sc.rows[g] = 0;
			for (int j = 0; j < nt; j++)
				sc.rows[g] += f->iou[g * nt + j];
		}
		for (int j = 0; j < nt; j++) {
			sc.cols[j] = 0;
			for (int g = 0; g < ng; g++)
				sc.cols[j] += f->iou[g * nt + j];
		}
		for (int g = 0; g < ng; g++)
			for (int j = 0; j < nt; j++) {
				double sim = f->iou[g * nt + j], den = sc.cols[j] + sc.rows[g] - sim;
				if (den > 0 + EPS && sim != 0) {
					size_t k = pm_get(&pm, KEY(f->gi[g], f->ti[j]), 1);  /* may grow */
					pm.pot[k] += sim / den;
				}
			}
		for (int g = 0; g < ng; g++)
			gcount[f->gi[g]]++;
		for (int j = 0; j < nt; j++)
			tcount[f->ti[j]]++;
	}
	for (size_t k = 0; k < pm.cap; k++)
		if (pm.key[k]) {
			uint64_t key = pm.key[k] - 1;
			double p = pm.pot[k];
			pm.pot[k] = p / (gcount[key / T] + tcount[key % T] - p);   /* alignment */
		}

	/* Pass 2: one assignment per frame, thresholded at every alpha. */
	for (int i = 0; i < s->nf; i++) {
		const eval_frame *f = &s->f[i];
		int ng = f->ng, nt = f->nt;
		if (!ng || !nt) {
			for (int a = 0; a < TE_NA; a++)
				h->fp[a] += nt, h->fn[a] += ng;
			continue;
		}
		for (int g = 0; g < ng; g++)
			for (int j = 0; j < nt; j++) {
				size_t k = pm_get(&pm, KEY(f->gi[g], f->ti[j]), 0);
				sc.score[g * nt + j] = (k == (size_t)-1 ? 0 : pm.pot[k]) * f->iou[g * nt + j];
			}
		assign_max(ng, nt, sc.score, sc.c4r);
		for (int a = 0; a < TE_NA; a++) {
			double alpha = te_alpha(a), loc = 0;
			int m = 0;
			for (int g = 0; g < ng; g++) {
				int j = sc.c4r[g];
				if (j < 0 || f->iou[g * nt + j] < alpha - EPS)
					continue;
				m++;
				loc += f->iou[g * nt + j];
				/* IoU >= 0.05 - eps > 0: pass 1 gave the pair a slot. */
				size_t k = pm_get(&pm, KEY(f->gi[g], f->ti[j]), 1);
				pm.match[k * TE_NA + a] += 1;
			}
			h->tp[a] += m, h->fn[a] += ng - m, h->fp[a] += nt - m;
			h->loca[a] += loc;
		}
	}
#undef KEY

	/* Association: per id pair, then weighted by the matches. */
	for (int a = 0; a < TE_NA; a++) {
		double sa = 0, sr = 0, sp = 0;
		for (size_t k = 0; k < pm.cap; k++) {
			double m = pm.key[k] ? pm.match[k * TE_NA + a] : 0;
			if (m == 0)
				continue;
			uint64_t key = pm.key[k] - 1;
			double gc = gcount[key / T], tc = tcount[key % T];
			sa += m * (m / dmax(1, gc + tc - m));
			sr += m * (m / dmax(1, gc));
			sp += m * (m / dmax(1, tc));
		}
		h->assa[a] = sa / dmax(1, h->tp[a]);
		h->assre[a] = sr / dmax(1, h->tp[a]);
		h->asspr[a] = sp / dmax(1, h->tp[a]);
		h->loca[a] = dmax(1e-10, h->loca[a]) / dmax(1e-10, h->tp[a]);
	}
	hota_final_fields(h);
	free(pm.key), free(pm.pot), free(pm.match);
	free(gcount), free(tcount);
	te_scratch_free(&sc);
}

void te_hota_combine(const te_hota *v, int n, te_hota *out)
{
	memset(out, 0, sizeof *out);
	for (int a = 0; a < TE_NA; a++) {
		double sa = 0, sr = 0, sp = 0, sl = 0;
		for (int k = 0; k < n; k++) {
			out->tp[a] += v[k].tp[a], out->fn[a] += v[k].fn[a], out->fp[a] += v[k].fp[a];
			sa += v[k].assa[a] * v[k].tp[a];
			sr += v[k].assre[a] * v[k].tp[a];
			sp += v[k].asspr[a] * v[k].tp[a];
			sl += v[k].loca[a] * v[k].tp[a];
		}
		out->assa[a] = sa / dmax(1, out->tp[a]);
		out->assre[a] = sr / dmax(1, out->tp[a]);
		out->asspr[a] = sp / dmax(1, out->tp[a]);
		out->loca[a] = dmax(1e-10, sl) / dmax(1e-10, out->tp[a]);
	}
	hota_final_fields(out);
}

static double mean19(const double *v)
{
	double s = 0;
	for (int a = 0; a < TE_NA; a++)
		s += v[a];
	return s / TE_NA;
}

void te_hota_summary(const te_hota *h, te_summary *s)
{
	s->hota = mean19(h->hota), s->deta = mean19(h->deta), s->assa = mean19(h->assa);
	s->detre = mean19(h->detre), s->detpr = mean19(h->detpr);
	s->assre = mean19(h->assre), s->asspr = mean19(h->asspr), s->loca = mean19(h->loca);
	s->hota0 = h->hota[0], s->loca0 = h->loca[0];
}

void te_clear_eval(const eval_seq *s, te_clear *c)
{
	memset(c, 0, sizeof *c);
	int G = s->ngid;
	/* -1 stands for NaN: no match yet / not matched in the previous step. */
	int *prev = xmalloc(((size_t)G + 1) * sizeof *prev), *prev_step = xmalloc(((size_t)G + 1) * sizeof *prev_step);
	int *count = xcalloc((size_t)G + 1, sizeof *count), *matched = xcalloc((size_t)G + 1, sizeof *matched);
	int *frag = xcalloc((size_t)G + 1, sizeof *frag), *was = NULL;
	te_scratch sc = { 0 };
	for (int g = 0; g < G; g++)
		prev[g] = prev_step[g] = -1;
	for (int i = 0; i < s->nf; i++) {
		const eval_frame *f = &s->f[i];
		int ng = f->ng, nt = f->nt;
		/* Empty sides skip the step entirely (prev_step is not reset). */
		if (!ng) {
			c->fp += nt;
			continue;
		}
		if (!nt) {
			c->fn += ng;
			for (int g = 0; g < ng; g++)
				count[f->gi[g]]++;
			continue;
		}
		te_scratch_fit(&sc, ng, nt);
		/* Continuing last step's match first, then IoU. */
		for (int g = 0; g < ng; g++)
			for (int j = 0; j < nt; j++) {
				double sim = f->iou[g * nt + j];
				double v = 1000.0 * (f->ti[j] == prev_step[f->gi[g]]) + sim;
				sc.score[g * nt + j] = sim < 0.5 - EPS ? 0 : v;
			}
		assign_max(ng, nt, sc.score, sc.c4r);
		if (!was)
			was = xmalloc(((size_t)G + 1) * sizeof *was);
		for (int g = 0; g < G; g++)
			was[g] = prev_step[g] == -1;
		for (int g = 0; g < G; g++)
			prev_step[g] = -1;
		int m = 0;
		for (int g = 0; g < ng; g++) {
			int j = sc.c4r[g];
			count[f->gi[g]]++;
			if (j < 0 || !(sc.score[g * nt + j] > 0 + EPS))
				continue;
			int gi = f->gi[g], ti = f->ti[j];
			if (prev[gi] != -1 && prev[gi] != ti)
				c->idsw++;
			matched[gi]++;
			prev[gi] = ti;
			prev_step[gi] = ti;
			c->motp_sum += f->iou[g * nt + j];
			m++;
		}
		for (int g = 0; g < G; g++)
			frag[g] += was[g] && prev_step[g] != -1;
		c->tp += m, c->fn += ng - m, c->fp += nt - m;
	}
	for (int g = 0; g < G; g++) {
		if (count[g] > 0) {
			double r = matched[g] / (double)count[g];
			c->mt += r > 0.8;
			c->pt += r >= 0.2 && !(r > 0.8);
		}
		if (frag[g] > 0)
			c->frag += frag[g] - 1;
	}
	c->ml = G - c->mt - c->pt;
	free(prev), free(prev_step), free(count), free(matched), free(frag), free(was);
	te_scratch_free(&sc);
}

void te_clear_combine(const te_clear *v, int n, te_clear *out)
{
	memset(out, 0, sizeof *out);
	for (int k = 0; k < n; k++) {
		out->tp += v[k].tp, out->fn += v[k].fn, out->fp += v[k].fp, out->idsw += v[k].idsw;
		out->mt += v[k].mt, out->pt += v[k].pt, out->ml += v[k].ml, out->frag += v[k].frag;
		out->motp_sum += v[k].motp_sum;
	}
}

void te_clear_scores_of(const te_clear *c, te_clear_scores *r)
{
	double n = dmax(1, (double)(c->tp + c->fn));
	r->mota = (c->tp - c->fp - c->idsw) / n;
	r->motp = c->motp_sum / dmax(1, (double)c->tp);
	r->smota = (c->motp_sum - c->fp - c->idsw) / n;
	r->recall = c->tp / n;
	r->precision = c->tp / dmax(1, (double)(c->tp + c->fp));
}

void te_identity_eval(const eval_seq *s, te_identity *id)
{
	memset(id, 0, sizeof *id);
	int64_t ngd = 0, ntd = 0;
	for (int i = 0; i < s->nf; i++)
		ngd += s->f[i].ng, ntd += s->f[i].nt;
	if (!ngd || !ntd) {
		id->idfn = ngd, id->idfp = ntd;
		return;
	}
	/* Frames each id pair overlaps with IoU >= 0.5 (no eps here). The
	 * (G+T)^2 FN+FP problem of TrackEval reduces to the G x T maximum
	 * weight matching of these counts: IDTP is that maximum. */
	size_t n = 0, cap = 0;
	int *pg = NULL, *pt = NULL;
	double *pw = NULL;
	for (int i = 0; i < s->nf; i++) {
		const eval_frame *f = &s->f[i];
		for (int g = 0; g < f->ng; g++)
			for (int j = 0; j < f->nt; j++)
				if (f->iou[g * f->nt + j] >= 0.5) {
					if (n == cap) {
						cap = cap ? 2 * cap : 1024;
						pg = xrealloc(pg, cap * sizeof *pg);
						pt = xrealloc(pt, cap * sizeof *pt);
						pw = xrealloc(pw, cap * sizeof *pw);
					}
					pg[n] = f->gi[g], pt[n] = f->ti[j], pw[n++] = 1;
				}
	}
	id->idtp = (int64_t)eval_max_matching(n, pg, pt, pw);
	id->idfn = ngd - id->idtp;
	id->idfp = ntd - id->idtp;
	free(pg), free(pt), free(pw);
}

void te_identity_combine(const te_identity *v, int n, te_identity *out)
{
	memset(out, 0, sizeof *out);
	for (int k = 0; k < n; k++)
		out->idtp += v[k].idtp, out->idfn += v[k].idfn, out->idfp += v[k].idfp;
}

void te_identity_scores_of(const te_identity *id, te_id_scores *r)
{
	r->idr = id->idtp / dmax(1, (double)(id->idtp + id->idfn));
	r->idp = id->idtp / dmax(1, (double)(id->idtp + id->idfp));
	r->idf1 = id->idtp / dmax(1, id->idtp + 0.5 * id->idfp + 0.5 * id->idfn);
}

void te_count_eval(const eval_seq *s, te_count *c)
{
	memset(c, 0, sizeof *c);
	char *g = xcalloc((size_t)s->ngid + 1, 1), *t = xcalloc((size_t)s->ntid + 1, 1);
	for (int i = 0; i < s->nf; i++) {
		const eval_frame *f = &s->f[i];
		c->gt_dets += f->ng, c->dets += f->nt;
		for (int k = 0; k < f->ng; k++)
			if (!g[f->gi[k]])
				g[f->gi[k]] = 1, c->gt_ids++;
		for (int k = 0; k < f->nt; k++)
			if (!t[f->ti[k]])
				t[f->ti[k]] = 1, c->ids++;
	}
	c->frames = s->frames;
	free(g), free(t);
}
