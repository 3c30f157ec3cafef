/* eval_csv.h: TrackEval's result files for one class, written as
 * trackeval/utils.py writes them after HOTA, CLEAR, Identity and Count:
 *
 *   CLASS_summary.txt   two space-separated lines, the field names in
 *                       TrackEval's default order, then the COMBINED
 *                       values as its summaries print them ("%.5g" of
 *                       100 x the value, integers as they are);
 *   CLASS_detailed.csv  "seq" and every field (per-alpha columns
 *                       HOTA___5 .. HOTA___95 and HOTA___AUC, ...), one
 *                       row per sequence in name order, then COMBINED,
 *                       each number as Python's str() writes it.
 *
 * Lines end in CRLF, as Python's csv module ends them. Each file is
 * written atomically (outfile.h). */
#ifndef USC_EVAL_CSV_H
#define USC_EVAL_CSV_H

#include <stddef.h>

#include "eval/eval_trackeval.h"

typedef struct csv_seq {
	const char *name;
	const te_hota *hota;
	const te_clear *clr;
	const te_identity *id;
	const te_count *cnt;
} csv_seq;

/* Writes DIR/CLASS_summary.txt and DIR/CLASS_detailed.csv (DIR must
 * exist). Returns 0, or -1 with "PATH: why". */
int csv_write_class(const char *dir, const char *cls, const csv_seq *v, int n, char *err,
		    size_t errn);

/* Python's repr() of a float (shortest round trip, "1e-05", "0.5",
 * "1.0"): what csv and str() write. */
void csv_pyfloat(char *buf, size_t n, double v);
/* numpy's mean of 19 values (pairwise summation, then one division). */
double csv_np_mean19(const double *v);

#endif
