#include "losses.h"

#include <math.h>
#include <stddef.h>

#include "error.h"
#include "pair.h"
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
  int earlier = 0; /* no early exit: the loop vectorizes */
  for (int c = 0; c < y; c++) earlier |= x[c] == m;
  return !earlier;
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

void nn_crossentropy_rows(double *sum, int64_t *correct, float *dlogits, const float *logits,
                          const int32_t *labels, int64_t lo, int64_t hi, int C, float invB) {
  /* Local sums, stored once: callers' parts may share a cache line. */
  double s_all = 0.0;
  int64_t c_all = 0;
  for (int64_t b = lo; b < hi; b++) {
    const float *x = logits + b * C;
    float m = nn_row_max(x, C);
    float *d = dlogits ? dlogits + b * C : NULL;
    float s = nn_row_sum_exp(d, x, m, C);
    int y = labels[b];
    s_all += (double)m + log((double)s) - x[y];
    c_all += is_first_argmax(x, y, m);
    if (d) {
      float k = invB / s;
      for (int c = 0; c < C; c++) d[c] *= k;
      d[y] -= invB;
    }
  }
  *sum += s_all;
  *correct += c_all;
}

/* Rows [lo, hi) of the cross-entropy; the loss and count go to part 0 for
 * rows before `mid` and part 1 after, so the two partial sums are the same
 * whether one thread or the pair computed them. */
typedef struct {
  float *dlogits;
  const float *logits;
  const int32_t *labels;
  int C;
  int64_t mid;
  float invB;
  double sum[2];
  int64_t correct[2];
} ce_args;

static void ce_rows(void *p, int64_t lo, int64_t hi) {
  ce_args *a = p;
  double sum[2] = {0.0, 0.0};
  int64_t correct[2] = {0, 0};
  int64_t cut = hi < a->mid ? hi : a->mid;
  if (lo < cut)
    nn_crossentropy_rows(&sum[0], &correct[0], a->dlogits, a->logits, a->labels, lo, cut, a->C,
                         a->invB);
  if (cut < lo) cut = lo;
  if (cut < hi)
    nn_crossentropy_rows(&sum[1], &correct[1], a->dlogits, a->logits, a->labels, cut, hi, a->C,
                         a->invB);
  /* Only the parts this range has rows of: the other thread owns the rest. */
  for (int i = lo < a->mid ? 0 : 1; i <= (hi > a->mid ? 1 : 0); i++) {
    a->sum[i] = sum[i];
    a->correct[i] = correct[i];
  }
}

/* Rows per mini-batch from which the pair computes the two halves: about
 * 16k exponentials. */
enum { CE_PAIR_MIN_ELEMS = 1 << 14 };

int nn_crossentropy_loss(double *loss, float *dlogits, int64_t *ncorrect,
                         const float *logits, const int32_t *labels, int B,
                         int C) {
  NN_REQUIRE(C > 0, "cross-entropy needs at least one class");
  NN_TRY(check_labels(labels, B, C));
  ce_args a = {dlogits, logits, labels, C, B / 2, B > 0 ? 1.0f / (float)B : 0.0f,
               {0.0, 0.0}, {0, 0}};
  int64_t min_rows = CE_PAIR_MIN_ELEMS / C + 1;
  /* Split at a.mid exactly (align 1), so each thread's rows are one part. */
  nn_pair_split(B, min_rows < 2 ? 2 : min_rows, 1, ce_rows, &a);
  *loss = B > 0 ? (a.sum[0] + a.sum[1]) / B : 0.0;
  if (ncorrect) *ncorrect = a.correct[0] + a.correct[1];
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
