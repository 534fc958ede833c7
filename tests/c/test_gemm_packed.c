/* Packed-operand product (gemm_packed.c) against a naive double product,
 * over shapes that exercise every edge: partial row tiles (M mod 6), partial
 * panels (N mod 16), K = 1, padded row strides, transposed packing and
 * accumulation. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "gemm_packed.h"

static float frand(void) { return (float)rand() / RAND_MAX - 0.5f; }

static double run(int M, int N, int K, bool trans, bool acc) {
  int lda = K + 3, ldc = N + 5, ldb = trans ? K + 2 : N + 1;
  int brows = trans ? N : K;
  float *a = malloc(sizeof(float) * M * lda), *b = malloc(sizeof(float) * brows * ldb);
  float *c = malloc(sizeof(float) * M * ldc), *c0 = malloc(sizeof(float) * M * ldc);
  float *bp = malloc(sizeof(float) * nn_packed_size(K, N));
  for (int i = 0; i < M * lda; i++) a[i] = frand();
  for (int i = 0; i < brows * ldb; i++) b[i] = frand();
  for (int i = 0; i < M * ldc; i++) c[i] = c0[i] = frand();
  nn_pack_b(bp, b, K, N, ldb, trans);
  nn_gemm_packed(M, N, K, a, lda, bp, acc, c, ldc);
  double worst = 0;
  for (int i = 0; i < M; i++)
    for (int j = 0; j < ldc; j++) {
      double want;
      if (j < N) {
        want = acc ? c0[i * ldc + j] : 0;
        for (int k = 0; k < K; k++)
          want += (double)a[i * lda + k] * (trans ? b[j * ldb + k] : b[k * ldb + j]);
      } else {
        want = c0[i * ldc + j]; /* outside the N columns: untouched */
      }
      double e = fabs(c[i * ldc + j] - want);
      if (e > worst) worst = e;
    }
  free(a), free(b), free(c), free(c0), free(bp);
  return worst;
}

int main(void) {
  int Ms[] = {1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 32};
  int Ns[] = {1, 5, 16, 17, 33, 128};
  int Ks[] = {1, 3, 16, 130};
  double worst = 0;
  for (size_t m = 0; m < sizeof Ms / sizeof *Ms; m++)
    for (size_t n = 0; n < sizeof Ns / sizeof *Ns; n++)
      for (size_t k = 0; k < sizeof Ks / sizeof *Ks; k++)
        for (int t = 0; t < 2; t++)
          for (int acc = 0; acc < 2; acc++) {
            double e = run(Ms[m], Ns[n], Ks[k], t, acc);
            CHECK(e < 1e-5 * (1 + Ks[k] / 16.0));
            if (e > worst) worst = e;
          }
  printf("gemm_packed: worst |C - naive| %.2e\n", worst);
  CHECK(nn_packed_size(5, 17) == 5 * 32);
  return check_summary("test_gemm_packed");
}
