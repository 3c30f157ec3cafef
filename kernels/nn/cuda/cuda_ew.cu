/* cuda_ew.cu: the CUDA backend's own kernels: element-wise ops, dropout,
 * the loss, the optimisers, bias add and the deterministic column sums
 * behind every bias gradient. Each kernel is the CPU backend's loop body
 * (nn/cpu/vec.c) run by a grid-stride loop, so the formulas match
 * line by line.
 *
 * Reductions (column sums, sse) never use atomics: a grid whose size
 * depends only on the problem size writes one partial per block, and a
 * second kernel adds the partials in block order in double. The result is
 * the same on every run and every device. */
#include "nn/cuda/cuda.h"

enum { EW_THREADS = 256, RED_BLOCKS = CU_RED_BLOCKS };

unsigned cu_blocks(size_t n)
{
	size_t b = (n + EW_THREADS - 1) / EW_THREADS;
	/* enough blocks to fill any current GPU; the loops stride over the rest */
	return (unsigned)(b < 65536 ? (b ? b : 1) : 65536);
}

#define GRID_STRIDE(i, n) \
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < (n); i += (size_t)gridDim.x * blockDim.x)

/* ---- element-wise ---- */

__global__ void k_u8(size_t n, const uint8_t *src, float *dst, float scale)
{
	GRID_STRIDE(i, n) dst[i] = src[i] * scale;
}

