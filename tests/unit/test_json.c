/* The strict JSON reader: valid documents, every refusal with its place,
 * the depth / size / node bounds, and the writing helpers. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "numfmt.h"

static int parse(const char *s, json *v, char *err)
{
	return json_parse(s, strlen(s), "t.json", NULL, v, err, 300);
}

/* s must fail with a message containing want. */
static void refused(const char *s, const char *want)
{
	json v;
	char err[300] = "";
	cr_assert(parse(s, &v, err) == -1, "accepted: %s", s);
	cr_assert(strstr(err, want), "'%s': message '%s' lacks '%s'", s, err, want);
	cr_assert_eq(v.type, JSON_NULL);
}

Test(json, values)
{
	json v;
	char err[300];
	cr_assert(parse(" {\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\n\"], \"b\": {}} \n", &v, err) == 0,
		  "%s", err);
	cr_assert_eq(v.type, JSON_OBJ);
	cr_assert_eq(v.n, 2);
	const json *a = json_get(&v, "a");
	cr_assert(a && a->type == JSON_ARR && a->n == 6);
	cr_assert_eq(a->u.v[0].u.num, 1);
	cr_assert_eq(a->u.v[1].u.num, -2500);
	cr_assert_eq(a->u.v[2].type, JSON_TRUE);
	cr_assert_eq(a->u.v[3].type, JSON_FALSE);
	cr_assert_eq(a->u.v[4].type, JSON_NULL);
	cr_assert_str_eq(a->u.v[5].u.str, "x\xc3\xa9\n");
	cr_assert_eq(a->u.v[5].n, 4);
	cr_assert_eq(json_get(&v, "b")->type, JSON_OBJ);
	cr_assert_null(json_get(&v, "c"));
	json_free(&v);
}

Test(json, lines_and_offsets)
{
	json v;
	char err[300];
	cr_assert(parse("[\n 1,\n  \"two\"\n]", &v, err) == 0, "%s", err);
	cr_assert_eq(v.u.v[0].line, 2);
	cr_assert_eq(v.u.v[1].line, 3);
	cr_assert_eq(v.u.v[1].off, 8);
	json_free(&v);
}

