#include "tensor_shape.h"

#include <string.h>

#include "error.h"

int nn_tensor_permute(nn_tensor *dst, const nn_tensor *src, int n, const int *perm) {
  NN_REQUIRE(n == src->ndim, "permute needs %d dimensions for a %d-d tensor, got %d",
             src->ndim, src->ndim, n);
  bool seen[NN_MAXDIM] = {false};
  for (int i = 0; i < n; i++) {
    NN_REQUIRE(perm[i] >= 0 && perm[i] < n, "dimension %d out of range [1, %d]",
               perm[i] + 1, n);
    NN_REQUIRE(!seen[perm[i]], "dimension %d appears twice", perm[i] + 1);
    seen[perm[i]] = true;
  }
  int64_t sz[NN_MAXDIM], st[NN_MAXDIM];
  for (int i = 0; i < n; i++) {
    sz[i] = src->size[perm[i]];
    st[i] = src->stride[perm[i]];
  }
  nn_tensor_set(dst, src);
  for (int i = 0; i < n; i++) {
    dst->size[i] = sz[i];
    dst->stride[i] = st[i];
  }
  return NN_OK;
}

int nn_tensor_squeeze(nn_tensor *dst, const nn_tensor *src, int dim) {
  char s[96];
  if (dim >= 0) {
    NN_REQUIRE(dim < src->ndim, "dimension %d out of range [1, %d]", dim + 1, src->ndim);
    NN_REQUIRE(src->size[dim] == 1, "dimension %d of %s has size %lld, not 1", dim + 1,
               nn_tensor_shape_str(src, s, sizeof s), (long long)src->size[dim]);
  }
  int64_t sz[NN_MAXDIM], st[NN_MAXDIM];
  int nd = 0;
  for (int i = 0; i < src->ndim; i++) {
    bool drop = dim >= 0 ? i == dim : src->size[i] == 1;
    if (drop) continue;
    sz[nd] = src->size[i];
    st[nd++] = src->stride[i];
  }
  nn_tensor_set(dst, src);
  dst->ndim = nd;
  for (int i = 0; i < nd; i++) {
    dst->size[i] = sz[i];
    dst->stride[i] = st[i];
  }
  return NN_OK;
}

int nn_tensor_unsqueeze(nn_tensor *dst, const nn_tensor *src, int dim) {
  NN_REQUIRE(dim >= 0 && dim <= src->ndim, "position %d out of range [1, %d]", dim + 1,
             src->ndim + 1);
  NN_REQUIRE(src->ndim < NN_MAXDIM, "at most %d dimensions", NN_MAXDIM);
  int64_t sz[NN_MAXDIM], st[NN_MAXDIM];
  int nd = 0;
  for (int i = 0; i <= src->ndim; i++) {
    if (i == dim) {
      sz[nd] = 1;
      /* any stride is right for a size-1 dim; this one keeps contiguity */
      st[nd++] = i < src->ndim ? src->size[i] * src->stride[i] : 1;
    }
    if (i < src->ndim) {
      sz[nd] = src->size[i];
      st[nd++] = src->stride[i];
    }
  }
  nn_tensor_set(dst, src);
  dst->ndim = nd;
  for (int i = 0; i < nd; i++) {
    dst->size[i] = sz[i];
    dst->stride[i] = st[i];
  }
  return NN_OK;
}

int nn_tensor_flatten(nn_tensor *dst, const nn_tensor *src, int first, int last) {
  if (src->ndim == 0) return nn_tensor_view(dst, src, 1, (int64_t[]){1});
  NN_REQUIRE(first >= 0 && first < src->ndim && last >= 0 && last < src->ndim,
             "dimensions %d..%d out of range [1, %d]", first + 1, last + 1, src->ndim);
  NN_REQUIRE(first <= last, "start dimension %d is after end dimension %d", first + 1,
             last + 1);
  int64_t sz[NN_MAXDIM];
  int nd = 0;
  for (int i = 0; i < first; i++) sz[nd++] = src->size[i];
  int64_t m = 1;
  for (int i = first; i <= last; i++) m *= src->size[i];
  sz[nd++] = m;
  for (int i = last + 1; i < src->ndim; i++) sz[nd++] = src->size[i];
  if (nn_tensor_is_contiguous(src)) return nn_tensor_view(dst, src, nd, sz);
  nn_tensor c;
  nn_tensor_init(&c, src->dtype);
  int rc = nn_tensor_clone(&c, src);
  if (rc == NN_OK) rc = nn_tensor_view(dst, &c, nd, sz);
  nn_tensor_free(&c);
  return rc;
}

int nn_tensor_cat(nn_tensor *r, int n, const nn_tensor *const *ts, int dim) {
  char s1[96], s2[96];
  NN_REQUIRE(n >= 1, "needs at least one tensor");
  const nn_tensor *t0 = ts[0];
  NN_REQUIRE(dim >= 0 && dim < t0->ndim, "dimension %d out of range [1, %d]", dim + 1,
             t0->ndim);
  int64_t sz[NN_MAXDIM];
  for (int i = 0; i < t0->ndim; i++) sz[i] = t0->size[i];
  sz[dim] = 0;
  for (int k = 0; k < n; k++) {
    const nn_tensor *t = ts[k];
    NN_REQUIRE(t != r, "the result must not be one of the inputs");
    NN_REQUIRE(t->dtype == t0->dtype, "tensor %d is of another type than tensor 1", k + 1);
    bool ok = t->ndim == t0->ndim;
    for (int i = 0; ok && i < t0->ndim; i++) ok = i == dim || t->size[i] == t0->size[i];
    NN_REQUIRE(ok, "tensor %d (%s) does not match tensor 1 (%s) outside dimension %d",
               k + 1, nn_tensor_shape_str(t, s1, 96), nn_tensor_shape_str(t0, s2, 96),
               dim + 1);
    sz[dim] += t->size[dim];
  }
  r->dtype = t0->dtype;
  NN_TRY(nn_tensor_resize(r, t0->ndim, sz));
  /* Copy each input into its slice of r (a narrow view). */
  int64_t at = 0;
  nn_tensor slice;
  nn_tensor_init(&slice, r->dtype);
  int rc = NN_OK;
  for (int k = 0; k < n && rc == NN_OK; k++) {
    int64_t len = ts[k]->size[dim];
    rc = nn_tensor_narrow(&slice, r, dim, at, len);
    if (rc == NN_OK && len > 0) rc = nn_tensor_copy(&slice, ts[k]);
    at += len;
  }
  nn_tensor_free(&slice);
  return rc;
}
