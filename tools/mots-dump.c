/* mots-dump: any stream or MessagePack file (a model) as JSON lines, or
 * --check: validate a stream and say so in one line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "filter.h"
#include "mpjson.h"
#include "opts.h"
#include "stream.h"

typedef struct opts {
	const char *in;
	long long head;      /* 0: everything */
	char **fields;
	int nfields, check, full;
} opts;

/* --fields a,b,...: the names, in order (strtok keeps them in one copy). */
static void parse_fields(const opts_opt *opt, const char *arg)
{
	opts *o = opt->dst;
	char *s = xstrdup(arg), *t, *save = NULL;
	for (t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		o->fields = xrealloc(o->fields, (o->nfields + 1) * sizeof *o->fields);
		o->fields[o->nfields++] = t;
	}
	if (!o->nfields)
		die_usage("--fields: no field names");
}

static opts parse(int argc, char **argv)
{
	opts o = {0};
	opts_opt opt[] = {
		OPTS_INT("head", 'n', "N", "print the first N lines only", &o.head, 0, 1LL << 62,
			 .def = "all", .spell_long = 1),
		OPTS_CALL("fields", 'f', "a,b,...", "print only these keys of each record, in this order, and no header or trailer",
			  parse_fields, &o, .spell_long = 1),
		OPTS_FLAG("full", 0, "print binary values whole, as arrays of numbers", &o.full),
		OPTS_FLAG("check", 0, "validate the stream and print one line (takes no other option)",
			  &o.check),
		OPTS_END,
	};
	opts_tool tool = {"mots-dump", "Prints a stream or MessagePack file as JSON lines, or checks "
			  "a stream.", "[FILE]", opt};
	o.in = opts_operand(opts_parse(&tool, argc, argv), argc, argv, 1);
	if (o.check && (o.head || o.nfields || o.full))
		die_usage("--check takes no other option");
	return o;
}

/* Validates the whole stream; prints the verdict. */
static void check(ms_reader *r, const char *name)
{
	ms_header h;
	ms_det d;
	uint64_t recs = 0, segs = 0;
	int64_t lo = 0, hi = 0;
	int rc;
	ms_header_init(&h);
	ms_det_init(&d);
	while ((rc = ms_read_header(r, &h)) == 1) {
		segs++;
		while ((rc = ms_read_det(r, &d)) == 1) {
			if (!recs || d.f < lo) lo = d.f;
			if (!recs || d.f > hi) hi = d.f;
			recs++;
		}
		if (rc < 0)
			break;
	}
	if (rc < 0)
		die("%s", ms_reader_error(r));
	if (recs)
		printf("%s: ok: %llu segment%s, %llu records, frames %lld..%lld\n", name,
		       (unsigned long long)segs, segs == 1 ? "" : "s", (unsigned long long)recs,
		       (long long)lo, (long long)hi);
	else
		printf("%s: ok: %llu segment%s, no records\n", name, (unsigned long long)segs,
		       segs == 1 ? "" : "s");
	ms_header_free(&h);
	ms_det_free(&d);
}

int main(int argc, char **argv)
{
	err_init(argv[0]);
	opts o = parse(argc, argv);
	ms_reader *r = filter_reader(o.in);
	const char *name = ms_reader_name(r);
	if (o.check) {
		check(r, name);
	} else {
		const uint8_t *p;
		size_t n;
		long long lines = 0;
		int rc = ms_peek_raw(r, &p, &n);
		if (rc == 0)
			die("%s: empty input", name);
		if (rc < 0)
			die("%s", ms_reader_error(r));
		if (mp_map_has_key(p, n, "stream")) {
			/* A stream: read it with every check, print each object as read;
			 * with --fields, only the records. */
			ms_header h;
			ms_det d;
			ms_header_init(&h);
			ms_det_init(&d);
			while (!o.head || lines < o.head) {
				if ((rc = ms_read_header(r, &h)) <= 0)
					break;
				if (!o.nfields) {
					ms_reader_last_raw(r, &p, &n);
					mp_json_line(stdout, p, n, NULL, 0, o.full);
					lines++;
				}
				while ((!o.head || lines < o.head) && (rc = ms_read_det(r, &d)) >= 0) {
					if (rc == 1 || !o.nfields) {
						ms_reader_last_raw(r, &p, &n);
						mp_json_line(stdout, p, n, o.fields, o.nfields, o.full);
						lines++;
					}
					if (rc == 0)
						break;
				}
				if (rc < 0)
					break;
			}
			ms_header_free(&h);
			ms_det_free(&d);
		} else {
			while ((!o.head || lines < o.head) && (rc = ms_read_raw(r, &p, &n)) == 1) {
				mp_json_line(stdout, p, n, o.fields, o.nfields, o.full);
				lines++;
			}
		}
		if (rc < 0) {
			fflush(stdout);
			die("%s", ms_reader_error(r));
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout))
		die("stdout: write error: %m");
	ms_reader_close(r);
	free(o.fields ? o.fields[0] : NULL);
	free(o.fields);
	return 0;
}
