#include "tensor_math.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

#include "error.h"
#include "tensor_broadcast.h"

static int need_float(const nn_tensor *t, const char *what) {
  NN_REQUIRE(t->dtype == NN_F32, "%s needs a float tensor, got an index tensor",
             what);
  return NN_OK;
}

static inline float apply_bin(float x, float y, nn_binop op) {
  switch (op) {
  case NN_ADD: return x + y;
  case NN_SUB: return x - y;
  case NN_MUL: return x * y;
  default: return x / y;
  }
}

/* Prepare r for an elementwise result shaped like a: r must either be a
 * (in place) or become a fresh contiguous tensor of a's shape. */
static int prepare_result(nn_tensor *r, const nn_tensor *a) {
  if (r == a) return NN_OK;
  r->dtype = NN_F32;
  return nn_tensor_resize_as(r, a);
}

/* b's layout after expansion to a's shape when it is a row (b's elements
 * run along a's last dim) or a column (one b element per row of a):
 * 1 = row, 2 = column, 0 = neither.  These two get plain loops. */
static int rowcol_kind(const nn_tensor *a, const nn_tensor *be) {
  int nd = a->ndim;
  if (nd < 1 || !nn_tensor_is_contiguous(a)) return 0;
  int64_t last = a->size[nd - 1];
  bool row = be->stride[nd - 1] == 1 || last == 1, col = be->stride[nd - 1] == 0;
  for (int i = 0; i < nd - 1; i++) {
    if (a->size[i] != 1 && be->stride[i] != 0) row = false;
  }
  if (row) return 1;
  /* column: (..., N, 1) against (..., N, M) with b contiguous over the rows */
  if (col && nd >= 2) {
    int64_t expect = 1;
    for (int i = nd - 2; i >= 0; i--) {
      if (a->size[i] != 1 && be->stride[i] != expect) return 0;
      expect *= a->size[i];
    }
    return 2;
  }
  return 0;
}

int nn_binary(nn_tensor *r, const nn_tensor *a, const nn_tensor *b, nn_binop op) {
  char s1[64], s2[64];
  NN_TRY(need_float(a, "arithmetic"));
  NN_TRY(need_float(b, "arithmetic"));
  int nd;
  int64_t sz[NN_MAXDIM];
  const nn_tensor *ops[2] = {a, b};
  NN_TRY(nn_broadcast_shape(2, ops, &nd, sz));
  bool same = nn_tensor_same_shape(a, b);
  nn_tensor probe;
  nn_tensor_init(&probe, NN_F32);
  probe.ndim = nd;
  for (int i = 0; i < nd; i++) probe.size[i] = sz[i];
  bool a_full = nn_tensor_same_shape(a, &probe);
  NN_REQUIRE(r != a || a_full,
             "in place, %s cannot hold the broadcast of %s against it",
             nn_tensor_shape_str(a, s1, 64), nn_tensor_shape_str(b, s2, 64));
  /* b (or a, when broadcast) must stay readable if r aliases it. */
  nn_tensor bc, ae, be;
  nn_tensor_init(&bc, NN_F32);
  nn_tensor_init(&ae, NN_F32);
  nn_tensor_init(&be, NN_F32);
  const nn_tensor *ap = a, *bp = b;
  int rc = NN_OK;
  if (r == b && r != a) {
    rc = nn_tensor_clone(&bc, b);
    bp = &bc;
  }
  if (rc == NN_OK && r != a) {
    r->dtype = NN_F32;
    rc = nn_tensor_resize(r, nd, sz);
  }
  if (rc == NN_OK) rc = nn_tensor_expand(&ae, ap, nd, sz);
  if (rc == NN_OK) rc = nn_tensor_expand(&be, bp, nd, sz);
  if (rc != NN_OK) goto done;
  int64_t n = nn_tensor_numel(r);
  int kind = a_full && nn_tensor_is_contiguous(r) ? (same ? 3 : rowcol_kind(a, &be)) : 0;
  if (kind == 3 && !(nn_tensor_is_contiguous(a) && nn_tensor_is_contiguous(bp))) kind = 0;
  if (kind == 3) {
    const float *pa = nn_fdata(a), *pb = nn_fdata(bp);
    float *pr = nn_fdata(r);
    switch (op) {
    case NN_ADD: for (int64_t i = 0; i < n; i++) pr[i] = pa[i] + pb[i]; break;
    case NN_SUB: for (int64_t i = 0; i < n; i++) pr[i] = pa[i] - pb[i]; break;
    case NN_MUL: for (int64_t i = 0; i < n; i++) pr[i] = pa[i] * pb[i]; break;
    case NN_DIV: for (int64_t i = 0; i < n; i++) pr[i] = pa[i] / pb[i]; break;
    }
  } else if (kind == 1 || kind == 2) {
    const float *pa = nn_fdata(a), *pb = nn_fdata(&be);
    float *pr = nn_fdata(r);
    int64_t cols = nd ? sz[nd - 1] : 1, rows = cols ? n / cols : 0;
    for (int64_t i = 0; i < rows; i++) {
      const float *x = pa + i * cols;
      float *y = pr + i * cols;
      if (kind == 1) {
        for (int64_t j = 0; j < cols; j++) y[j] = apply_bin(x[j], pb[j], op);
      } else {
        float v = pb[i];
        for (int64_t j = 0; j < cols; j++) y[j] = apply_bin(x[j], v, op);
      }
    }
  } else {
    nn_iter ia, ib, ir;
    nn_iter_init(&ia, &ae);
    nn_iter_init(&ib, &be);
    nn_iter_init(&ir, r);
    const float *da = ae.storage ? ae.storage->data : NULL;
    const float *db = be.storage ? be.storage->data : NULL;
    float *dr = r->storage ? r->storage->data : NULL;
    for (int64_t i = 0; i < n; i++) {
      int64_t oa = nn_iter_next(&ia), ob = nn_iter_next(&ib);
      dr[nn_iter_next(&ir)] = apply_bin(da[oa], db[ob], op);
    }
  }
done:
  nn_tensor_free(&bc);
  nn_tensor_free(&ae);
  nn_tensor_free(&be);
  return rc;
}