__global__ void k_relu(size_t n, const float *x, float *y)
{
	GRID_STRIDE(i, n) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

__global__ void k_relu_bwd(size_t n, const float *y, const float *dy, float *dx)
{
	GRID_STRIDE(i, n) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

__global__ void k_sigmoid(size_t n, const float *x, float *y)
{
	GRID_STRIDE(i, n) y[i] = 1.0f / (1.0f + expf(-x[i]));
}

__global__ void k_sigmoid_bwd(size_t n, const float *y, const float *dy, float *dx)
{
	GRID_STRIDE(i, n) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

/* nn_uniform is the same inline function the CPU backend calls. */
__global__ void k_dropout(size_t n, const float *x, float *y, float *mask, float rate, float keep,
                          uint64_t seed)
{
	GRID_STRIDE(i, n) {
		float k = nn_uniform(seed, i) >= rate ? keep : 0.0f;
		mask[i] = k;
		y[i] = x[i] * k;
	}
}

__global__ void k_mul(size_t n, const float *a, const float *b, float *y)
{
	GRID_STRIDE(i, n) y[i] = a[i] * b[i];
}

__global__ void k_add(size_t n, const float *a, const float *b, float *y)
{
	GRID_STRIDE(i, n) y[i] = a[i] + b[i];
}

__global__ void k_bias(size_t rows, int c, float *y, const float *b)
{
	GRID_STRIDE(i, rows * (size_t)c) y[i] += b[i % (size_t)c];
}

__global__ void k_adadelta(size_t n, float *w, const float *grad, float *acc_g, float *acc_d,
                           float lr, float rho, float eps)
{
	GRID_STRIDE(i, n) {
		float g = grad[i];
		float ag = rho * acc_g[i] + (1.0f - rho) * g * g;
		float u = g * sqrtf(acc_d[i] + eps) / sqrtf(ag + eps);
		w[i] -= lr * u;
		acc_g[i] = ag;
		acc_d[i] = rho * acc_d[i] + (1.0f - rho) * u * u;
	}
}

__global__ void k_adam(size_t n, float *w, const float *grad, float *m, float *v, float lr_t,
                       float b1, float b2, float eps)
{
	GRID_STRIDE(i, n) {
		float g = grad[i];
		float mi = b1 * m[i] + (1.0f - b1) * g;
		float vi = b2 * v[i] + (1.0f - b2) * g * g;
		m[i] = mi, v[i] = vi;
		w[i] -= lr_t * mi / (sqrtf(vi) + eps);
	}
}

/* The fused tail of a conv block (nn.h's *_fwd_post): bias, activation,
 * then dropout into out, each the same float operation as the separate
 * kernels above, so fused and separate give the same bits. */
__global__ void k_post_fwd(size_t n, int c, float *y, const float *b, int act, float *mask, float *out,
                           float rate, float keep, uint64_t seed)
{
	GRID_STRIDE(i, n) {
		float v = y[i];
		if (b)
			v += b[i % (size_t)c];
		if (act == NN_ACT_RELU)
			v = v > 0.0f ? v : 0.0f;
		else if (act == NN_ACT_SIGMOID)
			v = 1.0f / (1.0f + expf(-v));
		y[i] = v;
		if (mask) {
			float k = nn_uniform(seed, i) >= rate ? keep : 0.0f;
			mask[i] = k;
			out[i] = v * k;
		}
	}
}

/* nn.h's *_bwd_post before the op's backward: dy *= mask, then the
 * activation's backward from its output y, in place. */
__global__ void k_post_bwd(size_t n, const float *y, float *dy, int act, const float *mask)
{
	GRID_STRIDE(i, n) {
		float g = dy[i];
		if (mask)
			g = g * mask[i];
		if (act == NN_ACT_RELU)
			g = y[i] > 0.0f ? g : 0.0f;
		else if (act == NN_ACT_SIGMOID)
			g = g * y[i] * (1.0f - y[i]);
		dy[i] = g;
	}
}

void cu_post_fwd(nn_backend *be, float *y, size_t rows, int c, const float *b, const nn_post *p)
{
	size_t n = rows * (size_t)(c > 0 ? c : 0);
	int act = p ? p->act : NN_ACT_NONE;
	float *mask = p ? p->mask : NULL;
	if (n == 0 || (!b && act == NN_ACT_NONE && !mask))
		return;
	float rate = mask ? p->rate : 0.0f, keep = mask ? 1.0f / (1.0f - p->rate) : 1.0f;
	k_post_fwd<<<cu_blocks(n), EW_THREADS, 0, cu_of(be)->stream>>>(n, c, y, b, act, mask, mask ? p->out : NULL,
	                                                                rate, keep, mask ? p->seed : 0);
	LAUNCH_CHECK("k_post_fwd");
}

void cu_post_bwd(nn_backend *be, size_t n, const float *y, float *dy, const nn_post *p)
{
	if (n == 0 || !p || (p->act == NN_ACT_NONE && !p->mask))
		return;
	k_post_bwd<<<cu_blocks(n), EW_THREADS, 0, cu_of(be)->stream>>>(n, y, dy, p->act, p->mask);
	LAUNCH_CHECK("k_post_bwd");
}

/* ---- reductions ---- */

/* Partial column sums of x [rows, c], one row of c partials per block.
 * c <= 256: the block reads L = (256/c)*c consecutive floats at a time,
 * so thread t always sees channel t % c and the reads are coalesced;
 * the threads of a channel are then added in thread order. c > 256
 * (dense layers): thread per channel, rows strided by the grid. */
__global__ void k_colsum_part(const float *x, size_t rows, int c, float *part)
{
	int t = threadIdx.x;
	if (c <= EW_THREADS) {
		__shared__ float s[EW_THREADS];
		int L = (EW_THREADS / c) * c;
		size_t e = rows * (size_t)c;
		float acc = 0.0f;
		if (t < L)
			for (size_t base = blockIdx.x * (size_t)L; base < e; base += (size_t)gridDim.x * L)
				if (base + t < e)
					acc += x[base + t];
		s[t] = acc;
		__syncthreads();
		if (t < c) {
			float a = 0.0f;
			for (int k = t; k < L; k += c)
				a += s[k];
			part[blockIdx.x * (size_t)c + t] = a;
		}
	} else {
		for (int j = t; j < c; j += blockDim.x) {
			float a = 0.0f;
			for (size_t r = blockIdx.x; r < rows; r += gridDim.x)
				a += x[r * c + j];
			part[blockIdx.x * (size_t)c + j] = a;
		}
	}
}

__global__ void k_colsum_final(const float *part, int nb, int c, float *out)
{
	int j = blockIdx.x * blockDim.x + threadIdx.x;
	if (j < c) {
		double a = 0.0;
		for (int k = 0; k < nb; k++)
			a += part[(size_t)k * c + j];
		out[j] = (float)a;
	}
}

void cu_colsum(nn_backend *be, const float *x, size_t rows, int c, float *out)
{
	cu_impl *ci = cu_of(be);
	if (c <= 0)
		return;
	if (rows == 0) {
		CU_CHECK(cudaMemsetAsync(out, 0, (size_t)c * sizeof *out, ci->stream));
		return;
	}
	size_t groups = c <= EW_THREADS
	                ? (rows * (size_t)c + (EW_THREADS / c) * c - 1) / ((EW_THREADS / c) * c)
	                : rows;
	int nb = (int)(groups < (size_t)RED_BLOCKS ? groups : (size_t)RED_BLOCKS);
	float *part = (float *)cu_grow(ci, &ci->part, &ci->part_cap, (size_t)nb * c * sizeof(float));
	k_colsum_part<<<nb, EW_THREADS, 0, ci->stream>>>(x, rows, c, part);
	LAUNCH_CHECK("k_colsum_part");
	k_colsum_final<<<(c + EW_THREADS - 1) / EW_THREADS, EW_THREADS, 0, ci->stream>>>(part, nb, c, out);
	LAUNCH_CHECK("k_colsum_final");
}

/* sse: per-thread double sums, a tree per block, partials per block; the
 * CPU's s0*d for the gradient. */
__global__ void k_sse_part(size_t n, const float *pred, const float *target, float s0, float *dpred,
                           double *part)
{
	__shared__ double s[EW_THREADS];
	double a = 0.0;
	GRID_STRIDE(i, n) {
		float d = pred[i] - target[i];
		a += (double)d * d;
		if (dpred)
			dpred[i] = s0 * d;
	}
	s[threadIdx.x] = a;
	__syncthreads();
	for (int h = EW_THREADS / 2; h > 0; h /= 2) {
		if ((int)threadIdx.x < h)
			s[threadIdx.x] += s[threadIdx.x + h];
		__syncthreads();
	}
	if (threadIdx.x == 0)
		part[blockIdx.x] = s[0];
}

/* One block of RED_BLOCKS threads adds the nb partials; the total goes to
 * part[RED_BLOCKS]. */
__global__ void k_sse_final(int nb, double *part)
{
	__shared__ double s[RED_BLOCKS];
	int t = threadIdx.x;
	s[t] = t < nb ? part[t] : 0.0;
	__syncthreads();
	for (int h = RED_BLOCKS / 2; h > 0; h /= 2) {
		if (t < h)
			s[t] += s[t + h];
		__syncthreads();
	}
	if (t == 0)
		part[RED_BLOCKS] = s[0];
}

double cu_sse(nn_backend *be, size_t n, const float *pred, const float *target, float coef,
              float *dpred)
{
	cu_impl *ci = cu_of(be);
	if (n == 0)
		return 0.0;
	size_t b = (n + EW_THREADS - 1) / EW_THREADS;
	int nb = (int)(b < (size_t)RED_BLOCKS ? b : (size_t)RED_BLOCKS);
	k_sse_part<<<nb, EW_THREADS, 0, ci->stream>>>(n, pred, target, 2.0f * coef, dpred, ci->red);
	LAUNCH_CHECK("k_sse_part");
	k_sse_final<<<1, RED_BLOCKS, 0, ci->stream>>>(nb, ci->red);
	LAUNCH_CHECK("k_sse_final");
	double s = 0.0;
	CU_CHECK(cudaMemcpyAsync(&s, ci->red + RED_BLOCKS, sizeof s, cudaMemcpyDeviceToHost, ci->stream));
	CU_CHECK(cudaStreamSynchronize(ci->stream));
	return s;
}

/* ---- the ops ---- */

#define LAUNCH(kernel, n, ...)                                                          \
	do {                                                                             \
		if ((n) == 0)                                                            \
			break;                                                           \
		kernel<<<cu_blocks(n), EW_THREADS, 0, cu_of(be)->stream>>>((n), __VA_ARGS__); \
		LAUNCH_CHECK(#kernel);                                                   \
	} while (0)

void cu_u8_to_f32(nn_backend *be, size_t n, const uint8_t *src, float *dst, float scale)
{
	LAUNCH(k_u8, n, src, dst, scale);
}

void cu_relu_fwd(nn_backend *be, size_t n, const float *x, float *y)
{
	LAUNCH(k_relu, n, x, y);
}

void cu_relu_bwd(nn_backend *be, size_t n, const float *y, const float *dy, float *dx)
{
	LAUNCH(k_relu_bwd, n, y, dy, dx);
}

void cu_sigmoid_fwd(nn_backend *be, size_t n, const float *x, float *y)
{
	LAUNCH(k_sigmoid, n, x, y);
}

void cu_sigmoid_bwd(nn_backend *be, size_t n, const float *y, const float *dy, float *dx)
{
	LAUNCH(k_sigmoid_bwd, n, y, dy, dx);
}

void cu_dropout_fwd(nn_backend *be, size_t n, const float *x, float *y, float *mask, float rate,
                    uint64_t seed)
{
	/* the scale in float on the host, as the CPU backend computes it */
	float keep = 1.0f / (1.0f - rate);
	LAUNCH(k_dropout, n, x, y, mask, rate, keep, seed);
}

void cu_dropout_bwd(nn_backend *be, size_t n, const float *dy, const float *mask, float *dx)
{
	LAUNCH(k_mul, n, dy, mask, dx);
}

void cu_add(nn_backend *be, size_t n, const float *a, const float *b, float *y)
{
	LAUNCH(k_add, n, a, b, y);
}

void cu_adadelta(nn_backend *be, size_t n, float *w, const float *g, float *acc_g, float *acc_d,
                 float lr, float rho, float eps)
{
	LAUNCH(k_adadelta, n, w, g, acc_g, acc_d, lr, rho, eps);
}

void cu_adam(nn_backend *be, size_t n, float *w, const float *g, float *m, float *v, float lr_t,
             float b1, float b2, float eps)
{
	LAUNCH(k_adam, n, w, g, m, v, lr_t, b1, b2, eps);
}

void cu_add_bias(nn_backend *be, float *y, size_t rows, int c, const float *b)
{
	if (!b || c <= 0 || rows == 0)
		return;
	k_bias<<<cu_blocks(rows * (size_t)c), EW_THREADS, 0, cu_of(be)->stream>>>(rows, c, y, b);
	LAUNCH_CHECK("k_bias");
}

/* Concatenation along the feature axis is a strided 2-D copy per part. */
void cu_concat(nn_backend *be, int n, int a, int b, const float *x1, const float *x2, float *y)
{
	cudaStream_t s = cu_of(be)->stream;
	size_t row = (size_t)(a + b) * sizeof(float);
	if (n <= 0)
		return;
	if (a > 0)
		CU_CHECK(cudaMemcpy2DAsync(y, row, x1, (size_t)a * sizeof(float), (size_t)a * sizeof(float),
		                           (size_t)n, cudaMemcpyDeviceToDevice, s));
	if (b > 0)
		CU_CHECK(cudaMemcpy2DAsync(y + a, row, x2, (size_t)b * sizeof(float), (size_t)b * sizeof(float),
		                           (size_t)n, cudaMemcpyDeviceToDevice, s));
}

void cu_split(nn_backend *be, int n, int a, int b, const float *y, float *x1, float *x2)
{
	cudaStream_t s = cu_of(be)->stream;
	size_t row = (size_t)(a + b) * sizeof(float);
	if (n <= 0)
		return;
	if (x1 && a > 0)
		CU_CHECK(cudaMemcpy2DAsync(x1, (size_t)a * sizeof(float), y, row, (size_t)a * sizeof(float),
		                           (size_t)n, cudaMemcpyDeviceToDevice, s));
	if (x2 && b > 0)
		CU_CHECK(cudaMemcpy2DAsync(x2, (size_t)b * sizeof(float), y + a, row, (size_t)b * sizeof(float),
		                           (size_t)n, cudaMemcpyDeviceToDevice, s));
}
