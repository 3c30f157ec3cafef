/* pool.h: a fixed team of worker threads for the CPU backend.
 *
 * pool_run(p, fn, ctx) calls fn(ctx, t, T) once on each of the T threads
 * (the caller is thread 0) and returns when all are done. Work is split by
 * the callee from (t, T) with static, contiguous ranges, so which thread
 * computes what (and so every partial sum) depends only on T: results are
 * bit-identical from run to run for one thread count. */
#ifndef USC_CPU_POOL_H
#define USC_CPU_POOL_H

#include <stddef.h>

typedef struct pool pool;
typedef void (*pool_fn)(void *ctx, int t, int nt);

pool *pool_new(int threads);
void pool_free(pool *p);
int pool_threads(const pool *p);
void pool_run(pool *p, pool_fn fn, void *ctx);
/* Runs on min(T, need) threads: for work too small to be worth waking all. */
void pool_run_n(pool *p, int need, pool_fn fn, void *ctx);

/* The range [lo, hi) of n items that thread t of nt owns. */
static inline void pool_range(size_t n, int t, int nt, size_t *lo, size_t *hi)
{
	*lo = n * (size_t)t / (size_t)nt;
	*hi = n * (size_t)(t + 1) / (size_t)nt;
}

#endif
