/* motion.c: the occlusion guard, the motion gate and its exit rule, the
 * velocity carry (motion.h). */
#include "track/motion.h"
#include "box.h"

/* motion_links' scratch buffers */
enum { M_TRACKS, M_COLS, M_FITS };

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

/* A track as the motion gate sees it: the box it is predicted from, that
 * box's frame, its velocity, and whether that box is a partly hidden
 * object's visible one. */
typedef struct motion_track {
	size_t head;            /* its latest detection (window order) */
	box last;
	int64_t f;
	double v[2];
	int occluded;
	uint64_t frames;        /* bit k: it has a detection k frames before its latest */
} motion_track;

/* The track whose latest detection is w[i]. With whole boxes: that
 * detection's whole box and velocity (motion_carry). Else: its latest box
 * not marked occluded (else i's own), at the velocity from the latest
 * unmarked one of an earlier frame (else i's carried velocity). */
static motion_track track_of(const ck_wdet *w, size_t n, size_t i, int whole)
{
	motion_track m = {.head = i};
	if (whole && w[i].whole) {
		m.last = box_of(w[i].whole), m.f = w[i].f;
		if (w[i].vel)
			m.v[0] = w[i].vel[0], m.v[1] = w[i].vel[1];
		return m;
	}
	size_t l = i;
	for (size_t j = i; j < n && w[l].occluded; j++)
		if (w[j].id == w[i].id && w[j].box && !w[j].occluded)
			l = j;
	const float *prev = NULL;
	m.last = box_of(w[l].box), m.f = w[l].f, m.occluded = w[l].occluded;
	int64_t fp = 0;
	for (size_t j = l + 1; j < n; j++)
		if (w[j].id == w[i].id && w[j].box && !w[j].occluded && w[j].f < m.f &&
		    (!prev || w[j].f > fp))
			prev = w[j].box, fp = w[j].f;
	if (prev)
		box_velocity(m.last, m.f, box_of(prev), fp, m.v);
	else if (w[l].vel)
		m.v[0] = w[l].vel[0], m.v[1] = w[l].vel[1];
	return m;
}

/* Whether whole box wb of detection w[j] is accounted for: at least
 * MOTION_HIDDEN_SEEN of it seen (its visible box vis), covered by the
 * other boxes of its frame or outside the image (a sum: boxes that
 * overlap count twice). Something must hide what is not seen. */
static int accounted(box wb, box vis, const ck_wdet *w, size_t n, size_t j, const motion_gate *g)
{
	double a = wb.w * wb.h;
	if (!(a > 0))
		return 1;
	double c = box_inter(wb, vis);
	if (g->width > 0 && g->height > 0)
		c += a - box_inter(wb, (box){0, 0, g->width, g->height});
	size_t b = j;   /* a frame's detections are adjacent in window order */
	while (b > 0 && w[b - 1].f == w[j].f)
		b--;
	for (size_t k = b; k < n && w[k].f == w[j].f && c < MOTION_HIDDEN_SEEN * a; k++)
		if (k != j && w[k].box)
			c += box_inter(wb, box_of(w[k].box));
	return c >= MOTION_HIDDEN_SEEN * a;
}

/* How well detection w[j] fits track m's prediction for its frame (before
 * or after the track's box): the IoU of the two; with whole boxes, an
 * occluded box is compared through the whole box it best fits (box_fit)
 * when something could hide the rest of it (accounted). -1 when the track
 * has left the scene by then (the exit rule, looking forward). Whether the
 * gate forbids the pair: *off. */
static double track_fit(const motion_gate *g, const motion_track *m, const ck_wdet *w, size_t n,
			size_t j, int *off)
{
	const ck_wdet *d = &w[j];
	box pred = box_predict(m->last, m->v, (double)(d->f - m->f));
	if (d->f > m->f && box_exits(m->last, pred, g->width, g->height, g->exit)) {
		*off = 1;
		return -1;
	}
	box b = box_of(d->box), wb = b;
	if (d->occluded) {
		wb = box_fit(pred, b);
		/* (b lies inside wb: when wb misses pred, so does b, and the
		 * fit is 0 either way) */
		if (g->whole && box_inter(pred, wb) > 0 && !accounted(wb, b, w, n, j, g))
			wb = b;   /* nothing hides the rest: only what is seen counts */
	}
	double fit = box_iou(pred, wb);
	/* an occluded box, or a prediction from one, has to lie mostly
	 * inside the other: a partly hidden object's box shrinks and shifts
	 * within its whole box */
	double share = box_iomin(pred, b);
	if (g->whole)
		*off = fit <= g->iou || (d->occluded && share <= g->overlap);
	else
		*off = d->occluded || m->occluded ? share <= g->overlap : fit <= g->iou;
	return fit;
}

static size_t forbid(uint8_t *cl, size_t ng, uint32_t a, uint32_t b)
{
	uint8_t *e = &cl[(size_t)a * ng + b];
	if (*e)
		return 0;
	*e = cl[(size_t)b * ng + a] = 1;
	return 1;
}

enum { NO_FIT = -2 };   /* a detection of the track's latest frame or before */

/* The claim rule (g->margin >= 0): a detection that fits one track's
 * prediction by at least MOTION_CLAIM_FIT, better by more than the
 * margin than it fits any other track, and better than any other
 * detection of its frame fits that track, belongs to that track or to
 * none: it cannot join the others. Where embeddings of objects that
 * cross or touch are alike, the one the motion picks out is not left to
 * them. fit: nt x nu, the fits of the tracks to the unassigned detections
 * (column col[j] for detection j). */
