/* ckmeans.c: the sliding-window tracker (ckmeans.h): the window, its
 * constraints, the clustering, the association, and the optional rules
 * (motion.h, relink.h) plugged in at the window's stages. */
#include "track/ckmeans.h"
#include "err.h"
#include "rng.h"
#include "track/kmeans.h"
#include "track/motion.h"
#include "track/relink.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* the window's scratch buffers */
enum {
	B_WPOS, B_Z, B_FR, B_WDET, B_CNT, B_FIRST, B_INIT, B_PAR, B_GRP, B_CL,
	B_KEYS, B_LAB, B_MEM, B_MOFF, B_MID, B_MSC, B_ROOT,
};

/* ---- the sliding window ---- */

void ck_opts_default(ck_opts *o)
{
	ck_opts_paper(o);
	o->order = CK_ORDER_NEAREST;
	o->centres = CK_CENTRES_TRACKS;
	o->motion = 1;
	o->motion_iou = 0.1;
	o->occlusion = 1;
	o->occlusion_overlap = 0.3;
	o->whole = 1;
	o->claim_margin = 0.1;
	o->exit = CK_EXIT_DEFAULT;
	o->jump = 1;
	o->relink = 16;
	o->relink_iou = 0.01;
}

void ck_opts_paper(ck_opts *o)
{
	o->window = 3;
	o->max_iter = 50;
	o->tol = 1e-4;
	o->constraints = 1;
	o->n_init = 10;
	o->kmeans_iter = 300;
	o->static_cl_all = 0;
	o->order = CK_ORDER_WINDOW;
	o->centres = CK_CENTRES_KEY;
	o->motion = 0;
	o->motion_iou = 0;
	o->occlusion = -1;
	o->occlusion_overlap = 0;
	o->whole = 0;
	o->claim_margin = -1;
	o->exit = -1;
	o->jump = -1;
	o->relink = 0;
	o->relink_iou = 0.1;
	assoc_opts_default(&o->assoc);
	o->seed = 1;
}

typedef struct ck_rule ck_rule;
enum { CK_RULES_MAX = 8 };

typedef struct rec {
	int64_t f, k, id;
	float score, box[4];
	double vel[2];          /* box-centre velocity (motion_carry) */
	float whole[4];         /* the whole box (motion_carry) */
	int has_score, has_box, has_vel, has_whole;
	int occl;               /* the occlusion guard's mark; -1: not yet known */
	float *z;
	int64_t *cl, *ml;
	uint32_t ncl, nml;
	size_t zcap, clcap, mlcap;
} rec;

struct cktrack {
	ck_opts o;
	rng r;
	scratch *ws;            /* the window's buffers */
	scratch *cws, *kws;     /* copk_cluster's, km_cluster's */
	scratch *mws;           /* motion_links' */
	relinker *rl;           /* lost tracks, with relink on */
	rec *q;                 /* ring of held detections, input order */
	size_t head, len, cap;
	size_t ready;           /* final ones at the front */
	int started;
	int64_t fr_start, last_f, next_id;
	uint32_t zdim;
	double width, height;   /* the image (ckt_set_image) */
	const ck_rule *rules[CK_RULES_MAX];   /* the optional rules the options turn on */
	size_t nrules;
	ck_stats st;
};

static void rules_select(cktrack *t);

cktrack *ckt_new(const ck_opts *o)
{
	cktrack *t = xcalloc(1, sizeof *t);
	t->o = *o;
	t->o.assoc.window = o->window;
	rng_seed(&t->r, o->seed);
	t->ws = scratch_new();
	t->cws = scratch_new();
	t->kws = scratch_new();
	t->mws = scratch_new();
	t->rl = rl_new();
	t->cap = 64;
	t->q = xcalloc(t->cap, sizeof *t->q);
	t->next_id = 1;
	rules_select(t);
	return t;
}

void ckt_free(cktrack *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++) {
		free(t->q[i].z);
		free(t->q[i].cl);
		free(t->q[i].ml);
	}
	free(t->q);
	scratch_free(t->ws);
	scratch_free(t->cws);
	scratch_free(t->kws);
	scratch_free(t->mws);
	rl_free(t->rl);
	free(t);
}

