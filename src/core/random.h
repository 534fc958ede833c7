/* The seeded random generator: PCG32 (O'Neill, pcg-random.org, the
 * "pcg32_random_r" XSH-RR variant with the default stream increment).
 *
 * One global generator serves everything random in nnsh (init, dropout,
 * shuffles, sampling) so that nn.seed(n) makes a whole run reproducible.
 * Normals come from Box-Muller on two uniforms, no cached spare, so the
 * sequence depends only on the seed and the number of draws.
 */
#ifndef NN_RANDOM_H
#define NN_RANDOM_H

#include <stdint.h>

#include "tensor.h"

typedef struct nn_rng {
  uint64_t state, inc;
} nn_rng;

void nn_rng_seed(nn_rng *r, uint64_t seed);
uint32_t nn_rng_u32(nn_rng *r);
double nn_rng_uniform(nn_rng *r);           /* [0,1) with 53 random bits */
double nn_rng_normal(nn_rng *r);            /* N(0,1) */
uint32_t nn_rng_below(nn_rng *r, uint32_t n); /* unbiased in [0,n) */

nn_rng *nn_global_rng(void); /* seeded with 0 at start */
void nn_seed(uint64_t seed);
uint64_t nn_current_seed(void);

/* Fill tensors from the global generator (resized by the caller). */
int nn_tensor_uniform(nn_tensor *t, double lo, double hi);
int nn_tensor_normal(nn_tensor *t, double mean, double std);
/* t becomes an NN_I32 random permutation of 0..n-1 (Fisher-Yates). */
int nn_tensor_randperm(nn_tensor *t, int64_t n);

#endif