int nn_binary_scalar(nn_tensor *r, const nn_tensor *a, double s, nn_binop op,
                     bool swap) {
  NN_TRY(need_float(a, "arithmetic"));
  NN_TRY(prepare_result(r, a));
  float f = (float)s;
  int64_t n = nn_tensor_numel(a);
  if (nn_tensor_is_contiguous(a) && nn_tensor_is_contiguous(r)) {
    const float *pa = nn_fdata(a);
    float *pr = nn_fdata(r);
    if (swap)
      for (int64_t i = 0; i < n; i++) pr[i] = apply_bin(f, pa[i], op);
    else
      for (int64_t i = 0; i < n; i++) pr[i] = apply_bin(pa[i], f, op);
    return NN_OK;
  }
  nn_iter ia, ir;
  nn_iter_init(&ia, a);
  nn_iter_init(&ir, r);
  const float *ba = a->storage->data;
  float *br = r->storage->data;
  for (int64_t i = 0; i < n; i++) {
    int64_t oa = nn_iter_next(&ia), orr = nn_iter_next(&ir);
    br[orr] = swap ? apply_bin(f, ba[oa], op) : apply_bin(ba[oa], f, op);
  }
  return NN_OK;
}

int nn_axpy(nn_tensor *r, double alpha, const nn_tensor *b) {
  char s1[64], s2[64];
  NN_TRY(need_float(r, "axpy"));
  NN_TRY(need_float(b, "axpy"));
  NN_REQUIRE(nn_tensor_numel(r) == nn_tensor_numel(b),
             "shapes %s and %s do not match", nn_tensor_shape_str(r, s1, 64),
             nn_tensor_shape_str(b, s2, 64));
  int64_t n = nn_tensor_numel(r);
  float f = (float)alpha;
  if (nn_tensor_is_contiguous(r) && nn_tensor_is_contiguous(b)) {
    float *pr = nn_fdata(r);
    const float *pb = nn_fdata(b);
    for (int64_t i = 0; i < n; i++) pr[i] += f * pb[i];
    return NN_OK;
  }
  nn_iter ir, ib;
  nn_iter_init(&ir, r);
  nn_iter_init(&ib, b);
  float *br = r->storage->data;
  const float *bb = b->storage->data;
  for (int64_t i = 0; i < n; i++) {
    int64_t o = nn_iter_next(&ir);
    br[o] += f * bb[nn_iter_next(&ib)];
  }
  return NN_OK;
}

