#include "tensor.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

void nn_tensor_init(nn_tensor *t, nn_dtype dtype) {
  memset(t, 0, sizeof *t);
  t->ndim = 1;
  t->dtype = dtype;
}

void nn_tensor_free(nn_tensor *t) {
  nn_storage_release(t->storage);
  t->storage = NULL;
  t->ndim = 1;
  t->size[0] = 0;
  t->stride[0] = 1;
  t->offset = 0;
}

int64_t nn_tensor_numel(const nn_tensor *t) {
  int64_t n = 1;
  for (int i = 0; i < t->ndim; i++) n *= t->size[i];
  return n;
}

bool nn_tensor_is_contiguous(const nn_tensor *t) {
  int64_t expect = 1;
  for (int i = t->ndim - 1; i >= 0; i--) {
    if (t->size[i] != 1 && t->stride[i] != expect) return false;
    expect *= t->size[i];
  }
  return true;
}

bool nn_tensor_same_shape(const nn_tensor *a, const nn_tensor *b) {
  if (a->ndim != b->ndim) return false;
  for (int i = 0; i < a->ndim; i++)
    if (a->size[i] != b->size[i]) return false;
  return true;
}

const char *nn_tensor_shape_str(const nn_tensor *t, char *buf, int n) {
  int used = 0;
  buf[0] = 0;
  if (t->ndim == 0) {
    snprintf(buf, (size_t)n, "scalar");
    return buf;
  }
  for (int i = 0; i < t->ndim && used < n; i++)
    used += snprintf(buf + used, (size_t)(n - used), i ? "x%lld" : "%lld",
                     (long long)t->size[i]);
  return buf;
}

/* "2x3x4" of a size array, for messages (static buffer). */
static const char *dims_str(int ndim, const int64_t *size) {
  static char buf[200];
  int used = 0;
  buf[0] = 0;
  for (int i = 0; i < ndim && used < (int)sizeof buf - 24; i++)
    used += snprintf(buf + used, sizeof buf - (size_t)used, i ? "x%lld" : "%lld",
                     (long long)size[i]);
  return buf;
}

static void set_contiguous_strides(nn_tensor *t) {
  int64_t s = 1;
  for (int i = t->ndim - 1; i >= 0; i--) {
    t->stride[i] = s;
    s *= t->size[i];
  }
}

/* Product of the sizes, refusing negative sizes and products beyond what a
 * storage may hold (an overflow would otherwise wrap to a small or negative
 * count and the fill after it would write past the buffer).  Zero sizes
 * are skipped while checking, so (2^40, 2^40, 0) is refused as well. */
static int checked_numel(int ndim, const int64_t *size, int64_t *numel) {
  int64_t n = 1, nonzero = 1;
  for (int i = 0; i < ndim; i++) {
    NN_REQUIRE(size[i] >= 0, "negative size %lld in dimension %d", (long long)size[i],
               i + 1);
    /* The kernels index one dimension with int. */
    NN_REQUIRE(size[i] <= INT32_MAX, "size %lld of dimension %d is more than 2^31-1",
               (long long)size[i], i + 1);
    n *= size[i] ? 1 : 0;
    if (size[i] == 0) continue;
    NN_REQUIRE(!__builtin_mul_overflow(nonzero, size[i], &nonzero) &&
                   (uint64_t)nonzero <= NN_STORAGE_MAX,
               "a tensor of sizes %s would hold more than 2^60 elements",
               dims_str(ndim, size));
  }
  *numel = n ? nonzero : 0;
  return NN_OK;
}

int nn_tensor_resize(nn_tensor *t, int ndim, const int64_t *size) {
  NN_REQUIRE(ndim >= 0 && ndim <= NN_MAXDIM, "at most %d dimensions, got %d",
             NN_MAXDIM, ndim);
  int64_t numel = 1;
  NN_TRY(checked_numel(ndim, size, &numel));
  /* Same shape and contiguous: write in place, even into a shared view, so
   * that results can target a preallocated buffer or a slice of one. */
  bool same = t->storage && t->ndim == ndim && nn_tensor_is_contiguous(t);
  for (int i = 0; same && i < ndim; i++) same = t->size[i] == size[i];
  if (same) return NN_OK;
  bool reuse = t->storage && t->storage->refcount == 1 &&
               nn_tensor_is_contiguous(t) &&
               t->offset + numel <= t->storage->size;
  if (!reuse) {
    /* Views of the old storage keep it alive; this tensor moves on. */
    nn_storage *s = nn_storage_new(numel);
    if (!s) return NN_ERR; /* the storage said why */
    nn_storage_release(t->storage);
    t->storage = s;
    t->offset = 0;
  }
  t->ndim = ndim;
  for (int i = 0; i < ndim; i++) t->size[i] = size[i];
  set_contiguous_strides(t);
  return NN_OK;
}

int nn_tensor_resize_as(nn_tensor *t, const nn_tensor *like) {
  if (t == like) return NN_OK;
  return nn_tensor_resize(t, like->ndim, like->size);
}

int nn_tensor_resize2(nn_tensor *t, int64_t d0, int64_t d1) {
  int64_t s[2] = {d0, d1};
  return nn_tensor_resize(t, 2, s);
}

