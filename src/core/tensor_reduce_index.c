#include "tensor_reduce_index.h"

#include "error.h"

static int check(const nn_tensor *a, nn_redop op) {
  NN_REQUIRE(a->dtype == NN_I32, "needs an index tensor");
  NN_REQUIRE(op == NN_SUM || op == NN_MIN || op == NN_MAX,
             "index tensors support sum, min and max (convert with :float() for others)");
  return NN_OK;
}

/* n values read with stride st from p; *arg gets the first extreme. */
static int64_t run(const int32_t *p, int64_t n, int64_t st, nn_redop op, int64_t base,
                   int64_t *arg) {
  if (op == NN_SUM) {
    int64_t s = 0;
    for (int64_t i = 0; i < n; i++) s += p[i * st];
    return s + base * n;
  }
  int64_t best = 0;
  int32_t bv = p[0];
  for (int64_t i = 1; i < n; i++) {
    int32_t v = p[i * st];
    if (op == NN_MAX ? v > bv : v < bv) {
      best = i;
      bv = v;
    }
  }
  if (arg) *arg = best;
  return bv + base;
}

int nn_reduce_all_index(const nn_tensor *a, nn_redop op, int64_t base, int64_t *out) {
  NN_TRY(check(a, op));
  int64_t n = nn_tensor_numel(a);
  NN_REQUIRE(n > 0 || op == NN_SUM, "min/max of an empty tensor");
  nn_tensor c;
  nn_tensor_init(&c, NN_I32);
  NN_TRY(nn_tensor_contiguous(&c, a));
  *out = n ? run(nn_idata(&c), n, 1, op, base, NULL) : 0;
  nn_tensor_free(&c);
  return NN_OK;
}

int nn_reduce_dim_index(nn_tensor *r, nn_tensor *idx, const nn_tensor *a, int dim,
                        nn_redop op, bool keepdim, int64_t base) {
  NN_TRY(check(a, op));
  NN_REQUIRE(dim >= 0 && dim < a->ndim, "dimension %d out of range (tensor has %d)",
             dim + 1, a->ndim);
  NN_REQUIRE(a->size[dim] > 0 || op == NN_SUM, "min/max over an empty dimension %d",
             dim + 1);
  NN_REQUIRE(r != a && idx != a, "result must not alias the input");
  int64_t outer = 1, inner = 1, n = a->size[dim];
  int64_t sz[NN_MAXDIM];
  int nd = 0;
  for (int i = 0; i < a->ndim; i++) {
    if (i < dim) outer *= a->size[i];
    if (i > dim) inner *= a->size[i];
    if (i != dim) sz[nd++] = a->size[i];
    else if (keepdim) sz[nd++] = 1;
  }
  nn_tensor c;
  nn_tensor_init(&c, NN_I32);
  NN_TRY(nn_tensor_contiguous(&c, a));
  r->dtype = op == NN_SUM ? NN_F32 : NN_I32;
  int rc = nn_tensor_resize(r, nd, sz);
  if (rc == NN_OK && idx) {
    idx->dtype = NN_I32;
    rc = nn_tensor_resize(idx, nd, sz);
  }
  if (rc == NN_OK) {
    const int32_t *p = nn_idata(&c);
    for (int64_t o = 0; o < outer; o++)
      for (int64_t i = 0; i < inner; i++) {
        int64_t arg = 0, k = o * inner + i;
        int64_t v = n ? run(p + o * n * inner + i, n, inner, op, base, &arg) : 0;
        if (op == NN_SUM) nn_fdata(r)[k] = (float)v;
        else nn_idata(r)[k] = (int32_t)(v - base);
        if (idx) nn_idata(idx)[k] = (int32_t)arg;
      }
  }
  nn_tensor_free(&c);
  return rc;
}
