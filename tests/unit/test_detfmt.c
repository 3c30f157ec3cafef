/* Public detection txt: TrackR-CNN (138 columns) and MOTS20 (10 columns). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detfmt.h"

#define RLE "WSV:2d;1O10000O10000O1O100O100O1O100O1000000000000000O100O102N5K00O1O1N2O110OO2O001O1NTga3"

Test(detfmt, mots20_line)
{
	det_obj o;
	char err[256];
	cr_assert(det_parse_line("0 723.85 173.62 185.27 134.31 0.996 1 375 1242 " RLE, DET_MOTS20, &o,
				 err, sizeof err) == 0, "%s", err);
	cr_assert_eq(o.frame, 0);
	cr_assert_float_eq(o.box[0], 723.85, 1e-9);
	cr_assert_float_eq(o.box[3], 134.31, 1e-9);
	cr_assert_float_eq(o.score, 0.996, 1e-9);
	cr_assert_eq(o.cls, 1);
	cr_assert(o.h == 375 && o.w == 1242);
	cr_assert_str_eq(o.rle, RLE);
	cr_assert(o.reid == NULL);
	free(o.rle);
}

static char *trackrcnn_line(int nreid, const char *score)
{
	size_t cap = 8192;
	char *s = malloc(cap);
	int n = snprintf(s, cap, "7 1109.6 179.4 1197.4 314.5 %s 2 375 1242 %s", score, RLE);
	for (int i = 0; i < nreid; i++)
		n += snprintf(s + n, cap - n, " %.3f", i * 0.5 - 3);
	return s;
}

Test(detfmt, trackrcnn_line)
{
	det_obj o;
	char err[256], *line = trackrcnn_line(128, "0.93");
	cr_assert(det_parse_line(line, DET_TRACKRCNN, &o, err, sizeof err) == 0, "%s", err);
	cr_assert_eq(o.frame, 7);
	cr_assert_float_eq(o.box[2], 1197.4, 1e-9);   /* x1, as written */
	cr_assert_float_eq(o.score, 0.93, 1e-9);
	cr_assert_eq(o.cls, 2);
	cr_assert(o.reid != NULL);
	cr_assert_float_eq(o.reid[0], -3.0f, 1e-6);
	cr_assert_float_eq(o.reid[127], 60.5f, 1e-6);
	free(o.rle), free(o.reid), free(line);
}

static void bad(const char *line, int fmt, const char *what)
{
	det_obj o;
	char err[256];
	cr_assert(det_parse_line(line, fmt, &o, err, sizeof err) == -1, "accepted '%.60s'", line);
	cr_assert(strstr(err, what), "got '%s', want '%s'", err, what);
	cr_assert(o.rle == NULL && o.reid == NULL);
}

Test(detfmt, rejects_bad_lines)
{
	bad("0 1 2 3 4 nan 1 375 1242 " RLE, DET_MOTS20, "score is NaN");
	bad("0 1 2 3 4 inf 1 375 1242 " RLE, DET_MOTS20, "score is infinite");
	bad("0 1 2 3 4 0.5 1 375 1242", DET_MOTS20, "have 10 fields, this line has 9");
	bad("0 1 2 3 4 0.5 1 375 1242 " RLE " 5", DET_MOTS20, "more than 10");
	bad("0 1 2 x 4 0.5 1 375 1242 " RLE, DET_MOTS20, "box value 'x'");
	bad("0 1 2 3 4 0.5 1 375 1241 " RLE, DET_MOTS20, "sum to");
	bad("-2 1 2 3 4 0.5 1 375 1242 " RLE, DET_MOTS20, "bad frame");
	char *l = trackrcnn_line(127, "0.5");
	bad(l, DET_TRACKRCNN, "have 138 fields, this line has 137");
	free(l);
	l = trackrcnn_line(128, "nan");
	bad(l, DET_TRACKRCNN, "score is NaN");
	free(l);
	l = trackrcnn_line(128, "0.5");
	memcpy(strrchr(l, ' ') + 1, "1e300", 6);   /* finite, but no float32 */
	bad(l, DET_TRACKRCNN, "re-id value 128 '1e300' is not a finite number");
	free(l);
	/* The box-only TrackR-CNN file: 7 + 128 fields. */
	char *s = malloc(4096);
	int n = snprintf(s, 4096, "0 1 2 3 4 0.5 1");
	for (int i = 0; i < 128; i++)
		n += snprintf(s + n, 4096 - n, " 0.1");
	bad(s, DET_TRACKRCNN, "without masks");
	free(s);
}

Test(detfmt, load_names_file_and_line)
{
	char path[] = "/tmp/test_detfmt.XXXXXX", err[512], want[600];
	FILE *fp = fdopen(mkstemp(path), "w");
	fprintf(fp, "0 1 2 3 4 0.9 1 375 1242 %s\n\n1 1 2 3 4 NaN 2 375 1242 %s\n", RLE, RLE);
	fclose(fp);
	det_file df;
	cr_assert(det_load(path, DET_MOTS20, &df, err, sizeof err) == -1);
	snprintf(want, sizeof want, "%s:3: score is NaN", path);
	cr_assert_str_eq(err, want);
	fp = fopen(path, "w");
	fprintf(fp, "0 1 2 3 4 0.9 1 375 1242 %s\n\n1 1 2 3 4 0.4 2 375 1242 %s\r\n", RLE, RLE);
	fclose(fp);
	cr_assert(det_load(path, DET_MOTS20, &df, err, sizeof err) == 0, "%s", err);
	cr_assert_eq(df.n, 2);
	cr_assert_eq(df.obj[1].line, 3);
	cr_assert_str_eq(df.obj[1].rle, RLE);
	det_file_free(&df);
	remove(path);
}
