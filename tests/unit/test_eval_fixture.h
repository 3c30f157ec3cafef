/* Hand-made sequences for the evaluator tests: frames given as id lists
 * and IoU matrices, so each rule can be checked with numbers worked out
 * on paper. */
#ifndef TEST_EVAL_FIXTURE_H
#define TEST_EVAL_FIXTURE_H

#include <criterion/criterion.h>
#include <stdarg.h>

#include "eval/eval_data.h"

/* Adds frame t: ng ground-truth ids, nt result ids, then ng*nt IoUs
 * (row-major, ground truth by result), all as variadic arguments. */
static inline eval_frame *fx_frame(eval_seq *s, int64_t t, int ng, int nt, ...)
{
	int64_t g[16], r[16];
	double iou[256];
	va_list ap;
	va_start(ap, nt);
	for (int i = 0; i < ng; i++)
		g[i] = va_arg(ap, int);
	for (int j = 0; j < nt; j++)
		r[j] = va_arg(ap, int);
	for (int k = 0; k < ng * nt; k++)
		iou[k] = va_arg(ap, double);
	va_end(ap);
	eval_frame *f = eval_seq_add(s, t, ng, g, nt, r);
	cr_assert(f, "frames out of order");
	for (int k = 0; k < ng * nt; k++)
		f->iou[k] = iou[k];
	return f;
}

static inline void fx_index(eval_seq *s)
{
	char err[256];
	cr_assert_eq(eval_seq_index(s, err, sizeof err), 0, "%s", err);
}

#define cr_assert_near(a, b, what) \
	cr_assert(fabs((double)(a) - (double)(b)) < 1e-12, "%s: %.15g, expected %.15g", what, \
		  (double)(a), (double)(b))

#endif