static inline float apply_un(float x, nn_unop op) {
  switch (op) {
  case NN_EXP: return expf(x);
  case NN_LOG: return logf(x);
  case NN_TANH: return tanhf(x);
  case NN_SIGMOID: return 1.0f / (1.0f + expf(-x));
  case NN_RELU: return x > 0 ? x : 0.0f;
  case NN_SQRT: return sqrtf(x);
  case NN_ABS: return fabsf(x);
  case NN_NEG: return -x;
  case NN_SIGN: return x > 0 ? 1.0f : x < 0 ? -1.0f : x; /* 0 and NaN kept */
  default: return x * x;
  }
}

/* One elementwise map driver for unary, clamp and pow. */
typedef float (*map_fn)(float x, const double *args);

static int map(nn_tensor *r, const nn_tensor *a, map_fn fn, const double *args,
               nn_unop op) {
  NN_TRY(need_float(a, "elementwise function"));
  NN_TRY(prepare_result(r, a));
  int64_t n = nn_tensor_numel(a);
  if (nn_tensor_is_contiguous(a) && nn_tensor_is_contiguous(r)) {
    const float *pa = nn_fdata(a);
    float *pr = nn_fdata(r);
    if (fn)
      for (int64_t i = 0; i < n; i++) pr[i] = fn(pa[i], args);
    else
      for (int64_t i = 0; i < n; i++) pr[i] = apply_un(pa[i], op);
    return NN_OK;
  }
  nn_iter ia, ir;
  nn_iter_init(&ia, a);
  nn_iter_init(&ir, r);
  const float *ba = a->storage->data;
  float *br = r->storage->data;
  for (int64_t i = 0; i < n; i++) {
    float x = ba[nn_iter_next(&ia)];
    br[nn_iter_next(&ir)] = fn ? fn(x, args) : apply_un(x, op);
  }
  return NN_OK;
}

int nn_unary(nn_tensor *r, const nn_tensor *a, nn_unop op) {
  return map(r, a, NULL, NULL, op);
}

static float clamp_fn(float x, const double *a) {
  return x < a[0] ? (float)a[0] : x > a[1] ? (float)a[1] : x;
}
static float pow_fn(float x, const double *a) { return powf(x, (float)a[0]); }

int nn_clamp(nn_tensor *r, const nn_tensor *a, double lo, double hi) {
  NN_REQUIRE(lo <= hi, "clamp: lower bound %g is above upper bound %g", lo, hi);
  double args[2] = {lo, hi};
  return map(r, a, clamp_fn, args, NN_EXP);
}

int nn_pow(nn_tensor *r, const nn_tensor *a, double p) {
  return map(r, a, pow_fn, &p, NN_EXP);
}

/* --- reductions ------------------------------------------------------------- */

/* Reduce n values read with stride `st` from p. */
static double reduce_run(const float *p, int64_t n, int64_t st, nn_redop op,
                         bool biased, int64_t *arg) {
  if (op == NN_SUM || op == NN_MEAN) {
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += p[i * st];
    return op == NN_SUM ? s : (n ? s / (double)n : NAN);
  }
  if (op == NN_MAX || op == NN_MIN) {
    if (n == 0) return NAN;
    int64_t best = 0;
    float bv = p[0];
    for (int64_t i = 1; i < n; i++) {
      float v = p[i * st];
      /* NaN wins, as in PyTorch, so a broken result is visible. */
      if (isnan(v) && !isnan(bv)) { best = i; bv = v; }
      else if (op == NN_MAX ? v > bv : v < bv) { best = i; bv = v; }
    }
    if (arg) *arg = best;
    return bv;
  }
  /* var/std: two passes in double for accuracy. */
  if (n == 0 || (n == 1 && !biased)) return NAN;
  double mean = 0, ss = 0;
  for (int64_t i = 0; i < n; i++) mean += p[i * st];
  mean /= (double)n;
  for (int64_t i = 0; i < n; i++) {
    double d = p[i * st] - mean;
    ss += d * d;
  }
  double var = ss / (double)(biased ? n : n - 1);
  return op == NN_VAR ? var : sqrt(var);
}