static size_t motion_claims(const ck_wdet *w, size_t n, const uint32_t *grp, size_t ng, uint8_t *cl,
			    const motion_gate *g, const motion_track *tr, size_t nt,
			    const double *fit, const size_t *col, size_t nu)
{
	size_t added = 0;
	for (size_t j = 0; j < n; j++) {
		if (col[j] == SIZE_MAX)
			continue;
		size_t best = nt;
		double fb = NO_FIT, second = NO_FIT;
		for (size_t h = 0; h < nt; h++) {
			double f = fit[h * nu + col[j]];
			if (f > fb)
				second = fb, fb = f, best = h;
			else if (f > second)
				second = f;
		}
		if (best == nt || fb < MOTION_CLAIM_FIT || second >= fb - g->margin)
			continue;
		int mine = 1;
		for (size_t k = 0; k < n && mine; k++)
			if (k != j && col[k] != SIZE_MAX && w[k].f == w[j].f &&
			    fit[best * nu + col[k]] >= fb - g->margin)
				mine = 0;
		for (size_t h = 0; h < nt && mine; h++)
			if (h != best)
				added += forbid(cl, ng, grp[tr[h].head], grp[j]);
	}
	return added;
}

size_t motion_links(scratch *ws, const ck_wdet *w, size_t n, const uint32_t *grp, size_t ng,
		    uint8_t *cl, const motion_gate *g)
{
	/* the tracks: their first detections in window order (of their
	 * latest frame); the unassigned detections with a box: columns */
	motion_track *tr = scratch_buf(ws, M_TRACKS, n, sizeof *tr);
	size_t *col = scratch_buf(ws, M_COLS, n, sizeof *col);
	size_t nt = 0, nu = 0, added = 0;
	for (size_t i = 0; i < n; i++) {
		col[i] = w[i].id == 0 && w[i].box ? nu++ : SIZE_MAX;
		if (w[i].id <= 0 || !w[i].box)
			continue;
		int seen = 0;
		for (size_t j = 0; j < i && !seen; j++)
			seen = w[j].id == w[i].id;
		if (!seen) {
			motion_track *m = &tr[nt++];
			*m = track_of(w, n, i, g->whole);
			for (size_t j = i; j < n; j++)
				if (w[j].id == w[i].id && w[i].f - w[j].f < 64)
					m->frames |= (uint64_t)1 << (w[i].f - w[j].f);
		}
	}
	double *fit = scratch_buf(ws, M_FITS, nt * nu, sizeof *fit);
	for (size_t h = 0; h < nt; h++)
		for (size_t j = 0; j < n; j++) {
			if (col[j] == SIZE_MAX)
				continue;
			double *f = &fit[h * nu + col[j]];
			*f = NO_FIT;
			int64_t fh = w[tr[h].head].f, back = fh - w[j].f;
			if (back >= 0 && back < 64 && (tr[h].frames >> back & 1))
				continue;   /* the same-frame cannot-links hold it off */
			int off;
			double x = track_fit(g, &tr[h], w, n, j, &off);
			if (off)
				added += forbid(cl, ng, grp[tr[h].head], grp[j]);
			if (w[j].f > fh)
				*f = x;   /* claims look forward */
		}
	if (g->margin >= 0)
		added += motion_claims(w, n, grp, ng, cl, g, tr, nt, fit, col, nu);
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
			if (!box_near(a, b, jump * max_side(a, b) * df))
				added += forbid(cl, ng, grp[i], grp[j]);
		}
	}
	return added;
}

/* The latest detection of r's track held before position i (and before
 * r's frame) for which has(q) holds; .box NULL when none. */
static motion_held earlier(size_t i, motion_held r, int (*has)(motion_held q),
			   motion_held (*at)(void *ctx, size_t i), void *ctx)
{
	for (size_t j = i; j-- > 0;) {
		motion_held q = at(ctx, j);
		if (q.id == r.id && q.f < r.f && q.box && has(q))
			return q;
	}
	return (motion_held){0};
}

static int has_vel(motion_held q) { return *q.has_vel; }
static int has_whole(motion_held q) { return *q.has_whole; }
static int unoccluded(motion_held q) { return !q.occluded; }

void motion_carry(size_t s, size_t len, int whole, motion_held (*at)(void *ctx, size_t i), void *ctx)
{
	for (size_t i = s; i < len; i++) {
		motion_held r = at(ctx, i);
		if (r.id <= 0 || !r.box)
			continue;
		if (whole) {
			/* the whole box, once: a partly hidden object's is its
			 * track's last whole box, moved on, fitted to its visible
			 * part; the velocity is the whole box's */
			motion_held q = earlier(i, r, has_whole, at, ctx);
			if (!*r.has_whole) {
				box b = box_of(r.box);
				if (r.occluded && q.box) {
					double v[2] = {0, 0};
					if (*q.has_vel)
						v[0] = q.vel[0], v[1] = q.vel[1];
					b = box_fit(box_predict(box_of(q.whole), v, (double)(r.f - q.f)), b);
				}
				float *o = r.whole;
				o[0] = (float)b.x, o[1] = (float)b.y, o[2] = (float)b.w, o[3] = (float)b.h;
				*r.has_whole = 1;
			}
			if (q.box) {
				box_velocity(box_of(r.whole), r.f, box_of(q.whole), q.f, r.vel);
				*r.has_vel = 1;
			}
		} else if (r.occluded) {
			/* a partly hidden box moves as the track did before */
			motion_held q = earlier(i, r, has_vel, at, ctx);
			if (q.box) {
				r.vel[0] = q.vel[0], r.vel[1] = q.vel[1];
				*r.has_vel = 1;
			}
		} else {
			motion_held p = earlier(i, r, unoccluded, at, ctx);
			if (p.box) {
				box_velocity(box_of(r.box), r.f, box_of(p.box), p.f, r.vel);
				*r.has_vel = 1;
			}
		}
	}
}
