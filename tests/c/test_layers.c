/* Layer kernels: hand-computed values and numerical gradient checks for
 * linear, embedding, activations, softmax, dropout, batch and layer norm. */
#include <string.h>

#include "activation.h"
#include "batchnorm.h"
#include "check.h"
#include "dropout.h"
#include "embedding.h"
#include "error.h"
#include "gradcheck.h"
#include "layernorm.h"
#include "linear.h"
#include "random.h"
#include "softmax.h"

#define TOL 1e-2

/* --- linear -------------------------------------------------------------- */
enum { LB = 3, LC = 4, LOC = 5 };
static float l_x[LB * LC], l_w[LC * LOC], l_b[LOC], l_out[LB * LOC], l_r[LB * LOC];

static double linear_obj(void *ctx) {
  (void)ctx;
  nn_linear_forward(l_out, l_x, l_w, l_b, LB, LC, LOC);
  return gc_dot(l_out, l_r, LB * LOC);
}

static void test_linear(void) {
  /* Hand values: x = [1 2], W = [[1 2 3],[4 5 6]], b = [0.5 0 -1]
   * -> x·W + b = [9.5 12 14]. */
  float x[2] = {1, 2}, w[6] = {1, 2, 3, 4, 5, 6}, b[3] = {0.5f, 0, -1}, y[3];
  nn_linear_forward(y, x, w, b, 1, 2, 3);
  CHECK_NEAR(y[0], 9.5, 1e-6);
  CHECK_NEAR(y[1], 12, 1e-6);
  CHECK_NEAR(y[2], 14, 1e-6);
  nn_linear_forward(y, x, w, NULL, 1, 2, 3);
  CHECK_NEAR(y[2], 15, 1e-6);
  /* dout = [1 0 -1]: dx = dout·Wᵀ = [1-3, 4-6] = [-2 -2];
   * dW += xᵀ dout = [[1 0 -1],[2 0 -2]] on top of 1s; db += dout. */
  float dout[3] = {1, 0, -1}, dx[2], dw[6] = {1, 1, 1, 1, 1, 1}, db[3] = {0};
  nn_linear_backward(dx, dw, db, dout, x, w, 1, 2, 3);
  CHECK_NEAR(dx[0], -2, 1e-6);
  CHECK_NEAR(dx[1], -2, 1e-6);
  CHECK_NEAR(dw[0], 2, 1e-6);
  CHECK_NEAR(dw[2], 0, 1e-6);
  CHECK_NEAR(dw[5], -1, 1e-6);
  CHECK_NEAR(db[2], -1, 1e-6);

  gc_fill(l_x, LB * LC, -1, 1);
  gc_fill(l_w, LC * LOC, -1, 1);
  gc_fill(l_b, LOC, -1, 1);
  gc_fill(l_r, LB * LOC, -1, 1);
  float dlx[LB * LC], dlw[LC * LOC] = {0}, dlb[LOC] = {0};
  nn_linear_backward(dlx, dlw, dlb, l_r, l_x, l_w, LB, LC, LOC);
  CHECK(gc_max_rel_error(l_x, dlx, LB * LC, linear_obj, NULL, 1e-2f) < TOL);
  CHECK(gc_max_rel_error(l_w, dlw, LC * LOC, linear_obj, NULL, 1e-2f) < TOL);
  CHECK(gc_max_rel_error(l_b, dlb, LOC, linear_obj, NULL, 1e-2f) < TOL);
}

