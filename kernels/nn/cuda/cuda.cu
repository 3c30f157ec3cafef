/* cuda.cu: the CUDA backend of nn.h (device 0, one stream): opening it,
 * memory, and the table. It must agree with the CPU backend (nn/cpu)
 * to float rounding; tests/unit/test_gpu.c checks that op by op and over
 * DHAE training steps.
 *
 * How each op of nn.h maps onto the device (all on one stream, in order):
 *
 *   alloc/free          cudaMalloc + cudaMemsetAsync (zero-filled) / sync, cudaFree
 *   upload/download     cudaMemcpyAsync H2D / D2H + cudaStreamSynchronize
 *   copy, zero          cudaMemcpyAsync D2D, cudaMemsetAsync
 *   u8_to_f32           kernel k_u8                                  (cuda_ew.cu)
 *   conv_fwd            cudnnConvolutionForward, NHWC x/y, NHWC (KRSC) filter,
 *                       + kernel k_bias                              (cuda_conv.cu)
 *   conv_bwd            dx: cudnnConvolutionBackwardData,
 *                       dw: cudnnConvolutionBackwardFilter,
 *                       db: column sums of dy (k_colsum_*)
 *   tconv_fwd           cudnnConvolutionBackwardData of the adjoint convolution
 *                       (y's grid -> x's grid, filter [c][kh][kw][oc]) + k_bias
 *   tconv_bwd           dx: cudnnConvolutionForward of that convolution on dy,
 *                       dw: cudnnConvolutionBackwardFilter with dy as its input
 *                       and x as its output gradient, db: column sums of dy
 *   dense_fwd           cublasSgemm (row-major w[in][out] as column-major
 *                       transposes: y^T = w^T x^T) + k_bias
 *   dense_bwd           cublasSgemm twice (dw^T = dy^T x, dx^T = w dy^T),
 *                       db: column sums of dy
 *   relu, sigmoid       kernels, fwd and bwd from the forward output
 *   dropout             kernel with nn_uniform (nn.h), the CPU's hash: same mask
 *   bn_fwd, bn_bwd      cudnnBatchNormalizationForwardTraining / Inference /
 *                       Backward, spatial mode, [rows, C] as NHWC rows x 1 x 1
 *                                                                    (cuda_bn.cu)
 *   concat, split       cudaMemcpy2DAsync (strided rows)
 *   add                 kernel
 *   sse                 kernel: per-block double partials, then one block adds
 *                       them in a fixed order; the total is copied back (syncs)
 *   adadelta, adam      kernels, the CPU backend's float formulas
 *   (t)conv_fwd_post    the layer as above, then one kernel k_post_fwd: bias,
 *                       activation and dropout in one pass (nn.h's fused ops)
 *   (t)conv_bwd_post    one kernel k_post_bwd (dy *= mask, activation
 *                       backward), then the layer's backward as above
 *
 * Convolutions use float FMA math only (no TF32); cuBLAS keeps its default
 * math, which is full float for sgemm. Algorithm choice: see cuda_conv.cu.
 *
 * Errors: opening returns NULL with a message (no driver, CUDA error 35,
 * no device, no kernel image for this GPU, a library that fails to start).
 * Inside an op any failing call dies with the call's name and the
 * library's message, like allocation failures (nn.h's ops return nothing). */
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "nn/cuda/cuda.h"

void cu_fail(const char *lib, const char *call, const char *msg, const char *file, int line)
{
	/* name the function, not its whole argument list */
	int len = (int)strcspn(call, "(");
	die("cuda: %.*s failed: %s (%s error at %s:%d)", len, call, msg, lib, file, line);
}

void *cu_grow(cu_impl *c, void **p, size_t *cap, size_t bytes)
{
	if (bytes <= *cap)
		return *p;
	/* earlier ops may still read the old buffer */
	CU_CHECK(cudaStreamSynchronize(c->stream));
	if (*p)
		CU_CHECK(cudaFree(*p));
	*p = NULL;
	*cap = 0;
	size_t want = bytes + bytes / 4;   /* room to grow a little without a new sync */
	cudaError_t e = cudaMalloc(p, want);
	if (e != cudaSuccess)
		die("cuda: out of device memory (%zu bytes of scratch): cudaMalloc: %s", want, cudaGetErrorString(e));
	*cap = want;
	return *p;
}

static bool is_aligned(const void *p) { return ((uintptr_t)p & 15) == 0; }

const float *cu_aligned_in(nn_backend *be, int k, const float *p, size_t n)
{
	return cu_aligned_out(be, k, (float *)p, n, 1);
}

