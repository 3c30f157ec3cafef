/* cuda_conv.cu: convolution and transposed convolution (cuDNN) and dense
 * layers (cuBLAS) of the CUDA backend.
 *
 * Every (transposed) convolution is described once as a cuDNN convolution
 * from grid P to grid Q, both NHWC float tensors, with an NHWC (= KRSC)
 * filter of K = channels of Q and C = channels of P:
 *
 *   conv  x -> y:   P = x [n,h,w,c],    Q = y [n,oh,ow,oc], filter [oc][kh][kw][c]
 *   tconv x -> y:   P = y [n,oh,ow,oc], Q = x [n,h,w,c],    filter [c][kh][kw][oc]
 *
 * so a transposed convolution is exactly the adjoint of the plan's
 * convolution (nn.h), and the three cuDNN calls serve both:
 *
 *              Forward (P -> Q)   BackwardData (Q -> P)   BackwardFilter (P, Q -> w)
 *   conv       y = conv(x)        dx from dy              dw from x, dy
 *   tconv      dx from dy         y = conv^T(x)           dw from dy (as P), x (as Q)
 *
 * Padding is cuDNN's symmetric pad with cross-correlation (no flip), the
 * formula of nn.h. Biases are added and their gradients summed by our own
 * kernels (cuda_ew.cu). All calls use alpha = 1, beta = 0: outputs are
 * overwritten, never accumulated.
 *
 * Algorithms: cudnnGet*Algorithm_v7 heuristics, keeping, in its order,
 * deterministic algorithms first, then the others, each only if cuDNN
 * reports a workspace size for it (that also rejects combinations it does
 * not support) and the workspace is at most CU_WS_LIMIT. The convolution
 * descriptor is set to CUDNN_FMA_MATH: plain float arithmetic, no TF32
 * tensor cores (on Ampere and later cuDNN's default math would allow TF32,
 * about 1e-3 relative error, and the backend must agree with the CPU to
 * float rounding). If a call still answers "not supported", the next
 * candidate is tried. Plans are cached per geometry. Arrays reach cuDNN
 * 16-byte aligned (cu_aligned_* in cuda.h). */
#include <cstring>

#include "nn/cuda/cuda.h"

static const size_t CU_WS_LIMIT = (size_t)1 << 30;
static const float one = 1.0f, zero = 0.0f;

/* ---- plans ---- */

static void plan_destroy(cu_plan *p)
{
	/* destroy calls only free host memory; their status is not useful here */
	cudnnDestroyTensorDescriptor(p->p);
	cudnnDestroyTensorDescriptor(p->q);
	cudnnDestroyFilterDescriptor(p->w);
	cudnnDestroyConvolutionDescriptor(p->conv);
}

void cu_plans_free(cu_impl *c)
{
	for (int i = 0; i < c->nplans; i++)
		plan_destroy(&c->plans[i]);
	c->nplans = 0;
}

/* A candidate of one of the three heuristics, in a common form. */
struct cand {
	int algo;
	cudnnStatus_t status;
	int deterministic;
	cudnnMathType_t math;
};

template <typename Perf>
static int to_cands(const Perf *perf, int n, cand *out)
{
	for (int i = 0; i < n; i++)
		out[i] = cand{ (int)perf[i].algo, perf[i].status, perf[i].determinism == CUDNN_DETERMINISTIC,
		               perf[i].mathType };
	return n;
}

/* Fills a with the usable candidates: deterministic ones in heuristic
 * order, then the others, then any algorithm id (0..count-1) the
 * heuristic did not list but cuDNN accepts, as a last resort. wsize(algo,
 * &bytes) asks cuDNN for the workspace of an algorithm. */
