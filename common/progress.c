#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void progress_start(progress *p, const char *what, uint64_t total, int quiet)
{
	p->on = !quiet && isatty(2);
	p->what = what;
	p->total = total;
	p->t0 = p->last = now_seconds();
}

static void draw(progress *p, uint64_t done, const char *note, double t)
{
	double el = t - p->t0, rate = el > 0 ? done / el : 0;
	if (p->total) {
		double eta = rate > 0 ? (p->total - (done < p->total ? done : p->total)) / rate : 0;
		fprintf(stderr, "\r%llu/%llu %s (%3.0f%%) %.0f/s ETA %dm%02ds",
			(unsigned long long)done, (unsigned long long)p->total, p->what,
			100.0 * done / p->total, rate, (int)eta / 60, (int)eta % 60);
	} else {
		fprintf(stderr, "\r%llu %s %.0f/s", (unsigned long long)done, p->what, rate);
	}
	if (note)
		fprintf(stderr, " %s", note);
	fputs("\033[K", stderr);
}

void progress_update(progress *p, uint64_t done, const char *note)
{
	if (!p->on)
		return;
	double t = now_seconds();
	if (t - p->last < 0.2)
		return;
	p->last = t;
	draw(p, done, note, t);
}

void progress_end(progress *p, uint64_t done)
{
	if (!p->on)
		return;
	draw(p, done, NULL, now_seconds());
	fputc('\n', stderr);
}
