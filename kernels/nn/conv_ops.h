/* conv_ops.h: the eight conv entry points of nn.h (conv and tconv, fwd and
 * bwd, plain and *_post) that each backend defines the same way, as one
 * call of its two layer functions
 *   fwd(be, g, transposed, x, w, b, y, p)
 *   bwd(be, g, transposed, x, w, y, p, dy, dx, dw, db)
 * The plain ops pass p NULL; their dy is const, and a backward pass
 * without p must never write it. */
#ifndef USC_NN_CONV_OPS_H
#define USC_NN_CONV_OPS_H

#include "nn/nn.h"

#define NN_CONV_FWD_PARAMS nn_backend *be, const nn_conv *g, const float *x, const float *w, const float *b, float *y
#define NN_CONV_BWD_PARAMS                                                                          \
	nn_backend *be, const nn_conv *g, const float *x, const float *w, const float *dy, float *dx, \
		float *dw, float *db
#define NN_CONV_BWD_POST_PARAMS                                                                    \
	nn_backend *be, const nn_conv *g, const float *x, const float *w, const float *y, const nn_post *p, \
		float *dy, float *dx, float *dw, float *db

/* X(name, (params), call) for each entry point of backend pfx. */
#define NN_CONV_OPS(X, pfx, fwd, bwd)                                                                  \
	X(pfx##_conv_fwd, (NN_CONV_FWD_PARAMS), fwd(be, g, 0, x, w, b, y, NULL))                          \
	X(pfx##_tconv_fwd, (NN_CONV_FWD_PARAMS), fwd(be, g, 1, x, w, b, y, NULL))                         \
	X(pfx##_conv_bwd, (NN_CONV_BWD_PARAMS), bwd(be, g, 0, x, w, NULL, NULL, (float *)dy, dx, dw, db))  \
	X(pfx##_tconv_bwd, (NN_CONV_BWD_PARAMS), bwd(be, g, 1, x, w, NULL, NULL, (float *)dy, dx, dw, db)) \
	X(pfx##_conv_fwd_post, (NN_CONV_FWD_PARAMS, const nn_post *p), fwd(be, g, 0, x, w, b, y, p))       \
	X(pfx##_tconv_fwd_post, (NN_CONV_FWD_PARAMS, const nn_post *p), fwd(be, g, 1, x, w, b, y, p))      \
	X(pfx##_conv_bwd_post, (NN_CONV_BWD_POST_PARAMS), bwd(be, g, 0, x, w, y, p, dy, dx, dw, db))       \
	X(pfx##_tconv_bwd_post, (NN_CONV_BWD_POST_PARAMS), bwd(be, g, 1, x, w, y, p, dy, dx, dw, db))

#define NN_CONV_DECLARE_ONE(name, params, call) void name params;
#define NN_CONV_DEFINE_ONE(name, params, call) void name params { call; }

/* In the backend's header: pfx_conv_fwd .. pfx_tconv_bwd_post. */
#define NN_CONV_DECLARE(pfx) NN_CONV_OPS(NN_CONV_DECLARE_ONE, pfx, , )
/* In the file that has the backend's fwd and bwd. */
#define NN_CONV_DEFINE(pfx, fwd, bwd) NN_CONV_OPS(NN_CONV_DEFINE_ONE, pfx, fwd, bwd)

#endif
