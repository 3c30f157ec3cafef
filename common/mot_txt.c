/* MOTChallenge box txt: "frame,id,x,y,w,h,conf[,class,vis,...]". */
#include "mot_txt.h"
#include "err.h"
#include "lines.h"
#include "numfmt.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MOT_MAX_FIELDS 16

/* Splits on commas and blanks ("1, 2,3 4" is four fields); an empty field
 * between two commas is an error. Returns the field count, or -1. */
static int split(char *s, char **f)
{
	int n = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s)
			return n;
		if (*s == ',' || n == MOT_MAX_FIELDS)
			return -1;
		f[n++] = s;
		while (*s && *s != ',' && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
		int comma = *s == ',';
		if (*s)
			*s++ = 0;
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!comma && *s == ',')
			s++;
		else if (comma && !*s)
			return n;   /* a trailing comma ends the line */
	}
}

static int num(const char *f, double *v)
{
	char *e;
	errno = 0;
	*v = strtod(f, &e);
	return errno == ERANGE || e == f || *e || !isfinite(*v) ? -1 : 0;
}

/* An integral value (frames and ids may be written "12.0"). */
static int whole(const char *f, int64_t *v)
{
	double d;
	if (num(f, &d) != 0 || d != floor(d) || fabs(d) > 9e15)
		return -1;
	*v = (int64_t)d;
	return 0;
}

int mot_parse_line(const char *line, mot_box *b, char *err, size_t errn)
{
	static const char *names[] = { "frame", "id", "x", "y", "width", "height", "confidence",
				       "class", "visibility" };
	size_t len = strlen(line);
	char *buf = xmalloc(len + 1), *f[MOT_MAX_FIELDS];
	memcpy(buf, line, len + 1);
	int n = split(buf, f), rc = -1;
	double d[9];
	if (n == 0) {
		free(buf);
		return 1;
	}
	if (n < 0) {
		errf(err, errn, "empty field or more than %d fields", MOT_MAX_FIELDS);
		goto out;
	}
	if (n < 6) {
		errf(err, errn, "expected at least 6 fields (frame,id,x,y,w,h), found %d", n);
		goto out;
	}
	if (whole(f[0], &b->frame) != 0) {
		errf(err, errn, "bad frame '%.40s'", f[0]);
		goto out;
	}
	if (b->frame < 0) {
		errf(err, errn, "frame %lld is negative", (long long)b->frame);
		goto out;
	}
	if (whole(f[1], &b->id) != 0) {
		errf(err, errn, "bad id '%.40s'", f[1]);
		goto out;
	}
	for (int i = 2; i < n && i < 9; i++)
		if (num(f[i], &d[i]) != 0) {
			errf(err, errn, "bad %s '%.40s'", names[i], f[i]);
			goto out;
		}
	if (d[4] < 0 || d[5] < 0) {
		errf(err, errn, "negative box size %gx%g", d[4], d[5]);
		goto out;
	}
	/* the class is kept as an int: anything beyond int range is no class */
	if (n > 7 && !(d[7] > INT_MIN - 1.0 && d[7] < INT_MAX + 1.0)) {
		errf(err, errn, "class '%.40s' is out of range", f[7]);
		goto out;
	}
	b->x = d[2], b->y = d[3], b->w = d[4], b->h = d[5];
	b->conf = n > 6 ? d[6] : 1;
	b->cls = n > 7 ? (int)d[7] : -1;
	b->vis = n > 8 ? d[8] : -1;
	rc = 0;
out:
	free(buf);
	return rc;
}

static int mot_rec(void *ctx, char *line, void *rec, char *e, size_t en)
{
	return mot_parse_line(line, rec, e, en);
}

int mot_load(const char *path, mot_file *mf, char *err, size_t errn)
{
	mf->box = NULL, mf->n = 0;
	FILE *fp = fopen(path, "r");
	if (!fp)
		return errf(err, errn, "%s: %s", path, strerror(errno));
	void *v;
	int rc = lines_load(fp, path, sizeof *mf->box, offsetof(mot_box, line), mot_rec, NULL, &v, &mf->n, err, errn);
	mf->box = v;
	fclose(fp);
	if (rc < 0)
		mot_file_free(mf);
	return rc;
}

void mot_file_free(mot_file *mf)
{
	free(mf->box);
	mf->box = NULL, mf->n = 0;
}

int mot_write_line(FILE *fp, int64_t frame, int64_t id, double x, double y, double w, double h,
		   double conf, int single)
{
	char a[5][40];
	return fprintf(fp, "%lld,%lld,%s,%s,%s,%s,%s,-1,-1,-1\n", (long long)frame, (long long)id,
		       numfmt_shortest(a[0], x, single), numfmt_shortest(a[1], y, single),
		       numfmt_shortest(a[2], w, single), numfmt_shortest(a[3], h, single),
		       numfmt_shortest(a[4], conf, single)) < 0 ? -1 : 0;
}
