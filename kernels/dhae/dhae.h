/* dhae.h: the deep heterogeneous autoencoder (usc-mots-method(7),
 * AUTOENCODER) on nn.h.
 *
 * A conv autoencoder on the mask (or masked-RGB patch) and a dense one on
 * the 4-d box, joined by a shared dense bottleneck Z, the latent feature
 * that is clustered. Two architectures:
 *
 *   synth: patch 28x28x1, filters 16/32/32 (Sprites; 16/24/48 MNIST),
 *          latent 64, dropout 0.25 after the first two convs and after the
 *          first two transposed convs, no batch norm. The last encoder conv
 *          is "valid" (7 -> 3), the others "same" (pad 1).
 *   real:  patch 128x128xC (C = 1 mask, 3 masked RGB), filters
 *          16,16,32,32,64 (all "same", 128 -> 4), latent 128; batch norm
 *          then dropout after encoder convs 2-4, dropout then batch norm
 *          after the decoder's 2nd and 3rd transposed convs.
 *
 * Encoder: conv blocks -> flatten -> Dense(latent, ReLU); box: Dense(latent,
 * ReLU); concat -> Dense(latent, ReLU) = Z. Decoder: Dense(s*s*f, ReLU) ->
 * transposed convs (3x3, stride 2, ReLU) -> Conv(C, 3x3, sigmoid); box:
 * Dense(latent, ReLU) -> Dense(4, sigmoid). All kernels 3x3.
 *
 * Loss (the paper's form, Kendall et al. 2018), per batch of N samples,
 * with s_m = log sigma_m^2 and s_b = log sigma_b^2 learned:
 *
 *   L = 1/(2 sigma_m^2) * E_m/N + 1/(2 sigma_b^2) * E_b/N + log sigma_m + log sigma_b
 *     = 0.5*exp(-s_m)*E_m/N + 0.5*exp(-s_b)*E_b/N + 0.5*s_m + 0.5*s_b
 *
 * where E_m = sum over the batch of ||x_m - y_m||^2 (all pixels and
 * channels, x_m in [0,1]) and E_b likewise over the 4 box features. So the
 * squared norms are per sample, averaged over the batch, and the
 * regulariser is log sigma (= s/2), not the released code's log sigma^2.
 * Initial values (the paper's stated variances; usc-mots-method(7), Loss):
 * sigma_m^2 = 1/4, sigma_b^2 = 1/(S*S) with S the patch side.
 * "fixed" weights (the ablation's baseline, released code --MTL 0):
 *   L = 0.25*mean((x_m - y_m)^2) + 0.25*mean((x_b - y_b)^2), s unused.
 *
 * Inputs (the paper's "loc", "shape", "loc+shape" ablation): "both" is the
 * network above; "box" keeps only the box autoencoder (box Dense -> fuse
 * Dense(latent) = Z -> box decoder), "mask" only the convolutional one
 * (convs -> Dense -> fuse Dense(latent) = Z -> mask decoder). The fuse
 * layer then has latent inputs instead of 2*latent. With one input the
 * loss is the two-input loss without the absent task's term (its squared
 * error and its log-variance regulariser), whatever the weights: with
 * "uncertainty" the present task's s is still learned (Kendall's
 * single-task likelihood; it only rescales the gradient, as the weights
 * have nothing to balance), with "fixed" the term is 0.25*mean. The
 * absent task's s stays at its initial value (zero gradient), so the
 * parameter layout (two log-variances last) is the same for every input.
 * A box-only network has no patch: size, chans, nf and dropout are 0.
 */
#ifndef USC_DHAE_H
#define USC_DHAE_H

#include <stddef.h>
#include <stdint.h>

#include "nn/nn.h"

#define DHAE_MAX_CONV 8

enum { DHAE_SYNTH, DHAE_REAL };
enum { DHAE_UNCERTAIN, DHAE_FIXED };
enum { DHAE_ADADELTA, DHAE_ADAM };
enum { DHAE_BOTH, DHAE_BOX, DHAE_MASK };   /* inputs; 0 (both) is the default */

typedef struct dhae_cfg {
	int arch;                     /* DHAE_SYNTH or DHAE_REAL */
	int size, chans;              /* patch side S and channels C */
	int nf, filters[DHAE_MAX_CONV];
	int latent;
	float dropout;                /* 0.25 */
	int weights;                  /* DHAE_UNCERTAIN or DHAE_FIXED */
	float logvar0[2];             /* initial s_m, s_b */
	int inputs;                   /* DHAE_BOTH, DHAE_BOX or DHAE_MASK */
} dhae_cfg;

/* Does the network read (and reconstruct) the patch, the box? */
static inline int dhae_has_mask(const dhae_cfg *c) { return c->inputs != DHAE_BOX; }
static inline int dhae_has_box(const dhae_cfg *c) { return c->inputs != DHAE_MASK; }
/* Sets c->inputs; for DHAE_BOX, clears what describes the patch and the
 * convolutions (size, chans, nf, filters, dropout), so one box-only
 * configuration has one form. logvar0 is left as it is. */
void dhae_cfg_inputs(dhae_cfg *c, int inputs);
/* "both", "box", "mask" <-> DHAE_BOTH...; parse returns -1 on anything else. */
const char *dhae_inputs_name(int inputs);
int dhae_parse_inputs(const char *s, int *inputs);

/* Defaults of an architecture (synth: Sprites filters). */
void dhae_cfg_default(dhae_cfg *c, int arch, int chans);
/* 0, or -1 with a message when the sizes do not make a network (patch too
 * small for the convs, bad filter counts, ...). */
