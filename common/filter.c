#include "filter.h"
#include "err.h"

#include <errno.h>
#include <string.h>

const char *filter_input(int first, int argc, char **argv)
{
	if (first < argc - 1)
		die_usage("one input at most");
	return first < argc ? argv[first] : "-";
}

ms_reader *filter_reader(const char *in)
{
	ms_reader *r = ms_reader_open(in);
	if (!r)
		die("%s: %s", in, strerror(errno));
	return r;
}

void filter_open(filter *f, const char *in, const char *out)
{
	f->in = in;
	f->out = out;
	f->r = filter_reader(in);
	f->of = outfile_open(out);
	if (!f->of)
		die("%s: %s", out, strerror(errno));
	f->w = ms_writer_new(f->of->fp);
}

void filter_write_header(filter *f, ms_header *h, int argc, char **argv)
{
	ms_header_set_tool(h, argc, argv);
	if (ms_write_header(f->w, h) != 0)
		die("%s: write failed", f->out);
}

void filter_write_trailer(filter *f)
{
	if (ms_write_trailer(f->w) != 0)
		die("%s: write failed", f->out);
}

void filter_commit(filter *f)
{
	if (ms_writer_free(f->w) != 0 || outfile_commit(f->of) != 0)
		die("%s: write failed", f->out);
}
