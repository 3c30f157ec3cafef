/* cpu.h: internals shared by the files of the CPU backend. */
#ifndef USC_CPU_CPU_H
#define USC_CPU_CPU_H

#include <stddef.h>

#include "nn/conv_ops.h"
#include "nn/nn.h"
#include "nn/cpu/pool.h"

/* Scratch memory of one worker thread, grown on demand and kept. */
typedef struct cpu_scratch {
	float *col;            /* im2col block */
	size_t col_cap;
	float *acc;            /* per-thread partial weight gradients */
	size_t acc_cap;
	double *dacc;          /* per-thread partial sums (batch norm, losses) */
	size_t dacc_cap;
} cpu_scratch;

typedef struct cpu_impl {
	pool *pool;
	int nt;
	cpu_scratch *scr;      /* nt of them */
} cpu_impl;

static inline cpu_impl *cpu_of(nn_backend *be) { return (cpu_impl *)be->impl; }

float *cpu_grow(float **p, size_t *cap, size_t n);
double *cpu_grow_d(double **p, size_t *cap, size_t n);

/* Element counts below which an op stays on one thread. */
#define CPU_SERIAL_N 32768

/* conv.c */
NN_CONV_DECLARE(cpu)
void cpu_dense_fwd(nn_backend *be, int n, int in, int out, const float *x, const float *w,
                   const float *b, float *y);
void cpu_dense_bwd(nn_backend *be, int n, int in, int out, const float *x, const float *w,
                   const float *dy, float *dx, float *dw, float *db);

/* bn.c */
void cpu_bn_fwd(nn_backend *be, const nn_bn *g, const float *x, float *y, const float *gamma,
                const float *beta, float *run_mean, float *run_var, float *save_mean,
                float *save_invstd, int training);
void cpu_bn_bwd(nn_backend *be, const nn_bn *g, const float *x, const float *dy, const float *gamma,
                const float *save_mean, const float *save_invstd, float *dx, float *dgamma,
                float *dbeta);

/* Sums nt per-thread partial arrays of n floats (thread t's at
 * parts + t*stride) into out, in thread order. */
void cpu_reduce(nn_backend *be, size_t n, const float *const *parts, int nparts, float *out);

#endif
