/* The exit line: measured on boxes, carried in the stream header, and
 * stored in a model file. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "dhae/modelfile.h"
#include "stream.h"
#include "track/exitline.h"

Test(exitline, the_low_quantile_of_centre_distances_to_the_border)
{
	/* 20,000 4 x 4 boxes, one a frame, in a 100 x 50 image, whose centres
	 * stop 10 px from every border, and one stray box past that line (as
	 * a box's centre is not quite its object's): one in 10,000 may lie
	 * nearer */
	enum { N = 20001 };
	float *box = malloc(N * 4 * sizeof *box), *im = malloc(N * 2 * sizeof *im);
	int64_t *fr = malloc(N * sizeof *fr);
	uint32_t *seg = calloc(N, sizeof *seg);
	for (int i = 0; i < N; i++) {
		float cx = 10 + (float)(i % 81), cy = 10 + (float)(i % 31);
		if (i == N - 1)
			cx = 3;
		box[4 * i] = cx - 2, box[4 * i + 1] = cy - 2, box[4 * i + 2] = 4, box[4 * i + 3] = 4;
		im[2 * i] = 100, im[2 * i + 1] = 50;
		fr[i] = i;
	}
	cr_assert_float_eq(exitline_measure(box, im, fr, seg, N), 10, 1e-9, "the stray box does not move the line");
	/* 10 of them do */
	for (int i = 0; i < 10; i++)
		box[4 * i] = 3 - 2;
	cr_assert_float_eq(exitline_measure(box, im, fr, seg, N), 3, 1e-9);
	/* unless each touches another box of its frame (a sliver of a hidden
	 * object): boxes 0-9 go to frames 0-4 in pairs, edge to edge */
	for (int i = 0; i < 10; i++) {
		fr[i] = i / 2;
		box[4 * i] = i % 2 ? 1 + 4 : 1;
	}
	cr_assert_float_eq(exitline_measure(box, im, fr, seg, N), 10, 1e-9);
	/* a centre outside counts 0; boxes without an image size are left out */
	box[0] = -20;
	cr_assert_float_eq(exitline_measure(box, im, fr, seg, 1), 0, 1e-9);
	im[0] = 0;
	cr_assert_eq(exitline_measure(box, im, fr, seg, 1), -1);
	cr_assert_eq(exitline_measure(box, im, fr, seg, 0), -1);
	free(box), free(im), free(fr), free(seg);
}

Test(exitline, header_key)
{
	ms_header h;
	ms_header_init(&h);
	char err[200];
	double x = -1;
	cr_assert_eq(exitline_header_get(&h, &x, err, sizeof err), 0, "absent");
	exitline_header_put(&h, 9.5);
	cr_assert_eq(exitline_header_get(&h, &x, err, sizeof err), 1);
	cr_assert_eq(x, 9.5);
	exitline_header_put(&h, 0);
	cr_assert_eq(exitline_header_get(&h, &x, err, sizeof err), 1, "0: objects leave at the border");
	cr_assert_eq(x, 0);
	exitline_header_put(&h, -1);   /* none: nil, so a stale one is not passed on */
	cr_assert_eq(exitline_header_get(&h, &x, err, sizeof err), 0);
	const uint8_t neg[] = {0xff};  /* fixint -1 */
	ms_extra_put(&h.extra, EXIT_HEADER_KEY, neg, sizeof neg);
	cr_assert_eq(exitline_header_get(&h, &x, err, sizeof err), -1);
	cr_assert(strstr(err, EXIT_HEADER_KEY), "%s", err);
	const uint8_t str[] = {0xa1, 'x'};
	ms_extra_put(&h.extra, EXIT_HEADER_KEY, str, sizeof str);
	cr_assert_eq(exitline_header_get(&h, &x, err, sizeof err), -1);
	const uint8_t inf[] = {0xcb, 0x7f, 0xf0, 0, 0, 0, 0, 0, 0};
	ms_extra_put(&h.extra, EXIT_HEADER_KEY, inf, sizeof inf);
	cr_assert_eq(exitline_header_get(&h, &x, err, sizeof err), -1);
	ms_header_free(&h);
}
