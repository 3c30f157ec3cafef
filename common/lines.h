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

#endif
