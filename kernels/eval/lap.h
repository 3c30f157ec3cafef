/* lap.h: optimal assignment (linear sum assignment) for rectangular cost
 * matrices.
 *
 * Shortest augmenting paths with dual variables (Jonker-Volgenant, in the
 * form Crouse 2016 gives for rectangular problems), the algorithm behind
 * scipy.optimize.linear_sum_assignment. The search order follows scipy's
 * (wide problems row by row, tall ones transposed, ties broken towards
 * free columns, the remaining columns scanned from the last), so that equal
 * optimal assignments are chosen the way the Python evaluators choose them.
 *
 * Every row (or every column, when there are fewer) is assigned: the
 * matching has min(nr, nc) pairs and its total cost is minimal (maximal
 * with maximise). +inf entries (-inf when maximising) are forbidden pairs;
 * NaN is invalid. */
#ifndef USC_LAP_H
#define USC_LAP_H

enum { LAP_OK = 0, LAP_INFEASIBLE = -1, LAP_INVALID = -2 };

/* cost: nr x nc, row-major, not modified. On LAP_OK, col4row[r] is the
 * column assigned to row r, or -1 (rows left over when nr > nc).
 * Returns LAP_OK, LAP_INFEASIBLE (forbidden entries leave no complete
 * matching) or LAP_INVALID (a NaN, or -inf when minimising). */
int lap_solve(int nr, int nc, const double *cost, int maximise, int *col4row);

/* Total cost of an assignment returned by lap_solve(). */
double lap_cost(int nr, int nc, const double *cost, const int *col4row);

#endif
