#include "activation.h"

#include "fast_exp.h"

void nn_sigmoid_forward(float *out, const float *inp, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = nn_sigmoid_exp(inp[i]);
}

void nn_sigmoid_backward(float *dinp, const float *dout, const float *out, int64_t n) {
  for (int64_t i = 0; i < n; i++) dinp[i] = dout[i] * out[i] * (1.0f - out[i]);
}

void nn_tanh_forward(float *out, const float *inp, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = nn_tanh_exp(inp[i]);
}

void nn_tanh_backward(float *dinp, const float *dout, const float *out, int64_t n) {
  for (int64_t i = 0; i < n; i++) dinp[i] = dout[i] * (1.0f - out[i] * out[i]);
}

void nn_relu_forward(float *out, const float *inp, int64_t n) {
  for (int64_t i = 0; i < n; i++) out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}

void nn_relu_backward(float *dinp, const float *dout, const float *inp, int64_t n) {
  for (int64_t i = 0; i < n; i++) dinp[i] = inp[i] > 0.0f ? dout[i] : 0.0f;
}

void nn_leaky_relu_forward(float *out, const float *inp, int64_t n, float slope) {
  /* The select picks a factor, not a product: gcc does not vectorize a
   * ?: with float arithmetic in one arm (it sinks it into a branch). */
  for (int64_t i = 0; i < n; i++) out[i] = (inp[i] > 0.0f ? 1.0f : slope) * inp[i];
}

void nn_leaky_relu_backward(float *dinp, const float *dout, const float *inp,
                            int64_t n, float slope) {
  for (int64_t i = 0; i < n; i++) dinp[i] = (inp[i] > 0.0f ? 1.0f : slope) * dout[i];
}