float *cu_aligned_out(nn_backend *be, int k, float *p, size_t n, int copy_in)
{
	cu_impl *c = cu_of(be);
	if (!p || is_aligned(p) || n == 0)
		return p;
	float *v = (float *)cu_grow(c, &c->stage[k], &c->stage_cap[k], n * sizeof *p);
	if (copy_in)
		CU_CHECK(cudaMemcpyAsync(v, p, n * sizeof *p, cudaMemcpyDeviceToDevice, c->stream));
	return v;
}

void cu_aligned_done(nn_backend *be, float *p, const float *view, size_t n)
{
	if (p && view != p && n)
		CU_CHECK(cudaMemcpyAsync(p, view, n * sizeof *p, cudaMemcpyDeviceToDevice, cu_of(be)->stream));
}

/* ---- memory ---- */

static void *cu_alloc(nn_backend *be, size_t bytes)
{
	void *p = NULL;
	cudaError_t e = cudaMalloc(&p, bytes ? bytes : 1);
	if (e != cudaSuccess)
		die("cuda: out of device memory (%zu bytes): cudaMalloc: %s", bytes, cudaGetErrorString(e));
	if (bytes)
		CU_CHECK(cudaMemsetAsync(p, 0, bytes, cu_of(be)->stream));
	return p;
}

static void cu_free(nn_backend *be, void *p)
{
	if (!p)
		return;
	CU_CHECK(cudaStreamSynchronize(cu_of(be)->stream));
	CU_CHECK(cudaFree(p));
}

static void cu_upload(nn_backend *be, void *dst, const void *src, size_t bytes)
{
	if (!bytes)
		return;
	/* Callers free or reuse src at once (dhae.c uploads a stack array and
	 * frees its host weights right after). For pageable memory the CUDA
	 * docs only say the async copy "might be synchronous", and for pinned
	 * memory it is not, so wait for it. */
	CU_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, cu_of(be)->stream));
	CU_CHECK(cudaStreamSynchronize(cu_of(be)->stream));
}

static void cu_download(nn_backend *be, void *dst, const void *src, size_t bytes)
{
	if (!bytes)
		return;
	CU_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, cu_of(be)->stream));
	CU_CHECK(cudaStreamSynchronize(cu_of(be)->stream));
}

static void cu_copy(nn_backend *be, void *dst, const void *src, size_t bytes)
{
	if (bytes && dst != src)
		CU_CHECK(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, cu_of(be)->stream));
}

static void cu_zero(nn_backend *be, void *p, size_t bytes)
{
	if (bytes)
		CU_CHECK(cudaMemsetAsync(p, 0, bytes, cu_of(be)->stream));
}

/* ---- opening and closing ---- */

/* Frees what was made so far; safe on a half-built impl (zeroed fields). */
static void impl_free(cu_impl *c)
{
	if (c->stream)
		cudaStreamSynchronize(c->stream);
	cu_plans_free(c);
	if (c->bn_x)
		cudnnDestroyTensorDescriptor(c->bn_x);
	if (c->bn_p)
		cudnnDestroyTensorDescriptor(c->bn_p);
	if (c->dnn)
		cudnnDestroy(c->dnn);
	if (c->blas)
		cublasDestroy(c->blas);
	cudaFree(c->ws);
	cudaFree(c->part);
	cudaFree(c->tmp);
	cudaFree(c->red);
	for (int k = 0; k < CU_STAGES; k++)
		cudaFree(c->stage[k]);
	if (c->stream)
		cudaStreamDestroy(c->stream);
	delete c;
}

static void cu_close(nn_backend *be)
{
	impl_free(cu_of(be));
	delete be;
}

extern "C" int nn_cuda_devices(void)
{
	int n = 0;
	cudaError_t e = cudaGetDeviceCount(&n);
	if (e != cudaSuccess) {
		/* no driver (35), no device (100), ...: none; clear the error */
		cudaGetLastError();
		return 0;
	}
	return n;
}

/* Launched once at open: fails when this build has no kernel image the
 * device can run (its compute capability is not among the -gencode
 * targets and no PTX fits). */
__global__ void k_probe(int *p) { *p = 1; }

