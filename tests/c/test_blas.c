/* sgemm paths (plain, transposed flags, transposed views, addmm with beta)
 * against a naive triple loop in double on random non-square shapes. */
#include <string.h>

#include "blas.h"
#include "error.h"
#include "check.h"
#include "random.h"

static double naive(const nn_tensor *a, bool ta, const nn_tensor *b, bool tb,
                    int64_t i, int64_t j) {
  int64_t K = ta ? a->size[0] : a->size[1];
  const float *pa = a->storage->data, *pb = b->storage->data;
  double s = 0;
  for (int64_t k = 0; k < K; k++) {
    int64_t ai = ta ? k : i, ak = ta ? i : k, bk = tb ? j : k, bj = tb ? k : j;
    s += (double)pa[a->offset + ai * a->stride[0] + ak * a->stride[1]] *
         pb[b->offset + bk * b->stride[0] + bj * b->stride[1]];
  }
  return s;
}

static void check_product(int M, int N, int K, bool ta, bool tb, bool views) {
  nn_tensor a, b, c, av, bv;
  nn_tensor_init(&a, NN_F32);
  nn_tensor_init(&b, NN_F32);
  nn_tensor_init(&c, NN_F32);
  nn_tensor_init(&av, NN_F32);
  nn_tensor_init(&bv, NN_F32);
  /* With views, store the transpose and view it back, so sgemm sees a
   * non-contiguous operand. */
  bool sa = ta != views, sb = tb != views;
  nn_tensor_resize2(&a, sa ? K : M, sa ? M : K);
  nn_tensor_resize2(&b, sb ? N : K, sb ? K : N);
  nn_tensor_uniform(&a, -1, 1);
  nn_tensor_uniform(&b, -1, 1);
  if (views) {
    nn_tensor_transpose(&av, &a, 0, 1);
    nn_tensor_transpose(&bv, &b, 0, 1);
  } else {
    nn_tensor_set(&av, &a);
    nn_tensor_set(&bv, &b);
  }
  CHECK(nn_addmm(&c, 0.0, 1.0, &av, ta, &bv, tb) == NN_OK);
  double maxerr = 0;
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) {
      double e = fabs(nn_fdata(&c)[i * N + j] - naive(&av, ta, &bv, tb, i, j));
      if (e > maxerr) maxerr = e;
    }
  CHECK(maxerr < 1e-4 * K);
  /* addmm with beta: c = 0.5 c + 2 a b */
  nn_tensor c0;
  nn_tensor_init(&c0, NN_F32);
  nn_tensor_clone(&c0, &c);
  CHECK(nn_addmm(&c, 0.5, 2.0, &av, ta, &bv, tb) == NN_OK);
  maxerr = 0;
  for (int i = 0; i < M * N; i++) {
    double e = fabs(nn_fdata(&c)[i] - 2.5 * nn_fdata(&c0)[i]);
    if (e > maxerr) maxerr = e;
  }
  CHECK(maxerr < 1e-4 * K);
  nn_tensor_free(&a); nn_tensor_free(&b); nn_tensor_free(&c);
  nn_tensor_free(&av); nn_tensor_free(&bv); nn_tensor_free(&c0);
}

int main(void) {
  nn_seed(7);
  int shapes[][3] = {{3, 5, 7}, {17, 4, 33}, {64, 65, 31}, {1, 9, 5}, {8, 1, 1}};
  for (unsigned s = 0; s < sizeof shapes / sizeof *shapes; s++)
    for (int f = 0; f < 8; f++)
      check_product(shapes[s][0], shapes[s][1], shapes[s][2], f & 1, f & 2, f & 4);
  nn_tensor a, b, c;
  nn_tensor_init(&a, NN_F32);
  nn_tensor_init(&b, NN_F32);
  nn_tensor_init(&c, NN_F32);
  nn_tensor_resize2(&a, 3, 4);
  nn_tensor_resize2(&b, 5, 2);
  CHECK(nn_mm(&c, &a, &b) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "size mismatch, (3x4) * (5x2)") != NULL);
  nn_tensor_free(&a); nn_tensor_free(&b); nn_tensor_free(&c);
  return check_summary("test_blas");
}
