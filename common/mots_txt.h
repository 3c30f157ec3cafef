/* mots_txt.h: MOTS txt lines "frame id class height width rle".
 *
 * Used for KITTI MOTS and MOTS20 ground truth and results. Frames are kept
 * as written (KITTI counts from 0, MOTS20 from 1). */
#ifndef USC_MOTS_TXT_H
#define USC_MOTS_TXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Largest image side accepted (PNG's practical limit; keeps h*w < 2^32). */
#define MOTS_MAX_SIDE 65535u

typedef struct mots_obj {
	int64_t frame;
	int64_t id;        /* class*1000 + instance in ground truth; any id in results */
	int cls;           /* 1 car, 2 pedestrian, 10 ignore */
	uint32_t h, w;     /* image size */
	char *rle;         /* COCO string (malloc'd) */
	uint32_t line;     /* 1-based line number in the file */
} mots_obj;

typedef struct mots_file {
	mots_obj *obj;
	size_t n;
} mots_file;

/* Parses one line (without its newline). Returns 0, or -1 with a message
 * in err. The RLE string is checked for syntax and for runs summing to h*w. */
int mots_parse_line(const char *line, mots_obj *o, char *err, size_t errn);
/* Loads a whole file, in file order. Errors read "PATH:LINE: what".
 * Blank lines are skipped; "\r\n" line ends are accepted. */
int mots_load(const char *path, mots_file *mf, char *err, size_t errn);
/* Same from an open file (name is used in messages); fp is not closed. */
int mots_load_fp(FILE *fp, const char *name, mots_file *mf, char *err, size_t errn);
void mots_file_free(mots_file *mf);
/* Writes one line exactly as the format spells it, newline included. */
int mots_write_line(FILE *fp, int64_t frame, int64_t id, int cls, uint32_t h, uint32_t w, const char *rle);

#endif
