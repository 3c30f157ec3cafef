/* From masks and files to evaluation frames: IoU / IoA on real RLE masks,
 * ignore regions, validation, instance PNGs, folders and seqmaps. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eval/eval_load.h"
#include "eval/eval_motstools.h"
#include "eval/eval_trackeval.h"
#include "mots_txt.h"
#include "pngio.h"
#include "test_eval_fixture.h"

enum { H = 4, W = 8 };

/* An object whose mask covers columns [c0, c1] and rows [r0, r1]. */
static void put(eval_objs *e, int64_t frame, int64_t id, int cls, int c0, int c1, int r0, int r1)
{
	uint8_t m[H * W] = { 0 };
	for (int y = r0; y <= r1; y++)
		for (int x = c0; x <= c1; x++)
			m[y * W + x] = 1;
	e->o = realloc(e->o, (e->n + 1) * sizeof *e->o);
	eval_obj *o = &e->o[e->n++];
	memset(o, 0, sizeof *o);
	o->frame = frame, o->id = id, o->cls = cls;
	rle_encode(&o->rle, m, H, W);
	o->bb = rle_bbox(&o->rle);
}

static void objs(eval_objs *e, const char *name)
{
	memset(e, 0, sizeof *e);
	e->name = strdup(name);
	e->src = strdup(name);
}

Test(eval_data, result_inside_merged_ignore_regions_is_not_a_false_positive)
{
	eval_objs gt, res;
	objs(&gt, "gt"), objs(&res, "res");
	put(&gt, 0, 2001, 2, 0, 1, 0, 3);      /* pedestrian, 8 px */
	put(&gt, 0, 10000, 10, 4, 5, 0, 3);    /* two ignore regions side by side */
	put(&gt, 0, 10001, 10, 6, 7, 0, 3);
	put(&gt, 0, 1001, 1, 2, 2, 0, 1);      /* a car: not an ignore region */
	put(&res, 0, 1, 2, 0, 1, 0, 3);        /* exact match */
	put(&res, 0, 2, 2, 5, 6, 0, 3);        /* half in each ignore region: IoA 1 of the union */
	put(&res, 0, 3, 2, 3, 3, 0, 3);        /* outside: a false positive */
	put(&res, 0, 4, 1, 2, 2, 0, 1);        /* car result: other class */
	char err[256];
	cr_assert_eq(eval_objs_check_masks(&gt, err, sizeof err), 0, "%s", err);
	cr_assert_eq(eval_objs_check_masks(&res, err, sizeof err), 0, "%s", err);
	eval_seq s;
	eval_seq_init(&s, "x");
	cr_assert_eq(eval_seq_from_masks(&s, &gt, &res, 2, err, sizeof err), 0, "%s", err);
	cr_assert_eq(s.nf, 1);
	cr_assert_eq(s.f[0].ng, 1);
	cr_assert_eq(s.f[0].nt, 3);
	cr_assert_eq(s.f[0].iou[0], 1);
	cr_assert_eq(s.f[0].ioa[1], 1);
	cr_assert_eq(s.f[0].ioa[2], 0);
	mt_counts c;
	mt_eval(&s, &c);
	cr_assert_eq(c.tp, 1);
	cr_assert_eq(c.fp, 1);
	cr_assert_eq(c.n_ign, 1);
	eval_seq p;
	cr_assert_eq(te_preprocess(&s, &p), 1);
	te_clear tc;
	te_clear_eval(&p, &tc);
	cr_assert_eq(tc.fp, 1);
	cr_assert_eq(tc.tp, 1);
	eval_seq_free(&s), eval_seq_free(&p);

	/* The car class sees the car pair and no ignore effect on it. */
	eval_seq_init(&s, "x");
	cr_assert_eq(eval_seq_from_masks(&s, &gt, &res, 1, err, sizeof err), 0, "%s", err);
	cr_assert_eq(s.f[0].ng, 1);
	cr_assert_eq(s.f[0].nt, 1);
	cr_assert_eq(s.f[0].iou[0], 1);
	eval_seq_free(&s);
	eval_objs_free(&gt), eval_objs_free(&res);
}

Test(eval_data, mask_iou_of_exactly_one_half)
{
	eval_objs gt, res;
	objs(&gt, "gt"), objs(&res, "res");
	put(&gt, 3, 2001, 2, 0, 0, 0, 3);    /* 4 px */
	put(&res, 3, 9, 2, 0, 0, 2, 3);      /* 2 of them */
	char err[256];
	eval_seq s;
	eval_seq_init(&s, "x");
	cr_assert_eq(eval_seq_from_masks(&s, &gt, &res, 2, err, sizeof err), 0, "%s", err);
	cr_assert_eq(s.f[0].iou[0], 0.5);
	cr_assert_eq(s.f[0].t, 3);
	mt_counts c;
	mt_eval(&s, &c);
	cr_assert_eq(c.tp, 0);
	eval_seq p;
	te_clear tc;
	te_preprocess(&s, &p);
	te_clear_eval(&p, &tc);
	cr_assert_eq(tc.tp, 1);
	eval_seq_free(&s), eval_seq_free(&p);
	eval_objs_free(&gt), eval_objs_free(&res);
}

