/* fuzz_tmp.h: a per-process temporary folder for harnesses whose parser
 * reads files. Created on first use, emptied between inputs, removed at
 * exit (a crashing run leaves it behind under $TMPDIR). */
#ifndef USC_FUZZ_TMP_H
#define USC_FUZZ_TMP_H

#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_tmp_dir[256];

static int fuzz_rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st, (void)type;
	if (f->level > 0)
		remove(p);
	return 0;
}

/* Removes everything inside the folder, keeping the folder. */
static void fuzz_tmp_clear(void)
{
	if (fuzz_tmp_dir[0])
		nftw(fuzz_tmp_dir, fuzz_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void fuzz_tmp_remove(void)
{
	fuzz_tmp_clear();
	rmdir(fuzz_tmp_dir);
}

static const char *fuzz_tmp(void)
{
	if (!fuzz_tmp_dir[0]) {
		const char *t = getenv("TMPDIR");
		snprintf(fuzz_tmp_dir, sizeof fuzz_tmp_dir, "%s/usc-fuzz-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(fuzz_tmp_dir))
			abort();
		atexit(fuzz_tmp_remove);
	}
	return fuzz_tmp_dir;
}

/* Writes n bytes to path; returns 0 or -1. */
static int fuzz_write(const char *path, const uint8_t *data, size_t n)
{
	FILE *fp = fopen(path, "wb");
	if (!fp)
		return -1;
	size_t k = n ? fwrite(data, 1, n, fp) : 0;
	return fclose(fp) == 0 && k == n ? 0 : -1;
}

#endif
