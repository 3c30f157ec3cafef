#include "cli.h"
#include "err.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int cli_parse_int(const char *arg, long long lo, long long hi, long long *v)
{
	char *e;
	errno = 0;
	*v = strtoll(arg, &e, 10);
	if (e == arg || *e || errno)
		return CLI_SYNTAX;
	return *v < lo || *v > hi ? CLI_RANGE : CLI_OK;
}

int cli_parse_num(const char *arg, double lo, double hi, double *v)
{
	char *e;
	errno = 0;
	*v = strtod(arg, &e);
	if (e == arg || *e || errno || isnan(*v))
		return CLI_SYNTAX;
	return *v < lo || *v > hi ? CLI_RANGE : CLI_OK;
}

long long cli_int(const char *opt, const char *arg, long long lo, long long hi)
{
	long long v;
	int rc = cli_parse_int(arg, lo, hi, &v);
	if (rc == CLI_SYNTAX)
		die_usage("%s: '%s' is not an integer", opt, arg);
	if (rc == CLI_RANGE)
		die_usage("%s: %lld is outside %lld..%lld", opt, v, lo, hi);
	return v;
}

double cli_num(const char *opt, const char *arg, double lo, double hi)
{
	double v;
	int rc = cli_parse_num(arg, lo, hi, &v);
	if (rc == CLI_SYNTAX)
		die_usage("%s: '%s' is not a number", opt, arg);
	if (rc == CLI_RANGE)
		die_usage("%s: %g is outside %g..%g", opt, v, lo, hi);
	return v;
}

size_t cli_base(const char *path, size_t *len)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	size_t b = n;
	while (b > 0 && path[b - 1] != '/')
		b--;
	*len = n - b;
	return b;
}

char *cli_stem(const char *path)
{
	size_t len, b = cli_base(path, &len), n = b + len;
	char *s = xmalloc(n - b + 1);
	memcpy(s, path + b, n - b);
	s[n - b] = 0;
	char *dot = strrchr(s, '.');
	if (dot && dot != s)
		*dot = 0;
	return s;
}
