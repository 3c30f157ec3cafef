/* Option values: what cli_int and cli_num accept, through the parsers
 * that report instead of exiting. */
#include <criterion/criterion.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>

#include "cli.h"

Test(cli, parse_int)
{
	long long v;
	cr_expect_eq(cli_parse_int("42", 0, 100, &v), CLI_OK);
	cr_expect_eq(v, 42);
	cr_expect_eq(cli_parse_int("-9223372036854775808", LLONG_MIN, 0, &v), CLI_OK);
	cr_expect_eq(cli_parse_int("101", 0, 100, &v), CLI_RANGE);
	cr_expect_eq(v, 101);   /* kept for the message */
	const char *bad[] = {"", "4x", " ", "1.5", "9223372036854775808", "0x10"};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_expect_eq(cli_parse_int(bad[i], LLONG_MIN, LLONG_MAX, &v), CLI_SYNTAX, "'%s'", bad[i]);
}

Test(cli, parse_num)
{
	double v;
	cr_expect_eq(cli_parse_num("0.5", 0, 1, &v), CLI_OK);
	cr_expect_eq(v, 0.5);
	cr_expect_eq(cli_parse_num("inf", 0, INFINITY, &v), CLI_OK);
	cr_expect_eq(cli_parse_num("1.5", 0, 1, &v), CLI_RANGE);
	const char *bad[] = {"", "nan", "1e999", "1,5", "0.5 "};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		cr_expect_eq(cli_parse_num(bad[i], -INFINITY, INFINITY, &v), CLI_SYNTAX, "'%s'", bad[i]);
}

Test(cli, stem)
{
	char *s = cli_stem("../seq/0002.txt/");
	cr_expect_str_eq(s, "0002");
	free(s);
}
