/* COCO JSON: polygon rasterisation against pycocotools' rleFrPoly (the
 * expected strings are what cocoapi's common/maskApi.c gives for the same
 * input), the three segmentation forms, frames, errors, and the writer. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coco.h"
#include "coco_poly.h"
#include "json.h"
#include "rle.h"

static char *poly(const double *xy, size_t k, uint32_t h, uint32_t w)
{
	rle_t r;
	char err[200];
	cr_assert(coco_poly_rle(&r, xy, k, h, w, err, sizeof err) == 0, "%s", err);
	char *s = rle_to_string(&r);
	rle_free(&r);
	return s;
}

/* The mask of s as rows of '.' and '#'. */
static void mask_is(const char *s, uint32_t h, uint32_t w, const char *rows)
{
	rle_t r;
	char err[200], got[512];
	cr_assert(rle_from_string(&r, s, h, w, err, sizeof err) == 0, "%s", err);
	uint8_t m[512];
	rle_decode(&r, m);
	size_t n = 0;
	for (uint32_t y = 0; y < h; y++) {
		for (uint32_t x = 0; x < w; x++)
			got[n++] = m[y * w + x] ? '#' : '.';
		got[n++] = '|';
	}
	got[n] = 0;
	cr_assert_str_eq(got, rows);
	rle_free(&r);
}

Test(coco_poly, rectangle_by_hand)
{
	/* corners on integers: pixels 1..3 x 1..2 (pixel i spans i-0.5..i+0.5) */
	double a[] = { 1, 1, 4, 1, 4, 3, 1, 3 };
	char *s = poly(a, 4, 5, 6);
	cr_assert_str_eq(s, "6230009");
	mask_is(s, 5, 6, "......|.###..|.###..|......|......|");
	free(s);
}

Test(coco_poly, triangle_by_hand)
{
	double b[] = { 0, 0, 5, 0, 0, 5 };
	char *s = poly(b, 3, 6, 6);
	cr_assert_str_eq(s, "042O1O1O=");
	mask_is(s, 6, 6, "####..|###...|##....|#.....|......|......|");
	free(s);
}

Test(coco_poly, pycocotools_reference)
{
	double c[] = { 2.3, 0.7, 7.9, 3.2, 4.4, 8.6, 0.2, 5.1 };
	double d[] = { -3, -2, 12, 1, 6, 14 };   /* beyond the image: clipped */
	double e[] = { 10.5, 20.25, 60.75, 15.5, 90.1, 70.3, 40.2, 95.9, 5.5, 60.6 };
	double f[] = { 3, 3, 3, 3, 3, 3 };       /* a point: empty */
	double g[] = { 1, 1, 6, 1, 6, 6, 1, 6, 3.5, 3.5 };
	struct { const double *xy; size_t k; uint32_t h, w; const char *want; } t[] = {
		{ c, 4, 10, 9, "=353O10O0O2M2O8" },
		{ d, 3, 8, 10, "0442Nb1O]N1" },
		{ e, 5, 100, 120, "]d08d29G9G9G:M2O1O1O1O1O1O1N2O1O1O1O1O1O1O1O1O1O1N2O1O1O1O1O1O1O1O1O1O1N2"
				  "OO100O100O100O100O10O0100O100O100O100O101N3N2M2O2M3M3N2M3N2M2O2M3N2M3N2M3"
				  "N1N3N2M3N2M3N2M3N1N3N2M3Nck2" },
		{ f, 3, 8, 8, "P2" },
		{ g, 5, 8, 8, "=1300001N02300?" },
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		char *s = poly(t[i].xy, t[i].k, t[i].h, t[i].w);
		cr_assert_str_eq(s, t[i].want, "case %zu", i);
		free(s);
	}
	mask_is("=353O10O0O2M2O8", 10, 9, ".........|..##.....|..####...|.#######.|.######..|"
		".#####...|..####...|...##....|.........|.........|");
}