template <typename WsQuery>
static void pick(cu_algos *a, const cand *c, int n, int count, WsQuery wsize)
{
	a->n = a->cur = 0;
	for (int pass = 0; pass < 3 && a->n < CU_MAX_ALGOS; pass++) {
		int m = pass < 2 ? n : count;
		for (int i = 0; i < m && a->n < CU_MAX_ALGOS; i++) {
			int algo = pass < 2 ? c[i].algo : i;
			if (pass < 2) {
				if (c[i].status != CUDNN_STATUS_SUCCESS || c[i].deterministic != (pass == 0))
					continue;
				if (c[i].math == CUDNN_TENSOR_OP_MATH || c[i].math == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION)
					continue;
			}
			int dup = 0;
			for (int k = 0; k < a->n; k++)
				dup |= a->algo[k] == algo;
			size_t ws = 0;
			if (dup || wsize(algo, &ws) != CUDNN_STATUS_SUCCESS || ws > CU_WS_LIMIT)
				continue;
			a->algo[a->n] = algo;
			a->ws[a->n++] = ws;
		}
	}
}

static void geo_text(const nn_conv *g, int transposed, char *buf, size_t n)
{
	snprintf(buf, n, "%s %dx%dx%dx%d -> %dx%dx%d k%dx%d s%dx%d p%dx%d", transposed ? "tconv" : "conv",
	         g->n, g->h, g->w, g->c, g->oh, g->ow, g->oc, g->kh, g->kw, g->sh, g->sw, g->ph, g->pw);
}

