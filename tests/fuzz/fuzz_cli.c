/* libFuzzer: option values (cli_parse_int, cli_parse_num) and cli_stem.
 * Byte 0 picks the bounds; the rest is the argument. What parses must lie
 * in the bounds and print back to the same value. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const long long ilo[] = {0, 1, -1000, -9223372036854775807LL - 1};
static const long long ihi[] = {100, 1000000, 1000, 9223372036854775807LL};
static const double dlo[] = {0, 1e-9, -1, -INFINITY};
static const double dhi[] = {1, 1e9, 1, INFINITY};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char arg[256], back[64];
	if (size < 1 || size > sizeof arg)
		return 0;
	int k = data[0] & 3;
	memcpy(arg, data + 1, size - 1);
	arg[size - 1] = 0;

	long long v, w;
	int rc = cli_parse_int(arg, ilo[k], ihi[k], &v);
	if (rc != CLI_OK && rc != CLI_SYNTAX && rc != CLI_RANGE)
		abort();
	if (rc == CLI_OK) {
		if (v < ilo[k] || v > ihi[k])
			abort();
		snprintf(back, sizeof back, "%lld", v);
		if (cli_parse_int(back, ilo[k], ihi[k], &w) != CLI_OK || w != v)
			abort();
	}

	double d, e;
	rc = cli_parse_num(arg, dlo[k], dhi[k], &d);
	if (rc != CLI_OK && rc != CLI_SYNTAX && rc != CLI_RANGE)
		abort();
	if (rc == CLI_OK) {
		if (isnan(d) || d < dlo[k] || d > dhi[k])
			abort();
		snprintf(back, sizeof back, "%.17g", d);
		if (cli_parse_num(back, dlo[k], dhi[k], &e) != CLI_OK || e != d)
			abort();
	}

	char *s = cli_stem(arg);   /* a basename */
	if (strchr(s, '/'))
		abort();
	free(s);
	return 0;
}
