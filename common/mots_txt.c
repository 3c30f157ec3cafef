/* MOTS txt: "frame id class height width rle", one mask per line. */
#include "mots_txt.h"
#include "err.h"
#include "lines.h"
#include "rle.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Next space-separated field of *s, NUL-terminated in place. */
static char *field(char **s)
{
	char *p = *s;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return NULL;
	char *b = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	if (*p)
		*p++ = 0;
	*s = p;
	return b;
}

static int int_field(const char *f, int64_t lo, int64_t hi, int64_t *v)
{
	char *e;
	errno = 0;
	long long x = strtoll(f, &e, 10);
	if (errno || e == f || *e || x < lo || x > hi)
		return -1;
	*v = x;
	return 0;
}

int mots_parse_line(const char *line, mots_obj *o, char *err, size_t errn)
{
	static const char *names[5] = {"frame", "id", "class", "height", "width"};
	static const int64_t lo[5] = {0, INT64_MIN, 0, 1, 1};
	static const int64_t hi[5] = {INT64_MAX, INT64_MAX, 1000000, MOTS_MAX_SIDE, MOTS_MAX_SIDE};
	size_t n = strlen(line);
	char *buf = xmalloc(n + 1), *s = buf, *f;
	int64_t v[5];
	memcpy(buf, line, n + 1);
	if (n && buf[n - 1] == '\r')
		buf[n - 1] = 0;
	o->rle = NULL;
	for (int i = 0; i < 5; i++) {
		if (!(f = field(&s))) {
			free(buf);
			return errf(err, errn, "expected 6 fields (frame id class height width rle), found %d", i);
		}
		if (int_field(f, lo[i], hi[i], &v[i]) != 0) {
			errf(err, errn, "bad %s '%.40s'", names[i], f);
			free(buf);
			return -1;
		}
	}
	char *r = field(&s);
	if (!r) {
		free(buf);
		return errf(err, errn, "expected 6 fields (frame id class height width rle), found 5");
	}
	if (field(&s)) {
		free(buf);
		return errf(err, errn, "more than 6 fields");
	}
	rle_t rl;
	char e2[160];
	if (rle_from_string(&rl, r, (uint32_t)v[3], (uint32_t)v[4], e2, sizeof e2) != 0) {
		free(buf);
		return errf(err, errn, "%s", e2);
	}
	rle_free(&rl);
	o->frame = v[0], o->id = v[1], o->cls = (int)v[2];
	o->h = (uint32_t)v[3], o->w = (uint32_t)v[4];
	o->rle = xstrdup(r);
	free(buf);
	return 0;
}

static int mots_rec(void *ctx, char *line, void *rec, char *e, size_t en)
{
	return mots_parse_line(line, rec, e, en);
}

int mots_load_fp(FILE *fp, const char *name, mots_file *mf, char *err, size_t errn)
{
	void *v;
	int rc = lines_load(fp, name, sizeof *mf->obj, offsetof(mots_obj, line), mots_rec, NULL, &v, &mf->n, err, errn);
	mf->obj = v;
	if (rc < 0)
		mots_file_free(mf);
	return rc;
}

int mots_load(const char *path, mots_file *mf, char *err, size_t errn)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	mf->obj = NULL, mf->n = 0;
	if (!fp)
		return errf(err, errn, "%s: %s", path, strerror(errno));
	int rc = mots_load_fp(fp, path, mf, err, errn);
	if (fp != stdin)
		fclose(fp);
	return rc;
}

void mots_file_free(mots_file *mf)
{
	for (size_t i = 0; i < mf->n; i++)
		free(mf->obj[i].rle);
	free(mf->obj);
	mf->obj = NULL, mf->n = 0;
}

int mots_write_line(FILE *fp, int64_t frame, int64_t id, int cls, uint32_t h, uint32_t w, const char *rle)
{
	return fprintf(fp, "%lld %lld %d %u %u %s\n", (long long)frame, (long long)id, cls,
		       h, w, rle) < 0 ? -1 : 0;
}
