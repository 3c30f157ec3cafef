/* cuda_bn.cu: batch normalisation of the CUDA backend, cuDNN's spatial
 * mode, which is nn.h's definition exactly:
 *
 *   - the data [rows, C] is described as an NHWC tensor of rows x 1 x 1
 *     pixels and C channels: the same bytes, statistics over all rows;
 *   - cuDNN's saved mean and saved inverse variance are 1/sqrt(var+eps)
 *     of the biased batch variance, nn.h's save_mean and save_invstd;
 *   - cuDNN's exponentialAverageFactor is nn.h's momentum (the weight of
 *     the new batch statistic), and its running variance is updated with
 *     the unbiased batch variance, var*rows/(rows-1), as nn.h says;
 *   - inference uses the running statistics with the same eps.
 *
 * alpha = 1, beta = 0 everywhere: y, dx, dgamma and dbeta are overwritten.
 * Arrays reach cuDNN 16-byte aligned (cu_aligned_* in cuda.h).
 * cuDNN needs eps >= CUDNN_BN_MIN_EPSILON (0 in cuDNN 9, 1e-5 before); a
 * smaller eps is a caller error. */
#include "nn/cuda/cuda.h"

static const float one = 1.0f, zero = 0.0f;

/* Sets the backend's two descriptors for g; returns the epsilon. */
static double bn_desc(cu_impl *c, const nn_bn *g)
{
	if ((double)g->eps < CUDNN_BN_MIN_EPSILON)
		die("cuda: batch norm epsilon %g is below cuDNN's minimum %g", (double)g->eps,
		    (double)CUDNN_BN_MIN_EPSILON);
	if (g->rows > 0x7fffffff)
		die("cuda: batch norm over %zu rows: more than cuDNN's int dimensions", g->rows);
	DNN_CHECK(cudnnSetTensor4dDescriptor(c->bn_x, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, (int)g->rows, g->c, 1, 1));
	DNN_CHECK(cudnnDeriveBNTensorDescriptor(c->bn_p, c->bn_x, CUDNN_BATCHNORM_SPATIAL));
	return g->eps;
}

void cu_bn_fwd(nn_backend *be, const nn_bn *g, const float *x, float *y, const float *gamma,
               const float *beta, float *run_mean, float *run_var, float *save_mean,
               float *save_invstd, int training)
{
	cu_impl *c = cu_of(be);
	if (g->rows == 0 || g->c <= 0)
		return;
	double eps = bn_desc(c, g);
	size_t n = g->rows * (size_t)g->c, C = (size_t)g->c;
	/* aligned views (cuda.h); the running statistics are read and written */
	const float *xv = cu_aligned_in(be, 0, x, n), *gv = cu_aligned_in(be, 2, gamma, C);
	const float *bv = cu_aligned_in(be, 3, beta, C);
	float *yv = cu_aligned_out(be, 1, y, n, 0);
	float *mv = cu_aligned_out(be, 4, run_mean, C, 1), *vv = cu_aligned_out(be, 5, run_var, C, 1);
	if (training) {
		float *smv = cu_aligned_out(be, 6, save_mean, C, 0), *siv = cu_aligned_out(be, 7, save_invstd, C, 0);
		DNN_CHECK(cudnnBatchNormalizationForwardTraining(
			c->dnn, CUDNN_BATCHNORM_SPATIAL, &one, &zero, c->bn_x, xv, c->bn_x, yv, c->bn_p, gv, bv,
			(double)g->momentum, mv, vv, eps, smv, siv));
		cu_aligned_done(be, run_mean, mv, C);
		cu_aligned_done(be, run_var, vv, C);
		cu_aligned_done(be, save_mean, smv, C);
		cu_aligned_done(be, save_invstd, siv, C);
	} else {
		DNN_CHECK(cudnnBatchNormalizationForwardInference(c->dnn, CUDNN_BATCHNORM_SPATIAL, &one, &zero,
		                                                  c->bn_x, xv, c->bn_x, yv, c->bn_p, gv, bv, mv,
		                                                  vv, eps));
	}
	cu_aligned_done(be, y, yv, n);
}

void cu_bn_bwd(nn_backend *be, const nn_bn *g, const float *x, const float *dy, const float *gamma,
               const float *save_mean, const float *save_invstd, float *dx, float *dgamma,
               float *dbeta)
{
	cu_impl *c = cu_of(be);
	if (g->c <= 0)
		return;
	if (g->rows == 0) {
		CU_CHECK(cudaMemsetAsync(dgamma, 0, (size_t)g->c * sizeof *dgamma, c->stream));
		CU_CHECK(cudaMemsetAsync(dbeta, 0, (size_t)g->c * sizeof *dbeta, c->stream));
		return;
	}
	double eps = bn_desc(c, g);
	size_t n = g->rows * (size_t)g->c, C = (size_t)g->c;
	/* cuDNN always writes dx: give it scratch when the caller needs none */
	if (!dx)
		dx = (float *)cu_grow(c, &c->tmp, &c->tmp_cap, n * sizeof(float));
	const float *xv = cu_aligned_in(be, 0, x, n), *dyv = cu_aligned_in(be, 1, dy, n);
	const float *gv = cu_aligned_in(be, 3, gamma, C), *smv = cu_aligned_in(be, 4, save_mean, C);
	const float *siv = cu_aligned_in(be, 5, save_invstd, C);
	float *dxv = cu_aligned_out(be, 2, dx, n, 0);
	float *dgv = cu_aligned_out(be, 6, dgamma, C, 0), *dbv = cu_aligned_out(be, 7, dbeta, C, 0);
	DNN_CHECK(cudnnBatchNormalizationBackward(c->dnn, CUDNN_BATCHNORM_SPATIAL, &one, &zero, &one, &zero,
	                                          c->bn_x, xv, c->bn_x, dyv, c->bn_x, dxv, c->bn_p, gv,
	                                          dgv, dbv, eps, smv, siv));
	cu_aligned_done(be, dx, dxv, n);
	cu_aligned_done(be, dgamma, dgv, C);
	cu_aligned_done(be, dbeta, dbv, C);
}
