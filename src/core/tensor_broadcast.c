#include "tensor_broadcast.h"

#include "error.h"

int nn_broadcast_shape(int n, const nn_tensor *const *ts, int *ndim, int64_t *size) {
  char s1[96], s2[96];
  int nd = 0;
  for (int k = 0; k < n; k++)
    if (ts[k]->ndim > nd) nd = ts[k]->ndim;
  for (int i = 0; i < nd; i++) size[i] = 1;
  /* Which operand set each result size, to name both in the error. */
  int from[NN_MAXDIM] = {0};
  for (int k = 0; k < n; k++) {
    const nn_tensor *t = ts[k];
    int shift = nd - t->ndim;
    for (int i = 0; i < t->ndim; i++) {
      int64_t s = t->size[i], *r = &size[shift + i];
      if (s == *r || s == 1) continue;
      NN_REQUIRE(*r == 1, "shapes %s and %s do not broadcast (dimension %d: %lld vs %lld)",
                 nn_tensor_shape_str(ts[from[shift + i]], s1, sizeof s1),
                 nn_tensor_shape_str(t, s2, sizeof s2), shift + i + 1, (long long)*r,
                 (long long)s);
      *r = s;
      from[shift + i] = k;
    }
  }
  *ndim = nd;
  return NN_OK;
}

int nn_tensor_expand(nn_tensor *dst, const nn_tensor *src, int ndim,
                     const int64_t *size) {
  char s1[96];
  NN_REQUIRE(src->ndim <= ndim, "cannot expand %s to %d dimensions",
             nn_tensor_shape_str(src, s1, sizeof s1), ndim);
  int shift = ndim - src->ndim;
  int64_t st[NN_MAXDIM];
  for (int i = 0; i < ndim; i++) {
    int j = i - shift;
    if (j < 0) {
      st[i] = 0;
    } else if (src->size[j] == size[i]) {
      st[i] = src->size[j] == 1 ? 0 : src->stride[j];
    } else {
      NN_REQUIRE(src->size[j] == 1, "cannot expand %s: dimension %d has size %lld, not 1 or %lld",
                 nn_tensor_shape_str(src, s1, sizeof s1), j + 1,
                 (long long)src->size[j], (long long)size[i]);
      st[i] = 0;
    }
  }
  nn_tensor_set(dst, src);
  dst->ndim = ndim;
  for (int i = 0; i < ndim; i++) {
    dst->size[i] = size[i];
    dst->stride[i] = st[i];
  }
  return NN_OK;
}
