/* The label-free latent-distance threshold: the mixture fit on a known
 * two-cluster mix, its fallbacks on inputs that cannot support a
 * threshold, and the nearest / second-nearest accumulator. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "stream.h"
#include "track/calib.h"
#include "track/calib_stream.h"

/* n nearest distances from N(m0, s0) and n second-nearest from N(m1, s1)
 * (log-distances), with a share `swap` of the hints wrong. */
static void mix(double *x, uint8_t *h, size_t n, double m0, double s0, double m1, double s1, double swap,
		uint64_t seed)
{
	rng r;
	rng_seed(&r, seed);
	for (size_t i = 0; i < n; i++) {
		x[2 * i] = m0 + s0 * rng_normal(&r);
		x[2 * i + 1] = m1 + s1 * rng_normal(&r);
		h[2 * i] = rng_uniform(&r) < swap;
		h[2 * i + 1] = rng_uniform(&r) >= swap;
	}
}

/* Where w0 N(m0, s0) = w1 N(m1, s1) between the means (bisection on the
 * true parameters), as a distance. */
static double crossing(double m0, double s0, double m1, double s1)
{
	double lo = m0, hi = m1;
	for (int i = 0; i < 200; i++) {
		double x = 0.5 * (lo + hi);
		double a = -0.5 * pow((x - m0) / s0, 2) - log(s0), b = -0.5 * pow((x - m1) / s1, 2) - log(s1);
		if (a > b)
			lo = x;
		else
			hi = x;
	}
	return exp(0.5 * (lo + hi));
}

Test(calib, two_clusters_give_the_crossing)
{
	enum { N = 3000 };
	double *x = malloc(2 * N * sizeof *x);
	uint8_t *h = malloc(2 * N);
	double m0 = log(0.33), s0 = 0.35, m1 = log(0.75), s1 = 0.25;
	mix(x, h, N, m0, s0, m1, s1, 0.1, 7);
	calib_fit_t r;
	cr_assert_eq(calib_fit(x, h, 2 * N, 50, &r), CALIB_OK, "%s", calib_status_name(r.status));
	double want = crossing(m0, s0, m1, s1);
	cr_assert(fabs(r.thr - want) < 0.03 * want, "threshold %g, want %g", r.thr, want);
	cr_assert(fabs(r.mu[0] - m0) < 0.05 && fabs(r.mu[1] - m1) < 0.05, "means %g %g", r.mu[0], r.mu[1]);
	cr_assert(fabs(r.w[0] - 0.5) < 0.05, "weight %g", r.w[0]);
	cr_assert(r.thr > exp(m0) && r.thr < exp(m1));
	cr_assert(r.q_same99 > exp(m0 + 2 * s0) && r.q_same99 < exp(m0 + 2.7 * s0));
	free(x), free(h);
}

Test(calib, wrong_hints_do_not_move_it_much)
{
	/* the hints only start EM: a third of them wrong gives the same fit */
	enum { N = 3000 };
	double *x = malloc(2 * N * sizeof *x);
	uint8_t *h = malloc(2 * N);
	double m0 = log(1.0), s0 = 0.3, m1 = log(3.0), s1 = 0.3;
	mix(x, h, N, m0, s0, m1, s1, 0.33, 11);
	calib_fit_t r;
	cr_assert_eq(calib_fit(x, h, 2 * N, 50, &r), CALIB_OK);
	double want = crossing(m0, s0, m1, s1);
	cr_assert(fabs(r.thr - want) < 0.03 * want, "threshold %g, want %g", r.thr, want);
	free(x), free(h);
}

Test(calib, scaling_the_distances_scales_the_threshold)
{
	enum { N = 1000 };
	double *x = malloc(2 * N * sizeof *x);
	uint8_t *h = malloc(2 * N);
	mix(x, h, N, log(0.5), 0.3, log(1.5), 0.3, 0.05, 3);
	calib_fit_t a, b;
	cr_assert_eq(calib_fit(x, h, 2 * N, 50, &a), CALIB_OK);
	for (size_t i = 0; i < 2 * N; i++)
		x[i] += log(10.0);
	cr_assert_eq(calib_fit(x, h, 2 * N, 50, &b), CALIB_OK);
	cr_assert(fabs(b.thr / a.thr - 10) < 1e-6, "%g %g", a.thr, b.thr);
	free(x), free(h);
}

