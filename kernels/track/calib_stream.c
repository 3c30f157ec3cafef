/* calib_stream.c: the threshold a stream carries, and the calibration
 * prefix (calib_stream.h). */
#include "track/calib_stream.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "mpscan.h"

int calib_header_thr(const ms_header *h, double *thr, char *err, size_t errn)
{
	double x;
	int rc = ms_extra_number(&h->extra, CALIB_HEADER_KEY, &x, err, errn);
	if (rc <= 0)
		return rc;
	if (!isfinite(x) || !(x > 0))
		return errf(err, errn, "header %s: %g is not a positive finite distance", CALIB_HEADER_KEY, x);
	*thr = x;
	return 1;
}

void calib_header_put(ms_header *h, double thr)
{
	ms_extra_put_number(&h->extra, CALIB_HEADER_KEY, thr, isfinite(thr) && thr > 0);
}

void calib_prefix_free(calib_prefix *p)
{
	for (size_t i = 0; i < p->cap; i++)
		ms_det_free(&p->rec[i]);
	free(p->rec);
	memset(p, 0, sizeof *p);
}

int calib_prefix_read(calib_prefix *p, ms_reader *r, long frames, calib_acc *a, char *err, size_t errn)
{
	p->n = 0, p->ended = 0;
	int64_t first = 0;
	for (;;) {
		if (p->n == p->cap) {
			size_t cap = p->cap ? 2 * p->cap : 256;
			p->rec = xrealloc(p->rec, cap * sizeof *p->rec);
			for (size_t i = p->cap; i < cap; i++)
				ms_det_init(&p->rec[i]);
			p->cap = cap;
		}
		ms_det *d = &p->rec[p->n];
		int rc = ms_read_det(r, d);
		if (rc < 0)
			return errf(err, errn, "%s", ms_reader_error(r));
		if (rc == 0) {
			p->ended = 1;
			return 0;
		}
		p->n++;
		if (p->n == 1)
			first = d->f;
		if (!(d->has & MS_Z))
			return errf(err, errn, "%s: record %llu: no z (run ae-embed first)", ms_reader_name(r),
				    (unsigned long long)ms_reader_record(r));
		char e[200];
		if (calib_acc_add(a, d->f, d->k, (d->has & MS_GT) ? d->gt : -1, d->z, d->zdim, e, sizeof e) < 0)
			return errf(err, errn, "%s: record %llu: %s", ms_reader_name(r),
				    (unsigned long long)ms_reader_record(r), e);
		if (d->f - first >= frames)   /* the first record past the prefix */
			return 0;
	}
}
