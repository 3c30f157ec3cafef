/* libFuzzer: mots_tools / TrackEval seqmap files. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>

#include "eval/eval_load.h"
#include "fuzz_tmp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[300], err[300] = "";
	eval_seqmap m;
	snprintf(path, sizeof path, "%s/seqmap.txt", fuzz_tmp());
	if (fuzz_write(path, data, size) != 0)
		return 0;
	if (eval_seqmap_load(path, &m, err, sizeof err) != 0) {
		if (!err[0] || m.n || m.e)
			abort();   /* a failure says why and leaves nothing */
		return 0;
	}
	if (m.n < 1)
		abort();
	for (int i = 0; i < m.n; i++) {
		const eval_seqmap_entry *e = &m.e[i];
		if (!e->name[0] || isspace((unsigned char)e->name[0]))
			abort();
		/* both bounds or neither, and a range that is not empty */
		if ((e->first < 0) != (e->last < 0) || e->last < e->first)
			abort();
	}
	eval_seqmap_free(&m);
	return 0;
}
