/* masks.c: test support, small masks built by hand (masks.h). */
#include <stdint.h>
#include <stdlib.h>

#include "masks.h"
#include "rle.h"

char *masks_rect(int h, int w, int x0, int y0, int x1, int y1)
{
	uint8_t *m = calloc((size_t)h * (size_t)w, 1);
	if (!m)
		abort();
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++)
			m[y * w + x] = 1;
	rle_t r;
	rle_encode(&r, m, (uint32_t)h, (uint32_t)w);
	char *s = rle_to_string(&r);
	rle_free(&r);
	free(m);
	return s;
}
