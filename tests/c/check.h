/* Minimal assertion helpers for the C unit tests (one executable per test
 * file, registered with ctest).  A failed CHECK prints file:line and the
 * values, counts the failure and carries on; main returns check_summary(). */
#ifndef NN_TEST_CHECK_H
#define NN_TEST_CHECK_H

#include <math.h>
#include <stddef.h>
#include <stdio.h>

static int check_failures, check_count;

/* Largest relative difference of a from the reference b; entries of b
 * below 1e-3 of b's largest are measured against that instead, so values
 * that cancel to near zero do not dominate. */
static inline double max_rel_diff(const float *a, const float *b, size_t n) {
  double scale = 0, worst = 0;
  for (size_t i = 0; i < n; i++) scale = fmax(scale, fabs(b[i]));
  for (size_t i = 0; i < n; i++) {
    double e = fabs(a[i] - b[i]) / fmax(fabs(b[i]), 1e-3 * scale + 1e-30);
    if (e > worst) worst = e;
  }
  return worst;
}

#define CHECK(cond)                                                            \
  do {                                                                         \
    check_count++;                                                             \
    if (!(cond)) {                                                             \
      check_failures++;                                                        \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

/* |a-b| <= tol*(1+|b|): a relative tolerance that stays sane near zero. */
#define CHECK_NEAR(a, b, tol)                                                  \
  do {                                                                         \
    double check_a_ = (a), check_b_ = (b);                                     \
    check_count++;                                                             \
    if (!(fabs(check_a_ - check_b_) <= (tol) * (1.0 + fabs(check_b_)))) {      \
      check_failures++;                                                        \
      fprintf(stderr, "%s:%d: %s = %.9g, expected %s = %.9g (tol %g)\n",       \
              __FILE__, __LINE__, #a, check_a_, #b, check_b_, (double)(tol));  \
    }                                                                          \
  } while (0)

static inline int check_summary(const char *name) {
  printf("%s: %d checks, %d failed\n", name, check_count, check_failures);
  return check_failures ? 1 : 0;
}

#endif
