#include "tensor_index.h"

#include <string.h>

#include "error.h"

/* Rows of src (dim 0) as contiguous blocks of `row` elements. */
static int64_t row_len(const nn_tensor *t) {
  int64_t n = 1;
  for (int i = 1; i < t->ndim; i++) n *= t->size[i];
  return n;
}

int nn_index_select(nn_tensor *r, const nn_tensor *src, const nn_tensor *idx) {
  char b1[64];
  NN_REQUIRE(idx->dtype == NN_I32, "indices must be an index tensor");
  NN_REQUIRE(src->ndim >= 1, "source must have at least one dimension");
  NN_REQUIRE(idx->ndim + src->ndim - 1 <= NN_MAXDIM, "too many dimensions");
  NN_REQUIRE(r != src && r != idx, "result must not alias an operand");
  nn_tensor s, ix;
  nn_tensor_init(&s, src->dtype);
  nn_tensor_init(&ix, NN_I32);
  NN_TRY(nn_tensor_contiguous(&s, src));
  if (nn_tensor_contiguous(&ix, idx) != NN_OK) {
    nn_tensor_free(&s);
    return NN_ERR;
  }
  int64_t sz[NN_MAXDIM];
  int nd = 0;
  for (int i = 0; i < idx->ndim; i++) sz[nd++] = idx->size[i];
  for (int i = 1; i < src->ndim; i++) sz[nd++] = src->size[i];
  int rc = NN_OK;
  int64_t n = nn_tensor_numel(&ix), row = row_len(&s), rows = s.size[0];
  const int32_t *pi = nn_idata(&ix);
  for (int64_t i = 0; i < n && rc == NN_OK; i++)
    if (pi[i] < 0 || pi[i] >= rows)
      rc = nn_seterror("index %d out of range [1, %lld] (source %s)", pi[i] + 1,
                       (long long)rows, nn_tensor_shape_str(src, b1, 64));
  if (rc == NN_OK) {
    r->dtype = src->dtype;
    rc = nn_tensor_resize(r, nd, sz);
  }
  if (rc == NN_OK) {
    const char *ps = (const char *)s.storage->data + s.offset * 4;
    char *pr = (char *)r->storage->data + r->offset * 4;
    size_t bytes = (size_t)row * 4;
    for (int64_t i = 0; i < n; i++)
      memcpy(pr + (size_t)i * bytes, ps + (size_t)pi[i] * bytes, bytes);
  }
  nn_tensor_free(&s);
  nn_tensor_free(&ix);
  return rc;
}

int nn_index_add(nn_tensor *dst, const nn_tensor *idx, const nn_tensor *src) {
  char b1[64], b2[64];
  NN_REQUIRE(idx->dtype == NN_I32, "indices must be an index tensor");
  NN_REQUIRE(dst->dtype == NN_F32 && src->dtype == NN_F32,
             "index_add needs float tensors");
  NN_REQUIRE(nn_tensor_is_contiguous(dst), "destination must be contiguous");
  int64_t n = nn_tensor_numel(idx), row = row_len(dst);
  NN_REQUIRE(nn_tensor_numel(src) == n * row,
             "source %s does not match %lld indices of rows of %lld (destination %s)",
             nn_tensor_shape_str(src, b1, 64), (long long)n, (long long)row,
             nn_tensor_shape_str(dst, b2, 64));
  nn_tensor s, ix;
  nn_tensor_init(&s, NN_F32);
  nn_tensor_init(&ix, NN_I32);
  NN_TRY(nn_tensor_contiguous(&s, src));
  if (nn_tensor_contiguous(&ix, idx) != NN_OK) {
    nn_tensor_free(&s);
    return NN_ERR;
  }
  const int32_t *pi = nn_idata(&ix);
  int rc = NN_OK;
  for (int64_t i = 0; i < n && rc == NN_OK; i++)
    if (pi[i] < 0 || pi[i] >= dst->size[0])
      rc = nn_seterror("index %d out of range [1, %lld]", pi[i] + 1,
                       (long long)dst->size[0]);
  if (rc == NN_OK) {
    const float *ps = nn_fdata(&s);
    float *pd = nn_fdata(dst);
    for (int64_t i = 0; i < n; i++) {
      float *d = pd + (int64_t)pi[i] * row;
      const float *x = ps + i * row;
      for (int64_t j = 0; j < row; j++) d[j] += x[j];
    }
  }
  nn_tensor_free(&s);
  nn_tensor_free(&ix);
  return rc;
}

/* Insertion into a sorted k-list: O(n*k), cheaper than a sort for the small
 * k of next-word queries and never allocates. */
void nn_topk_row(const float *p, int64_t n, int64_t k, float *v, int32_t *ix) {
  for (int64_t j = 0; j < k; j++) {
    v[j] = -__builtin_inff();
    ix[j] = -1;
  }
  for (int64_t i = 0; i < n; i++) {
    float x = p[i];
    if (x != x) x = __builtin_inff(); /* NaN ranks first so it is seen */
    if (ix[k - 1] >= 0 && !(x > v[k - 1])) continue;
    int64_t j = k - 1;
    while (j > 0 && (ix[j - 1] < 0 || x > v[j - 1])) {
      v[j] = v[j - 1];
      ix[j] = ix[j - 1];
      j--;
    }
    v[j] = x;
    ix[j] = (int32_t)i;
  }
  for (int64_t j = 0; j < k; j++) v[j] = p[ix[j]];
}

int nn_topk(nn_tensor *vals, nn_tensor *idx, const nn_tensor *a, int64_t k) {
  NN_REQUIRE(a->dtype == NN_F32, "topk needs a float tensor");
  NN_REQUIRE(a->ndim >= 1, "topk needs at least one dimension");
  int64_t n = a->size[a->ndim - 1];
  NN_REQUIRE(k >= 1 && k <= n, "k = %lld out of range [1, %lld]", (long long)k,
             (long long)n);
  NN_REQUIRE(vals != a && idx != a, "result must not alias the input");
  nn_tensor c;
  nn_tensor_init(&c, NN_F32);
  NN_TRY(nn_tensor_contiguous(&c, a));
  int64_t sz[NN_MAXDIM];
  for (int i = 0; i < a->ndim; i++) sz[i] = a->size[i];
  sz[a->ndim - 1] = k;
  vals->dtype = NN_F32;
  idx->dtype = NN_I32;
  int rc = nn_tensor_resize(vals, a->ndim, sz);
  if (rc == NN_OK) rc = nn_tensor_resize(idx, a->ndim, sz);
  if (rc == NN_OK) {
    int64_t rows = n ? nn_tensor_numel(&c) / n : 0;
    for (int64_t r = 0; r < rows; r++)
      nn_topk_row(nn_fdata(&c) + r * n, n, k, nn_fdata(vals) + r * k,
               nn_idata(idx) + r * k);
  }
  nn_tensor_free(&c);
  return rc;
}
