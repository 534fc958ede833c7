#include "batchnorm.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* Element (n, c, s) of an (N,C,S) buffer. */
#define AT(p, n, c, s) ((p)[((ptrdiff_t)(n) * C + (c)) * S + (s)])

/* Loops go feature-outer.  A feature's values are N rows of S contiguous
 * floats (S = H*W in spatial batch norm).  Each row is reduced in float in
 * an 8-wide vector (GCC vector extensions: a plain `s += x[i]` loop is not
 * vectorized without -ffast-math, and a double accumulator halves the
 * width); the rows' sums are then added in double, so M = N*S can be
 * large.  Any other target gets a correct generic lowering. */
typedef float v8 __attribute__((vector_size(32)));
#define LANES 8

static inline v8 load8(const float *p) {
  v8 v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline double hsum(v8 v) {
  double s = 0;
  for (int k = 0; k < LANES; k++) s += v[k];
  return s;
}

static inline double row_sum(const float *x, int n) {
  v8 acc = {0};
  int i = 0;
  for (; i + LANES <= n; i += LANES) acc += load8(x + i);
  double s = hsum(acc);
  for (; i < n; i++) s += x[i];
  return s;
}

/* Σ (x - mu)^2 */
static inline double row_sqdev(const float *x, int n, float mu) {
  v8 acc = {0};
  int i = 0;
  for (; i + LANES <= n; i += LANES) {
    v8 d = load8(x + i) - mu;
    acc += d * d;
  }
  double s = hsum(acc);
  for (; i < n; i++) s += (double)(x[i] - mu) * (x[i] - mu);
  return s;
}

/* Σ dy and Σ dy*(x - mu) */
static inline void row_grad_sums(const float *dy, const float *x, int n, float mu,
                                 double *sdy, double *sdyx) {
  v8 a = {0}, b = {0};
  int i = 0;
  for (; i + LANES <= n; i += LANES) {
    v8 d = load8(dy + i);
    a += d;
    b += d * (load8(x + i) - mu);
  }
  double s1 = hsum(a), s2 = hsum(b);
  for (; i < n; i++) {
    s1 += dy[i];
    s2 += (double)dy[i] * (x[i] - mu);
  }
  *sdy += s1;
  *sdyx += s2;
}

void nn_batchnorm_forward_train(float *out, float *mean, float *rstd,
                                float *running_mean, float *running_var,
                                const float *inp, const float *gamma,
                                const float *beta, int N, int C, int S,
                                float momentum, float eps) {
  double M = (double)N * S;
  for (int c = 0; c < C; c++) {
    double sum = 0.0, sq = 0.0;
    for (int n = 0; n < N; n++) sum += row_sum(&AT(inp, n, c, 0), S);
    double mu = M > 0 ? sum / M : 0.0;
    for (int n = 0; n < N; n++) sq += row_sqdev(&AT(inp, n, c, 0), S, (float)mu);
    double var = M > 0 ? sq / M : 0.0;
    mean[c] = (float)mu;
    rstd[c] = (float)(1.0 / sqrt(var + eps));
    if (running_mean) {
      running_mean[c] = (1.0f - momentum) * running_mean[c] + momentum * (float)mu;
      double unbiased = M > 1 ? sq / (M - 1) : var;
      running_var[c] = (1.0f - momentum) * running_var[c] + momentum * (float)unbiased;
    }
    float g = gamma[c] * rstd[c], b = beta[c] - g * mean[c];
    for (int n = 0; n < N; n++)
      for (int s = 0; s < S; s++) AT(out, n, c, s) = g * AT(inp, n, c, s) + b;
  }
}

void nn_batchnorm_forward_eval(float *out, float *mean, float *rstd,
                               const float *running_mean,
                               const float *running_var, const float *inp,
                               const float *gamma, const float *beta, int N,
                               int C, int S, float eps) {
  for (int c = 0; c < C; c++) {
    mean[c] = running_mean[c];
    rstd[c] = (float)(1.0 / sqrt((double)running_var[c] + eps));
    float g = gamma[c] * rstd[c], b = beta[c] - g * mean[c];
    for (int n = 0; n < N; n++)
      for (int s = 0; s < S; s++) AT(out, n, c, s) = g * AT(inp, n, c, s) + b;
  }
}

void nn_batchnorm_backward(float *dinp, float *dgamma, float *dbeta,
                           const float *dout, const float *inp,
                           const float *gamma, const float *mean,
                           const float *rstd, int N, int C, int S,
                           bool training) {
  double M = (double)N * S;
  for (int c = 0; c < C; c++) {
    double sum_dy = 0.0, sum_dyx = 0.0; /* Σ dy, Σ dy*(x - mean) */
    for (int n = 0; n < N; n++)
      row_grad_sums(&AT(dout, n, c, 0), &AT(inp, n, c, 0), S, mean[c], &sum_dy, &sum_dyx);
    double sum_dy_xhat = sum_dyx * rstd[c];
    dgamma[c] += (float)sum_dy_xhat;
    dbeta[c] += (float)sum_dy;
    float g = gamma[c] * rstd[c];
    if (!training || M == 0) {
      for (int n = 0; n < N; n++)
        for (int s = 0; s < S; s++) AT(dinp, n, c, s) = g * AT(dout, n, c, s);
      continue;
    }
    /* dinp = g * (dout - mdy - xhat*mdyx), xhat = (x - mean)*rstd, folded
     * into dinp = g*dout + a*x + b per feature */
    float mdy = (float)(sum_dy / M), mdyx = (float)(sum_dy_xhat / M);
    float a = -g * mdyx * rstd[c], b = -g * mdy - a * mean[c];
    for (int n = 0; n < N; n++)
      for (int s = 0; s < S; s++)
        AT(dinp, n, c, s) = g * AT(dout, n, c, s) + a * AT(inp, n, c, s) + b;
  }
}
