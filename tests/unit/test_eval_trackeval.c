/* TrackEval HOTA / CLEAR / Identity on hand-made sequences with values
 * worked out on paper. */
#include <math.h>

#include "eval/eval_motstools.h"
#include "eval/eval_trackeval.h"
#include "test_eval_fixture.h"

static void all_metrics(const eval_seq *s, te_summary *h, te_clear *c, te_identity *id)
{
	eval_seq p;
	te_hota hh;
	te_preprocess(s, &p);
	te_hota_eval(&p, &hh);
	te_hota_summary(&hh, h);
	te_clear_eval(&p, c);
	te_identity_eval(&p, id);
	eval_seq_free(&p);
}

Test(trackeval, alphas_are_numpy_arange)
{
	cr_assert_eq(te_alpha(0), 0.05);
	cr_assert_eq(te_alpha(9), 0.5);
	cr_assert_eq(te_alpha(2), 0.15000000000000002);
	cr_assert_eq(te_alpha(18), 0.9500000000000001);
}

Test(trackeval, iou_exactly_one_half_matches_here_but_not_in_mots_tools)
{
	eval_seq s;
	eval_seq_init(&s, "h");
	fx_frame(&s, 0, 1, 1, 1, 1, 0.5);
	fx_index(&s);
	mt_counts mt;
	mt_eval(&s, &mt);
	cr_assert_eq(mt.tp, 0);     /* mots_tools: IoU > 0.5 */
	cr_assert_eq(mt.fp, 1);
	te_summary h;
	te_clear c;
	te_identity id;
	all_metrics(&s, &h, &c, &id);
	cr_assert_eq(c.tp, 1);      /* TrackEval: IoU >= 0.5 - eps */
	cr_assert_eq(c.fp, 0);
	cr_assert_eq(id.idtp, 1);   /* Identity: IoU >= 0.5 */
	/* HOTA: matched for alpha 0.05 .. 0.50 (10 of 19), each perfect. */
	cr_assert_near(h.hota, 10 / 19.0, "HOTA");
	cr_assert_near(h.deta, 10 / 19.0, "DetA");
	cr_assert_near(h.assa, 10 / 19.0, "AssA");
	/* LocA: 0.5 where matched, 1 (1e-10 / 1e-10) where not. */
	cr_assert_near(h.loca, (10 * 0.5 + 9) / 19.0, "LocA");
	eval_seq_free(&s);
}

Test(trackeval, hota_of_a_track_split_in_two_ids)
{
	/* gt g over 4 frames; result a in frames 0-1, b in 2-3, IoU 1.
	 * DetA 1; AssA = (2 * 2/(4+2-2) + 2 * 2/(4+2-2)) / 4 = 0.5;
	 * AssRe = (2 * 2/4 * 2) / 4 = 0.5; AssPr = (2 * 2/2 * 2) / 4 = 1. */
	eval_seq s;
	eval_seq_init(&s, "split");
	fx_frame(&s, 0, 1, 1, 1, 10, 1.0);
	fx_frame(&s, 1, 1, 1, 1, 10, 1.0);
	fx_frame(&s, 2, 1, 1, 1, 20, 1.0);
	fx_frame(&s, 3, 1, 1, 1, 20, 1.0);
	fx_index(&s);
	te_summary h;
	te_clear c;
	te_identity id;
	all_metrics(&s, &h, &c, &id);
	cr_assert_near(h.deta, 1, "DetA");
	cr_assert_near(h.assa, 0.5, "AssA");
	cr_assert_near(h.assre, 0.5, "AssRe");
	cr_assert_near(h.asspr, 1, "AssPr");
	cr_assert_near(h.hota, sqrt(0.5), "HOTA");
	cr_assert_near(h.loca, 1, "LocA");
	/* Identity: g keeps one of the two ids: IDTP 2, IDFN 2, IDFP 2. */
	cr_assert_eq(id.idtp, 2);
	te_id_scores is;
	te_identity_scores_of(&id, &is);
	cr_assert_near(is.idf1, 0.5, "IDF1");
	cr_assert_eq(c.idsw, 1);
	eval_seq_free(&s);
}

