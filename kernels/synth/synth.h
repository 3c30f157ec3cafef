/* synth.h: the MNIST-MOT and Sprites-MOT generators of Tracking by
 * Animation (He et al., CVPR 2019), as usc-mots-method(7), SYNTHETIC DATA,
 * describes them.
 *
 * One stream of frames. Each of the O slots runs the same state machine:
 * wait `interval` frames, then give birth with probability 0.5 per frame
 * (nothing is drawn in the birth frame), then move on a straight line at
 * 5.3 px/frame from one margin line to the opposite one, and vanish at the
 * first step whose rounded centre leaves the margin box. MNIST digits add
 * up with saturation; sprites are alpha-composited over each other in slot
 * order (the highest slot in front).
 *
 * Besides the frame, every step reports the visible objects (full patch
 * box as the original's gt.txt, and the tight box of the pixels the object
 * owns) and an owner map: each pixel belongs to at most one object, so the
 * instance masks of a frame never overlap.
 *   Sprites: a pixel belongs to the front-most object whose alpha is > 0
 *            there.
 *   MNIST:   a pixel belongs to the object whose digit is brightest there
 *            (> 0); ties go to the higher slot, as for sprites. */
#ifndef USC_SYNTH_H
#define USC_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

typedef enum { SYNTH_MNIST, SYNTH_SPRITES } synth_kind;

#define SYNTH_PATCH_MAX 32    /* largest patch side (MNIST 28, sprites 26) */
#define SYNTH_OBJECTS_MAX 64  /* slots */
#define MNIST_SIDE 28

typedef struct synth_config {
	synth_kind kind;
	int height, width;     /* frame size (128; 256 in the training setting) */
	int channels;          /* 1 (MNIST) or 3 (sprites, RGB) */
	int objects;           /* slots O (3; 5 in the training setting) */
	int patch;             /* nominal patch side h = w: 28 or 21 */
	int margin;            /* h/3 = 9 (MNIST), h/2 = 10 (sprites) */
	int interval;          /* frames a slot waits before a birth may happen: 5 */
	double birth_prob;     /* 0.5 */
	double speed;          /* 5.3 px/frame */
	double scale_var;      /* 0 (MNIST), 0.1 (sprites) */
	double ratio_var;      /* 0 (MNIST), 0.2 (sprites) */
} synth_config;

/* The original's constants for a dataset, frames size x size, `objects`
 * slots. */
void synth_config_default(synth_config *c, synth_kind kind, int size, int objects);

/* A pool of 28x28 uint8 digits (row-major, n*784 bytes). */
typedef struct synth_digits {
	uint8_t *px;
	uint32_t n;
} synth_digits;

/* Loads an IDX3 ubyte file of 28x28 images (the MNIST layout, as written by
 * pipelines/fetch-mnist.sh). Returns 0, or -1 with "PATH: what" in err. */
int synth_digits_load(const char *path, synth_digits *d, char *err, size_t errn);
void synth_digits_free(synth_digits *d);

/* One slot. */
typedef struct synth_obj {
	int c;                 /* 0..interval waiting, interval+1 alive */
	int step;              /* steps taken since the birth */
	int64_t id;            /* 1-based, in birth order over the whole video */
	int x1, y1;            /* start point on the margin line */
	double vx, vy;         /* velocity, px/frame */
	int ph, pw;            /* patch size */
	int dir;               /* 0 down, 1 up, 2 right, 3 left */
	int shape, colour;     /* sprites */
	uint32_t digit;        /* MNIST: index in the pool */
	uint8_t rgb[3];        /* sprites: colour */
	uint8_t patch[SYNTH_PATCH_MAX * SYNTH_PATCH_MAX];  /* digit or alpha, ph x pw */
} synth_obj;

/* A visible object of the current frame. */
typedef struct synth_vis {
	int64_t id;
	int slot;
	int left, top, w, h;   /* full patch, 0-based, not clipped to the frame */
	int cx, cy;            /* centre */
	int tx, ty, tw, th;    /* tight box of the owned pixels (tw = th = 0: none) */
	uint32_t area;         /* owned pixels */
	uint32_t own;          /* in-frame pixels where its own patch is > 0 */
	double visible;        /* fraction of it that shows: sprites, alpha seen through
	                          the objects in front / own alpha; MNIST, area / own */
} synth_vis;

typedef struct synth {
	synth_config cfg;
	rng r;
	const synth_digits *digits;
	uint8_t tmpl[4][21 * 21];
	synth_obj obj[SYNTH_OBJECTS_MAX];
	int64_t next_id;       /* ids handed out so far */
	int64_t frame;         /* frames made so far */
	/* the current frame */
	uint8_t *img;          /* height*width*channels, row-major */
	uint8_t *owner;        /* height*width: 0 none, k+1 = vis[k] */
	uint8_t *best;         /* height*width: MNIST, the owner's digit value */
	float *trans;          /* height*width: sprites, alpha left by the front objects */
	synth_vis vis[SYNTH_OBJECTS_MAX];
	int nvis;
} synth;

/* Checks the configuration (sizes, slots, a digit pool for MNIST) and
 * allocates the frame buffers. Returns 0, or -1 with a message in err. */
int synth_init(synth *s, const synth_config *c, const synth_digits *d, uint64_t seed,
	       char *err, size_t errn);
void synth_free(synth *s);

/* Makes the next frame: s->img, s->owner, s->vis[0..n). Returns n. */
int synth_next(synth *s);

/* The slot state machine and path of one slot for one frame, without
 * drawing: returns 1 if the object in slot o is visible this frame (its
 * centre in *x, *y), 0 otherwise. Births draw from s->r. Exposed for tests;
 * synth_next() calls it. */
int synth_slot_step(synth *s, int o, int *x, int *y);

/* The path of a newborn object: start point and velocity for direction dir
 * (0 top->bottom, 1 bottom->top, 2 left->right, 3 right->left) and the two
 * positions p0 (on the start line) and p1 (on the opposite line). */
void synth_path(const synth_config *c, int dir, int p0, int p1, int *x1, int *y1,
		double *vx, double *vy);

/* Compositing of one patch (ph x pw, top-left at left, top; clipped to the
 * frame) into img, as the original does it, re-quantised to uint8:
 * MNIST img = min(255, img + patch); sprites img = rint(img + a/255 *
 * (colour - img)) in float32, per channel. */
void synth_add_saturate(uint8_t *img, int H, int W, const uint8_t *patch, int ph, int pw,
			int left, int top);
void synth_alpha_over(uint8_t *img, int H, int W, const uint8_t *alpha, int ph, int pw,
		      int left, int top, const uint8_t rgb[3]);

/* COCO RLE counts (column-major runs, starting with a 0-run) of the mask of
 * vis[k] in the owner map; cnts needs room for 2*tw*th + 2 counts. Returns
 * the number of counts. */
uint32_t synth_mask_counts(const synth *s, int k, uint32_t *cnts);

#endif