Test(coco_poly, box_and_limits)
{
	rle_t r;
	char err[200];
	double bb[4] = { 1.5, 2, 3, 2.5 };
	cr_assert(coco_poly_box(&r, bb, 7, 7, err, sizeof err) == 0, "%s", err);
	char *s = rle_to_string(&r);
	cr_assert_str_eq(s, "`034000<");   /* pycocotools rleFrBbox */
	free(s);
	rle_free(&r);
	double big[] = { 0, 0, 2e7, 0, 0, 5 };
	cr_assert(coco_poly_rle(&r, big, 3, 8, 8, err, sizeof err) == -1);
	cr_assert(strstr(err, "outside"), "%s", err);
	double longp[] = { 0, 0, 9e6, 0, 0, 9e6 };
	cr_assert(coco_poly_rle(&r, longp, 3, 8, 8, err, sizeof err) == -1);
	cr_assert(strstr(err, "outline too long"), "%s", err);
}

static int read_str(const char *text, const coco_opts *o, coco_file *cf, char *err)
{
	json v;
	if (json_parse(text, strlen(text), "c.json", NULL, &v, err, 400) != 0)
		return -1;
	int rc = coco_read(&v, "c.json", o, cf, err, 400);
	json_free(&v);
	return rc;
}

Test(coco, results_list)
{
	coco_opts o = { 0 };
	coco_file cf;
	char err[400];
	/* compressed, uncompressed (with an empty run inside) and a box only;
	 * out of frame order, so the reader sorts them */
	const char *t =
		"[{\"image_id\": 2, \"category_id\": 1, \"score\": 0.5, \"bbox\": [1,0,2,4],\n"
		"  \"segmentation\": {\"size\": [4, 6], \"counts\": \"56=\"}, \"track_id\": 7},\n"
		" {\"image_id\": 1, \"category_id\": 3, \"segmentation\": {\"size\": [4, 6],"
		" \"counts\": [5, 6, 0, 0, 13]}},\n"
		" {\"image_id\": 1, \"category_id\": 2, \"bbox\": [0.5, 1, 3, 2], \"score\": 0.25}]";
	cr_assert(read_str(t, &o, &cf, err) == 0, "%s", err);
	cr_assert_eq(cf.n, 3);
	cr_assert(cf.obj[0].frame == 1 && cf.obj[0].index == 1 && cf.obj[0].cat == 3);
	cr_assert_str_eq(cf.obj[0].rle, "56=");   /* canonical */
	cr_assert(!cf.obj[0].has_score && !cf.obj[0].has_box);
	cr_assert(cf.obj[1].frame == 1 && cf.obj[1].rle == NULL && cf.obj[1].has_box && cf.obj[1].box[0] == 0.5);
	cr_assert(cf.obj[2].frame == 2 && cf.obj[2].has_track && cf.obj[2].track_id == 7);
	cr_assert(cf.obj[2].h == 4 && cf.obj[2].w == 6 && cf.obj[2].line == 1);
	coco_file_free(&cf);
	o.offset_set = 1, o.frame_offset = 1;
	cr_assert(read_str(t, &o, &cf, err) == 0, "%s", err);
	cr_assert(cf.obj[0].frame == 0 && cf.obj[2].frame == 1);
	coco_file_free(&cf);
	o.frame_offset = 2;
	cr_assert(read_str(t, &o, &cf, err) == -1);
	cr_assert(strstr(err, "c.json: annotation 2 (line 3): image_id 1 gives frame -1"), "%s", err);
}