void ckt_reset(cktrack *t)
{
	t->head = t->len = t->ready = 0;
	t->started = 0;
	t->next_id = 1;
	rl_reset(t->rl);
}

void ckt_set_image(cktrack *t, double width, double height)
{
	t->width = width, t->height = height;
	rl_set_scene(t->rl, width, height, t->o.exit);
}

void ckt_set_exit(cktrack *t, double inset)
{
	t->o.exit = inset;
	rl_set_scene(t->rl, t->width, t->height, inset);
}

size_t ckt_ready(const cktrack *t)
{
	return t->ready;
}

size_t ckt_held(const cktrack *t)
{
	return t->len;
}

const ck_stats *ckt_stats(const cktrack *t)
{
	return &t->st;
}

static rec *qat(const cktrack *t, size_t i)
{
	return &t->q[(t->head + i) % t->cap];
}

int64_t ckt_pop(cktrack *t)
{
	if (!t->ready)
		return 0;
	int64_t id = qat(t, 0)->id;
	t->head = (t->head + 1) % t->cap;
	t->len--, t->ready--;
	return id;
}

static void *copy_into(void *dst, size_t *cap, const void *src, size_t n, size_t sz)
{
	if (*cap < n) {
		*cap = n + n / 2 + 4;
		free(dst);
		dst = xmalloc(*cap * sz);
	}
	if (n)
		memcpy(dst, src, n * sz);
	return dst;
}

static uint32_t uf_find(uint32_t *p, uint32_t i)
{
	while (p[i] != i)
		i = p[i] = p[p[i]];
	return i;
}

static void uf_union(uint32_t *p, uint32_t a, uint32_t b)
{
	a = uf_find(p, a), b = uf_find(p, b);
	if (a != b)
		p[a > b ? a : b] = a < b ? a : b;   /* the earlier point is the root */
}

typedef struct { int64_t k; uint32_t w; } keypos;

static int cmp_key(const void *a, const void *b)
{
	int64_t x = ((const keypos *)a)->k, y = ((const keypos *)b)->k;
	return (x > y) - (x < y);
}

static int32_t lookup(const keypos *kp, size_t n, int64_t k)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (kp[mid].k < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && kp[lo].k == k ? (int32_t)kp[lo].w : -1;
}

size_t ck_key_frame(const size_t *count, size_t nf)
{
	size_t best = 0;
	for (size_t i = 1; i < nf; i++)
		if (count[i] > count[best] || (count[i] == count[best] && best != 0))
			best = i;
	return best;
}

size_t ck_constraints(scratch *ws, const ck_wdet *w, size_t n, int static_all,
		      uint32_t *grp, const uint8_t **clout)
{
	uint32_t *par = scratch_buf(ws, B_PAR, n, sizeof *par);
	keypos *kp = scratch_buf(ws, B_KEYS, n, sizeof *kp);
	for (size_t i = 0; i < n; i++) {
		par[i] = (uint32_t)i;
		kp[i].k = w[i].k, kp[i].w = (uint32_t)i;
	}
	qsort(kp, n, sizeof *kp, cmp_key);
	/* must-links: one component per track id, plus the stream's */
	for (size_t i = 0; i < n; i++) {
		if (w[i].id > 0)
			for (size_t j = 0; j < i; j++)
				if (w[j].id == w[i].id) {
					uf_union(par, (uint32_t)j, (uint32_t)i);
					break;
				}
		for (uint32_t e = 0; e < w[i].nml; e++) {
			int32_t j = lookup(kp, n, w[i].ml[e]);
			if (j >= 0)
				uf_union(par, (uint32_t)j, (uint32_t)i);
		}
	}
	uint32_t *root = scratch_buf(ws, B_ROOT, n, sizeof *root);
	size_t ng = 0;
	for (size_t i = 0; i < n; i++)
		root[i] = UINT32_MAX;
	for (size_t i = 0; i < n; i++) {
		uint32_t r = uf_find(par, (uint32_t)i);
		if (root[r] == UINT32_MAX)
			root[r] = (uint32_t)ng++;
		grp[i] = root[r];
	}
	/* cannot-links between components, closed over the must-links */
	uint8_t *cl = scratch_buf(ws, B_CL, ng * ng, 1);
	memset(cl, 0, ng * ng);
	for (size_t i = 0; i < n; i++) {
		for (uint32_t e = 0; e < w[i].ncl; e++) {
			int32_t j = lookup(kp, n, w[i].cl[e]);
			if (j < 0)
				continue;   /* out of the window */
			size_t later = w[j].f > w[i].f ? (size_t)j : i;
			if (w[j].f != w[i].f && w[later].id != 0 && !static_all)
				continue;   /* temporal links bind unlabelled detections */
			if (w[j].f != w[i].f && (w[i].occluded || w[j].occluded))
				continue;   /* the occlusion guard */
			cl[grp[i] * ng + grp[j]] = cl[grp[j] * ng + grp[i]] = 1;
		}
		if (w[i].id > 0)
			for (size_t j = 0; j < i; j++)
				if (w[j].id > 0 && w[j].id != w[i].id)
					cl[grp[i] * ng + grp[j]] = cl[grp[j] * ng + grp[i]] = 1;
	}
	*clout = cl;
	return ng;
}