int dhae_cfg_check(const dhae_cfg *c, char *err, size_t n);
/* Spatial size after encoder conv i (i = -1: the patch). */
int dhae_level_size(const dhae_cfg *c, int i);

/* Forward FLOPs of one sample (2 per multiply-add) and of one training
 * sample (forward + both gradients). */
double dhae_flops_forward(const dhae_cfg *c);
double dhae_flops_train(const dhae_cfg *c);

/* A tensor of the model: trainable ones live in the parameter buffer,
 * batch-norm running statistics in the statistics buffer. */
enum { DHAE_PARAM, DHAE_STAT };
typedef struct dhae_tensor {
	char name[32];
	int rank, shape[4];
	int buf;            /* DHAE_PARAM or DHAE_STAT */
	size_t off, n;      /* floats */
} dhae_tensor;

typedef struct dhae_opt {
	int kind;           /* DHAE_ADADELTA or DHAE_ADAM */
	float lr;           /* Adadelta 1.0, Adam 5e-4 */
	float rho;          /* Adadelta 0.95 */
	float b1, b2;       /* Adam 0.9, 0.999 */
	float eps;          /* 1e-7 (Keras) */
} dhae_opt;

void dhae_opt_default(dhae_opt *o, int kind);

/* Sums over a batch (or a whole set, by adding); an absent input's sse is 0. */
typedef struct dhae_stats {
	double n;           /* samples */
	double loss;        /* L times n */
	double mask_sse, box_sse;
} dhae_stats;

typedef struct dhae dhae;

/* Builds the network on backend be for batches of at most max_batch, with
 * weights drawn from seed (Glorot uniform kernels, zero biases, like Keras).
 * The configuration must pass dhae_cfg_check. */
dhae *dhae_new(nn_backend *be, const dhae_cfg *c, const dhae_opt *o, int max_batch, uint64_t seed);
void dhae_free(dhae *m);
const dhae_cfg *dhae_config(const dhae *m);
int dhae_max_batch(const dhae *m);

/* Patch and box layout of a batch: n patches of S*S*C uint8 (row-major,
 * channels last, as in the stream), n box feature vectors of 4 floats.
 * A box-only network takes no patches (patch bytes 0; pass NULL), a
 * mask-only one no boxes (pass NULL). */
size_t dhae_patch_bytes(const dhae *m);

/* One optimiser step on a batch; dropout masks from dropout_seed. Adds the
 * batch's sums (before the step) to st if not NULL. */
void dhae_train_step(dhae *m, int n, const uint8_t *patches, const float *boxes,
                     uint64_t dropout_seed, dhae_stats *st);
/* The training loss of a batch (dropout from dropout_seed, batch
 * statistics) without a step: with dhae_get_grad, a gradient check. */
void dhae_train_loss(dhae *m, int n, const uint8_t *patches, const float *boxes,
                     uint64_t dropout_seed, dhae_stats *st);
/* Loss of a batch in inference mode (no dropout, running statistics). */
void dhae_eval(dhae *m, int n, const uint8_t *patches, const float *boxes, dhae_stats *st);
/* Latent features (inference mode): z is n*latent floats on the host. */
void dhae_embed(dhae *m, int n, const uint8_t *patches, const float *boxes, float *z);

/* Reconstructions of the last dhae_eval or train step (host, n*S*S*C and
 * n*4 floats), for inspection. An absent input's buffer is left as is. */
void dhae_last_output(dhae *m, int n, float *mask, float *box);

/* The learned log-variances s_m, s_b. */
void dhae_logvar(const dhae *m, float s[2]);
void dhae_set_logvar(dhae *m, const float s[2]);
/* Mean loss of a stats sum, and the per-element errors. */
double dhae_stats_loss(const dhae_stats *s);
double dhae_stats_mask_mse(const dhae *m, const dhae_stats *s);
double dhae_stats_box_mse(const dhae_stats *s);

/* The tensors, in a fixed order (see dhae.c), and access to their data
 * on the host. */
int dhae_ntensors(const dhae *m);
const dhae_tensor *dhae_tensor_at(const dhae *m, int i);
void dhae_get_tensor(dhae *m, int i, float *host);
void dhae_set_tensor(dhae *m, int i, const float *host);

/* Optimiser state for --resume: two arrays of dhae_nparams floats (Adadelta:
 * accumulated squared gradients and updates; Adam: m and v) and the step. */
size_t dhae_nparams(const dhae *m);   /* trainable floats, the two log-variances included */
void dhae_get_opt(dhae *m, float *state0, float *state1, uint64_t *step);
void dhae_set_opt(dhae *m, const float *state0, const float *state1, uint64_t step);
const dhae_opt *dhae_optimizer(const dhae *m);

/* Gradient of the last train step (host, dhae_nparams floats, the two
 * log-variances last), computed before the update: for gradient checks. */
void dhae_get_grad(dhae *m, float *host);
/* All trainable parameters at once (dhae_nparams floats). */
void dhae_get_params(dhae *m, float *host);
void dhae_set_params(dhae *m, const float *host);

/* Box features (usc-mots-method(7), BOX FEATURES; the normalisation is our
 * choice): centre over the image size,
 * width and height over the largest width and height of the training set:
 *   [(x + w/2)/W, (y + h/2)/H, w/wmax, h/hmax]
 * The image size comes from each stream's header, at training and at test
 * time; wmax, hmax are stored in the model. */
void dhae_box_features(const float box[4], double W, double H, double wmax, double hmax, float out[4]);

#endif
