/* Comparison and selection: gt/ge/lt/le/eq/ne, where, masked_fill.
 *
 * Comparisons give a float32 tensor of 0 and 1 (not a separate boolean
 * type): a mask can then be summed or averaged (the fraction of true
 * entries), multiplied into another tensor, or passed to where/masked_fill,
 * which treat any non-zero element as true.  NaN compares false except
 * with ne, as in IEEE arithmetic.
 *
 * Operands broadcast (tensor_broadcast.h).  Both tensors of a comparison
 * have the same dtype; index tensors compare their stored (0-based) values,
 * so a scalar for an index tensor must be given in that convention (the
 * bindings shift Lua's 1-based numbers).
 */
#ifndef NN_TENSOR_COMPARE_H
#define NN_TENSOR_COMPARE_H

#include "tensor.h"

typedef enum { NN_GT, NN_GE, NN_LT, NN_LE, NN_EQ, NN_NE } nn_cmpop;

/* r (float32, the broadcast shape) = a op b ? 1 : 0.  r must not alias. */
int nn_compare(nn_tensor *r, const nn_tensor *a, const nn_tensor *b, nn_cmpop op);
/* r (float32, a's shape) = a op s ? 1 : 0. */
int nn_compare_scalar(nn_tensor *r, const nn_tensor *a, double s, nn_cmpop op);
/* r = cond != 0 ? a : b elementwise over the broadcast shape of the three;
 * cond float32, a and b of one dtype (r gets it).  r must not alias. */
int nn_where(nn_tensor *r, const nn_tensor *cond, const nn_tensor *a,
             const nn_tensor *b);
/* t[mask != 0] = v in place; mask float32, broadcastable to t's shape. */
int nn_masked_fill(nn_tensor *t, const nn_tensor *mask, double v);

#endif