/* In nn_cuda_open: a failing runtime call gives a message and NULL. */
#define OPEN_RT(call)                                                                             \
	do {                                                                                       \
		cudaError_t e_ = (call);                                                           \
		if (e_ != cudaSuccess) {                                                           \
			errf(err, errlen, "cuda: %.*s failed: %s", (int)strcspn(#call, "("), #call, \
			     cudaGetErrorString(e_));                                              \
			goto fail;                                                                 \
		}                                                                                  \
	} while (0)

extern "C" nn_backend *nn_cuda_open(char *err, size_t errlen)
{
	int n = 0;
	cudaError_t e = cudaGetDeviceCount(&n);
	if (e != cudaSuccess || n < 1) {
		errf(err, errlen, "cuda: no CUDA device answers (%s)",
		     e != cudaSuccess ? cudaGetErrorString(e) : "no device");
		cudaGetLastError();
		return NULL;
	}
	cu_impl *c = new cu_impl();   /* value-initialised: all zero */
	cudaDeviceProp prop;
	cublasStatus_t bs;
	cudnnStatus_t ds;
	c->dev = 0;
	OPEN_RT(cudaSetDevice(0));
	OPEN_RT(cudaGetDeviceProperties(&prop, 0));
	snprintf(c->devname, sizeof c->devname, "%.200s (compute %d.%d)", prop.name, prop.major, prop.minor);
	OPEN_RT(cudaStreamCreateWithFlags(&c->stream, cudaStreamNonBlocking));
	OPEN_RT(cudaMalloc((void **)&c->red, (CU_RED_BLOCKS + 1) * sizeof(double)));
	/* red doubles as the probe's target */
	k_probe<<<1, 1, 0, c->stream>>>((int *)c->red);
	e = cudaGetLastError();
	if (e == cudaSuccess)
		e = cudaStreamSynchronize(c->stream);
	if (e != cudaSuccess) {
		errf(err, errlen, "cuda: cannot run kernels on %s: %s (is its compute capability "
		     "among the -gencode targets of NVFLAGS in the Makefile?)", c->devname, cudaGetErrorString(e));
		goto fail;
	}
	if ((bs = cublasCreate(&c->blas)) != CUBLAS_STATUS_SUCCESS ||
	    (bs = cublasSetStream(c->blas, c->stream)) != CUBLAS_STATUS_SUCCESS ||
	    (bs = cublasSetMathMode(c->blas, CUBLAS_DEFAULT_MATH)) != CUBLAS_STATUS_SUCCESS) {
		errf(err, errlen, "cuda: cuBLAS does not start: %s", cublasGetStatusString(bs));
		goto fail;
	}
	if ((ds = cudnnCreate(&c->dnn)) != CUDNN_STATUS_SUCCESS ||
	    (ds = cudnnSetStream(c->dnn, c->stream)) != CUDNN_STATUS_SUCCESS ||
	    (ds = cudnnCreateTensorDescriptor(&c->bn_x)) != CUDNN_STATUS_SUCCESS ||
	    (ds = cudnnCreateTensorDescriptor(&c->bn_p)) != CUDNN_STATUS_SUCCESS) {
		errf(err, errlen, "cuda: cuDNN does not start: %s", cudnnGetErrorString(ds));
		goto fail;
	}
	{
		nn_backend *be = new nn_backend();
		be->name = "cuda";
		be->on_device = 1;
		be->threads = 0;
		be->impl = c;
		be->close = cu_close;
		be->alloc = cu_alloc;
		be->free = cu_free;
		be->upload = cu_upload;
		be->download = cu_download;
		be->copy = cu_copy;
		be->zero = cu_zero;
		be->u8_to_f32 = cu_u8_to_f32;
		be->conv_fwd = cu_conv_fwd;
		be->conv_bwd = cu_conv_bwd;
		be->tconv_fwd = cu_tconv_fwd;
		be->tconv_bwd = cu_tconv_bwd;
		be->dense_fwd = cu_dense_fwd;
		be->dense_bwd = cu_dense_bwd;
		be->relu_fwd = cu_relu_fwd;
		be->relu_bwd = cu_relu_bwd;
		be->sigmoid_fwd = cu_sigmoid_fwd;
		be->sigmoid_bwd = cu_sigmoid_bwd;
		be->dropout_fwd = cu_dropout_fwd;
		be->dropout_bwd = cu_dropout_bwd;
		be->bn_fwd = cu_bn_fwd;
		be->bn_bwd = cu_bn_bwd;
		be->concat = cu_concat;
		be->split = cu_split;
		be->add = cu_add;
		be->sse = cu_sse;
		be->adadelta = cu_adadelta;
		be->adam = cu_adam;
		be->conv_fwd_post = cu_conv_fwd_post;
		be->conv_bwd_post = cu_conv_bwd_post;
		be->tconv_fwd_post = cu_tconv_fwd_post;
		be->tconv_bwd_post = cu_tconv_bwd_post;
		return be;
	}
fail:
	impl_free(c);
	cudaGetLastError();
	return NULL;
}