/* Whether another detection of r's frame (from queue position s on)
 * already has id. With the same-frame cannot-links this never happens;
 * plain k-means can put two detections of one frame in one cluster, and
 * an id is kept unique within a frame by leaving the later one without. */
static int id_in_frame(const cktrack *t, size_t s, const rec *r, int64_t id)
{
	for (size_t i = s; i < t->len; i++) {
		const rec *q = qat(t, i);
		if (q != r && q->f == r->f && q->id == id)
			return 1;
	}
	return 0;
}

/* The latest detection of each track id in the window (the first in
 * window order), into out; returns how many. */
static size_t track_heads(const ck_wdet *w, size_t n, uint32_t *out)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i].id <= 0)
			continue;
		size_t j = 0;
		while (j < i && w[j].id != w[i].id)
			j++;
		if (j == i)
			out[m++] = (uint32_t)i;
	}
	return m;
}

/* One window being clustered, as the stages and the rules see it. */
typedef struct window {
	int64_t lo;             /* its first frame */
	size_t s, n;            /* queue position of its oldest detection; how many */
	uint32_t *wpos;         /* window order -> queue position */
	ck_wdet *wd;            /* the detections, window order */
	uint32_t *grp;          /* must-link components (with constraints) */
	size_t ng;
	uint8_t *cl;            /* ng x ng cannot-links (with constraints) */
} window;

/* An optional rule of the tracker (not in the paper), plugged in at the
 * stages of a window; a hook may be NULL. A new option is a new entry of
 * rules[] below, not a new branch of cluster_window(). */
struct ck_rule {
	int (*on)(const ck_opts *o);
	/* before the first centres are chosen: marks on the detections */
	void (*mark)(cktrack *t, window *w);
	/* with the constraints built: cannot-links of its own */
	void (*constrain)(cktrack *t, window *w);
	/* the cluster of m members at window positions mm (window order) has
	 * just become a new track, ids mid */
	void (*birth)(cktrack *t, window *w, const uint32_t *mm, size_t m, int64_t *mid);
	/* the window's ids are written */
	void (*after)(cktrack *t, window *w);
};

/* -- the occlusion guard (motion.h) -- */

static int occlusion_on(const ck_opts *o)
{
	return o->occlusion >= 0;
}

static void occlusion_mark(cktrack *t, window *w)
{
	motion_mark_occluded(w->wd, w->n, t->o.occlusion);
	for (size_t i = 0; i < w->n; i++) {
		rec *r = qat(t, w->wpos[i]);
		if (r->occl < 0)
			t->st.occluded += (uint64_t)w->wd[i].occluded;
		r->occl = w->wd[i].occluded;
	}
}

/* -- the motion gate, its exit rule and the velocity carry (motion.h) -- */

static int gate_on(const ck_opts *o)
{
	return o->motion;
}

static void gate_constrain(cktrack *t, window *w)
{
	motion_gate g = {.whole = t->o.whole, .iou = t->o.motion_iou, .overlap = t->o.occlusion_overlap,
			 .margin = t->o.claim_margin, .exit = t->o.exit,
			 .width = t->width, .height = t->height};
	t->st.motion_cl += motion_links(t->mws, w->wd, w->n, w->grp, w->ng, w->cl, &g);
}

