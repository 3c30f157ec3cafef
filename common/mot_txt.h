/* mot_txt.h: MOTChallenge box txt lines "frame,id,x,y,w,h,conf,...".
 *
 * The format of MOT15-17 ground truth and results, and of the synthetic
 * datasets' box ground truth: frames count from 1, (x, y) is the top-left
 * corner in 1-based pixels, then width, height and a confidence. Trailing
 * columns (class, visibility, 3D position) are optional. Fields are
 * separated by commas and/or blanks, as py-motmetrics reads them. */
#ifndef USC_MOT_TXT_H
#define USC_MOT_TXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct mot_box {
	int64_t frame;
	int64_t id;
	double x, y, w, h;  /* as written */
	double conf;       /* 1 if the column is missing */
	int cls;           /* column 8, -1 if missing */
	double vis;        /* column 9, -1 if missing */
	uint32_t line;     /* 1-based line number in the file */
} mot_box;

typedef struct mot_file {
	mot_box *box;
	size_t n;
} mot_file;

/* Parses one line (without its newline). Returns 0, 1 for a blank line,
 * or -1 with a message in err (fewer than 6 fields, a number that does not
 * parse, a negative size). */
int mot_parse_line(const char *line, mot_box *b, char *err, size_t errn);
/* Loads a whole file, in file order, skipping blank lines. Errors read
 * "PATH:LINE: what". */
int mot_load(const char *path, mot_file *mf, char *err, size_t errn);
void mot_file_free(mot_file *mf);
/* Writes "frame,id,x,y,w,h,conf,-1,-1,-1" (the MOTChallenge result
 * layout) with each number in its shortest exact form; single: the values
 * are float32 (a det stream's), shortest as floats ("30.1", not the
 * double nearest to that float). */
int mot_write_line(FILE *fp, int64_t frame, int64_t id, double x, double y, double w, double h,
		   double conf, int single);

#endif
