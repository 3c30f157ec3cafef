/* seqinfo.h: the MOTChallenge seqinfo.ini of a sequence folder
 * ("[Sequence]" with imWidth, imHeight, seqLength, name, ...). */
#ifndef USC_SEQINFO_H
#define USC_SEQINFO_H

#include <stddef.h>

typedef struct seqinfo {
	long long width, height, length;   /* 0 when a key is missing */
} seqinfo;

/* Reads the keys it knows; a value that is not an integer 1..limits is an
 * error ("PATH:LINE: what"). Returns 0, or -1 with a message. */
int seqinfo_load(const char *path, seqinfo *si, char *err, size_t errn);
/* The seqinfo.ini of the sequence a txt file belongs to: SEQ/gt/gt.txt and
 * SEQ/det/det.txt give SEQ/seqinfo.ini (malloc'd path). */
char *seqinfo_path_for(const char *txt);

#endif
