/* outfile.h: outputs that appear whole or not at all.
 *
 * A file output is written to "PATH.tmp.PID" in the same directory and
 * renamed over PATH by outfile_commit(). A directory output (folders of
 * PNGs, a generated sequence) is built in "DIR.tmp.PID" and swapped in the
 * same way; it holds OUTDIR_MARK, which lets a later run of the same tool
 * replace it, while a folder made by anyone else is kept unless forced.
 * die(), SIGINT and SIGTERM remove every output not yet committed; the
 * temporaries of a run that was killed outright are removed by the next
 * run for the same output, once that process is gone. PATH "-" means
 * stdout: nothing is renamed, but the stream is flushed and checked on
 * commit. So is a PATH that exists and is neither a regular file nor a
 * folder (a device such as /dev/null, a FIFO, /dev/stdout): it is written
 * in place, as renaming over it would replace the device with a file. */
#ifndef USC_OUTFILE_H
#define USC_OUTFILE_H

#include <stdio.h>

typedef struct outfile {
	FILE *fp;      /* write here */
	char *path;    /* final name ("-" for stdout) */
	char *tmp;     /* temporary name, NULL for stdout */
	int is_dir;
	int force;     /* a folder output may replace any folder */
	int spooled;   /* stdout text held in an unnamed file (outfile_spool) */
	struct outfile *next;
} outfile;

#define OUTDIR_MARK ".usc-mots"   /* in every folder outdir_open makes */

/* Opens a file output, first removing PATH.tmp.PID left by processes that
 * are gone; returns NULL and sets errno on failure. */
outfile *outfile_open(const char *path);
/* Same without that search: for the files of a folder being built, where
 * no stale temporary can be (and a search per file would cost n^2). */
outfile *outfile_open_fresh(const char *path);
/* Creates a temporary folder for DIR; o->tmp is the folder to fill. An
 * existing DIR is replaced on commit only if it is an empty folder or one
 * that this tool made, or with force any folder; never a file or a link.
 * Returns NULL with errno set and "DIR: why" in err on failure. */
outfile *outdir_open(const char *dir, int force, char *err, size_t errn);
/* A message about a file in the folder being built, naming it as the user
 * will see it: a leading o->tmp in msg becomes o->path (in buf). */
const char *outdir_shown(const outfile *o, const char *msg, char *buf, size_t n);
/* For an output on stdout: its text goes to an unnamed temporary file
 * instead, copied to stdout by outfile_commit, so that a failure before
 * then leaves nothing on stdout either. Without a place for that file
 * (TMPDIR, else /tmp) it is written straight out. */
void outfile_spool(outfile *o);

/* Flushes, closes and renames into place; frees o. Returns 0, or -1 with
 * errno set (the temporary output is removed). */
int outfile_commit(outfile *o);
/* Removes the temporary output and frees o. */
void outfile_abort(outfile *o);
/* Removes every pending output (die() and the signals call it, through
 * err_on_die(), once an output is pending). */
void outfile_abort_all(void);

#endif
