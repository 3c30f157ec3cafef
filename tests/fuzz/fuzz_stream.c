/* libFuzzer: the stream reader on arbitrary bytes. Whatever it accepts must
 * write back and read again to the same bytes (a second round trip is a
 * fixed point). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpjson.h"
#include "stream.h"

/* Reads buf; writes what it read to *out. Returns 0 if the input was a
 * valid stream. */
static int copy(const uint8_t *buf, size_t len, char **out, size_t *outlen)
{
	ms_reader *r = ms_reader_mem(buf, len, "fuzz");
	FILE *fp = open_memstream(out, outlen);
	ms_writer *w = ms_writer_new(fp);
	ms_header h;
	ms_det d;
	int rc;
	ms_header_init(&h);
	ms_det_init(&d);
	while ((rc = ms_read_header(r, &h)) == 1) {
		/* the numbers a model passes on in the header (embed_thr,
		 * exit_inset): read or refused with a reason */
		static const char *const keys[] = {"embed_thr", "exit_inset"};
		for (size_t i = 0; i < 2; i++) {
			char e[200] = "";
			double v;
			if (ms_extra_number(&h.extra, keys[i], &v, e, sizeof e) < 0 && !e[0])
				abort();
		}
		ms_write_header(w, &h);
		while ((rc = ms_read_det(r, &d)) == 1)
			ms_write_det(w, &d);
		if (rc < 0)
			break;
		ms_write_trailer(w);
	}
	if (rc < 0 && strlen(ms_reader_error(r)) == 0)
		abort();   /* every failure says why */
	ms_writer_free(w);
	fclose(fp);
	ms_reader_close(r);
	ms_header_free(&h);
	ms_det_free(&d);
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *a = NULL, *b = NULL;
	size_t an = 0, bn = 0;
	if (copy(data, size, &a, &an) == 0) {
		if (copy((const uint8_t *)a, an, &b, &bn) != 0 || an != bn || memcmp(a, b, an) != 0)
			abort();
	}
	/* The generic reader and the JSON printer of mots-dump on the same
	 * bytes must not crash either. */
	ms_reader *r = ms_reader_mem(data, size, "fuzz");
	const uint8_t *p;
	size_t n;
	char *js = NULL;
	size_t jn = 0;
	FILE *out = open_memstream(&js, &jn);
	char *fields[2] = {"f", "patch"};
	while (ms_read_raw(r, &p, &n) == 1) {
		mp_json_line(out, p, n, NULL, 0, (int)(n & 1));
		mp_json_line(out, p, n, fields, 2, 0);
	}
	fclose(out);
	free(js);
	ms_reader_close(r);
	free(a);
	free(b);
	return 0;
}