int nn_tensor_resize1(nn_tensor *t, int64_t d0) {
  return nn_tensor_resize(t, 1, &d0);
}

void nn_tensor_set(nn_tensor *dst, const nn_tensor *src) {
  if (dst == src) return;
  if (src->storage) nn_storage_retain(src->storage);
  nn_storage_release(dst->storage);
  *dst = *src;
}

/* --- views ----------------------------------------------------------------- */

int nn_tensor_view(nn_tensor *dst, const nn_tensor *src, int ndim,
                   const int64_t *size) {
  char buf[96];
  NN_REQUIRE(ndim >= 0 && ndim <= NN_MAXDIM, "at most %d dimensions, got %d",
             NN_MAXDIM, ndim);
  NN_REQUIRE(nn_tensor_is_contiguous(src),
             "cannot view a non-contiguous tensor (%s); call :contiguous() first",
             nn_tensor_shape_str(src, buf, sizeof buf));
  int64_t sz[NN_MAXDIM], known = 1, numel = nn_tensor_numel(src);
  int infer = -1;
  for (int i = 0; i < ndim; i++) {
    sz[i] = size[i];
    if (sz[i] == -1) {
      NN_REQUIRE(infer < 0, "only one dimension can be -1");
      infer = i;
    } else {
      NN_REQUIRE(sz[i] >= 0, "invalid size %lld", (long long)sz[i]);
      NN_REQUIRE(!__builtin_mul_overflow(known, sz[i], &known),
                 "view sizes %s overflow", dims_str(ndim, size));
    }
  }
  if (infer >= 0) {
    NN_REQUIRE(known > 0 && numel % known == 0,
               "cannot infer -1 dimension: %lld elements are not divisible by %lld",
               (long long)numel, (long long)known);
    sz[infer] = numel / known;
    known *= sz[infer];
  }
  NN_REQUIRE(known == numel,
             "view size has %lld elements but the tensor (%s) has %lld",
             (long long)known, nn_tensor_shape_str(src, buf, sizeof buf),
             (long long)numel);
  nn_tensor_set(dst, src);
  dst->ndim = ndim;
  for (int i = 0; i < ndim; i++) dst->size[i] = sz[i];
  set_contiguous_strides(dst);
  return NN_OK;
}

int nn_tensor_narrow(nn_tensor *dst, const nn_tensor *src, int dim,
                     int64_t start, int64_t len) {
  NN_REQUIRE(dim >= 0 && dim < src->ndim, "dimension %d out of range (tensor has %d)",
             dim + 1, src->ndim);
  NN_REQUIRE(start >= 0 && len >= 0 && start + len <= src->size[dim],
             "range [%lld, %lld] out of bounds for dimension %d of size %lld",
             (long long)start + 1, (long long)(start + len),
             dim + 1, (long long)src->size[dim]);
  nn_tensor_set(dst, src);
  dst->offset += start * src->stride[dim];
  dst->size[dim] = len;
  return NN_OK;
}

int nn_tensor_select(nn_tensor *dst, const nn_tensor *src, int dim,
                     int64_t index) {
  NN_REQUIRE(dim >= 0 && dim < src->ndim, "dimension %d out of range (tensor has %d)",
             dim + 1, src->ndim);
  NN_REQUIRE(index >= 0 && index < src->size[dim],
             "index %lld out of range for dimension %d of size %lld",
             (long long)index + 1, dim + 1, (long long)src->size[dim]);
  nn_tensor_set(dst, src);
  dst->offset += index * src->stride[dim];
  for (int i = dim; i < src->ndim - 1; i++) {
    dst->size[i] = src->size[i + 1];
    dst->stride[i] = src->stride[i + 1];
  }
  dst->ndim = src->ndim - 1;
  return NN_OK;
}

int nn_tensor_transpose(nn_tensor *dst, const nn_tensor *src, int d0, int d1) {
  NN_REQUIRE(d0 >= 0 && d0 < src->ndim && d1 >= 0 && d1 < src->ndim,
             "cannot transpose dimensions %d and %d of a %d-d tensor", d0 + 1,
             d1 + 1, src->ndim);
  nn_tensor_set(dst, src);
  int64_t s = dst->size[d0], st = dst->stride[d0];
  dst->size[d0] = dst->size[d1];
  dst->stride[d0] = dst->stride[d1];
  dst->size[d1] = s;
  dst->stride[d1] = st;
  return NN_OK;
}

/* --- iteration --------------------------------------------------------------- */

void nn_iter_init(nn_iter *it, const nn_tensor *t) {
  it->ndim = t->ndim;
  it->remaining = nn_tensor_numel(t);
  it->pos = t->offset;
  for (int i = 0; i < t->ndim; i++) {
    it->size[i] = t->size[i];
    it->stride[i] = t->stride[i];
    it->idx[i] = 0;
  }
}

