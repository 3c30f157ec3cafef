/* dhae_train.h: the DHAE's training set-up (usc-mots-method(7),
 * AUTOENCODER, Training): a data set of detections held in memory, the last
 * val_split of it for validation (Keras's validation_split), epochs of
 * shuffled batches, the best-validation checkpoint, early stopping, and
 * resuming from the state kept in the model file. */
#ifndef USC_DHAE_TRAIN_H
#define USC_DHAE_TRAIN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dhae/dhae.h"
#include "dhae/modelfile.h"

/* Detections with what the network reads of them (its inputs: patch,
 * box or both), in input order. */
typedef struct dhae_data {
	size_t n, cap;
	int inputs;             /* DHAE_BOTH, DHAE_BOX, DHAE_MASK: set before reading */
	int ph, pw, pc;         /* patch dims, the same for every record (0: box only) */
	uint8_t *patch;         /* n * ph*pw*pc, NULL for box only */
	float *box;             /* n * 4: x, y, w, h in pixels; NULL for mask only */
	float *imsize;          /* n * 2: the segment's image width, height; NULL for mask only */
	int64_t *frame;         /* n: the record's frame */
	uint32_t *seg;          /* n: its segment, counted over every input from 1 */
	uint32_t nseg;          /* segments read */
	size_t skipped;         /* records without a patch or box the inputs need */
} dhae_data;

void dhae_data_free(dhae_data *d);
/* Appends every record of the det stream at path ("-": stdin). Records
 * without the patch or box d->inputs needs are counted in skipped; a
 * box-only set needs no patches in the stream, a mask-only one no image
 * size. 0, or -1 with a message. */
int dhae_data_read(dhae_data *d, const char *path, char *err, size_t n);
/* Largest box width and height (the size normalisation). */
void dhae_data_box_max(const dhae_data *d, double *wmax, double *hmax);
/* The 4 box features of every record (dhae_box_features); NULL for a
 * mask-only set. */
float *dhae_data_features(const dhae_data *d, double wmax, double hmax);

typedef struct dhae_train_opts {
	int epochs, batch, patience;     /* patience 0: no early stopping */
	double val_split;
	uint64_t seed;
	int quiet, verbose;              /* -q: no progress; -v: a line per epoch */
	const char *out;                 /* model file, rewritten after every epoch */
	const char *log;                 /* CSV curves, or NULL */
	int resume;                      /* continue from the state in out */
	const char *tool, *args;         /* recorded in the model */
} dhae_train_opts;

typedef struct dhae_train_result {
	int epochs_run, best_epoch, stopped_early;
	double best_val, samples_per_s, seconds;
} dhae_train_result;

/* Trains m on d (features from the model's normalisation mf->wmax/hmax).
 * mf holds the configuration and, with resume, the loaded state; it is
 * updated and written to o->out after every epoch. Dies on I/O errors. */
void dhae_train_run(dhae *m, model *mf, const dhae_data *d, const dhae_train_opts *o,
                    dhae_train_result *res);

#endif
