/* filter.h: the frame of a stream filter (ae-embed, cgraph-build,
 * ckmeans): one input stream, a FILE operand or standard input, and one
 * output stream that appears whole or not at all. */
#ifndef USC_FILTER_H
#define USC_FILTER_H

#include "outfile.h"
#include "stream.h"

typedef struct filter {
	const char *in, *out;   /* for messages */
	ms_reader *r;
	outfile *of;
	ms_writer *w;
} filter;

/* The input operand, argv[first] or "-" when there is none; more than one
 * is a usage error. */
const char *filter_input(int first, int argc, char **argv);
/* Opens the input stream in (a path or "-"); dies with the path on
 * failure. Also for tools that write something other than a stream. */
ms_reader *filter_reader(const char *in);
/* Opens in and out; dies with the path on failure. */
void filter_open(filter *f, const char *in, const char *out);
/* Stamps the tool and its arguments on h and writes it. */
void filter_write_header(filter *f, ms_header *h, int argc, char **argv);
void filter_write_trailer(filter *f);
/* Flushes the writer and commits the output; dies on a write failure. */
void filter_commit(filter *f);

#endif
