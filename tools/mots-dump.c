/* mots-dump: any stream or MessagePack file (a model) as JSON lines, or
 * --check: validate a stream and say so in one line. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "mpjson.h"
#include "stream.h"

typedef struct opts {
	const char *in;
	long long head;      /* 0: everything */
	char **fields;
	int nfields, check, full;
} opts;

static void usage(void)
{
	puts("usage: mots-dump [--head N] [--fields a,b,...] [--full] [FILE]\n"
	     "       mots-dump --check [FILE]");
}

static opts parse(int argc, char **argv)
{
	static const struct option lo[] = {
		{"head", 1, 0, 'n'}, {"fields", 1, 0, 'f'}, {"check", 0, 0, 'c'},
		{"full", 0, 0, 'F'}, {"help", 0, 0, 'h'}, {0, 0, 0, 0}};
	opts o = {0};
	int c;
	while ((c = getopt_long(argc, argv, "n:f:h", lo, NULL)) != -1) {
		switch (c) {
		case 'n': o.head = cli_int("--head", optarg, 0, 1LL << 62); break;
		case 'f': {
			char *s = xstrdup(optarg), *t, *save = NULL;
			for (t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
				o.fields = xrealloc(o.fields, (o.nfields + 1) * sizeof *o.fields);
				o.fields[o.nfields++] = t;
			}
			if (!o.nfields)
				die_usage("--fields: no field names");
			break;
		}
		case 'c': o.check = 1; break;
		case 'F': o.full = 1; break;
		case 'h': usage(); exit(0);
		default: die_usage("unknown option");
		}
	}
	if (optind < argc)
		o.in = argv[optind++];
	if (optind < argc)
		die_usage("unexpected argument '%s'", argv[optind]);
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
	ms_reader *r = ms_reader_open(o.in);
	if (!r)
		die("%s: %m", o.in);
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
