/* libFuzzer: TrackR-CNN and MOTS20 detection files (byte 0 picks one). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detfmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[300];
	det_file df;
	if (size < 2)
		return 0;
	int fmt = data[0] & 1 ? DET_TRACKRCNN : DET_MOTS20;
	FILE *fp = fmemopen((void *)(data + 1), size - 1, "r");
	if (!fp)
		return 0;
	if (det_load_fp(fp, "fuzz", fmt, &df, err, sizeof err) == 0) {
		for (size_t i = 0; i < df.n; i++)
			if (!isfinite(df.obj[i].score) || !df.obj[i].rle
			    || (fmt == DET_TRACKRCNN) != (df.obj[i].reid != NULL))
				abort();
		det_file_free(&df);
	}
	fclose(fp);
	return 0;
}
