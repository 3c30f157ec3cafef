/* The options module: each kind, bounds, needs, required, help, version. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "err.h"
#include "opts.h"
#include "version.h"

/* A tool with one option of every kind. */
typedef struct vars {
	int flag, off, i, choice, mode, calls;
	long long big;
	uint64_t seed;
	double x;
	float f;
	const char *s, *called;
} vars;

static void test_opts_call(const opts_opt *o, const char *arg)
{
	vars *v = o->dst;
	v->calls++;
	v->called = arg;
}

static const int modes[] = {7, 9};
static const int on[] = {1};
static vars v;
static opts_opt table[32];
static opts_tool tool = {"demo", "Shows every kind of option.", "[FILE]", table};

static void test_opts_setup(void)
{
	err_init("demo");
	memset(&v, 0, sizeof v);
	v.i = 3, v.x = 0.5, v.f = 2, v.mode = 7, v.off = 1, v.s = "-";
	opts_opt t[] = {
		OPTS_FLAG("flag", 'q', "a flag", &v.flag),
		OPTS_SET("no-thing", 0, "turns a thing off", &v.off, 0),
		OPTS_INT("count", 'n', "N", "an int", &v.i, 1, 10),
		OPTS_INT("big", 0, "N", "a long long", &v.big, 0, 1LL << 40),
		OPTS_INT("seed", 0, "N", "a uint64_t", &v.seed, 0, INT64_MAX),
		OPTS_NUM("ratio", 0, "X", "a double", &v.x, 0, 1),
		OPTS_NUM("scale", 0, "X", "a float", &v.f, -1e30, 1e30, .def = "two"),
		OPTS_STR("output", 'o', "FILE", "a string", &v.s, .def = "standard output"),
		OPTS_CHOICE("vote", 0, "first|all", "a choice by index", &v.choice, NULL),
		OPTS_CHOICE("order", 0, "window|nearest", "a choice with values", &v.mode, modes),
		OPTS_CALL("class", 'c', "LIST", "a callback", test_opts_call, &v),
		OPTS_NUM("child", 0, "X", "needs --flag", &v.x, 0, 1, .needs = "flag"),
		OPTS_CHOICE("baseline", 0, "iou", "a one-word mode", &v.calls, on, .def = ""),
		OPTS_INT("age", 0, "N", "needs --baseline iou", &v.i, 1, 10, .needs = "baseline=iou"),
		OPTS_END,
	};
	memcpy(table, t, sizeof t);
}

static int test_opts_run(char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	return opts_parse(&tool, argc, argv);
}

#define ARGS(...) ((char *[]){"demo", __VA_ARGS__, NULL})

TestSuite(opts, .init = test_opts_setup);

Test(opts, every_kind)
{
	int first = test_opts_run(ARGS("-q", "--no-thing", "-n", "4", "--big", "1099511627776",
				       "--seed", "9223372036854775807", "--ratio", "0.25", "--scale",
				       "-3.5", "-o", "out", "--vote", "all", "--order", "nearest",
				       "-c", "1,2", "in"));
	cr_assert_eq(v.flag, 1);
	cr_assert_eq(v.off, 0);
	cr_assert_eq(v.i, 4);
	cr_assert_eq(v.big, 1LL << 40);
	cr_assert_eq(v.seed, (uint64_t)INT64_MAX);
	cr_assert_eq(v.x, 0.25);
	cr_assert_eq(v.f, -3.5f);
	cr_assert_str_eq(v.s, "out");
	cr_assert_eq(v.choice, 1);
	cr_assert_eq(v.mode, 9);
	cr_assert_eq(v.calls, 1);
	cr_assert_str_eq(v.called, "1,2");
	cr_assert_eq(first, 21);
	cr_assert_eq(opts_given(&tool, "count"), 1);
	cr_assert_eq(opts_given(&tool, "ratio"), 1);
	cr_assert_eq(opts_given(&tool, "child"), 0);
	cr_assert_eq(opts_given(&tool, "nothing"), 0);
	cr_assert_str_eq(opts_find(&tool, "vote")->last, "all");
}

