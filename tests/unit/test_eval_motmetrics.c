/* py-motmetrics box semantics on hand-made sequences, and the MOT box
 * txt reader / writer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "box.h"
#include "eval/eval_motmetrics.h"
#include "mot_txt.h"
#include "test_eval_fixture.h"

static mm_counts run(eval_seq *s)
{
	mm_counts c;
	fx_index(s);
	mm_eval(s, &c);
	return c;
}

Test(motmetrics, keeps_the_previous_frames_match_while_it_is_valid)
{
	/* Frame 1: h2 is closer (0.95) but h1 (0.55) still matches o1. */
	eval_seq s;
	eval_seq_init(&s, "keep");
	fx_frame(&s, 1, 1, 2, 1, 1, 2, 0.9, 0.6);
	fx_frame(&s, 2, 1, 2, 1, 1, 2, 0.55, 0.95);
	mm_counts c = run(&s);
	cr_assert_eq(c.switches, 0);
	cr_assert_eq(c.matches, 2);
	cr_assert_eq(c.fp, 2);
	mm_scores r;
	mm_scores_of(&c, &r);
	cr_assert_near(r.motp, 1 - ((1 - 0.9) + (1 - 0.55)) / 2, "MOTP (mean IoU)");
	eval_seq_free(&s);
}

Test(motmetrics, after_a_missed_frame_the_assignment_is_redone)
{
	/* o1 is absent in frame 2 (o2 is there, so the frame counts): in
	 * frame 3 the previous match is not carried and h2 wins: a switch. */
	eval_seq s;
	eval_seq_init(&s, "gap");
	fx_frame(&s, 1, 1, 2, 1, 1, 2, 0.9, 0.6);
	fx_frame(&s, 2, 1, 1, 5, 3, 0.9);
	fx_frame(&s, 3, 1, 2, 1, 1, 2, 0.55, 0.95);
	mm_counts c = run(&s);
	cr_assert_eq(c.switches, 1);
	cr_assert_eq(c.matches, 2);
	mm_scores r;
	mm_scores_of(&c, &r);
	cr_assert_near(r.mota, 1 - (0 + 1 + 2) / 3.0, "MOTA");
	eval_seq_free(&s);

	/* A frame with no object at all is never seen by the accumulator:
	 * frame 1 stays "the previous frame" of frame 3. */
	eval_seq_init(&s, "empty gap");
	fx_frame(&s, 1, 1, 2, 1, 1, 2, 0.9, 0.6);
	fx_frame(&s, 3, 1, 2, 1, 1, 2, 0.55, 0.95);
	c = run(&s);
	cr_assert_eq(c.switches, 0);
	eval_seq_free(&s);
}

Test(motmetrics, switch_is_against_the_last_hypothesis_ever)
{
	/* h1, missed (frame 2 has o1 but only a far hypothesis), then h2. */
	eval_seq s;
	eval_seq_init(&s, "sw");
	fx_frame(&s, 1, 1, 1, 1, 1, 0.9);
	fx_frame(&s, 2, 1, 1, 1, 9, 0.1);
	fx_frame(&s, 3, 1, 1, 1, 2, 0.9);
	mm_counts c = run(&s);
	cr_assert_eq(c.switches, 1);
	cr_assert_eq(c.misses, 1);
	cr_assert_eq(c.frag, 1);
	eval_seq_free(&s);
}

Test(motmetrics, most_pairs_first_then_least_distance)
{
	/* o1-h1 0.9 alone would be cheapest; o1-h2 0.6 + o2-h1 0.7 gives
	 * two matches, which the expensive-edge trick makes preferable. */
	eval_seq s;
	eval_seq_init(&s, "card");
	fx_frame(&s, 1, 2, 2, 1, 2, 1, 2, 0.9, 0.6, 0.7, 0.0);
	mm_counts c = run(&s);
	cr_assert_eq(c.matches, 2);
	cr_assert_eq(c.fp, 0);
	cr_assert_eq(c.misses, 0);
	eval_seq_free(&s);
}

