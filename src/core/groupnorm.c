#include "groupnorm.h"

#include <math.h>
#include <stddef.h>

/* A (sample, group) block is contiguous: channels c0..c0+C/G-1 of sample n,
 * S values each.  Sums are accumulated in double (M can be large). */

void nn_groupnorm_forward(float *out, float *mean, float *rstd, const float *inp,
                          const float *gamma, const float *beta, int N, int C, int S,
                          int G, float eps) {
  const int CG = C / G;
  const ptrdiff_t M = (ptrdiff_t)CG * S;
  for (int n = 0; n < N; n++)
    for (int g = 0; g < G; g++) {
      const ptrdiff_t base = ((ptrdiff_t)n * C + (ptrdiff_t)g * CG) * S;
      const float *x = inp + base;
      double sum = 0, sq = 0;
      for (ptrdiff_t k = 0; k < M; k++) sum += x[k];
      double mu = sum / (double)M;
      for (ptrdiff_t k = 0; k < M; k++) sq += (x[k] - mu) * (x[k] - mu);
      float m = (float)mu, r = (float)(1.0 / sqrt(sq / (double)M + eps));
      mean[n * G + g] = m;
      rstd[n * G + g] = r;
      for (int c = 0; c < CG; c++) {
        int ch = g * CG + c;
        float a = gamma[ch] * r, b = beta[ch] - a * m;
        const float *xc = x + (ptrdiff_t)c * S;
        float *y = out + base + (ptrdiff_t)c * S;
        for (int s = 0; s < S; s++) y[s] = a * xc[s] + b;
      }
    }
}

void nn_groupnorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                           const float *inp, const float *gamma, const float *mean,
                           const float *rstd, int N, int C, int S, int G) {
  const int CG = C / G;
  const double M = (double)CG * S;
  for (int n = 0; n < N; n++)
    for (int g = 0; g < G; g++) {
      const ptrdiff_t base = ((ptrdiff_t)n * C + (ptrdiff_t)g * CG) * S;
      const float m = mean[n * G + g], r = rstd[n * G + g];
      double sh = 0, shx = 0;
      for (int c = 0; c < CG; c++) {
        int ch = g * CG + c;
        const float *x = inp + base + (ptrdiff_t)c * S, *dy = dout + base + (ptrdiff_t)c * S;
        double sdy = 0, sdyx = 0;
        for (int s = 0; s < S; s++) {
          float xhat = (x[s] - m) * r;
          sdy += dy[s];
          sdyx += (double)dy[s] * xhat;
        }
        dgamma[ch] += (float)sdyx;
        dbeta[ch] += (float)sdy;
        sh += gamma[ch] * sdy;
        shx += gamma[ch] * sdyx;
      }
      const float mh = (float)(sh / M), mhx = (float)(shx / M);
      for (int c = 0; c < CG; c++) {
        int ch = g * CG + c;
        const float *x = inp + base + (ptrdiff_t)c * S, *dy = dout + base + (ptrdiff_t)c * S;
        float *dx = dinp + base + (ptrdiff_t)c * S;
        for (int s = 0; s < S; s++) {
          float xhat = (x[s] - m) * r;
          dx[s] = r * (gamma[ch] * dy[s] - mh - xhat * mhx);
        }
      }
    }
}