/* --- embedding ----------------------------------------------------------- */
static void test_embedding(void) {
  float w[4 * 2] = {0, 1, 10, 11, 20, 21, 30, 31}, out[5 * 2];
  int32_t idx[5] = {2, 0, 2, 3, 2};
  CHECK(nn_embedding_forward(out, idx, w, 5, 4, 2) == NN_OK);
  CHECK(out[0] == 20 && out[1] == 21 && out[2] == 0 && out[7] == 31);
  /* Row 2 appears three times: its gradient is the sum of three rows. */
  float dout[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, dw[8] = {0};
  CHECK(nn_embedding_backward(dw, dout, idx, 5, 4, 2) == NN_OK);
  CHECK_NEAR(dw[4], 1 + 5 + 9, 1e-6);
  CHECK_NEAR(dw[5], 2 + 6 + 10, 1e-6);
  CHECK_NEAR(dw[0], 3, 1e-6);
  CHECK_NEAR(dw[2], 0, 1e-6);
  CHECK_NEAR(dw[6], 7, 1e-6);
  int32_t bad[2] = {1, 4};
  CHECK(nn_embedding_forward(out, bad, w, 2, 4, 2) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "index 5 (element 2) is outside 1..4") != NULL);
  bad[1] = -1;
  CHECK(nn_embedding_backward(dw, dout, bad, 2, 4, 2) == NN_ERR);
  CHECK_NEAR(dw[2], 0, 1e-6); /* checked before any write */
}

/* --- activations ----------------------------------------------------------- */
enum { AN = 24 };
static float a_x[AN], a_out[AN], a_r[AN];
typedef void (*act_fwd)(float *, const float *, int64_t);
static act_fwd a_fwd;
static double act_obj(void *ctx) {
  (void)ctx;
  a_fwd(a_out, a_x, AN);
  return gc_dot(a_out, a_r, AN);
}
static void leaky_fwd(float *o, const float *x, int64_t n) { nn_leaky_relu_forward(o, x, n, 0.1f); }

static void test_activations(void) {
  float x[4] = {-2, -0.5f, 0.25f, 3}, y[4];
  nn_sigmoid_forward(y, x, 4);
  for (int i = 0; i < 4; i++) CHECK_NEAR(y[i], 1 / (1 + exp(-x[i])), 1e-6);
  nn_tanh_forward(y, x, 4);
  for (int i = 0; i < 4; i++) CHECK_NEAR(y[i], tanh(x[i]), 1e-6);
  nn_relu_forward(y, x, 4);
  CHECK(y[0] == 0 && y[1] == 0 && y[2] == 0.25f && y[3] == 3);
  nn_leaky_relu_forward(y, x, 4, 0.01f);
  CHECK_NEAR(y[0], -0.02, 1e-7);
  CHECK(y[3] == 3);

  gc_fill(a_r, AN, -1, 1);
  /* Keep inputs away from the ReLU kink so central differences are valid. */
  for (int i = 0; i < AN; i++) {
    float v = gc_uniform(0.1f, 2.0f);
    a_x[i] = i % 2 ? v : -v;
  }
  float dx[AN];
  a_fwd = nn_sigmoid_forward;
  act_obj(NULL);
  nn_sigmoid_backward(dx, a_r, a_out, AN);
  CHECK(gc_max_rel_error(a_x, dx, AN, act_obj, NULL, 1e-2f) < TOL);
  a_fwd = nn_tanh_forward;
  act_obj(NULL);
  nn_tanh_backward(dx, a_r, a_out, AN);
  CHECK(gc_max_rel_error(a_x, dx, AN, act_obj, NULL, 1e-2f) < TOL);
  a_fwd = nn_relu_forward;
  nn_relu_backward(dx, a_r, a_x, AN);
  CHECK(gc_max_rel_error(a_x, dx, AN, act_obj, NULL, 1e-2f) < TOL);
  a_fwd = leaky_fwd;
  nn_leaky_relu_backward(dx, a_r, a_x, AN, 0.1f);
  CHECK(gc_max_rel_error(a_x, dx, AN, act_obj, NULL, 1e-2f) < TOL);
  /* In place: dinp aliasing dout. */
  float d2[AN];
  memcpy(d2, a_r, sizeof d2);
  nn_leaky_relu_backward(d2, d2, a_x, AN, 0.1f);
  CHECK(memcmp(d2, dx, sizeof d2) == 0);
}

/* --- softmax --------------------------------------------------------------- */
enum { SB = 3, SC = 11 };
static float s_x[SB * SC], s_out[SB * SC], s_r[SB * SC];
static double softmax_obj(void *ctx) {
  (void)ctx;
  nn_softmax_forward(s_out, s_x, SB, SC);
  return gc_dot(s_out, s_r, SB * SC);
}

