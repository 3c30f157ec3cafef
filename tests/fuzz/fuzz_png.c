/* libFuzzer: PNG decoding from memory, with a small size cap so that a
 * header declaring a huge image fails instead of allocating. */
#include <stdint.h>
#include <stdlib.h>

#include "pngio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[300];
	image im;
	png_max_bytes = 16u << 20;
	if (png_load_mem(data, size, "fuzz", &im, err, sizeof err) == 0) {
		if (!im.data || !im.w || !im.h || (im.c != 1 && im.c != 3 && im.c != 4))
			abort();
		volatile uint8_t s = 0;
		size_t n = (size_t)im.w * im.h * im.c * (im.depth / 8);
		for (size_t i = 0; i < n; i++)
			s ^= ((uint8_t *)im.data)[i];
		image_free(&im);
	}
	return 0;
}
