#include "track/ioutrack.h"
#include "box.h"
#include "err.h"

#include <stdlib.h>
#include <string.h>

void iou_opts_default(iou_opts *o)
{
	o->thr = 0.5;
	o->max_age = 1;
}

typedef struct track {
	int64_t id, last_f;
	float box[4];
	int has_rle;
	rle_t rle;
	rle_box bb;
	size_t rle_cap;
} track;

typedef struct pair {
	double iou;
	uint32_t t, d;
} pair;

struct ioutrack {
	iou_opts o;
	track *tr;
	size_t n, cap;
	int64_t next_id, last_f;
	int started;
	pair *pairs;
	size_t pcap;
	uint8_t *used;
	size_t ucap;
	iou_det *fd;            /* the frame being added (iout_add) */
	rle_t *fm;              /* its masks */
	int64_t *fids;
	size_t fn, fcap;
};

ioutrack *iout_new(const iou_opts *o)
{
	ioutrack *t = xcalloc(1, sizeof *t);
	t->o = *o;
	t->next_id = 1;
	return t;
}

void iout_free(ioutrack *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++)
		free(t->tr[i].rle.cnts);
	free(t->tr);
	free(t->pairs);
	free(t->used);
	for (size_t i = 0; i < t->fn; i++)
		if (t->fd[i].rle)
			rle_free(&t->fm[i]);
	free(t->fd), free(t->fm), free(t->fids);
	free(t);
}

void iout_reset(ioutrack *t)
{
	t->n = 0;
	t->next_id = 1;
	t->started = 0;
	for (size_t i = 0; i < t->fn; i++)
		if (t->fd[i].rle)
			rle_free(&t->fm[i]);
	t->fn = 0;
}

size_t iout_live(const ioutrack *t)
{
	return t->n;
}

static void keep(track *tr, const iou_det *d, int64_t f)
{
	memcpy(tr->box, d->box, sizeof tr->box);
	tr->last_f = f;
	tr->has_rle = d->rle != NULL;
	if (!d->rle)
		return;
	rle_copy_into(&tr->rle, &tr->rle_cap, d->rle);
	tr->bb = rle_bbox(&tr->rle);
}

static int cmp_pair(const void *a, const void *b)
{
	const pair *x = a, *y = b;
	if (x->iou != y->iou)
		return x->iou < y->iou ? 1 : -1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->d > y->d) - (x->d < y->d);
}

int iout_frame(ioutrack *t, int64_t f, const iou_det *det, size_t n, int64_t *ids,
	       char *err, size_t errn)
{
	if (t->started && f <= t->last_f)
		return errf(err, errn, "frame %lld after frame %lld: frames must increase",
			    (long long)f, (long long)t->last_f);
	t->started = 1, t->last_f = f;
	/* tracks too old to match are forgotten (their slots, buffers kept) */
	size_t live = 0;
	for (size_t i = 0; i < t->n; i++) {
		if (f - t->tr[i].last_f > t->o.max_age)
			continue;
		if (live != i) {
			track tmp = t->tr[live];
			t->tr[live] = t->tr[i];
			t->tr[i] = tmp;
		}
		live++;
	}
	t->n = live;

	size_t np = 0;
	for (size_t i = 0; i < t->n; i++) {
		const track *tr = &t->tr[i];
		for (size_t j = 0; j < n; j++) {
			double iou;
			if (tr->has_rle && det[j].rle) {
				iou = rle_iou_bb(&tr->rle, tr->bb, det[j].rle, rle_bbox(det[j].rle), 0);
				if (iou < 0)
					return errf(err, errn, "mask sizes differ (%ux%u and %ux%u)",
						    tr->rle.h, tr->rle.w, det[j].rle->h, det[j].rle->w);
			} else {
				iou = box_iou(box_of(tr->box), box_of(det[j].box));
			}
			if (iou < t->o.thr || iou <= 0)
				continue;
			if (np == t->pcap) {
				t->pcap = t->pcap ? t->pcap * 2 : 64;
				t->pairs = xrealloc(t->pairs, t->pcap * sizeof *t->pairs);
			}
			t->pairs[np++] = (pair){iou, (uint32_t)i, (uint32_t)j};
		}
	}
	if (np)
		qsort(t->pairs, np, sizeof *t->pairs, cmp_pair);
	size_t nt = t->n;
	if (t->ucap < nt + n) {
		t->ucap = (nt + n) * 2;
		t->used = xrealloc(t->used, t->ucap);
	}
	uint8_t *tused = t->used, *dused = t->used + nt;
	memset(t->used, 0, nt + n);
	for (size_t p = 0; p < np; p++) {
		const pair *q = &t->pairs[p];
		if (tused[q->t] || dused[q->d])
			continue;
		tused[q->t] = dused[q->d] = 1;
		ids[q->d] = t->tr[q->t].id;
		keep(&t->tr[q->t], &det[q->d], f);
	}
	for (size_t j = 0; j < n; j++) {
		if (dused[j])
			continue;
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 16;
			t->tr = xrealloc(t->tr, cap * sizeof *t->tr);
			memset(t->tr + t->cap, 0, (cap - t->cap) * sizeof *t->tr);
			t->cap = cap;
		}
		track *tr = &t->tr[t->n++];
		tr->id = ids[j] = t->next_id++;
		keep(tr, &det[j], f);
	}
	return 0;
}

int iout_add(ioutrack *t, const char *rle, uint32_t h, uint32_t w, const float *box,
	     char *err, size_t errn)
{
	if (!rle && !box)
		return errf(err, errn, "no rle and no box");
	if (t->fn == t->fcap) {
		t->fcap = t->fcap ? t->fcap * 2 : 64;
		t->fd = xrealloc(t->fd, t->fcap * sizeof *t->fd);
		t->fm = xrealloc(t->fm, t->fcap * sizeof *t->fm);
		t->fids = xrealloc(t->fids, t->fcap * sizeof *t->fids);
	}
	iou_det *e = &t->fd[t->fn];
	e->rle = NULL;
	if (box)
		memcpy(e->box, box, sizeof e->box);
	if (rle) {
		char why[256];
		if (rle_from_string(&t->fm[t->fn], rle, h, w, why, sizeof why) != 0)
			return errf(err, errn, "rle: %s", why);
		e->rle = &t->fm[t->fn];
		if (!box) {
			rle_box b = rle_bbox(e->rle);
			e->box[0] = (float)b.x, e->box[1] = (float)b.y;
			e->box[2] = (float)b.w, e->box[3] = (float)b.h;
		}
	}
	t->fn++;
	return 0;
}

int iout_end_frame(ioutrack *t, int64_t f, const int64_t **ids, char *err, size_t errn)
{
	int rc = iout_frame(t, f, t->fd, t->fn, t->fids, err, errn);
	for (size_t i = 0; i < t->fn; i++)
		if (t->fd[i].rle)
			rle_free(&t->fm[i]);
	t->fn = 0;
	*ids = t->fids;
	return rc;
}
