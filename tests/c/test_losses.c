/* Loss kernels: hand-computed values and numerical gradient checks. */
#include <string.h>

#include "check.h"
#include "error.h"
#include "gradcheck.h"
#include "losses.h"

#define TOL 1e-2
enum { B = 4, C = 7 };
static float x[B * C], t[B * C];
static int32_t y[B] = {3, 0, 6, 3};

static double ce_obj(void *ctx) {
  (void)ctx;
  double l;
  nn_crossentropy_loss(&l, NULL, NULL, x, y, B, C);
  return l;
}
static double svm_obj(void *ctx) {
  (void)ctx;
  double l;
  nn_svm_loss(&l, NULL, x, y, B, C, 1.0f);
  return l;
}
static double mse_obj(void *ctx) { (void)ctx; return nn_mse_loss(NULL, x, t, B * C); }
static double bce_obj(void *ctx) { (void)ctx; return nn_bce_logits_loss(NULL, x, t, B * C); }

static void test_crossentropy(void) {
  /* Row (1,2,3) label 3: -log(e²/(1+e+e²)) = log(1+e+e²) - 2.
   * Row (0,0,0) label 1: log 3.  Mean of the two. */
  float lg[6] = {1, 2, 3, 0, 0, 0}, d[6];
  int32_t lb[2] = {2, 0};
  double l;
  int64_t correct;
  CHECK(nn_crossentropy_loss(&l, d, &correct, lg, lb, 2, 3) == NN_OK);
  double l1 = log(1 + exp(1) + exp(2)) - 2, l2 = log(3);
  CHECK_NEAR(l, (l1 + l2) / 2, 1e-6);
  CHECK(correct == 2); /* row 2 is a tie won by its label, the first class */
  int32_t lb2[2] = {2, 1};
  CHECK(nn_crossentropy_loss(&l, NULL, &correct, lg, lb2, 2, 3) == NN_OK);
  CHECK(correct == 1); /* a tie counts for the first class only */
  double z = 1 + exp(1) + exp(2);
  CHECK_NEAR(d[0], (1 / z) / 2, 1e-6);
  CHECK_NEAR(d[2], (exp(2) / z - 1) / 2, 1e-6);
  CHECK_NEAR(d[3], (1.0 / 3 - 1) / 2, 1e-6);
  /* Stable for huge logits: shifting every score by 1e4 changes nothing. */
  float big[3] = {10001, 10002, 10003};
  CHECK(nn_crossentropy_loss(&l, NULL, NULL, big, lb, 1, 3) == NN_OK);
  CHECK_NEAR(l, l1, 1e-5);
  int32_t bad[2] = {2, 3};
  CHECK(nn_crossentropy_loss(&l, d, NULL, lg, bad, 2, 3) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "class label 4 (row 2) is outside 1..3") != NULL);

  gc_fill(x, B * C, -3, 3);
  float dx[B * C];
  nn_crossentropy_loss(&l, dx, NULL, x, y, B, C);
  CHECK(gc_max_rel_error(x, dx, B * C, ce_obj, NULL, 1e-2f) < TOL);
}

static void test_mse_bce(void) {
  /* MSE is the mean over all elements: ((1-0)² + (2-4)²)/2 = 2.5. */
  float a[2] = {1, 2}, b[2] = {0, 4}, d[2];
  CHECK_NEAR(nn_mse_loss(d, a, b, 2), 2.5, 1e-9);
  CHECK_NEAR(d[0], 2 * 1 / 2.0, 1e-7);
  CHECK_NEAR(d[1], 2 * -2 / 2.0, 1e-7);
  /* BCE on logits (0, 100, -100) with targets (1, 1, 1):
   * log 2, ~0, 100 (no overflow); mean. */
  float lg[3] = {0, 100, -100}, tg[3] = {1, 1, 1}, dl[3];
  CHECK_NEAR(nn_bce_logits_loss(dl, lg, tg, 3), (log(2) + 0 + 100) / 3, 1e-6);
  CHECK_NEAR(dl[0], (0.5 - 1) / 3, 1e-7);
  CHECK_NEAR(dl[2], (0 - 1) / 3.0, 1e-7);

  gc_fill(x, B * C, -3, 3);
  gc_fill(t, B * C, 0, 1);
  float dx[B * C];
  nn_mse_loss(dx, x, t, B * C);
  CHECK(gc_max_rel_error(x, dx, B * C, mse_obj, NULL, 1e-2f) < TOL);
  nn_bce_logits_loss(dx, x, t, B * C);
  CHECK(gc_max_rel_error(x, dx, B * C, bce_obj, NULL, 1e-2f) < TOL);
}

static void test_svm(void) {
  /* CS231n's example: scores (3.2, 5.1, -1.7) true class 1:
   * max(0, 5.1-3.2+1) + max(0, -1.7-3.2+1) = 2.9. */
  float s[3] = {3.2f, 5.1f, -1.7f}, d[3];
  int32_t lb[1] = {0};
  double l;
  CHECK(nn_svm_loss(&l, d, s, lb, 1, 3, 1.0f) == NN_OK);
  CHECK_NEAR(l, 2.9, 1e-6);
  CHECK(d[0] == -1 && d[1] == 1 && d[2] == 0);
  int32_t bad[1] = {-1};
  CHECK(nn_svm_loss(&l, d, s, bad, 1, 3, 1.0f) == NN_ERR);

  /* Scores on a grid far from the hinges so differences are valid. */
  for (int i = 0; i < B * C; i++) x[i] = (float)((i * 7) % 11) * 0.37f - 2.0f;
  float dx[B * C];
  nn_svm_loss(&l, dx, x, y, B, C, 1.0f);
  CHECK(gc_max_rel_error(x, dx, B * C, svm_obj, NULL, 1e-3f) < TOL);
}

int main(void) {
  test_crossentropy();
  test_mse_bce();
  test_svm();
  return check_summary("test_losses");
}
