/* cli.h: strict option values for getopt_long mains. Each parser calls
 * die_usage("--OPT: ...") (exit 2) on a value that does not parse whole or
 * lies outside [lo, hi]. */
#ifndef USC_CLI_H
#define USC_CLI_H

#include <stddef.h>

long long cli_int(const char *opt, const char *arg, long long lo, long long hi);
double cli_num(const char *opt, const char *arg, double lo, double hi);

/* What cli_int and cli_num check, without dying: CLI_OK, CLI_SYNTAX (arg
 * does not parse whole) or CLI_RANGE (parsed into *v, outside [lo, hi]). */
enum { CLI_OK = 0, CLI_SYNTAX = -1, CLI_RANGE = -2 };
int cli_parse_int(const char *arg, long long lo, long long hi, long long *v);
int cli_parse_num(const char *arg, double lo, double hi, double *v);

/* Basename of path without its extension (malloc'd): the default sequence
 * name of an input ("../0002.txt" -> "0002", "seq/img1/" -> "img1"). */
char *cli_stem(const char *path);
/* Where the last component of path starts, trailing slashes left out
 * ("a/0002.txt" and "a/0002.txt/": 2); *len gets its length. */
size_t cli_base(const char *path, size_t *len);

#endif
