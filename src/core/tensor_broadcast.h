/* Broadcasting (numpy/PyTorch rules): shapes are aligned at their last
 * dimension; two sizes match when equal or when one of them is 1 (or the
 * dimension is missing), and the result takes the larger.  So a column
 * (N,1) and a row (1,M) or a vector (M) all combine with an (N,M) matrix,
 * and a 0-d scalar combines with anything.
 *
 * An operand is brought to the result's shape by a view with stride 0 in
 * its broadcast dimensions (nothing is copied); the elementwise kernels
 * then walk all operands with nn_iter in the same row-major order.
 */
#ifndef NN_TENSOR_BROADCAST_H
#define NN_TENSOR_BROADCAST_H

#include "tensor.h"

/* The broadcast shape of n tensors into (*ndim, size); an error naming the
 * first two shapes that do not combine. */
int nn_broadcast_shape(int n, const nn_tensor *const *ts, int *ndim, int64_t *size);
/* dst = view of src expanded to (ndim, size) (stride 0 where src has size 1
 * or lacks the dimension); src's shape must broadcast to it. */
int nn_tensor_expand(nn_tensor *dst, const nn_tensor *src, int ndim,
                     const int64_t *size);

#endif