static void plan_init(cu_impl *c, cu_plan *p, const nn_conv *g, int transposed)
{
	char what[160];
	geo_text(g, transposed, what, sizeof what);
	p->g = *g;
	p->transposed = transposed;
	int pc = transposed ? g->oc : g->c, ph = transposed ? g->oh : g->h, pw = transposed ? g->ow : g->w;
	int qc = transposed ? g->c : g->oc, qh = transposed ? g->h : g->oh, qw = transposed ? g->w : g->ow;
	p->np = (size_t)g->n * ph * pw * pc;
	p->nq = (size_t)g->n * qh * qw * qc;
	p->nw = (size_t)qc * g->kh * g->kw * pc;
	DNN_CHECK(cudnnCreateTensorDescriptor(&p->p));
	DNN_CHECK(cudnnCreateTensorDescriptor(&p->q));
	DNN_CHECK(cudnnCreateFilterDescriptor(&p->w));
	DNN_CHECK(cudnnCreateConvolutionDescriptor(&p->conv));
	DNN_CHECK(cudnnSetTensor4dDescriptor(p->p, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, g->n, pc, ph, pw));
	DNN_CHECK(cudnnSetTensor4dDescriptor(p->q, CUDNN_TENSOR_NHWC, CUDNN_DATA_FLOAT, g->n, qc, qh, qw));
	DNN_CHECK(cudnnSetFilter4dDescriptor(p->w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NHWC, qc, pc, g->kh, g->kw));
	DNN_CHECK(cudnnSetConvolution2dDescriptor(p->conv, g->ph, g->pw, g->sh, g->sw, 1, 1,
	                                          CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
	DNN_CHECK(cudnnSetConvolutionMathType(p->conv, CUDNN_FMA_MATH));
	int on, oc, oh, ow;
	DNN_CHECK(cudnnGetConvolution2dForwardOutputDim(p->conv, p->p, p->w, &on, &oc, &oh, &ow));
	if (on != g->n || oc != qc || oh != qh || ow != qw)
		die("cuda: %s: sizes do not fit nn.h's convolution formula (cuDNN gives %dx%d)", what, oh, ow);

	cand cands[32];
	int n;
	{
		cudnnConvolutionFwdAlgoPerf_t perf[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
		DNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(c->dnn, p->p, p->w, p->conv, p->q,
		                                                 CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &n, perf));
		to_cands(perf, n, cands);
		pick(&p->fwd, cands, n, CUDNN_CONVOLUTION_FWD_ALGO_COUNT, [&](int algo, size_t *ws) {
			return cudnnGetConvolutionForwardWorkspaceSize(c->dnn, p->p, p->w, p->conv, p->q,
			                                               (cudnnConvolutionFwdAlgo_t)algo, ws);
		});
	}
	{
		cudnnConvolutionBwdDataAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
		DNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(c->dnn, p->w, p->q, p->conv, p->p,
		                                                      CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &n, perf));
		to_cands(perf, n, cands);
		pick(&p->bwd_data, cands, n, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, [&](int algo, size_t *ws) {
			return cudnnGetConvolutionBackwardDataWorkspaceSize(c->dnn, p->w, p->q, p->conv, p->p,
			                                                    (cudnnConvolutionBwdDataAlgo_t)algo, ws);
		});
	}
	{
		cudnnConvolutionBwdFilterAlgoPerf_t perf[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
		DNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(c->dnn, p->p, p->q, p->conv, p->w,
		                                                        CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &n, perf));
		to_cands(perf, n, cands);
		pick(&p->bwd_filter, cands, n, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, [&](int algo, size_t *ws) {
			return cudnnGetConvolutionBackwardFilterWorkspaceSize(c->dnn, p->p, p->q, p->conv, p->w,
			                                                      (cudnnConvolutionBwdFilterAlgo_t)algo, ws);
		});
	}
	if (!p->fwd.n || !p->bwd_data.n || !p->bwd_filter.n)
		die("cuda: %s: cuDNN offers no %s algorithm for float NHWC data", what,
		    !p->fwd.n ? "forward" : !p->bwd_data.n ? "backward-data" : "backward-filter");
}

static cu_plan *plan_get(nn_backend *be, const nn_conv *g, int transposed)
{
	cu_impl *c = cu_of(be);
	c->clock++;
	for (int i = 0; i < c->nplans; i++) {
		cu_plan *p = &c->plans[i];
		/* nn_conv is 13 ints, no padding: bytewise equality is equality */
		if (p->transposed == transposed && !memcmp(&p->g, g, sizeof *g)) {
			p->used = c->clock;
			return p;
		}
	}
	cu_plan *p;
	if (c->nplans < CU_MAX_PLANS) {
		p = &c->plans[c->nplans++];
	} else {
		p = &c->plans[0];
		for (int i = 1; i < c->nplans; i++)
			if (c->plans[i].used < p->used)
				p = &c->plans[i];
		plan_destroy(p);
	}
	plan_init(c, p, g, transposed);
	p->used = c->clock;
	return p;
}

/* ---- the three cuDNN calls, with fallback to the next candidate ---- */

/* Dies with the call, the algorithm and the geometry when s is an error. */
static void conv_check(cudnnStatus_t s, const char *call, const cu_plan *pl, const cu_algos *a)
{
	if (s == CUDNN_STATUS_SUCCESS)
		return;
	char what[160], msg[400];
	geo_text(&pl->g, pl->transposed, what, sizeof what);
	snprintf(msg, sizeof msg, "%s (algorithm %d, %s)", cudnnGetErrorString(s), a->algo[a->cur], what);
	cu_fail("cuDNN", call, msg, __FILE__, __LINE__);
}

static bool next_algo(cu_algos *a, cudnnStatus_t s)
{
	if (CUDNN_STATUS_CATEGORY(s) == CUDNN_STATUS_NOT_SUPPORTED && a->cur + 1 < a->n) {
		a->cur++;
		return true;
	}
	return false;
}

/* Runs call(dnn, algo, workspace, bytes, in0, in1, out) on 16-byte aligned
 * views of in0, in1 and out (cu_aligned_*: copies only for arrays the
 * caller passed misaligned) with a's algorithm in use, moving to the next
 * candidate while cuDNN answers "not supported"; dies on any other error.
 * The three cuDNN calls below differ only in call and their arrays. */
template <typename Call>
static void run_algo(nn_backend *be, const cu_plan *pl, cu_algos *a, const char *name, const float *in0, size_t n0,
                     const float *in1, size_t n1, float *out, size_t nout, Call call)
{
	cu_impl *c = cu_of(be);
	const float *v0 = cu_aligned_in(be, 0, in0, n0), *v1 = cu_aligned_in(be, 1, in1, n1);
	float *vout = cu_aligned_out(be, 2, out, nout, 0);
	cudnnStatus_t s;
	do {
		void *ws = cu_grow(c, &c->ws, &c->ws_cap, a->ws[a->cur]);
		s = call(c->dnn, a->algo[a->cur], ws, a->ws[a->cur], v0, v1, vout);
	} while (s != CUDNN_STATUS_SUCCESS && next_algo(a, s));
	conv_check(s, name, pl, a);
	cu_aligned_done(be, out, vout, nout);
}

/* q = conv(p) */
static void run_fwd(nn_backend *be, cu_plan *pl, const float *p, const float *w, float *q)
{
	run_algo(be, pl, &pl->fwd, "cudnnConvolutionForward", p, pl->np, w, pl->nw, q, pl->nq,
	         [&](cudnnHandle_t dnn, int algo, void *ws, size_t wsb, const float *pv, const float *wv, float *qv) {
		return cudnnConvolutionForward(dnn, &one, pl->p, pv, pl->w, wv, pl->conv,
		                               (cudnnConvolutionFwdAlgo_t)algo, ws, wsb, &zero, pl->q, qv);
	});
}

/* p = conv^T(q) */
static void run_bwd_data(nn_backend *be, cu_plan *pl, const float *w, const float *q, float *p)
{
	run_algo(be, pl, &pl->bwd_data, "cudnnConvolutionBackwardData", w, pl->nw, q, pl->nq, p, pl->np,
	         [&](cudnnHandle_t dnn, int algo, void *ws, size_t wsb, const float *wv, const float *qv, float *pv) {
		return cudnnConvolutionBackwardData(dnn, &one, pl->w, wv, pl->q, qv, pl->conv,
		                                    (cudnnConvolutionBwdDataAlgo_t)algo, ws, wsb, &zero, pl->p, pv);
	});
}

/* dw[k][ky][kx][c] = sum over samples and Q pixels of q[..k] * p[..c] at that tap */
static void run_bwd_filter(nn_backend *be, cu_plan *pl, const float *p, const float *q, float *dw)
{
	run_algo(be, pl, &pl->bwd_filter, "cudnnConvolutionBackwardFilter", p, pl->np, q, pl->nq, dw, pl->nw,
	         [&](cudnnHandle_t dnn, int algo, void *ws, size_t wsb, const float *pv, const float *qv, float *wv) {
		return cudnnConvolutionBackwardFilter(dnn, &one, pl->p, pv, pl->q, qv, pl->conv,
		                                      (cudnnConvolutionBwdFilterAlgo_t)algo, ws, wsb, &zero, pl->w, wv);
	});
}

/* An empty batch: gradients of nothing are zero. */
static void zero_grads(nn_backend *be, size_t nw, size_t nb, float *dw, float *db)
{
	cudaStream_t s = cu_of(be)->stream;
	if (dw && nw)
		CU_CHECK(cudaMemsetAsync(dw, 0, nw * sizeof *dw, s));
	if (db && nb)
		CU_CHECK(cudaMemsetAsync(db, 0, nb * sizeof *db, s));
}

/* ---- convolution and transposed convolution: the plan of a transposed
 * one runs from y's grid to x's grid, so its forward pass is the plan's
 * backward-data and its data gradient the plan's forward ---- */

/* y = the layer, then bias (p NULL) or the fused bias, activation and
 * dropout of p. */
static void layer_fwd(nn_backend *be, const nn_conv *g, int transposed, const float *x, const float *w,
                      const float *b, float *y, const nn_post *p)
{
	if (g->n <= 0)
		return;
	cu_plan *pl = plan_get(be, g, transposed);
	if (transposed)
		run_bwd_data(be, pl, w, x, y);
	else
		run_fwd(be, pl, x, w, y);
	if (p)
		cu_post_fwd(be, y, (size_t)g->n * g->oh * g->ow, g->oc, b, p);
	else
		cu_add_bias(be, y, (size_t)g->n * g->oh * g->ow, g->oc, b);
}

/* dy -> dx, dw, db (each skipped when NULL); p: first the gradient of the
 * fused activation and dropout, in place in dy. */
static void layer_bwd(nn_backend *be, const nn_conv *g, int transposed, const float *x, const float *w,
                      const float *y, const nn_post *p, float *dy, float *dx, float *dw, float *db)
{
	if (g->n <= 0) {
		/* oc*kh*kw*c filter values either way */
		zero_grads(be, (size_t)g->oc * g->kh * g->kw * g->c, (size_t)g->oc, dw, db);
		return;
	}
	if (p)
		cu_post_bwd(be, (size_t)g->n * g->oh * g->ow * g->oc, y, dy, p);
	cu_plan *pl = plan_get(be, g, transposed);
	if (dx && transposed)
		run_fwd(be, pl, dy, w, dx);
	else if (dx)
		run_bwd_data(be, pl, w, dy, dx);
	if (dw)
		run_bwd_filter(be, pl, transposed ? dy : x, transposed ? x : dy, dw);
	if (db)
		cu_colsum(be, dy, (size_t)g->n * g->oh * g->ow, g->oc, db);
}

/* nn.h's conv entry points; the fused *_post ones run the layer, then one
 * kernel for bias, activation and dropout; backward: one kernel for the
 * dropout mask and the activation, then the layer */
NN_CONV_DEFINE(cu, layer_fwd, layer_bwd)

/* ---- dense ----
 * cuBLAS is column-major; a row-major [r][c] matrix is the column-major
 * c x r matrix with leading dimension c, i.e. its transpose. So with
 * row-major x [n][in], w [in][out], y [n][out]:
 *   y  = x w      ->  y^T (out x n)  = w^T (out x in) * x^T (in x n)
 *   dw = x^T dy   ->  dw^T (out x in) = dy^T (out x n) * (x^T)^T
 *   dx = dy w^T   ->  dx^T (in x n)  = (w^T)^T (in x out) * dy^T (out x n)
 */

void cu_dense_fwd(nn_backend *be, int n, int in, int out, const float *x, const float *w,
                  const float *b, float *y)
{
	if (n <= 0 || out <= 0)
		return;
	if (in <= 0) {   /* an empty sum: y = b */
		CU_CHECK(cudaMemsetAsync(y, 0, (size_t)n * out * sizeof *y, cu_of(be)->stream));
	} else {
		BLAS_CHECK(cublasSgemm(cu_of(be)->blas, CUBLAS_OP_N, CUBLAS_OP_N, out, n, in, &one, w, out,
		                       x, in, &zero, y, out));
	}
	cu_add_bias(be, y, (size_t)n, out, b);
}

void cu_dense_bwd(nn_backend *be, int n, int in, int out, const float *x, const float *w,
                  const float *dy, float *dx, float *dw, float *db)
{
	if (n <= 0 || in <= 0 || out <= 0) {
		zero_grads(be, (size_t)(in > 0 ? in : 0) * (out > 0 ? out : 0), (size_t)(out > 0 ? out : 0), dw, db);
		if (dx && n > 0 && in > 0)
			CU_CHECK(cudaMemsetAsync(dx, 0, (size_t)n * in * sizeof *dx, cu_of(be)->stream));
		return;
	}
	cublasHandle_t h = cu_of(be)->blas;
	if (dw)
		BLAS_CHECK(cublasSgemm(h, CUBLAS_OP_N, CUBLAS_OP_T, out, in, n, &one, dy, out, x, in, &zero, dw, out));
	if (db)
		cu_colsum(be, dy, (size_t)n, out, db);
	if (dx)
		BLAS_CHECK(cublasSgemm(h, CUBLAS_OP_T, CUBLAS_OP_N, in, n, out, &one, w, out, dy, out, &zero, dx, in));
}
