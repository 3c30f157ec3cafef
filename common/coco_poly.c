#include "coco_poly.h"
#include "err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int coco_poly_ucmp(const void *a, const void *b)
{
	uint32_t c = *(const uint32_t *)a, d = *(const uint32_t *)b;
	return c > d ? 1 : c < d ? -1 : 0;
}

int coco_poly_rle(rle_t *r, const double *xy, size_t k, uint32_t h, uint32_t w, char *err, size_t errn)
{
	const double scale = 5;
	memset(r, 0, sizeof *r);
	if (k == 0)
		return errf(err, errn, "polygon without points");
	for (size_t j = 0; j < 2 * k; j++)
		if (!isfinite(xy[j]) || fabs(xy[j]) > COCO_POLY_MAX_COORD)
			return errf(err, errn, "polygon coordinate %g outside +-%g", xy[j], COCO_POLY_MAX_COORD);
	int *x = xmalloc((k + 1) * sizeof *x), *y = xmalloc((k + 1) * sizeof *y);
	for (size_t j = 0; j < k; j++)
		x[j] = (int)(scale * xy[2 * j] + .5), y[j] = (int)(scale * xy[2 * j + 1] + .5);
	x[k] = x[0], y[k] = y[0];
	/* the dense outline: every step of the longer axis, both ends kept */
	uint64_t total = 0;
	for (size_t j = 0; j < k; j++) {
		int dx = abs(x[j] - x[j + 1]), dy = abs(y[j] - y[j + 1]);
		total += (uint64_t)(dx > dy ? dx : dy) + 1;
	}
	if (total > COCO_POLY_MAX_POINTS) {
		free(x), free(y);
		return errf(err, errn, "polygon outline too long (%llu points, at most %zu)",
			    (unsigned long long)total, COCO_POLY_MAX_POINTS);
	}
	size_t m = 0;
	int *u = xmalloc(total * sizeof *u), *v = xmalloc(total * sizeof *v);
	for (size_t j = 0; j < k; j++) {
		int xs = x[j], xe = x[j + 1], ys = y[j], ye = y[j + 1], t;
		int dx = abs(xe - xs), dy = abs(ys - ye);
		/* traced in one direction whatever the edge's, so that an edge
		 * and its reverse give the same points */
		int flip = (dx >= dy && xs > xe) || (dx < dy && ys > ye);
		if (flip)
			t = xs, xs = xe, xe = t, t = ys, ys = ye, ye = t;
		/* a repeated vertex (dx = dy = 0) is one point: slope 0, where
		 * the reference divides 0 by 0 */
		double s = dx == 0 && dy == 0 ? 0 : dx >= dy ? (double)(ye - ys) / dx : (double)(xe - xs) / dy;
		if (dx >= dy)
			for (int d = 0; d <= dx; d++) {
				t = flip ? dx - d : d;
				u[m] = t + xs, v[m] = (int)(ys + s * t + .5), m++;
			}
		else
			for (int d = 0; d <= dy; d++) {
				t = flip ? dy - d : d;
				v[m] = t + ys, u[m] = (int)(xs + s * t + .5), m++;
			}
	}
	/* where the outline crosses a column centre: a boundary in that column */
	size_t n = m, q = 0;
	free(x), free(y);
	x = xmalloc((n ? n : 1) * sizeof *x), y = xmalloc((n ? n : 1) * sizeof *y);
	for (size_t j = 1; j < n; j++) {
		if (u[j] == u[j - 1])
			continue;
		double xd = (double)(u[j] < u[j - 1] ? u[j] : u[j] - 1);
		xd = (xd + .5) / scale - .5;
		if (floor(xd) != xd || xd < 0 || xd > (double)(w - 1))
			continue;
		double yd = (double)(v[j] < v[j - 1] ? v[j] : v[j - 1]);
		yd = (yd + .5) / scale - .5;
		if (yd < 0)
			yd = 0;
		else if (yd > h)
			yd = h;
		yd = ceil(yd);
		x[q] = (int)xd, y[q] = (int)yd, q++;
	}
	free(u), free(v);
	/* boundaries in column-major pixel order, then their differences */
	uint32_t *a = xmalloc((q + 1) * sizeof *a);
	for (size_t j = 0; j < q; j++)
		a[j] = (uint32_t)x[j] * h + (uint32_t)y[j];   /* < 2^32: x < w, y <= h */
	a[q] = h * w;
	free(x), free(y);
	size_t na = q + 1;
	qsort(a, na, sizeof *a, coco_poly_ucmp);
	uint32_t prev = 0;
	for (size_t j = 0; j < na; j++) {
		uint32_t t = a[j];
		a[j] -= prev, prev = t;
	}
	/* an empty run joins its two neighbours */
	uint32_t *b = xmalloc(na * sizeof *b);
	size_t j = 0, nb = 0;
	b[nb++] = a[j++];
	while (j < na) {
		if (a[j] > 0) {
			b[nb++] = a[j++];
		} else {
			j++;
			if (j < na)
				b[nb - 1] += a[j++];
		}
	}
	rle_init(r, h, w, (uint32_t)nb, b);
	free(a), free(b);
	return 0;
}

int coco_poly_box(rle_t *r, const double bb[4], uint32_t h, uint32_t w, char *err, size_t errn)
{
	double xs = bb[0], xe = xs + bb[2], ys = bb[1], ye = ys + bb[3];
	double xy[8] = { xs, ys, xs, ye, xe, ye, xe, ys };
	return coco_poly_rle(r, xy, 4, h, w, err, errn);
}
