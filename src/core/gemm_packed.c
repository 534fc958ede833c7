#include "gemm_packed.h"

#include <string.h>

#define NR 16 /* columns per panel: two vectors of 8 floats */
#define MR 6  /* rows per tile: 6 x 2 accumulators + 2 B vectors + 1 broadcast
               * fit the 16 AVX2 registers */

typedef float v8 __attribute__((vector_size(32)));
/* Unaligned view for loads and stores of C and B rows. */
typedef float v8u __attribute__((vector_size(32), aligned(4)));

size_t nn_packed_size(int K, int N) {
  return (size_t)((N + NR - 1) / NR) * NR * (size_t)K;
}

void nn_pack_b(float *bp, const float *b, int K, int N, int ldb, bool trans) {
  for (int n0 = 0; n0 < N; n0 += NR) {
    int w = N - n0 < NR ? N - n0 : NR;
    float *d = bp + (ptrdiff_t)n0 * K;
    for (int k = 0; k < K; k++, d += NR) {
      if (trans)
        for (int j = 0; j < w; j++) d[j] = b[(ptrdiff_t)(n0 + j) * ldb + k];
      else
        memcpy(d, b + (ptrdiff_t)k * ldb + n0, (size_t)w * sizeof(float));
      for (int j = w; j < NR; j++) d[j] = 0;
    }
  }
}

/* A macro, not a function: returning a vector type by value warns (-Wpsabi)
 * in builds without AVX. */
#define SPLAT(s) ((v8){(s), (s), (s), (s), (s), (s), (s), (s)})

/* One tile: rows 0..mr-1 of a times one panel; w valid columns of c.
 * Inlined with a constant mr so that the unused accumulators vanish. */
static inline __attribute__((always_inline)) void
tile(int mr, int K, const float *a, int lda, const float *p, float *c,
     int ldc, int w, bool acc) {
  v8 c0[MR], c1[MR];
  for (int r = 0; r < MR; r++) c0[r] = c1[r] = (v8){0};
  for (int k = 0; k < K; k++) {
    v8 b0 = *(const v8u *)(p + (size_t)k * NR);
    v8 b1 = *(const v8u *)(p + (size_t)k * NR + 8);
    for (int r = 0; r < MR; r++)
      if (r < mr) {
        float ar = a[(ptrdiff_t)r * lda + k];
        v8 s = SPLAT(ar);
        c0[r] += s * b0;
        c1[r] += s * b1;
      }
  }
  for (int r = 0; r < mr; r++) {
    float *cr = c + (ptrdiff_t)r * ldc;
    if (w == NR) {
      if (acc) {
        c0[r] += *(v8u *)cr;
        c1[r] += *(v8u *)(cr + 8);
      }
      *(v8u *)cr = c0[r];
      *(v8u *)(cr + 8) = c1[r];
    } else {
      float t[NR];
      memcpy(t, &c0[r], sizeof c0[r]);
      memcpy(t + 8, &c1[r], sizeof c1[r]);
      for (int j = 0; j < w; j++) cr[j] = acc ? cr[j] + t[j] : t[j];
    }
  }
}

void nn_gemm_packed(int M, int N, int K, const float *a, int lda,
                    const float *bp, bool accumulate, float *c, int ldc) {
  for (int n0 = 0; n0 < N; n0 += NR) {
    int w = N - n0 < NR ? N - n0 : NR;
    const float *p = bp + (ptrdiff_t)n0 * K;
    int i = 0;
    for (; i + MR <= M; i += MR)
      tile(MR, K, a + (ptrdiff_t)i * lda, lda, p, c + (ptrdiff_t)i * ldc + n0, ldc,
           w, accumulate);
    const float *ai = a + (ptrdiff_t)i * lda;
    float *ci = c + (ptrdiff_t)i * ldc + n0;
    switch (M - i) {
      case 5: tile(5, K, ai, lda, p, ci, ldc, w, accumulate); break;
      case 4: tile(4, K, ai, lda, p, ci, ldc, w, accumulate); break;
      case 3: tile(3, K, ai, lda, p, ci, ldc, w, accumulate); break;
      case 2: tile(2, K, ai, lda, p, ci, ldc, w, accumulate); break;
      case 1: tile(1, K, ai, lda, p, ci, ldc, w, accumulate); break;
      default: break;
    }
  }
}
