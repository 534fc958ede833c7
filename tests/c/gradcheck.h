/* Numerical gradient checking for the C kernel tests.
 *
 * A kernel's forward is wrapped into a scalar objective f() = Σ out ⊙ R
 * with fixed random weights R, so the analytic gradient of f with respect
 * to any buffer is that buffer's backward with dout = R.  Central
 * differences in float32 need a step large enough to beat rounding
 * (h ~ 1e-2 on O(1) values) and give a relative error near 1e-3, so the
 * tests compare with a 1e-2 tolerance; the double-precision reference
 * checks (rel. error < 1e-4) live in the Lua specs.
 */
#ifndef NN_TEST_GRADCHECK_H
#define NN_TEST_GRADCHECK_H

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

typedef double (*gc_objective)(void *ctx);

/* Small deterministic generator for test data (independent of random.c). */
static uint64_t gc_state = 88172645463325252ull;
static inline float gc_uniform(float lo, float hi) {
  gc_state ^= gc_state << 13;
  gc_state ^= gc_state >> 7;
  gc_state ^= gc_state << 17;
  return lo + (hi - lo) * (float)((gc_state >> 11) * (1.0 / 9007199254740992.0));
}
static inline void gc_fill(float *x, int64_t n, float lo, float hi) {
  for (int64_t i = 0; i < n; i++) x[i] = gc_uniform(lo, hi);
}
static inline double gc_dot(const float *a, const float *b, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; i++) s += (double)a[i] * b[i];
  return s;
}

/* Max over i of |analytic[i] - numeric[i]| / max(|analytic|+|numeric|, floor):
 * perturbs x[i] by ±h and evaluates f. */
static inline double gc_max_rel_error(float *x, const float *analytic, int64_t n,
                                      gc_objective f, void *ctx, float h) {
  double worst = 0;
  for (int64_t i = 0; i < n; i++) {
    float keep = x[i];
    x[i] = keep + h;
    double fp = f(ctx);
    x[i] = keep - h;
    double fm = f(ctx);
    x[i] = keep;
    double num = (fp - fm) / (2.0 * h);
    double den = fabs(analytic[i]) + fabs(num);
    if (den < 1e-2) den = 1e-2;
    double e = fabs(analytic[i] - num) / den;
    if (e > worst) worst = e;
  }
  return worst;
}

#endif
