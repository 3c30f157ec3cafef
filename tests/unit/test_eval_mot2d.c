/* Box HOTA as TrackEval's MotChallenge2DBox computes it, on hand-made
 * boxes, and the number formats of the --csv files. */
#include <math.h>
#include <string.h>

#include "eval/eval_csv.h"
#include "eval/eval_mot2d.h"
#include "eval/eval_trackeval.h"
#include "test_eval_fixture.h"

/* Appends a box "frame,id,x,y,w,h,conf,cls". */
static void box(eval_objs *e, int64_t frame, int64_t id, double x, double y, double w, double h,
		double conf, int cls)
{
	e->o = realloc(e->o, (e->n + 1) * sizeof *e->o);
	eval_obj *o = &e->o[e->n++];
	memset(o, 0, sizeof *o);
	o->frame = frame, o->id = id, o->bx = x, o->by = y, o->w = w, o->h = h, o->conf = conf;
	o->cls = cls, o->line = (uint32_t)e->n;
}

static void hota_of(const eval_objs *g, const eval_objs *t, int classes, te_summary *s,
		    int64_t *removed)
{
	eval_seq q;
	te_hota h;
	char err[256];
	eval_seq_init(&q, "b");
	cr_assert_eq(mot2d_seq(&q, g, t, classes, removed, err, sizeof err), 0, "%s", err);
	te_hota_eval(&q, &h);
	te_hota_summary(&h, s);
	eval_seq_free(&q);
}

Test(mot2d, iou_is_trackevals)
{
	double a[4] = { 10, 10, 20, 10 }, b[4] = { 20, 10, 20, 10 }, z[4] = { 0, 0, 0, 5 };
	cr_assert_near(mot2d_iou(a, b), 100.0 / 300.0, "half overlap");
	cr_assert_eq(mot2d_iou(a, z), 0);
	cr_assert_eq(mot2d_iou(a, a), 1);
}

Test(mot2d, identical_boxes_give_hota_one)
{
	eval_objs g = { 0 };
	g.src = "gt";
	box(&g, 1, 1, 10, 10, 20, 10, 1, -1);
	box(&g, 2, 1, 12, 10, 20, 10, 1, -1);
	box(&g, 2, 3, 40, 10, 5, 5, 1, -1);
	te_summary s;
	int64_t rm;
	hota_of(&g, &g, 0, &s, &rm);
	cr_assert_eq(s.hota, 1); cr_assert_eq(s.deta, 1); cr_assert_eq(s.assa, 1);
	cr_assert_eq(s.loca, 1); cr_assert_eq(rm, 0);
	free(g.o);
}

/* One object seen as 5 then as 6: every detection matches, half the
 * association: AssA = (1 * 1/2 + 1 * 1/2) / 2, HOTA = sqrt(1/2). */
Test(mot2d, id_change_halves_assa)
{
	eval_objs g = { 0 }, t = { 0 };
	g.src = "gt", t.src = "res";
	box(&g, 1, 1, 0, 0, 10, 10, 1, 1);
	box(&g, 2, 1, 0, 0, 10, 10, 1, 1);
	box(&t, 1, 5, 0, 0, 10, 10, 1, -1);
	box(&t, 2, 6, 0, 0, 10, 10, 1, -1);
	te_summary s;
	int64_t rm;
	hota_of(&g, &t, 1, &s, &rm);
	cr_assert_near(s.deta, 1, "DetA");
	cr_assert_near(s.assa, 0.5, "AssA");
	cr_assert_near(s.hota, sqrt(0.5), "HOTA");
	free(g.o), free(t.o);
}

/* A result on a distractor (class 8) is removed; one on a zero-marked
 * pedestrian stays as a false positive; a class-3 box is not scored. */
Test(mot2d, distractors_and_zero_marked)
{
	eval_objs g = { 0 }, t = { 0 };
	g.src = "gt", t.src = "res";
	box(&g, 1, 1, 0, 0, 10, 10, 1, 1);
	box(&g, 1, 2, 50, 0, 10, 10, 1, 8);
	box(&g, 1, 3, 100, 0, 10, 10, 0, 1);
	box(&g, 1, 4, 150, 0, 10, 10, 1, 3);
	box(&t, 1, 7, 0, 0, 10, 10, 1, -1);
	box(&t, 1, 8, 50, 0, 10, 10, 1, -1);
	box(&t, 1, 9, 100, 0, 10, 10, 1, -1);
	eval_seq q;
	te_hota h;
	int64_t rm;
	char err[256];
	eval_seq_init(&q, "d");
	cr_assert_eq(mot2d_seq(&q, &g, &t, 1, &rm, err, sizeof err), 0, "%s", err);
	cr_assert_eq(rm, 1);
	cr_assert_eq(q.f[0].ng, 1); cr_assert_eq(q.f[0].nt, 2);
	te_hota_eval(&q, &h);
	cr_assert_eq(h.tp[0], 1); cr_assert_eq(h.fp[0], 1); cr_assert_eq(h.fn[0], 0);
	eval_seq_free(&q);
	/* Without classes, every box with a nonzero conf is ground truth. */
	eval_seq_init(&q, "d");
	cr_assert_eq(mot2d_seq(&q, &g, &t, 0, &rm, err, sizeof err), 0, "%s", err);
	cr_assert_eq(rm, 0); cr_assert_eq(q.f[0].ng, 3); cr_assert_eq(q.f[0].nt, 3);
	eval_seq_free(&q);
	g.o[3].cls = 14;
	cr_assert_neq(mot2d_check(&g, &t, 1, err, sizeof err), 0);
	free(g.o), free(t.o);
}

Test(mot2d, python_float_repr)
{
	static const struct { double v; const char *s; } c[] = {
		{ 1, "1.0" }, { 0, "0.0" }, { 0.5, "0.5" }, { 1e-5, "1e-05" }, { 0.0001, "0.0001" },
		{ 123.0, "123.0" }, { 0.1 + 0.2, "0.30000000000000004" }, { 1e16, "1e+16" },
		{ 1234567890123456.0, "1234567890123456.0" }, { -2.5e-7, "-2.5e-07" },
		{ 0.8606060606060606, "0.8606060606060606" }, { 1.5e300, "1.5e+300" },
	};
	char b[64];
	for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
		csv_pyfloat(b, sizeof b, c[i].v);
		cr_assert_str_eq(b, c[i].s);
	}
}

Test(mot2d, numpy_mean_of_19)
{
	double v[19];
	for (int i = 0; i < 19; i++)
		v[i] = 1;
	cr_assert_eq(csv_np_mean19(v), 1);
}
