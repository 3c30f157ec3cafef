/* modelfile.h: the DHAE model file (one MessagePack map, kind "model").
 *
 *   kind "model", format "usc-mots dhae", version 2
 *   arch "synth"|"real", inputs "box"|"mask" (absent: both),
 *   patch [S,S,C], filters [...], latent, dropout,
 *   weights "uncertainty"|"fixed", logvar_init [s_m, s_b]
 *   norm {box: "cx/W cy/H w/wmax h/hmax", wmax, hmax}
 *   log_var [s_m, s_b]                  learned log-variances (best epoch)
 *   tensors [{name, shape, data}, ...]  best-validation weights and batch-norm
 *                                       statistics; data = float32 little-endian
 *   best_epoch, best_val_loss, epochs
 *   history [{epoch, loss, mask_mse, box_mse, val_loss, val_mask_mse,
 *             val_box_mse, sigma_m, sigma_b}, ...]
 *   tool, args, made_by ("TOOL VERSION"; optional, absent in older files)
 *   calib {rule, status, embed_thr, crossing, mnn99, lag, pairs [n1, n2, n3],
 *          mu [2], sd [2], weight [2]}   optional (dhae_calib.h): the
 *                                       latent-distance threshold measured on
 *                                       the training detections; embed_thr
 *                                       absent when none could be measured
 *   resume {epoch, since_best, seed, rng [4], batch, val_split, samples,
 *           optimizer {name, lr, rho, b1, b2, eps, step},
 *           log_var, tensors (the latest weights), opt_state [bin, bin]}
 *   checksum                            the last key (version 2): FNV-1a 64
 *                                       of every byte before it
 *
 * A version 1 file (no checksum) is read unchecked (checksummed = 0); a
 * version 2 file must end with a matching checksum. NaN or infinite
 * weights, log-variances or optimiser values, and an all-zero rng state,
 * are refused.
 *
 * A box-only model has no patch, filters or dropout (no patch to describe),
 * a mask-only one no norm (wmax, hmax read as 0). Two-input models are
 * written without "inputs", as before the key existed; readers that
 * predate it refuse the one-input models (patch or norm missing).
 *
 * No wall-clock time is stored, so the same run gives the same bytes. The
 * reader takes the whole object through the stream reader's caps, then
 * checks every length against the bytes that are there before believing
 * it; errors come back as messages ("FILE: what"). */
#ifndef USC_MODELFILE_H
#define USC_MODELFILE_H

#include <stddef.h>
#include <stdint.h>

#include "dhae/dhae.h"

typedef struct mf_tensor {
	char name[32];
	int rank, shape[4];
	size_t n;
	float *data;
} mf_tensor;

typedef struct mf_epoch {
	uint32_t epoch;
	double loss, mask_mse, box_mse;
	double val_loss, val_mask_mse, val_box_mse;
	double sigma_m, sigma_b;
} mf_epoch;

/* The latent-distance calibration stored with a model (key "calib"). */
typedef struct mf_calib {
	int has;                  /* 0: the model carries none */
	char rule[16];            /* "mnn99" or "crossing" */
	char status[64];          /* "ok" or why there is no threshold */
	double embed_thr;         /* by the rule; 0 when there is none */
	double crossing, mnn99;   /* both rules' thresholds (0: none) */
	uint64_t n[3];            /* nearest, second-nearest, mutual-nearest distances */
	double mu[2], sd[2], w[2];/* the log-distance mixture, [0] same object */
} mf_calib;

typedef struct model {
	dhae_cfg cfg;
	double wmax, hmax;          /* box normalisation */
	float log_var[2];
	int nt;
	mf_tensor *t;               /* best weights */
	uint32_t best_epoch, epochs;
	double best_val;
	uint32_t nhist, hist_cap;
	mf_epoch *hist;
	char *tool, *args;
	char *made_by;              /* "TOOL VERSION", NULL when the file has none */
	/* resume state (has_resume = 0 in a model without it) */
	int has_resume;
	uint32_t since_best;
	uint64_t seed, rng[4], samples, step;
	int batch;
	double val_split;
	dhae_opt opt;
	float last_log_var[2];
	int nlast;
	mf_tensor *last;
	size_t nopt;
	float *opt0, *opt1;
	int checksummed;            /* read: the file's checksum was verified */
	mf_calib calib;
	int has_exit;               /* key "exit_inset": the exit line measured on the */
	double exit_inset;          /* training boxes (track/exitline.h), >= 0 */
} model;

void model_init(model *mf);
void model_free(model *mf);
void model_add_epoch(model *mf, const mf_epoch *e);

/* Copies the weights of m into tensors (*t, *nt replaced) and log-variances. */
void model_snapshot(dhae *m, mf_tensor **t, int *nt, float log_var[2]);
void mf_tensors_free(mf_tensor *t, int nt);
/* Loads tensors into m, matching names and shapes; last = 1: the resume
 * weights and optimiser state. 0, or -1 with a message. */
int model_load(const model *mf, dhae *m, int last, char *err, size_t n);

/* Writes atomically (temporary file, rename). 0 or -1 with a message. */
int model_write(const char *path, const model *mf, char *err, size_t n);
/* Reads a model file; 0 or -1 with a message naming the file. */
int model_read(const char *path, model *mf, char *err, size_t n);
int model_read_mem(const void *buf, size_t len, const char *name, model *mf, char *err, size_t n);

#endif
