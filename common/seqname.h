/* seqname.h: sequence names that become file names.
 *
 * A sequence name read from a stream or a file is untrusted text, yet tools
 * put it into paths (mots-write's "%s"). Before that, seqname_check() makes
 * sure it names one file in the output folder and nothing else: not empty,
 * at most SEQNAME_MAX bytes, no '/', no "..", no NUL or other control byte,
 * and no leading '-' (read as an option) or '.' (hidden, "." and ".."). */
#ifndef USC_SEQNAME_H
#define USC_SEQNAME_H

#include <stddef.h>

#define SEQNAME_MAX 255   /* NAME_MAX of common file systems */

/* 0 if the len bytes of name may be used as a file name; else -1 with
 * "sequence name \"NAME\" RULE" in err (the name quoted, control bytes
 * escaped, long names cut). len counts every byte, so a NUL is caught. */
int seqname_check(const char *name, size_t len, char *err, size_t errn);

#endif
