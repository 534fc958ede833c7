#include "recurrent.h"

#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "error.h"

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

void nn_rec_btd_to_tbd(float *dst, const float *src, int B, int T, int D) {
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      memcpy(dst + ((size_t)t * B + b) * D, src + ((size_t)b * T + t) * D,
             (size_t)D * sizeof(float));
}

void nn_rec_tbd_to_btd(float *dst, const float *src, int B, int T, int D) {
  for (int b = 0; b < B; b++)
    for (int t = 0; t < T; t++)
      memcpy(dst + ((size_t)b * T + t) * D, src + ((size_t)t * B + b) * D,
             (size_t)D * sizeof(float));
}

void nn_rec_input_proj(float *out, const float *x, const float *wx,
                       const float *b, int N, int D, int G) {
  for (int n = 0; n < N; n++) memcpy(out + (size_t)n * G, b, G * sizeof(float));
  nn_sgemm(false, false, N, G, D, 1.0f, x, D, wx, G, 1.0f, out, G);
}

void nn_rec_add_step(float *dh, const float *dout, int B, int T, int t,
                     int H) {
  for (int b = 0; b < B; b++) {
    float *d = dh + (size_t)b * H;
    const float *y = dout + ((size_t)b * T + t) * H;
    for (int j = 0; j < H; j++) d[j] += y[j];
  }
}

void nn_rec_colsum(float *db, const float *g, int N, int n, int ld) {
  for (int r = 0; r < N; r++) {
    const float *row = g + (size_t)r * ld;
    for (int j = 0; j < n; j++) db[j] += row[j];
  }
}

void nn_rec_weight_grads(float *dwx, float *dwh, float *db, float *dx,
                         const float *x, const float *hprev, const float *dgx,
                         const float *dgh, const float *wx, int N, int D,
                         int H, int G) {
  nn_sgemm(true, false, D, G, N, 1.0f, x, D, dgx, G, 1.0f, dwx, G);
  nn_sgemm(true, false, H, G, N, 1.0f, hprev, H, dgh, G, 1.0f, dwh, G);
  nn_rec_colsum(db, dgx, N, G, G);
  if (dx) nn_sgemm(false, true, N, D, G, 1.0f, dgx, G, wx, G, 0.0f, dx, D);
}
