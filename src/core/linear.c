#include "linear.h"

#include <string.h>

#include "blas.h"

void nn_linear_forward(float *out, const float *inp, const float *weight,
                       const float *bias, int B, int C, int OC) {
  if (bias) {
    for (int b = 0; b < B; b++)
      memcpy(out + (ptrdiff_t)b * OC, bias, sizeof(float) * (size_t)OC);
  }
  nn_sgemm(false, false, B, OC, C, 1.0f, inp, C, weight, OC, bias ? 1.0f : 0.0f,
           out, OC);
}

void nn_linear_backward(float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp,
                        const float *weight, int B, int C, int OC) {
  if (dinp) nn_sgemm(false, true, B, C, OC, 1.0f, dout, OC, weight, OC, 0.0f, dinp, C);
  nn_sgemm(true, false, C, OC, B, 1.0f, inp, C, dout, OC, 1.0f, dweight, OC);
  if (dbias) {
    for (int b = 0; b < B; b++) {
      const float *row = dout + (ptrdiff_t)b * OC;
      for (int o = 0; o < OC; o++) dbias[o] += row[o];
    }
  }
}
