/* The output formats of a tracked sequence (kernels/track/trackout.c): MOTS
 * txt, MOT box txt and COCO lines, instance map values and PNG frames,
 * overlay frames. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coco.h"
#include "json.h"
#include "outfile.h"
#include "pngio.h"
#include "../support/masks.h"
#include "rle.h"
#include "track/trackout.h"

enum { H = 4, W = 6 };

/* The COCO string of the H x W mask with rows y0..y1-1, columns x0..x1-1 set. */
static char *rect(int x0, int y0, int x1, int y1)
{
	return masks_rect(H, W, x0, y0, x1, y1);
}

/* out: what call wrote to fp, a memory stream (malloc'd). */
#define CAPTURE(out, call)                                      \
	do {                                                    \
		size_t len_;                                    \
		FILE *fp = open_memstream(&(out), &len_);       \
		cr_assert(fp);                                  \
		call;                                           \
		cr_assert_eq(fclose(fp), 0);                    \
	} while (0)

Test(trackout, mots_line_of_a_known_mask)
{
	char *m = rect(1, 2, 4, 3);
	post_rec v[1] = {{.f = 3, .id = 7, .cls = 2, .rle = m, .n = 1}};
	char *out = NULL, err[200], want[200];
	int rc;
	CAPTURE(out, rc = trackout_mots(fp, "o.txt", v, 1, H, W, err, sizeof err));
	cr_assert_eq(rc, 0, "%s", err);
	snprintf(want, sizeof want, "3 7 2 %d %d %s\n", H, W, m);
	cr_assert_str_eq(out, want);
	free(out);
	free(m);
}

Test(trackout, mots_stops_at_a_record_without_mask)
{
	char *m = rect(0, 0, 1, 1);
	post_rec v[2] = {{.f = 1, .id = 1, .cls = 1, .rle = m, .n = 4}, {.f = 1, .id = 2, .cls = 1, .n = 5}};
	char *out = NULL, err[200];
	int rc;
	CAPTURE(out, rc = trackout_mots(fp, "o.txt", v, 2, H, W, err, sizeof err));
	cr_assert_eq(rc, -1);
	cr_assert_str_eq(err, "o.txt: record 5 has no mask (\"rle\") for a MOTS txt line");
	cr_assert_eq(strchr(out, '\n') - out + 1, (long)strlen(out));   /* one line, record 4's */
	free(out);
	free(m);
}

Test(trackout, mot_boxes_come_from_the_mask_1_based)
{
	char *m = rect(1, 2, 4, 3);   /* x 1, y 2, w 3, h 1 */
	post_rec v[3] = {
		{.f = 5, .id = 9, .cls = 1, .rle = m, .n = 1},
		{.f = 5, .id = 10, .cls = 1, .rle = m, .has_score = 1, .score = 0.3f, .n = 2},
		{.f = 5, .id = 11, .cls = 1, .box = {1.5f, 2, 3, 4}, .n = 3},   /* no mask: its box */
	};
	char *out = NULL, err[200];
	int rc;
	CAPTURE(out, rc = trackout_mot(fp, v, 3, H, W, err, sizeof err));
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_str_eq(out, "5,9,2,3,3,1,1,-1,-1,-1\n"
			      "5,10,2,3,3,1,0.3,-1,-1,-1\n"
			      "5,11,2.5,3,3,4,1,-1,-1,-1\n");
	free(out);
	free(m);
}

Test(trackout, mask_box_rejects_a_bad_mask)
{
	post_rec r = {.rle = "not an rle", .n = 12};
	double b[4];
	char err[300];
	cr_assert_eq(trackout_mask_box(&r, H, W, b, err, sizeof err), -1);
	cr_assert(strncmp(err, "record 12: ", 11) == 0, "%s", err);
}

