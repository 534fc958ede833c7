/* What splitting a recurrent batch in two halves (src/core/recurrent_pair.h)
 * costs and gains on this machine:
 *   1. the per-step product with the recurrent weights (nn_rec_wmul, the
 *      kernel nnsh picks here, and the other one) at M = 8, 16, 32 rows,
 *      in ns per row: how much less efficient a half's product is;
 *   2. one forward + backward of the Q3 layer (T = 150, D = 3, H = 128)
 *      at batches 4..32, unsplit and split over nnsh's pair, in ms.
 * Run it with two threads given (OPENBLAS_NUM_THREADS=2) and the machine
 * lock:
 *   gcc -O2 -std=gnu11 -Isrc/core bench/rec_split.c build/libnncore.a \
 *       $(pkg-config --libs openblas) -lpng -lz -lpthread -lm -o build/rec_split
 *   OPENBLAS_NUM_THREADS=2 flock /tmp/nnsh-timing.lock build/rec_split
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "blas.h"
#include "pair.h"
#include "recurrent_pair.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static float *rnd(size_t n, float a) {
  float *p = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) p[i] = a * ((float)rand() / (float)RAND_MAX - 0.5f);
  return p;
}

static double median(double *v, int n) {
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
      double t = v[j];
      v[j] = v[j - 1], v[j - 1] = t;
    }
  return v[n / 2];
}

static void products(int H, int G) {
  float *wh = rnd((size_t)H * G, 0.2f), *wp = malloc(nn_rec_packed_wh(H, G) * sizeof(float));
  float *a = rnd((size_t)32 * G, 1.0f), *c = rnd((size_t)32 * G, 1.0f);
  for (int kind = 0; kind < 2; kind++) {
    nn_rec_set_gemm(kind ? NN_REC_GEMM_BLAS : NN_REC_GEMM_PACKED);
    for (int back = 0; back < 2; back++) {
      nn_rec_wmul m;
      nn_rec_wmul_init(&m, wp, wh, H, G, back);
      printf("  %-6s %-8s H=%d G=%d:", kind ? "blas" : "packed", back ? "backward" : "forward",
             H, G);
      for (int M = 8; M <= 32; M *= 2) {
        double t[7];
        for (int s = 0; s < 7; s++) {
          int reps = 2000;
          double t0 = now();
          for (int r = 0; r < reps; r++) nn_rec_wmul_run(&m, M, a, true, c);
          t[s] = (now() - t0) / reps / M * 1e9;
        }
        printf("  M=%d %.0f ns/row", M, median(t, 7));
      }
      printf("\n");
    }
  }
  nn_rec_set_gemm(NN_REC_GEMM_AUTO);
  free(wh), free(wp), free(a), free(c);
}

static void layer(int cell, int B) {
  const int T = 150, D = 3, H = 128, G = nn_rec_cells[cell].gates * H;
  float *x = rnd((size_t)B * T * D, 2.0f), *wx = rnd((size_t)D * G, 0.5f),
        *wh = rnd((size_t)H * G, 0.2f), *b = rnd((size_t)G, 0.1f), *bhn = rnd((size_t)H, 0.1f);
  float *out = malloc((size_t)B * H * sizeof(float)), *dout = rnd((size_t)B * H, 1.0f);
  float *dx = malloc((size_t)B * T * D * sizeof(float)), *dwx = rnd((size_t)D * G, 0),
        *dwh = rnd((size_t)H * G, 0), *db = rnd((size_t)G, 0), *dbhn = rnd((size_t)H, 0);
  printf("  %-4s B=%2d:", nn_rec_cells[cell].name, B);
  for (int split = 0; split < 2; split++) {
    nn_rec_set_split(split ? NN_REC_SPLIT_ALWAYS : NN_REC_SPLIT_NEVER);
    nn_rec_layer l;
    nn_rec_layer_init(&l, cell, D, H);
    double t[7];
    for (int s = 0; s < 8; s++) {
      double t0 = now();
      nn_rec_call f = {.x = x, .out = out, .wx = wx, .wh = wh, .b = b, .bhn = bhn, .B = B, .T = T};
      nn_rec_call g = {.dout = dout, .dx = dx, .wx = wx, .wh = wh, .dwx = dwx, .dwh = dwh,
                       .db = db, .dbhn = dbhn, .B = B, .T = T};
      if (nn_rec_layer_forward(&l, &f) || nn_rec_layer_backward(&l, &g)) abort();
      if (s) t[s - 1] = (now() - t0) * 1e3; /* the first grows the workspaces */
    }
    printf("  %s %.2f ms", split ? "split" : "unsplit", median(t, 7));
    nn_rec_layer_free(&l);
  }
  printf("\n");
  nn_rec_set_split(NN_REC_SPLIT_AUTO);
  float *v[] = {x, wx, wh, b, bhn, out, dout, dx, dwx, dwh, db, dbhn};
  for (size_t i = 0; i < sizeof v / sizeof *v; i++) free(v[i]);
}

int main(void) {
  nn_blas_set_threads(nn_blas_threads()); /* nnsh's policy: OpenBLAS at 1 under the pair */
  printf("pair active: %d, OpenBLAS threads %d, kernel picked: %s\n", nn_pair_active(),
         nn_blas_openblas_threads(),
         nn_rec_gemm_is_packed() ? "packed" : "blas");
  printf("per-step product, ns per row (one thread):\n");
  products(128, 128);
  products(128, 512);
  printf("layer forward + backward, T=150 D=3 H=128:\n");
  int batches[] = {4, 8, 12, 16, 24, 32};
  for (int cell = 0; cell < NN_REC_NCELLS; cell++)
    for (int i = 0; i < 6; i++) layer(cell, batches[i]);
  return 0;
}
