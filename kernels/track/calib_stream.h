/* calib_stream.h: the latent-distance threshold of a det stream: the one a
 * model carries (the header key "embed_thr", written by ae-embed), or one
 * measured on the first frames of the segment (calib.h), which are held
 * back until the threshold is known. */
#ifndef USC_CALIB_STREAM_H
#define USC_CALIB_STREAM_H

#include <stddef.h>

#include "stream.h"
#include "track/calib.h"

#define CALIB_HEADER_KEY "embed_thr"

/* The header's "embed_thr": 1 and *thr when it is a positive finite
 * number, 0 when absent or nil (a model without a calibration), -1 with a
 * message when it is anything else. */
int calib_header_thr(const ms_header *h, double *thr, char *err, size_t errn);
/* Sets the header's "embed_thr" to thr, or to nil when thr is not a
 * positive finite number (so a stale value from an earlier model is not
 * passed on). */
void calib_header_put(ms_header *h, double thr);

/* The records of a segment's first frames. */
typedef struct calib_prefix {
	ms_det *rec;
	size_t n, cap;
	int ended;          /* the segment's trailer was read */
} calib_prefix;

void calib_prefix_free(calib_prefix *p);
/* Reads the records of the segment whose frame is below the first frame
 * + frames, and the first record after them, and adds each to the
 * accumulator (records without z are an error). Returns 0, or
 * -1 with a message (the reader's error, no z). */
int calib_prefix_read(calib_prefix *p, ms_reader *r, long frames, calib_acc *a, char *err, size_t errn);

#endif
