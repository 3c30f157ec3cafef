/* libFuzzer: COCO JSON through the strict JSON reader and the COCO loader.
 * Whatever loads must hold masks that parse at their size, in frame order;
 * small limits keep each input fast. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "coco.h"
#include "json.h"
#include "rle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_limits lim = { 1 << 16, 1 << 14, 32 };
	json v;
	char err[600];
	if (json_parse((const char *)data, size, "fuzz", &lim, &v, err, sizeof err) != 0)
		return 0;
	coco_opts o = { 0 };
	coco_file cf;
	if (coco_read(&v, "fuzz", &o, &cf, err, sizeof err) == 0) {
		for (size_t i = 0; i < cf.n; i++) {
			rle_t r;
			if (i && cf.obj[i].frame < cf.obj[i - 1].frame)
				abort();
			if (cf.obj[i].rle) {
				if (rle_from_string(&r, cf.obj[i].rle, cf.obj[i].h, cf.obj[i].w, err, sizeof err) != 0)
					abort();
				rle_free(&r);
			}
		}
		coco_file_free(&cf);
	}
	json_free(&v);
	return 0;
}
