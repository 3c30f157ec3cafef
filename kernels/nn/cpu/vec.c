/* vec.c: element-wise loops (vec.h).
 *
 * The project builds at -O2, where GCC 12 vectorises only loops whose trip
 * count is a known multiple of the vector width; these loops are the
 * memory-bound part of training, so this file asks for -O3's vectoriser
 * (and sqrtf without errno, which only matters for negative inputs, which
 * the optimisers never take the root of). */
#pragma GCC optimize("O3", "no-math-errno")

#include "nn/cpu/vec.h"

#include <math.h>

#include "nn/nn.h"

#if defined(__x86_64__) && !defined(__SANITIZE_ADDRESS__)
#define CLONES __attribute__((target_clones("avx2", "default")))
#else
#define CLONES
#endif

CLONES void vec_u8(const uint8_t *src, float *dst, size_t n, float scale)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] * scale;
}

CLONES void vec_relu(const float *x, float *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

CLONES void vec_relu_bwd(const float *y, const float *dy, float *dx, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

void vec_sigmoid(const float *x, float *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] = 1.0f / (1.0f + expf(-x[i]));
}

CLONES void vec_sigmoid_bwd(const float *y, const float *dy, float *dx, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dx[i] = dy[i] * y[i] * (1.0f - y[i]);
}

CLONES void vec_dropout(const float *x, float *y, float *mask, size_t n, uint64_t base, float rate,
                        uint64_t seed)
{
	float keep = 1.0f / (1.0f - rate);
	for (size_t i = 0; i < n; i++) {
		float k = nn_uniform(seed, base + i) >= rate ? keep : 0.0f;
		mask[i] = k;
		y[i] = x[i] * k;
	}
}

CLONES void vec_mul(const float *a, const float *b, float *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] = a[i] * b[i];
}

CLONES void vec_add(const float *a, const float *b, float *y, size_t n)
{
	for (size_t i = 0; i < n; i++)
		y[i] = a[i] + b[i];
}

double vec_sse(const float *p, const float *t, float *dp, size_t n, float c2)
{
	double s = 0.0;
	for (size_t i = 0; i < n; i++) {
		float d = p[i] - t[i];
		s += (double)d * d;
		if (dp)
			dp[i] = c2 * d;
	}
	return s;
}

CLONES void vec_adadelta(float *w, const float *g, float *ag, float *ad, size_t n, float lr, float rho,
                         float eps)
{
	for (size_t i = 0; i < n; i++) {
		float a = rho * ag[i] + (1.0f - rho) * g[i] * g[i];
		float u = g[i] * sqrtf(ad[i] + eps) / sqrtf(a + eps);
		w[i] -= lr * u;
		ag[i] = a;
		ad[i] = rho * ad[i] + (1.0f - rho) * u * u;
	}
}

CLONES void vec_adam(float *w, const float *g, float *m, float *v, size_t n, float lr_t, float b1, float b2,
                     float eps)
{
	for (size_t i = 0; i < n; i++) {
		float mi = b1 * m[i] + (1.0f - b1) * g[i];
		float vi = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
		m[i] = mi, v[i] = vi;
		w[i] -= lr_t * mi / (sqrtf(vi) + eps);
	}
}

CLONES void vec_bias_act(float *y, size_t rows, int c, const float *b, int act)
{
	if (b)
		for (size_t r = 0; r < rows; r++) {
			float *yr = y + r * (size_t)c;
			for (int i = 0; i < c; i++)
				yr[i] += b[i];
		}
	if (act == NN_ACT_RELU)
		vec_relu(y, y, rows * (size_t)c);
	else if (act == NN_ACT_SIGMOID)
		vec_sigmoid(y, y, rows * (size_t)c);
}

CLONES void vec_colsum(const float *dy, size_t rows, int c, float *acc)
{
	for (size_t r = 0; r < rows; r++) {
		const float *d = dy + r * (size_t)c;
		for (int i = 0; i < c; i++)
			acc[i] += d[i];
	}
}
