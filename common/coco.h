/* coco.h: COCO instance annotations and results (JSON).
 *
 * Read: either a results list, what Detectron2 and MMDetection write,
 *   [{"image_id", "category_id", "segmentation", "score", "bbox"}, ...]
 * or a full COCO file {"images", "annotations", "categories"}. A
 * segmentation is compressed RLE {"size": [h, w], "counts": "string"},
 * uncompressed RLE {"size", "counts": [runs]} or polygons
 * [[x1, y1, x2, y2, ...], ...]; polygons are rasterised as pycocotools
 * does (coco_poly.h) and merged, and masks are kept as canonical COCO
 * strings. "score", "bbox", "track_id" and "iscrowd" are optional; an
 * object needs a segmentation or a bbox.
 *
 * Frames: with an offset given, frame = image_id - offset. Otherwise, in a
 * full COCO file, the number in each image's file_name (its last run of
 * digits: "000042.png" is frame 42) when every image has one and no two
 * share it, else the image's position in "images" (from 0); in a results
 * list, frame = image_id.
 *
 * Write: a results list, one object per line, with "track_id". */
#ifndef USC_COCO_H
#define USC_COCO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "json.h"

typedef struct coco_opts {
	int offset_set;         /* frame = image_id - frame_offset */
	int64_t frame_offset;
} coco_opts;

typedef struct coco_obj {
	int64_t frame, image_id, cat;
	int has_score, has_box, has_track, iscrowd;
	double score;
	double box[4];          /* "bbox" as written: x, y, w, h */
	int64_t track_id;
	uint32_t h, w;          /* image size, 0 when unknown (no mask, no image entry) */
	char *rle;              /* canonical COCO string (malloc'd), NULL without a mask */
	size_t index;           /* 0-based position in the annotation list */
	uint32_t line;          /* line where the object starts */
} coco_obj;

typedef struct coco_file {
	coco_obj *obj;          /* sorted by frame, then index */
	size_t n;
} coco_file;

/* Reads a COCO JSON file. Returns 0, or -1 with a message in err naming
 * the file and the object ("FILE: annotation 3 (line 7): what"). */
int coco_load(const char *path, const coco_opts *o, coco_file *cf, char *err, size_t errn);
/* The same from a parsed tree (tests, fuzzing); name is for messages. */
int coco_read(const json *root, const char *name, const coco_opts *o, coco_file *cf, char *err,
	      size_t errn);
void coco_file_free(coco_file *cf);

/* One segmentation value for an h x w image (h = w = 0: not known, which
 * polygons need) into a canonical COCO string (malloc'd); *rh, *rw get the
 * mask size. Returns 0, or -1 with a message. */
int coco_segmentation(const json *seg, uint32_t h, uint32_t w, char **rle, uint32_t *rh, uint32_t *rw,
		      char *err, size_t errn);

/* A category map "CAT:CLS[,CAT:CLS...]" (e.g. "1:2,3:1": COCO person as
 * pedestrian, car as car). */
typedef struct coco_classes {
	int64_t (*pair)[2];
	size_t n;
} coco_classes;

/* Parses arg. Returns 0, or -1 with a message (a pair that is not two
 * integers 0..1000000, a category given twice). */
int coco_classes_parse(const char *arg, coco_classes *m, char *err, size_t errn);
/* The class of category cat: 1 and *cls when listed, 0 when not. */
int coco_classes_map(const coco_classes *m, int64_t cat, int *cls);
void coco_classes_free(coco_classes *m);

/* One result: rle NULL writes no "segmentation"; has_score 0 writes no
 * "score". Objects are written "[\n" before the first (i == 0) and ",\n"
 * between; coco_write_end closes the list ("[]" when n == 0). */
typedef struct coco_rec {
	int64_t image_id, category_id, track_id;
	int has_score;
	double score;
	double box[4];
	uint32_t h, w;
	const char *rle;
} coco_rec;

int coco_write_rec(FILE *fp, const coco_rec *r, size_t i);
int coco_write_end(FILE *fp, size_t n);

#endif
