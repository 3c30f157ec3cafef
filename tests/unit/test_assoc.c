/* Cluster-to-track association, usc-mots-method(7), ASSOCIATION: births, extension,
 * majority vote, and the cases that change nothing. */
#include <criterion/criterion.h>

#include "track/assoc.h"

static assoc_opts opts(void)
{
	assoc_opts o;
	assoc_opts_default(&o);
	return o;
}

Test(assoc, birth_needs_two_unlabelled_members)
{
	assoc_opts o = opts();
	int64_t next = 4, one[1] = {0}, two[2] = {0, 0};
	cr_assert_eq(assoc_cluster(&o, 1, one, NULL, &next), ASSOC_NONE);
	cr_assert_eq(one[0], 0);
	cr_assert_eq(assoc_cluster(&o, 2, two, NULL, &next), ASSOC_BIRTH);
	cr_assert_eq(two[0], 4);
	cr_assert_eq(two[1], 4);
	cr_assert_eq(next, 5);
}

Test(assoc, min_size_is_an_option)
{
	assoc_opts o = opts();
	o.min_size = 3;
	int64_t next = 1, ids[2] = {0, 0};
	cr_assert_eq(assoc_cluster(&o, 2, ids, NULL, &next), ASSOC_NONE);
	o.min_size = 1;
	int64_t one[1] = {0};
	cr_assert_eq(assoc_cluster(&o, 1, one, NULL, &next), ASSOC_BIRTH);
	cr_assert_eq(one[0], 1);
}

Test(assoc, weak_clusters_start_nothing)
{
	assoc_opts o = opts();   /* score sum / 3 must reach 0.1 */
	int64_t next = 1, ids[2] = {0, 0};
	float low[2] = {0.1f, 0.1f}, ok[2] = {0.15f, 0.15f};
	cr_assert_eq(assoc_cluster(&o, 2, ids, low, &next), ASSOC_NONE);
	cr_assert_eq(ids[0], 0);
	cr_assert_eq(assoc_cluster(&o, 2, ids, ok, &next), ASSOC_BIRTH);
}

Test(assoc, mostly_unlabelled_joins_the_largest_id)
{
	assoc_opts o = opts();
	int64_t next = 9, ids[5] = {0, 3, 0, 5, 0};
	cr_assert_eq(assoc_cluster(&o, 5, ids, NULL, &next), ASSOC_EXTEND);
	int64_t want[5] = {5, 3, 5, 5, 5};
	for (int i = 0; i < 5; i++)
		cr_assert_eq(ids[i], want[i]);
	cr_assert_eq(next, 9, "no new id");
}

Test(assoc, majority_vote_labels_the_first_member)
{
	assoc_opts o = opts();
	int64_t next = 9, ids[3] = {0, 6, 6};
	cr_assert_eq(assoc_cluster(&o, 3, ids, NULL, &next), ASSOC_VOTE);
	cr_assert_eq(ids[0], 6);
	/* two unlabelled, as many as the id: no strict majority of 0 */
	int64_t tie[4] = {0, 2, 2, 0};
	cr_assert_eq(assoc_cluster(&o, 4, tie, NULL, &next), ASSOC_VOTE);
	cr_assert_eq(tie[0], 2);
	cr_assert_eq(tie[3], 0, "only the first member");
}

Test(assoc, vote_all_labels_every_unlabelled_member)
{
	assoc_opts o = opts();
	o.vote_all = 1;
	int64_t next = 9, ids[4] = {2, 2, 0, 0};
	cr_assert_eq(assoc_cluster(&o, 4, ids, NULL, &next), ASSOC_VOTE);
	cr_assert_eq(ids[2], 2);
	cr_assert_eq(ids[3], 2);
	o.vote_all = 0;
	int64_t first[4] = {2, 2, 0, 0};
	assoc_cluster(&o, 4, first, NULL, &next);
	cr_assert_eq(first[2], 0, "first member labelled: nothing to do");
}

Test(assoc, ties_go_to_the_larger_id)
{
	int64_t ids[5] = {0, 3, 7, 7, 3};
	cr_assert_eq(assoc_vote(5, ids), 7);
	int64_t none[2] = {0, 0};
	cr_assert_eq(assoc_vote(2, none), 0);
	assoc_opts o = opts();
	int64_t next = 1, c[3] = {0, 3, 7};
	assoc_cluster(&o, 3, c, NULL, &next);
	cr_assert_eq(c[0], 7);
}

Test(assoc, labelled_clusters_are_left_alone)
{
	assoc_opts o = opts();
	int64_t next = 1, ids[3] = {4, 4, 5};
	cr_assert_eq(assoc_cluster(&o, 3, ids, NULL, &next), ASSOC_NONE);
	cr_assert_eq(ids[2], 5);
	cr_assert_eq(next, 1);
}
