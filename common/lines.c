#include "lines.h"
#include "err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

void lines_init(lines *l, FILE *fp, const char *name)
{
	l->fp = fp, l->name = name, l->buf = NULL, l->cap = 0, l->no = 0;
}

int lines_next(lines *l, char **line, char *err, size_t errn)
{
	ssize_t len;
	while ((len = getline(&l->buf, &l->cap, l->fp)) >= 0) {
		l->no++;
		if ((size_t)len != strlen(l->buf))
			return errf(err, errn, "%s:%u: NUL byte in line", l->name, l->no);
		if (len && l->buf[len - 1] == '\n')
			l->buf[--len] = 0;
		if (strspn(l->buf, " \t\r") == (size_t)len)
			continue;
		*line = l->buf;
		return 1;
	}
	if (ferror(l->fp))
		return errf(err, errn, "%s: %s", l->name, strerror(errno));
	return 0;
}

void lines_free(lines *l)
{
	free(l->buf);
	l->buf = NULL, l->cap = 0;
}

int lines_load(FILE *fp, const char *name, size_t size, size_t line_off, lines_parse_fn parse,
	       void *ctx, void **arr, size_t *n, char *err, size_t errn)
{
	char *line, e[200];
	size_t cap = 0;
	int rc;
	lines L;
	lines_init(&L, fp, name);
	*arr = NULL, *n = 0;
	while ((rc = lines_next(&L, &line, err, errn)) > 0) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			*arr = xrealloc(*arr, cap * size);
		}
		char *rec = (char *)*arr + *n * size;
		int r = parse(ctx, line, rec, e, sizeof e);
		if (r < 0) {
			rc = errf(err, errn, "%s:%u: %s", name, L.no, e);
			break;
		}
		if (r == 0) {
			memcpy(rec + line_off, &L.no, sizeof L.no);
			(*n)++;
		}
	}
	lines_free(&L);
	return rc;
}
