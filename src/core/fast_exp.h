/* Vectorizable float exp, sigmoid and tanh for the layer and loss loops.
 *
 * glibc's expf is a scalar call; in the trigram model's softmax (200x250 per
 * mini-batch) and sigmoid layer it would cost a sizeable share of an epoch.
 * This is Cephes' expf (range reduction x = n*ln2 + r, |r| <= ln2/2, a
 * degree-6 polynomial for e^r, then 2^n built in the exponent bits) written
 * branch-free so that gcc -O3 vectorizes the loops calling it.  The input is
 * clamped to [-87.3, 88.3] so 2^n stays a normal float: results below
 * e^-87.3 (1.2e-38) come out as 1.2e-38 instead of 0, which is harmless in
 * every sum it enters.  Relative error about 2 float ulps
 * (tests/c/test_fast_exp.c checks it against double exp).
 */
#ifndef NN_FAST_EXP_H
#define NN_FAST_EXP_H

#include <stdint.h>
#include <string.h>

static inline float nn_exp_fast(float x) {
  /* Clamp in the integer domain: a float select feeding arithmetic stops
   * gcc's if-conversion under the default -ftrapping-math.  Positive
   * floats order like their bits as int32; negative floats order reversed
   * like their bits as uint32 (all above 0x80000000). */
  uint32_t u, x_bits;
  memcpy(&u, &x, sizeof u);
  x_bits = u;
  u = (int32_t)u > 0x42B0999A ? 0x42B0999Au : u; /* 88.3f */
  u = u > 0xC2AE999Au ? 0xC2AE999Au : u;         /* -87.3f */
  memcpy(&x, &u, sizeof x);
  /* k = floor(y): truncate, then step down for negative non-integers.
   * Written with an integer compare because floorf and float selects do
   * not vectorize under gcc's default -ftrapping-math. */
  float y = x * 1.44269504088896341f + 0.5f;
  int32_t k = (int32_t)y;
  k -= (y < (float)k);
  float n = (float)k;
  /* ln2 split in two so that n*C1 is exact (Cody-Waite). */
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int32_t bits = (k + 127) << 23;
  float scale;
  memcpy(&scale, &bits, sizeof scale);
  float e = p * scale;
  /* NaN in, NaN out (the clamp above would turn it into a number), so a
   * diverging run shows NaN losses instead of silently saturating. */
  uint32_t e_bits, nan_mask = -(uint32_t)((x_bits & 0x7FFFFFFFu) > 0x7F800000u);
  memcpy(&e_bits, &e, sizeof e_bits);
  e_bits |= nan_mask & 0x7FC00000u;
  memcpy(&e, &e_bits, sizeof e);
  return e;
}

/* 1/(1+e^-x): accurate in relative terms in both tails (no cancellation,
 * unlike 0.5+0.5*tanh(x/2)). */
static inline float nn_sigmoid_exp(float x) {
  return 1.0f / (1.0f + nn_exp_fast(-x));
}

/* tanh as Cephes' tanhf: an odd polynomial for |x| < 0.625, where
 * 1-2/(e^2|x|+1) would lose relative precision, else that formula; the
 * sign is put back in the bits. */
static inline float nn_tanh_exp(float x) {
  uint32_t u;
  memcpy(&u, &x, sizeof u);
  uint32_t sign = u & 0x80000000u, ua = u & 0x7FFFFFFFu;
  float a;
  memcpy(&a, &ua, sizeof a);
  float big = 1.0f - 2.0f / (nn_exp_fast(2.0f * a) + 1.0f);
  float z = a * a;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  float small = p * z * a + a;
  uint32_t rb, rs;
  memcpy(&rb, &big, sizeof rb);
  memcpy(&rs, &small, sizeof rs);
  /* Blend with a mask: with a ?: gcc sinks each side's float arithmetic
   * into a branch and then refuses to vectorize it. */
  uint32_t m = -(uint32_t)(ua < 0x3F200000u); /* 0x3F200000 = 0.625f */
  uint32_t r = (rs & m) | (rb & ~m) | sign;
  memcpy(&x, &r, sizeof x);
  return x;
}

#endif