Test(coco, full_file_frames_and_polygons)
{
	coco_opts o = { 0 };
	coco_file cf;
	char err[400];
	const char *t =
		"{\"images\": [{\"id\": 10, \"file_name\": \"seq/000005.png\", \"height\": 5, \"width\": 6},\n"
		"             {\"id\": 11, \"file_name\": \"seq/000003.png\", \"height\": 5, \"width\": 6}],\n"
		" \"annotations\": [{\"id\": 1, \"image_id\": 10, \"category_id\": 1, \"iscrowd\": 0,\n"
		"   \"segmentation\": [[1, 1, 4, 1, 4, 3, 1, 3]], \"bbox\": [1, 1, 3, 2]},\n"
		"  {\"id\": 2, \"image_id\": 11, \"category_id\": 1, \"iscrowd\": 1,\n"
		"   \"segmentation\": [[0, 0, 2, 0, 2, 2, 0, 2], [1, 1, 4, 1, 4, 3, 1, 3]]}],\n"
		" \"categories\": [{\"id\": 1, \"name\": \"person\"}]}";
	cr_assert(read_str(t, &o, &cf, err) == 0, "%s", err);
	cr_assert_eq(cf.n, 2);
	cr_assert(cf.obj[0].frame == 3 && cf.obj[0].iscrowd == 1);
	cr_assert(cf.obj[1].frame == 5 && cf.obj[1].image_id == 10);
	cr_assert_str_eq(cf.obj[1].rle, "6230009");
	/* two polygons merged, as pycocotools' annToRLE */
	mask_is(cf.obj[0].rle, 5, 6, "##....|####..|.###..|......|......|");
	coco_file_free(&cf);
}

Test(coco, frames_by_order_when_names_have_no_number)
{
	coco_opts o = { 0 };
	coco_file cf;
	char err[400];
	const char *t = "{\"images\": [{\"id\": 7, \"file_name\": \"a.png\"}, {\"id\": 3, \"file_name\": \"b.png\"}],"
			"\"annotations\": [{\"image_id\": 3, \"category_id\": 1, \"bbox\": [0,0,1,1]}]}";
	cr_assert(read_str(t, &o, &cf, err) == 0, "%s", err);
	cr_assert_eq(cf.obj[0].frame, 1);
	coco_file_free(&cf);
}

static void bad(const char *t, const char *want)
{
	coco_opts o = { 0 };
	coco_file cf;
	char err[400] = "";
	cr_assert(read_str(t, &o, &cf, err) == -1, "accepted: %s", t);
	cr_assert(strstr(err, want), "'%s': message '%s' lacks '%s'", t, err, want);
}

