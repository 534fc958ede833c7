#include "activation.h"

#include "fast_exp.h"
#include "pair.h"

/* Long element-wise loops run as two halves on nnsh's pair (pair.h): each
 * element's result is the same wherever the range is cut.  Below these
 * sizes a half takes about as long as the hand-off. */
enum {
  PAIR_MIN_EXP = 1 << 14, /* sigmoid and tanh: an exp per element */
  PAIR_MIN_MUL = 1 << 15, /* their derivatives: a few multiplies */
  ALIGN = 16              /* floats per 64-byte cache line */
};

typedef struct {
  float *y;
  const float *a, *b;
} ew_args;

static void sigmoid_fwd_range(void *p, int64_t lo, int64_t hi) {
  const ew_args *e = p;
  float *y = e->y;
  const float *x = e->a;
  for (int64_t i = lo; i < hi; i++) y[i] = nn_sigmoid_exp(x[i]);
}

static void sigmoid_bwd_range(void *p, int64_t lo, int64_t hi) {
  const ew_args *e = p;
  float *d = e->y;
  const float *g = e->a, *o = e->b;
  for (int64_t i = lo; i < hi; i++) d[i] = g[i] * o[i] * (1.0f - o[i]);
}

static void tanh_fwd_range(void *p, int64_t lo, int64_t hi) {
  const ew_args *e = p;
  float *y = e->y;
  const float *x = e->a;
  for (int64_t i = lo; i < hi; i++) y[i] = nn_tanh_exp(x[i]);
}

static void tanh_bwd_range(void *p, int64_t lo, int64_t hi) {
  const ew_args *e = p;
  float *d = e->y;
  const float *g = e->a, *o = e->b;
  for (int64_t i = lo; i < hi; i++) d[i] = g[i] * (1.0f - o[i] * o[i]);
}

void nn_sigmoid_forward(float *out, const float *inp, int64_t n) {
  ew_args e = {out, inp, NULL};
  nn_pair_split(n, PAIR_MIN_EXP, ALIGN, sigmoid_fwd_range, &e);
}

void nn_sigmoid_backward(float *dinp, const float *dout, const float *out, int64_t n) {
  ew_args e = {dinp, dout, out};
  nn_pair_split(n, PAIR_MIN_MUL, ALIGN, sigmoid_bwd_range, &e);
}

void nn_tanh_forward(float *out, const float *inp, int64_t n) {
  ew_args e = {out, inp, NULL};
  nn_pair_split(n, PAIR_MIN_EXP, ALIGN, tanh_fwd_range, &e);
}

void nn_tanh_backward(float *dinp, const float *dout, const float *out, int64_t n) {
  ew_args e = {dinp, dout, out};
  nn_pair_split(n, PAIR_MIN_MUL, ALIGN, tanh_bwd_range, &e);
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
