#include "outfile.h"
#include "err.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static outfile *pending;

/* o becomes pending: die() and the signals remove it until it is committed. */
static void add_pending(outfile *o)
{
	err_on_die(outfile_abort_all);
	o->next = pending;
	pending = o;
}

static void unlink_pending(outfile *o)
{
	outfile **p;
	for (p = &pending; *p; p = &(*p)->next)
		if (*p == o) {
			*p = o->next;
			return;
		}
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

static char *tmp_name(const char *path)
{
	size_t n = strlen(path) + 32;
	char *t = xmalloc(n);
	snprintf(t, n, "%s.tmp.%ld", path, (long)getpid());
	return t;
}

/* ---- stale temporaries ----
 * A run killed by SIGKILL (or a crash) cannot remove its temporary output.
 * The next run for the same output removes NAME.tmp.PID when process PID
 * is gone; anything else next to the output is left alone. */

/* PID of an entry named exactly BASE.tmp.<digits>, else 0. */
static long stale_pid(const char *name, const char *base, size_t bn)
{
	if (strncmp(name, base, bn) != 0 || strncmp(name + bn, ".tmp.", 5) != 0)
		return 0;
	const char *d = name + bn + 5;
	size_t nd = strspn(d, "0123456789");
	if (nd == 0 || nd > 10 || d[nd] || d[0] == '0')
		return 0;
	long long pid = strtoll(d, NULL, 10);
	return pid <= INT_MAX ? (long)pid : 0;
}

/* Only ESRCH says a process is gone: EPERM is another user's live one. */
static int pid_gone(long pid)
{
	return pid != (long)getpid() && kill((pid_t)pid, 0) == -1 && errno == ESRCH;
}

static void remove_path(const char *p)
{
	struct stat st;
	if (lstat(p, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode))
		rm_tree(p);
	else
		unlink(p);
}

/* Removes the temporaries of path left by processes that are gone. */
static void sweep_stale(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t bn = strlen(base);
	if (!bn)
		return;
	size_t dn = slash ? (slash == path ? 1 : (size_t)(slash - path)) : 1;
	char *dir = xmalloc(dn + 1);
	memcpy(dir, slash ? path : ".", dn);
	dir[dn] = 0;
	DIR *d = opendir(dir);
	char **gone = NULL;
	size_t n = 0;
	struct dirent *e;
	/* Collected first, removed after: readdir and unlink do not mix. */
	while (d && (e = readdir(d)))
		if (stale_pid(e->d_name, base, bn) && pid_gone(stale_pid(e->d_name, base, bn))) {
			gone = xrealloc(gone, (n + 1) * sizeof *gone);
			size_t pn = dn + strlen(e->d_name) + 2;
			gone[n] = xmalloc(pn);
			snprintf(gone[n++], pn, "%s/%s", dir, e->d_name);
		}
	if (d)
		closedir(d);
	for (size_t i = 0; i < n; i++) {
		remove_path(gone[i]);
		free(gone[i]);
	}
	free(gone);
	free(dir);
}

/* ---- file outputs ---- */

static outfile *open_file(const char *path, int sweep)
{
	outfile *o = xcalloc(1, sizeof *o);
	o->path = xstrdup(path);
	if (strcmp(path, "-") == 0) {
		o->fp = stdout;
		return o;
	}
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		/* a device or a pipe: written in place, nothing to rename */
		o->fp = fopen(path, "wb");
		if (!o->fp) {
			int e = errno;
			free(o->path), free(o);
			errno = e;
			return NULL;
		}
		return o;
	}
	if (sweep)
		sweep_stale(path);
	o->tmp = tmp_name(path);
	o->fp = fopen(o->tmp, "wb");
	if (!o->fp) {
		int e = errno;
		free(o->tmp), free(o->path), free(o);
		errno = e;
		return NULL;
	}
	add_pending(o);
	return o;
}

outfile *outfile_open(const char *path) { return open_file(path, 1); }
outfile *outfile_open_fresh(const char *path) { return open_file(path, 0); }

/* ---- folder outputs ---- */

/* What outdir_open writes into every folder it makes, and looks for before
 * replacing one: the tool's name, so one tool never replaces another's. */
static void mark_text(char *buf, size_t n)
{
	snprintf(buf, n, "%s wrote this folder and replaces it whole when asked to write it again.\n",
		 progname);
}

