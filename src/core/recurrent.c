#include "recurrent.h"

#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "error.h"
#include "gemm_packed.h"

int nn_rec_arena_reserve(nn_rec_arena *a, size_t n) {
  if (n <= a->cap) return NN_OK;
  free(a->mem);
  a->cap = 0;
  a->mem = aligned_alloc(64, nn_rec_pad(n) * sizeof(float));
  NN_REQUIRE(a->mem, "out of memory for recurrent buffers (%zu MB)",
             n * sizeof(float) >> 20);
  a->cap = nn_rec_pad(n);
  return NN_OK;
}

void nn_rec_arena_free(nn_rec_arena *a) {
  free(a->mem);
  a->mem = NULL;
  a->cap = 0;
}

static nn_rec_gemm_mode gemm_mode = NN_REC_GEMM_AUTO;

void nn_rec_set_gemm(nn_rec_gemm_mode mode) { gemm_mode = mode; }

bool nn_rec_gemm_is_packed(void) {
  if (gemm_mode != NN_REC_GEMM_AUTO) return gemm_mode == NN_REC_GEMM_PACKED;
  /* Decided once from OpenBLAS's kernel name: deterministic for a given
   * environment, so a seed still reproduces a run bit for bit. */
  static int packed = -1;
  if (packed < 0) {
    const char *core = nn_blas_corename();
    packed = !(core && (strstr(core, "SkylakeX") || strstr(core, "Cooperlake") ||
                        strstr(core, "SapphireRapids")));
  }
  return packed;
}

void nn_rec_wmul_init(nn_rec_wmul *m, float *wp, const float *wh, int H,
                      int G, bool backward) {
  m->packed = nn_rec_gemm_is_packed();
  m->trans = backward;
  m->K = backward ? G : H;
  m->N = backward ? H : G;
  m->w = wh;
  m->wp = wp;
  if (m->packed) nn_pack_b(wp, wh, m->K, m->N, G, backward);
}

void nn_rec_wmul_run(const nn_rec_wmul *m, int M, const float *a, bool acc,
                     float *c) {
  if (m->packed)
    nn_gemm_packed(M, m->N, m->K, a, m->K, m->wp, acc, c, m->N);
  else /* wh is (K,N) forward, (N,K) backward: ld = G either way */
    nn_sgemm(false, m->trans, M, m->N, m->K, 1.0f, a, m->K, m->w,
             m->trans ? m->K : m->N, acc ? 1.0f : 0.0f, c, m->N);
}

void nn_rec_btd_to_tbd(float *dst, const float *src, int B, int T, int D) {
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      memcpy(dst + ((ptrdiff_t)t * B + b) * D, src + ((ptrdiff_t)b * T + t) * D,
             (size_t)D * sizeof(float));
}

void nn_rec_tbd_to_btd(float *dst, const float *src, int B, int T, int D) {
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      memcpy(dst + ((ptrdiff_t)b * T + t) * D, src + ((ptrdiff_t)t * B + b) * D,
             (size_t)D * sizeof(float));
}

/* With few input features (the 3 accelerometer axes of Q3) a product of
 * inner dimension D is memory-bound and BLAS runs it at a fraction of its
 * speed; below this D the projection and the gradients that read x are
 * single fused passes over the (T*B, G) buffers instead. */
#define SMALL_D 8

void nn_rec_input_proj(float *out, const float *x, const float *wx,
                       const float *b, int N, int D, int G) {
  if (D > SMALL_D) {
    for (int n = 0; n < N; n++)
      memcpy(out + (ptrdiff_t)n * G, b, (size_t)G * sizeof(float));
    nn_sgemm(false, false, N, G, D, 1.0f, x, D, wx, G, 1.0f, out, G);
    return;
  }
  for (int n = 0; n < N; n++) {
    float *restrict o = out + (ptrdiff_t)n * G;
    const float *xr = x + (ptrdiff_t)n * D;
    memcpy(o, b, (size_t)G * sizeof(float));
    for (int d = 0; d < D; d++) {
      const float *restrict w = wx + (ptrdiff_t)d * G;
      float xd = xr[d];
      for (int j = 0; j < G; j++) o[j] += xd * w[j];
    }
  }
}

void nn_rec_add_step(float *dh, const float *dout, int B, int T, int t,
                     int H) {
  for (int b = 0; b < B; b++) {
    float *d = dh + (ptrdiff_t)b * H;
    const float *y = dout + ((ptrdiff_t)b * T + t) * H;
    for (int j = 0; j < H; j++) d[j] += y[j];
  }
}

void nn_rec_colsum(float *db, const float *g, int N, int n, int ld) {
  for (int r = 0; r < N; r++) {
    const float *row = g + (ptrdiff_t)r * ld;
    for (int j = 0; j < n; j++) db[j] += row[j];
  }
}

void nn_rec_weight_grads(float *dwx, float *dwh, float *db, float *dx,
                         const float *x, const float *hprev, const float *dgx,
                         const float *dgh, const float *wx, int N, int D,
                         int H, int G) {
  nn_sgemm(true, false, H, G, N, 1.0f, hprev, H, dgh, G, 1.0f, dwh, G);
  if (D > SMALL_D) {
    nn_sgemm(true, false, D, G, N, 1.0f, x, D, dgx, G, 1.0f, dwx, G);
    nn_rec_colsum(db, dgx, N, G, G);
    if (dx) nn_sgemm(false, true, N, D, G, 1.0f, dgx, G, wx, G, 0.0f, dx, D);
    return;
  }
  /* One pass over dgx: db and dwx accumulate row by row (they stay in L1),
   * dx takes D dot products per row, in 8 partial sums so that they
   * vectorize without reassociating a float reduction. */
  int G8 = G & ~7;
  for (int n = 0; n < N; n++) {
    const float *restrict g = dgx + (ptrdiff_t)n * G;
    const float *xr = x + (ptrdiff_t)n * D;
    for (int j = 0; j < G; j++) db[j] += g[j];
    for (int d = 0; d < D; d++) {
      float *restrict w = dwx + (ptrdiff_t)d * G;
      float xd = xr[d];
      for (int j = 0; j < G; j++) w[j] += xd * g[j];
    }
    if (!dx) continue;
    for (int d = 0; d < D; d++) {
      const float *restrict w = wx + (ptrdiff_t)d * G;
      float acc[8] = {0};
      for (int j = 0; j < G8; j += 8)
        for (int k = 0; k < 8; k++) acc[k] += g[j + k] * w[j + k];
      float sum = 0;
      for (int j = G8; j < G; j++) sum += g[j] * w[j];
      for (int k = 0; k < 8; k++) sum += acc[k];
      dx[(ptrdiff_t)n * D + d] = sum;
    }
  }
}