Test(opts, defaults_untouched_and_operands_permuted)
{
	int first = test_opts_run(ARGS("a", "--count=5", "b"));
	cr_assert_eq(v.i, 5);
	cr_assert_eq(v.x, 0.5);
	cr_assert_eq(v.mode, 7);
	cr_assert_str_eq(v.s, "-");
	cr_assert_eq(first, 2);
}

Test(opts, repeated_option_counts_and_last_wins)
{
	test_opts_run(ARGS("-n", "2", "--count", "6"));
	cr_assert_eq(v.i, 6);
	cr_assert_eq(opts_given(&tool, "count"), 2);
}

Test(opts, needs_satisfied)
{
	test_opts_run(ARGS("--child", "0.75", "-q", "--baseline", "iou", "--age", "2"));
	cr_assert_eq(v.x, 0.75);
	cr_assert_eq(v.calls, 1);
	cr_assert_eq(v.i, 2);
}

/* Usage errors: exit status 2 and one line naming the option (then die_usage's
 * pointer to the manual). */
#define USAGE_ERROR(NAME, MSG, ...)                                              \
	Test(opts, NAME, .exit_code = 2, .init = test_opts_setup_err)              \
	{                                                                          \
		test_opts_run(ARGS(__VA_ARGS__));                                  \
	}                                                                          \
	Test(opts, NAME##_message, .init = test_opts_setup)                        \
	{                                                                          \
		test_opts_expect(MSG, ARGS(__VA_ARGS__));                          \
	}

static void test_opts_setup_err(void)
{
	test_opts_setup();
	cr_redirect_stderr();
}

/* Runs a parse that must fail in a child and checks its first stderr line. */
static void test_opts_expect(const char *msg, char **argv)
{
	char path[] = "/tmp/test_opts.XXXXXX";
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fd, 2);
		test_opts_run(argv);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	char line[300] = "";
	FILE *fp = fopen(path, "r");
	cr_assert(fgets(line, sizeof line, fp));
	fclose(fp), close(fd), unlink(path);
	line[strcspn(line, "\n")] = 0;
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 2, "exit %d", WEXITSTATUS(st));
	cr_assert_str_eq(line, msg);
}

USAGE_ERROR(int_below, "demo: --count: 0 is outside 1..10", "--count", "0")
USAGE_ERROR(int_above, "demo: --count: 11 is outside 1..10", "-n", "11")
USAGE_ERROR(int_junk, "demo: --count: '3x' is not an integer", "--count", "3x")
USAGE_ERROR(num_above, "demo: --ratio: 2 is outside 0..1", "--ratio", "2")
USAGE_ERROR(num_junk, "demo: --ratio: 'nan' is not a number", "--ratio", "nan")
USAGE_ERROR(choice_two, "demo: --vote: 'some' is not first or all", "--vote", "some")
USAGE_ERROR(choice_one, "demo: --baseline: 'sort' is not iou", "--baseline", "sort")
USAGE_ERROR(needs_flag, "demo: --child needs --flag", "--child", "0.5")
USAGE_ERROR(needs_word, "demo: --age needs --baseline iou", "--age", "3")
USAGE_ERROR(unknown_long, "demo: unrecognized option '--nope'", "--nope")
USAGE_ERROR(unknown_short, "demo: invalid option -- 'x'", "-x")
USAGE_ERROR(missing_arg, "demo: option '--count' requires an argument", "--count")
USAGE_ERROR(missing_short_arg, "demo: option requires an argument -- 'n'", "-n")
USAGE_ERROR(unwanted_arg, "demo: option '--flag' doesn't allow an argument", "--flag=1")

Test(opts, required_option, .init = test_opts_setup)
{
	table[7].required = 1;   /* -o FILE */
	test_opts_expect("demo: -o FILE is required", ARGS("-q"));
}

