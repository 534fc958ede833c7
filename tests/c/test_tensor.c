/* Tensor core: views, copies, elementwise math, reductions, index ops and the
 * seeded generator, against hand-computed values. */
#include <string.h>

#include "check.h"
#include "error.h"
#include "random.h"
#include "tensor.h"
#include "tensor_index.h"
#include "tensor_math.h"

static void from(nn_tensor *t, int ndim, const int64_t *size, const float *v) {
  nn_tensor_init(t, NN_F32);
  nn_tensor_resize(t, ndim, size);
  memcpy(nn_fdata(t), v, sizeof(float) * nn_tensor_numel(t));
}

static float at2(const nn_tensor *t, int i, int j) {
  return ((float *)t->storage->data)[t->offset + i * t->stride[0] + j * t->stride[1]];
}

static void test_views(void) {
  int64_t s23[2] = {2, 3};
  float v[6] = {1, 2, 3, 4, 5, 6};
  nn_tensor a, b, c;
  from(&a, 2, s23, v);
  nn_tensor_init(&b, NN_F32);
  nn_tensor_init(&c, NN_F32);
  CHECK(nn_tensor_transpose(&b, &a, 0, 1) == NN_OK);
  CHECK(b.size[0] == 3 && b.size[1] == 2 && !nn_tensor_is_contiguous(&b));
  CHECK(at2(&b, 2, 1) == 6 && at2(&b, 0, 1) == 4);
  CHECK(a.storage->refcount == 2); /* the view shares storage */
  CHECK(nn_tensor_narrow(&c, &a, 1, 1, 2) == NN_OK);
  CHECK(at2(&c, 0, 0) == 2 && at2(&c, 1, 1) == 6);
  nn_fdata(&a)[1] = 20; /* writes through the parent show in the view */
  CHECK(at2(&c, 0, 0) == 20);
  CHECK(nn_tensor_select(&c, &a, 0, 1) == NN_OK);
  CHECK(c.ndim == 1 && c.size[0] == 3 && nn_fdata(&c)[0] == 4);
  CHECK(nn_tensor_select(&c, &a, 0, 2) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "out of range") != NULL);
  int64_t v32[2] = {3, -1};
  CHECK(nn_tensor_view(&c, &a, 2, v32) == NN_OK && c.size[1] == 2);
  CHECK(nn_tensor_view(&c, &b, 2, v32) == NN_ERR); /* b is not contiguous */
  int64_t bad[1] = {5};
  CHECK(nn_tensor_view(&c, &a, 1, bad) == NN_ERR);
  /* clone of a transposed view is contiguous and row-major */
  CHECK(nn_tensor_clone(&c, &b) == NN_OK && nn_tensor_is_contiguous(&c));
  CHECK(nn_fdata(&c)[0] == 1 && nn_fdata(&c)[1] == 4 && nn_fdata(&c)[2] == 20);
  nn_tensor_free(&a);
  nn_tensor_free(&b);
  CHECK(c.storage->refcount == 1);
  nn_tensor_free(&c);
}

static void test_math(void) {
  int64_t s23[2] = {2, 3}, s3[1] = {3};
  float va[6] = {1, 2, 3, 4, 5, 6}, vb[3] = {10, 20, 30};
  nn_tensor a, b, r, ix;
  from(&a, 2, s23, va);
  from(&b, 1, s3, vb);
  nn_tensor_init(&r, NN_F32);
  nn_tensor_init(&ix, NN_I32);
  CHECK(nn_binary(&r, &a, &b, NN_ADD) == NN_OK); /* row broadcast */
  CHECK(at2(&r, 1, 2) == 36 && at2(&r, 0, 0) == 11);
  CHECK(nn_binary(&r, &a, &a, NN_MUL) == NN_OK && at2(&r, 1, 1) == 25);
  CHECK(nn_binary_scalar(&r, &a, 2, NN_SUB, true) == NN_OK && at2(&r, 0, 2) == -1);
  CHECK(nn_binary_scalar(&a, &a, 2, NN_DIV, false) == NN_OK && at2(&a, 1, 0) == 2);
  CHECK(nn_binary_scalar(&a, &a, 2, NN_MUL, false) == NN_OK);
  nn_tensor bt;
  nn_tensor_init(&bt, NN_F32);
  nn_tensor_transpose(&bt, &a, 0, 1); /* (3,2) view */
  CHECK(nn_binary(&r, &bt, &bt, NN_ADD) == NN_OK && at2(&r, 2, 1) == 12);
  CHECK(nn_binary(&r, &a, &bt, NN_ADD) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "2x3 and 3x2") != NULL);
  CHECK(nn_unary(&r, &a, NN_SIGMOID) == NN_OK);
  CHECK_NEAR(at2(&r, 0, 0), 1 / (1 + exp(-1.0)), 1e-6);
  CHECK(nn_clamp(&r, &a, 2, 4) == NN_OK && at2(&r, 0, 0) == 2 && at2(&r, 1, 2) == 4);
  CHECK(nn_pow(&r, &a, 2) == NN_OK && at2(&r, 1, 2) == 36);
  double s;
  CHECK(nn_reduce_all(&a, NN_SUM, false, &s) == NN_OK && s == 21);
  CHECK(nn_reduce_all(&a, NN_VAR, false, &s) == NN_OK);
  CHECK_NEAR(s, 3.5, 1e-12);
  CHECK(nn_reduce_all(&a, NN_STD, true, &s) == NN_OK);
  CHECK_NEAR(s, sqrt(17.5 / 6), 1e-12);
  CHECK(nn_reduce_dim(&r, &ix, &a, 0, NN_MAX, false, false) == NN_OK);
  CHECK(r.ndim == 1 && r.size[0] == 3 && nn_fdata(&r)[2] == 6 && nn_idata(&ix)[2] == 1);
  CHECK(nn_reduce_dim(&r, NULL, &a, 1, NN_MEAN, false, true) == NN_OK);
  CHECK(r.ndim == 2 && r.size[1] == 1 && nn_fdata(&r)[1] == 5);
  CHECK(nn_reduce_dim(&r, &ix, &a, 1, NN_MIN, false, false) == NN_OK);
  CHECK(nn_fdata(&r)[1] == 4 && nn_idata(&ix)[1] == 0);
  nn_tensor_free(&a);
  nn_tensor_free(&b);
  nn_tensor_free(&bt);
  nn_tensor_free(&r);
  nn_tensor_free(&ix);
}