Test(calib, one_component_falls_back)
{
	enum { N = 2000 };
	double *x = malloc(2 * N * sizeof *x);
	uint8_t *h = malloc(2 * N);
	mix(x, h, N, log(0.5), 0.3, log(0.5), 0.3, 0.0, 5);
	calib_fit_t r;
	cr_assert_eq(calib_fit(x, h, 2 * N, 50, &r), CALIB_ONE_COMPONENT, "%s (bic %g %g)",
		     calib_status_name(r.status), r.bic1, r.bic2);
	cr_assert(isinf(r.thr));
	int st;
	cr_assert(isinf(calib_threshold(&r, CALIB_CROSSING, &st)));
	cr_assert_eq(st, CALIB_ONE_COMPONENT);
	free(x), free(h);
}

Test(calib, too_few_pairs_fall_back)
{
	double x[10];
	uint8_t h[10];
	mix(x, h, 5, log(0.3), 0.2, log(1.0), 0.2, 0, 1);
	calib_fit_t r;
	cr_assert_eq(calib_fit(x, h, 10, 50, &r), CALIB_TOO_FEW);
	cr_assert(isinf(r.thr));
	int st;
	cr_assert(isinf(calib_threshold(&r, CALIB_MNN99, &st)));
	cr_assert_eq(st, CALIB_TOO_FEW);
	cr_assert(isinf(calib_threshold(&r, CALIB_CROSSING, &st)));
	cr_assert_eq(st, CALIB_TOO_FEW);
	cr_assert_eq(r.n1, 5);
	/* nothing at all, and only nearest distances (one object a frame) */
	cr_assert_eq(calib_fit(NULL, NULL, 0, 50, &r), CALIB_TOO_FEW);
	double y[200];
	uint8_t g[200] = {0};
	for (int i = 0; i < 200; i++)
		y[i] = log(0.1 + 0.001 * i);
	cr_assert_eq(calib_fit(y, g, 200, 50, &r), CALIB_TOO_FEW);
	cr_assert_eq(r.n1, 200);
	cr_assert_eq(r.n2, 0);
}

Test(calib, equal_distances_fall_back)
{
	double x[400];
	uint8_t h[400];
	for (int i = 0; i < 400; i++)
		x[i] = log(0.7), h[i] = i & 1;
	calib_fit_t r;
	cr_assert_eq(calib_fit(x, h, 400, 50, &r), CALIB_DEGENERATE);
	cr_assert(isinf(r.thr));
	/* mutual-nearest distances all equal: no percentile either */
	for (int i = 0; i < 400; i++)
		h[i] = 2;
	calib_fit(x, h, 400, 50, &r);
	int st;
	cr_assert(isinf(calib_threshold(&r, CALIB_MNN99, &st)));
	cr_assert_eq(st, CALIB_DEGENERATE);
}

Test(calib, non_finite_values_are_not_used)
{
	enum { N = 1000 };
	double *x = malloc(2 * N * sizeof *x);
	uint8_t *h = malloc(2 * N);
	mix(x, h, N, log(0.5), 0.3, log(1.5), 0.3, 0.05, 9);
	calib_fit_t a, b;
	cr_assert_eq(calib_fit(x, h, 2 * N, 50, &a), CALIB_OK);
	x[0] = NAN, x[1] = INFINITY, x[2] = -INFINITY;
	cr_assert_eq(calib_fit(x, h, 2 * N, 50, &b), CALIB_OK);
	cr_assert_eq(b.n1 + b.n2, 2 * N - 3);
	cr_assert(fabs(b.thr / a.thr - 1) < 0.01);
	free(x), free(h);
}

/* Three objects drifting apart slowly in a 2-d latent space: the nearest
 * one frame back is the object itself (step about 0.1), the second nearest
 * another object (about 1 away). */
