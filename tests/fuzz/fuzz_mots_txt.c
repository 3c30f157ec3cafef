/* libFuzzer: MOTS txt files. Whatever loads writes back to lines that load
 * to the same objects. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mots_txt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[300];
	mots_file mf, back;
	FILE *fp = fmemopen((void *)data, size ? size : 1, "r");
	if (!fp)
		return 0;
	if (size == 0) {
		fclose(fp);
		return 0;
	}
	if (mots_load_fp(fp, "fuzz", &mf, err, sizeof err) == 0) {
		char *buf = NULL;
		size_t n = 0;
		FILE *out = open_memstream(&buf, &n);
		for (size_t i = 0; i < mf.n; i++)
			mots_write_line(out, mf.obj[i].frame, mf.obj[i].id, mf.obj[i].cls, mf.obj[i].h,
					mf.obj[i].w, mf.obj[i].rle);
		fclose(out);
		FILE *in = fmemopen(buf, n ? n : 1, "r");
		if (n && (mots_load_fp(in, "again", &back, err, sizeof err) != 0 || back.n != mf.n))
			abort();
		for (size_t i = 0; n && i < mf.n; i++)
			if (back.obj[i].frame != mf.obj[i].frame || back.obj[i].id != mf.obj[i].id
			    || strcmp(back.obj[i].rle, mf.obj[i].rle) != 0)
				abort();
		if (n)
			mots_file_free(&back);
		fclose(in);
		free(buf);
		mots_file_free(&mf);
	} else if (!strchr(err, ':')) {
		abort();   /* messages name the file and line */
	}
	fclose(fp);
	return 0;
}
