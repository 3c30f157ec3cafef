#include "track/cgraph.h"
#include "box.h"
#include "err.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cg_opts_default(cg_opts *o)
{
	cg_opts_paper(o);
	o->metric = CG_EMBED | CG_MASK_IOU;
	o->ml_iou = 0.5;
}

void cg_opts_paper(cg_opts *o)
{
	o->alpha_t = 1;
	o->iou_thr = 0.0;
	o->embed_thr = 2.5;
	o->metric = CG_MASK_IOU;
	o->ml_iou = 1;
}

/* Mask IoU of a and b (box IoU when either has no mask), or -1 with a
 * message in err when the mask sizes differ. */
static double mask_iou(const cg_node *a, const cg_node *b, char *err, size_t errn)
{
	if (!a->rle || !b->rle)
		return box_iou(box_of(a->box), box_of(b->box));
	double iou = rle_iou_bb(a->rle, a->bb, b->rle, b->bb, 0);
	if (iou < 0)
		errf(err, errn, "mask sizes differ (%ux%u and %ux%u)", a->rle->h, a->rle->w, b->rle->h,
		     b->rle->w);
	return iou;
}

int cg_temporal_cl(const cg_opts *o, const cg_node *a, const cg_node *b, char *err, size_t errn)
{
	if (o->metric & CG_EMBED) {
		if (!a->z || !b->z)
			return errf(err, errn, "key %lld has no z (run ae-embed first)",
				    (long long)(a->z ? b->k : a->k));
		if (a->zdim != b->zdim)
			return errf(err, errn, "z lengths differ (%u and %u)", a->zdim, b->zdim);
		double s = 0;
		for (uint32_t i = 0; i < a->zdim; i++) {
			double d = (double)a->z[i] - b->z[i];
			s += d * d;
		}
		if (sqrt(s) < o->embed_thr)
			return 0;
	}
	if (o->metric & CG_MASK_IOU) {
		double iou = mask_iou(a, b, err, errn);
		if (iou < 0)
			return -1;
		if (iou > o->iou_thr)
			return 0;
	}
	if ((o->metric & CG_BOX_IOU) && box_iou(box_of(a->box), box_of(b->box)) > o->iou_thr)
		return 0;
	return o->metric != 0;
}

/* A held detection owns copies of its mask runs and latent vector; the
 * buffers are reused as slots are recycled. */
typedef struct slot {
	cg_node n;
	rle_t rle;
	size_t rle_cap;
	float *z;
	size_t z_cap;
} slot;

struct cgraph {
	cg_opts o;
	slot *s;            /* ring of cap slots */
	size_t head, len, cap;
};

cgraph *cg_new(const cg_opts *o)
{
	cgraph *g = xcalloc(1, sizeof *g);
	g->o = *o;
	g->cap = 16;
	g->s = xcalloc(g->cap, sizeof *g->s);
	return g;
}

void cg_free(cgraph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->cap; i++) {
		free(g->s[i].rle.cnts);
		free(g->s[i].z);
	}
	free(g->s);
	free(g);
}

void cg_reset(cgraph *g)
{
	g->head = g->len = 0;
}

size_t cg_held(const cgraph *g)
{
	return g->len;
}

static slot *at(const cgraph *g, size_t i)
{
	return &g->s[(g->head + i) % g->cap];
}

static void grow(cgraph *g)
{
	size_t cap = g->cap * 2;
	slot *s = xcalloc(cap, sizeof *s);
	for (size_t i = 0; i < g->cap; i++) {
		s[i] = g->s[(g->head + i) % g->cap];   /* the whole ring, buffers too */
		if (s[i].n.rle)
			s[i].n.rle = &s[i].rle;        /* it pointed into the old array */
	}
	free(g->s);
	g->s = s, g->head = 0, g->cap = cap;
}

static void hold(slot *s, const cg_node *d)
{
	s->n = *d;
	if (d->rle) {
		rle_copy_into(&s->rle, &s->rle_cap, d->rle);
		s->n.rle = &s->rle;
	}
	if (d->z) {
		if (s->z_cap < d->zdim) {
			s->z_cap = d->zdim;
			free(s->z);
			s->z = xmalloc(s->z_cap * sizeof *s->z);
		}
		memcpy(s->z, d->z, d->zdim * sizeof *s->z);
		s->n.z = s->z;
	}
}

static void push_key(cg_keys *out, int64_t k)
{
	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 16;
		out->k = xrealloc(out->k, out->cap * sizeof *out->k);
	}
	out->k[out->n++] = k;
}

int cg_add(cgraph *g, const cg_node *d, cg_keys *out, char *err, size_t errn)
{
	out->n = 0;
	if (g->len && d->f < at(g, g->len - 1)->n.f)
		return errf(err, errn, "frame %lld after frame %lld: frames must not decrease",
			    (long long)d->f, (long long)at(g, g->len - 1)->n.f);
	/* Drop what is now out of range; the newest frames stay at the back. */
	while (g->len && at(g, 0)->n.f < d->f - g->o.alpha_t) {
		g->head = (g->head + 1) % g->cap;
		g->len--;
	}
	for (size_t i = 0; i < g->len; i++) {
		const cg_node *e = &at(g, i)->n;
		int cl = 1;
		if (e->f != d->f && (cl = cg_temporal_cl(&g->o, d, e, err, errn)) < 0)
			return -1;
		if (cl)
			push_key(out, e->k);
	}
	if (g->len == g->cap)
		grow(g);
	hold(at(g, g->len), d);
	g->len++;
	return 0;
}

int cg_must_links(const cgraph *g, const cg_node *d, cg_keys *out, char *err, size_t errn)
{
	out->n = 0;
	if (g->o.ml_iou >= 1)
		return 0;
	for (size_t i = 0; i < g->len; i++) {
		const cg_node *e = &at(g, i)->n;
		if (e->f >= d->f || e->f < d->f - g->o.alpha_t)
			continue;
		double iou = mask_iou(e, d, err, errn);
		if (iou < 0)
			return -1;
		if (iou > g->o.ml_iou)
			push_key(out, e->k);
	}
	return 0;
}
