#include "losses.h"

#include <math.h>
#include <stddef.h>

#include "error.h"
#include "row_reduce.h"

static int check_labels(const int32_t *labels, int B, int C) {
  for (int b = 0; b < B; b++)
    NN_REQUIRE(labels[b] >= 0 && labels[b] < C,
               "class label %d (row %d) is outside 1..%d", labels[b] + 1, b + 1, C);
  return NN_OK;
}

/* Whether class y is the argmax of row x (maximum m), the first one on
 * ties as nn_count_correct decides: a row of equal scores is one correct
 * guess, not C. */
static int is_first_argmax(const float *x, int y, float m) {
  if (x[y] != m) return 0;
  for (int c = 0; c < y; c++)
    if (x[c] == m) return 0;
  return 1;
}

double nn_mse_loss(float *dinp, const float *inp, const float *target, int64_t n) {
  double sum = 0.0;
  float scale = n > 0 ? 2.0f / (float)n : 0.0f;
  for (int64_t i = 0; i < n; i++) {
    float d = inp[i] - target[i];
    sum += (double)d * d;
    if (dinp) dinp[i] = scale * d;
  }
  return n > 0 ? sum / (double)n : 0.0;
}

int nn_crossentropy_loss(double *loss, float *dlogits, int64_t *ncorrect,
                         const float *logits, const int32_t *labels, int B,
                         int C) {
  NN_REQUIRE(C > 0, "cross-entropy needs at least one class");
  NN_TRY(check_labels(labels, B, C));
  double sum = 0.0;
  int64_t correct = 0;
  float invB = B > 0 ? 1.0f / (float)B : 0.0f;
  for (int b = 0; b < B; b++) {
    const float *x = logits + (ptrdiff_t)b * C;
    float m = nn_row_max(x, C);
    float *d = dlogits ? dlogits + (ptrdiff_t)b * C : NULL;
    float s = nn_row_sum_exp(d, x, m, C);
    int y = labels[b];
    sum += (double)m + log((double)s) - x[y];
    correct += is_first_argmax(x, y, m);
    if (d) {
      float k = invB / s;
      for (int c = 0; c < C; c++) d[c] *= k;
      d[y] -= invB;
    }
  }
  *loss = B > 0 ? sum / B : 0.0;
  if (ncorrect) *ncorrect = correct;
  return NN_OK;
}

double nn_bce_logits_loss(float *dinp, const float *inp, const float *target,
                          int64_t n) {
  double sum = 0.0;
  float invn = n > 0 ? 1.0f / (float)n : 0.0f;
  for (int64_t i = 0; i < n; i++) {
    float x = inp[i], t = target[i];
    float e = expf(-fabsf(x));
    sum += (double)(x > 0.0f ? x : 0.0f) - (double)x * t + log1p((double)e);
    if (dinp) {
      /* σ(x) from e = e^-|x| without overflow on either side. */
      float sig = x >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
      dinp[i] = (sig - t) * invn;
    }
  }
  return n > 0 ? sum / (double)n : 0.0;
}

int nn_svm_loss(double *loss, float *dscores, const float *scores,
                const int32_t *labels, int B, int C, float margin) {
  NN_TRY(check_labels(labels, B, C));
  double sum = 0.0;
  float invB = B > 0 ? 1.0f / (float)B : 0.0f;
  for (int b = 0; b < B; b++) {
    const float *s = scores + (ptrdiff_t)b * C;
    float *d = dscores ? dscores + (ptrdiff_t)b * C : NULL;
    int y = labels[b], active = 0;
    for (int c = 0; c < C; c++) {
      float h = s[c] - s[y] + margin;
      int on = c != y && h > 0.0f;
      if (on) sum += h;
      active += on;
      if (d) d[c] = on ? invB : 0.0f;
    }
    if (d) d[y] = -(float)active * invB;
  }
  *loss = B > 0 ? sum / B : 0.0;
  return NN_OK;
}