Test(trackeval, hota_by_hand_with_localisation_and_a_false_positive)
{
	/* Frame 0: g-a IoU 0.62. Frame 1: g-a IoU 0.32, plus c with IoU 0.
	 * alpha <= 0.30 (6 values): TP 2, FN 0, FP 1: DetA 2/3, AssA 1.
	 * 0.35 .. 0.60 (6 values): TP 1, FN 1, FP 2: DetA 1/4,
	 *   AssA = 1 * 1/(2+2-1) = 1/3.
	 * 0.65 .. 0.95 (7 values): nothing matched: 0.
	 * LocA: 0.47, 0.62, and 1 where TP = 0. */
	eval_seq s;
	eval_seq_init(&s, "hand");
	fx_frame(&s, 0, 1, 1, 1, 10, 0.62);
	fx_frame(&s, 1, 1, 2, 1, 10, 30, 0.32, 0.0);
	fx_index(&s);
	te_summary h;
	te_clear c;
	te_identity id;
	all_metrics(&s, &h, &c, &id);
	cr_assert_near(h.hota, (6 * sqrt(2 / 3.0) + 6 * sqrt(1 / 12.0)) / 19, "HOTA");
	cr_assert_near(h.deta, (6 * 2 / 3.0 + 6 * 0.25) / 19, "DetA");
	cr_assert_near(h.assa, (6 * 1 + 6 / 3.0) / 19, "AssA");
	cr_assert_near(h.detre, (6 * 1 + 6 * 0.5) / 19, "DetRe");
	cr_assert_near(h.detpr, (6 * 2 / 3.0 + 6 * 1 / 3.0) / 19, "DetPr");
	cr_assert_near(h.loca, (6 * 0.47 + 6 * 0.62 + 7) / 19, "LocA");
	cr_assert_near(h.hota0, sqrt(2 / 3.0), "HOTA(0)");
	eval_seq_free(&s);
}

Test(trackeval, hota_combines_with_tp_weights)
{
	/* The split track (AssA 0.5, TP 4) and a perfect 2-frame track
	 * (AssA 1, TP 2): AssA = (0.5*4 + 1*2) / 6, DetA 1. */
	eval_seq a, b, pa, pb;
	eval_seq_init(&a, "a");
	fx_frame(&a, 0, 1, 1, 1, 10, 1.0);
	fx_frame(&a, 1, 1, 1, 1, 10, 1.0);
	fx_frame(&a, 2, 1, 1, 1, 20, 1.0);
	fx_frame(&a, 3, 1, 1, 1, 20, 1.0);
	fx_index(&a);
	eval_seq_init(&b, "b");
	fx_frame(&b, 5, 1, 1, 3, 30, 1.0);
	fx_frame(&b, 6, 1, 1, 3, 30, 1.0);
	fx_index(&b);
	te_hota h[2], all;
	te_preprocess(&a, &pa), te_preprocess(&b, &pb);
	te_hota_eval(&pa, &h[0]), te_hota_eval(&pb, &h[1]);
	te_hota_combine(h, 2, &all);
	te_summary s;
	te_hota_summary(&all, &s);
	cr_assert_near(s.assa, 4 / 6.0, "AssA");
	cr_assert_near(s.deta, 1, "DetA");
	cr_assert_near(s.hota, sqrt(4 / 6.0), "HOTA");
	eval_seq_free(&a), eval_seq_free(&b), eval_seq_free(&pa), eval_seq_free(&pb);
}

Test(trackeval, clear_keeps_the_previous_match_before_iou)
{
	/* Frame 1: b fits better (0.95) but a continues the track (1000 + 0.6). */
	eval_seq s;
	eval_seq_init(&s, "c");
	fx_frame(&s, 0, 1, 1, 1, 10, 0.9);
	fx_frame(&s, 1, 1, 2, 1, 10, 20, 0.6, 0.95);
	fx_index(&s);
	te_clear c;
	eval_seq p;
	te_preprocess(&s, &p);
	te_clear_eval(&p, &c);
	cr_assert_eq(c.idsw, 0);
	cr_assert_eq(c.tp, 2);
	cr_assert_eq(c.fp, 1);
	cr_assert_near(c.motp_sum, 0.9 + 0.6, "MOTP sum");
	te_clear_scores sc;
	te_clear_scores_of(&c, &sc);
	cr_assert_near(sc.mota, (2 - 1 - 0) / 2.0, "MOTA");
	cr_assert_near(sc.smota, (1.5 - 1 - 0) / 2.0, "sMOTA");
	eval_seq_free(&s), eval_seq_free(&p);
}

Test(trackeval, clear_switch_across_a_gap_and_the_fragment_quirk)
{
	/* g: a, (miss), b. With no result at all in the gap frame, TrackEval
	 * skips the frame without clearing "tracked in the previous step",
	 * so b is not a new fragment; with another result present it is. */
	eval_seq s, p;
	te_clear c;
	eval_seq_init(&s, "gap");
	fx_frame(&s, 0, 1, 1, 1, 10, 0.9);
	fx_frame(&s, 1, 1, 0, 1);
	fx_frame(&s, 2, 1, 1, 1, 20, 0.9);
	fx_index(&s);
	te_preprocess(&s, &p);
	te_clear_eval(&p, &c);
	cr_assert_eq(c.idsw, 1);
	cr_assert_eq(c.frag, 0);
	cr_assert_eq(c.fn, 1);
	eval_seq_free(&s), eval_seq_free(&p);

	eval_seq_init(&s, "gap2");
	fx_frame(&s, 0, 1, 1, 1, 10, 0.9);
	fx_frame(&s, 1, 1, 1, 1, 99, 0.0);
	fx_frame(&s, 2, 1, 1, 1, 20, 0.9);
	fx_index(&s);
	te_preprocess(&s, &p);
	te_clear_eval(&p, &c);
	cr_assert_eq(c.idsw, 1);
	cr_assert_eq(c.frag, 1);
	cr_assert_eq(c.fp, 1);
	eval_seq_free(&s), eval_seq_free(&p);
}

