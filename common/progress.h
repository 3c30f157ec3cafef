/* progress.h: a one-line progress report on stderr for long work, shown
 * only when stderr is a terminal and not silenced (-q): done/total, rate,
 * ETA and a free-form note, redrawn at most a few times a second. */
#ifndef USC_PROGRESS_H
#define USC_PROGRESS_H

#include <stdint.h>

typedef struct progress {
	int on;
	const char *what;    /* "frames", "samples", ... */
	uint64_t total;      /* 0 if unknown */
	double t0, last;
} progress;

void progress_start(progress *p, const char *what, uint64_t total, int quiet);
/* note may be NULL; it is printed after the rate (e.g. losses). */
void progress_update(progress *p, uint64_t done, const char *note);
void progress_end(progress *p, uint64_t done);
double now_seconds(void);   /* monotonic clock */

#endif
