/* lines.h: the line loop every text format shares (MOTS txt, MOT txt,
 * detection txt): numbered lines, newline removed, blank lines skipped, and
 * a NUL byte or a read error reported as "NAME:LINE: what". */
#ifndef USC_LINES_H
#define USC_LINES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct lines {
	FILE *fp;
	const char *name;   /* for messages */
	char *buf;
	size_t cap;
	uint32_t no;        /* 1-based number of the line last returned */
} lines;

void lines_init(lines *l, FILE *fp, const char *name);
/* Points *line at the next non-blank line: 1, 0 at the end of the input,
 * -1 with a message in err. */
int lines_next(lines *l, char **line, char *err, size_t errn);
void lines_free(lines *l);

/* What lines_load calls on each line: fills the record at rec and returns
 * 0, 1 to skip the line, or -1 with a message in e. */
typedef int (*lines_parse_fn)(void *ctx, char *line, void *rec, char *e, size_t en);
/* Parses every line of fp into a growing array of size-byte records, and
 * stores each kept line's 1-based number in the record's uint32_t at
 * line_off: *arr and *n hold the records parsed, also after an error (for
 * the caller to free). Returns 0, or -1 with "NAME:LINE: what" in err. */
int lines_load(FILE *fp, const char *name, size_t size, size_t line_off, lines_parse_fn parse,
	       void *ctx, void **arr, size_t *n, char *err, size_t errn);

#endif
