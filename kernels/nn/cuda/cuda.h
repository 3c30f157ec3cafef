/* cuda.h: internals shared by the files of the CUDA backend (C++, nvcc).
 * See cuda.cu for how each op of nn.h maps to cuDNN, cuBLAS or a kernel. */
#ifndef USC_CUDA_CUDA_H
#define USC_CUDA_CUDA_H

#include <cstddef>
#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

/* nn.h declares the backend's entry points only under USC_CUDA, so that
 * no C program links them directly: they are found with dlsym */
#ifndef USC_CUDA
#define USC_CUDA 1
#endif
#include "nn/nn.h"
#include "nn/conv_ops.h"

/* common/err.h is C11 (_Noreturn), so the two functions used here are
 * declared again with C++ syntax; the definitions are in common/err.c, in
 * the program that loads the backend (linked with --export-dynamic). */
extern "C" {
[[noreturn]] void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int errf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
}

/* A convolution from grid P to grid Q with its cuDNN descriptors and the
 * algorithms chosen for it (cuda_conv.cu). For a transposed convolution P
 * is its output grid and Q its input grid (the adjoint convolution). */
enum { CU_MAX_ALGOS = 8 };

struct cu_algos {
	int n, cur;                  /* candidates in order of preference; the one in use */
	int algo[CU_MAX_ALGOS];
	size_t ws[CU_MAX_ALGOS];     /* workspace bytes of each */
};

struct cu_plan {
	nn_conv g;
	int transposed;
	cudnnTensorDescriptor_t p, q;
	cudnnFilterDescriptor_t w;
	cudnnConvolutionDescriptor_t conv;
	size_t np, nq, nw;           /* floats of P, Q and the filter */
	cu_algos fwd, bwd_data, bwd_filter;
	unsigned long long used;     /* last use, for eviction */
};

enum { CU_MAX_PLANS = 64 };

/* Blocks of the sse reduction; cu_impl.red holds CU_RED_BLOCKS + 1 doubles. */
enum { CU_RED_BLOCKS = 1024 };

/* Scratch slots of cu_aligned_*: one per array of a cuDNN call. */
enum { CU_STAGES = 8 };

struct cu_impl {
	int dev;
	char devname[256];
	cudaStream_t stream;
	cublasHandle_t blas;
	cudnnHandle_t dnn;
	cudnnTensorDescriptor_t bn_x, bn_p;    /* batch norm: data and per-channel */
	void *ws;                    /* cuDNN workspace */
	size_t ws_cap;
	void *part;                  /* partial sums of the reductions */
	size_t part_cap;
	void *tmp;                   /* batch norm's dx when the caller needs none */
	size_t tmp_cap;
	double *red;                 /* sse: block partials, then the total */
	void *stage[CU_STAGES];      /* aligned copies for cuDNN (cu_aligned_*) */
	size_t stage_cap[CU_STAGES];
	cu_plan plans[CU_MAX_PLANS];
	int nplans;
	unsigned long long clock;
};

static inline cu_impl *cu_of(nn_backend *be) { return (cu_impl *)be->impl; }

/* Error checks: any failure of a CUDA, cuBLAS or cuDNN call inside an op
 * dies with the call's name, the library's message and where (the ops of
 * nn.h return nothing; a device failure mid-training cannot be recovered). */
[[noreturn]] void cu_fail(const char *lib, const char *call, const char *msg, const char *file, int line);
/* The one check: status of type T from expr, not ok: dies with text (the
 * call as written; stringified by the caller, before macro expansion). */
#define CU_CHECK_STATUS(lib, T, ok, errstr, expr, text)                         \
	do {                                                                     \
		T e_ = (expr);                                                   \
		if (e_ != (ok))                                                  \
			cu_fail(lib, text, errstr(e_), __FILE__, __LINE__);      \
	} while (0)
