#include "eval/eval_mot2d.h"
#include "err.h"
#include "eval/lap.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EPS DBL_EPSILON   /* np.finfo('float').eps */

int mot2d_has_classes(const eval_objs *gt)
{
	for (size_t i = 0; i < gt->n; i++)
		if (gt->o[i].cls != -1)
			return 1;
	return 0;
}

int mot2d_check(const eval_objs *gt, const eval_objs *res, int classes, char *err, size_t errn)
{
	for (size_t i = 0; classes && i < gt->n; i++)
		if (gt->o[i].cls < 1 || gt->o[i].cls > 13)
			return errf(err, errn, "%s:%u: ground-truth class %d is not a MOTChallenge class (1..13)",
				    gt->src, gt->o[i].line, gt->o[i].cls);
	for (size_t i = 0; i < res->n; i++)
		if (res->o[i].cls > 1)
			return errf(err, errn, "%s:%u: result class %d: only pedestrians (1, or -1) are scored",
				    res->src, res->o[i].line, res->o[i].cls);
	return 0;
}

double mot2d_iou(const double *a, const double *b)
{
	/* Term by term as TrackEval: corners first, areas from the corners. */
	double ax1 = a[0] + a[2], ay1 = a[1] + a[3], bx1 = b[0] + b[2], by1 = b[1] + b[3];
	double iw = fmax(fmin(ax1, bx1) - fmax(a[0], b[0]), 0);
	double ih = fmax(fmin(ay1, by1) - fmax(a[1], b[1]), 0);
	double in = iw * ih;
	double a1 = (ax1 - a[0]) * (ay1 - a[1]), a2 = (bx1 - b[0]) * (by1 - b[1]);
	double un = a1 + a2 - in;
	if (a1 <= 0 + EPS || a2 <= 0 + EPS || un <= 0 + EPS)
		return 0;
	return in / un;
}

static int mot2d_distractor(int cls)
{
	return cls == 2 || cls == 7 || cls == 8 || cls == 12;
}

/* Results of one frame matched to a distractor: drop[j] = 1. */
static void mot2d_distractors(const eval_obj *const *g, int ng, const eval_obj *const *t, int nt,
			      const double *iou, int *drop)
{
	double *m = xmalloc(((size_t)ng * nt + 1) * sizeof *m);
	int *c4r = xmalloc(((size_t)ng + 1) * sizeof *c4r);
	for (int k = 0; k < ng * nt; k++)
		m[k] = iou[k] < 0.5 - EPS ? 0 : iou[k];
	if (lap_solve(ng, nt, m, 1, c4r) != LAP_OK)
		die("assignment failed (NaN in a box)");
	for (int i = 0; i < ng; i++)
		if (c4r[i] >= 0 && m[i * nt + c4r[i]] > 0 + EPS && mot2d_distractor(g[i]->cls))
			drop[c4r[i]] = 1;
	free(m), free(c4r);
}

static double mot2d_pair(const eval_obj *g, const eval_obj *t)
{
	double a[4] = { g->bx, g->by, g->w, g->h }, b[4] = { t->bx, t->by, t->w, t->h };
	return mot2d_iou(a, b);
}

int mot2d_seq(eval_seq *s, const eval_objs *gt, const eval_objs *res, int classes,
	      int64_t *removed, char *err, size_t errn)
{
	eval_walk wk = { 0 };
	size_t cap = 0;
	const eval_obj **g = NULL, **t = NULL;
	int64_t *gid = NULL, *tid = NULL;
	int *drop = NULL, *keep = NULL;
	double *iou = NULL;
	*removed = 0;
	while (eval_walk_next(&wk, gt, res)) {
		int64_t fr = wk.frame;
		size_t ga = wk.ga, gb = wk.gb, ra = wk.ra, rb = wk.rb;
		int ng = (int)(gb - ga), nt = (int)(rb - ra);
		if ((size_t)ng * nt + ng + nt + 1 > cap) {
			cap = (size_t)ng * nt + ng + nt + 1;
			g = xrealloc(g, cap * sizeof *g), t = xrealloc(t, cap * sizeof *t);
			gid = xrealloc(gid, cap * sizeof *gid), tid = xrealloc(tid, cap * sizeof *tid);
			drop = xrealloc(drop, cap * sizeof *drop), keep = xrealloc(keep, cap * sizeof *keep);
			iou = xrealloc(iou, cap * sizeof *iou);
		}
		for (int i = 0; i < ng; i++)
			g[i] = &gt->o[ga + i];
		for (int j = 0; j < nt; j++)
			t[j] = &res->o[ra + j], drop[j] = 0;
		for (int i = 0; i < ng; i++)
			for (int j = 0; j < nt; j++)
				iou[i * nt + j] = mot2d_pair(g[i], t[j]);
		if (classes && ng && nt)
			mot2d_distractors(g, ng, t, nt, iou, drop);
		/* What stays: results not dropped, pedestrians not zero-marked. */
		int kgn = 0, ktn = 0;
		for (int i = 0; i < ng; i++)
			if (!(fabs(g[i]->conf) < 1) &&   /* int(conf) != 0 */
			     (!classes || g[i]->cls == 1))
				keep[kgn] = i, gid[kgn++] = g[i]->id;
		for (int j = 0; j < nt; j++) {
			if (drop[j])
				(*removed)++;
			else
				drop[ktn] = j, tid[ktn++] = t[j]->id;   /* drop[] now lists the kept */
		}
		if (!kgn && !ktn)
			continue;
		eval_frame *f = eval_seq_add(s, fr, kgn, gid, ktn, tid);
		for (int a = 0; a < kgn; a++)
			for (int b = 0; b < ktn; b++)
				f->iou[a * ktn + b] = iou[keep[a] * nt + drop[b]];
	}
	free(g), free(t), free(gid), free(tid), free(drop), free(keep), free(iou);
	return eval_seq_index(s, err, errn);
}
