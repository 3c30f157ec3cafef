/* libFuzzer: COCO strings. Byte 0 and 1 give the mask size, the rest is the
 * string. Whatever parses must agree with its pixels. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	uint32_t h = 1 + data[0] % 48, w = 1 + data[1] % 48;
	char *s = malloc(size - 1), err[200];
	memcpy(s, data + 2, size - 2);
	s[size - 2] = 0;
	rle_t r;
	if (rle_from_string(&r, s, h, w, err, sizeof err) == 0) {
		size_t n = (size_t)h * w;
		uint8_t *px = malloc(n), *px2 = malloc(n);
		rle_decode(&r, px);
		uint64_t area = 0;
		for (size_t i = 0; i < n; i++)
			area += px[i];
		if (area != rle_area(&r))
			abort();
		/* Its string reads back to the same runs. */
		char *t = rle_to_string(&r);
		rle_t q, e;
		if (rle_from_string(&q, t, h, w, err, sizeof err) != 0 || q.m != r.m
		    || memcmp(q.cnts, r.cnts, r.m * sizeof *r.cnts) != 0)
			abort();
		/* The pixels encode to a mask with the same pixels. */
		rle_encode(&e, px, h, w);
		rle_decode(&e, px2);
		if (memcmp(px, px2, n) != 0)
			abort();
		double iou = rle_iou(&r, &e, 0);
		if (area && iou != 1.0)
			abort();
		uint8_t *crop = malloc(n);
		rle_box b = rle_bbox(&r);
		rle_crop(&r, (int)b.x, (int)b.y, b.w, b.h, crop);
		uint64_t in = 0;
		for (size_t i = 0; i < (size_t)b.w * b.h; i++)
			in += crop[i];
		if (in != area)   /* the box holds every pixel */
			abort();
		rle_t both[2] = {r, e}, u;
		rle_merge(&u, both, 2, 0);
		if (rle_area(&u) != area)
			abort();
		rle_free(&u);
		rle_minus(&u, &r, &e);
		if (rle_area(&u) != 0)
			abort();
		rle_free(&u);
		free(crop), free(t), free(px), free(px2);
		rle_free(&q);
		rle_free(&e);
		rle_free(&r);
	}
	free(s);
	return 0;
}