static void test_softmax(void) {
  /* softmax(1,2,3) = e^(0,1,2)/(1+e+e²); shifting by 1000 changes nothing. */
  float x[6] = {1, 2, 3, 1001, 1002, 1003}, y[6], ly[6];
  nn_softmax_forward(y, x, 2, 3);
  double z = 1 + exp(1) + exp(2);
  CHECK_NEAR(y[0], 1 / z, 1e-6);
  CHECK_NEAR(y[2], exp(2) / z, 1e-6);
  CHECK_NEAR(y[5], exp(2) / z, 1e-6);
  nn_log_softmax_forward(ly, x, 2, 3);
  CHECK_NEAR(ly[1], 1 - log(z), 1e-6);
  CHECK_NEAR(ly[4], 1 - log(z), 1e-6);

  gc_fill(s_x, SB * SC, -3, 3);
  gc_fill(s_r, SB * SC, -1, 1);
  softmax_obj(NULL);
  float dx[SB * SC];
  nn_softmax_backward(dx, s_r, s_out, SB, SC);
  CHECK(gc_max_rel_error(s_x, dx, SB * SC, softmax_obj, NULL, 1e-2f) < TOL);
}

/* --- dropout --------------------------------------------------------------- */
static void test_dropout(void) {
  enum { N = 10000 };
  static float x[N], y[N], mask[N], y2[N], mask2[N], d[N];
  for (int i = 0; i < N; i++) x[i] = 1.0f;
  nn_rng r;
  nn_rng_seed(&r, 7);
  nn_dropout_forward(y, mask, x, N, 0.3f, &r);
  int kept = 0;
  double mean = 0;
  for (int i = 0; i < N; i++) {
    kept += mask[i] != 0;
    mean += y[i];
    CHECK(mask[i] == 0 || fabsf(mask[i] - 1 / 0.7f) < 1e-6f);
  }
  /* Kept fraction 0.7 ± 4.5 sigma (sigma = sqrt(.21/N) = 0.0046). */
  CHECK(fabs(kept / (double)N - 0.7) < 0.021);
  CHECK(fabs(mean / N - 1.0) < 0.03); /* inverted: expectation preserved */
  nn_rng_seed(&r, 7);
  nn_dropout_forward(y2, mask2, x, N, 0.3f, &r);
  CHECK(memcmp(mask, mask2, sizeof mask) == 0); /* same seed, same mask */
  nn_dropout_backward(d, x, mask, N);
  CHECK(memcmp(d, mask, sizeof d) == 0);
  nn_dropout_forward(y, mask, x, N, 0.0f, &r);
  CHECK(y[0] == 1.0f && y[N - 1] == 1.0f);
}

/* --- batch norm ------------------------------------------------------------ */
enum { BN = 5, BC = 3, BS = 2 };
static float b_x[BN * BC * BS], b_out[BN * BC * BS], b_r[BN * BC * BS];
static float b_g[BC], b_be[BC], b_mean[BC], b_rstd[BC], b_rm[BC], b_rv[BC];
static int b_train;
static double bn_obj(void *ctx) {
  (void)ctx;
  if (b_train)
    nn_batchnorm_forward_train(b_out, b_mean, b_rstd, NULL, NULL, b_x, b_g, b_be,
                               BN, BC, BS, 0.1f, 1e-5f);
  else
    nn_batchnorm_forward_eval(b_out, b_mean, b_rstd, b_rm, b_rv, b_x, b_g, b_be,
                              BN, BC, BS, 1e-5f);
  return gc_dot(b_out, b_r, BN * BC * BS);
}