Test(trackeval, clear_mt_pt_ml_boundaries)
{
	/* Tracks tracked 5/5, 4/5 (0.8: PT), 1/5 (0.2: PT), 0/5 (ML). */
	int tracked[4] = { 5, 4, 1, 0 };
	eval_seq s, p;
	eval_seq_init(&s, "b");
	for (int f = 0; f < 5; f++) {
		eval_frame *fr = fx_frame(&s, f, 4, 4, 1, 2, 3, 4, 11, 12, 13, 14, 0., 0., 0., 0., 0., 0.,
					  0., 0., 0., 0., 0., 0., 0., 0., 0., 0.);
		for (int k = 0; k < 4; k++)
			fr->iou[k * 4 + k] = f < tracked[k] ? 0.8 : 0.1;
	}
	fx_index(&s);
	te_clear c;
	te_preprocess(&s, &p);
	te_clear_eval(&p, &c);
	cr_assert_eq(c.mt, 1);
	cr_assert_eq(c.pt, 2);
	cr_assert_eq(c.ml, 1);
	eval_seq_free(&s), eval_seq_free(&p);
}

Test(trackeval, unmatched_results_in_ignore_regions_are_deleted_first)
{
	/* Results: 1 matches (IoA 0.9, kept), 2 unmatched IoA 0.9 (deleted),
	 * 3 unmatched IoA exactly 0.5 (kept: needs > 0.5 + eps), 4 IoU 0.5
	 * with the second gt and IoA 0.9: a match here (>= 0.5 - eps), so
	 * kept, while mots_tools, for which 0.5 is no match, ignores it. */
	eval_seq s, p;
	eval_seq_init(&s, "ign");
	eval_frame *f = fx_frame(&s, 0, 2, 4, 1, 2, 1, 2, 3, 4,
				 0.8, 0.0, 0.0, 0.0,
				 0.0, 0.0, 0.0, 0.5);
	f->ioa[0] = 0.9, f->ioa[1] = 0.9, f->ioa[2] = 0.5, f->ioa[3] = 0.9;
	fx_index(&s);
	cr_assert_eq(te_preprocess(&s, &p), 1);
	cr_assert_eq(p.f[0].nt, 3);
	cr_assert_eq(p.f[0].tid[0], 1);
	cr_assert_eq(p.f[0].tid[1], 3);
	cr_assert_eq(p.f[0].tid[2], 4);
	cr_assert_eq(p.f[0].iou[1 * 3 + 2], 0.5);
	te_clear c;
	te_clear_eval(&p, &c);
	cr_assert_eq(c.tp, 2);
	cr_assert_eq(c.fp, 1);
	mt_counts mt;
	mt_eval(&s, &mt);
	cr_assert_eq(mt.tp, 1);
	cr_assert_eq(mt.n_ign, 2);
	cr_assert_eq(mt.fp, 1);
	cr_assert_eq(mt.fn, 1);
	eval_seq_free(&s), eval_seq_free(&p);
}

Test(trackeval, hota_assignment_follows_alignment_not_iou)
{
	/* Frames 0-2: g1-a 0.9 and g2-b 0.9. Frame 3: g1-a 0.3, g1-b 0.6,
	 * g2-b 0.25. IoU alone would give g1-b (0.6 > 0.3 + 0.25); the
	 * alignment over the sequence (about 0.71 for g1-a and g2-b, 0.07
	 * for g1-b) keeps g1-a, g2-b, so AssA stays 1 at low alphas. */
	eval_seq s;
	eval_seq_init(&s, "align");
	for (int t = 0; t < 3; t++)
		fx_frame(&s, t, 2, 2, 1, 2, 10, 20, 0.9, 0.0, 0.0, 0.9);
	fx_frame(&s, 3, 2, 2, 1, 2, 10, 20, 0.3, 0.6, 0.0, 0.25);
	fx_index(&s);
	eval_seq p;
	te_hota h;
	te_preprocess(&s, &p);
	te_hota_eval(&p, &h);
	cr_assert_eq(h.tp[0], 8);
	cr_assert_near(h.assa[0], 1, "AssA at 0.05");
	eval_seq_free(&s), eval_seq_free(&p);
}

Test(trackeval, empty_result_or_ground_truth)
{
	eval_seq s, p;
	eval_seq_init(&s, "e");
	fx_frame(&s, 0, 2, 0, 1, 2);
	fx_index(&s);
	te_summary h;
	te_clear c;
	te_identity id;
	all_metrics(&s, &h, &c, &id);
	cr_assert_eq(h.hota, 0);
	cr_assert_eq(h.loca, 1);
	cr_assert_eq(c.fn, 2);
	cr_assert_eq(c.ml, 2);
	cr_assert_eq(id.idfn, 2);
	eval_seq_free(&s);
	(void)p;
}