Test(trackout, coco_results_list)
{
	char *m = rect(2, 1, 5, 3);
	post_rec v[2] = {
		{.f = 0, .id = 4, .cls = 2, .rle = m, .has_score = 1, .score = 0.5f, .n = 1},
		{.f = 0, .id = 6, .cls = 1, .box = {1, 1, 2, 2}, .n = 2},
	};
	char *out = NULL, err[300];
	size_t count = 0;
	int rc;
	CAPTURE(out, rc = trackout_coco(fp, "o.json", v, 2, H, W, 10, &count, err, sizeof err);
		cr_assert_eq(coco_write_end(fp, count), 0));
	cr_assert_eq(rc, 0, "%s", err);
	cr_assert_eq(count, 2);
	json root;
	cr_assert_eq(json_parse(out, strlen(out), "o.json", NULL, &root, err, sizeof err), 0, "%s", err);
	cr_assert_eq(root.type, JSON_ARR);
	cr_assert_eq(root.n, 2);
	const json *a = &root.u.v[0], *b = &root.u.v[1];
	cr_assert_eq(json_get(a, "image_id")->u.num, 10);   /* frame + offset */
	cr_assert_eq(json_get(a, "category_id")->u.num, 2);
	cr_assert_eq(json_get(a, "track_id")->u.num, 4);
	cr_assert_eq(json_get(a, "score")->u.num, 0.5);
	const json *bb = json_get(a, "bbox");
	cr_assert_eq(bb->n, 4);
	double want[4] = {2, 1, 3, 2};
	for (int i = 0; i < 4; i++)
		cr_assert_eq(bb->u.v[i].u.num, want[i]);
	const json *seg = json_get(a, "segmentation");
	cr_assert_str_eq(json_get(seg, "counts")->u.str, m);
	cr_assert_eq(json_get(seg, "size")->u.v[0].u.num, H);
	cr_assert_eq(json_get(seg, "size")->u.v[1].u.num, W);
	cr_assert_null(json_get(b, "segmentation"));   /* no mask */
	cr_assert_eq(json_get(b, "score")->u.num, 1);    /* no score */
	cr_assert_eq(json_get(b, "bbox")->u.v[2].u.num, 2);
	json_free(&root);
	free(out);
	free(m);
}

Test(trackout, png_values)
{
	char err[300];
	uint16_t val;
	post_rec r = {.id = 5, .cls = 1};
	cr_assert_eq(trackout_png_value(&r, "d", &val, err, sizeof err), 0);
	cr_assert_eq(val, 1005);   /* class*1000 + id */
	r = (post_rec){.id = 2003, .cls = 2};
	cr_assert_eq(trackout_png_value(&r, "d", &val, err, sizeof err), 0);
	cr_assert_eq(val, 2003);   /* already class*1000 + id */
	r = (post_rec){.id = 10000, .cls = 10};
	cr_assert_eq(trackout_png_value(&r, "d", &val, err, sizeof err), 0);
	cr_assert_eq(val, 10000);  /* an ignore region */
	r = (post_rec){.id = 5001, .cls = 2, .n = 8};
	cr_assert_eq(trackout_png_value(&r, "d", &val, err, sizeof err), -1);
	cr_assert_str_eq(err, "d: record 8: id 5001 of class 2 does not fit the PNG format class*1000+id");
	r = (post_rec){.id = 0, .cls = 1};
	cr_assert_eq(trackout_png_value(&r, "d", &val, err, sizeof err), -1);
}

Test(trackout, paint_ids_later_masks_win)
{
	char *a = rect(0, 0, 3, 2), *b = rect(2, 1, 5, 3);
	post_rec v[3] = {{.id = 1, .cls = 1, .rle = a, .n = 1}, {.id = 2, .cls = 2, .rle = b, .n = 2},
			 {.id = 3, .cls = 1, .n = 3}};   /* no mask: nothing painted */
	uint16_t px[H * W];
	char err[300];
	memset(px, 0xff, sizeof px);
	cr_assert_eq(trackout_paint_ids(v, 3, H, W, "d", px, err, sizeof err), 0, "%s", err);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			int inb = x >= 2 && x < 5 && y >= 1 && y < 3, ina = x < 3 && y < 2;
			uint16_t want = inb ? 2002 : ina ? 1001 : 0;
			cr_assert_eq(px[y * W + x], want, "pixel (%d, %d): %u", x, y, px[y * W + x]);
		}
	free(a);
	free(b);
}

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_trackout.XXXXXX");
	cr_assert(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	cr_assert(system(cmd) == 0);
}

