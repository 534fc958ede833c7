/* Index operations: gathering rows, scatter-adding them back, top-k.
 * Index tensors are NN_I32 and 0-based here (the bindings convert).
 */
#ifndef NN_TENSOR_INDEX_H
#define NN_TENSOR_INDEX_H

#include "tensor.h"

/* r[i,...] = src[idx[i],...] along dim 0; idx any shape (its dims are
 * prepended: idx (N,k), src (V,D) -> r (N,k,D)).  Works for both dtypes. */
int nn_index_select(nn_tensor *r, const nn_tensor *src, const nn_tensor *idx);
/* dst[idx[i],...] += src[i,...] along dim 0 (rows of the same index add up). */
int nn_index_add(nn_tensor *dst, const nn_tensor *idx, const nn_tensor *src);
/* Largest k values along the last dim, sorted descending; idx is NN_I32. */
int nn_topk(nn_tensor *vals, nn_tensor *idx, const nn_tensor *a, int64_t k);
/* The same for one row p of n floats (1 <= k <= n): v, ix get k entries,
 * ties in index order, a NaN ranked first. */
void nn_topk_row(const float *p, int64_t n, int64_t k, float *v, int32_t *ix);

#endif
