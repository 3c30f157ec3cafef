/* The Makefile compiles this file alone with -DUSC_VERSION="...", so a new
 * version rebuilds one object and relinks; builds without it (the fuzzers)
 * say "unknown". */
#include "version.h"

#ifndef USC_VERSION
#define USC_VERSION "unknown"
#endif

const char *version_text(void)
{
	return USC_VERSION;
}
