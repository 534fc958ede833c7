/* Elementwise arithmetic, unary maps and reductions on float32 tensors.
 *
 * All results are written to `r`, which is resized to the result's shape and
 * may alias an input (in-place).  Inputs may be non-contiguous views.
 */
#ifndef NN_TENSOR_MATH_H
#define NN_TENSOR_MATH_H

#include "tensor.h"

typedef enum { NN_ADD, NN_SUB, NN_MUL, NN_DIV } nn_binop;

/* r = a op b with broadcasting (tensor_broadcast.h): same shapes, a row
 * (M) or (1,M) or a column (N,1) against (N,M), (N,1) against (1,M) -> (N,M).
 * In place (r == a) the broadcast shape must be a's. */
int nn_binary(nn_tensor *r, const nn_tensor *a, const nn_tensor *b, nn_binop op);
/* r = a op s, or with swap: r = s op a. */
int nn_binary_scalar(nn_tensor *r, const nn_tensor *a, double s, nn_binop op,
                     bool swap);
/* r += alpha * b  (axpy on same shapes). */
int nn_axpy(nn_tensor *r, double alpha, const nn_tensor *b);

typedef enum {
  NN_EXP, NN_LOG, NN_TANH, NN_SIGMOID, NN_RELU, NN_SQRT, NN_ABS, NN_NEG,
  NN_SQUARE, NN_SIGN
} nn_unop;
/* NN_SIGN: -1, 0 or 1 (NaN stays NaN). */
int nn_unary(nn_tensor *r, const nn_tensor *a, nn_unop op);
int nn_clamp(nn_tensor *r, const nn_tensor *a, double lo, double hi);
int nn_pow(nn_tensor *r, const nn_tensor *a, double p);

typedef enum { NN_SUM, NN_MEAN, NN_MAX, NN_MIN, NN_VAR, NN_STD } nn_redop;
/* Reduction over all elements (double accumulation); var/std are unbiased
 * (divide by n-1) unless `biased`. */
int nn_reduce_all(const nn_tensor *a, nn_redop op, bool biased, double *out);
/* Reduction over one dim; the dim is kept with size 1 when keepdim.
 * For MAX/MIN, `idx` (may be NULL) receives the NN_I32 arg indices (0-based). */
int nn_reduce_dim(nn_tensor *r, nn_tensor *idx, const nn_tensor *a, int dim,
                  nn_redop op, bool biased, bool keepdim);

/* max |a-b| <= atol + rtol*|b| elementwise, and same shapes. */
bool nn_allclose(const nn_tensor *a, const nn_tensor *b, double rtol, double atol);
double nn_max_abs_diff(const nn_tensor *a, const nn_tensor *b);

#endif
