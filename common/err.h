/* err.h: how tools report errors.
 *
 * Every message has the form "tool: where: what" on stderr. die() exits 1
 * (bad input, failed I/O), die_usage() exits 2 (bad options). Both, and
 * SIGINT, SIGTERM and SIGHUP, first run the hook set with err_on_die()
 * (outfile.h sets one that removes the outputs not yet committed, so a
 * failed run leaves no half-written file behind). */
#ifndef USC_ERR_H
#define USC_ERR_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
#define _Noreturn [[noreturn]]
extern "C" {
#endif

extern const char *progname;

/* Sets progname from argv[0], restores SIGPIPE's default (a closed pipe ends
 * the tool quietly) and installs the signal handlers that run the on-die
 * hook. */
void err_init(const char *argv0);

/* Sets the function die(), die_usage() and the signal handlers call before
 * the tool ends (one; a later call replaces it; NULL: none). It must be
 * safe in a signal handler. */
void err_on_die(void (*fn)(void));

_Noreturn void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Formats into buf (size n) like snprintf and returns -1: lets parsers
 * record an error message and fail in one statement. */
int errf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* malloc/calloc/realloc that die on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#ifdef __cplusplus
}
#undef _Noreturn
#endif

#endif
