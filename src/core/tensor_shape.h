/* Shape operations: permute, squeeze, unsqueeze and flatten give views
 * (they share storage; flatten of a non-contiguous tensor copies first);
 * cat joins tensors along a dimension into a new tensor.
 * Dimensions are 0-based here (the bindings convert).
 */
#ifndef NN_TENSOR_SHAPE_H
#define NN_TENSOR_SHAPE_H

#include "tensor.h"

/* dst = view with dims reordered: dst dim i is src dim perm[i]; perm a
 * permutation of 0..ndim-1. */
int nn_tensor_permute(nn_tensor *dst, const nn_tensor *src, int n, const int *perm);
/* Drop dimension dim, which must have size 1; dim < 0 drops every size-1 dim. */
int nn_tensor_squeeze(nn_tensor *dst, const nn_tensor *src, int dim);
/* Insert a size-1 dimension at position dim (0..ndim). */
int nn_tensor_unsqueeze(nn_tensor *dst, const nn_tensor *src, int dim);
/* Merge dims first..last (inclusive) into one; contiguous copy when src is
 * not contiguous, else a view. */
int nn_tensor_flatten(nn_tensor *dst, const nn_tensor *src, int first, int last);
/* r = the n tensors joined along dim: same dtype, same sizes elsewhere.
 * r must not be one of them. */
int nn_tensor_cat(nn_tensor *r, int n, const nn_tensor *const *ts, int dim);

#endif
