#include "eval/eval_motstools.h"
#include "err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One ground-truth trajectory: the matched result id (dense) in every
 * frame where the object is present, -1 when it is missed. */
typedef struct {
	int *v;
	int n, cap;
} traj;

static void push(traj *t, int x)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->v = xrealloc(t->v, (size_t)t->cap * sizeof *t->v);
	}
	t->v[t->n++] = x;
}

/* MT/PT/ML, IDS and Frag of one trajectory, statement by statement as
 * MOTS_metrics.py (itself the KITTI devkit without ignored gt frames). */
static void score_traj(const traj *tr, mt_counts *c)
{
	const int *g = tr->v;
	int n = tr->n, any = 0;
	for (int f = 0; f < n; f++)
		any |= g[f] != -1;
	if (!any) {
		c->ml++;
		return;
	}
	int last = g[0], tracked = g[0] >= 0, f;
	for (f = 1; f < n; f++) {
		if (last != g[f] && last != -1 && g[f] != -1)
			c->ids++;
		if (f < n - 1 && g[f - 1] != g[f] && last != -1 && g[f] != -1 && g[f + 1] != -1)
			c->frag++;
		if (g[f] != -1) {
			tracked++;
			last = g[f];
		}
	}
	/* The last frame, with f left at n - 1 by the loop (last updated). */
	f = n - 1;
	if (n > 1 && g[f - 1] != g[f] && last != -1 && g[f] != -1)
		c->frag++;
	double ratio = tracked / (double)n;
	if (ratio > 0.8)
		c->mt++;
	else if (ratio < 0.2)
		c->ml++;
	else
		c->pt++;
}

void mt_eval(const eval_seq *s, mt_counts *c)
{
	memset(c, 0, sizeof *c);
	traj *tr = xcalloc((size_t)s->ngid + 1, sizeof *tr);
	char *valid = NULL;
	int vcap = 0;
	for (int i = 0; i < s->nf; i++) {
		const eval_frame *f = &s->f[i];
		if (f->nt >= vcap) {
			vcap = f->nt + 1;
			valid = xrealloc(valid, (size_t)vcap);
		}
		memset(valid, 0, (size_t)f->nt);
		c->n_gt += f->ng, c->n_tr += f->nt;
		int tp = 0;
		for (int g = 0; g < f->ng; g++) {
			traj *t = &tr[f->gi[g]];
			push(t, -1);
			/* Every pair above 0.5 counts (with non-overlapping masks
			 * there is at most one per row and column). */
			for (int j = 0; j < f->nt; j++) {
				double iou = f->iou[g * f->nt + j];
				if (iou > 0.5) {
					valid[j] = 1;
					c->soft_tp += iou;
					t->v[t->n - 1] = f->ti[j];
					tp++;
				}
			}
		}
		int ign = 0;
		for (int j = 0; j < f->nt; j++)
			if (f->ioa[j] > 0.5 && !valid[j])
				ign++;
		c->tp += tp;
		c->fn += f->ng - tp;
		c->fp += f->nt - tp - ign;
		c->n_ign += ign;
	}
	for (int g = 0; g < s->ngid; g++) {
		if (tr[g].n)
			score_traj(&tr[g], c), c->tracks++;
		free(tr[g].v);
	}
	free(tr);
	free(valid);
}

void mt_add(mt_counts *a, const mt_counts *c)
{
	a->tp += c->tp, a->fp += c->fp, a->fn += c->fn, a->ids += c->ids, a->frag += c->frag;
	a->mt += c->mt, a->pt += c->pt, a->ml += c->ml, a->tracks += c->tracks;
	a->n_gt += c->n_gt, a->n_tr += c->n_tr, a->n_ign += c->n_ign;
	a->soft_tp += c->soft_tp;
}

void mt_scores_of(const mt_counts *c, mt_scores *r)
{
	if (c->tp + c->fp == 0 || c->tp + c->fn == 0)
		r->recall = r->precision = 0;
	else {
		r->recall = c->tp / (double)(c->tp + c->fn);
		r->precision = c->tp / (double)(c->tp + c->fp);
	}
	if (c->n_gt == 0)
		r->motsa = r->modsa = r->smotsa = -INFINITY;
	else {
		r->motsa = 1 - (c->fn + c->fp + c->ids) / (double)c->n_gt;
		r->modsa = 1 - (c->fn + c->fp) / (double)c->n_gt;
		r->smotsa = (c->soft_tp - c->fp - c->ids) / (double)c->n_gt;
	}
	/* no true positive: 0, as TrackEval divides by max(1, TP) (mots_tools
	 * gives inf, which no table or JSON reader takes well) */
	r->motsp = c->tp ? c->soft_tp / c->tp : 0;
}
