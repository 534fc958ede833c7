/* Vectorizable float tanh and sigmoid for the recurrent cells' fused loops.
 *
 * glibc's tanhf/expf are scalar calls; inside the per-step gate loops of an
 * LSTM (5 transcendentals per hidden unit per step) they would cost as much
 * as the GEMMs.  These are branch-free rational approximations written as
 * plain C so that gcc -O3 auto-vectorizes the loops that call them (AVX2:
 * 8 lanes).  tanh is x*P(x^2)/Q(x^2) on x clamped to +-7.905 (beyond it
 * tanh rounds to +-1 in float), with the minimax coefficients used by
 * Eigen's generic_fast_tanh_float (Eigen, MathFunctionsImpl.h).  Max error
 * against double tanh is a few float ulps (tests/c/test_fast_tanh.c).
 */
#ifndef NN_FAST_TANH_H
#define NN_FAST_TANH_H

static inline float nn_tanh_fast(float x) {
  const float lim = 7.90531110763549805f;
  x = x > lim ? lim : x;
  x = x < -lim ? -lim : x;
  float x2 = x * x;
  float p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  float q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return x * p / q;
}

/* sigmoid(x) = (1 + tanh(x/2)) / 2: one approximation serves both. */
static inline float nn_sigmoid_fast(float x) {
  return 0.5f + 0.5f * nn_tanh_fast(0.5f * x);
}

#endif