int nn_reduce_all(const nn_tensor *a, nn_redop op, bool biased, double *out) {
  NN_TRY(need_float(a, "reduction"));
  /* Checked before c takes a reference to a's storage (an early return
   * after it would leak the storage). */
  NN_REQUIRE(nn_tensor_numel(a) > 0 || op == NN_SUM, "reduction of an empty tensor");
  nn_tensor c;
  nn_tensor_init(&c, NN_F32);
  NN_TRY(nn_tensor_contiguous(&c, a));
  *out = reduce_run(nn_fdata(&c), nn_tensor_numel(&c), 1, op, biased, NULL);
  nn_tensor_free(&c);
  return NN_OK;
}

int nn_reduce_dim(nn_tensor *r, nn_tensor *idx, const nn_tensor *a, int dim,
                  nn_redop op, bool biased, bool keepdim) {
  NN_TRY(need_float(a, "reduction"));
  NN_REQUIRE(dim >= 0 && dim < a->ndim, "dimension %d out of range (tensor has %d)",
             dim + 1, a->ndim);
  NN_REQUIRE(a->size[dim] > 0 || op == NN_SUM,
             "reduction over an empty dimension %d", dim + 1);
  nn_tensor c;
  nn_tensor_init(&c, NN_F32);
  NN_TRY(nn_tensor_contiguous(&c, a));
  int64_t outer = 1, inner = 1, n = c.size[dim];
  for (int i = 0; i < dim; i++) outer *= c.size[i];
  for (int i = dim + 1; i < c.ndim; i++) inner *= c.size[i];
  int64_t sz[NN_MAXDIM];
  int nd = 0;
  for (int i = 0; i < c.ndim; i++) {
    if (i == dim) {
      if (keepdim) sz[nd++] = 1;
    } else {
      sz[nd++] = c.size[i];
    }
  }
  int rc = NN_OK;
  r->dtype = NN_F32;
  if (r == a || nn_tensor_resize(r, nd, sz) != NN_OK) rc = NN_ERR;
  if (rc == NN_OK && idx) {
    idx->dtype = NN_I32;
    rc = nn_tensor_resize(idx, nd, sz);
  }
  if (rc != NN_OK) {
    nn_tensor_free(&c);
    if (r == a) return nn_seterror("reduction result must not alias its input");
    return NN_ERR;
  }
  const float *p = nn_fdata(&c);
  float *pr = nn_fdata(r);
  int32_t *pi = idx ? nn_idata(idx) : NULL;
  for (int64_t o = 0; o < outer; o++)
    for (int64_t i = 0; i < inner; i++) {
      int64_t arg = 0;
      pr[o * inner + i] =
          (float)reduce_run(p + o * n * inner + i, n, inner, op, biased, &arg);
      if (pi) pi[o * inner + i] = (int32_t)arg;
    }
  nn_tensor_free(&c);
  return NN_OK;
}

double nn_max_abs_diff(const nn_tensor *a, const nn_tensor *b) {
  if (nn_tensor_numel(a) != nn_tensor_numel(b)) return INFINITY;
  nn_iter ia, ib;
  nn_iter_init(&ia, a);
  nn_iter_init(&ib, b);
  double m = 0;
  for (int64_t oa; (oa = nn_iter_next(&ia)) >= 0;) {
    int64_t ob = nn_iter_next(&ib);
    double x = a->dtype == NN_F32 ? (double)((float *)a->storage->data)[oa]
                                  : (double)((int32_t *)a->storage->data)[oa];
    double y = b->dtype == NN_F32 ? (double)((float *)b->storage->data)[ob]
                                  : (double)((int32_t *)b->storage->data)[ob];
    double d = fabs(x - y);
    if (isnan(d)) return INFINITY;
    if (d > m) m = d;
  }
  return m;
}

bool nn_allclose(const nn_tensor *a, const nn_tensor *b, double rtol,
                 double atol) {
  if (!nn_tensor_same_shape(a, b)) return false;
  nn_iter ia, ib;
  nn_iter_init(&ia, a);
  nn_iter_init(&ib, b);
  for (int64_t oa; (oa = nn_iter_next(&ia)) >= 0;) {
    int64_t ob = nn_iter_next(&ib);
    double x = a->dtype == NN_F32 ? (double)((float *)a->storage->data)[oa]
                                  : (double)((int32_t *)a->storage->data)[oa];
    double y = b->dtype == NN_F32 ? (double)((float *)b->storage->data)[ob]
                                  : (double)((int32_t *)b->storage->data)[ob];
    if (!(fabs(x - y) <= atol + rtol * fabs(y))) return false;
  }
  return true;
}