Test(json, unicode)
{
	json v;
	char err[300];
	/* a surrogate pair, raw UTF-8 of 2, 3 and 4 bytes, and a BOM before it all */
	cr_assert(parse("\xef\xbb\xbf[\"\\ud83d\\ude00\", \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]", &v, err) == 0,
		  "%s", err);
	cr_assert_str_eq(v.u.v[0].u.str, "\xf0\x9f\x98\x80");
	cr_assert_str_eq(v.u.v[1].u.str, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
	json_free(&v);
}

Test(json, bad_unicode)
{
	refused("[\"\\ud83d\"]", "high surrogate without a low surrogate");
	refused("[\"\\ud83d\\u0041\"]", "high surrogate without a low surrogate");
	refused("[\"\\ude00\"]", "low surrogate without a high surrogate");
	refused("[\"\\u12g4\"]", "four hex digits");
	refused("[\"\\u12\"]", "four hex digits");
	refused("[\"\\u0000\"]", "\\u0000");
	refused("[\"\xc3\"]", "invalid UTF-8");
	refused("[\"\xc0\xaf\"]", "invalid UTF-8");          /* overlong '/' */
	refused("[\"\xed\xa0\x80\"]", "invalid UTF-8");      /* an encoded surrogate */
	refused("[\"\xf4\x90\x80\x80\"]", "invalid UTF-8");  /* above U+10FFFF */
	refused("[\"\xff\"]", "invalid UTF-8");
	refused("[\"a\\x\"]", "invalid escape");
	refused("[\"a\tb\"]", "control character");
}

Test(json, bad_syntax)
{
	refused("", "unexpected end of input");
	refused("[1, 2,]", "trailing comma in an array");
	refused("{\"a\": 1,}", "trailing comma in an object");
	refused("{\"a\" 1}", "expected ':'");
	refused("{a: 1}", "expected a string key");
	refused("[1 2]", "expected ',' or ']'");
	refused("[1, 2", "unterminated array");
	refused("{\"a\": 1", "unterminated object");
	refused("[\"abc", "unterminated string");
	refused("[1] [2]", "more after the JSON value");
	refused("[tru]", "not a JSON value");
	refused("// c\n[1]", "not a JSON value");
	refused("{\"a\": 1, \"a\": 2}", "duplicate key \"a\"");
}

Test(json, numbers)
{
	json v;
	char err[300];
	cr_assert(parse("[0, -0, 1.5e-3, 123456789012345678901234567890, 1e-400]", &v, err) == 0, "%s", err);
	cr_assert_eq(v.u.v[2].u.num, 1.5e-3);
	cr_assert_eq(v.u.v[3].u.num, 123456789012345678901234567890.0);
	cr_assert_eq(v.u.v[4].u.num, 0);   /* underflow: finite */
	int64_t i;
	cr_assert(json_int(&v.u.v[0], 0, 10, &i) == 0 && i == 0);
	cr_assert(json_int(&v.u.v[2], -10, 10, &i) == -1, "1.5e-3 is not an integer");
	cr_assert(json_int(&v.u.v[3], INT64_MIN, INT64_MAX, &i) == -1, "beyond 2^53: no exact integer");
	json_free(&v);
	refused("[1e400]", "number out of range");
	refused("[-1e999]", "number out of range");
	refused("[NaN]", "NaN and Infinity");
	refused("[Infinity]", "NaN and Infinity");
	refused("[-Infinity]", "NaN and Infinity");
	refused("[01]", "leading zero");
	refused("[1.]", "no digit after the point");
	refused("[.5]", "not a JSON value");
	refused("[1e+]", "no digit in the exponent");
	refused("[+1]", "not a JSON value");
	refused("[-]", "invalid number");
	char *big = malloc(6000);
	memset(big, '9', 5000);
	big[0] = '[', strcpy(big + 5000, "]");
	refused(big, "number literal too long");
	free(big);
}

Test(json, error_place)
{
	json v;
	char err[300];
	cr_assert(parse("{\n  \"a\": [1,\n  2,,\n]}", &v, err) == -1);
	cr_assert(strstr(err, "t.json: line 3, column 5 (byte 17): unexpected character"), "%s", err);
}

Test(json, deep_nesting)
{
	size_t n = 100000;
	char *s = malloc(2 * n + 1);
	memset(s, '[', n);
	memset(s + n, ']', n);
	s[2 * n] = 0;
	refused(s, "nesting too deep");
	/* exactly the limit is fine */
	json v;
	char err[300];
	s[JSON_MAX_DEPTH] = 0;
	memset(s + JSON_MAX_DEPTH / 2, ']', JSON_MAX_DEPTH / 2);
	cr_assert(parse(s, &v, err) == 0, "%s", err);
	json_free(&v);
	memset(s, '[', JSON_MAX_DEPTH + 1);
	memset(s + JSON_MAX_DEPTH + 1, ']', JSON_MAX_DEPTH + 1);
	s[2 * JSON_MAX_DEPTH + 2] = 0;
	refused(s, "nesting too deep");
	free(s);
}

Test(json, limits)
{
	json v;
	char err[300];
	json_limits lim = { 10, 100, 8 };
	cr_assert(json_parse("[1,2,3,4,5,6]", 13, "x", &lim, &v, err, sizeof err) == -1);
	cr_assert(strstr(err, "13 bytes, more than the 10"), "%s", err);
	lim.max_bytes = 100, lim.max_nodes = 4;
	cr_assert(json_parse("[1,2,3,4,5,6]", 13, "x", &lim, &v, err, sizeof err) == -1);
	cr_assert(strstr(err, "too many values"), "%s", err);
	cr_assert(json_parse("[1,2,3]", 7, "x", &lim, &v, err, sizeof err) == 0, "%s", err);
	json_free(&v);
}

Test(json, load_file)
{
	char path[] = "/tmp/test_json_XXXXXX", err[300];
	int fd = mkstemp(path);
	cr_assert(fd >= 0);
	FILE *fp = fdopen(fd, "w");
	fputs("{\"k\": \"v\"}\n", fp);
	fclose(fp);
	json v;
	cr_assert(json_load(path, NULL, &v, err, sizeof err) == 0, "%s", err);
	cr_assert_str_eq(json_get(&v, "k")->u.str, "v");
	json_free(&v);
	remove(path);
	cr_assert(json_load(path, NULL, &v, err, sizeof err) == -1);
	cr_assert(strstr(err, "No such file"), "%s", err);
}

Test(json, write_helpers)
{
	char buf[256], n[40];
	FILE *fp = fmemopen(buf, sizeof buf, "w");
	json_write_str(fp, "a\"b\\c\n\x01");
	fclose(fp);
	cr_assert_str_eq(buf, "\"a\\\"b\\\\c\\u000a\\u0001\"");
	cr_assert_str_eq(numfmt_shortest(n, 12, 0), "12");
	cr_assert_str_eq(numfmt_shortest(n, -0.0, 0), "0");
	cr_assert_str_eq(numfmt_shortest(n, 0.1, 0), "0.1");
	cr_assert_str_eq(numfmt_shortest(n, (float)0.7, 1), "0.7");
	cr_assert_str_eq(numfmt_shortest(n, 1e20, 0), "1e+20");
	/* what is written reads back */
	json v;
	char err[300];
	cr_assert(parse("[\"a\\\"b\\\\c\\u000a\\u0001\"]", &v, err) == 0, "%s", err);
	cr_assert_str_eq(v.u.v[0].u.str, "a\"b\\c\n\x01");
	json_free(&v);
}
