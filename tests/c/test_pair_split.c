/* The element-wise and per-row kernels that nnsh's pair splits in two
 * halves (nn_pair_split: sigmoid, tanh, SGD, cross-entropy) give bitwise
 * the serial result, including the cross-entropy's loss and count, for
 * sizes on both sides of the split thresholds and odd cut points. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "activation.h"
#include "blas.h"
#include "check.h"
#include "losses.h"
#include "optim.h"
#include "pair.h"

static void fill(float *p, size_t n, unsigned seed, float scale) {
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1664525u + 1013904223u;
    p[i] = scale * ((float)((seed >> 9) & 0xffff) / 32768.0f - 1.0f);
  }
}

static void serial(bool on) {
  nn_pair_enable(!on);
  nn_blas_set_threads(on ? 1 : 2);
}

/* Every range is covered once: the halves meet exactly. */
static void count_range(void *p, int64_t lo, int64_t hi) {
  unsigned char *seen = p;
  for (int64_t i = lo; i < hi; i++) seen[i]++;
}

static void test_split_covers(void) {
  serial(false);
  const int64_t sizes[] = {0, 1, 15, 16, 17, 33, 1000, 40001};
  for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
    int64_t n = sizes[k];
    unsigned char *seen = calloc((size_t)n + 1, 1);
    nn_pair_split(n, 2, 16, count_range, seen);
    int ok = 1;
    for (int64_t i = 0; i < n; i++) ok &= seen[i] == 1;
    CHECK(ok);
    free(seen);
  }
}

static void test_activations(void) {
  const int64_t sizes[] = {1000, 51200, 51203, 100001};
  for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
    int64_t n = sizes[k];
    size_t bytes = sizeof(float) * (size_t)n;
    float *x = malloc(bytes), *g = malloc(bytes), *y[2], *d[2];
    fill(x, (size_t)n, 7, 6.0f);
    fill(g, (size_t)n, 8, 1.0f);
    for (int r = 0; r < 2; r++) y[r] = malloc(bytes), d[r] = malloc(bytes);
    for (int f = 0; f < 2; f++) {
      for (int r = 0; r < 2; r++) {
        serial(r == 0);
        if (f == 0) {
          nn_sigmoid_forward(y[r], x, n);
          nn_sigmoid_backward(d[r], g, y[r], n);
        } else {
          nn_tanh_forward(y[r], x, n);
          memcpy(d[r], g, bytes); /* in place: dinp aliases dout */
          nn_tanh_backward(d[r], d[r], y[r], n);
        }
      }
      CHECK(memcmp(y[0], y[1], bytes) == 0);
      CHECK(memcmp(d[0], d[1], bytes) == 0);
    }
    for (int r = 0; r < 2; r++) free(y[r]), free(d[r]);
    free(x);
    free(g);
  }
}

static void test_sgd(void) {
  const int64_t n = 97082; /* the trigram model's flat block */
  size_t bytes = sizeof(float) * (size_t)n;
  float *g = malloc(bytes), *p[2], *v[2];
  fill(g, (size_t)n, 9, 1.0f);
  for (int r = 0; r < 2; r++) {
    p[r] = malloc(bytes);
    v[r] = malloc(bytes);
    fill(p[r], (size_t)n, 10, 0.1f);
    fill(v[r], (size_t)n, 11, 0.01f);
  }
  for (int r = 0; r < 2; r++) {
    serial(r == 0);
    for (int step = 0; step < 3; step++) {
      nn_sgd_step(p[r], g, v[r], n, 0.15f, 0.85f, 1e-4f, step == 2);
      nn_sgd_step(p[r], g, NULL, n, 0.01f, 0.0f, 0.0f, false);
    }
  }
  CHECK(memcmp(p[0], p[1], bytes) == 0);
  CHECK(memcmp(v[0], v[1], bytes) == 0);
  for (int r = 0; r < 2; r++) free(p[r]), free(v[r]);
  free(g);
}

static void test_crossentropy(void) {
  const int shapes[][2] = {{200, 250}, {201, 250}, {3, 20000}, {7, 10}};
  for (size_t k = 0; k < sizeof shapes / sizeof *shapes; k++) {
    int B = shapes[k][0], C = shapes[k][1];
    size_t n = (size_t)B * C;
    float *x = malloc(sizeof(float) * n), *d[2];
    int32_t *y = malloc(sizeof(int32_t) * (size_t)B);
    fill(x, n, 12, 4.0f);
    for (int b = 0; b < B; b++) y[b] = (b * 37) % C;
    /* Some rows whose label has the top score, one with a tie before it. */
    for (int b = 0; b < B; b += 3) x[(size_t)b * C + (size_t)y[b]] = 10.0f;
    int tie = B > 3 && y[3] > 0;
    if (tie) x[(size_t)3 * C] = 10.0f;
    double loss[2];
    int64_t correct[2];
    for (int r = 0; r < 2; r++) {
      d[r] = malloc(sizeof(float) * n);
      serial(r == 0);
      CHECK(nn_crossentropy_loss(&loss[r], d[r], &correct[r], x, y, B, C) == 0);
    }
    CHECK(memcmp(&loss[0], &loss[1], sizeof loss[0]) == 0);
    CHECK(correct[0] == correct[1]);
    CHECK(correct[0] == (B + 2) / 3 - tie);
    CHECK(memcmp(d[0], d[1], sizeof(float) * n) == 0);
    /* The loss against a plain double-precision reference. */
    double ref = 0.0;
    for (int b = 0; b < B; b++) {
      const float *row = x + (size_t)b * C;
      double m = row[0], s = 0.0;
      for (int c = 1; c < C; c++) m = row[c] > m ? row[c] : m;
      for (int c = 0; c < C; c++) s += exp((double)row[c] - m);
      ref += m + log(s) - row[y[b]];
    }
    CHECK(fabs(loss[0] - ref / B) <= 1e-5 * (1.0 + fabs(ref / B)));
    for (int r = 0; r < 2; r++) free(d[r]);
    free(x);
    free(y);
  }
}

int main(void) {
  test_split_covers();
  test_activations();
  test_sgd();
  test_crossentropy();
  return check_summary("test_pair_split");
}
