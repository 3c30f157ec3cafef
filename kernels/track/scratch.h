/* scratch.h: buffers reused from call to call (the tracker's windows).
 *
 * A scratch holds up to SCRATCH_SLOTS buffers, each numbered by its user;
 * one user per scratch, so that the numbers do not collide. */
#ifndef USC_SCRATCH_H
#define USC_SCRATCH_H

#include <stddef.h>

enum { SCRATCH_SLOTS = 24 };

typedef struct scratch scratch;

scratch *scratch_new(void);
void scratch_free(scratch *ws);
/* Buffer b (0 <= b < SCRATCH_SLOTS) with room for n elements of size sz
 * (at least one); its contents are not kept. */
void *scratch_buf(scratch *ws, int b, size_t n, size_t sz);

#endif