#define CU_CHECK(call) CU_CHECK_STATUS("CUDA", cudaError_t, cudaSuccess, cudaGetErrorString, call, #call)
#define BLAS_CHECK(call)                                                                       \
	CU_CHECK_STATUS("cuBLAS", cublasStatus_t, CUBLAS_STATUS_SUCCESS, cublasGetStatusString, call, \
	                #call)
#define DNN_CHECK(call) \
	CU_CHECK_STATUS("cuDNN", cudnnStatus_t, CUDNN_STATUS_SUCCESS, cudnnGetErrorString, call, #call)
/* After a kernel launch: launch errors (bad configuration, no kernel image). */
#define LAUNCH_CHECK(name) \
	CU_CHECK_STATUS("CUDA", cudaError_t, cudaSuccess, cudaGetErrorString, cudaGetLastError(), name "<<<>>>")

/* A device buffer of at least `bytes`, grown on demand (old contents lost). */
void *cu_grow(cu_impl *c, void **p, size_t *cap, size_t bytes);

/* cuDNN's kernels may use 16-byte vector loads, and the callers of nn.h
 * may pass arrays at any float offset (a tensor inside one parameter
 * buffer). These give cuDNN a 16-byte aligned view: the array itself when
 * it is aligned, else a copy in stage slot k. For outputs, cu_aligned_out
 * gives the view (with the current contents if copy_in) and cu_aligned_done
 * copies the view back when it is a copy. NULL stays NULL. */
const float *cu_aligned_in(nn_backend *be, int k, const float *p, size_t n);
float *cu_aligned_out(nn_backend *be, int k, float *p, size_t n, int copy_in);
void cu_aligned_done(nn_backend *be, float *p, const float *view, size_t n);

/* cuda_ew.cu: helpers of the layers */
void cu_add_bias(nn_backend *be, float *y, size_t rows, int c, const float *b);
/* out[j] = sum over rows of x[r*c + j], in a fixed order (deterministic). */
void cu_colsum(nn_backend *be, const float *x, size_t rows, int c, float *out);
/* The fused tails of nn.h's conv_fwd_post / conv_bwd_post (and tconv):
 * y = act(y + b) per channel then dropout into p->out; dy *= mask then
 * the activation's backward. p may be NULL (bias only / nothing). */
void cu_post_fwd(nn_backend *be, float *y, size_t rows, int c, const float *b, const nn_post *p);
void cu_post_bwd(nn_backend *be, size_t n, const float *y, float *dy, const nn_post *p);
/* Launch shape of the element-wise kernels: blocks of 256, grid-stride. */
unsigned cu_blocks(size_t n);

/* the ops of nn.h */
void cu_u8_to_f32(nn_backend *be, size_t n, const uint8_t *src, float *dst, float scale);
void cu_relu_fwd(nn_backend *be, size_t n, const float *x, float *y);
void cu_relu_bwd(nn_backend *be, size_t n, const float *y, const float *dy, float *dx);
void cu_sigmoid_fwd(nn_backend *be, size_t n, const float *x, float *y);
void cu_sigmoid_bwd(nn_backend *be, size_t n, const float *y, const float *dy, float *dx);
void cu_dropout_fwd(nn_backend *be, size_t n, const float *x, float *y, float *mask, float rate,
                    uint64_t seed);
void cu_dropout_bwd(nn_backend *be, size_t n, const float *dy, const float *mask, float *dx);
void cu_concat(nn_backend *be, int n, int a, int b, const float *x1, const float *x2, float *y);
void cu_split(nn_backend *be, int n, int a, int b, const float *y, float *x1, float *x2);
void cu_add(nn_backend *be, size_t n, const float *a, const float *b, float *y);
double cu_sse(nn_backend *be, size_t n, const float *pred, const float *target, float coef,
              float *dpred);
void cu_adadelta(nn_backend *be, size_t n, float *w, const float *g, float *acc_g, float *acc_d,
                 float lr, float rho, float eps);
void cu_adam(nn_backend *be, size_t n, float *w, const float *g, float *m, float *v, float lr_t,
             float b1, float b2, float eps);

/* cuda_conv.cu */
NN_CONV_DECLARE(cu)
void cu_dense_fwd(nn_backend *be, int n, int in, int out, const float *x, const float *w,
                  const float *b, float *y);
void cu_dense_bwd(nn_backend *be, int n, int in, int out, const float *x, const float *w,
                  const float *dy, float *dx, float *dw, float *db);
void cu_plans_free(cu_impl *c);

/* cuda_bn.cu */
void cu_bn_fwd(nn_backend *be, const nn_bn *g, const float *x, float *y, const float *gamma,
               const float *beta, float *run_mean, float *run_var, float *save_mean,
               float *save_invstd, int training);
void cu_bn_bwd(nn_backend *be, const nn_bn *g, const float *x, const float *dy, const float *gamma,
               const float *save_mean, const float *save_invstd, float *dx, float *dgamma,
               float *dbeta);

#endif
