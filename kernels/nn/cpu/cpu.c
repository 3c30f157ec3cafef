/* cpu.c: the CPU backend: memory, element-wise ops, dropout, concat,
 * losses and optimisers, and the table that nn.h hands out. Heavy layers
 * are in conv.c (im2col + sgemm) and bn.c. Element-wise work is split in
 * contiguous ranges across the pool; sums are per thread in double, then
 * in thread order. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nn/cpu/cpu.h"
#include "cpus.h"
#include "err.h"
#include "nn/cpu/vec.h"

float *cpu_grow(float **p, size_t *cap, size_t n)
{
	if (n > *cap) {
		free(*p);
		*p = xmalloc(n * sizeof **p);
		*cap = n;
	}
	return *p;
}

double *cpu_grow_d(double **p, size_t *cap, size_t n)
{
	if (n > *cap) {
		free(*p);
		*p = xmalloc(n * sizeof **p);
		*cap = n;
	}
	return *p;
}

/* ---- memory ---- */

static void *cpu_alloc(nn_backend *be, size_t bytes)
{
	(void)be;
	void *p = NULL;
	/* 64-byte aligned for the vector loads of sgemm and the loops below */
	if (posix_memalign(&p, 64, bytes ? bytes : 1) != 0)
		die("out of memory (%zu bytes)", bytes);
	memset(p, 0, bytes);
	return p;
}

static void cpu_free(nn_backend *be, void *p) { (void)be; free(p); }
static void cpu_copy(nn_backend *be, void *d, const void *s, size_t n) { (void)be; if (n) memmove(d, s, n); }
static void cpu_zero(nn_backend *be, void *p, size_t n) { (void)be; if (n) memset(p, 0, n); }

/* ---- element-wise ops, in parallel ranges ---- */

enum ew_op { EW_U8, EW_RELU, EW_RELU_B, EW_SIG, EW_SIG_B, EW_DROP, EW_MUL, EW_ADD, EW_ADADELTA, EW_ADAM, EW_SSE };

typedef struct ew_job {
	nn_backend *be;
	enum ew_op op;
	size_t n;
	const float *a, *b;
	float *y, *m, *v, *w;
	const uint8_t *u8;
	float s0, s1, s2, s3;
	uint64_t seed;
} ew_job;

static void ew_task(void *arg, int t, int nt)
{
	ew_job *j = arg;
	size_t lo, hi;
	pool_range(j->n, t, nt, &lo, &hi);
	size_t n = hi - lo;
	const float *a = j->a ? j->a + lo : NULL, *b = j->b ? j->b + lo : NULL;
	float *y = j->y ? j->y + lo : NULL;
	switch (j->op) {
	case EW_U8: vec_u8(j->u8 + lo, y, n, j->s0); break;
	case EW_RELU: vec_relu(a, y, n); break;
	case EW_RELU_B: vec_relu_bwd(a, b, y, n); break;   /* a = y, b = dy */
	case EW_SIG: vec_sigmoid(a, y, n); break;
	case EW_SIG_B: vec_sigmoid_bwd(a, b, y, n); break;
	case EW_DROP: vec_dropout(a, y, j->m + lo, n, lo, j->s0, j->seed); break;   /* s0 = rate */
	case EW_MUL: vec_mul(a, b, y, n); break;
	case EW_ADD: vec_add(a, b, y, n); break;
	case EW_ADADELTA:   /* a = g, m = acc_g, v = acc_d; s0 lr, s1 rho, s2 eps */
		vec_adadelta(j->w + lo, a, j->m + lo, j->v + lo, n, j->s0, j->s1, j->s2);
		break;
	case EW_ADAM:   /* s0 lr_t, s1 b1, s2 b2, s3 eps */
		vec_adam(j->w + lo, a, j->m + lo, j->v + lo, n, j->s0, j->s1, j->s2, j->s3);
		break;
	case EW_SSE: {   /* a pred, b target, y dpred or NULL, s0 = 2*coef */
		cpu_scratch *sc = &cpu_of(j->be)->scr[t];
		cpu_grow_d(&sc->dacc, &sc->dacc_cap, 1)[0] = vec_sse(a, b, y, n, j->s0);
		break;
	}
	}
}