Test(trackout, png_frame_is_a_16_bit_instance_map, .init = setup, .fini = teardown)
{
	char path[200], err[5000];
	snprintf(path, sizeof path, "%s/png", dir);
	outfile *od = outdir_open(path, 0, err, sizeof err);
	cr_assert(od, "%s", err);
	char *m = rect(1, 1, 3, 4);
	post_rec v[1] = {{.f = 4, .id = 3, .cls = 2, .rle = m, .n = 1}};
	uint16_t buf[H * W];
	cr_assert_eq(trackout_png_frame(od, 4, v, 1, H, W, buf, err, sizeof err), 0, "%s", err);
	snprintf(path, sizeof path, "%s/000004.png", od->tmp);
	image im;
	cr_assert_eq(png_load(path, &im, err, sizeof err), 0, "%s", err);
	cr_assert_eq(im.w, W);
	cr_assert_eq(im.h, H);
	cr_assert_eq(im.c, 1);
	cr_assert_eq(im.depth, 16);
	const uint16_t *p = im.data;
	cr_assert_eq(p[2 * W + 2], 2003);
	cr_assert_eq(p[0], 0);
	cr_assert_eq(p[3 * W + 5], 0);
	image_free(&im);
	outfile_abort(od);
	free(m);
}

Test(trackout, overlay_frame_draws_on_the_image, .init = setup, .fini = teardown)
{
	enum { S = 64 };
	char path[400], images[200], err[5000];
	snprintf(images, sizeof images, "%s/img", dir);
	snprintf(path, sizeof path, "mkdir %s", images);
	cr_assert(system(path) == 0);
	snprintf(path, sizeof path, "%s/ov", dir);
	outfile *od = outdir_open(path, 0, err, sizeof err);
	cr_assert(od, "%s", err);
	post_rec v[1] = {{.f = 2, .id = 5, .cls = 1, .n = 1}};

	/* No frame 2 yet. */
	cr_assert_eq(trackout_overlay_frame(od, images, 2, v, 1, S, S, err, sizeof err), -1);
	cr_assert(strstr(err, "no image for frame 2"), "%s", err);

	uint8_t gray[S * S], m[S * S] = {0};
	memset(gray, 100, sizeof gray);
	for (int y = 40; y < 50; y++)
		for (int x = 40; x < 50; x++)
			m[y * S + x] = 1;
	image g = {S, S, 1, 8, gray};
	snprintf(path, sizeof path, "%s/000002.png", images);
	cr_assert_eq(png_save(path, &g, err, sizeof err), 0, "%s", err);
	rle_t r;
	rle_encode(&r, m, S, S);
	v[0].rle = rle_to_string(&r);
	rle_free(&r);

	/* A frame of another size is refused. */
	cr_assert_eq(trackout_overlay_frame(od, images, 2, v, 1, S, S + 1, err, sizeof err), -1);
	cr_assert(strstr(err, "want an 8-bit 65x64 image"), "%s", err);

	cr_assert_eq(trackout_overlay_frame(od, images, 2, v, 1, S, S, err, sizeof err), 0, "%s", err);
	snprintf(path, sizeof path, "%s/000002.png", od->tmp);
	image im;
	cr_assert_eq(png_load(path, &im, err, sizeof err), 0, "%s", err);
	cr_assert_eq(im.c, 3);
	cr_assert_eq(im.w, S);
	cr_assert_eq(im.h, S);
	const uint8_t *p = im.data, *in = p + 3 * (45 * S + 45), *far = p + 3 * (2 * S + 2);
	cr_assert(in[0] != 100 || in[1] != 100 || in[2] != 100);   /* tinted */
	cr_assert(far[0] == 100 && far[1] == 100 && far[2] == 100);   /* untouched */
	image_free(&im);
	outfile_abort(od);
	free(v[0].rle);
}
