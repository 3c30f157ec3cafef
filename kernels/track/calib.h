/* calib.h: choosing the latent-distance threshold of the cannot-links
 * without labels.
 *
 * Between one frame and the frame before it, each detection's nearest
 * neighbour in latent space is, most of the time, the same object, and its
 * second nearest a different one. The accumulator collects, for every
 * detection, the distance to its nearest and second-nearest detection
 * `lag` frames back; calib_fit() fits a two-component Gaussian mixture to
 * the log of those distances by EM (initialised from the nearest /
 * second-nearest split, so the first component is "same object") and puts
 * the threshold where the two weighted components are equally likely
 * (posterior 0.5) between their means. The sample is balanced by
 * construction (one nearest and one second-nearest distance a detection),
 * so the weights stay near one half and the crossing is not pushed towards
 * the same-object mode by the many different-object pairs of a crowded
 * frame. When the data cannot support a threshold (too few pairs, all
 * distances equal, one component explains them as well as two, no
 * crossing between the means) the fit says so and gives none. */
#ifndef USC_CALIB_H
#define USC_CALIB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum {
	CALIB_OK = 0,
	CALIB_TOO_FEW,       /* fewer nearest or second-nearest distances than min_pairs */
	CALIB_DEGENERATE,    /* all distances (nearly) equal, or not finite */
	CALIB_ONE_COMPONENT, /* one Gaussian fits as well as two (BIC), or a weight vanished */
	CALIB_NO_CROSSING,   /* the posterior does not cross 0.5 between the means */
};

typedef struct calib_fit_t {
	int status;                /* CALIB_* */
	size_t n1, n2;             /* nearest, second-nearest distances used */
	double mu[2], sd[2], w[2]; /* log-distance components: [0] same, [1] different */
	double thr;                /* the threshold (a distance), when status is CALIB_OK */
	double q_same99;           /* 99th percentile of the same-object component (a distance) */
	size_t n3;                 /* mutual-nearest distances */
	size_t min_pairs;          /* the least count asked for */
	double mnn99;              /* their empirical 99th percentile (a distance; inf: too few) */
	int iters;                 /* EM iterations run */
	double bic1, bic2;         /* BIC of one and of two components */
} calib_fit_t;

/* Fits the mixture to log-distances x[0..n) with hint[i] 0 (nearest) or 1
 * (second nearest); min_pairs is the least count of each. Values with
 * hint 2 (mutual nearest pairs) only give mnn99. Non-finite values are
 * not used. Always fills *r; returns r->status (of the mixture). */
int calib_fit(const double *x, const uint8_t *hint, size_t n, size_t min_pairs, calib_fit_t *r);

/* How the threshold is read from a fit:
 *   CALIB_CROSSING  the mixture's posterior crossing (r->thr);
 *   CALIB_MNN99     the 99th percentile of the distances between mutual
 *                   nearest neighbours (nearly always one object, and with
 *                   the long tail of an object whose look jumps, which a
 *                   Gaussian component does not follow), so at most about
 *                   1% of such pairs are forbidden.
 * Returns the threshold, or INFINITY (no latent cannot-links) when the
 * data cannot give one; *status says why (CALIB_*). */
enum { CALIB_CROSSING, CALIB_MNN99 };
double calib_threshold(const calib_fit_t *r, int rule, int *status);
/* "crossing" / "mnn99" <-> CALIB_*; -1 for anything else. */
int calib_parse_rule(const char *s);
const char *calib_rule_name(int rule);
/* A one-line reason for a status ("too few pairs", ...). */
const char *calib_status_name(int status);

/* The accumulator of nearest / second-nearest distances. */
typedef struct calib_acc calib_acc;

/* lag: frames back to compare with (1: the previous frame); max_samples
 * bounds what is kept for the fit (later distances are not kept). csv, if
 * not NULL, receives one row per pair of detections compared:
 * segment,frame,key,prev_frame,prev_key,dist,rank,same (rank 1 = nearest;
 * same 1 or 0 when both carry a ground-truth id, empty otherwise). */
calib_acc *calib_acc_new(int lag, size_t max_samples, FILE *csv);
void calib_acc_free(calib_acc *a);
/* A new sequence: forgets the frames held (the samples stay). */
void calib_acc_segment(calib_acc *a);
/* Drops the samples (the frames held stay). */
void calib_acc_clear(calib_acc *a);
/* Sets how many samples may be kept from now on (0: none, CSV rows only). */
void calib_acc_limit(calib_acc *a, size_t max_samples);
/* Adds a detection (frames must not decrease within a segment): its
 * nearest and second-nearest distances lag frames back, and, once its
 * frame is complete, its distance to a mutual nearest neighbour; gt < 0:
 * no ground-truth id. Returns 0, or -1 with a message (z length differs,
 * frame going back). */
int calib_acc_add(calib_acc *a, int64_t f, int64_t k, int64_t gt, const float *z, uint32_t zdim,
		  char *err, size_t errn);
/* Fits what was collected (calib_fit with min_pairs). */
int calib_acc_fit(calib_acc *a, size_t min_pairs, calib_fit_t *r);
/* Samples kept so far. */
size_t calib_acc_samples(const calib_acc *a);
/* Writes the CSV header line. */
void calib_csv_header(FILE *csv);

/* "same-object mode 0.33 (sd x1.4, weight 0.50), different 0.75 ... ":
 * the fit in words, distances as exp(mean) (the component's median). */
void calib_describe(const calib_fit_t *r, char *buf, size_t n);

#endif
