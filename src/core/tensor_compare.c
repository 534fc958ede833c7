#include "tensor_compare.h"

#include "error.h"
#include "tensor_broadcast.h"

static inline double value_at(const nn_tensor *t, int64_t off) {
  return t->dtype == NN_F32 ? (double)((const float *)t->storage->data)[off]
                            : (double)((const int32_t *)t->storage->data)[off];
}

static inline float cmp(double x, double y, nn_cmpop op) {
  switch (op) {
  case NN_GT: return x > y;
  case NN_GE: return x >= y;
  case NN_LT: return x < y;
  case NN_LE: return x <= y;
  case NN_EQ: return x == y;
  default: return x != y;
  }
}

int nn_compare(nn_tensor *r, const nn_tensor *a, const nn_tensor *b, nn_cmpop op) {
  NN_REQUIRE(a->dtype == b->dtype,
             "cannot compare an index tensor with a float tensor (convert one with "
             ":float() or :index())");
  NN_REQUIRE(r != a && r != b, "result must not alias an operand");
  int nd;
  int64_t sz[NN_MAXDIM];
  const nn_tensor *ops[2] = {a, b};
  NN_TRY(nn_broadcast_shape(2, ops, &nd, sz));
  r->dtype = NN_F32;
  NN_TRY(nn_tensor_resize(r, nd, sz));
  nn_tensor ae, be;
  nn_tensor_init(&ae, a->dtype);
  nn_tensor_init(&be, b->dtype);
  int rc = nn_tensor_expand(&ae, a, nd, sz);
  if (rc == NN_OK) rc = nn_tensor_expand(&be, b, nd, sz);
  if (rc == NN_OK) {
    int64_t n = nn_tensor_numel(r);
    nn_iter ia, ib;
    nn_iter_init(&ia, &ae);
    nn_iter_init(&ib, &be);
    float *pr = nn_fdata(r); /* fresh and contiguous */
    for (int64_t i = 0; i < n; i++) {
      double x = value_at(&ae, nn_iter_next(&ia)), y = value_at(&be, nn_iter_next(&ib));
      pr[i] = cmp(x, y, op);
    }
  }
  nn_tensor_free(&ae);
  nn_tensor_free(&be);
  return rc;
}

int nn_compare_scalar(nn_tensor *r, const nn_tensor *a, double s, nn_cmpop op) {
  NN_REQUIRE(r != a, "result must not alias the operand");
  r->dtype = NN_F32;
  NN_TRY(nn_tensor_resize(r, a->ndim, a->size));
  int64_t n = nn_tensor_numel(a);
  float *pr = nn_fdata(r);
  if (a->dtype == NN_F32 && nn_tensor_is_contiguous(a)) {
    /* float compare of float data: the common thresholding case, vectorizable */
    const float *pa = nn_fdata(a);
    switch (op) {
    case NN_GT: for (int64_t i = 0; i < n; i++) pr[i] = pa[i] > s; break;
    case NN_GE: for (int64_t i = 0; i < n; i++) pr[i] = pa[i] >= s; break;
    case NN_LT: for (int64_t i = 0; i < n; i++) pr[i] = pa[i] < s; break;
    case NN_LE: for (int64_t i = 0; i < n; i++) pr[i] = pa[i] <= s; break;
    case NN_EQ: for (int64_t i = 0; i < n; i++) pr[i] = pa[i] == s; break;
    case NN_NE: for (int64_t i = 0; i < n; i++) pr[i] = pa[i] != s; break;
    }
    return NN_OK;
  }
  nn_iter it;
  nn_iter_init(&it, a);
  for (int64_t i = 0; i < n; i++) pr[i] = cmp(value_at(a, nn_iter_next(&it)), s, op);
  return NN_OK;
}

int nn_where(nn_tensor *r, const nn_tensor *cond, const nn_tensor *a,
             const nn_tensor *b) {
  NN_REQUIRE(cond->dtype == NN_F32, "the condition must be a float mask (e.g. x:gt(0))");
  NN_REQUIRE(a->dtype == b->dtype,
             "both choices must have the same type (two float or two index tensors)");
  NN_REQUIRE(r != cond && r != a && r != b, "result must not alias an operand");
  int nd;
  int64_t sz[NN_MAXDIM];
  const nn_tensor *ops[3] = {cond, a, b};
  NN_TRY(nn_broadcast_shape(3, ops, &nd, sz));
  r->dtype = a->dtype;
  NN_TRY(nn_tensor_resize(r, nd, sz));
  nn_tensor ce, ae, be;
  nn_tensor_init(&ce, NN_F32);
  nn_tensor_init(&ae, a->dtype);
  nn_tensor_init(&be, b->dtype);
  int rc = nn_tensor_expand(&ce, cond, nd, sz);
  if (rc == NN_OK) rc = nn_tensor_expand(&ae, a, nd, sz);
  if (rc == NN_OK) rc = nn_tensor_expand(&be, b, nd, sz);
  if (rc == NN_OK) {
    int64_t n = nn_tensor_numel(r);
    nn_iter ic, ia, ib;
    nn_iter_init(&ic, &ce);
    nn_iter_init(&ia, &ae);
    nn_iter_init(&ib, &be);
    /* 4-byte elements of either dtype are moved as raw words */
    int32_t *pr = nn_idata(r);
    const float *pc = ce.storage ? ce.storage->data : NULL;
    const int32_t *da = ae.storage ? ae.storage->data : NULL;
    const int32_t *db = be.storage ? be.storage->data : NULL;
    for (int64_t i = 0; i < n; i++) {
      int64_t oc = nn_iter_next(&ic), oa = nn_iter_next(&ia), ob = nn_iter_next(&ib);
      pr[i] = pc[oc] != 0 ? da[oa] : db[ob];
    }
  }
  nn_tensor_free(&ce);
  nn_tensor_free(&ae);
  nn_tensor_free(&be);
  return rc;
}

int nn_masked_fill(nn_tensor *t, const nn_tensor *mask, double v) {
  char s1[64], s2[64];
  NN_REQUIRE(mask->dtype == NN_F32, "the mask must be a float tensor (e.g. x:lt(0))");
  int nd;
  int64_t sz[NN_MAXDIM];
  const nn_tensor *ops[2] = {t, mask};
  NN_TRY(nn_broadcast_shape(2, ops, &nd, sz));
  bool fits = nd == t->ndim;
  for (int i = 0; fits && i < nd; i++) fits = sz[i] == t->size[i];
  NN_REQUIRE(fits, "mask %s does not broadcast to the tensor's shape %s",
             nn_tensor_shape_str(mask, s1, 64), nn_tensor_shape_str(t, s2, 64));
  nn_tensor me;
  nn_tensor_init(&me, NN_F32);
  NN_TRY(nn_tensor_expand(&me, mask, nd, sz));
  int64_t n = nn_tensor_numel(t);
  nn_iter it, im;
  nn_iter_init(&it, t);
  nn_iter_init(&im, &me);
  const float *pm = me.storage ? me.storage->data : NULL;
  for (int64_t i = 0; i < n; i++) {
    int64_t ot = nn_iter_next(&it), om = nn_iter_next(&im);
    if (pm[om] == 0) continue;
    if (t->dtype == NN_F32) ((float *)t->storage->data)[ot] = (float)v;
    else ((int32_t *)t->storage->data)[ot] = (int32_t)v;
  }
  nn_tensor_free(&me);
  return NN_OK;
}