static int has_mark(const char *dir)
{
	char want[300], got[301], *p = xmalloc(strlen(dir) + sizeof OUTDIR_MARK + 1);
	sprintf(p, "%s/%s", dir, OUTDIR_MARK);
	FILE *fp = fopen(p, "rb");
	free(p);
	if (!fp)
		return 0;
	size_t n = fread(got, 1, sizeof got - 1, fp);
	fclose(fp);
	got[n] = 0;
	mark_text(want, sizeof want);
	return strcmp(got, want) == 0;
}

static int write_mark(const char *dir)
{
	char text[300], *p = xmalloc(strlen(dir) + sizeof OUTDIR_MARK + 1);
	sprintf(p, "%s/%s", dir, OUTDIR_MARK);
	FILE *fp = fopen(p, "wb");
	free(p);
	if (!fp)
		return -1;
	mark_text(text, sizeof text);
	fputs(text, fp);
	return ferror(fp) | fclose(fp) ? -1 : 0;
}

static int empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int empty = d != NULL;
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	if (d)
		closedir(d);
	return empty;
}

/* 0 if dir may be replaced: absent, an empty folder, a folder this tool
 * made, or any folder with force. A file, a link or anything else is never
 * replaced. Else -1, errno set and the reason in err. */
static int replaceable(const char *dir, int force, char *err, size_t errn)
{
	struct stat st;
	if (lstat(dir, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		int e = errno;
		errf(err, errn, "%s: %s", dir, strerror(e));
		errno = e;
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		errf(err, errn, "%s: exists and is not a folder; not replaced", dir);
		errno = ENOTDIR;
		return -1;
	}
	if (force || empty_dir(dir) || has_mark(dir))
		return 0;
	errf(err, errn, "%s: a folder that %s did not make; not replaced (--force replaces it, "
	     "losing what it holds)", dir, progname);
	errno = EEXIST;
	return -1;
}

outfile *outdir_open(const char *dir, int force, char *err, size_t errn)
{
	char *path = xstrdup(dir);
	/* "out/" would put the temporary folder inside the old one. */
	for (size_t n = strlen(path); n > 1 && path[n - 1] == '/';)
		path[--n] = 0;
	if (replaceable(path, force, err, errn) != 0) {
		int e = errno;
		free(path);
		errno = e;
		return NULL;
	}
	sweep_stale(path);
	outfile *o = xcalloc(1, sizeof *o);
	o->path = path;
	o->tmp = tmp_name(path);
	o->is_dir = 1, o->force = force;
	rm_tree(o->tmp);
	if (mkdir(o->tmp, 0777) != 0 || write_mark(o->tmp) != 0) {
		int e = errno;
		errf(err, errn, "%s: cannot create: %s", path, strerror(e));
		rm_tree(o->tmp);
		free(o->tmp), free(o->path), free(o);
		errno = e;
		return NULL;
	}
	add_pending(o);
	return o;
}

const char *outdir_shown(const outfile *o, const char *msg, char *buf, size_t n)
{
	size_t t = o->tmp ? strlen(o->tmp) : 0;
	if (!t || strncmp(msg, o->tmp, t) != 0)
		return msg;
	snprintf(buf, n, "%s%s", o->path, msg + t);
	return buf;
}

void outfile_spool(outfile *o)
{
	if (o->is_dir || o->fp != stdout)
		return;
	const char *d = getenv("TMPDIR");
	char path[4200];
	snprintf(path, sizeof path, "%s/%s.XXXXXX", d && *d ? d : "/tmp", progname);
	int fd = mkstemp(path);
	if (fd < 0)
		return;
	unlink(path);
	FILE *t = fdopen(fd, "w+b");
	if (!t) {
		close(fd);
		return;
	}
	o->fp = t;
	o->spooled = 1;
}

/* Copies a spooled output to stdout. Returns 0, or -1 with errno set. */
static int unspool(outfile *o)
{
	char b[65536];
	size_t k;
	if (fflush(o->fp) != 0 || fseek(o->fp, 0, SEEK_SET) != 0)
		return -1;
	while ((k = fread(b, 1, sizeof b, o->fp)) > 0)
		if (fwrite(b, 1, k, stdout) != k)
			return -1;
	if (ferror(o->fp))
		return -1;
	fclose(o->fp);
	o->fp = stdout;
	return 0;
}

int outfile_commit(outfile *o)
{
	int rc = 0, e = 0;
	if (o->spooled && unspool(o) != 0) {
		e = errno;
		fclose(o->fp);
		free(o->path), free(o);
		errno = e;
		return -1;
	}
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
			/* Checked again: something may have appeared there meanwhile. */
			struct stat st;
			char *old = NULL, why[8];
			if (replaceable(o->path, o->force, why, sizeof why) != 0)
				rc = -1, e = errno;
			else if (lstat(o->path, &st) == 0) {
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