Test(opts, help_lists_every_option_and_default, .init = test_opts_setup)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	v.i = 3;
	test_opts_run(ARGS("-n", "5"));   /* fills the defaults from before parsing */
	opts_help(&tool, fp);
	fclose(fp);
	cr_assert(!strncmp(buf, "usage: demo [-q] ", 17), "%s", buf);
	cr_assert(strstr(buf, "Shows every kind of option.\n"));
	for (const opts_opt *o = table; o->name; o++) {
		char want[80];
		snprintf(want, sizeof want, "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		cr_assert(strstr(buf, want), "no %s in\n%s", want, buf);
		cr_assert(strstr(buf, o->help), "no help of --%s", o->name);
	}
	cr_assert(strstr(buf, "-n, --count N"));
	cr_assert(strstr(buf, "an int (default 3)"), "the default is the value before parsing");
	cr_assert(strstr(buf, "a double (default 0.5)"));
	cr_assert(strstr(buf, "a float (default two)"));
	cr_assert(strstr(buf, "(default standard output)"));
	cr_assert(strstr(buf, "a choice with values (default window)"));
	cr_assert(strstr(buf, "a one-word mode\n"));
	cr_assert(strstr(buf, "--help"));
	cr_assert(strstr(buf, "--version"));
	free(buf);
}

Test(opts, usage_nests_dependent_options, .init = test_opts_setup)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	opts_usage(&tool, fp);
	fclose(fp);
	cr_assert(strstr(buf, "[--baseline iou [--age N]]"), "%s", buf);
	cr_assert(strstr(buf, "[-n N]"), "%s", buf);
	cr_assert(strstr(buf, "[FILE]\n"), "%s", buf);
	for (char *p = buf; *p; ) {   /* wrapped at 80 columns */
		size_t len = strcspn(p, "\n");
		cr_assert(len <= 80, "a line of %zu columns", len);
		p += len + (p[len] == '\n');
	}
	free(buf);
}

Test(opts, help_exits_0_on_stdout, .init = test_opts_setup, .exit_code = 0)
{
	cr_redirect_stdout();
	test_opts_run(ARGS("--help"));
	cr_assert_fail("--help returned");
}

Test(opts, version_line, .init = test_opts_setup)
{
	char *buf = NULL, want[200];
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	opts_version(&tool, fp);
	fclose(fp);
	snprintf(want, sizeof want, "demo (usc-mots) %s\n", version_text());
	cr_assert_str_eq(buf, want);
	cr_assert(strlen(version_text()) > 0);
	free(buf);
}

Test(opts, rebase_keeps_what_was_given)
{
	test_opts_run(ARGS("--count", "5", "--order", "nearest"));
	vars base;
	memset(&base, 0, sizeof base);
	base.i = 9, base.x = 0.25, base.mode = 7, base.off = 1, base.f = 8, base.s = "base";
	opts_rebase(&tool, &v, &base, sizeof v);
	cr_assert_eq(v.i, 5, "given: kept");
	cr_assert_eq(v.mode, 9, "given: kept");
	cr_assert_eq(v.x, 0.25, "not given: the base's");
	cr_assert_eq(v.f, 8);
	cr_assert_str_eq(v.s, "base");
	cr_assert_eq(v.calls, 0, "a field no option wrote: the base's");
}

Test(opts, rebase_ignores_options_outside_the_object)
{
	int outside = 3;
	opts_opt t[] = {
		OPTS_INT("count", 'n', "N", "an int", &v.i, 1, 10),
		OPTS_INT("other", 0, "N", "not in v", &outside, 1, 10),
		OPTS_END,
	};
	opts_tool small = {"demo", "Two options.", "", t};
	opts_parse(&small, 5, ARGS("--count", "4", "--other", "6"));
	vars base;
	memset(&base, 0, sizeof base);
	opts_rebase(&small, &v, &base, sizeof v);
	cr_assert_eq(v.i, 4);
	cr_assert_eq(outside, 6);
	cr_assert_eq(v.x, 0);
}
