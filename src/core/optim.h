/* Parameter update rules, in place over flat float arrays of n elements.
 * The Lua optimizers (lua/optim.lua) keep one state buffer per parameter
 * and call these once per parameter per step.
 *
 * Weight decay is L2 regularization added to the gradient (g + wd*p), as
 * in PyTorch's SGD/RMSprop/Adam; the gradient buffer is not modified.
 */
#ifndef NN_OPTIM_H
#define NN_OPTIM_H

#include <stdbool.h>
#include <stdint.h>

/* SGD with momentum (PyTorch's formulation, velocity in gradient units):
 *   g = grad + wd*p
 *   v = momentum*v + g                    (skipped when momentum == 0)
 *   p -= lr * (nesterov ? g + momentum*v : v)
 * With a constant lr this is the classic v = mu*v - lr*g; p += v.
 * velocity may be NULL when momentum == 0. */
void nn_sgd_step(float *param, const float *grad, float *velocity, int64_t n,
                 float lr, float momentum, float weight_decay, bool nesterov);

/* RMSProp (Hinton's lecture 6e; PyTorch defaults alpha 0.99, eps 1e-8):
 *   sq = alpha*sq + (1-alpha)*g²;   p -= lr * g / (sqrt(sq) + eps) */
void nn_rmsprop_step(float *param, const float *grad, float *sq, int64_t n,
                     float lr, float alpha, float eps, float weight_decay);

/* Adam (Kingma & Ba 2015) with bias correction; t = 1 on the first step:
 *   m = b1*m + (1-b1)*g;   v = b2*v + (1-b2)*g²
 *   p -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps) */
void nn_adam_step(float *param, const float *grad, float *m, float *v,
                  int64_t n, float lr, float beta1, float beta2, float eps,
                  float weight_decay, int64_t t);

/* Σ x², accumulated in double. */
double nn_sumsq(const float *x, int64_t n);
/* x *= s. */
void nn_scale(float *x, int64_t n, float s);

/* Gradient-norm clipping over k arrays taken as one vector: when their
 * global L2 norm exceeds max_norm, all are scaled by max_norm/norm.
 * Returns the norm before clipping. */
double nn_clip_grad_norm(float *const *grads, const int64_t *sizes, int k,
                         double max_norm);

#endif
