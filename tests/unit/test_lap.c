/* lap_solve against brute force on random small matrices, plus the
 * properties the evaluators rely on. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "eval/lap.h"
#include "rng.h"

/* Best total over every injective map of the smaller side into the larger,
 * skipping forbidden (infinite) entries; NAN when no complete map exists. */
static double brute(int nr, int nc, const double *c, int maxi)
{
	int k = nr < nc ? nr : nc, big = nr < nc ? nc : nr;
	int pick[8], used[8] = { 0 };
	double best = NAN;
	int d = 0;
	pick[0] = -1;
	while (d >= 0) {
		if (pick[d] >= 0)
			used[pick[d]] = 0;
		do
			pick[d]++;
		while (pick[d] < big && used[pick[d]]);
		if (pick[d] >= big) {
			d--;
			continue;
		}
		used[pick[d]] = 1;
		if (d + 1 < k) {
			pick[++d] = -1;
			continue;
		}
		double s = 0;
		for (int a = 0; a < k; a++)
			s += nr < nc ? c[a * nc + pick[a]] : c[pick[a] * nc + a];
		if (isfinite(s) && (isnan(best) || (maxi ? s > best : s < best)))
			best = s;
	}
	return best;
}

static void check_valid(int nr, int nc, const int *col4row)
{
	int seen[8] = { 0 }, n = 0;
	for (int i = 0; i < nr; i++) {
		if (col4row[i] < 0)
			continue;
		cr_assert_lt(col4row[i], nc);
		cr_assert_eq(seen[col4row[i]], 0, "column %d used twice", col4row[i]);
		seen[col4row[i]] = 1;
		n++;
	}
	cr_assert_eq(n, nr < nc ? nr : nc, "matching has %d pairs", n);
}

static void random_case(rng *r, int integer, int forbid, int maxi)
{
	int nr = 1 + (int)rng_below(r, 7), nc = 1 + (int)rng_below(r, 7);
	double c[64];
	int a[8];
	for (int i = 0; i < nr * nc; i++) {
		c[i] = integer ? (double)rng_below(r, 4) : rng_uniform(r) * 10 - 3;
		if (forbid && rng_below(r, 4) == 0)
			c[i] = maxi ? -INFINITY : INFINITY;
	}
	double want = brute(nr, nc, c, maxi);
	int rc = lap_solve(nr, nc, c, maxi, a);
	if (isnan(want)) {
		cr_assert_eq(rc, LAP_INFEASIBLE, "%dx%d: expected infeasible", nr, nc);
		return;
	}
	cr_assert_eq(rc, LAP_OK, "%dx%d: rc %d", nr, nc, rc);
	check_valid(nr, nc, a);
	double got = lap_cost(nr, nc, c, a);
	cr_assert(fabs(got - want) < 1e-9, "%dx%d %s: %.12g, brute force %.12g", nr, nc,
		  maxi ? "max" : "min", got, want);
}

Test(lap, matches_brute_force_on_random_real_matrices)
{
	rng r;
	rng_seed(&r, 1);
	for (int t = 0; t < 3000; t++)
		random_case(&r, 0, 0, t & 1);
}

Test(lap, matches_brute_force_with_many_ties)
{
	rng r;
	rng_seed(&r, 2);
	for (int t = 0; t < 3000; t++)
		random_case(&r, 1, 0, t & 1);
}

Test(lap, forbidden_entries_and_infeasible_problems)
{
	rng r;
	rng_seed(&r, 3);
	for (int t = 0; t < 3000; t++)
		random_case(&r, t & 2, 1, t & 1);
}

Test(lap, constant_matrix_gives_the_identity_like_scipy)
{
	double c[12] = { 0 };
	int a[4];
	cr_assert_eq(lap_solve(3, 4, c, 0, a), LAP_OK);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(a[i], i);
	cr_assert_eq(lap_solve(4, 3, c, 1, a), LAP_OK);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(a[i], i);
	cr_assert_eq(a[3], -1);
}

Test(lap, tall_matrix_leaves_the_worst_row_out)
{
	/* 3 rows, 1 column: maximising keeps the row with the largest value. */
	double c[3] = { 0.2, 0.9, 0.5 };
	int a[3];
	cr_assert_eq(lap_solve(3, 1, c, 1, a), LAP_OK);
	cr_assert_eq(a[0], -1);
	cr_assert_eq(a[1], 0);
	cr_assert_eq(a[2], -1);
	cr_assert_eq(lap_solve(3, 1, c, 0, a), LAP_OK);
	cr_assert_eq(a[0], 0);
}

Test(lap, greedy_is_not_optimal_here)
{
	/* Greedy takes 0.9 then 0.1 (1.0); optimal is 0.8 + 0.8. */
	double c[4] = { 0.9, 0.8, 0.8, 0.1 };
	int a[2];
	cr_assert_eq(lap_solve(2, 2, c, 1, a), LAP_OK);
	cr_assert_eq(a[0], 1);
	cr_assert_eq(a[1], 0);
}

Test(lap, rejects_nan_and_empty_is_fine)
{
	double c[2] = { 1, NAN };
	int a[2] = { 7, 7 };
	cr_assert_eq(lap_solve(1, 2, c, 0, a), LAP_INVALID);
	double m[1] = { -INFINITY };
	cr_assert_eq(lap_solve(1, 1, m, 0, a), LAP_INVALID);
	cr_assert_eq(lap_solve(2, 0, c, 0, a), LAP_OK);
	cr_assert_eq(a[0], -1);
	cr_assert_eq(a[1], -1);
}

Test(lap, larger_random_problem_is_a_valid_optimum_by_duality)
{
	/* 60 x 80: check no single 2-swap improves the assignment. */
	rng r;
	rng_seed(&r, 4);
	enum { R = 60, C = 80 };
	static double c[R * C];
	int a[R];
	for (int i = 0; i < R * C; i++)
		c[i] = rng_uniform(&r);
	cr_assert_eq(lap_solve(R, C, c, 0, a), LAP_OK);
	int used[C] = { 0 };
	for (int i = 0; i < R; i++)
		used[a[i]] = 1;
	for (int i = 0; i < R; i++) {
		for (int k = 0; k < R; k++)
			cr_assert_geq(c[i * C + a[k]] + c[k * C + a[i]] + 1e-12, c[i * C + a[i]] + c[k * C + a[k]]);
		for (int j = 0; j < C; j++)
			if (!used[j])
				cr_assert_geq(c[i * C + j] + 1e-12, c[i * C + a[i]]);
	}
}