static motion_held held_at(void *ctx, size_t i)
{
	rec *r = qat(ctx, i);
	return (motion_held){.f = r->f, .id = r->id, .box = r->has_box ? r->box : NULL,
			     .occluded = r->occl == 1, .vel = r->vel, .has_vel = &r->has_vel,
			     .whole = r->whole, .has_whole = &r->has_whole};
}

static void gate_after(cktrack *t, window *w)
{
	motion_carry(w->s, t->len, t->o.whole, held_at, t);
}

/* -- the jump limit (motion.h) -- */

static int jump_on(const ck_opts *o)
{
	return o->jump >= 0;
}

static void jump_constrain(cktrack *t, window *w)
{
	t->st.jump_cl += motion_jumps(w->wd, w->n, w->grp, w->ng, w->cl, t->o.jump);
}

/* -- relinking across gaps longer than the window (relink.h) -- */

static int relink_on(const ck_opts *o)
{
	return o->relink > 0;
}

/* If the new track's oldest box continues a track lost from the window
 * within the relink gap, the members take that track's id and the new id
 * is given back. */
static void relink_birth(cktrack *t, window *w, const uint32_t *mm, size_t m, int64_t *mid)
{
	const rec *first = NULL;
	for (size_t j = m; j-- > 0 && !first;)
		if (qat(t, w->wpos[mm[j]])->has_box)
			first = qat(t, w->wpos[mm[j]]);
	if (!first)
		return;
	int64_t id = rl_match(t->rl, first->f, first->box, w->lo, t->o.relink, t->o.relink_iou);
	if (!id)
		return;
	for (size_t j = 0; j < m; j++)
		mid[j] = id;
	t->next_id--;   /* the new id went to no one */
	t->st.relinked++;
}

static void relink_after(cktrack *t, window *w)
{
	for (size_t i = w->s; i < t->len; i++) {
		const rec *r = qat(t, i);
		if (r->id > 0 && r->has_box)
			rl_see(t->rl, r->id, r->f, r->box);
	}
	rl_forget(t->rl, w->lo - t->o.relink - 1);
}

/* The rules, in the order their hooks run. */
static const ck_rule rules[] = {
	{.on = occlusion_on, .mark = occlusion_mark},
	{.on = gate_on, .constrain = gate_constrain, .after = gate_after},
	{.on = jump_on, .constrain = jump_constrain},
	{.on = relink_on, .birth = relink_birth, .after = relink_after},
};
_Static_assert(sizeof rules / sizeof *rules <= CK_RULES_MAX, "CK_RULES_MAX too small");

static void rules_select(cktrack *t)
{
	t->nrules = 0;
	for (size_t i = 0; i < sizeof rules / sizeof *rules; i++)
		if (rules[i].on(&t->o))
			t->rules[t->nrules++] = &rules[i];
}

/* -- the stages of a window -- */

/* The first centres into init (cnt[i], first[i]: the detections of the
 * i-th of nf frames, window order, and where they start); returns k. */
static size_t first_centres(cktrack *t, const window *w, const size_t *cnt, const size_t *first,
			    size_t nf, uint32_t *init)
{
	size_t key = ck_key_frame(cnt, nf), k = cnt[key];
	size_t nt = t->o.centres == CK_CENTRES_TRACKS ? track_heads(w->wd, w->n, init) : 0;
	if (nt)
		return nt;   /* every track keeps a centre; newcomers join or open */
	for (size_t i = 0; i < k; i++)
		init[i] = (uint32_t)(first[key] + i);
	rng_shuffle_u32(&t->r, init, k);
	return k;
}

/* COP-KMeans under the window's constraints and the rules' (plain
 * k-means without constraints): lab gets the clusters; returns their
 * number. */
