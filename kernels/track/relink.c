/* relink.c: the memory of lost tracks (relink.h). */
#include <stdlib.h>
#include <string.h>

#include "box.h"
#include "err.h"
#include "track/relink.h"

typedef struct lost {
	int64_t id, f, pf;      /* track, its latest frame, the one before (pf < f; INT64_MIN: none) */
	float box[4], prev[4];
	int taken;              /* given to a new track, not offered again */
} lost;

struct relinker {
	lost *t;
	size_t n, cap;
	double width, height, exit;   /* the exit rule (rl_set_scene); exit < 0: none */
};

relinker *rl_new(void)
{
	relinker *m = xcalloc(1, sizeof(relinker));
	m->exit = -1;
	return m;
}

void rl_set_scene(relinker *m, double width, double height, double exit)
{
	m->width = width, m->height = height, m->exit = exit;
}

void rl_free(relinker *m)
{
	if (!m)
		return;
	free(m->t);
	free(m);
}

void rl_reset(relinker *m)
{
	m->n = 0;
}

size_t rl_held(const relinker *m)
{
	return m->n;
}

void rl_see(relinker *m, int64_t id, int64_t f, const float box[4])
{
	lost *e = NULL;
	for (size_t i = 0; i < m->n && !e; i++)
		if (m->t[i].id == id)
			e = &m->t[i];
	if (!e) {
		if (m->n == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 32;
			m->t = xrealloc(m->t, m->cap * sizeof *m->t);
		}
		e = &m->t[m->n++];
		*e = (lost){.id = id, .f = f, .pf = INT64_MIN};
		memcpy(e->box, box, sizeof e->box);
		return;
	}
	if (f > e->f) {
		memcpy(e->prev, e->box, sizeof e->prev);
		e->pf = e->f;
		e->f = f;
		memcpy(e->box, box, sizeof e->box);
		e->taken = 0;
	} else if (f < e->f && f > e->pf) {
		e->pf = f;
		memcpy(e->prev, box, sizeof e->prev);
	}
}

void rl_forget(relinker *m, int64_t f)
{
	size_t j = 0;
	for (size_t i = 0; i < m->n; i++)
		if (m->t[i].f >= f)
			m->t[j++] = m->t[i];
	m->n = j;
}

int64_t rl_match(relinker *m, int64_t f, const float first[4], int64_t lost_before, int64_t max_gap,
		 double thr)
{
	lost *best = NULL;
	double best_iou = 0;
	for (size_t i = 0; i < m->n; i++) {
		lost *e = &m->t[i];
		if (e->taken || e->f >= lost_before || e->f >= f || f - e->f - 1 > max_gap)
			continue;
		/* the last box where it was and moved on at the velocity of
		 * its last two box centres: whichever overlaps more (a
		 * velocity from two boxes can be noise, or the object stopped) */
		box last = box_of(e->box), b = box_of(first);
		double iou = box_iou(last, b);
		if (e->pf != INT64_MIN) {
			double v[2];
			box_velocity(last, e->f, box_of(e->prev), e->pf, v);
			box pred = box_predict(last, v, (double)(f - e->f));
			if (box_exits(last, pred, m->width, m->height, m->exit))
				continue;
			double moved = box_iou(pred, b);
			iou = moved > iou ? moved : iou;
		}
		if (iou >= thr && iou > best_iou)
			best = e, best_iou = iou;
	}
	if (!best)
		return 0;
	best->taken = 1;
	return best->id;
}