Test(motmetrics, iou_of_one_half_matches)
{
	box a = { 0, 0, 2, 1 }, b = { 0, 0, 1, 1 }, far = { 5, 5, 1, 1 };
	box touch = { 2, 0, 1, 1 };
	cr_assert_eq(box_iou(a, b), 0.5);
	cr_assert_eq(box_iou(a, a), 1);
	cr_assert_eq(box_iou(a, far), 0);
	cr_assert_eq(box_iou(a, touch), 0);
	eval_seq s;
	eval_seq_init(&s, "half");
	fx_frame(&s, 1, 1, 1, 1, 1, box_iou(a, b));
	fx_frame(&s, 2, 1, 1, 1, 1, 0.49999);
	mm_counts c = run(&s);
	cr_assert_eq(c.matches, 1);
	cr_assert_eq(c.misses, 1);
	cr_assert_eq(c.fp, 1);
	eval_seq_free(&s);
}

Test(motmetrics, mt_is_at_least_eighty_percent)
{
	/* Tracked 4/5 (MT here, PT in mots_tools), 1/5 (PT), 0/5 (ML). */
	int tracked[3] = { 4, 1, 0 };
	eval_seq s;
	eval_seq_init(&s, "mt");
	for (int f = 0; f < 5; f++) {
		eval_frame *fr = fx_frame(&s, f + 1, 3, 3, 1, 2, 3, 1, 2, 3, 0., 0., 0., 0., 0., 0., 0.,
					  0., 0.);
		for (int k = 0; k < 3; k++)
			fr->iou[k * 3 + k] = f < tracked[k] ? 0.7 : 0.2;
	}
	mm_counts c = run(&s);
	cr_assert_eq(c.mt, 1);
	cr_assert_eq(c.pt, 1);
	cr_assert_eq(c.ml, 1);
	cr_assert_eq(c.tracks, 3);
	eval_seq_free(&s);
}

Test(motmetrics, fragments_are_losses_inside_the_tracked_span)
{
	/* T M T M M T M: two fragmentations (the trailing miss is outside). */
	int on[7] = { 1, 0, 1, 0, 0, 1, 0 };
	eval_seq s;
	eval_seq_init(&s, "frag");
	for (int f = 0; f < 7; f++)
		fx_frame(&s, f + 1, 1, 1, 1, 1, on[f] ? 0.9 : 0.0);
	mm_counts c = run(&s);
	cr_assert_eq(c.frag, 2);
	cr_assert_eq(c.misses, 4);
	cr_assert_eq(c.switches, 0);
	eval_seq_free(&s);
}

Test(motmetrics, idf1_of_a_track_split_in_two_ids)
{
	eval_seq s;
	eval_seq_init(&s, "id");
	fx_frame(&s, 1, 1, 1, 1, 10, 0.8);
	fx_frame(&s, 2, 1, 1, 1, 10, 0.8);
	fx_frame(&s, 3, 1, 1, 1, 20, 0.8);
	fx_frame(&s, 4, 1, 1, 1, 20, 0.8);
	s.frames = 8;
	mm_counts c = run(&s);
	cr_assert_eq(c.idtp, 2);
	cr_assert_eq(c.idfp, 2);
	cr_assert_eq(c.idfn, 2);
	mm_scores r;
	mm_scores_of(&c, &r);
	cr_assert_near(r.idf1, 0.5, "IDF1");
	cr_assert_near(r.idp, 0.5, "IDP");
	cr_assert_eq(c.switches, 1);
	cr_assert_near(r.faf, 0, "FAF");
	eval_seq_free(&s);
}

Test(motmetrics, faf_is_false_positives_per_frame)
{
	eval_seq s;
	eval_seq_init(&s, "faf");
	fx_frame(&s, 1, 1, 2, 1, 1, 2, 0.9, 0.0);
	fx_frame(&s, 2, 0, 1, 3);
	s.frames = 10;
	mm_counts c = run(&s);
	mm_scores r;
	mm_scores_of(&c, &r);
	cr_assert_eq(c.fp, 2);
	cr_assert_near(r.faf, 0.2, "FAF");
	eval_seq_free(&s);
}