static int ew_threads(nn_backend *be, size_t n)
{
	return n < CPU_SERIAL_N ? 1 : cpu_of(be)->nt;
}

static void ew_run(ew_job *j)
{
	pool_run_n(cpu_of(j->be)->pool, ew_threads(j->be, j->n), ew_task, j);
}

/* y = op(a) or op(a, b), one value a time. */
static void ew_map(nn_backend *be, enum ew_op op, size_t n, const float *a, const float *b, float *y)
{
	ew_job j = { .be = be, .op = op, .n = n, .a = a, .b = b, .y = y };
	ew_run(&j);
}

static void cpu_u8(nn_backend *be, size_t n, const uint8_t *src, float *dst, float scale)
{
	ew_job j = { .be = be, .op = EW_U8, .n = n, .u8 = src, .y = dst, .s0 = scale };
	ew_run(&j);
}

static void cpu_relu_fwd(nn_backend *be, size_t n, const float *x, float *y)
{
	ew_map(be, EW_RELU, n, x, NULL, y);
}

static void cpu_relu_bwd(nn_backend *be, size_t n, const float *y, const float *dy, float *dx)
{
	ew_map(be, EW_RELU_B, n, y, dy, dx);
}

static void cpu_sigmoid_fwd(nn_backend *be, size_t n, const float *x, float *y)
{
	ew_map(be, EW_SIG, n, x, NULL, y);
}

static void cpu_sigmoid_bwd(nn_backend *be, size_t n, const float *y, const float *dy, float *dx)
{
	ew_map(be, EW_SIG_B, n, y, dy, dx);
}

static void cpu_dropout_fwd(nn_backend *be, size_t n, const float *x, float *y, float *mask,
                            float rate, uint64_t seed)
{
	ew_job j = { .be = be, .op = EW_DROP, .n = n, .a = x, .y = y, .m = mask, .s0 = rate, .seed = seed };
	ew_run(&j);
}

static void cpu_dropout_bwd(nn_backend *be, size_t n, const float *dy, const float *mask, float *dx)
{
	ew_map(be, EW_MUL, n, dy, mask, dx);
}

static void cpu_add(nn_backend *be, size_t n, const float *a, const float *b, float *y)
{
	ew_map(be, EW_ADD, n, a, b, y);
}

static double cpu_sse(nn_backend *be, size_t n, const float *pred, const float *target,
                      float coef, float *dpred)
{
	int nt = ew_threads(be, n);
	ew_job j = { .be = be, .op = EW_SSE, .n = n, .a = pred, .b = target, .y = dpred, .s0 = 2.0f * coef };
	pool_run_n(cpu_of(be)->pool, nt, ew_task, &j);
	double s = 0.0;
	for (int t = 0; t < nt; t++)
		s += cpu_of(be)->scr[t].dacc[0];
	return s;
}

static void cpu_adadelta(nn_backend *be, size_t n, float *w, const float *g, float *acc_g,
                         float *acc_d, float lr, float rho, float eps)
{
	ew_job j = { .be = be, .op = EW_ADADELTA, .n = n, .w = w, .a = g, .m = acc_g, .v = acc_d,
	             .s0 = lr, .s1 = rho, .s2 = eps };
	ew_run(&j);
}

static void cpu_adam(nn_backend *be, size_t n, float *w, const float *g, float *m, float *v,
                     float lr_t, float b1, float b2, float eps)
{
	ew_job j = { .be = be, .op = EW_ADAM, .n = n, .w = w, .a = g, .m = m, .v = v,
	             .s0 = lr_t, .s1 = b1, .s2 = b2, .s3 = eps };
	ew_run(&j);
}

static void cpu_concat(nn_backend *be, int n, int a, int b, const float *x1, const float *x2, float *y)
{
	(void)be;
	for (int i = 0; i < n; i++) {
		memcpy(y + (size_t)i * (a + b), x1 + (size_t)i * a, (size_t)a * sizeof *y);
		memcpy(y + (size_t)i * (a + b) + a, x2 + (size_t)i * b, (size_t)b * sizeof *y);
	}
}

