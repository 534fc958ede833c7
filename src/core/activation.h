/* Pointwise activations over n floats, forward and backward.
 *
 * Backward functions write dinp = dout * f'(.) (overwrite, not +=: the
 * layers have no parameters); dinp may alias dout.  Sigmoid and tanh take
 * their derivative from the forward output (out*(1-out), 1-out²), ReLU and
 * leaky ReLU from the forward input.  sigmoid/tanh use the vectorized
 * approximations of fast_exp.h (a few float ulps).
 */
#ifndef NN_ACTIVATION_H
#define NN_ACTIVATION_H

#include <stdint.h>

void nn_sigmoid_forward(float *out, const float *inp, int64_t n);
void nn_sigmoid_backward(float *dinp, const float *dout, const float *out, int64_t n);

void nn_tanh_forward(float *out, const float *inp, int64_t n);
void nn_tanh_backward(float *dinp, const float *dout, const float *out, int64_t n);

/* relu(x) = max(x, 0); the derivative at 0 is taken as 0. */
void nn_relu_forward(float *out, const float *inp, int64_t n);
void nn_relu_backward(float *dinp, const float *dout, const float *inp, int64_t n);

/* leaky(x) = x for x > 0, slope*x otherwise. */
void nn_leaky_relu_forward(float *out, const float *inp, int64_t n, float slope);
void nn_leaky_relu_backward(float *dinp, const float *dout, const float *inp,
                            int64_t n, float slope);

#endif