static size_t cluster(cktrack *t, window *w, const float *Z, const int64_t *frame,
		      const uint32_t *init, size_t k, uint32_t *lab)
{
	size_t n = w->n, d = t->zdim;
	double tol = km_tolerance(Z, n, d, t->o.tol);
	if (!t->o.constraints)
		return km_cluster(t->kws, Z, n, d, k, t->o.n_init, t->o.kmeans_iter, tol, &t->r, lab);
	w->grp = scratch_buf(t->ws, B_GRP, n, sizeof *w->grp);
	const uint8_t *cl;
	w->ng = ck_constraints(t->ws, w->wd, n, t->o.static_cl_all, w->grp, &cl);
	w->cl = (uint8_t *)cl;   /* this workspace's own buffer */
	for (size_t i = 0; i < t->nrules; i++)
		if (t->rules[i]->constrain)
			t->rules[i]->constrain(t, w);
	int it;
	size_t nc = copk_cluster(t->cws, Z, n, d, frame, w->grp, w->ng, w->cl, init, k,
				 t->o.max_iter, tol, t->o.order, lab, &it);
	t->st.iters += (uint64_t)it;
	t->st.unconverged += it >= t->o.max_iter;
	t->st.opened += nc > k ? nc - k : 0;
	return nc;
}

/* The association, cluster by cluster, members in window order: writes
 * the ids back to the queue. */
static void associate(cktrack *t, window *w, const uint32_t *lab, size_t nc)
{
	scratch *ws = t->ws;
	size_t n = w->n;
	uint32_t *moff = scratch_buf(ws, B_MOFF, nc + 1, sizeof *moff);
	uint32_t *mem = scratch_buf(ws, B_MEM, n, sizeof *mem);
	int64_t *mid = scratch_buf(ws, B_MID, n, sizeof *mid);
	float *msc = scratch_buf(ws, B_MSC, n, sizeof *msc);
	memset(moff, 0, (nc + 1) * sizeof *moff);
	for (size_t i = 0; i < n; i++)
		moff[lab[i] + 1]++;
	for (size_t c = 0; c < nc; c++)
		moff[c + 1] += moff[c];
	for (size_t i = 0; i < n; i++)
		mem[moff[lab[i]]++] = (uint32_t)i;
	for (size_t c = nc; c > 0; c--)
		moff[c] = moff[c - 1];
	moff[0] = 0;
	for (size_t c = 0; c < nc; c++) {
		size_t m = moff[c + 1] - moff[c];
		const uint32_t *mm = mem + moff[c];
		for (size_t j = 0; j < m; j++) {
			const rec *r = qat(t, w->wpos[mm[j]]);
			mid[j] = r->id;
			msc[j] = r->has_score ? r->score : 1.0f;
		}
		if (assoc_cluster(&t->o.assoc, m, mid, msc, &t->next_id) == ASSOC_BIRTH) {
			t->st.births++;
			for (size_t i = 0; i < t->nrules; i++)
				if (t->rules[i]->birth)
					t->rules[i]->birth(t, w, mm, m, mid);
		}
		for (size_t j = 0; j < m; j++) {
			rec *r = qat(t, w->wpos[mm[j]]);
			if (r->id == 0 && mid[j] != 0 && id_in_frame(t, w->s, r, mid[j])) {
				t->st.dup_ids++;   /* only without constraints */
				continue;
			}
			r->id = mid[j];
		}
	}
}

