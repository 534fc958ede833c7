#include "softmax.h"

#include <math.h>
#include <stddef.h>

#include "row_reduce.h"

void nn_softmax_forward(float *out, const float *inp, int B, int C) {
  if (C <= 0) return;
  for (int b = 0; b < B; b++) {
    const float *x = inp + (ptrdiff_t)b * C;
    float *y = out + (ptrdiff_t)b * C;
    float inv = 1.0f / nn_row_sum_exp(y, x, nn_row_max(x, C), C);
    for (int c = 0; c < C; c++) y[c] *= inv;
  }
}

void nn_softmax_backward(float *dinp, const float *dout, const float *out,
                         int B, int C) {
  for (int b = 0; b < B; b++) {
    const float *g = dout + (ptrdiff_t)b * C, *y = out + (ptrdiff_t)b * C;
    float *d = dinp + (ptrdiff_t)b * C;
    float dot = nn_row_dot(g, y, C);
    for (int c = 0; c < C; c++) d[c] = y[c] * (g[c] - dot);
  }
}

void nn_log_softmax_forward(float *out, const float *inp, int B, int C) {
  if (C <= 0) return;
  for (int b = 0; b < B; b++) {
    const float *x = inp + (ptrdiff_t)b * C;
    float *y = out + (ptrdiff_t)b * C;
    float m = nn_row_max(x, C);
    /* (x - m) first: exact for nearby scores even when they are large. */
    float ls = logf(nn_row_sum_exp(NULL, x, m, C));
    for (int c = 0; c < C; c++) y[c] = (x[c] - m) - ls;
  }
}