Test(calib, accumulator_nearest_and_second)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *csv = open_memstream(&buf, &len);
	calib_acc *a = calib_acc_new(1, 1 << 20, csv);
	rng r;
	rng_seed(&r, 2);
	char err[200];
	int64_t k = 0;
	for (int f = 0; f < 200; f++)
		for (int o = 0; o < 3; o++) {
			float z[2] = {(float)(o * 1.0 + 0.1 * rng_normal(&r)), (float)(0.1 * rng_normal(&r))};
			cr_assert_eq(calib_acc_add(a, f, k++, o, z, 2, err, sizeof err), 0, "%s", err);
		}
	calib_fit_t fit;
	cr_assert_eq(calib_acc_fit(a, 50, &fit), CALIB_OK, "%s", calib_status_name(fit.status));
	cr_assert_eq(fit.n1, 199 * 3);
	cr_assert_eq(fit.n2, 199 * 3);
	/* every object is its own mutual nearest (steps of 0.1, objects 1 apart) */
	cr_assert_eq(fit.n3, 199 * 3);
	cr_assert_eq(calib_acc_samples(a), 199 * 3 * 3);
	cr_assert(fit.thr > 0.3 && fit.thr < 0.9, "threshold %g", fit.thr);
	/* the step is Rayleigh with scale 0.1 * sqrt(2): 99% at about 0.43 */
	cr_assert(fit.mnn99 > 0.3 && fit.mnn99 < 0.6, "mnn99 %g", fit.mnn99);
	int st;
	cr_assert_float_eq(calib_threshold(&fit, CALIB_MNN99, &st), fit.mnn99, 1e-12);
	cr_assert_eq(st, CALIB_OK);
	cr_assert_float_eq(calib_threshold(&fit, CALIB_CROSSING, &st), fit.thr, 1e-12);
	fclose(csv);
	/* one row per pair: 199 frames x 3 x 3, and rank 1 is the same object */
	int rows = 0, rank1_same = 0, rank1 = 0;
	char *line = strtok(buf, "\n");
	while (line) {
		unsigned long long seg;
		long long fr, key, pf, pk;
		double d;
		int rank, same;
		if (sscanf(line, "%llu,%lld,%lld,%lld,%lld,%lf,%d,%d", &seg, &fr, &key, &pf, &pk, &d, &rank, &same) == 8) {
			rows++;
			cr_assert_eq(pf, fr - 1);
			if (rank == 1)
				rank1++, rank1_same += same;
		}
		line = strtok(NULL, "\n");
	}
	cr_assert_eq(rows, 199 * 9);
	cr_assert_eq(rank1, 199 * 3);
	cr_assert(rank1_same > rank1 * 95 / 100);
	free(buf);
	/* errors: frame going back, z length change */
	float z[3] = {0};
	cr_assert_eq(calib_acc_add(a, 5, k, -1, z, 2, err, sizeof err), -1);
	cr_assert_eq(calib_acc_add(a, 300, k, -1, z, 3, err, sizeof err), -1);
	/* a new segment forgets the frames: a lower frame and another length are fine */
	calib_acc_segment(a);
	size_t before = calib_acc_samples(a);
	cr_assert_eq(calib_acc_add(a, 0, 0, -1, z, 3, err, sizeof err), 0, "%s", err);
	cr_assert_eq(calib_acc_add(a, 1, 1, -1, z, 3, err, sizeof err), 0, "%s", err);
	/* identical vectors: distance 0 has no log and is not kept */
	cr_assert_eq(calib_acc_samples(a), before);
	calib_acc_free(a);
}

Test(calib, mnn99_is_the_percentile)
{
	/* 1000 mutual-nearest distances 1..1000 (as logs): the 99th is 990 */
	enum { N = 1000 };
	double x[N];
	uint8_t h[N];
	for (int i = 0; i < N; i++)
		x[i] = log((double)(N - i)), h[i] = 2;
	calib_fit_t r;
	calib_fit(x, h, N, 50, &r);
	cr_assert_eq(r.n3, N);
	cr_assert(fabs(r.mnn99 - 990) < 1e-6, "%g", r.mnn99);
}

