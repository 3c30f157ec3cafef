/* outfile.h: outputs that appear whole or not at all.
 *
 * A file output is written to "PATH.tmp.PID" in the same directory and
 * renamed over PATH by outfile_commit(). A directory output (folders of
 * PNGs, a generated sequence) is built in "DIR.tmp.PID" and swapped in the
 * same way. die(), SIGINT and SIGTERM remove every output not yet
 * committed. PATH "-" means stdout: nothing is renamed, but the stream is
 * flushed and checked on commit. */
#ifndef USC_OUTFILE_H
#define USC_OUTFILE_H

#include <stdio.h>

typedef struct outfile {
	FILE *fp;      /* write here */
	char *path;    /* final name ("-" for stdout) */
	char *tmp;     /* temporary name, NULL for stdout */
	int is_dir;
	struct outfile *next;
} outfile;

/* Opens a file output; returns NULL and sets errno on failure. */
outfile *outfile_open(const char *path);
/* Creates a temporary directory for DIR; o->tmp is the folder to fill. */
outfile *outdir_open(const char *dir);
/* Flushes, closes and renames into place; frees o. Returns 0, or -1 with
 * errno set (the temporary output is removed). */
int outfile_commit(outfile *o);
/* Removes the temporary output and frees o. */
void outfile_abort(outfile *o);
/* Removes every pending output (die() and the signals call it, through
 * err_on_die(), once an output is pending). */
void outfile_abort_all(void);

#endif
