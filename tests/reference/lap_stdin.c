/* lap_solve on matrices read from stdin, for lap_vs_scipy.py: each line
 * "NR NC MAXIMISE v11 v12 ...", answered by the column of each row (-1
 * for none). Built by pipelines/bench-eval.sh against the project's
 * library; not part of the tools. */
#include <stdio.h>
#include <stdlib.h>

#include "eval/lap.h"

int main(void)
{
	int nr, nc, mx;
	while (scanf("%d %d %d", &nr, &nc, &mx) == 3) {
		double *c = malloc(sizeof *c * (size_t)(nr * nc + 1));
		int *a = malloc(sizeof *a * (size_t)(nr + 1));
		for (int i = 0; i < nr * nc; i++)
			if (scanf("%lf", &c[i]) != 1)
				return 1;
		if (lap_solve(nr, nc, c, mx, a) != LAP_OK)
			return 1;
		for (int i = 0; i < nr; i++)
			printf("%d%c", a[i], i + 1 < nr ? ' ' : '\n');
		free(c), free(a);
	}
	return 0;
}
