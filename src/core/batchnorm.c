#include "batchnorm.h"

#include <math.h>
#include <stddef.h>

/* Element (n, c, s) of an (N,C,S) buffer. */
#define AT(p, n, c, s) ((p)[((ptrdiff_t)(n) * C + (c)) * S + (s)])

/* Loops go feature-outer so each feature's sums accumulate in a double
 * scalar: M = N*S can be large for spatial batch norm. */

void nn_batchnorm_forward_train(float *out, float *mean, float *rstd,
                                float *running_mean, float *running_var,
                                const float *inp, const float *gamma,
                                const float *beta, int N, int C, int S,
                                float momentum, float eps) {
  double M = (double)N * S;
  for (int c = 0; c < C; c++) {
    double sum = 0.0, sq = 0.0;
    for (int n = 0; n < N; n++)
      for (int s = 0; s < S; s++) sum += AT(inp, n, c, s);
    double mu = M > 0 ? sum / M : 0.0;
    for (int n = 0; n < N; n++)
      for (int s = 0; s < S; s++) {
        double d = AT(inp, n, c, s) - mu;
        sq += d * d;
      }
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
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (int n = 0; n < N; n++)
      for (int s = 0; s < S; s++) {
        double dy = AT(dout, n, c, s);
        sum_dy += dy;
        sum_dy_xhat += dy * (AT(inp, n, c, s) - mean[c]) * rstd[c];
      }
    dgamma[c] += (float)sum_dy_xhat;
    dbeta[c] += (float)sum_dy;
    float g = gamma[c] * rstd[c];
    if (!training || M == 0) {
      for (int n = 0; n < N; n++)
        for (int s = 0; s < S; s++) AT(dinp, n, c, s) = g * AT(dout, n, c, s);
      continue;
    }
    float mdy = (float)(sum_dy / M), mdyx = (float)(sum_dy_xhat / M);
    for (int n = 0; n < N; n++)
      for (int s = 0; s < S; s++) {
        float xhat = (AT(inp, n, c, s) - mean[c]) * rstd[c];
        AT(dinp, n, c, s) = g * (AT(dout, n, c, s) - mdy - xhat * mdyx);
      }
  }
}
