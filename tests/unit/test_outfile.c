/* Outputs that appear whole or not at all (common/outfile.c): a spooled
 * standard output shows nothing until it is committed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "outfile.h"

Test(outfile, spooled_stdout_appears_on_commit)
{
	char path[] = "/tmp/test_outfile.XXXXXX", got[64] = "";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	close(fd);
	cr_assert(freopen(path, "w", stdout));
	outfile *o = outfile_open("-");
	cr_assert(o);
	outfile_spool(o);
	cr_assert(o->fp != stdout);
	fputs("line 1\nline 2\n", o->fp);
	fflush(stdout);
	FILE *fp = fopen(path, "rb");
	cr_assert(fp);
	cr_assert_eq(fread(got, 1, sizeof got - 1, fp), 0);   /* nothing yet */
	cr_assert_eq(outfile_commit(o), 0);
	clearerr(fp);
	cr_assert_eq(fread(got, 1, sizeof got - 1, fp), 14);
	cr_assert_str_eq(got, "line 1\nline 2\n");
	fclose(fp);
	unlink(path);
}
