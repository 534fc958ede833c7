/* The vectorized exp/sigmoid/tanh against double precision libm. */
#include "check.h"
#include "fast_exp.h"

int main(void) {
  double worst_exp = 0, worst_sig = 0, worst_tanh = 0;
  for (double x = -87; x < 88; x += 0.00731) {
    float f = (float)x;
    double e = exp((double)f);
    double r = fabs(nn_exp_fast(f) - e) / e;
    worst_exp = r > worst_exp ? r : worst_exp;
    double s = 1 / (1 + exp(-(double)f));
    r = fabs(nn_sigmoid_exp(f) - s) / s;
    worst_sig = r > worst_sig ? r : worst_sig;
    if (fabs(x) < 20) {
      double t = tanh((double)f);
      r = t != 0 ? fabs(nn_tanh_exp(f) - t) / fabs(t) : 0;
      worst_tanh = r > worst_tanh ? r : worst_tanh;
    }
  }
  printf("max rel error: exp %.3g, sigmoid %.3g, tanh %.3g\n", worst_exp, worst_sig,
         worst_tanh);
  CHECK(worst_exp < 3e-7);
  CHECK(worst_sig < 3e-7);
  CHECK(worst_tanh < 3e-7);
  /* Small arguments keep relative precision (no 1 - (1 - x) cancellation). */
  CHECK_NEAR(nn_tanh_exp(1e-6f) / 1e-6, 1.0, 1e-6);
  CHECK(nn_tanh_exp(-1e-30f) < 0);
  /* Saturation and special values. */
  CHECK(nn_exp_fast(-1000.0f) < 1.3e-38f && nn_exp_fast(-1000.0f) > 0);
  CHECK(nn_exp_fast(1000.0f) > 1e38f);
  CHECK(nn_tanh_exp(50.0f) == 1.0f && nn_tanh_exp(-50.0f) == -1.0f);
  CHECK(nn_sigmoid_exp(-200.0f) < 1e-37f);
  CHECK(isnan(nn_exp_fast(NAN)) && isnan(nn_tanh_exp(NAN)) && isnan(nn_sigmoid_exp(NAN)));
  CHECK(nn_exp_fast(0.0f) == 1.0f);
  return check_summary("test_fast_exp");
}