int64_t nn_iter_next(nn_iter *it) {
  if (it->remaining <= 0) return -1;
  int64_t cur = it->pos;
  if (--it->remaining > 0) {
    for (int d = it->ndim - 1; d >= 0; d--) {
      if (++it->idx[d] < it->size[d]) {
        it->pos += it->stride[d];
        break;
      }
      it->pos -= (it->size[d] - 1) * it->stride[d];
      it->idx[d] = 0;
    }
  }
  return cur;
}

/* --- copies ------------------------------------------------------------------- */

int nn_tensor_copy(nn_tensor *dst, const nn_tensor *src) {
  int64_t n = nn_tensor_numel(src);
  NN_REQUIRE(nn_tensor_numel(dst) == n,
             "copy needs the same number of elements, got %lld and %lld",
             (long long)nn_tensor_numel(dst), (long long)n);
  if (n == 0) return NN_OK;
  bool same = dst->dtype == src->dtype;
  if (same && nn_tensor_is_contiguous(dst) && nn_tensor_is_contiguous(src)) {
    memmove(nn_fdata(dst), nn_fdata(src), (size_t)n * 4);
    return NN_OK;
  }
  nn_iter id, is;
  if (!same && dst->dtype == NN_I32) {
    /* float -> int32 of NaN or of a value out of range is undefined: check
     * all values before writing any (the bindings shift by one after). */
    nn_iter_init(&is, src);
    for (int64_t o; (o = nn_iter_next(&is)) >= 0;) {
      float x = ((const float *)src->storage->data)[o];
      NN_REQUIRE(x > -2147483520.0f && x < 2147483520.0f, /* floats next to +-2^31 */
                 "cannot convert %g to an index (not a number in the int32 range)", (double)x);
    }
  }
  nn_iter_init(&id, dst);
  nn_iter_init(&is, src);
  char *d = dst->storage->data;
  const char *s = src->storage->data;
  for (int64_t i = 0; i < n; i++) {
    int64_t od = nn_iter_next(&id), os = nn_iter_next(&is);
    if (same)
      memcpy(d + od * 4, s + os * 4, 4);
    else if (dst->dtype == NN_F32)
      ((float *)d)[od] = (float)((const int32_t *)s)[os];
    else
      ((int32_t *)d)[od] = (int32_t)((const float *)s)[os];
  }
  return NN_OK;
}

int nn_tensor_clone(nn_tensor *dst, const nn_tensor *src) {
  nn_tensor tmp;
  nn_tensor_init(&tmp, src->dtype);
  if (nn_tensor_resize(&tmp, src->ndim, src->size) != NN_OK ||
      nn_tensor_copy(&tmp, src) != NN_OK) {
    nn_tensor_free(&tmp);
    return NN_ERR;
  }
  nn_tensor_free(dst);
  *dst = tmp;
  return NN_OK;
}

int nn_tensor_contiguous(nn_tensor *dst, const nn_tensor *src) {
  if (nn_tensor_is_contiguous(src)) {
    nn_tensor_set(dst, src);
    return NN_OK;
  }
  return nn_tensor_clone(dst, src);
}

/* --- creation -------------------------------------------------------------------- */

int nn_tensor_fill(nn_tensor *t, double v) {
  /* Converting NaN or an out-of-range double to int32_t is undefined. */
  /* One short of the int32 limits, so the bindings' +-1 shift between 0-
   * and 1-based values cannot overflow either. */
  NN_REQUIRE(t->dtype != NN_I32 || (v > INT32_MIN && v < INT32_MAX && v == floor(v)),
             "cannot fill an index tensor with %g: not an integer in the int32 range", v);
  int64_t n = nn_tensor_numel(t);
  if (n == 0) return NN_OK;
  if (nn_tensor_is_contiguous(t)) {
    if (t->dtype == NN_F32) {
      float *p = nn_fdata(t), f = (float)v;
      for (int64_t i = 0; i < n; i++) p[i] = f;
    } else {
      int32_t *p = nn_idata(t), k = (int32_t)v;
      for (int64_t i = 0; i < n; i++) p[i] = k;
    }
    return NN_OK;
  }
  nn_iter it;
  nn_iter_init(&it, t);
  for (int64_t o; (o = nn_iter_next(&it)) >= 0;) {
    if (t->dtype == NN_F32)
      ((float *)t->storage->data)[o] = (float)v;
    else
      ((int32_t *)t->storage->data)[o] = (int32_t)v;
  }
  return NN_OK;
}

int nn_tensor_arange(nn_tensor *t, double start, double stop, double step) {
  NN_REQUIRE(isfinite(start) && isfinite(stop) && isfinite(step),
             "start, stop and step must be finite, got %g, %g, %g", start, stop, step);
  NN_REQUIRE(step != 0, "step must not be zero");
  /* numpy/PyTorch convention: stop is excluded. */
  double span = (stop - start) / step;
  int64_t n = span <= 0 ? 0 : (int64_t)ceil(span - 1e-9);
  NN_TRY(nn_tensor_resize1(t, n));
  for (int64_t i = 0; i < n; i++) {
    if (t->dtype == NN_F32)
      nn_fdata(t)[i] = (float)(start + (double)i * step);
    else
      nn_idata(t)[i] = (int32_t)(start + (double)i * step);
  }
  return NN_OK;
}
