/* calib.c: the latent-distance threshold from unlabelled detections
 * (calib.h). */
#include "track/calib.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"

#define CALIB_MAX_ITERS 500

const char *calib_status_name(int status)
{
	switch (status) {
	case CALIB_OK: return "ok";
	case CALIB_TOO_FEW: return "too few nearest / second-nearest pairs";
	case CALIB_DEGENERATE: return "all distances equal";
	case CALIB_ONE_COMPONENT: return "one component fits the distances as well as two";
	case CALIB_NO_CROSSING: return "the two components do not cross between their means";
	}
	return "unknown";
}

/* log of the normal density */
static double calib_lognorm(double x, double mu, double sd)
{
	double t = (x - mu) / sd;
	return -0.5 * t * t - log(sd) - 0.5 * log(2 * M_PI);
}

/* log(exp(a) + exp(b)) without overflow */
static double calib_lse(double a, double b)
{
	double m = a > b ? a : b;
	return m + log(exp(a - m) + exp(b - m));
}

/* One E and one M step; returns the log-likelihood before the update. */
static double calib_em_step(const double *x, size_t n, double mu[2], double sd[2], double w[2], double sfloor)
{
	double s0 = 0, s1 = 0, m0 = 0, m1 = 0, v0 = 0, v1 = 0, ll = 0;
	for (size_t i = 0; i < n; i++) {
		double a = log(w[0]) + calib_lognorm(x[i], mu[0], sd[0]);
		double b = log(w[1]) + calib_lognorm(x[i], mu[1], sd[1]);
		double l = calib_lse(a, b), r0 = exp(a - l);
		ll += l;
		s0 += r0, s1 += 1 - r0;
		m0 += r0 * x[i], m1 += (1 - r0) * x[i];
	}
	/* a component that lost every point keeps its parameters; the caller
	 * sees its weight vanish */
	if (s0 > 0) m0 /= s0; else m0 = mu[0];
	if (s1 > 0) m1 /= s1; else m1 = mu[1];
	for (size_t i = 0; i < n; i++) {
		double a = log(w[0]) + calib_lognorm(x[i], mu[0], sd[0]);
		double b = log(w[1]) + calib_lognorm(x[i], mu[1], sd[1]);
		double r0 = exp(a - calib_lse(a, b));
		v0 += r0 * (x[i] - m0) * (x[i] - m0);
		v1 += (1 - r0) * (x[i] - m1) * (x[i] - m1);
	}
	mu[0] = m0, mu[1] = m1;
	sd[0] = s0 > 0 ? sqrt(v0 / s0) : sd[0];
	sd[1] = s1 > 0 ? sqrt(v1 / s1) : sd[1];
	for (int j = 0; j < 2; j++)
		if (!(sd[j] >= sfloor))
			sd[j] = sfloor;
	w[0] = s0 / (double)n, w[1] = s1 / (double)n;
	return ll;
}

static double calib_loglik(const double *x, size_t n, const double mu[2], const double sd[2], const double w[2])
{
	double ll = 0;
	for (size_t i = 0; i < n; i++)
		ll += calib_lse(log(w[0]) + calib_lognorm(x[i], mu[0], sd[0]),
				log(w[1]) + calib_lognorm(x[i], mu[1], sd[1]));
	return ll;
}

/* Weighted log-posterior odds of "same" against "different" at x. */
static double calib_odds(const calib_fit_t *r, double x)
{
	return log(r->w[0]) + calib_lognorm(x, r->mu[0], r->sd[0]) - log(r->w[1]) -
	       calib_lognorm(x, r->mu[1], r->sd[1]);
}

/* Mean and standard deviation of x[i] with hint[i] == h (h < 0: all). */
static void calib_moments(const double *x, const uint8_t *hint, size_t n, int h, double *mu, double *sd)
{
	double s = 0, q = 0;
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		if (h < 0 || hint[i] == h)
			s += x[i], c++;
	*mu = c ? s / (double)c : 0;
	for (size_t i = 0; i < n; i++)
		if (h < 0 || hint[i] == h)
			q += (x[i] - *mu) * (x[i] - *mu);
	*sd = c ? sqrt(q / (double)c) : 0;
}

static int calib_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The empirical 99th percentile of the hint-2 values (a distance). */
static double calib_mnn99(const double *xin, const uint8_t *hin, size_t nin, size_t min_pairs, size_t *n3)
{
	double *v = xmalloc((nin ? nin : 1) * sizeof *v);
	size_t n = 0;
	for (size_t i = 0; i < nin; i++)
		if (hin[i] == 2 && isfinite(xin[i]))
			v[n++] = xin[i];
	*n3 = n;
	double q = INFINITY;
	if (n >= min_pairs && n) {
		qsort(v, n, sizeof *v, calib_cmp);
		if (v[n - 1] - v[0] > 1e-6)
			q = exp(v[(size_t)floor(0.99 * (double)(n - 1))]);
	}
	free(v);
	return q;
}

