/* The fused autoencoder cost: terms and gradients against a double-precision
 * reference of the EXPERIMENTS.md formulas, and a central-difference
 * gradient check of the float32 kernel. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "autoencoder.h"
#include "check.h"
#include "error.h"

enum { N = 7, LIN = 10, LHID = 4 };

static uint64_t lcg = 12345;
static double urand(void) { /* test-local generator, [0,1) */
  lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
  return (double)(lcg >> 11) / 9007199254740992.0;
}

/* Straight transcription of the formulas in double, sample by sample. */
static void reference(const double *W, const double *b1, const double *b2,
                      const double *X, const nn_ae_params *p, double t[4],
                      double *dW, double *db1, double *db2) {
  double H[N][LHID], O[N][LIN], rh[LHID] = {0};
  for (int m = 0; m < N; m++) {
    for (int b = 0; b < LHID; b++) {
      double z = b1[b];
      for (int i = 0; i < LIN; i++) z += W[b * LIN + i] * X[m * LIN + i];
      H[m][b] = 1 / (1 + exp(-z));
      rh[b] += H[m][b] / N;
    }
    for (int i = 0; i < LIN; i++) {
      double z = b2[i];
      for (int b = 0; b < LHID; b++) z += W[b * LIN + i] * H[m][b];
      O[m][i] = 1 / (1 + exp(-z));
    }
  }
  double mse = 0, w2 = 0, kl = 0;
  for (int m = 0; m < N; m++)
    for (int i = 0; i < LIN; i++) mse += pow(X[m * LIN + i] - O[m][i], 2);
  for (int k = 0; k < LHID * LIN; k++) w2 += W[k] * W[k];
  for (int b = 0; b < LHID; b++)
    kl += p->rho * log(p->rho / rh[b]) + (1 - p->rho) * log((1 - p->rho) / (1 - rh[b]));
  t[1] = mse / (2 * N);
  t[2] = p->lambda * w2;
  t[3] = p->beta * kl;
  t[0] = t[1] + t[2] + t[3];
  for (int k = 0; k < LHID * LIN; k++) dW[k] = 2 * p->lambda * W[k];
  memset(db1, 0, LHID * sizeof *db1);
  memset(db2, 0, LIN * sizeof *db2);
  for (int m = 0; m < N; m++) {
    double dout[LIN], dhid[LHID];
    for (int i = 0; i < LIN; i++)
      dout[i] = (O[m][i] - X[m * LIN + i]) * O[m][i] * (1 - O[m][i]) / N;
    for (int b = 0; b < LHID; b++) {
      double s = p->beta / N * (-p->rho / rh[b] + (1 - p->rho) / (1 - rh[b]));
      for (int i = 0; i < LIN; i++) s += W[b * LIN + i] * dout[i];
      dhid[b] = s * H[m][b] * (1 - H[m][b]);
    }
    for (int b = 0; b < LHID; b++)
      for (int i = 0; i < LIN; i++)
        dW[b * LIN + i] += dhid[b] * X[m * LIN + i] + H[m][b] * dout[i];
    for (int b = 0; b < LHID; b++) db1[b] += dhid[b];
    for (int i = 0; i < LIN; i++) db2[i] += dout[i];
  }
}

static double relerr(const float *a, const double *b, int n) {
  double num = 0, den = 0;
  for (int i = 0; i < n; i++) {
    num += pow(a[i] - b[i], 2);
    den += b[i] * b[i];
  }
  return sqrt(num) / (sqrt(den) + 1e-30);
}

static float W[LHID * LIN], b1[LHID], b2[LIN], X[N * LIN];
static float dW[LHID * LIN], db1[LHID], db2[LIN];

static void setup(void) {
  double w0 = sqrt(6.0 / (LIN + LHID));
  for (int k = 0; k < LHID * LIN; k++) W[k] = (float)((2 * urand() - 1) * w0);
  for (int b = 0; b < LHID; b++) b1[b] = (float)(0.2 * urand() - 0.1);
  for (int i = 0; i < LIN; i++) b2[i] = (float)(0.2 * urand() - 0.1);
  for (int k = 0; k < N * LIN; k++) X[k] = (float)(0.1 + 0.8 * urand());
}

static void test_against_double(const nn_ae_params *p, nn_ae_work *ws) {
  nn_ae_terms t;
  CHECK(nn_ae_cost(&t, dW, db1, db2, W, b1, b2, X, N, p, ws) == NN_OK);
  double Wd[LHID * LIN], b1d[LHID], b2d[LIN], Xd[N * LIN], r[4];
  double dWd[LHID * LIN], db1d[LHID], db2d[LIN];
  for (int k = 0; k < LHID * LIN; k++) Wd[k] = W[k];
  for (int b = 0; b < LHID; b++) b1d[b] = b1[b];
  for (int i = 0; i < LIN; i++) b2d[i] = b2[i];
  for (int k = 0; k < N * LIN; k++) Xd[k] = X[k];
  reference(Wd, b1d, b2d, Xd, p, r, dWd, db1d, db2d);
  CHECK_NEAR(t.J, r[0], 1e-5);
  CHECK_NEAR(t.mse, r[1], 1e-5);
  CHECK_NEAR(t.tykhonov, r[2], 1e-5);
  CHECK_NEAR(t.kl, r[3], 1e-4);
  CHECK(relerr(dW, dWd, LHID * LIN) < 1e-4);
  CHECK(relerr(db1, db1d, LHID) < 1e-4);
  CHECK(relerr(db2, db2d, LIN) < 1e-4);
}

