/* exitline.c: the exit line measured on boxes, and the header key that
 * carries it (exitline.h). */
#include "track/exitline.h"

#include <math.h>
#include <stdlib.h>

#include "box.h"
#include "err.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Whether box i touches another box of its frame, [b, e). */
static int touches(const float *box, size_t b, size_t e, size_t i)
{
	for (size_t j = b; j < e; j++)
		if (j != i && box_near(box_of(box + 4 * i), box_of(box + 4 * j), 1))
			return 1;
	return 0;
}

double exitline_measure(const float *box, const float *imsize, const int64_t *frame,
			const uint32_t *seg, size_t n)
{
	double *d = xmalloc((n ? n : 1) * sizeof *d);
	size_t m = 0;
	for (size_t b = 0, e; b < n; b = e) {
		for (e = b + 1; e < n && frame[e] == frame[b] && seg[e] == seg[b]; e++)
			;
		for (size_t i = b; i < e; i++) {
			double W = imsize[2 * i], H = imsize[2 * i + 1];
			if (!(W > 0) || !(H > 0) || touches(box, b, e, i))
				continue;
			const float *x = box + 4 * i;
			double cx = x[0] + x[2] / 2.0, cy = x[1] + x[3] / 2.0;
			double v = fmin(fmin(cx, W - cx), fmin(cy, H - cy));
			d[m++] = isfinite(v) && v > 0 ? v : 0;
		}
	}
	double q = -1;
	if (m) {
		qsort(d, m, sizeof *d, cmp_double);
		q = d[(size_t)(EXIT_QUANTILE * (double)m)];
	}
	free(d);
	return q;
}

int exitline_header_get(const ms_header *h, double *inset, char *err, size_t errn)
{
	double x;
	int rc = ms_extra_number(&h->extra, EXIT_HEADER_KEY, &x, err, errn);
	if (rc <= 0)
		return rc;
	if (!isfinite(x) || x < 0)
		return errf(err, errn, "header %s: %g is not a distance (a finite number >= 0)", EXIT_HEADER_KEY, x);
	*inset = x;
	return 1;
}

void exitline_header_put(ms_header *h, double inset)
{
	ms_extra_put_number(&h->extra, EXIT_HEADER_KEY, inset, isfinite(inset) && inset >= 0);
}
