/* nn_tanh_fast and nn_sigmoid_fast (fast_tanh.h, the recurrent cells' gate
 * functions) against double-precision libm: the error bound the header
 * states, saturation, symmetry and NaN. */
#include "check.h"
#include "fast_tanh.h"

int main(void) {
  double worst_tanh = 0, worst_tanh_abs = 0, worst_sig = 0;
  for (double x = -12; x < 12; x += 0.000731) {
    float f = (float)x;
    double t = tanh((double)f), got = nn_tanh_fast(f);
    double a = fabs(got - t);
    if (t != 0 && a / fabs(t) > worst_tanh) worst_tanh = a / fabs(t);
    if (a > worst_tanh_abs) worst_tanh_abs = a;
    /* sigmoid = (1 + tanh(x/2))/2 keeps absolute, not relative, precision
     * for very negative x; the gates need absolute precision. */
    double s = 1 / (1 + exp(-(double)f));
    double e = fabs(nn_sigmoid_fast(f) - s);
    if (e > worst_sig) worst_sig = e;
  }
  printf("max error: tanh %.3g relative (%.3g absolute), sigmoid %.3g absolute\n", worst_tanh,
         worst_tanh_abs, worst_sig);
  /* A few float ulps (FLT_EPSILON is 1.19e-7); measured: tanh 2.7e-7, sigmoid
   * 1.3e-7 with FMA contraction (Release), 3.3e-7 and 1.8e-7 without. */
  CHECK(worst_tanh < 5e-7);
  CHECK(worst_tanh_abs < 5e-7);
  CHECK(worst_sig < 3e-7);
  /* Small arguments keep relative precision. */
  CHECK_NEAR(nn_tanh_fast(1e-6f) / 1e-6, 1.0, 1e-6);
  CHECK(nn_tanh_fast(-1e-30f) < 0);
  /* Odd symmetry is exact, saturation at +-1, sigmoid(0) = 1/2. */
  for (float x = 0.01f; x < 10; x *= 1.37f) CHECK(nn_tanh_fast(-x) == -nn_tanh_fast(x));
  CHECK(nn_tanh_fast(8.0f) == 1.0f && nn_tanh_fast(-8.0f) == -1.0f);
  CHECK(nn_tanh_fast(1e30f) == 1.0f && nn_tanh_fast(-INFINITY) == -1.0f);
  CHECK(nn_sigmoid_fast(0.0f) == 0.5f);
  CHECK(nn_sigmoid_fast(100.0f) == 1.0f && nn_sigmoid_fast(-100.0f) == 0.0f);
  /* NaN propagates (the clamps compare false): a diverged run shows NaN. */
  CHECK(isnan(nn_tanh_fast(NAN)) && isnan(nn_sigmoid_fast(NAN)));
  return check_summary("test_fast_tanh");
}
