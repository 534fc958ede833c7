#include "optim.h"

#include <math.h>

#include "pair.h"

typedef struct {
  float *param, *velocity;
  const float *grad;
  float lr, momentum, weight_decay;
  bool nesterov;
} sgd_args;

static void sgd_range(void *p, int64_t lo, int64_t hi) {
  const sgd_args *a = p;
  float *param = a->param, *velocity = a->velocity;
  const float *grad = a->grad;
  float lr = a->lr, momentum = a->momentum, weight_decay = a->weight_decay;
  if (momentum == 0.0f) {
    for (int64_t i = lo; i < hi; i++)
      param[i] -= lr * (grad[i] + weight_decay * param[i]);
    return;
  }
  float nest = a->nesterov ? 1.0f : 0.0f, plain = 1.0f - nest;
  for (int64_t i = lo; i < hi; i++) {
    float g = grad[i] + weight_decay * param[i];
    float v = momentum * velocity[i] + g;
    velocity[i] = v;
    /* Nesterov steps along g + mu*v, classic along v. */
    param[i] -= lr * (plain * v + nest * (g + momentum * v));
  }
}

/* A whole model's flat block (the trigram model's is 97k floats) is
 * updated as two halves on nnsh's pair (pair.h); each element's update is
 * the same either way. */
enum { SGD_PAIR_MIN = 1 << 15 };

void nn_sgd_step(float *param, const float *grad, float *velocity, int64_t n,
                 float lr, float momentum, float weight_decay, bool nesterov) {
  sgd_args a = {param, velocity, grad, lr, momentum, weight_decay, nesterov};
  nn_pair_split(n, SGD_PAIR_MIN, 16, sgd_range, &a);
}

void nn_rmsprop_step(float *param, const float *grad, float *sq, int64_t n,
                     float lr, float alpha, float eps, float weight_decay) {
  for (int64_t i = 0; i < n; i++) {
    float g = grad[i] + weight_decay * param[i];
    sq[i] = alpha * sq[i] + (1.0f - alpha) * g * g;
    param[i] -= lr * g / (sqrtf(sq[i]) + eps);
  }
}

typedef struct {
  float *param, *m, *v;
  const float *grad;
  int64_t n;
  float lr, beta1, beta2, eps, weight_decay, c1, c2;
} adam_part;

static void adam_job(void *arg) {
  const adam_part *a = arg;
  float *restrict param = a->param, *restrict m = a->m, *restrict v = a->v;
  const float *restrict grad = a->grad;
  const float lr = a->lr, beta1 = a->beta1, beta2 = a->beta2, eps = a->eps,
              wd = a->weight_decay, c1 = a->c1, c2 = a->c2;
  for (int64_t i = 0; i < a->n; i++) {
    float g = grad[i] + wd * param[i];
    m[i] = beta1 * m[i] + (1.0f - beta1) * g;
    v[i] = beta2 * v[i] + (1.0f - beta2) * g * g;
    param[i] -= lr * (m[i] * c1) / (sqrtf(v[i] * c2) + eps);
  }
}

/* Below this many parameters the hand-off to the pair's worker costs more
 * than the second core saves. */
enum { ADAM_SPLIT_MIN = 1 << 16 };

void nn_adam_step(float *param, const float *grad, float *m, float *v,
                  int64_t n, float lr, float beta1, float beta2, float eps,
                  float weight_decay, int64_t t) {
  /* Bias corrections in double: 1-b2^t is tiny for small t with b2 near 1. */
  float c1 = (float)(1.0 / (1.0 - pow(beta1, (double)t)));
  float c2 = (float)(1.0 / (1.0 - pow(beta2, (double)t)));
  adam_part a = {param, m, v, grad, n, lr, beta1, beta2, eps, weight_decay, c1, c2};
  if (n < ADAM_SPLIT_MIN || !nn_pair_active()) {
    adam_job(&a);
    return;
  }
  /* Every element is updated on its own, so the two halves give bitwise
   * the one-thread result. */
  adam_part b = a;
  int64_t h = n / 2 / 16 * 16;
  a.n = h;
  b.param += h;
  b.m += h;
  b.v += h;
  b.grad += h;
  b.n = n - h;
  nn_pair_run(adam_job, &b, adam_job, &a);
}

double nn_sumsq(const float *x, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; i++) s += (double)x[i] * x[i];
  return s;
}

void nn_scale(float *x, int64_t n, float s) {
  for (int64_t i = 0; i < n; i++) x[i] *= s;
}

double nn_clip_grad_norm(float *const *grads, const int64_t *sizes, int k,
                         double max_norm) {
  double sq = 0.0;
  for (int j = 0; j < k; j++) sq += nn_sumsq(grads[j], sizes[j]);
  double norm = sqrt(sq);
  if (norm > max_norm && norm > 0.0) {
    float s = (float)(max_norm / norm);
    for (int j = 0; j < k; j++) nn_scale(grads[j], sizes[j], s);
  }
  return norm;
}