/* Clusters the window ending at frame fr and writes the new ids back. */
static void cluster_window(cktrack *t, int64_t fr)
{
	scratch *ws = t->ws;
	window w = {.lo = fr - t->o.window + 1};
	size_t s = t->len;
	while (s > 0 && qat(t, s - 1)->f >= w.lo)
		s--;
	size_t n = t->len - s, d = t->zdim;
	if (!n)
		return;
	w.s = s, w.n = n;
	/* window order: current frame first, each frame in input order */
	uint32_t *wpos = w.wpos = scratch_buf(ws, B_WPOS, n, sizeof *wpos);
	float *Z = scratch_buf(ws, B_Z, n * d, sizeof *Z);
	int64_t *frame = scratch_buf(ws, B_FR, n, sizeof *frame);
	ck_wdet *wd = w.wd = scratch_buf(ws, B_WDET, n, sizeof *wd);
	size_t *cnt = scratch_buf(ws, B_CNT, n, sizeof *cnt), *first = scratch_buf(ws, B_FIRST, n, sizeof *first);
	size_t nw = 0, nf = 0;
	for (size_t e = t->len; e > s;) {
		size_t b = e;
		int64_t f = qat(t, e - 1)->f;
		while (b > s && qat(t, b - 1)->f == f)
			b--;
		cnt[nf] = e - b, first[nf++] = nw;
		for (size_t i = b; i < e; i++, nw++) {
			const rec *r = qat(t, i);
			wpos[nw] = (uint32_t)i;
			memcpy(Z + nw * d, r->z, d * sizeof *Z);
			frame[nw] = r->f;
			wd[nw] = (ck_wdet){.f = r->f, .k = r->k, .id = r->id,
					   .cl = r->cl, .ncl = r->ncl, .ml = r->ml, .nml = r->nml,
					   .box = r->has_box ? r->box : NULL,
					   .vel = r->has_vel ? r->vel : NULL,
					   .whole = r->has_whole ? r->whole : NULL};
		}
		e = b;
	}
	for (size_t i = 0; i < t->nrules; i++)
		if (t->rules[i]->mark)
			t->rules[i]->mark(t, &w);
	uint32_t *init = scratch_buf(ws, B_INIT, n, sizeof *init);
	size_t k = first_centres(t, &w, cnt, first, nf, init);
	uint32_t *lab = scratch_buf(ws, B_LAB, n, sizeof *lab);
	size_t nc = cluster(t, &w, Z, frame, init, k, lab);
	t->st.windows++;
	associate(t, &w, lab, nc);
	for (size_t i = 0; i < t->nrules; i++)
		if (t->rules[i]->after)
			t->rules[i]->after(t, &w);
}

static void process(cktrack *t, int64_t fr)
{
	if (fr >= t->fr_start + t->o.window - 1)
		cluster_window(t, fr);
}

int ckt_add(cktrack *t, const ck_rec *r, char *err, size_t errn)
{
	if (!r->z)
		return errf(err, errn, "no z (run ae-embed first)");
	for (uint32_t j = 0; j < r->zdim; j++)
		if (!isfinite(r->z[j]))
			return errf(err, errn, "z value %u is not a finite number", j + 1);
	if (t->started) {
		if (r->f < t->last_f)
			return errf(err, errn, "frame %lld after frame %lld: frames must not decrease",
				    (long long)r->f, (long long)t->last_f);
		if (r->zdim != t->zdim)
			return errf(err, errn, "z has %u values, earlier records %u", r->zdim, t->zdim);
		if (r->f > t->last_f) {
			process(t, t->last_f);
			int64_t lo = r->f - t->o.window + 1;   /* the oldest frame still needed */
			while (t->ready < t->len && qat(t, t->ready)->f < lo)
				t->ready++;
		}
	} else {
		if (r->zdim == 0)
			return errf(err, errn, "z is empty");
		t->started = 1;
		t->fr_start = r->f;
		t->zdim = r->zdim;
	}
	t->last_f = r->f;
	if (t->len == t->cap) {
		size_t cap = t->cap * 2;
		rec *q = xcalloc(cap, sizeof *q);
		for (size_t i = 0; i < t->cap; i++)
			q[i] = t->q[(t->head + i) % t->cap];
		free(t->q);
		t->q = q, t->head = 0, t->cap = cap;
	}
	rec *q = qat(t, t->len);
	q->f = r->f, q->k = r->k, q->id = 0;
	q->has_score = r->score != NULL;
	q->score = r->score ? *r->score : 1.0f;
	q->has_box = r->box != NULL;
	q->has_vel = q->has_whole = 0;
	q->occl = -1;
	if (r->box)
		memcpy(q->box, r->box, sizeof q->box);
	q->z = copy_into(q->z, &q->zcap, r->z, r->zdim, sizeof *q->z);
	q->cl = copy_into(q->cl, &q->clcap, r->cl, r->ncl, sizeof *q->cl);
	q->ncl = r->ncl;
	q->ml = copy_into(q->ml, &q->mlcap, r->ml, r->nml, sizeof *q->ml);
	q->nml = r->nml;
	t->len++;
	return 0;
}

void ckt_finish(cktrack *t)
{
	if (t->started)
		process(t, t->last_f);
	t->ready = t->len;
	t->started = 0;
}
