/* numfmt.c: the one shortest-decimal formatter of the text and JSON writers. */
#include "numfmt.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

const char *numfmt_shortest(char buf[40], double v, int single)
{
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, 40, "%.0f", v == 0 ? 0.0 : v);   /* no "-0" */
		return buf;
	}
	for (int p = 1; p <= 17; p++) {
		snprintf(buf, 40, "%.*g", p, v);
		double back = strtod(buf, NULL);
		if (single ? (float)back == (float)v : back == v)
			break;
	}
	return buf;
}
