/* motion.c: the occlusion guard, the motion gate and its exit rule, the
 * velocity carry (motion.h). */
#include "track/motion.h"
#include "box.h"

void motion_mark_occluded(ck_wdet *w, size_t n, double margin)
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
				if (w[i].box && w[j].box &&
				    box_near(box_of(w[i].box), box_of(w[j].box), margin))
					w[i].occluded = w[j].occluded = 1;
	}
}

size_t motion_links(const ck_wdet *w, size_t n, const uint32_t *grp, size_t ng, uint8_t *cl,
		    const motion_gate *g)
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
		const float *prev = NULL;
		box last = box_of(w[l].box);
		int64_t fl = w[l].f, fp = 0;
		for (size_t j = l + 1; j < n; j++)
			if (w[j].id == w[i].id && w[j].box && !w[j].occluded && w[j].f < fl &&
			    (!prev || w[j].f > fp))
				prev = w[j].box, fp = w[j].f;
		double v[2] = {0, 0};
		if (!prev && w[l].vel)
			v[0] = w[l].vel[0], v[1] = w[l].vel[1];
		if (prev)
			box_velocity(last, fl, box_of(prev), fp, v);
		for (size_t j = 0; j < n; j++) {
			if (w[j].id != 0 || !w[j].box || w[j].f <= w[i].f)
				continue;
			box pred = box_predict(last, v, (double)(w[j].f - fl)), bj = box_of(w[j].box);
			/* an occluded box, or a prediction from one, only has to
			 * lie mostly inside the other: a partly hidden object's
			 * box shrinks and shifts within its whole box */
			int off = w[j].occluded || w[l].occluded ? box_iomin(pred, bj) <= g->overlap
								 : box_iou(pred, bj) <= g->iou;
			if (box_exits(last, pred, g->width, g->height, g->exit))
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

/* The largest side of a and b. */
static double max_side(box a, box b)
{
	double s = a.w > a.h ? a.w : a.h;
	s = b.w > s ? b.w : s;
	return b.h > s ? b.h : s;
}

size_t motion_jumps(const ck_wdet *w, size_t n, const uint32_t *grp, size_t ng, uint8_t *cl,
		    double jump)
{
	size_t added = 0;
	if (jump < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i].id != 0 || !w[i].box)
			continue;
		box a = box_of(w[i].box);
		for (size_t j = i + 1; j < n; j++) {
			if (w[j].id != 0 || !w[j].box || w[j].f == w[i].f || grp[i] == grp[j])
				continue;
			box b = box_of(w[j].box);
			double df = (double)(w[j].f > w[i].f ? w[j].f - w[i].f : w[i].f - w[j].f);
			if (box_near(a, b, jump * max_side(a, b) * df))
				continue;
			uint8_t *e = &cl[(size_t)grp[i] * ng + grp[j]];
			if (!*e) {
				*e = cl[(size_t)grp[j] * ng + grp[i]] = 1;
				added++;
			}
		}
	}
	return added;
}

void motion_carry(size_t s, size_t len, motion_held (*at)(void *ctx, size_t i), void *ctx)
{
	for (size_t i = s; i < len; i++) {
		motion_held r = at(ctx, i);
		if (r.id <= 0 || !r.box)
			continue;
		if (r.occluded) {
			/* a partly hidden box moves as the track did before */
			for (size_t j = i; j-- > 0;) {
				motion_held q = at(ctx, j);
				if (q.id == r.id && *q.has_vel && q.f < r.f) {
					r.vel[0] = q.vel[0], r.vel[1] = q.vel[1];
					*r.has_vel = 1;
					break;
				}
			}
			continue;
		}
		motion_held p = {0};
		for (size_t j = i; j-- > 0;) {
			motion_held q = at(ctx, j);
			if (q.id == r.id && q.box && !q.occluded && q.f < r.f) {
				p = q;
				break;
			}
		}
		if (!p.box)
			continue;
		box_velocity(box_of(r.box), r.f, box_of(p.box), p.f, r.vel);
		*r.has_vel = 1;
	}
}
