/* mots_tools CLEAR-MOTS on hand-made sequences, one rule per test. */
#include <math.h>

#include "eval/eval_motstools.h"
#include "test_eval_fixture.h"

/* One ground-truth object (id 2001) over n frames; res[f] is the result
 * id matched in frame f (IoU 0.9), 0 for no result at all. */
static void one_track(eval_seq *s, int n, const int *res)
{
	eval_seq_init(s, "t");
	for (int f = 0; f < n; f++) {
		if (res[f])
			fx_frame(s, f, 1, 1, 2001, res[f], 0.9);
		else
			fx_frame(s, f, 1, 0, 2001);
	}
	fx_index(s);
}

Test(mots_tools, id_switch_across_a_gap_counts_against_the_last_match)
{
	/* A A - B B: the switch is counted although frame 2 is missed (the
	 * KITTI devkit, which needs the previous frame tracked, would not). */
	int res[5] = { 7, 7, 0, 8, 8 };
	eval_seq s;
	mt_counts c;
	one_track(&s, 5, res);
	mt_eval(&s, &c);
	cr_assert_eq(c.tp, 4);
	cr_assert_eq(c.fn, 1);
	cr_assert_eq(c.fp, 0);
	cr_assert_eq(c.ids, 1);
	cr_assert_eq(c.frag, 1);
	/* tracked 4 of 5 = 0.8 exactly: not > 0.8, so partially tracked */
	cr_assert_eq(c.mt, 0);
	cr_assert_eq(c.pt, 1);
	mt_scores r;
	mt_scores_of(&c, &r);
	cr_assert_near(r.motsa, 1 - 2 / 5.0, "MOTSA");
	cr_assert_near(r.smotsa, (4 * 0.9 - 0 - 1) / 5, "sMOTSA");
	cr_assert_near(r.motsp, 0.9, "MOTSP");
	cr_assert_near(r.modsa, 1 - 1 / 5.0, "MODSA");
	eval_seq_free(&s);
}

Test(mots_tools, same_id_after_a_gap_is_a_fragment_not_a_switch)
{
	int res[5] = { 7, 7, 0, 7, 7 };
	eval_seq s;
	mt_counts c;
	one_track(&s, 5, res);
	mt_eval(&s, &c);
	cr_assert_eq(c.ids, 0);
	cr_assert_eq(c.frag, 1);
	eval_seq_free(&s);
}

Test(mots_tools, fragment_ending_in_the_last_frame)
{
	/* A A - A: the loop skips the last frame (it needs g[f+1]); the
	 * closing check after the loop counts it. */
	int res[4] = { 7, 7, 0, 7 };
	eval_seq s;
	mt_counts c;
	one_track(&s, 4, res);
	mt_eval(&s, &c);
	cr_assert_eq(c.frag, 1);
	cr_assert_eq(c.ids, 0);
	eval_seq_free(&s);

	/* - A: first tracked in the last frame also counts one (devkit quirk). */
	int late[2] = { 0, 7 };
	one_track(&s, 2, late);
	mt_eval(&s, &c);
	cr_assert_eq(c.frag, 1);
	cr_assert_eq(c.ml, 0);
	cr_assert_eq(c.pt, 1);   /* 1/2 */
	eval_seq_free(&s);

	/* A - - B - A: two switches (A->B, B->A), fragments at B? no: B is
	 * followed by a miss; at the last A the closing check counts one. */
	int many[6] = { 7, 0, 0, 8, 0, 7 };
	one_track(&s, 6, many);
	mt_eval(&s, &c);
	cr_assert_eq(c.ids, 2);
	cr_assert_eq(c.frag, 1);
	eval_seq_free(&s);
}

Test(mots_tools, switch_without_gap_is_also_a_fragment)
{
	/* A B B: IDS 1; the devkit's Frag test g[f-1] != g[f] fires on the
	 * switch too. */
	int res[3] = { 7, 8, 8 };
	eval_seq s;
	mt_counts c;
	one_track(&s, 3, res);
	mt_eval(&s, &c);
	cr_assert_eq(c.ids, 1);
	cr_assert_eq(c.frag, 1);
	cr_assert_eq(c.mt, 1);
	eval_seq_free(&s);
}

