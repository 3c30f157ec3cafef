/* stream.h: the usc-mots record stream (mots-stream(5) is the contract).
 *
 * A stream is one or more segments: a header map, records (maps) in
 * non-decreasing frame order, and a trailer {"end":true,"count":N}.
 * Concatenated streams are valid; each header starts a new sequence.
 * Keys this version does not know are kept as raw MessagePack and written
 * back unchanged, so stages compose.
 *
 * Readers never trust a declared length: every str, bin, array and map is
 * checked against a cap (and against the bytes that are there) before
 * anything is allocated. Errors are returned, with a message naming the
 * file and the record ("FILE: record N: ..."), so parsers can be fuzzed and
 * tools can die() with it. */
#ifndef USC_STREAM_H
#define USC_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define MS_VERSION      1
#define MS_MAX_OBJECT   (256u << 20)   /* bytes in one header or record */
#define MS_MAX_ITEMS    (16u << 20)    /* elements in one array or map, and in
                                          one header or record altogether */
#define MS_MAX_SIDE     65535          /* image width / height */
#define MS_MAX_PIXELS   (1u << 26)     /* width * height, unless
                                          $USC_MOTS_MAX_PIXELS says otherwise */

/* Raw MessagePack key/value pairs of unknown keys, passed through. */
typedef struct ms_extra {
	uint8_t *buf;
	size_t len, cap;
	uint32_t n;        /* number of pairs */
} ms_extra;

typedef struct ms_header {
	char kind[16];     /* "det" */
	int version;
	char *seq;         /* sequence name (malloc'd, may be NULL) */
	int width, height; /* image size in pixels, 0 if unknown */
	int patch[3];      /* patch h, w, c; zeros when records carry no patch */
	int zdim;          /* length of z, 0 when none */
	char *tool;        /* the tool that wrote the segment (malloc'd) */
	char *args;        /* its command line (malloc'd) */
	ms_extra extra;
} ms_header;

/* Which optional fields a record carries. */
enum {
	MS_SCORE = 1 << 0, MS_BOX = 1 << 1, MS_RLE = 1 << 2, MS_PATCH = 1 << 3,
	MS_GT = 1 << 4, MS_ID = 1 << 5, MS_Z = 1 << 6, MS_CL = 1 << 7, MS_ML = 1 << 8,
	MS_CLS = 1 << 9,
};

typedef struct ms_det {
	uint32_t has;          /* MS_* bits of the fields present */
	int64_t f;             /* frame, as in the source (0- or 1-based) */
	int64_t k;             /* detection key, unique in the segment */
	int32_t cls;           /* class (1 car, 2 pedestrian, ...) */
	float score;
	float box[4];          /* x, y, w, h in pixels */
	char *rle;             /* COCO string of the full-image mask */
	uint8_t *patch;        /* h*w*c bytes, row-major, channels last */
	size_t patch_len;
	int64_t gt;            /* ground-truth id (evaluation only) */
	int64_t id;            /* track id, 0 = none */
	float *z;              /* latent feature */
	uint32_t zdim;
	int64_t *cl, *ml;      /* keys of earlier records: cannot-link, must-link */
	uint32_t ncl, nml;
	ms_extra extra;
	/* capacities, so a record can be reused without reallocating */
	size_t rle_cap, patch_cap, z_cap, cl_cap, ml_cap;
} ms_det;

void ms_header_init(ms_header *h);
void ms_header_free(ms_header *h);
void ms_header_copy(ms_header *dst, const ms_header *src);

void ms_det_init(ms_det *d);
void ms_det_free(ms_det *d);
void ms_det_clear(ms_det *d);                 /* empties it, keeps buffers */
void ms_det_copy(ms_det *dst, const ms_det *src);   /* deep copy */
/* Setters that copy into the record's own buffers and set the has bit. */
void ms_det_set_rle(ms_det *d, const char *rle);
void ms_det_set_patch(ms_det *d, const uint8_t *p, size_t n);
void ms_det_set_z(ms_det *d, const float *z, uint32_t n);
void ms_det_add_cl(ms_det *d, int64_t key);
void ms_det_add_ml(ms_det *d, int64_t key);

