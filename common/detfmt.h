/* detfmt.h: public MOTS detection txt files.
 *
 * TrackR-CNN (138 space-separated fields):
 *   t x0 y0 x1 y1 score class img_h img_w rle reid_1 ... reid_128
 * MOTS20 "tracking only" (exactly 10 fields):
 *   t b1 b2 b3 b4 score class img_h img_w rle
 * Frames are kept as written. The box columns are kept as written too
 * (x0 y0 x1 y1 for TrackR-CNN, x y w h for MOTS20), but tools recompute
 * boxes from the masks. Scores and boxes must be finite numbers. */
#ifndef USC_DETFMT_H
#define USC_DETFMT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { DET_TRACKRCNN = 1, DET_MOTS20 = 2 };

#define DET_REID_DIM 128

typedef struct det_obj {
	int64_t frame;
	double box[4];      /* the four box columns as written */
	double score;
	int cls;
	uint32_t h, w;      /* image size */
	char *rle;          /* COCO string (malloc'd) */
	float *reid;        /* DET_REID_DIM values for TrackR-CNN, else NULL */
	uint32_t line;      /* 1-based line number */
} det_obj;

typedef struct det_file {
	det_obj *obj;
	size_t n;
} det_file;

/* Parses one line of format fmt. Returns 0, or -1 with a message in err.
 * The RLE is checked for syntax and for runs summing to h*w. */
int det_parse_line(const char *line, int fmt, det_obj *o, char *err, size_t errn);
/* Loads a file, skipping blank lines. Errors read "PATH:LINE: what". */
int det_load(const char *path, int fmt, det_file *df, char *err, size_t errn);
int det_load_fp(FILE *fp, const char *name, int fmt, det_file *df, char *err, size_t errn);
void det_file_free(det_file *df);
const char *det_format_name(int fmt);

#endif
