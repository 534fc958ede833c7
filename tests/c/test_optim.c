/* Update rules against values computed by hand from their formulas, and
 * gradient-norm clipping. */
#include "check.h"
#include "optim.h"

static void test_sgd(void) {
  /* p = 1, lr 0.1, momentum 0.9, weight decay 0.01, grads 1, 1, -2.
   * step 1: g = 1 + .01*1 = 1.01, v = 1.01, p = 1 - .101 = 0.899
   * step 2: g = 1 + .00899 = 1.00899, v = .909 + 1.00899 = 1.91799,
   *         p = .899 - .191799 = 0.707201
   * step 3: g = -2 + .00707201 = -1.99292799, v = 1.726191 - 1.99292799
   *         = -0.26673699, p = .707201 + .026673699 = 0.733874699 */
  float p = 1, v = 0, g[3] = {1, 1, -2}, want[3] = {0.899f, 0.707201f, 0.733874699f};
  for (int i = 0; i < 3; i++) {
    nn_sgd_step(&p, &g[i], &v, 1, 0.1f, 0.9f, 0.01f, false);
    CHECK_NEAR(p, want[i], 1e-6);
  }
  /* Nesterov steps along g + mu*v: step 1 p = 1 - .1*(1.01 + .909) = 0.8081,
   * then 0.53475461 and 0.758455015241 (same recurrences). */
  float nw[3] = {0.8081f, 0.53475461f, 0.758455015241f};
  p = 1, v = 0;
  for (int i = 0; i < 3; i++) {
    nn_sgd_step(&p, &g[i], &v, 1, 0.1f, 0.9f, 0.01f, true);
    CHECK_NEAR(p, nw[i], 1e-6);
  }
  /* Plain SGD needs no velocity buffer. */
  float q[2] = {1, 2}, gq[2] = {0.5f, -1};
  nn_sgd_step(q, gq, NULL, 2, 0.2f, 0, 0, false);
  CHECK_NEAR(q[0], 0.9, 1e-7);
  CHECK_NEAR(q[1], 2.2, 1e-7);
}

static void test_rmsprop(void) {
  /* alpha .9, lr .01: sq = .1 -> p = 1 - .01/sqrt(.1) = 0.968377224;
   * then sq = .09 + .025 = .115 -> p += .005/sqrt(.115) = 0.983121420. */
  float p = 1, sq = 0, g[2] = {1, -0.5f};
  nn_rmsprop_step(&p, &g[0], &sq, 1, 0.01f, 0.9f, 1e-8f, 0);
  CHECK_NEAR(p, 0.9683772244, 1e-6);
  nn_rmsprop_step(&p, &g[1], &sq, 1, 0.01f, 0.9f, 1e-8f, 0);
  CHECK_NEAR(p, 0.9831214196, 1e-6);
}

static void test_adam(void) {
  /* lr .1, b1 .9, b2 .999, grads .5, -.25, 1, p = 1.
   * t=1: m = .05, v = .00025; m̂ = .05/.1 = .5, v̂ = .00025/.001 = .25
   *      p = 1 - .1*.5/.5 = 0.9 (Adam's first step is lr*sign(g))
   * t=2: m = .045 - .025 = .02, v = .00024975 + .0000625 = .00031225
   *      m̂ = .02/.19 = .1052632, v̂ = .00031225/.001999 = .1562031
   *      p = .9 - .1*.1052632/.3952254 = 0.8733663
   * t=3: m = .018 + .1 = .118, v = .00031193775 + .001 = .00131193775
   *      m̂ = .118/.271 = .4354244, v̂ = .00131193775/.002997001 = .4377502
   *      p = .8733663 - .1*.4354244/.6616269 = 0.8075551
   * Without bias correction step 1 would move by .1*.05/.0158 = .316. */
  float p = 1, m = 0, v = 0, g[3] = {0.5f, -0.25f, 1};
  double want[3] = {0.900000002, 0.8733662987, 0.8075551397};
  for (int t = 1; t <= 3; t++) {
    nn_adam_step(&p, &g[t - 1], &m, &v, 1, 0.1f, 0.9f, 0.999f, 1e-8f, 0, t);
    CHECK_NEAR(p, want[t - 1], 2e-6);
  }
  CHECK_NEAR(m, 0.118, 1e-6);
  CHECK_NEAR(v, 0.00131193775, 1e-6);
}

static void test_clip(void) {
  /* Two arrays forming the vector (3, 4 | 12): norm 13. */
  float a[2] = {3, 4}, b[1] = {12};
  float *gs[2] = {a, b};
  int64_t ns[2] = {2, 1};
  CHECK_NEAR(nn_clip_grad_norm(gs, ns, 2, 26.0), 13.0, 1e-9);
  CHECK(a[0] == 3 && b[0] == 12); /* under the limit: untouched */
  CHECK_NEAR(nn_clip_grad_norm(gs, ns, 2, 6.5), 13.0, 1e-9);
  CHECK_NEAR(a[0], 1.5, 1e-6);
  CHECK_NEAR(a[1], 2.0, 1e-6);
  CHECK_NEAR(b[0], 6.0, 1e-6);
  CHECK_NEAR(sqrt(nn_sumsq(a, 2) + nn_sumsq(b, 1)), 6.5, 1e-6);
}

int main(void) {
  test_sgd();
  test_rmsprop();
  test_adam();
  test_clip();
  return check_summary("test_optim");
}
