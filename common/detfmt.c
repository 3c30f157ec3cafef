#include "detfmt.h"
#include "err.h"
#include "lines.h"
#include "mots_txt.h"
#include "rle.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *det_format_name(int fmt)
{
	return fmt == DET_TRACKRCNN ? "TrackR-CNN" : "MOTS20";
}

static int num(const char *f, double *v)
{
	char *e;
	errno = 0;
	*v = strtod(f, &e);
	return (e == f || *e || errno == ERANGE) ? -1 : 0;
}

static int integer(const char *f, long long lo, long long hi, long long *v)
{
	char *e;
	errno = 0;
	*v = strtoll(f, &e, 10);
	return (e == f || *e || errno || *v < lo || *v > hi) ? -1 : 0;
}

int det_parse_line(const char *line, int fmt, det_obj *o, char *err, size_t errn)
{
	size_t n = strlen(line), want = fmt == DET_TRACKRCNN ? 10 + DET_REID_DIM : 10, nf = 0;
	char *buf = xmalloc(n + 1), *f[10 + DET_REID_DIM], *s = buf;
	int rc = -1;
	memcpy(buf, line, n + 1);
	o->rle = NULL, o->reid = NULL;
	if (n && buf[n - 1] == '\r')
		buf[n - 1] = 0;
	for (char *t; (t = strtok_r(s, " \t", &s));) {
		if (nf == want) {
			nf++;
			break;
		}
		f[nf++] = t;
	}
	if (nf != want) {
		if (fmt == DET_TRACKRCNN && nf == 7 + DET_REID_DIM)
			errf(err, errn, "TrackR-CNN line without masks (135 fields); the masked file has 138");
		else
			errf(err, errn, "%s detections have %zu fields, this line has %s%zu",
			     det_format_name(fmt), want, nf > want ? "more than " : "", nf > want ? want : nf);
		goto out;
	}
	long long t, c, h, w;
	double v, score;
	if (integer(f[0], 0, INT64_MAX, &t) != 0) {
		errf(err, errn, "bad frame '%.40s'", f[0]);
		goto out;
	}
	for (int i = 0; i < 4; i++)
		if (num(f[1 + i], &o->box[i]) != 0 || !isfinite(o->box[i])) {
			errf(err, errn, "box value '%.40s' is not a finite number", f[1 + i]);
			goto out;
		}
	if (num(f[5], &score) != 0) {
		errf(err, errn, "bad score '%.40s'", f[5]);
		goto out;
	}
	if (isnan(score)) {
		errf(err, errn, "score is NaN");
		goto out;
	}
	if (!isfinite(score)) {
		errf(err, errn, "score is infinite");
		goto out;
	}
	if (integer(f[6], 0, 1000000, &c) != 0) {
		errf(err, errn, "bad class '%.40s'", f[6]);
		goto out;
	}
	if (integer(f[7], 1, MOTS_MAX_SIDE, &h) != 0 || integer(f[8], 1, MOTS_MAX_SIDE, &w) != 0) {
		errf(err, errn, "bad image size '%.20s %.20s'", f[7], f[8]);
		goto out;
	}
	rle_t r;
	char e2[160];
	if (rle_from_string(&r, f[9], (uint32_t)h, (uint32_t)w, e2, sizeof e2) != 0) {
		errf(err, errn, "%s", e2);
		goto out;
	}
	rle_free(&r);
	if (fmt == DET_TRACKRCNN) {
		o->reid = xmalloc(DET_REID_DIM * sizeof *o->reid);
		for (int i = 0; i < DET_REID_DIM; i++) {
			if (num(f[10 + i], &v) != 0 || !isfinite(v) || fabs(v) > FLT_MAX) {
				errf(err, errn, "re-id value %d '%.40s' is not a finite number", i + 1, f[10 + i]);
				free(o->reid);
				o->reid = NULL;
				goto out;
			}
			o->reid[i] = (float)v;
		}
	}
	o->frame = t, o->score = score, o->cls = (int)c, o->h = (uint32_t)h, o->w = (uint32_t)w;
	o->rle = xstrdup(f[9]);
	rc = 0;
out:
	free(buf);
	return rc;
}

static int det_rec(void *ctx, char *line, void *rec, char *e, size_t en)
{
	return det_parse_line(line, *(const int *)ctx, rec, e, en);
}

int det_load_fp(FILE *fp, const char *name, int fmt, det_file *df, char *err, size_t errn)
{
	void *v;
	int rc = lines_load(fp, name, sizeof *df->obj, offsetof(det_obj, line), det_rec, &fmt, &v, &df->n, err, errn);
	df->obj = v;
	if (rc < 0)
		det_file_free(df);
	return rc;
}

int det_load(const char *path, int fmt, det_file *df, char *err, size_t errn)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	df->obj = NULL, df->n = 0;
	if (!fp)
		return errf(err, errn, "%s: %s", path, strerror(errno));
	int rc = det_load_fp(fp, path, fmt, df, err, errn);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

void det_file_free(det_file *df)
{
	for (size_t i = 0; i < df->n; i++)
		free(df->obj[i].rle), free(df->obj[i].reid);
	free(df->obj);
	df->obj = NULL, df->n = 0;
}
