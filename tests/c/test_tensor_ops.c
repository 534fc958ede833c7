/* Broadcasting, comparison/selection, shape operations and index reductions
 * in the core (tensor_broadcast, tensor_compare, tensor_shape,
 * tensor_reduce_index), against hand-computed values; every error path
 * returns NN_ERR with a message and leaves no reference behind (ASan). */
#include <string.h>

#include "check.h"
#include "error.h"
#include "tensor.h"
#include "tensor_broadcast.h"
#include "tensor_compare.h"
#include "tensor_math.h"
#include "tensor_reduce_index.h"
#include "tensor_shape.h"

static void from(nn_tensor *t, int ndim, const int64_t *size, const float *v) {
  nn_tensor_init(t, NN_F32);
  nn_tensor_resize(t, ndim, size);
  memcpy(nn_fdata(t), v, sizeof(float) * (size_t)nn_tensor_numel(t));
}

static int same(const nn_tensor *t, const float *want) {
  nn_tensor c;
  nn_tensor_init(&c, t->dtype);
  nn_tensor_clone(&c, t);
  int ok = 1;
  for (int64_t i = 0; i < nn_tensor_numel(&c); i++)
    if (nn_fdata(&c)[i] != want[i]) ok = 0;
  nn_tensor_free(&c);
  return ok;
}

static void test_broadcast(void) {
  int64_t s23[2] = {2, 3}, s21[2] = {2, 1}, s13[2] = {1, 3}, s33[2] = {3, 3};
  float m[6] = {1, 2, 3, 4, 5, 6}, col[2] = {10, 20}, row[3] = {1, 2, 3}, nine[9] = {0};
  nn_tensor a, c, rw, r, bad;
  from(&a, 2, s23, m);
  from(&c, 2, s21, col);
  from(&rw, 2, s13, row);
  from(&bad, 2, s33, nine);
  nn_tensor_init(&r, NN_F32);
  CHECK(nn_binary(&r, &a, &c, NN_ADD) == NN_OK);
  CHECK(same(&r, (float[]){11, 12, 13, 24, 25, 26}));
  CHECK(nn_binary(&r, &c, &rw, NN_MUL) == NN_OK); /* outer: (2,1)*(1,3) */
  CHECK(r.size[0] == 2 && r.size[1] == 3 && same(&r, (float[]){10, 20, 30, 20, 40, 60}));
  CHECK(nn_binary(&r, &a, &bad, NN_ADD) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "do not broadcast") != NULL);
  CHECK(nn_binary(&c, &c, &rw, NN_ADD) == NN_ERR); /* in place cannot grow */
  CHECK(nn_binary(&a, &a, &rw, NN_SUB) == NN_OK); /* in place, row */
  CHECK(same(&a, (float[]){0, 0, 0, 3, 3, 3}));
  nn_tensor e;
  nn_tensor_init(&e, NN_F32);
  CHECK(nn_tensor_expand(&e, &c, 2, s23) == NN_OK && e.stride[1] == 0);
  CHECK(nn_tensor_expand(&e, &rw, 2, s21) == NN_ERR);
  nn_tensor_free(&e);
  nn_tensor_free(&a);
  nn_tensor_free(&c);
  nn_tensor_free(&rw);
  nn_tensor_free(&bad);
  nn_tensor_free(&r);
}

static void test_compare(void) {
  int64_t s23[2] = {2, 3}, s21[2] = {2, 1};
  float m[6] = {1, -2, 3, -4, 5, 0}, col[2] = {1, 0};
  nn_tensor a, c, r, ix, jx;
  from(&a, 2, s23, m);
  from(&c, 2, s21, col);
  nn_tensor_init(&r, NN_F32);
  CHECK(nn_compare_scalar(&r, &a, 0, NN_GT) == NN_OK);
  CHECK(same(&r, (float[]){1, 0, 1, 0, 1, 0}));
  CHECK(nn_compare(&r, &a, &c, NN_GE) == NN_OK);
  CHECK(same(&r, (float[]){1, 0, 1, 0, 1, 1}));
  CHECK(nn_compare(&a, &a, &c, NN_GE) == NN_ERR); /* result aliases */
  nn_tensor_init(&ix, NN_I32);
  nn_tensor_resize1(&ix, 3);
  nn_idata(&ix)[0] = 2, nn_idata(&ix)[1] = 0, nn_idata(&ix)[2] = 1;
  CHECK(nn_compare(&r, &a, &ix, NN_EQ) == NN_ERR); /* mixed dtypes */
  CHECK(nn_compare_scalar(&r, &ix, 1, NN_LE) == NN_OK);
  CHECK(same(&r, (float[]){0, 1, 1}));
  /* where: column condition, scalar choice */
  nn_tensor z, w;
  nn_tensor_init(&z, NN_F32);
  nn_tensor_resize(&z, 0, NULL);
  nn_fdata(&z)[0] = -1;
  nn_tensor_init(&w, NN_F32);
  CHECK(nn_where(&w, &c, &a, &z) == NN_OK);
  CHECK(same(&w, (float[]){1, -2, 3, -1, -1, -1}));
  CHECK(nn_where(&w, &c, &a, &ix) == NN_ERR);
  /* index choices move the stored words unchanged */
  nn_tensor_init(&jx, NN_I32);
  CHECK(nn_where(&jx, &r, &ix, &ix) == NN_OK && jx.dtype == NN_I32 && nn_idata(&jx)[0] == 2);
  CHECK(nn_masked_fill(&a, &c, 7) == NN_OK);
  CHECK(same(&a, (float[]){7, 7, 7, -4, 5, 0}));
  CHECK(nn_masked_fill(&c, &a, 7) == NN_ERR); /* mask larger than the tensor */
  nn_tensor_free(&a);
  nn_tensor_free(&c);
  nn_tensor_free(&r);
  nn_tensor_free(&ix);
  nn_tensor_free(&jx);
  nn_tensor_free(&z);
  nn_tensor_free(&w);
}