static void test_index(void) {
  int64_t s32[2] = {3, 2};
  float v[6] = {1, 2, 3, 4, 5, 6};
  nn_tensor src, idx, r, g, vals, ix;
  from(&src, 2, s32, v);
  nn_tensor_init(&idx, NN_I32);
  int64_t s22[2] = {2, 2};
  nn_tensor_resize(&idx, 2, s22);
  int32_t want[4] = {2, 0, 2, 2};
  memcpy(nn_idata(&idx), want, sizeof want);
  nn_tensor_init(&r, NN_F32);
  CHECK(nn_index_select(&r, &src, &idx) == NN_OK);
  CHECK(r.ndim == 3 && r.size[0] == 2 && r.size[1] == 2 && r.size[2] == 2);
  CHECK(nn_fdata(&r)[0] == 5 && nn_fdata(&r)[3] == 2 && nn_fdata(&r)[7] == 6);
  /* repeated index 2 (three times) accumulates */
  nn_tensor_init(&g, NN_F32);
  nn_tensor_resize(&g, 2, s32);
  CHECK(nn_index_add(&g, &idx, &r) == NN_OK);
  CHECK(nn_fdata(&g)[4] == 15 && nn_fdata(&g)[5] == 18 && nn_fdata(&g)[0] == 1);
  nn_idata(&idx)[1] = 3;
  CHECK(nn_index_select(&r, &src, &idx) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "index 4 out of range [1, 3]") != NULL);
  nn_tensor_init(&vals, NN_F32);
  nn_tensor_init(&ix, NN_I32);
  float w[5] = {0.1f, 0.7f, 0.05f, 0.9f, 0.7f};
  int64_t s5[1] = {5};
  nn_tensor row;
  from(&row, 1, s5, w);
  CHECK(nn_topk(&vals, &ix, &row, 3) == NN_OK);
  CHECK(nn_idata(&ix)[0] == 3 && nn_idata(&ix)[1] == 1 && nn_idata(&ix)[2] == 4);
  CHECK(nn_fdata(&vals)[0] == 0.9f && nn_fdata(&vals)[2] == 0.7f);
  CHECK(nn_topk(&vals, &ix, &row, 6) == NN_ERR);
  nn_tensor_free(&src); nn_tensor_free(&idx); nn_tensor_free(&r);
  nn_tensor_free(&g); nn_tensor_free(&vals); nn_tensor_free(&ix); nn_tensor_free(&row);
}

static void test_random(void) {
  nn_seed(42);
  uint32_t a = nn_rng_u32(nn_global_rng());
  double u = nn_rng_uniform(nn_global_rng());
  nn_seed(42);
  CHECK(nn_rng_u32(nn_global_rng()) == a);
  CHECK(nn_rng_uniform(nn_global_rng()) == u);
  nn_tensor t;
  nn_tensor_init(&t, NN_F32);
  int64_t n = 100000;
  nn_tensor_resize(&t, 1, &n);
  nn_tensor_normal(&t, 1.0, 2.0);
  double m, sd;
  nn_reduce_all(&t, NN_MEAN, false, &m);
  nn_reduce_all(&t, NN_STD, false, &sd);
  CHECK(fabs(m - 1.0) < 0.03 && fabs(sd - 2.0) < 0.03);
  nn_tensor_uniform(&t, -1, 3);
  double mx, mn;
  nn_reduce_all(&t, NN_MAX, false, &mx);
  nn_reduce_all(&t, NN_MIN, false, &mn);
  nn_reduce_all(&t, NN_MEAN, false, &m);
  CHECK(mx < 3 && mn >= -1 && fabs(m - 1.0) < 0.03);
  nn_tensor p;
  nn_tensor_init(&p, NN_I32);
  CHECK(nn_tensor_randperm(&p, 1000) == NN_OK);
  int seen[1000] = {0}, ok = 1;
  for (int i = 0; i < 1000; i++) {
    int k = nn_idata(&p)[i];
    if (k < 0 || k >= 1000 || seen[k]++) ok = 0;
  }
  CHECK(ok);
  nn_tensor_free(&t);
  nn_tensor_free(&p);
}

int main(void) {
  test_views();
  test_math();
  test_index();
  test_random();
  return check_summary("test_tensor");
}
