#include "outfile.h"
#include "err.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static outfile *pending;

static void unlink_pending(outfile *o)
{
	outfile **p;
	for (p = &pending; *p; p = &(*p)->next)
		if (*p == o) {
			*p = o->next;
			return;
		}
}

/* o becomes pending: die() and the signals remove it until it is committed. */
static void add_pending(outfile *o)
{
	err_on_die(outfile_abort_all);
	o->next = pending;
	pending = o;
}

/* Frees an output that could not be opened, errno kept; returns NULL. */
static outfile *open_failed(outfile *o)
{
	int e = errno;
	free(o->tmp), free(o->path), free(o);
	errno = e;
	return NULL;
}

static char *tmp_name(const char *path)
{
	size_t n = strlen(path) + 32;
	char *t = xmalloc(n);
	snprintf(t, n, "%s.tmp.%ld", path, (long)getpid());
	return t;
}

outfile *outfile_open(const char *path)
{
	outfile *o = xcalloc(1, sizeof *o);
	o->path = xstrdup(path);
	if (strcmp(path, "-") == 0) {
		o->fp = stdout;
		return o;
	}
	o->tmp = tmp_name(path);
	o->fp = fopen(o->tmp, "wb");
	if (!o->fp)
		return open_failed(o);
	add_pending(o);
	return o;
}

/* Removes a directory tree (only what we made: plain files and folders). */
static void rm_tree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	if (!d) {
		unlink(dir);
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		size_t n = strlen(dir) + strlen(e->d_name) + 2;
		char *p = malloc(n);
		if (!p)
			break;
		snprintf(p, n, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rm_tree(p);
		else
			unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

outfile *outdir_open(const char *dir)
{
	outfile *o = xcalloc(1, sizeof *o);
	o->path = xstrdup(dir);
	o->tmp = tmp_name(dir);
	o->is_dir = 1;
	rm_tree(o->tmp);
	if (mkdir(o->tmp, 0777) != 0)
		return open_failed(o);
	add_pending(o);
	return o;
}

int outfile_commit(outfile *o)
{
	int rc = 0, e = 0;
	if (!o->is_dir) {
		if (fflush(o->fp) != 0 || ferror(o->fp))
			rc = -1, e = errno;
		if (o->fp != stdout) {
			if (fclose(o->fp) != 0 && rc == 0)
				rc = -1, e = errno;
		}
	}
	if (o->tmp && rc == 0) {
		if (o->is_dir) {
			/* Swap the finished folder in; an old one is moved aside first. */
			struct stat st;
			char *old = NULL;
			if (stat(o->path, &st) == 0) {
				size_t n = strlen(o->path) + 32;
				old = xmalloc(n);
				snprintf(old, n, "%s.old.%ld", o->path, (long)getpid());
				rm_tree(old);
				if (rename(o->path, old) != 0)
					rc = -1, e = errno;
			}
			if (rc == 0 && rename(o->tmp, o->path) != 0) {
				rc = -1, e = errno;
				if (old)
					rename(old, o->path);
			}
			if (rc == 0 && old)
				rm_tree(old);
			free(old);
		} else if (rename(o->tmp, o->path) != 0) {
			rc = -1, e = errno;
		}
	}
	if (rc != 0 && o->tmp)
		o->is_dir ? rm_tree(o->tmp) : (void)unlink(o->tmp);
	unlink_pending(o);
	free(o->tmp), free(o->path), free(o);
	errno = e;
	return rc;
}

void outfile_abort(outfile *o)
{
	if (!o)
		return;
	if (!o->is_dir && o->fp && o->fp != stdout)
		fclose(o->fp);
	if (o->tmp)
		o->is_dir ? rm_tree(o->tmp) : (void)unlink(o->tmp);
	unlink_pending(o);
	free(o->tmp), free(o->path), free(o);
}

void outfile_abort_all(void)
{
	/* Called from die() and signal handlers: only unlink, free nothing. */
	for (outfile *o = pending; o; o = o->next)
		if (o->tmp)
			o->is_dir ? rm_tree(o->tmp) : (void)unlink(o->tmp);
	pending = NULL;
}