Test(coco, errors)
{
	bad("{\"a\": 1}", "without an \"annotations\" list");
	bad("3", "not a COCO file");
	bad("[1]", "annotation 1 (line 1): number, not an object");
	bad("[{\"category_id\": 1, \"bbox\": [0,0,1,1]}]", "no integer \"image_id\"");
	bad("[{\"image_id\": 1.5, \"category_id\": 1, \"bbox\": [0,0,1,1]}]", "no integer \"image_id\"");
	bad("[{\"image_id\": 1, \"bbox\": [0,0,1,1]}]", "no \"category_id\"");
	bad("[{\"image_id\": 1, \"category_id\": 1}]", "neither a segmentation nor a bbox");
	bad("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0,0,-1,1]}]", "negative size");
	bad("[{\"image_id\": 1, \"category_id\": 1, \"bbox\": [0,0,1]}]", "\"bbox\" is not");
	bad("[{\"image_id\": 1, \"category_id\": 1, \"score\": \"high\", \"bbox\": [0,0,1,1]}]",
	    "\"score\" is string");
	bad("[{\"image_id\": 1, \"category_id\": 1, \"segmentation\": {\"size\": [4, 6], \"counts\": \"56\"}}]",
	    "RLE runs sum to");
	bad("[{\"image_id\": 1, \"category_id\": 1, \"segmentation\": {\"size\": [4, 6], \"counts\": [5, 6]}}]",
	    "runs sum to 11, not 4x6 = 24");
	bad("[{\"image_id\": 1, \"category_id\": 1, \"segmentation\": {\"size\": [4, 6], \"counts\": [-1, 25]}}]",
	    "run 1 is not an integer");
	bad("[{\"image_id\": 1, \"category_id\": 1, \"segmentation\": {\"size\": [0, 6], \"counts\": \"\"}}]",
	    "\"size\" is not [height, width]");
	bad("[{\"image_id\": 1, \"category_id\": 1, \"segmentation\": {\"size\": [4, 6]}}]",
	    "\"counts\" is missing");
	bad("[{\"image_id\": 1, \"category_id\": 1, \"segmentation\": [[0, 0, 1, 0, 1, 1]]}]",
	    "polygons need the image size");
	bad("{\"images\": [{\"id\": 1, \"height\": 4, \"width\": 6}], \"annotations\": [{\"image_id\": 1, "
	    "\"category_id\": 1, \"segmentation\": [[0, 0, 1, 0, 1]]}]}", "polygon 1 has 5 numbers");
	bad("{\"images\": [{\"id\": 1, \"height\": 4, \"width\": 6}], \"annotations\": [{\"image_id\": 1, "
	    "\"category_id\": 1, \"segmentation\": [[0, 0, 1, 1], [0, 0, 1, 0, 1, 1]]}]}", "box 2 has 6 numbers");
	bad("{\"images\": [{\"id\": 1, \"height\": 4, \"width\": 6}], \"annotations\": [{\"image_id\": 2, "
	    "\"category_id\": 1, \"bbox\": [0,0,1,1]}]}", "image_id 2 is not in \"images\"");
	bad("{\"images\": [{\"id\": 1, \"height\": 4, \"width\": 6}], \"annotations\": [{\"image_id\": 1, "
	    "\"category_id\": 1, \"segmentation\": {\"size\": [5, 6], \"counts\": \"0n0\"}}]}",
	    "size 5x6, but the image is 4x6");
	bad("{\"images\": [{\"id\": 1}, {\"id\": 1}], \"annotations\": []}", "id 1 appears twice");
	bad("{\"images\": [{\"id\": 1, \"height\": 4}], \"annotations\": []}", "must both be");
}

Test(coco, write_then_read)
{
	char *buf = NULL, err[400];
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	coco_rec a = { 0, 1, 1001, 1, 0.75, { 1, 0, 2, 4 }, 4, 6, "56=" };
	coco_rec b = { 2, 2, 5, 0, 0, { 0.5, 1.25, 3, 2 }, 0, 0, NULL };
	cr_assert(coco_write_rec(fp, &a, 0) == 0 && coco_write_rec(fp, &b, 1) == 0 && coco_write_end(fp, 2) == 0);
	fclose(fp);
	cr_assert_str_eq(buf, "[\n{\"image_id\":0,\"category_id\":1,\"score\":0.75,\"bbox\":[1,0,2,4],"
			 "\"segmentation\":{\"size\":[4,6],\"counts\":\"56=\"},\"track_id\":1001},\n"
			 "{\"image_id\":2,\"category_id\":2,\"bbox\":[0.5,1.25,3,2],\"track_id\":5}\n]\n");
	coco_opts o = { 0 };
	coco_file cf;
	cr_assert(read_str(buf, &o, &cf, err) == 0, "%s", err);
	cr_assert(cf.n == 2 && cf.obj[0].track_id == 1001 && cf.obj[1].frame == 2 && !cf.obj[1].has_score);
	coco_file_free(&cf);
	free(buf);
	/* an RLE string with a backslash is escaped and read back */
	fp = open_memstream(&buf, &len);
	coco_rec c = { 0, 1, 1, 0, 0, { 0 }, 4, 6, "\\" };
	coco_write_rec(fp, &c, 0);
	coco_write_end(fp, 1);
	fclose(fp);
	cr_assert(strstr(buf, "\"counts\":\"\\\\\""), "%s", buf);
	free(buf);
	fp = open_memstream(&buf, &len);
	coco_write_end(fp, 0);
	fclose(fp);
	cr_assert_str_eq(buf, "[]\n");
	free(buf);
}
