#include "synth/synth.h"
#include "synth/synth_sprite.h"
#include "err.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void synth_config_default(synth_config *c, synth_kind kind, int size, int objects)
{
	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->height = c->width = size;
	c->objects = objects;
	c->interval = 5;
	c->birth_prob = 0.5;
	c->speed = 5.3;
	if (kind == SYNTH_MNIST) {
		c->channels = 1;
		c->patch = MNIST_SIDE;
		c->margin = MNIST_SIDE / 3;
	} else {
		c->channels = 3;
		c->patch = SPRITE_SIDE;
		c->margin = SPRITE_SIDE / 2;
		c->scale_var = 0.1;
		c->ratio_var = 0.2;
	}
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int synth_digits_load(const char *path, synth_digits *d, char *err, size_t errn)
{
	uint8_t h[16];
	d->px = NULL, d->n = 0;
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return errf(err, errn, "%s: %s", path, strerror(errno));
	if (fread(h, 1, 16, fp) != 16 || be32(h) != 0x803) {
		fclose(fp);
		return errf(err, errn, "%s: not an IDX3 ubyte file (magic 0x00000803)", path);
	}
	uint32_t n = be32(h + 4);
	if (be32(h + 8) != MNIST_SIDE || be32(h + 12) != MNIST_SIDE || n == 0 || n > (1u << 24)) {
		fclose(fp);
		return errf(err, errn, "%s: %u images of %ux%u, expected 28x28 digits", path, n,
			    be32(h + 8), be32(h + 12));
	}
	size_t bytes = (size_t)n * MNIST_SIDE * MNIST_SIDE;
	/* the header is untrusted: the file must hold what it announces
	 * before anything that large is allocated */
	struct stat st;
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(fp);
		return errf(err, errn, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size < 16 + (uint64_t)bytes) {
		fclose(fp);
		return errf(err, errn, "%s: truncated (%u digits announced, %lld bytes of pixels there)", path,
			    n, (long long)st.st_size - 16);
	}
	uint8_t *px = xmalloc(bytes);
	if (fread(px, 1, bytes, fp) != bytes) {
		free(px);
		fclose(fp);
		return errf(err, errn, "%s: truncated (%u digits announced)", path, n);
	}
	fclose(fp);
	d->px = px, d->n = n;
	return 0;
}

void synth_digits_free(synth_digits *d)
{
	free(d->px);
	d->px = NULL, d->n = 0;
}

int synth_init(synth *s, const synth_config *c, const synth_digits *d, uint64_t seed,
	       char *err, size_t errn)
{
	memset(s, 0, sizeof *s);
	if (c->objects < 1 || c->objects > SYNTH_OBJECTS_MAX)
		return errf(err, errn, "objects must be 1..%d, not %d", SYNTH_OBJECTS_MAX, c->objects);
	/* The margin box [m, size-1-m] must hold a centre; 4096 keeps sizes sane. */
	if (c->height < 2 * c->margin + 2 || c->width < 2 * c->margin + 2 ||
	    c->height > 4096 || c->width > 4096)
		return errf(err, errn, "frame size %dx%d out of range (%d..4096)", c->width,
			    c->height, 2 * c->margin + 2);
	if (c->kind == SYNTH_MNIST && (!d || !d->n))
		return errf(err, errn, "MNIST needs a digit pool");
	s->cfg = *c;
	s->digits = d;
	rng_seed(&s->r, seed);
	for (int k = 0; k < SPRITE_SHAPES; k++)
		sprite_template(k, s->tmpl[k]);
	size_t n = (size_t)c->height * c->width;
	s->img = xmalloc(n * c->channels);
	s->owner = xmalloc(n);
	s->best = xmalloc(n);
	s->trans = xmalloc(n * sizeof *s->trans);
	return 0;
}

void synth_free(synth *s)
{
	free(s->img), free(s->owner), free(s->best), free(s->trans);
	s->img = s->owner = s->best = NULL;
	s->trans = NULL;
}

void synth_path(const synth_config *c, int dir, int p0, int p1, int *x1, int *y1,
		double *vx, double *vy)
{
	int m = c->margin, H = c->height, W = c->width, x2, y2;
	switch (dir) {
	case 0: *x1 = p0, *y1 = m, x2 = p1, y2 = H - 1 - m; break;
	case 1: *x1 = p0, *y1 = H - 1 - m, x2 = p1, y2 = m; break;
	case 2: *x1 = m, *y1 = p0, x2 = W - 1 - m, y2 = p1; break;
	default: *x1 = W - 1 - m, *y1 = p0, x2 = m, y2 = p1; break;
	}
	double th = atan2((double)(y2 - *y1), (double)(x2 - *x1));
	*vx = c->speed * cos(th);
	*vy = c->speed * sin(th);
}

/* floor(u * n) for u uniform in [0, 1): the original's index draws. */
static int draw_index(rng *r, int n)
{
	int k = (int)floor(rng_uniform(r) * n);
	return k < n ? k : n - 1;
}

static void birth(synth *s, synth_obj *b)
{
	const synth_config *c = &s->cfg;
	if (c->kind == SYNTH_MNIST) {
		b->digit = (uint32_t)rng_below(&s->r, s->digits->n);
		b->ph = b->pw = MNIST_SIDE;
		memcpy(b->patch, s->digits->px + (size_t)b->digit * MNIST_SIDE * MNIST_SIDE,
		       MNIST_SIDE * MNIST_SIDE);
	} else {
		b->colour = draw_index(&s->r, SPRITE_COLOURS);
		b->shape = draw_index(&s->r, SPRITE_SHAPES);
		/* As torch does it: float32 draws and arithmetic, then the sizes
		 * in double, rounded half to even. */
		float us = rng_uniformf(&s->r), ur = rng_uniformf(&s->r);
		float scale = (us * 2.f - 1.f) * (float)c->scale_var + 1.f;
		float ratio = sqrtf((ur * 2.f - 1.f) * (float)c->ratio_var + 1.f);
		b->ph = (int)rint(c->patch * (double)scale * (double)ratio);
		b->pw = (int)rint(c->patch * (double)scale / (double)ratio);
		if (b->ph > SYNTH_PATCH_MAX) b->ph = SYNTH_PATCH_MAX;
		if (b->pw > SYNTH_PATCH_MAX) b->pw = SYNTH_PATCH_MAX;
		sprite_colour(b->colour, b->rgb);
		resize_linear_u8(s->tmpl[b->shape], SPRITE_SIDE, SPRITE_SIDE, b->patch, b->ph, b->pw);
	}
	b->dir = draw_index(&s->r, 4);
	/* Positions on the start and end lines: x for vertical paths, y else. */
	int span = (b->dir < 2 ? c->width : c->height) - 2 * c->margin;
	int p0 = c->margin + draw_index(&s->r, span), p1 = c->margin + draw_index(&s->r, span);
	synth_path(c, b->dir, p0, p1, &b->x1, &b->y1, &b->vx, &b->vy);
}

int synth_slot_step(synth *s, int o, int *x, int *y)
{
	const synth_config *c = &s->cfg;
	synth_obj *b = &s->obj[o];
	if (b->c < c->interval) {   /* waiting */
		b->c++;
		return 0;
	}
	if (b->c == c->interval) {  /* a birth may happen; nothing is drawn now */
		if (rng_uniform(&s->r) < c->birth_prob) {
			birth(s, b);
			b->c = c->interval + 1;
			b->step = 0;
			b->id = ++s->next_id;
		}
		return 0;
	}
	/* rint rounds half to even, as Python's round(). */
	int px = (int)rint(b->x1 + b->step * b->vx), py = (int)rint(b->y1 + b->step * b->vy);
	int m = c->margin;
	if (px < m || px > c->width - 1 - m || py < m || py > c->height - 1 - m) {
		b->c = 0;                /* gone at once, nothing drawn */
		return 0;
	}
	*x = px, *y = py;
	b->step++;
	return 1;
}

/* The part of a ph x pw patch at (left, top) inside an H x W frame. */
typedef struct { int i0, i1, j0, j1; } clip_t;

static clip_t clip_patch(int H, int W, int ph, int pw, int left, int top)
{
	clip_t r = { 0, ph, 0, pw };
	if (top < 0) r.i0 = -top;
	if (top + ph > H) r.i1 = H - top;
	if (left < 0) r.j0 = -left;
	if (left + pw > W) r.j1 = W - left;
	if (r.i1 < r.i0) r.i1 = r.i0;
	if (r.j1 < r.j0) r.j1 = r.j0;
	return r;
}

void synth_add_saturate(uint8_t *img, int H, int W, const uint8_t *patch, int ph, int pw,
			int left, int top)
{
	clip_t c = clip_patch(H, W, ph, pw, left, top);
	for (int i = c.i0; i < c.i1; i++) {
		uint8_t *row = img + (size_t)(top + i) * W + left;
		const uint8_t *p = patch + (size_t)i * pw;
		for (int j = c.j0; j < c.j1; j++) {
			int v = row[j] + p[j];
			row[j] = (uint8_t)(v > 255 ? 255 : v);
		}
	}
}

void synth_alpha_over(uint8_t *img, int H, int W, const uint8_t *alpha, int ph, int pw,
		      int left, int top, const uint8_t rgb[3])
{
	clip_t c = clip_patch(H, W, ph, pw, left, top);
	for (int i = c.i0; i < c.i1; i++) {
		uint8_t *row = img + ((size_t)(top + i) * W + left) * 3;
		const uint8_t *p = alpha + (size_t)i * pw;
		for (int j = c.j0; j < c.j1; j++) {
			if (!p[j])
				continue;   /* org + 0 * (...) = org */
			/* Separate float32 steps, as torch's separate kernels. */
			float a = (float)p[j] / 255.f;
			for (int ch = 0; ch < 3; ch++) {
				float o = row[3 * j + ch];
				float d = (float)rgb[ch] - o;
				float t = a * d;
				row[3 * j + ch] = (uint8_t)rintf(o + t);
			}
		}
	}
}

/* Marks the pixels object k (in the frame at vis[k]) owns so far. */
static void claim(synth *s, int k, const synth_obj *b)
{
	const synth_vis *v = &s->vis[k];
	int H = s->cfg.height, W = s->cfg.width, mnist = s->cfg.kind == SYNTH_MNIST;
	clip_t c = clip_patch(H, W, b->ph, b->pw, v->left, v->top);
	for (int i = c.i0; i < c.i1; i++) {
		size_t row = (size_t)(v->top + i) * W + v->left;
		const uint8_t *p = b->patch + (size_t)i * b->pw;
		for (int j = c.j0; j < c.j1; j++) {
			uint8_t a = p[j];
			if (!a)
				continue;
			/* Sprites: drawn later = in front. MNIST: the brightest
			 * digit, ties to the later slot. */
			if (mnist) {
				if (a < s->best[row + j])
					continue;
				s->best[row + j] = a;
			}
			s->owner[row + j] = (uint8_t)(k + 1);
		}
	}
}

/* Tight box, owned area, own pixels and the visible fraction of vis[k]. */
static void measure(synth *s, int k, const synth_obj *b)
{
	synth_vis *v = &s->vis[k];
	int H = s->cfg.height, W = s->cfg.width, sprites = s->cfg.kind == SYNTH_SPRITES;
	clip_t c = clip_patch(H, W, b->ph, b->pw, v->left, v->top);
	int x0 = W, y0 = H, x1 = -1, y1 = -1;
	double seen = 0, all = 0;
	v->area = v->own = 0;
	for (int i = c.i0; i < c.i1; i++) {
		int y = v->top + i;
		size_t row = (size_t)y * W + v->left;
		const uint8_t *p = b->patch + (size_t)i * b->pw;
		for (int j = c.j0; j < c.j1; j++) {
			if (!p[j])
				continue;
			v->own++;
			if (sprites) {
				/* Alpha this object still shows through the ones in
				 * front (visited front to back, see synth_next). */
				float a = p[j] / 255.f, *t = &s->trans[row + j];
				seen += a * *t, all += a;
				*t *= 1.f - a;
			}
			if (s->owner[row + j] != k + 1)
				continue;
			int x = v->left + j;
			v->area++;
			if (x < x0) x0 = x;
			if (x > x1) x1 = x;
			if (y < y0) y0 = y;
			if (y > y1) y1 = y;
		}
	}
	if (v->area)
		v->tx = x0, v->ty = y0, v->tw = x1 - x0 + 1, v->th = y1 - y0 + 1;
	else
		v->tx = v->ty = v->tw = v->th = 0;
	if (sprites)
		v->visible = all > 0 ? seen / all : 0;
	else
		v->visible = v->own ? (double)v->area / v->own : 0;
}

int synth_next(synth *s)
{
	const synth_config *c = &s->cfg;
	int H = c->height, W = c->width;
	size_t n = (size_t)H * W;
	memset(s->img, 0, n * c->channels);
	memset(s->owner, 0, n);
	if (c->kind == SYNTH_MNIST)
		memset(s->best, 0, n);
	s->nvis = 0;
	for (int o = 0; o < c->objects; o++) {
		int x, y;
		if (!synth_slot_step(s, o, &x, &y))
			continue;
		const synth_obj *b = &s->obj[o];
		synth_vis *v = &s->vis[s->nvis];
		v->id = b->id;
		v->slot = o;
		v->cx = x, v->cy = y;
		v->w = b->pw, v->h = b->ph;
		/* floor placement: odd sizes centred, even ones one pixel up-left */
		v->top = (int)floor(y - (b->ph - 1) / 2.0);
		v->left = (int)floor(x - (b->pw - 1) / 2.0);
		if (c->kind == SYNTH_MNIST)
			synth_add_saturate(s->img, H, W, b->patch, b->ph, b->pw, v->left, v->top);
		else
			synth_alpha_over(s->img, H, W, b->patch, b->ph, b->pw, v->left, v->top, b->rgb);
		claim(s, s->nvis, b);
		s->nvis++;
	}
	if (c->kind == SYNTH_SPRITES)
		for (size_t i = 0; i < n; i++)
			s->trans[i] = 1.f;
	for (int k = s->nvis - 1; k >= 0; k--)   /* front to back */
		measure(s, k, &s->obj[s->vis[k].slot]);
	s->frame++;
	return s->nvis;
}

uint32_t synth_mask_counts(const synth *s, int k, uint32_t *cnts)
{
	const synth_vis *v = &s->vis[k];
	uint32_t H = (uint32_t)s->cfg.height, W = (uint32_t)s->cfg.width, m = 0;
	uint64_t total = (uint64_t)H * W, pos = 0;
	int on = 0, full = v->ty == 0 && (uint32_t)v->th == H;
	for (int x = v->tx; x < v->tx + v->tw; x++) {
		for (int y = v->ty; y < v->ty + v->th; y++) {
			int p = s->owner[(size_t)y * W + x] == k + 1;
			if (p != on) {
				uint64_t idx = (uint64_t)x * H + y;
				cnts[m++] = (uint32_t)(idx - pos);
				pos = idx, on = p;
			}
		}
		/* The pixel after the column's last one in the box is off, unless
		 * the box spans whole columns and the next column is in it. */
		if (on && !(full && x + 1 < v->tx + v->tw)) {
			uint64_t e = (uint64_t)x * H + v->ty + v->th;
			if (e < total) {
				cnts[m++] = (uint32_t)(e - pos);
				pos = e, on = 0;
			}
		}
	}
	cnts[m++] = (uint32_t)(total - pos);
	return m;
}
