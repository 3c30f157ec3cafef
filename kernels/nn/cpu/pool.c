#include "nn/cpu/pool.h"

#include <pthread.h>
#include <stdlib.h>

#include "err.h"

struct pool {
	int n;                    /* threads, the caller included */
	pthread_t *tid;
	pthread_mutex_t mu;
	pthread_cond_t go, done;
	unsigned long gen;        /* bumped for each job */
	int active;               /* threads taking part in this job */
	int pending;              /* workers still running this job */
	int quit;
	pool_fn fn;
	void *ctx;
};

struct worker { pool *p; int t; };

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	pool *p = w->p;
	int t = w->t;
	free(w);
	unsigned long seen = 0;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (p->gen == seen && !p->quit)
			pthread_cond_wait(&p->go, &p->mu);
		if (p->quit)
			break;
		seen = p->gen;
		if (t >= p->active)
			continue;
		pool_fn fn = p->fn;
		void *ctx = p->ctx;
		int nt = p->active;
		pthread_mutex_unlock(&p->mu);
		fn(ctx, t, nt);
		pthread_mutex_lock(&p->mu);
		if (--p->pending == 0)
			pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

pool *pool_new(int threads)
{
	pool *p = xcalloc(1, sizeof *p);
	p->n = threads < 1 ? 1 : threads;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->go, NULL);
	pthread_cond_init(&p->done, NULL);
	p->tid = xcalloc((size_t)p->n, sizeof *p->tid);
	for (int t = 1; t < p->n; t++) {
		struct worker *w = xmalloc(sizeof *w);
		w->p = p, w->t = t;
		if (pthread_create(&p->tid[t], NULL, worker_main, w) != 0)
			die("cannot start worker thread %d", t);
	}
	return p;
}

void pool_free(pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = 1;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	for (int t = 1; t < p->n; t++)
		pthread_join(p->tid[t], NULL);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->go);
	pthread_cond_destroy(&p->done);
	free(p->tid);
	free(p);
}

int pool_threads(const pool *p) { return p->n; }

void pool_run_n(pool *p, int need, pool_fn fn, void *ctx)
{
	int nt = need < 1 ? 1 : need > p->n ? p->n : need;
	if (nt == 1) {
		fn(ctx, 0, 1);
		return;
	}
	pthread_mutex_lock(&p->mu);
	p->fn = fn, p->ctx = ctx;
	p->active = nt;
	p->pending = nt - 1;
	p->gen++;
	pthread_cond_broadcast(&p->go);
	pthread_mutex_unlock(&p->mu);
	fn(ctx, 0, nt);
	pthread_mutex_lock(&p->mu);
	while (p->pending > 0)
		pthread_cond_wait(&p->done, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void pool_run(pool *p, pool_fn fn, void *ctx) { pool_run_n(p, p->n, fn, ctx); }
