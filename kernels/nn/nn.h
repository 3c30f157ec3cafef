/* nn.h: the one neural-network backend API (CPU in nn/cpu, CUDA in
 * nn/cuda). The DHAE (dhae.h) is written against this table only, so
 * one model file and one training loop serve both devices.
 *
 * CONVENTIONS (a backend must match the CPU backend exactly, up to float
 * rounding):
 *
 * - float32 everywhere. Pointers to tensors are in the backend's memory
 *   (host memory for "cpu", device memory for "cuda"); only upload,
 *   download and the scalars some ops return cross between the two.
 * - Activations are NHWC (channels last, like the stream's patches and
 *   Keras): element (n, y, x, c) of an [N, H, W, C] tensor is at
 *   ((n*H + y)*W + x)*C + c. A dense layer's [N, F] input is the same
 *   memory as the flattened NHWC tensor (Keras Flatten order).
 * - Convolution weights are OHWI: w[oc][ky][kx][ic] (cuDNN's NHWC filter
 *   layout KRSC). Bias b[oc].
 *       y[n,oy,ox,o] = b[o] + sum_{ky,kx,i} x[n, oy*sh-ph+ky, ox*sw-pw+kx, i]
 *                                            * w[o][ky][kx][i]
 *   where input positions outside [0,h) x [0,w) read as zero. Output size
 *   must be oh = (h + 2*ph - kh)/sh + 1 (integer division), ow alike: this
 *   is cuDNN's symmetric padding, the extra bottom/right rows are zeros.
 * - Transposed convolution is the adjoint of a convolution from the output
 *   shape to the input shape. Weights w[ic][ky][kx][oc] (ic = channels of
 *   the transposed conv's input x, oc = of its output y), i.e. the filter
 *   of that adjoint convolution in the layout above. Bias b[oc].
 *       y[n,oy,ox,o] = b[o] + sum over (iy,ix,i,ky,kx) with
 *                      iy*sh-ph+ky == oy and ix*sw-pw+kx == ox of
 *                      x[n,iy,ix,i] * w[i][ky][kx][o]
 *   Sizes must satisfy h = (oh + 2*ph - kh)/sh + 1, w alike (PyTorch's
 *   ConvTranspose2d with output_padding = whatever makes oh fit; cuDNN:
 *   cudnnConvolutionBackwardData with dx = y).
 * - Dense: w[in][out] row-major (Keras), y[n][o] = b[o] + sum_i x[n][i]*w[i][o].
 * - Backward ops OVERWRITE their outputs (dx, dw, db: beta = 0), they never
 *   accumulate. A NULL dx means "not needed" (the first layer).
 * - Element-wise ops may run in place (y == x, dx == dy).
 * - Batch norm is over the channel axis of NHWC data seen as [rows, C]
 *   (rows = N*H*W), cuDNN's spatial mode:
 *       training: mean, var = biased batch statistics over rows;
 *                 y = gamma*(x-mean)*invstd + beta, invstd = 1/sqrt(var+eps);
 *                 save_mean, save_invstd are kept for backward;
 *                 run_mean = (1-f)*run_mean + f*mean,
 *                 run_var  = (1-f)*run_var  + f*var*rows/(rows-1)   (unbiased)
 *                 with f = momentum (cuDNN's exponentialAverageFactor).
 *       inference: y = gamma*(x-run_mean)/sqrt(run_var+eps) + beta.
 * - Dropout: element i is kept when nn_uniform(seed, i) >= rate; kept
 *   elements are scaled by 1/(1-rate) (computed in float). The mask tensor
 *   holds that factor or 0, so backward is dx = dy*mask. nn_uniform is a
 *   counter-based hash below, identical on host and device, so the two
 *   backends drop the same elements for the same seed.
 * - Losses: sse returns sum_i (pred_i - target_i)^2 as a double on the host
 *   and, when dpred is not NULL, writes dpred_i = 2*coef*(pred_i - target_i).
 * - Optimisers update in place, element-wise (Keras formulas):
 *     Adadelta: ag = rho*ag + (1-rho)*g^2
 *               u  = g*sqrt(ad + eps)/sqrt(ag + eps)
 *               w -= lr*u
 *               ad = rho*ad + (1-rho)*u^2
 *     Adam:     m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2
 *               w -= lr_t*m/(sqrt(v) + eps)
 *               with lr_t = lr*sqrt(1-b2^t)/(1-b1^t) computed by the caller.
 * - Reductions on the CPU run in a fixed order for a given thread count, so
 *   the same seed and threads give the same bytes. The CUDA backend need
 *   only agree to float tolerance.
 * - Ops are asynchronous on a device (one stream, in order); download and
 *   the ops returning a double synchronise.
 * - The *_post entries (fused conv + activation + dropout) are optional:
 *   NULL in a backend that lacks them, and then callers run the separate
 *   ops. The CPU backend has them (it applies the activation and dropout
 *   while a block of output is in cache).
 * - Later additions (append only): add, the *_post entries.
 */
