#include "layernorm.h"

#include <math.h>
#include <stddef.h>

void nn_layernorm_forward(float *out, float *mean, float *rstd,
                          const float *inp, const float *weight,
                          const float *bias, int B, int C, float eps) {
  for (int b = 0; b < B; b++) {
    const float *x = inp + (ptrdiff_t)b * C;
    float *y = out + (ptrdiff_t)b * C;
    double sum = 0.0, sq = 0.0;
    for (int c = 0; c < C; c++) sum += x[c];
    double mu = C > 0 ? sum / C : 0.0;
    for (int c = 0; c < C; c++) sq += (x[c] - mu) * (x[c] - mu);
    double var = C > 0 ? sq / C : 0.0;
    float m = (float)mu, r = (float)(1.0 / sqrt(var + eps));
    for (int c = 0; c < C; c++) y[c] = (x[c] - m) * r * weight[c] + bias[c];
    mean[b] = m;
    rstd[b] = r;
  }
}

void nn_layernorm_backward(float *dinp, float *dweight, float *dbias,
                           const float *dout, const float *inp,
                           const float *weight, const float *mean,
                           const float *rstd, int B, int C) {
  for (int b = 0; b < B; b++) {
    const float *x = inp + (ptrdiff_t)b * C, *dy = dout + (ptrdiff_t)b * C;
    float *dx = dinp + (ptrdiff_t)b * C;
    float m = mean[b], r = rstd[b];
    double sg = 0.0, sgx = 0.0;
    for (int c = 0; c < C; c++) {
      float xhat = (x[c] - m) * r, g = dy[c] * weight[c];
      sg += g;
      sgx += (double)g * xhat;
      dweight[c] += dy[c] * xhat;
      dbias[c] += dy[c];
    }
    float mg = C > 0 ? (float)(sg / C) : 0.0f, mgx = C > 0 ? (float)(sgx / C) : 0.0f;
    for (int c = 0; c < C; c++) {
      float xhat = (x[c] - m) * r;
      dx[c] = r * (dy[c] * weight[c] - mg - xhat * mgx);
    }
  }
}