static void test_shape(void) {
  int64_t s234[3] = {2, 3, 4}, s12[2] = {1, 2};
  float v[24];
  for (int i = 0; i < 24; i++) v[i] = (float)i;
  nn_tensor a, p, f, b, r;
  from(&a, 3, s234, v);
  nn_tensor_init(&p, NN_F32);
  nn_tensor_init(&f, NN_F32);
  CHECK(nn_tensor_permute(&p, &a, 3, (int[]){2, 0, 1}) == NN_OK);
  CHECK(p.size[0] == 4 && p.size[1] == 2 && p.size[2] == 3 && p.stride[0] == 1);
  CHECK(nn_tensor_permute(&p, &a, 3, (int[]){0, 0, 1}) == NN_ERR);
  CHECK(nn_tensor_permute(&p, &a, 3, (int[]){2, 0, 1}) == NN_OK);
  CHECK(nn_tensor_flatten(&f, &p, 0, 2) == NN_OK && f.ndim == 1);
  CHECK(nn_fdata(&f)[1] == 4 && nn_fdata(&f)[6] == 1); /* a copy in p's order */
  CHECK(nn_tensor_flatten(&f, &a, 1, 2) == NN_OK && f.storage == a.storage);
  CHECK(nn_tensor_unsqueeze(&f, &a, 3) == NN_OK && f.ndim == 4 && f.size[3] == 1);
  CHECK(nn_tensor_is_contiguous(&f));
  CHECK(nn_tensor_squeeze(&f, &f, -1) == NN_OK && f.ndim == 3);
  CHECK(nn_tensor_squeeze(&f, &a, 0) == NN_ERR);
  from(&b, 2, s12, (float[]){100, 200});
  nn_tensor_init(&r, NN_F32);
  nn_tensor two;
  nn_tensor_init(&two, NN_F32);
  nn_tensor_select(&two, &a, 0, 0); /* (3,4) */
  const nn_tensor *bad[2] = {&two, &b};
  CHECK(nn_tensor_cat(&r, 2, bad, 0) == NN_ERR); /* 4 vs 2 columns */
  nn_tensor nb;
  nn_tensor_init(&nb, NN_F32);
  nn_tensor_narrow(&nb, &two, 1, 0, 2); /* (3,2), strided */
  const nn_tensor *ok[2] = {&nb, &b};
  CHECK(nn_tensor_cat(&r, 2, ok, 0) == NN_OK && r.size[0] == 4 && r.size[1] == 2);
  CHECK(same(&r, (float[]){0, 1, 4, 5, 8, 9, 100, 200}));
  const nn_tensor *self[1] = {&r};
  CHECK(nn_tensor_cat(&r, 1, self, 0) == NN_ERR);
  nn_tensor_free(&a);
  nn_tensor_free(&p);
  nn_tensor_free(&f);
  nn_tensor_free(&b);
  nn_tensor_free(&r);
  nn_tensor_free(&two);
  nn_tensor_free(&nb);
}

static void test_index_reduce(void) {
  nn_tensor ix, r, pos;
  nn_tensor_init(&ix, NN_I32);
  nn_tensor_resize2(&ix, 2, 3);
  int32_t v[6] = {2, 0, 1, 3, 3, 0};
  memcpy(nn_idata(&ix), v, sizeof v);
  int64_t out;
  CHECK(nn_reduce_all_index(&ix, NN_SUM, 1, &out) == NN_OK && out == 15);
  CHECK(nn_reduce_all_index(&ix, NN_SUM, 0, &out) == NN_OK && out == 9);
  CHECK(nn_reduce_all_index(&ix, NN_MAX, 1, &out) == NN_OK && out == 4);
  CHECK(nn_reduce_all_index(&ix, NN_MEAN, 1, &out) == NN_ERR);
  nn_tensor_init(&r, NN_F32);
  nn_tensor_init(&pos, NN_I32);
  CHECK(nn_reduce_dim_index(&r, &pos, &ix, 1, NN_MIN, false, 1) == NN_OK);
  CHECK(r.dtype == NN_I32 && nn_idata(&r)[0] == 0 && nn_idata(&r)[1] == 0);
  CHECK(nn_idata(&pos)[0] == 1 && nn_idata(&pos)[1] == 2);
  CHECK(nn_reduce_dim_index(&r, NULL, &ix, 0, NN_SUM, true, 1) == NN_OK);
  CHECK(r.dtype == NN_F32 && r.ndim == 2 && r.size[0] == 1);
  CHECK(same(&r, (float[]){7, 5, 3}));
  nn_tensor_free(&ix);
  nn_tensor_free(&r);
  nn_tensor_free(&pos);
}

int main(void) {
  test_broadcast();
  test_compare();
  test_shape();
  test_index_reduce();
  return check_summary("test_tensor_ops");
}
