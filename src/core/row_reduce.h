/* Row reductions written so that gcc vectorizes them: max, dot product and
 * sum of exponentials.
 *
 * A plain `s += x[i]` loop is not vectorized without -ffast-math, because
 * reordering float additions changes the rounding.  Keeping 8 independent
 * partial results (one per AVX lane) makes the reordering explicit, and
 * gcc turns the inner 8-wide loop into vector instructions.
 */
#ifndef NN_ROW_REDUCE_H
#define NN_ROW_REDUCE_H

#include "fast_exp.h"

#define NN_LANES 8

static inline float nn_row_max(const float *x, int n) {
  float acc[NN_LANES];
  int i = 0;
  for (int j = 0; j < NN_LANES; j++) acc[j] = x[0];
  for (; i + NN_LANES <= n; i += NN_LANES)
    for (int j = 0; j < NN_LANES; j++) acc[j] = x[i + j] > acc[j] ? x[i + j] : acc[j];
  float m = acc[0];
  for (int j = 1; j < NN_LANES; j++) m = acc[j] > m ? acc[j] : m;
  for (; i < n; i++) m = x[i] > m ? x[i] : m;
  return m;
}

static inline float nn_row_dot(const float *a, const float *b, int n) {
  float acc[NN_LANES] = {0};
  int i = 0;
  for (; i + NN_LANES <= n; i += NN_LANES)
    for (int j = 0; j < NN_LANES; j++) acc[j] += a[i + j] * b[i + j];
  float s = 0.0f;
  for (int j = 0; j < NN_LANES; j++) s += acc[j];
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

/* Σ exp(x[i] - shift); also stores each exponential in y when y != NULL. */
static inline float nn_row_sum_exp(float *y, const float *x, float shift, int n) {
  float acc[NN_LANES] = {0};
  int i = 0;
  if (y) {
    for (; i + NN_LANES <= n; i += NN_LANES)
      for (int j = 0; j < NN_LANES; j++) {
        float e = nn_exp_fast(x[i + j] - shift);
        y[i + j] = e;
        acc[j] += e;
      }
  } else {
    for (; i + NN_LANES <= n; i += NN_LANES)
      for (int j = 0; j < NN_LANES; j++) acc[j] += nn_exp_fast(x[i + j] - shift);
  }
  float s = 0.0f;
  for (int j = 0; j < NN_LANES; j++) s += acc[j];
  for (; i < n; i++) {
    float e = nn_exp_fast(x[i] - shift);
    if (y) y[i] = e;
    s += e;
  }
  return s;
}

#endif
