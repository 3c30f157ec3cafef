/* vec.h: the element-wise loops of the CPU backend, compiled for AVX2 and
 * for baseline x86-64 and picked at load time (target_clones), so the
 * binaries run on any x86-64 CPU. x and y (or dy and dx) may be the same
 * array. Every element is computed by the same formula whichever variant
 * runs; only sse's double sum is one fixed serial order. */
#ifndef USC_CPU_VEC_H
#define USC_CPU_VEC_H

#include <stddef.h>
#include <stdint.h>

void vec_u8(const uint8_t *src, float *dst, size_t n, float scale);
void vec_relu(const float *x, float *y, size_t n);
void vec_relu_bwd(const float *y, const float *dy, float *dx, size_t n);
void vec_sigmoid(const float *x, float *y, size_t n);
void vec_sigmoid_bwd(const float *y, const float *dy, float *dx, size_t n);
/* Dropout of elements base..base+n-1 of a tensor (nn_uniform indices). */
void vec_dropout(const float *x, float *y, float *mask, size_t n, uint64_t base, float rate,
                 uint64_t seed);
void vec_mul(const float *a, const float *b, float *y, size_t n);
void vec_add(const float *a, const float *b, float *y, size_t n);
/* sum (p-t)^2 in double; dp = c2*(p-t) when dp != NULL */
double vec_sse(const float *p, const float *t, float *dp, size_t n, float c2);
void vec_adadelta(float *w, const float *g, float *ag, float *ad, size_t n, float lr, float rho, float eps);
void vec_adam(float *w, const float *g, float *m, float *v, size_t n, float lr_t, float b1, float b2, float eps);
/* y[r][i] = act(y[r][i] + b[i]) for rows of c (b may be NULL; act NN_ACT_*) */
void vec_bias_act(float *y, size_t rows, int c, const float *b, int act);
/* acc[i] += sum over rows of dy[r][i] */
void vec_colsum(const float *dy, size_t rows, int c, float *acc);

#endif