Test(mots_tools, mt_pt_ml_boundaries)
{
	/* Six tracks of 10 frames, tracked 10, 9, 8, 2, 1 and 0 times:
	 * > 0.8 MT (10, 9), 0.8 and 0.2 PT, < 0.2 ML (1 and never). */
	int tracked[6] = { 10, 9, 8, 2, 1, 0 };
	eval_seq s;
	eval_seq_init(&s, "b");
	for (int f = 0; f < 10; f++) {
		eval_frame *fr = fx_frame(&s, f, 6, 6, 1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16,
					  0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0.,
					  0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0., 0.);
		for (int k = 0; k < 6; k++)
			fr->iou[k * 6 + k] = f < tracked[k] ? 0.75 : 0.2;
	}
	fx_index(&s);
	mt_counts c;
	mt_eval(&s, &c);
	cr_assert_eq(c.mt, 2);
	cr_assert_eq(c.pt, 2);
	cr_assert_eq(c.ml, 2);
	cr_assert_eq(c.tracks, 6);
	cr_assert_eq(c.tp, 10 + 9 + 8 + 2 + 1);
	cr_assert_eq(c.fp, 60 - c.tp);
	eval_seq_free(&s);
}

Test(mots_tools, iou_must_exceed_one_half)
{
	eval_seq s;
	eval_seq_init(&s, "h");
	fx_frame(&s, 0, 1, 1, 1, 1, 0.5);
	fx_frame(&s, 1, 1, 1, 1, 1, 0.5000000001);
	fx_index(&s);
	mt_counts c;
	mt_eval(&s, &c);
	cr_assert_eq(c.tp, 1);
	cr_assert_eq(c.fn, 1);
	cr_assert_eq(c.fp, 1);
	eval_seq_free(&s);
}

Test(mots_tools, unmatched_result_in_ignore_region_is_not_a_false_positive)
{
	eval_seq s;
	eval_seq_init(&s, "i");
	/* results 1 (match), 2 (IoA 0.9), 3 (IoA exactly 0.5), 4 (outside) */
	eval_frame *f = fx_frame(&s, 0, 1, 4, 5, 1, 2, 3, 4, 0.8, 0., 0., 0.);
	f->ioa[0] = 0.7;   /* matched: stays a TP whatever its IoA */
	f->ioa[1] = 0.9;
	f->ioa[2] = 0.5;
	fx_index(&s);
	mt_counts c;
	mt_eval(&s, &c);
	cr_assert_eq(c.tp, 1);
	cr_assert_eq(c.n_ign, 1);
	cr_assert_eq(c.fp, 2);
	cr_assert_eq(c.n_tr, 4);
	mt_scores r;
	mt_scores_of(&c, &r);
	cr_assert_near(r.precision, 1 / 3.0, "precision");
	eval_seq_free(&s);
}

Test(mots_tools, sequences_add_up_and_empty_ground_truth_is_minus_infinity)
{
	int a[3] = { 7, 7, 7 }, b[2] = { 0, 9 };
	eval_seq s;
	mt_counts c1, c2, sum = { 0 };
	one_track(&s, 3, a);
	mt_eval(&s, &c1);
	eval_seq_free(&s);
	one_track(&s, 2, b);
	mt_eval(&s, &c2);
	eval_seq_free(&s);
	mt_add(&sum, &c1), mt_add(&sum, &c2);
	cr_assert_eq(sum.tp, 4);
	cr_assert_eq(sum.fn, 1);
	cr_assert_eq(sum.tracks, 2);
	mt_scores r;
	mt_scores_of(&sum, &r);
	cr_assert_near(r.motsa, 1 - 1 / 5.0, "MOTSA");

	mt_counts none = { 0 };
	none.fp = 3;
	mt_scores_of(&none, &r);
	cr_assert(isinf(r.motsa) && r.motsa < 0);
	cr_assert_eq(r.motsp, 0);   /* TrackEval's 0, not mots_tools' inf */
	cr_assert_eq(r.recall, 0);
}