#ifndef USC_NN_H
#define USC_NN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __CUDACC__
#define NN_HD __host__ __device__
#else
#define NN_HD
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Counter-based uniform in [0,1) with 24 bits, for dropout: two rounds of
 * a 32-bit integer hash (lowbias32) of the element index keyed by the seed.
 * 32-bit multiplies only, so it vectorises on the CPU; the same on host and
 * device. */
static inline NN_HD uint32_t nn_mix32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

static inline NN_HD float nn_uniform(uint64_t seed, uint64_t i)
{
	uint32_t k = nn_mix32((uint32_t)seed ^ nn_mix32((uint32_t)(seed >> 32) + 0x9e3779b9u));
	uint32_t h = nn_mix32((uint32_t)i + k);
	h = nn_mix32(h ^ (k * 0x85ebca6bu + (uint32_t)(i >> 32)));
	return (float)(h >> 8) * (1.0f / 16777216.0f);
}

/* Geometry of a convolution or transposed convolution (see above): input
 * x is [n, h, w, c], output y is [n, oh, ow, oc]. */
typedef struct nn_conv {
	int n;
	int h, w, c;
	int oh, ow, oc;
	int kh, kw;
	int sh, sw;
	int ph, pw;   /* top/left padding (cuDNN's symmetric pad) */
} nn_conv;

/* Output size of a convolution along one axis (cuDNN's formula). */
static inline int nn_conv_out(int in, int k, int s, int p) { return (in + 2 * p - k) / s + 1; }

/* Batch norm over [rows, c]. */
typedef struct nn_bn {
	size_t rows;
	int c;
	float eps;       /* 1e-3 (Keras) */
	float momentum;  /* factor of the new batch statistic, 0.01 (Keras 0.99) */
} nn_bn;

/* Activations that can follow a layer in the fused ops. */
enum { NN_ACT_NONE, NN_ACT_RELU, NN_ACT_SIGMOID };

/* What a fused conv or transposed conv does after the op, in the same pass
 * over its output (see conv_fwd_post). */
typedef struct nn_post {
	int act;          /* NN_ACT_*, on y in place */
	float *mask;      /* NULL: no dropout; else dropout_fwd(y -> out, mask, rate, seed) */
	float *out;
	float rate;
	uint64_t seed;
} nn_post;

typedef struct nn_backend nn_backend;

struct nn_backend {
	const char *name;   /* "cpu" or "cuda" */
	int on_device;      /* 1: pointers are not host-addressable */
	int threads;        /* CPU worker threads (0 on a device) */
	void *impl;         /* backend state */

	void (*close)(nn_backend *be);   /* frees be itself too */

	/* ---- memory (bytes) ---- */
	void *(*alloc)(nn_backend *be, size_t bytes);   /* zero-filled; dies on failure */
	void (*free)(nn_backend *be, void *p);
	void (*upload)(nn_backend *be, void *dst, const void *host_src, size_t bytes);
	void (*download)(nn_backend *be, void *host_dst, const void *src, size_t bytes);
	void (*copy)(nn_backend *be, void *dst, const void *src, size_t bytes);
	void (*zero)(nn_backend *be, void *p, size_t bytes);
	/* dst[i] = src[i]*scale: uint8 patches to floats (1/255). */
	void (*u8_to_f32)(nn_backend *be, size_t n, const uint8_t *src, float *dst, float scale);

	/* ---- layers ---- */
	void (*conv_fwd)(nn_backend *be, const nn_conv *g, const float *x,
	                 const float *w, const float *b, float *y);
	void (*conv_bwd)(nn_backend *be, const nn_conv *g, const float *x,
	                 const float *w, const float *dy, float *dx, float *dw, float *db);
	void (*tconv_fwd)(nn_backend *be, const nn_conv *g, const float *x,
	                  const float *w, const float *b, float *y);
	void (*tconv_bwd)(nn_backend *be, const nn_conv *g, const float *x,
	                  const float *w, const float *dy, float *dx, float *dw, float *db);
	void (*dense_fwd)(nn_backend *be, int n, int in, int out, const float *x,
	                  const float *w, const float *b, float *y);
	void (*dense_bwd)(nn_backend *be, int n, int in, int out, const float *x,
	                  const float *w, const float *dy, float *dx, float *dw, float *db);

	/* y may be x. Backward uses the forward OUTPUT y; dx may be dy. */
	void (*relu_fwd)(nn_backend *be, size_t n, const float *x, float *y);
	void (*relu_bwd)(nn_backend *be, size_t n, const float *y, const float *dy, float *dx);
	void (*sigmoid_fwd)(nn_backend *be, size_t n, const float *x, float *y);
	void (*sigmoid_bwd)(nn_backend *be, size_t n, const float *y, const float *dy, float *dx);

	void (*dropout_fwd)(nn_backend *be, size_t n, const float *x, float *y,
	                    float *mask, float rate, uint64_t seed);
	void (*dropout_bwd)(nn_backend *be, size_t n, const float *dy, const float *mask, float *dx);

