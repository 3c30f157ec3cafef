/* Outputs that appear whole or not at all (common/outfile.c): a spooled
 * standard output shows nothing until it is committed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
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

Test(outfile, a_fifo_is_written_in_place_not_replaced)
{
	char dir[] = "/tmp/test_outfile_fifo.XXXXXX", path[64], got[64] = "";
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/out", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	int rd = open(path, O_RDONLY | O_NONBLOCK);   /* a reader, so opening to write does not block */
	cr_assert(rd >= 0);
	outfile *o = outfile_open(path);
	cr_assert(o);
	cr_assert_null(o->tmp, "nothing to rename");
	fputs("frame 1\n", o->fp);
	cr_assert_eq(outfile_commit(o), 0);
	cr_assert_eq(read(rd, got, sizeof got - 1), 8);
	cr_assert_str_eq(got, "frame 1\n");
	struct stat st;
	cr_assert_eq(stat(path, &st), 0);
	cr_assert(S_ISFIFO(st.st_mode), "still a FIFO");
	close(rd);
	unlink(path);
	rmdir(dir);
}
