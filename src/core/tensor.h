/* N-d tensors: a typed, strided view of a storage.
 *
 * Design (one struct for both element types):
 *   - dtype NN_F32 holds float32 values: activations, weights, data.
 *   - dtype NN_I32 holds int32 values: word indices, labels, permutations.
 *     Index values are 0-based in C; the Lua bindings convert to and from
 *     Lua's 1-based convention at the boundary.
 * Both are 4 bytes, so views, copies and reshapes are dtype-agnostic.
 *
 * Layout is row-major: element (i0,...,ik) lives at
 *   data[offset + i0*stride[0] + ... + ik*stride[k]]   (strides in elements).
 * A tensor is contiguous when its strides are the row-major ones of its sizes.
 * A 0-dim tensor is a scalar with numel 1.
 *
 * Ownership: an nn_tensor is a small value struct (the Lua bindings keep it
 * inside a userdata); it holds one reference to its storage.  Always
 * nn_tensor_init() before use and nn_tensor_free() after.
 *
 * Output convention (as TH): operations take the result tensor first and
 * resize it to the right shape; when it already has that shape and is
 * contiguous its buffer is reused, so training loops allocate nothing per
 * mini-batch.  The result may alias an input for elementwise ops (in place).
 */
#ifndef NN_TENSOR_H
#define NN_TENSOR_H

#include <stdbool.h>
#include <stdint.h>

#include "storage.h"

#define NN_MAXDIM 8

typedef enum { NN_F32 = 0, NN_I32 = 1 } nn_dtype;

typedef struct nn_tensor {
  nn_storage *storage; /* NULL only for an empty tensor (numel 0) */
  int64_t offset;      /* elements */
  int ndim;
  int64_t size[NN_MAXDIM];
  int64_t stride[NN_MAXDIM];
  nn_dtype dtype;
} nn_tensor;

/* --- lifetime and shape ------------------------------------------------ */
void nn_tensor_init(nn_tensor *t, nn_dtype dtype); /* empty, 1-d of size 0 */
void nn_tensor_free(nn_tensor *t);                 /* releases storage */
/* Make t a fresh contiguous tensor of this shape (zero-filled when new).
 * Reuses t's buffer when t is contiguous, unshared and large enough. */
int nn_tensor_resize(nn_tensor *t, int ndim, const int64_t *size);
int nn_tensor_resize_as(nn_tensor *t, const nn_tensor *like);
int nn_tensor_resize2(nn_tensor *t, int64_t d0, int64_t d1);
int nn_tensor_resize1(nn_tensor *t, int64_t d0);
/* dst becomes a view sharing src's storage (retains it). */
void nn_tensor_set(nn_tensor *dst, const nn_tensor *src);

int64_t nn_tensor_numel(const nn_tensor *t);
bool nn_tensor_is_contiguous(const nn_tensor *t);
bool nn_tensor_same_shape(const nn_tensor *a, const nn_tensor *b);
/* "3x4" into buf, for error messages. */
const char *nn_tensor_shape_str(const nn_tensor *t, char *buf, int n);

static inline float *nn_fdata(const nn_tensor *t) {
  return t->storage ? (float *)t->storage->data + t->offset : 0;
}
static inline int32_t *nn_idata(const nn_tensor *t) {
  return t->storage ? (int32_t *)t->storage->data + t->offset : 0;
}

/* --- views (share storage; dst may equal src) --------------------------- */
int nn_tensor_view(nn_tensor *dst, const nn_tensor *src, int ndim,
                   const int64_t *size); /* one size may be -1; needs contiguous */
int nn_tensor_narrow(nn_tensor *dst, const nn_tensor *src, int dim,
                     int64_t start, int64_t len);
int nn_tensor_select(nn_tensor *dst, const nn_tensor *src, int dim,
                     int64_t index); /* drops dim */
int nn_tensor_transpose(nn_tensor *dst, const nn_tensor *src, int d0, int d1);

/* --- copies -------------------------------------------------------------- */
int nn_tensor_copy(nn_tensor *dst, const nn_tensor *src); /* same numel; converts dtype */
int nn_tensor_clone(nn_tensor *dst, const nn_tensor *src); /* contiguous copy */
/* dst = contiguous tensor with src's values: a view when src already is. */
int nn_tensor_contiguous(nn_tensor *dst, const nn_tensor *src);

/* --- creation ------------------------------------------------------------ */
int nn_tensor_fill(nn_tensor *t, double v);
int nn_tensor_arange(nn_tensor *t, double start, double stop, double step);

/* Strided traversal: calls fn(ptr_offset) for each element in row-major
 * order; used by the slow paths of elementwise ops on non-contiguous views. */
typedef struct nn_iter {
  int ndim;
  int64_t size[NN_MAXDIM], stride[NN_MAXDIM], idx[NN_MAXDIM];
  int64_t pos, remaining;
} nn_iter;
void nn_iter_init(nn_iter *it, const nn_tensor *t);
/* Element offset (relative to storage data) of the next element, or -1. */
int64_t nn_iter_next(nn_iter *it);

#endif