	/* training = 1: batch statistics, updates run_mean/run_var, fills
	 * save_mean/save_invstd; training = 0: running statistics, save_* unused. */
	void (*bn_fwd)(nn_backend *be, const nn_bn *g, const float *x, float *y,
	               const float *gamma, const float *beta, float *run_mean, float *run_var,
	               float *save_mean, float *save_invstd, int training);
	void (*bn_bwd)(nn_backend *be, const nn_bn *g, const float *x, const float *dy,
	               const float *gamma, const float *save_mean, const float *save_invstd,
	               float *dx, float *dgamma, float *dbeta);

	/* y[i] = [x1[i] (a floats), x2[i] (b floats)], i < n. split is its
	 * backward: x1/x2 may be NULL to skip that part. */
	void (*concat)(nn_backend *be, int n, int a, int b, const float *x1, const float *x2, float *y);
	void (*split)(nn_backend *be, int n, int a, int b, const float *y, float *x1, float *x2);

	/* y[i] = a[i] + b[i] (y may be a or b): a tensor read by two layers
	 * gets the sum of their gradients. */
	void (*add)(nn_backend *be, size_t n, const float *a, const float *b, float *y);

	/* ---- loss ---- */
	double (*sse)(nn_backend *be, size_t n, const float *pred, const float *target,
	              float coef, float *dpred);

	/* ---- optimisers ---- */
	void (*adadelta)(nn_backend *be, size_t n, float *w, const float *g, float *acc_g,
	                 float *acc_d, float lr, float rho, float eps);
	void (*adam)(nn_backend *be, size_t n, float *w, const float *g, float *m, float *v,
	             float lr_t, float b1, float b2, float eps);

	/* ---- optional fused layers ----
	 * A backend may leave these NULL; callers then run the separate ops,
	 * which give the same result (bit for bit on the CPU). They exist so
	 * the CPU can apply the activation and dropout while a block of the
	 * output is still in cache.
	 *   *_fwd_post: the op, then p->act on y in place, then, when p->mask,
	 *               dropout_fwd(n, y, p->out, p->mask, p->rate, p->seed)
	 *               over the whole output (same element indices).
	 *   *_bwd_post: dy is the gradient of the block's output (p->out with
	 *               dropout, else y) and is overwritten: dy *= mask (when
	 *               p->mask), then the activation's backward with y (the
	 *               activation output), then the op's backward as above.
	 *               p->out, rate and seed are not used. */
	void (*conv_fwd_post)(nn_backend *be, const nn_conv *g, const float *x, const float *w,
	                      const float *b, float *y, const nn_post *p);
	void (*conv_bwd_post)(nn_backend *be, const nn_conv *g, const float *x, const float *w,
	                      const float *y, const nn_post *p, float *dy, float *dx, float *dw, float *db);
	void (*tconv_fwd_post)(nn_backend *be, const nn_conv *g, const float *x, const float *w,
	                       const float *b, float *y, const nn_post *p);
	void (*tconv_bwd_post)(nn_backend *be, const nn_conv *g, const float *x, const float *w,
	                       const float *y, const nn_post *p, float *dy, float *dx, float *dw, float *db);
};

/* ---- device selection (nn.c) ---- */
typedef enum nn_device { NN_DEV_AUTO, NN_DEV_CPU, NN_DEV_CUDA } nn_device;

/* "auto", "cpu" or "cuda"; returns -1 for anything else. */
int nn_parse_device(const char *s, nn_device *d);
/* 1 when the CUDA backend loads and a device answers. The backend is the
 * shared object $USC_CUDA_BACKEND, or by default
 * DIR/../lib/usc-mots/libusc-cuda.so beside the program's DIR; its path
 * goes to buf (-1 when it does not fit). */
int nn_cuda_available(void);
int nn_cuda_path(char *buf, size_t len);
/* Why the CUDA backend is not available ("" when it is). */
const char *nn_cuda_why(void);
/* Opens a backend: auto takes CUDA when a device answers, else the CPU;
 * cuda without a device is an error. threads <= 0: cpus_usable().
 * Returns NULL with a message in err. Close with be->close(be). */
nn_backend *nn_open(nn_device d, int threads, char *err, size_t errlen);

/* The CPU backend (nn/cpu). threads <= 0: cpus_usable(). */
nn_backend *nn_cpu_open(int threads);

#ifdef USC_CUDA
/* The entry points of the CUDA backend's shared object (nn/cuda), found
 * by nn.c with dlsym: device 0. NULL + message when no device
 * answers (any cudaGetDeviceCount error counts as none). */
nn_backend *nn_cuda_open(char *err, size_t errlen);
/* Number of CUDA devices that answer; 0 on any error (no driver, error 35). */
int nn_cuda_devices(void);
#endif

/* For tools, first thing in main: when OPENBLAS_CORETYPE is not set, picks
 * the OpenBLAS core type this CPU supports from cpuid and re-executes the
 * program with it set (OpenBLAS reads it only when it loads). A value
 * already set is respected. Returns only when nothing needed doing. */
void nn_cpu_tune(int argc, char **argv);

/* sgemm rate of the CPU backend on a conv-shaped product (GFLOP/s), for
 * reports and benchmarks. */
double nn_cpu_sgemm_gflops(nn_backend *cpu, double seconds);

#ifdef __cplusplus
}
#endif

#endif