static void test_batchnorm(void) {
  /* One feature, values 1,2,3: mean 2, biased var 2/3, unbiased var 1. */
  float x[3] = {1, 2, 3}, y[3], g = 2, be = 0.5f, m, rs, rm = 0, rv = 1;
  nn_batchnorm_forward_train(y, &m, &rs, &rm, &rv, x, &g, &be, 3, 1, 1, 0.1f, 0);
  CHECK_NEAR(m, 2, 1e-6);
  CHECK_NEAR(rs, 1 / sqrt(2.0 / 3), 1e-6);
  CHECK_NEAR(y[0], 2 * (-1 / sqrt(2.0 / 3)) + 0.5, 1e-5);
  CHECK_NEAR(y[1], 0.5, 1e-6);
  CHECK_NEAR(rm, 0.2, 1e-6);        /* 0.9*0 + 0.1*2 */
  CHECK_NEAR(rv, 0.9 + 0.1, 1e-6);  /* 0.9*1 + 0.1*1 */
  nn_batchnorm_forward_eval(y, &m, &rs, &rm, &rv, x, &g, &be, 3, 1, 1, 0);
  CHECK_NEAR(y[0], 2 * (1 - 0.2) + 0.5, 1e-5);

  gc_fill(b_x, BN * BC * BS, -2, 2);
  gc_fill(b_r, BN * BC * BS, -1, 1);
  gc_fill(b_g, BC, 0.5f, 1.5f);
  gc_fill(b_be, BC, -1, 1);
  gc_fill(b_rm, BC, -0.5f, 0.5f);
  gc_fill(b_rv, BC, 0.5f, 2);
  for (b_train = 1; b_train >= 0; b_train--) {
    float dx[BN * BC * BS], dg[BC] = {0}, db[BC] = {0};
    bn_obj(NULL);
    nn_batchnorm_backward(dx, dg, db, b_r, b_x, b_g, b_mean, b_rstd, BN, BC, BS,
                          b_train);
    CHECK(gc_max_rel_error(b_x, dx, BN * BC * BS, bn_obj, NULL, 1e-2f) < TOL);
    CHECK(gc_max_rel_error(b_g, dg, BC, bn_obj, NULL, 1e-2f) < TOL);
    CHECK(gc_max_rel_error(b_be, db, BC, bn_obj, NULL, 1e-2f) < TOL);
  }
}

/* --- layer norm ------------------------------------------------------------ */
enum { NB = 4, NC = 6 };
static float n_x[NB * NC], n_out[NB * NC], n_r[NB * NC], n_w[NC], n_b[NC];
static float n_mean[NB], n_rstd[NB];
static double ln_obj(void *ctx) {
  (void)ctx;
  nn_layernorm_forward(n_out, n_mean, n_rstd, n_x, n_w, n_b, NB, NC, 1e-5f);
  return gc_dot(n_out, n_r, NB * NC);
}

static void test_layernorm(void) {
  float x[4] = {1, 2, 3, 6}, w[4] = {1, 1, 1, 2}, b[4] = {0, 0, 0, 1}, y[4], m, rs;
  nn_layernorm_forward(y, &m, &rs, x, w, b, 1, 4, 0);
  /* mean 3, var (4+1+0+9)/4 = 3.5 */
  CHECK_NEAR(m, 3, 1e-6);
  CHECK_NEAR(y[0], -2 / sqrt(3.5), 1e-5);
  CHECK_NEAR(y[3], 2 * 3 / sqrt(3.5) + 1, 1e-5);

  gc_fill(n_x, NB * NC, -2, 2);
  gc_fill(n_r, NB * NC, -1, 1);
  gc_fill(n_w, NC, 0.5f, 1.5f);
  gc_fill(n_b, NC, -1, 1);
  ln_obj(NULL);
  float dx[NB * NC], dw[NC] = {0}, db[NC] = {0};
  nn_layernorm_backward(dx, dw, db, n_r, n_x, n_w, n_mean, n_rstd, NB, NC);
  CHECK(gc_max_rel_error(n_x, dx, NB * NC, ln_obj, NULL, 1e-2f) < TOL);
  CHECK(gc_max_rel_error(n_w, dw, NC, ln_obj, NULL, 1e-2f) < TOL);
  CHECK(gc_max_rel_error(n_b, db, NC, ln_obj, NULL, 1e-2f) < TOL);
}

int main(void) {
  test_linear();
  test_embedding();
  test_activations();
  test_softmax();
  test_dropout();
  test_batchnorm();
  test_layernorm();
  return check_summary("test_layers");
}
