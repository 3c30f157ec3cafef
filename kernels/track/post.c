/* post.c: short tracks and overlapping masks (post.h). */
#include "track/post.h"
#include "err.h"
#include "rle.h"

#include <stdlib.h>

static int by_id(const void *a, const void *b)
{
	const post_rec *x = *(post_rec *const *)a, *y = *(post_rec *const *)b;
	return (x->id > y->id) - (x->id < y->id);
}

size_t post_drop_short_tracks(post_rec *v, size_t n, long long min)
{
	if (min <= 1 || n == 0)
		return n;
	post_rec **p = xmalloc(n * sizeof *p);
	for (size_t i = 0; i < n; i++)
		p[i] = &v[i];
	qsort(p, n, sizeof *p, by_id);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && p[j]->id == p[i]->id; j++)
			;
		if ((long long)(j - i) < min)
			for (size_t q = i; q < j; q++)
				p[q]->id = 0;   /* marks it dropped */
	}
	free(p);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i].id != 0)
			v[m++] = v[i];
		else
			free(v[i].rle);
	}
	return m;
}

static int by_priority(const void *a, const void *b)
{
	const post_rec *x = *(post_rec *const *)a, *y = *(post_rec *const *)b;
	float sx = x->has_score ? x->score : 0, sy = y->has_score ? y->score : 0;
	if (sx != sy)
		return sx > sy ? -1 : 1;
	return (x->n > y->n) - (x->n < y->n);
}

int post_remove_overlaps(post_rec *v, size_t *np, uint32_t hh, uint32_t ww, char *err, size_t errn)
{
	size_t n = *np;
	post_rec **p = xmalloc((n ? n : 1) * sizeof *p);
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i; j < n && v[j].f == v[i].f; j++)
			;
		size_t m = 0;
		for (size_t q = i; q < j; q++)
			if (v[q].rle)
				p[m++] = &v[q];
		if (m < 2)
			continue;
		qsort(p, m, sizeof *p, by_priority);
		rle_t taken, cur, left, both[2];
		char e[200];
		if (rle_from_string(&taken, p[0]->rle, hh, ww, e, sizeof e) != 0) {
			errf(err, errn, "record %llu: %s", (unsigned long long)p[0]->n, e);
			free(p);
			return -1;
		}
		for (size_t q = 1; q < m; q++) {
			if (rle_from_string(&cur, p[q]->rle, hh, ww, e, sizeof e) != 0) {
				errf(err, errn, "record %llu: %s", (unsigned long long)p[q]->n, e);
				rle_free(&taken);
				free(p);
				return -1;
			}
			if (rle_intersection(&cur, &taken) > 0) {
				rle_minus(&left, &cur, &taken);
				free(p[q]->rle);
				p[q]->rle = rle_area(&left) ? rle_to_string(&left) : NULL;
				p[q]->id = p[q]->rle ? p[q]->id : 0;
				rle_free(&left);
			}
			both[0] = taken, both[1] = cur;
			rle_t u;
			rle_merge(&u, both, 2, 0);
			rle_free(&taken), rle_free(&cur);
			taken = u;
		}
		rle_free(&taken);
	}
	free(p);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (v[i].id != 0)
			v[m++] = v[i];
	*np = m;
	return 0;
}