double calib_threshold(const calib_fit_t *r, int rule, int *status)
{
	if (rule == CALIB_MNN99) {
		*status = isfinite(r->mnn99) ? CALIB_OK : r->n3 < r->min_pairs ? CALIB_TOO_FEW : CALIB_DEGENERATE;
		return r->mnn99;
	}
	*status = r->status;
	return r->status == CALIB_OK ? r->thr : INFINITY;
}

int calib_parse_rule(const char *s)
{
	return !strcmp(s, "crossing") ? CALIB_CROSSING : !strcmp(s, "mnn99") ? CALIB_MNN99 : -1;
}

const char *calib_rule_name(int rule) { return rule == CALIB_MNN99 ? "mnn99" : "crossing"; }

int calib_fit(const double *xin, const uint8_t *hin, size_t nin, size_t min_pairs, calib_fit_t *r)
{
	memset(r, 0, sizeof *r);
	r->thr = INFINITY;
	r->min_pairs = min_pairs < 2 ? 2 : min_pairs;
	r->mnn99 = calib_mnn99(xin, hin, nin, r->min_pairs, &r->n3);
	/* the finite values only */
	double *x = xmalloc((nin ? nin : 1) * sizeof *x);
	uint8_t *hint = xmalloc(nin ? nin : 1);
	size_t n = 0;
	for (size_t i = 0; i < nin; i++) {
		if (!isfinite(xin[i]) || hin[i] > 1)
			continue;
		x[n] = xin[i], hint[n] = hin[i];
		r->n1 += hint[n] == 0, r->n2 += hint[n] == 1;
		n++;
	}
	if (min_pairs < 2)
		min_pairs = 2;
	if (r->n1 < min_pairs || r->n2 < min_pairs) {
		r->status = CALIB_TOO_FEW;
		goto out;
	}
	double mall, sall;
	calib_moments(x, hint, n, -1, &mall, &sall);
	/* log-distances within 1e-6 of each other: distances equal to 1 ppm */
	if (!(sall > 1e-6)) {
		r->status = CALIB_DEGENERATE;
		goto out;
	}
	double sfloor = 1e-3 * sall;
	/* start from the nearest / second-nearest split */
	calib_moments(x, hint, n, 0, &r->mu[0], &r->sd[0]);
	calib_moments(x, hint, n, 1, &r->mu[1], &r->sd[1]);
	for (int j = 0; j < 2; j++)
		if (!(r->sd[j] >= sfloor))
			r->sd[j] = sfloor;
	r->w[0] = (double)r->n1 / (double)n, r->w[1] = (double)r->n2 / (double)n;
	double prev = -INFINITY;
	for (r->iters = 0; r->iters < CALIB_MAX_ITERS; r->iters++) {
		double ll = calib_em_step(x, n, r->mu, r->sd, r->w, sfloor);
		if (ll - prev < 1e-10 * (double)n)
			break;
		prev = ll;
		if (r->w[0] < 1e-9 || r->w[1] < 1e-9)
			break;
	}
	if (r->mu[0] > r->mu[1]) {   /* component 0 is the nearer mode */
		double t;
		t = r->mu[0], r->mu[0] = r->mu[1], r->mu[1] = t;
		t = r->sd[0], r->sd[0] = r->sd[1], r->sd[1] = t;
		t = r->w[0], r->w[0] = r->w[1], r->w[1] = t;
	}
	double ln = log((double)n);
	double ll1 = 0;
	for (size_t i = 0; i < n; i++)
		ll1 += calib_lognorm(x[i], mall, sall);
	r->bic1 = -2 * ll1 + 2 * ln;
	r->bic2 = -2 * calib_loglik(x, n, r->mu, r->sd, r->w) + 5 * ln;
	r->q_same99 = exp(r->mu[0] + 2.3263478740408408 * r->sd[0]);
	if (r->w[0] < 0.02 || r->w[1] < 0.02 || !(r->bic2 < r->bic1)) {
		r->status = CALIB_ONE_COMPONENT;
		goto out;
	}
	double lo = r->mu[0], hi = r->mu[1];
	if (!(calib_odds(r, lo) > 0) || !(calib_odds(r, hi) < 0)) {
		r->status = CALIB_NO_CROSSING;
		goto out;
	}
	for (int i = 0; i < 200 && hi - lo > 1e-12; i++) {
		double m = 0.5 * (lo + hi);
		if (calib_odds(r, m) > 0)
			lo = m;
		else
			hi = m;
	}
	r->thr = exp(0.5 * (lo + hi));
	r->status = CALIB_OK;
out:
	free(x), free(hint);
	return r->status;
}

