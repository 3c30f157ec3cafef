/* rng.h: the seeded generator behind every random choice (xoshiro256**,
 * seeded through splitmix64), so runs repeat exactly for one seed. */
#ifndef USC_RNG_H
#define USC_RNG_H

#include <stdint.h>

typedef struct rng { uint64_t s[4]; } rng;

void rng_seed(rng *r, uint64_t seed);
uint64_t rng_u64(rng *r);
double rng_uniform(rng *r);             /* [0, 1), 53 bits */
float rng_uniformf(rng *r);             /* [0, 1), 24 bits */
uint64_t rng_below(rng *r, uint64_t n); /* [0, n), unbiased */
double rng_normal(rng *r);              /* standard normal (Box-Muller) */
void rng_shuffle_u32(rng *r, uint32_t *a, uint64_t n);
/* An independent stream derived from r and a label (per thread, per task). */
rng rng_split(const rng *r, uint64_t label);

#endif