Test(eval_data, rejects_overlaps_duplicates_and_size_mismatch)
{
	eval_objs e;
	char err[256];
	objs(&e, "f.txt");
	put(&e, 0, 1, 2, 0, 1, 0, 3);
	put(&e, 0, 2, 2, 1, 2, 0, 3);
	e.o[1].line = 7;
	cr_assert_eq(eval_objs_check_masks(&e, err, sizeof err), -1);
	cr_assert(strstr(err, "f.txt:7") && strstr(err, "overlaps"), "%s", err);
	eval_objs_free(&e);

	objs(&e, "f.txt");
	put(&e, 0, 1, 2, 0, 1, 0, 3);
	put(&e, 0, 1, 2, 3, 4, 0, 3);
	cr_assert_eq(eval_objs_check_masks(&e, err, sizeof err), -1);
	cr_assert(strstr(err, "twice"), "%s", err);
	eval_objs_free(&e);

	/* Same id in different frames, masks touching only: fine. */
	objs(&e, "f.txt");
	put(&e, 0, 1, 2, 0, 1, 0, 3);
	put(&e, 0, 2, 2, 2, 3, 0, 3);
	put(&e, 1, 1, 2, 0, 1, 0, 3);
	cr_assert_eq(eval_objs_check_masks(&e, err, sizeof err), 0, "%s", err);

	eval_objs r;
	objs(&r, "r.txt");
	uint8_t m[2 * 2] = { 1, 0, 0, 0 };
	r.o = calloc(1, sizeof *r.o);
	r.n = 1;
	rle_encode(&r.o[0].rle, m, 2, 2);
	r.o[0].bb = rle_bbox(&r.o[0].rle);
	r.o[0].cls = 2;
	eval_seq s;
	eval_seq_init(&s, "x");
	cr_assert_eq(eval_seq_from_masks(&s, &e, &r, 2, err, sizeof err), -1);
	cr_assert(strstr(err, "2x2"), "%s", err);
	eval_seq_free(&s);
	eval_objs_free(&e), eval_objs_free(&r);
}

Test(eval_data, instance_map_gives_one_mask_per_value)
{
	uint16_t map[H * W] = { 0 };
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			map[y * W + x] = x < 2 ? 2001 : x == 3 && y > 0 ? 1002 : x >= 6 ? 10003 : 0;
	map[0] = 0;   /* a hole at the first pixel */
	map[H * W - 1] = 2001;   /* and the last pixel elsewhere */
	eval_objs e = { 0 };
	eval_objs_from_instance_map(&e, map, H, W, 5);
	cr_assert_eq(e.n, 3);
	int64_t want[3] = { 1002, 2001, 10003 };
	int cls[3] = { 1, 2, 10 };
	for (int i = 0; i < 3; i++) {
		cr_assert_eq(e.o[i].id, want[i]);
		cr_assert_eq(e.o[i].cls, cls[i]);
		cr_assert_eq(e.o[i].frame, 5);
		uint8_t m[H * W];
		for (int k = 0; k < H * W; k++)
			m[k] = map[k] == want[i];
		rle_t r;
		rle_encode(&r, m, H, W);
		cr_assert_eq(r.m, e.o[i].rle.m, "id %lld", (long long)want[i]);
		cr_assert_eq(memcmp(r.cnts, e.o[i].rle.cnts, r.m * sizeof *r.cnts), 0);
		rle_free(&r);
	}
	eval_objs_free(&e);
}

static char tmpdir[64];

static void mkd(const char *fmt, const char *a)
{
	char p[256];
	snprintf(p, sizeof p, fmt, tmpdir, a);
	cr_assert_eq(mkdir(p, 0755), 0, "%s", p);
}