void calib_describe(const calib_fit_t *r, char *buf, size_t n)
{
	int k = snprintf(buf, n, "mutual-nearest 99%%: %.4g (%zu pairs); ", r->mnn99, r->n3);
	if (k < 0 || (size_t)k >= n)
		return;
	buf += k, n -= (size_t)k;
	if (r->status == CALIB_TOO_FEW || r->status == CALIB_DEGENERATE) {
		snprintf(buf, n, "mixture: %s (%zu nearest, %zu second-nearest distances)",
			 calib_status_name(r->status), r->n1, r->n2);
		return;
	}
	snprintf(buf, n,
		 "%zu nearest + %zu second-nearest distances; log-distance mixture: same object "
		 "median %.4g (sd x%.3g, weight %.3f), different median %.4g (sd x%.3g, weight %.3f); "
		 "BIC 1 vs 2 components %.1f / %.1f; %s%s%.4g (same-object component 99%%: %.4g)",
		 r->n1, r->n2, exp(r->mu[0]), exp(r->sd[0]), r->w[0], exp(r->mu[1]), exp(r->sd[1]), r->w[1],
		 r->bic1, r->bic2, r->status == CALIB_OK ? "" : calib_status_name(r->status),
		 r->status == CALIB_OK ? "posterior crossing at " : "; crossing ", r->thr, r->q_same99);
}

/* ---- the accumulator ---- */

struct calib_acc;
static void calib_push(struct calib_acc *a, double d, uint8_t h);

struct calib_acc {
	int lag;
	size_t max_samples;
	FILE *csv;
	uint64_t segment;
	/* detections held: frames [last - lag, last] */
	size_t nh, caph;
	int64_t *hf, *hk, *hgt;
	int64_t *near_k, *rev_k;   /* key of the nearest lag back / nearest of the frame lag ahead */
	double *near_d, *rev_d;
	int flushed;               /* the mutual pairs of the last frame were taken */
	float *hz;
	size_t hzcap;     /* floats in hz */
	uint32_t zdim;
	int64_t last;
	int any;
	/* samples: log-distances and hints */
	size_t ns, caps;
	double *x;
	uint8_t *hint;
};

calib_acc *calib_acc_new(int lag, size_t max_samples, FILE *csv)
{
	calib_acc *a = xcalloc(1, sizeof *a);
	a->lag = lag < 1 ? 1 : lag;
	a->max_samples = max_samples;
	a->csv = csv;
	a->segment = 1;
	return a;
}

void calib_acc_free(calib_acc *a)
{
	if (!a)
		return;
	free(a->hf), free(a->hk), free(a->hgt), free(a->hz), free(a->x), free(a->hint);
	free(a->near_k), free(a->rev_k), free(a->near_d), free(a->rev_d);
	free(a);
}

/* The mutual nearest pairs of the last frame and the frame lag back: a
 * detection whose nearest is a detection that has it as its nearest in
 * turn. Taken once a frame, when it is complete. */
static void calib_flush(calib_acc *a)
{
	if (!a->any || a->flushed)
		return;
	a->flushed = 1;
	for (size_t c = 0; c < a->nh; c++) {
		if (a->hf[c] != a->last || !isfinite(a->near_d[c]))
			continue;
		for (size_t p = 0; p < a->nh; p++)
			if (a->hf[p] == a->last - a->lag && a->hk[p] == a->near_k[c]) {
				if (a->rev_k[p] == a->hk[c])
					calib_push(a, a->near_d[c], 2);
				break;
			}
	}
}

void calib_acc_segment(calib_acc *a)
{
	calib_flush(a);
	if (a->any)
		a->segment++;
	a->nh = 0, a->any = 0, a->zdim = 0;
}

void calib_acc_clear(calib_acc *a) { a->ns = 0; }

void calib_acc_limit(calib_acc *a, size_t max_samples) { a->max_samples = max_samples; }

size_t calib_acc_samples(const calib_acc *a) { return a->ns; }

void calib_csv_header(FILE *csv)
{
	fputs("segment,frame,key,prev_frame,prev_key,dist,rank,same\n", csv);
}

static void calib_push(calib_acc *a, double d, uint8_t h)
{
	/* zero distances (duplicate vectors) and non-finite ones have no log */
	if (!(d > 0) || !isfinite(d) || a->ns >= a->max_samples)
		return;
	if (a->ns == a->caps) {
		a->caps = a->caps ? 2 * a->caps : 1024;
		a->x = xrealloc(a->x, a->caps * sizeof *a->x);
		a->hint = xrealloc(a->hint, a->caps);
	}
	a->x[a->ns] = log(d), a->hint[a->ns] = h;
	a->ns++;
}

