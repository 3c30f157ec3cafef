#include "frames.h"
#include "err.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int frame_png_path(const char *dir, int64_t frame, char *out, size_t n)
{
	/* the widths frame_list_dir accepts, the common one first; 1: the bare number */
	static const int width[] = {6, 4, 5, 7, 8, 9, 10, 11, 12, 1};
	for (size_t i = 0; i < sizeof width / sizeof *width; i++) {
		snprintf(out, n, "%s/%0*lld.png", dir, width[i], (long long)frame);
		if (access(out, R_OK) == 0)
			return 0;
	}
	snprintf(out, n, "%s/%06lld.png", dir, (long long)frame);
	return -1;
}

typedef struct { int64_t f; char *p; } entry;

static int by_frame(const void *a, const void *b)
{
	const entry *x = a, *y = b;
	return (x->f > y->f) - (x->f < y->f);
}

int frame_list_dir(const char *dir, frame_list *fl, char *err, size_t errn)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	entry *v = NULL;
	size_t n = 0, cap = 0;
	fl->frame = NULL, fl->path = NULL, fl->n = 0;
	if (!d)
		return errf(err, errn, "%s: %s", dir, strerror(errno));
	while ((e = readdir(d))) {
		const char *s = e->d_name;
		size_t len = strlen(s), digits = strspn(s, "0123456789");
		if (len < 5 || digits == 0 || digits > 12 || strcmp(s + digits, ".png") != 0)
			continue;
		if (n == cap)
			v = xrealloc(v, (cap = cap ? 2 * cap : 256) * sizeof *v);
		v[n].f = strtoll(s, NULL, 10);
		size_t pn = strlen(dir) + len + 2;
		v[n].p = xmalloc(pn);
		snprintf(v[n].p, pn, "%s/%s", dir, s);
		n++;
	}
	closedir(d);
	if (n)   /* v is NULL for a folder without frames */
		qsort(v, n, sizeof *v, by_frame);
	for (size_t i = 1; i < n; i++)
		if (v[i].f == v[i - 1].f) {
			errf(err, errn, "%s: two files for frame %lld (%s, %s)", dir, (long long)v[i].f,
			     strrchr(v[i - 1].p, '/') + 1, strrchr(v[i].p, '/') + 1);
			for (size_t j = 0; j < n; j++)
				free(v[j].p);
			free(v);
			return -1;
		}
	fl->frame = xmalloc((n ? n : 1) * sizeof *fl->frame);
	fl->path = xmalloc((n ? n : 1) * sizeof *fl->path);
	for (size_t i = 0; i < n; i++)
		fl->frame[i] = v[i].f, fl->path[i] = v[i].p;
	fl->n = n;
	free(v);
	return 0;
}

void frame_list_free(frame_list *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		free(fl->path[i]);
	free(fl->frame), free(fl->path);
	fl->frame = NULL, fl->path = NULL, fl->n = 0;
}