Test(eval_data, png_folder_and_txt_folder_load_the_same_objects)
{
	strcpy(tmpdir, "/tmp/test_eval_XXXXXX");
	cr_assert(mkdtemp(tmpdir));
	mkd("%s/%s", "png"), mkd("%s/%s", "png/0002"), mkd("%s/%s", "txt");
	char p[256], err[256];
	snprintf(p, sizeof p, "%s/txt/0002.txt", tmpdir);
	FILE *txt = fopen(p, "w");
	for (int f = 0; f < 3; f++) {
		uint16_t map[H * W] = { 0 };
		for (int y = 0; y < H; y++)
			map[y * W + f] = 2001, map[y * W + 7] = 1005;
		if (f == 1)
			map[2 * W + 4] = 10000;
		image im = { .w = W, .h = H, .c = 1, .depth = 16, .data = map };
		snprintf(p, sizeof p, "%s/png/0002/%06d.png", tmpdir, f);
		cr_assert_eq(png_save(p, &im, err, sizeof err), 0, "%s", err);
		eval_objs e = { 0 };
		eval_objs_from_instance_map(&e, map, H, W, f);
		for (size_t i = 0; i < e.n; i++) {
			char *s = rle_to_string(&e.o[i].rle);
			mots_write_line(txt, f, e.o[i].id, e.o[i].cls, H, W, s);
			free(s);
		}
		eval_objs_free(&e);
	}
	fclose(txt);

	eval_set a, b;
	snprintf(p, sizeof p, "%s/png", tmpdir);
	cr_assert_eq(eval_load_masks(p, &a, err, sizeof err), 0, "%s", err);
	snprintf(p, sizeof p, "%s/txt", tmpdir);
	cr_assert_eq(eval_load_masks(p, &b, err, sizeof err), 0, "%s", err);
	cr_assert_eq(a.n, 1);
	cr_assert_eq(b.n, 1);
	cr_assert_str_eq(a.seq[0].name, "0002");
	cr_assert_str_eq(b.seq[0].name, "0002");
	cr_assert_eq(a.seq[0].n, 7);
	cr_assert_eq(b.seq[0].n, 7);
	for (size_t i = 0; i < 7; i++) {
		const eval_obj *x = &a.seq[0].o[i], *y = &b.seq[0].o[i];
		cr_assert_eq(x->frame, y->frame);
		cr_assert_eq(x->id, y->id);
		cr_assert_eq(x->cls, y->cls);
		cr_assert_eq(x->rle.m, y->rle.m);
		cr_assert_eq(memcmp(x->rle.cnts, y->rle.cnts, x->rle.m * sizeof *x->rle.cnts), 0);
	}
	/* One PNG sequence folder on its own is a sequence too. */
	eval_set c;
	snprintf(p, sizeof p, "%s/png/0002", tmpdir);
	cr_assert_eq(eval_load_masks(p, &c, err, sizeof err), 0, "%s", err);
	cr_assert(c.single);
	cr_assert_eq(c.seq[0].n, 7);
	eval_set_free(&a), eval_set_free(&b), eval_set_free(&c);

	/* An 8-bit PNG is not an instance map. */
	uint8_t g8[H * W] = { 0 };
	image im8 = { .w = W, .h = H, .c = 1, .depth = 8, .data = g8 };
	snprintf(p, sizeof p, "%s/png/0002/000003.png", tmpdir);
	cr_assert_eq(png_save(p, &im8, err, sizeof err), 0, "%s", err);
	snprintf(p, sizeof p, "%s/png", tmpdir);
	cr_assert_eq(eval_load_masks(p, &a, err, sizeof err), -1);
	cr_assert(strstr(err, "000003.png") && strstr(err, "16-bit"), "%s", err);

	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

Test(eval_data, seqmap_lines)
{
	char p[] = "/tmp/test_eval_map_XXXXXX", err[256];
	int fd = mkstemp(p);
	cr_assert(fd >= 0);
	FILE *fp = fdopen(fd, "w");
	fputs("0002 empty 000000 000232\n\n0005 empty 000001 000837\nMOTS20-09\n", fp);
	fclose(fp);
	eval_seqmap m;
	cr_assert_eq(eval_seqmap_load(p, &m, err, sizeof err), 0, "%s", err);
	cr_assert_eq(m.n, 3);
	cr_assert_str_eq(m.e[0].name, "0002");
	cr_assert_eq(m.e[0].last, 232);
	cr_assert_eq(m.e[1].first, 1);
	cr_assert_eq(m.e[2].last, -1);
	eval_seqmap_free(&m);
	fp = fopen(p, "w");
	fputs("0002 empty 5\n", fp);
	fclose(fp);
	cr_assert_eq(eval_seqmap_load(p, &m, err, sizeof err), -1);
	cr_assert(strstr(err, ":1:"), "%s", err);
	unlink(p);
}

Test(eval_data, max_matching_by_components)
{
	/* Component 1: 0-0 (3), 0-1 (2), 1-0 (2): best 0-1 + 1-0 = 4.
	 * Component 2: 5-7 twice (1 + 1). Total 6. */
	int g[5] = { 0, 0, 1, 5, 5 }, t[5] = { 0, 1, 0, 7, 7 };
	double w[5] = { 3, 2, 2, 1, 1 };
	cr_assert_eq(eval_max_matching(5, g, t, w), 6);
	cr_assert_eq(eval_max_matching(0, g, t, w), 0);
}

Test(eval_data, ids_are_numbered_in_ascending_order)
{
	eval_seq s;
	eval_seq_init(&s, "ids");
	fx_frame(&s, 0, 2, 1, 30, 10, 7, 0.0, 0.0);
	fx_frame(&s, 4, 1, 1, 20, -3, 0.0);
	fx_index(&s);
	cr_assert_eq(s.ngid, 3);
	cr_assert_eq(s.f[0].gi[0], 2);
	cr_assert_eq(s.f[0].gi[1], 0);
	cr_assert_eq(s.f[1].gi[0], 1);
	cr_assert_eq(s.f[1].ti[0], 0);
	cr_assert_null(eval_seq_add(&s, 4, 0, NULL, 0, NULL));
	eval_seq_free(&s);

	eval_seq_init(&s, "dup");
	fx_frame(&s, 0, 2, 0, 5, 5);
	char err[256];
	cr_assert_eq(eval_seq_index(&s, err, sizeof err), -1);
	cr_assert(strstr(err, "twice"), "%s", err);
	eval_seq_free(&s);
}