static void cpu_split(nn_backend *be, int n, int a, int b, const float *y, float *x1, float *x2)
{
	(void)be;
	for (int i = 0; i < n; i++) {
		if (x1)
			memcpy(x1 + (size_t)i * a, y + (size_t)i * (a + b), (size_t)a * sizeof *y);
		if (x2)
			memcpy(x2 + (size_t)i * b, y + (size_t)i * (a + b) + a, (size_t)b * sizeof *y);
	}
}

/* ---- reductions of per-thread partials ---- */

typedef struct red_job {
	size_t n;
	const float *const *parts;
	int nparts;
	float *out;
} red_job;

static void red_task(void *arg, int t, int nt)
{
	red_job *j = arg;
	size_t lo, hi;
	pool_range(j->n, t, nt, &lo, &hi);
	for (size_t i = lo; i < hi; i++) {
		float s = j->parts[0][i];
		for (int p = 1; p < j->nparts; p++)
			s += j->parts[p][i];
		j->out[i] = s;
	}
}

void cpu_reduce(nn_backend *be, size_t n, const float *const *parts, int nparts, float *out)
{
	red_job j = { n, parts, nparts, out };
	pool_run_n(cpu_of(be)->pool, ew_threads(be, n * (size_t)nparts), red_task, &j);
}

/* ---- the backend ---- */

static void cpu_close(nn_backend *be)
{
	cpu_impl *c = cpu_of(be);
	pool_free(c->pool);
	for (int t = 0; t < c->nt; t++) {
		free(c->scr[t].col);
		free(c->scr[t].acc);
		free(c->scr[t].dacc);
	}
	free(c->scr);
	free(c);
	free(be);
}

nn_backend *nn_cpu_open(int threads)
{
	if (threads <= 0)
		threads = cpus_usable();
	if (threads > 64)
		threads = 64;
	/* Our threads split the batch; each sgemm call runs on its caller's
	 * thread, so OpenBLAS must not start threads of its own. */
	openblas_set_num_threads(1);
	cpu_impl *c = xcalloc(1, sizeof *c);
	c->nt = threads;
	c->pool = pool_new(threads);
	c->scr = xcalloc((size_t)threads, sizeof *c->scr);
	nn_backend *be = xcalloc(1, sizeof *be);
	*be = (nn_backend){
		.name = "cpu", .on_device = 0, .threads = threads, .impl = c,
		.close = cpu_close,
		.alloc = cpu_alloc, .free = cpu_free,
		.upload = cpu_copy, .download = cpu_copy, .copy = cpu_copy, .zero = cpu_zero,
		.u8_to_f32 = cpu_u8,
		.conv_fwd = cpu_conv_fwd, .conv_bwd = cpu_conv_bwd,
		.tconv_fwd = cpu_tconv_fwd, .tconv_bwd = cpu_tconv_bwd,
		.dense_fwd = cpu_dense_fwd, .dense_bwd = cpu_dense_bwd,
		.relu_fwd = cpu_relu_fwd, .relu_bwd = cpu_relu_bwd,
		.sigmoid_fwd = cpu_sigmoid_fwd, .sigmoid_bwd = cpu_sigmoid_bwd,
		.dropout_fwd = cpu_dropout_fwd, .dropout_bwd = cpu_dropout_bwd,
		.bn_fwd = cpu_bn_fwd, .bn_bwd = cpu_bn_bwd,
		.concat = cpu_concat, .split = cpu_split,
		.add = cpu_add, .sse = cpu_sse,
		.adadelta = cpu_adadelta, .adam = cpu_adam,
		.conv_fwd_post = cpu_conv_fwd_post, .conv_bwd_post = cpu_conv_bwd_post,
		.tconv_fwd_post = cpu_tconv_fwd_post, .tconv_bwd_post = cpu_tconv_bwd_post,
	};
	return be;
}