Test(mot_txt, reads_commas_blanks_and_optional_columns)
{
	mot_box b;
	char err[200];
	cr_assert_eq(mot_parse_line("12,3,10.5,20,28,28,1,-1,-1,-1", &b, err, sizeof err), 0, "%s", err);
	cr_assert_eq(b.frame, 12);
	cr_assert_eq(b.id, 3);
	cr_assert_eq(b.x, 10.5);
	cr_assert_eq(b.h, 28);
	cr_assert_eq(b.conf, 1);
	cr_assert_eq(b.cls, -1);
	cr_assert_eq(mot_parse_line("1 2 3 4 5 6", &b, err, sizeof err), 0, "%s", err);
	cr_assert_eq(b.conf, 1);   /* missing confidence */
	cr_assert_eq(mot_parse_line(" 1, 2 ,3,4,5,6,0.25,1,0.8,\r", &b, err, sizeof err), 0, "%s", err);
	cr_assert_eq(b.conf, 0.25);
	cr_assert_eq(b.cls, 1);
	cr_assert_eq(b.vis, 0.8);
	cr_assert_eq(mot_parse_line("   ", &b, err, sizeof err), 1);
}

Test(mot_txt, rejects_broken_lines)
{
	mot_box b;
	char err[200];
	cr_assert_eq(mot_parse_line("1,2,3,4,5", &b, err, sizeof err), -1);
	cr_assert(strstr(err, "at least 6"), "%s", err);
	cr_assert_eq(mot_parse_line("1,2,x,4,5,6", &b, err, sizeof err), -1);
	cr_assert(strstr(err, "bad x"), "%s", err);
	cr_assert_eq(mot_parse_line("1,2,,4,5,6", &b, err, sizeof err), -1);
	cr_assert_eq(mot_parse_line("1.5,2,3,4,5,6", &b, err, sizeof err), -1);
	cr_assert(strstr(err, "bad frame"), "%s", err);
	cr_assert_eq(mot_parse_line("1,2,3,4,-5,6", &b, err, sizeof err), -1);
	cr_assert_eq(mot_parse_line("1,2,3,4,nan,6", &b, err, sizeof err), -1);
	cr_assert_eq(mot_parse_line("1,2,inf,4,5,6", &b, err, sizeof err), -1);
	cr_assert_eq(mot_parse_line("1,2,3,4,5,6,1e999", &b, err, sizeof err), -1);
	/* integer columns are range-checked before they are converted */
	cr_assert_eq(mot_parse_line("1,2,3,4,5,6,1,4e41", &b, err, sizeof err), -1);
	cr_assert(strstr(err, "class"), "%s", err);
	cr_assert_eq(mot_parse_line("1,2,3,4,5,6,1,-3e9", &b, err, sizeof err), -1);
	cr_assert_eq(mot_parse_line("1,2,3,4,5,6,1,2147483647", &b, err, sizeof err), 0, "%s", err);
	cr_assert_eq(b.cls, 2147483647);
	cr_assert_eq(mot_parse_line("1,1e300,3,4,5,6", &b, err, sizeof err), -1);
	cr_assert_eq(mot_parse_line("-1,2,3,4,5,6", &b, err, sizeof err), -1);
	cr_assert(strstr(err, "frame -1 is negative"), "%s", err);
}

Test(mot_txt, writes_shortest_exact_numbers)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&buf, &n);
	cr_assert_eq(mot_write_line(fp, 7, 42, 10, 20.5, 28, 0.1, 1, 0), 0);
	fclose(fp);
	cr_assert_str_eq(buf, "7,42,10,20.5,28,0.1,1,-1,-1,-1\n");
	mot_box b;
	char err[200];
	buf[n - 1] = 0;
	cr_assert_eq(mot_parse_line(buf, &b, err, sizeof err), 0, "%s", err);
	cr_assert_eq(b.h, 0.1);
	free(buf);
}