/* Central differences on the float32 kernel; relative error < 1e-2. */
static double numgrad_relerr(float *param, const float *grad, int n,
                             const nn_ae_params *p, nn_ae_work *ws) {
  const float eps = 1e-2f;
  double num = 0, den = 0;
  for (int k = 0; k < n; k++) {
    float keep = param[k];
    nn_ae_terms tp, tm;
    param[k] = keep + eps;
    nn_ae_cost(&tp, NULL, NULL, NULL, W, b1, b2, X, N, p, ws);
    param[k] = keep - eps;
    nn_ae_cost(&tm, NULL, NULL, NULL, W, b1, b2, X, N, p, ws);
    param[k] = keep;
    double g = (tp.J - tm.J) / (2.0 * eps);
    num += pow(g - grad[k], 2);
    den += pow(g + grad[k], 2);
  }
  return sqrt(num) / sqrt(den);
}

static void test_numerical(const nn_ae_params *p, nn_ae_work *ws) {
  nn_ae_terms t;
  CHECK(nn_ae_cost(&t, dW, db1, db2, W, b1, b2, X, N, p, ws) == NN_OK);
  float gW[LHID * LIN], g1[LHID], g2[LIN];
  memcpy(gW, dW, sizeof gW);
  memcpy(g1, db1, sizeof g1);
  memcpy(g2, db2, sizeof g2);
  double eW = numgrad_relerr(W, gW, LHID * LIN, p, ws);
  double e1 = numgrad_relerr(b1, g1, LHID, p, ws);
  double e2 = numgrad_relerr(b2, g2, LIN, p, ws);
  printf("gradcheck float32: W %.2e  b1 %.2e  b2 %.2e\n", eW, e1, e2);
  CHECK(eW < 1e-2 && e1 < 1e-2 && e2 < 1e-2);
}

/* A wrong formula must be caught: flip the sign of one gradient entry. */
static void test_check_can_fail(const nn_ae_params *p, nn_ae_work *ws) {
  nn_ae_terms t;
  nn_ae_cost(&t, dW, db1, db2, W, b1, b2, X, N, p, ws);
  float g[LHID * LIN];
  memcpy(g, dW, sizeof g);
  g[3] = -g[3] + 0.5f;
  CHECK(numgrad_relerr(W, g, LHID * LIN, p, ws) > 1e-2);
}

static void test_errors(nn_ae_work *ws) {
  nn_ae_terms t;
  nn_ae_params bad = {LIN, LHID, 1e-3, 1, 1.5};
  CHECK(nn_ae_cost(&t, dW, db1, db2, W, b1, b2, X, N, &bad, ws) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "rho must be in (0,1), got 1.5") != NULL);
  bad.rho = 0.1, bad.lambda = -1;
  CHECK(nn_ae_cost(&t, dW, db1, db2, W, b1, b2, X, N, &bad, ws) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "lambda must be >= 0") != NULL);
}

/* The buffers grow for a larger batch and are reused for smaller ones. */
static void test_work_reuse(const nn_ae_params *p) {
  nn_ae_work ws;
  nn_ae_work_init(&ws);
  nn_ae_terms t7, t3;
  CHECK(nn_ae_cost(&t7, NULL, NULL, NULL, W, b1, b2, X, N, p, &ws) == NN_OK);
  float *h = ws.h;
  CHECK(nn_ae_cost(&t3, NULL, NULL, NULL, W, b1, b2, X, 3, p, &ws) == NN_OK);
  CHECK(ws.h == h && ws.Nmax == N);
  CHECK(t3.mse != t7.mse);
  nn_ae_work_free(&ws);
}

int main(void) {
  setup();
  nn_ae_work ws;
  nn_ae_work_init(&ws);
  nn_ae_params p = {LIN, LHID, 1e-3, 2.2, 0.1};
  test_against_double(&p, &ws);
  test_numerical(&p, &ws);
  nn_ae_params p0 = {LIN, LHID, 0.0, 0.0, 0.05}; /* plain reconstruction */
  test_against_double(&p0, &ws);
  test_numerical(&p0, &ws);
  nn_ae_params p2 = {LIN, LHID, 0.05, 3.0, 0.03}; /* strong penalties */
  test_against_double(&p2, &ws);
  test_numerical(&p2, &ws);
  test_check_can_fail(&p, &ws);
  test_errors(&ws);
  test_work_reuse(&p);
  nn_ae_work_free(&ws);
  return check_summary("test_autoencoder");
}