/* Unknown keys. find: 1 and the raw MessagePack value if key is there, else
 * 0. put: adds key with a raw MessagePack value (one complete object),
 * replacing an earlier value of the same key. */
int ms_extra_find(const ms_extra *x, const char *key, const uint8_t **val, size_t *len);
void ms_extra_put(ms_extra *x, const char *key, const uint8_t *val, size_t len);
void ms_extra_clear(ms_extra *x);
/* Key key as a number: 1 and *v when it is one (any MessagePack integer
 * or float), 0 when absent or nil, -1 with a message naming the key when
 * it is anything else. */
int ms_extra_number(const ms_extra *x, const char *key, double *v, char *err, size_t errn);
/* Puts key as a float 64, or as nil when ok is 0. */
void ms_extra_put_number(ms_extra *x, const char *key, double v, int ok);
/* Sets h->tool (basename of argv[0]) and h->args (the arguments joined by
 * spaces), and the extra key "made_by" ("TOOL VERSION"), so every segment
 * records what made it. */
void ms_header_set_tool(ms_header *h, int argc, char **argv);

/* The most pixels per frame (width * height) a header may declare: tools
 * allocate whole frames, so a header must not be able to ask for gigabytes.
 * $USC_MOTS_MAX_PIXELS overrides MS_MAX_PIXELS. 0 and *max, or -1 with a
 * message in err when the variable is not an integer in 1..2^32. */
int ms_max_pixels(uint64_t *max, char *err, size_t errn);

/* ---- reading ---- */
typedef struct ms_reader ms_reader;

/* path "-" or NULL is stdin. Returns NULL with errno set on failure. */
ms_reader *ms_reader_open(const char *path);
/* Reads from memory (tests and fuzzing); name is used in messages. */
ms_reader *ms_reader_mem(const void *buf, size_t len, const char *name);
void ms_reader_close(ms_reader *r);
const char *ms_reader_error(const ms_reader *r);   /* "FILE: record N: what" */
const char *ms_reader_name(const ms_reader *r);

/* Reads the next header: 1 = a segment starts, 0 = clean end of input
 * after at least one segment, -1 = error (an empty input, not a usc-mots
 * stream, unknown kind, newer version, ...). */
int ms_read_header(ms_reader *r, ms_header *h);
/* Reads the next record of the segment into d (reusing its buffers):
 * 1 = record, 0 = the trailer was read and matched, -1 = error (truncated
 * stream, frames out of order, bad field type, trailer count mismatch). */
int ms_read_det(ms_reader *r, ms_det *d);
/* Number of the last record read in this segment (1-based), for messages. */
uint64_t ms_reader_record(const ms_reader *r);
/* The raw MessagePack bytes of the last header, record or trailer read
 * (valid until the next read). */
void ms_reader_last_raw(const ms_reader *r, const uint8_t **buf, size_t *len);
/* Generic reading (model files, dumps): the next complete MessagePack
 * object, checked against the caps but not interpreted. 1 = object,
 * 0 = clean end of input, -1 = error (truncated, over a cap, not
 * MessagePack). Do not mix with ms_read_header / ms_read_det. */
int ms_read_raw(ms_reader *r, const uint8_t **buf, size_t *len);
/* The next object without consuming it (1, 0 at end of input, -1 on
 * error): lets a reader decide between ms_read_raw and the typed calls. */
int ms_peek_raw(ms_reader *r, const uint8_t **buf, size_t *len);
/* Index (1-based) of the segment being read, for messages. */
uint64_t ms_reader_segment(const ms_reader *r);

/* ---- writing ---- */
typedef struct ms_writer ms_writer;

/* Writes to an open FILE (stdout in a filter); not closed by the writer.
 * Dies when fp is a terminal: a binary stream is never written to one. */
ms_writer *ms_writer_new(FILE *fp);
int ms_write_header(ms_writer *w, const ms_header *h);
int ms_write_det(ms_writer *w, const ms_det *d);
int ms_write_trailer(ms_writer *w);          /* count is automatic */
/* Flushes; returns 0, or -1 if any write failed. Frees w. */
int ms_writer_free(ms_writer *w);
/* Frees w without writing what it still holds (a run that failed). */
void ms_writer_discard(ms_writer *w);

#endif
