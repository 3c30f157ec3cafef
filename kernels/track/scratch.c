#include "track/scratch.h"
#include "err.h"

#include <stdlib.h>

struct scratch {
	void *p[SCRATCH_SLOTS];
	size_t cap[SCRATCH_SLOTS];
};

scratch *scratch_new(void)
{
	return xcalloc(1, sizeof(scratch));
}

void scratch_free(scratch *ws)
{
	if (!ws)
		return;
	for (int i = 0; i < SCRATCH_SLOTS; i++)
		free(ws->p[i]);
	free(ws);
}

void *scratch_buf(scratch *ws, int b, size_t n, size_t sz)
{
	if (b < 0 || b >= SCRATCH_SLOTS)
		abort();
	size_t bytes = (n ? n : 1) * sz;
	if (ws->cap[b] < bytes) {
		free(ws->p[b]);
		ws->cap[b] = bytes + bytes / 2;
		ws->p[b] = xmalloc(ws->cap[b]);
	}
	return ws->p[b];
}
