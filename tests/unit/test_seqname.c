/* Sequence names that may become file names, and the rule each bad one
 * breaks. */
#include <criterion/criterion.h>
#include <string.h>

#include "seqname.h"

static int ok(const char *s) { char e[500]; return seqname_check(s, strlen(s), e, sizeof e) == 0; }

static void bad(const char *s, size_t len, const char *want)
{
	char e[500];
	cr_assert(seqname_check(s, len, e, sizeof e) == -1, "%s accepted", s);
	cr_assert_str_eq(e, want);
}

Test(seqname, real_names_pass)
{
	cr_assert(ok("0002"));
	cr_assert(ok("MOTS20-09"));
	cr_assert(ok("KITTI_13"));
	cr_assert(ok("seq.1"));
	cr_assert(ok("a b"));
	cr_assert(ok("s\xc3\xa9quence"));   /* UTF-8 */
}

Test(seqname, each_rule)
{
	bad("../../victim", 12, "sequence name \"../../victim\" holds '/' (a sequence name becomes a file name)");
	bad("a/b", 3, "sequence name \"a/b\" holds '/' (a sequence name becomes a file name)");
	bad("..", 2, "sequence name \"..\" starts with '.' (a sequence name becomes a file name)");
	bad(".", 1, "sequence name \".\" starts with '.' (a sequence name becomes a file name)");
	bad(".hidden", 7, "sequence name \".hidden\" starts with '.' (a sequence name becomes a file name)");
	bad("a..b", 4, "sequence name \"a..b\" holds \"..\" (a sequence name becomes a file name)");
	bad("-rf", 3, "sequence name \"-rf\" starts with '-' (a sequence name becomes a file name)");
	bad("", 0, "sequence name \"\" is empty (a sequence name becomes a file name)");
	bad("a\0b", 3, "sequence name \"a\\x00b\" holds a NUL byte (a sequence name becomes a file name)");
	bad("a\nb", 3, "sequence name \"a\\x0ab\" holds a control character (a sequence name becomes a file name)");
	bad("a\x1b[2Jb", 6, "sequence name \"a\\x1b[2Jb\" holds a control character (a sequence name becomes a file name)");
	bad("a\x7f", 2, "sequence name \"a\\x7f\" holds a control character (a sequence name becomes a file name)");
}

Test(seqname, length)
{
	char s[300];
	memset(s, 'a', sizeof s);
	char e[500];
	cr_assert(seqname_check(s, 255, e, sizeof e) == 0);
	cr_assert(seqname_check(s, 256, e, sizeof e) == -1);
	cr_assert(strstr(e, "is longer than 255 bytes"), "%s", e);
	cr_assert(strstr(e, "aaa...\""), "a long name is cut: %s", e);
}

Test(seqname, small_buffer)
{
	char e[8];
	cr_assert(seqname_check("a/b", 3, e, sizeof e) == -1);
	cr_assert_eq(strlen(e), 7);
}