/* A newcomer is not a mutual nearest pair: its nearest is taken. */
Test(calib, mutual_pairs_leave_out_newcomers)
{
	calib_acc *a = calib_acc_new(1, 100, NULL);
	char err[200];
	float z0[1] = {0}, z1[1] = {0.1f}, z2[1] = {0.3f};
	cr_assert_eq(calib_acc_add(a, 0, 0, -1, z0, 1, err, sizeof err), 0);
	cr_assert_eq(calib_acc_add(a, 1, 1, -1, z1, 1, err, sizeof err), 0);
	cr_assert_eq(calib_acc_add(a, 1, 2, -1, z2, 1, err, sizeof err), 0);
	calib_fit_t r;
	calib_acc_fit(a, 1, &r);
	cr_assert_eq(r.n1, 2);   /* both see key 0 as nearest */
	cr_assert_eq(r.n2, 0);
	cr_assert_eq(r.n3, 1);   /* only key 1 is key 0's nearest */
	calib_acc_free(a);
}

Test(calib, accumulator_gaps_and_bound)
{
	calib_acc *a = calib_acc_new(1, 10, NULL);
	char err[200];
	float z[1];
	/* frames 0, 2, 4: no frame is one back, so nothing is compared */
	for (int f = 0; f < 6; f += 2)
		for (int o = 0; o < 3; o++) {
			z[0] = (float)o + 0.01f * (float)f;
			cr_assert_eq(calib_acc_add(a, f, f * 3 + o, -1, z, 1, err, sizeof err), 0);
		}
	cr_assert_eq(calib_acc_samples(a), 0);
	/* consecutive frames: at most max_samples kept */
	for (int f = 10; f < 30; f++)
		for (int o = 0; o < 3; o++) {
			z[0] = (float)o + 0.01f * (float)f;
			cr_assert_eq(calib_acc_add(a, f, 100 + f * 3 + o, -1, z, 1, err, sizeof err), 0);
		}
	cr_assert_eq(calib_acc_samples(a), 10);
	calib_acc_clear(a);
	cr_assert_eq(calib_acc_samples(a), 0);
	calib_acc_free(a);
}

/* The header key: written and read back, nil and absent are "none", and
 * anything but a positive finite number is an error. */
Test(calib, header_threshold)
{
	ms_header h;
	ms_header_init(&h);
	char err[200];
	double t = 0;
	cr_assert_eq(calib_header_thr(&h, &t, err, sizeof err), 0);
	calib_header_put(&h, 0.4375);
	cr_assert_eq(calib_header_thr(&h, &t, err, sizeof err), 1);
	cr_assert_eq(t, 0.4375);
	calib_header_put(&h, INFINITY);   /* no threshold: nil */
	cr_assert_eq(calib_header_thr(&h, &t, err, sizeof err), 0);
	const uint8_t neg[] = {0xcb, 0xbf, 0xf0, 0, 0, 0, 0, 0, 0};   /* -1.0 */
	ms_extra_put(&h.extra, CALIB_HEADER_KEY, neg, sizeof neg);
	cr_assert_eq(calib_header_thr(&h, &t, err, sizeof err), -1);
	const uint8_t nan[] = {0xcb, 0x7f, 0xf8, 0, 0, 0, 0, 0, 0};
	ms_extra_put(&h.extra, CALIB_HEADER_KEY, nan, sizeof nan);
	cr_assert_eq(calib_header_thr(&h, &t, err, sizeof err), -1);
	const uint8_t str[] = {0xa1, 'x'};
	ms_extra_put(&h.extra, CALIB_HEADER_KEY, str, sizeof str);
	cr_assert_eq(calib_header_thr(&h, &t, err, sizeof err), -1);
	const uint8_t two[] = {0x02};   /* a positive integer is a distance too */
	ms_extra_put(&h.extra, CALIB_HEADER_KEY, two, sizeof two);
	cr_assert_eq(calib_header_thr(&h, &t, err, sizeof err), 1);
	cr_assert_eq(t, 2);
	ms_header_free(&h);
}
