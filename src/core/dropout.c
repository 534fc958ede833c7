#include "dropout.h"

void nn_dropout_forward(float *out, float *mask, const float *inp, int64_t n,
                        float p, nn_rng *rng) {
  /* Drop when the draw falls below p * 2^32: exact to 2^-32. */
  uint64_t threshold = (uint64_t)((double)p * 4294967296.0);
  float keep = p < 1.0f ? 1.0f / (1.0f - p) : 0.0f;
  for (int64_t i = 0; i < n; i++) {
    mask[i] = (uint64_t)nn_rng_u32(rng) < threshold ? 0.0f : keep;
    out[i] = inp[i] * mask[i];
  }
}

void nn_dropout_backward(float *dinp, const float *dout, const float *mask,
                         int64_t n) {
  for (int64_t i = 0; i < n; i++) dinp[i] = dout[i] * mask[i];
}
