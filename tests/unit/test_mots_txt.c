/* MOTS txt lines: parsing, validation, exact writing. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mots_txt.h"

#define EX "52 1005 1 375 1242 WSV:2d;1O10000O10000O1O100O100O1O100O1000000000000000O100O102N5K00O1O1N2O110OO2O001O1NTga3"

Test(mots_txt, parses_the_official_example)
{
	mots_obj o;
	char err[256];
	cr_assert(mots_parse_line(EX, &o, err, sizeof err) == 0, "%s", err);
	cr_assert_eq(o.frame, 52);
	cr_assert_eq(o.id, 1005);
	cr_assert_eq(o.cls, 1);
	cr_assert_eq(o.h, 375);
	cr_assert_eq(o.w, 1242);
	cr_assert_str_eq(o.rle, strrchr(EX, ' ') + 1);
	free(o.rle);
}

Test(mots_txt, writes_back_byte_for_byte)
{
	mots_obj o;
	char err[256], *buf = NULL;
	size_t n = 0;
	cr_assert(mots_parse_line(EX "\r", &o, err, sizeof err) == 0, "%s", err);
	FILE *fp = open_memstream(&buf, &n);
	cr_assert(mots_write_line(fp, o.frame, o.id, o.cls, o.h, o.w, o.rle) == 0);
	fclose(fp);
	cr_assert_str_eq(buf, EX "\n");
	free(buf);
	free(o.rle);
}

static void bad(const char *line, const char *what)
{
	mots_obj o;
	char err[256];
	cr_assert(mots_parse_line(line, &o, err, sizeof err) == -1, "accepted '%s'", line);
	cr_assert(strstr(err, what), "'%s': got '%s', want '%s'", line, err, what);
	cr_assert(o.rle == NULL);
}

Test(mots_txt, rejects_bad_lines)
{
	bad("", "expected 6 fields");
	bad("1 2 3 4 5", "found 5");
	bad("0 1 1 375 1242 fjV> extra", "more than 6");
	bad("x 1 1 375 1242 fjV>", "bad frame");
	bad("-1 1 1 375 1242 fjV>", "bad frame");
	bad("0 1 1 0 1242 6", "bad height");
	bad("0 1 1 375 99999 fjV>", "bad width");
	bad("0 1.5 1 375 1242 fjV>", "bad id");
	bad("0 1 1 375 1242 fjV=", "sum to");          /* runs do not sum to h*w */
	bad("0 1 1 375 1242 fj~>", "outside");
	bad("0 1 1 375 1242 fjV", "ends inside");
}

Test(mots_txt, load_reports_file_and_line)
{
	char path[] = "/tmp/test_mots_txt.XXXXXX", err[256];
	int fd = mkstemp(path);
	FILE *fp = fdopen(fd, "w");
	fprintf(fp, "0 1 1 2 3 033\n\n1 2 2 2 3 6\n2 3 2 2 3 7\n");
	fclose(fp);
	mots_file mf;
	cr_assert(mots_load(path, &mf, err, sizeof err) == -1);
	char want[300];
	snprintf(want, sizeof want, "%s:4: RLE runs sum to 7, not 2x3 = 6", path);
	cr_assert_str_eq(err, want);
	cr_assert(mf.n == 0 && mf.obj == NULL);
	fp = fopen(path, "w");
	fprintf(fp, "0 1 1 2 3 033\n\n1 2 2 2 3 6\r\n");
	fclose(fp);
	cr_assert(mots_load(path, &mf, err, sizeof err) == 0, "%s", err);
	cr_assert_eq(mf.n, 2);
	cr_assert_eq(mf.obj[1].line, 3);
	cr_assert_str_eq(mf.obj[1].rle, "6");
	mots_file_free(&mf);
	remove(path);
}

Test(mots_txt, missing_file)
{
	mots_file mf;
	char err[256];
	cr_assert(mots_load("/nonexistent/x.txt", &mf, err, sizeof err) == -1);
	cr_assert(strstr(err, "/nonexistent/x.txt: No such file"), "%s", err);
}
