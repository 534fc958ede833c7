/* Reductions of index (int32) tensors: sum, min and max, in exact integer
 * arithmetic (a float32 round trip would lose values above 2^24).
 *
 * Index tensors store 0-based values; `base` is added to every element
 * before reducing, so base = 1 gives the sums and extrema of the 1-based
 * values Lua shows, base = 0 those of the stored ones.
 */
#ifndef NN_TENSOR_REDUCE_INDEX_H
#define NN_TENSOR_REDUCE_INDEX_H

#include "tensor.h"
#include "tensor_math.h"

/* op NN_SUM, NN_MIN or NN_MAX over all elements (min/max need one). */
int nn_reduce_all_index(const nn_tensor *a, nn_redop op, int64_t base, int64_t *out);
/* Over one dim (kept with size 1 when keepdim).  NN_SUM: r is float32
 * holding sum(a + base) (sums are counts, not indices).  NN_MIN/NN_MAX: r is
 * an index tensor of the extreme stored values and idx (may be NULL) the
 * 0-based positions of the first extreme. */
int nn_reduce_dim_index(nn_tensor *r, nn_tensor *idx, const nn_tensor *a, int dim,
                        nn_redop op, bool keepdim, int64_t base);

#endif
