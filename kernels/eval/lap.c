#include "eval/lap.h"
#include "err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	int nr, nc;
	const double *c;       /* nr x nc, nr <= nc, minimisation */
	double *u, *v, *spc;   /* row duals, column duals, shortest path costs */
	int *path, *row4col, *col4row, *remaining;
	char *sr, *sc;         /* rows / columns reached by the current search */
} lap_ws;

/* Dijkstra-like search from free row i for the cheapest path to a free
 * column in reduced costs. Returns the sink column, or -1 when only
 * forbidden entries remain. */
static int augmenting_path(lap_ws *w, int i, double *min_out)
{
	int nc = w->nc, nrem = nc, sink = -1;
	double minval = 0;
	/* Filled from the back, as scipy does: a constant matrix then gives
	 * the identity assignment. */
	for (int it = 0; it < nc; it++)
		w->remaining[it] = nc - it - 1;
	memset(w->sr, 0, (size_t)w->nr);
	memset(w->sc, 0, (size_t)nc);
	for (int j = 0; j < nc; j++)
		w->spc[j] = INFINITY;

	while (sink == -1) {
		int index = -1;
		double lowest = INFINITY;
		w->sr[i] = 1;
		for (int it = 0; it < nrem; it++) {
			int j = w->remaining[it];
			double r = minval + w->c[(size_t)i * nc + j] - w->u[i] - w->v[j];
			if (r < w->spc[j]) {
				w->path[j] = i;
				w->spc[j] = r;
			}
			/* Among equal costs prefer a free column: it ends the search. */
			if (w->spc[j] < lowest || (w->spc[j] == lowest && w->row4col[j] == -1)) {
				lowest = w->spc[j];
				index = it;
			}
		}
		minval = lowest;
		if (minval == INFINITY)
			return -1;
		int j = w->remaining[index];
		if (w->row4col[j] == -1)
			sink = j;
		else
			i = w->row4col[j];
		w->sc[j] = 1;
		w->remaining[index] = w->remaining[--nrem];
	}
	*min_out = minval;
	return sink;
}

static int solve_wide(lap_ws *w)
{
	int nr = w->nr, nc = w->nc;
	for (int j = 0; j < nc; j++)
		w->v[j] = 0, w->row4col[j] = -1, w->path[j] = -1;
	for (int i = 0; i < nr; i++)
		w->u[i] = 0, w->col4row[i] = -1;

	for (int cur = 0; cur < nr; cur++) {
		double minval;
		int sink = augmenting_path(w, cur, &minval);
		if (sink < 0)
			return LAP_INFEASIBLE;
		w->u[cur] += minval;
		for (int i = 0; i < nr; i++)
			if (w->sr[i] && i != cur)
				w->u[i] += minval - w->spc[w->col4row[i]];
		for (int j = 0; j < nc; j++)
			if (w->sc[j])
				w->v[j] -= minval - w->spc[j];
		/* Flip the path back to the starting row. */
		int j = sink;
		for (;;) {
			int i = w->path[j];
			w->row4col[j] = i;
			int t = w->col4row[i];
			w->col4row[i] = j;
			j = t;
			if (i == cur)
				break;
		}
	}
	return LAP_OK;
}

int lap_solve(int nr, int nc, const double *cost, int maximise, int *col4row)
{
	for (int i = 0; i < nr; i++)
		col4row[i] = -1;
	if (nr <= 0 || nc <= 0)
		return LAP_OK;

	/* Tall problems are solved transposed; maximisation negated. */
	int tr = nc < nr;
	int r = tr ? nc : nr, c = tr ? nr : nc;
	size_t n = (size_t)nr * nc;
	double *tmp = NULL;
	const double *m = cost;
	if (tr || maximise) {
		tmp = xmalloc(n * sizeof *tmp);
		for (int i = 0; i < nr; i++)
			for (int j = 0; j < nc; j++) {
				double x = cost[(size_t)i * nc + j];
				tmp[tr ? (size_t)j * nr + i : (size_t)i * nc + j] = maximise ? -x : x;
			}
		m = tmp;
	}
	for (size_t k = 0; k < n; k++)
		if (isnan(m[k]) || m[k] == -INFINITY) {
			free(tmp);
			return LAP_INVALID;
		}

	lap_ws w = { .nr = r, .nc = c, .c = m };
	w.u = xmalloc((size_t)r * sizeof *w.u);
	w.v = xmalloc((size_t)c * sizeof *w.v);
	w.spc = xmalloc((size_t)c * sizeof *w.spc);
	w.path = xmalloc((size_t)c * sizeof *w.path);
	w.row4col = xmalloc((size_t)c * sizeof *w.row4col);
	w.remaining = xmalloc((size_t)c * sizeof *w.remaining);
	w.col4row = xmalloc((size_t)r * sizeof *w.col4row);
	w.sr = xmalloc((size_t)r);
	w.sc = xmalloc((size_t)c);

	int rc = solve_wide(&w);
	if (rc == LAP_OK) {
		if (tr)
			for (int j = 0; j < r; j++)   /* row j of the transpose = column j */
				col4row[w.col4row[j]] = j;
		else
			memcpy(col4row, w.col4row, (size_t)r * sizeof *col4row);
	}
	free(w.u), free(w.v), free(w.spc), free(w.path), free(w.row4col);
	free(w.remaining), free(w.col4row), free(w.sr), free(w.sc), free(tmp);
	return rc;
}

double lap_cost(int nr, int nc, const double *cost, const int *col4row)
{
	double s = 0;
	for (int i = 0; i < nr; i++)
		if (col4row[i] >= 0)
			s += cost[(size_t)i * nc + col4row[i]];
	return s;
}