/* Drops the held detections older than f - lag. */
static void calib_forget(calib_acc *a, int64_t f)
{
	size_t j = 0;
	for (size_t i = 0; i < a->nh; i++) {
		if (a->hf[i] < f - a->lag)
			continue;
		if (j != i) {
			a->hf[j] = a->hf[i], a->hk[j] = a->hk[i], a->hgt[j] = a->hgt[i];
			a->near_k[j] = a->near_k[i], a->rev_k[j] = a->rev_k[i];
			a->near_d[j] = a->near_d[i], a->rev_d[j] = a->rev_d[i];
			memmove(a->hz + j * a->zdim, a->hz + i * a->zdim, a->zdim * sizeof *a->hz);
		}
		j++;
	}
	a->nh = j;
}

static double calib_dist(const float *p, const float *q, uint32_t n)
{
	double s = 0;
	for (uint32_t i = 0; i < n; i++) {
		double t = (double)p[i] - (double)q[i];
		s += t * t;
	}
	return sqrt(s);
}

int calib_acc_add(calib_acc *a, int64_t f, int64_t k, int64_t gt, const float *z, uint32_t zdim, char *err,
		  size_t errn)
{
	if (a->any && f < a->last)
		return errf(err, errn, "frame %lld after frame %lld", (long long)f, (long long)a->last);
	if (a->any && zdim != a->zdim)
		return errf(err, errn, "z of length %u after %u", zdim, a->zdim);
	if (!zdim)
		return errf(err, errn, "no z");
	a->zdim = zdim;
	if (!a->any || f != a->last) {
		calib_flush(a);
		calib_forget(a, f);
		a->flushed = 0;
	}
	a->any = 1, a->last = f;
	/* the nearest and second nearest of the frame lag back */
	double d1 = INFINITY, d2 = INFINITY;
	int64_t k1 = 0;
	size_t m = 0;
	for (size_t i = 0; i < a->nh; i++) {
		if (a->hf[i] != f - a->lag)
			continue;
		double d = calib_dist(z, a->hz + i * zdim, zdim);
		m++;
		if (d < d1)
			d2 = d1, d1 = d, k1 = a->hk[i];
		else if (d < d2)
			d2 = d;
		if (d < a->rev_d[i])
			a->rev_d[i] = d, a->rev_k[i] = k;
	}
	if (m >= 1)
		calib_push(a, d1, 0);
	if (m >= 2)
		calib_push(a, d2, 1);
	if (a->csv && m) {
		for (size_t i = 0; i < a->nh; i++) {
			if (a->hf[i] != f - a->lag)
				continue;
			double d = calib_dist(z, a->hz + i * zdim, zdim);
			/* rank among the frame's distances, 1 = nearest (ties by order) */
			size_t rank = 1;
			for (size_t j = 0; j < a->nh; j++)
				if (j != i && a->hf[j] == f - a->lag) {
					double e = calib_dist(z, a->hz + j * zdim, zdim);
					rank += e < d || (e == d && j < i);
				}
			fprintf(a->csv, "%llu,%lld,%lld,%lld,%lld,%.6g,%zu,", (unsigned long long)a->segment,
				(long long)f, (long long)k, (long long)a->hf[i], (long long)a->hk[i], d, rank);
			if (gt >= 0 && a->hgt[i] >= 0)
				fprintf(a->csv, "%d", gt == a->hgt[i]);
			fputc('\n', a->csv);
		}
	}
	/* hold this one */
	if (a->nh == a->caph) {
		a->caph = a->caph ? 2 * a->caph : 64;
		a->hf = xrealloc(a->hf, a->caph * sizeof *a->hf);
		a->hk = xrealloc(a->hk, a->caph * sizeof *a->hk);
		a->hgt = xrealloc(a->hgt, a->caph * sizeof *a->hgt);
		a->near_k = xrealloc(a->near_k, a->caph * sizeof *a->near_k);
		a->rev_k = xrealloc(a->rev_k, a->caph * sizeof *a->rev_k);
		a->near_d = xrealloc(a->near_d, a->caph * sizeof *a->near_d);
		a->rev_d = xrealloc(a->rev_d, a->caph * sizeof *a->rev_d);
	}
	if ((a->nh + 1) * zdim > a->hzcap) {   /* z length may change between segments */
		a->hzcap = a->caph * zdim;
		a->hz = xrealloc(a->hz, a->hzcap * sizeof *a->hz);
	}
	a->hf[a->nh] = f, a->hk[a->nh] = k, a->hgt[a->nh] = gt;
	a->near_k[a->nh] = k1, a->near_d[a->nh] = m ? d1 : INFINITY;
	a->rev_k[a->nh] = 0, a->rev_d[a->nh] = INFINITY;
	memcpy(a->hz + a->nh * zdim, z, zdim * sizeof *z);
	a->nh++;
	return 0;
}

int calib_acc_fit(calib_acc *a, size_t min_pairs, calib_fit_t *r)
{
	calib_flush(a);
	return calib_fit(a->x, a->hint, a->ns, min_pairs, r);
}
