#include "autoencoder.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blas.h"
#include "error.h"
#include "fast_exp.h"

#define RHOHAT_EPS 1e-6

void nn_ae_work_init(nn_ae_work *w) { memset(w, 0, sizeof *w); }

void nn_ae_work_free(nn_ae_work *w) {
  free(w->h);
  free(w->o);
  free(w->dout);
  free(w->dhid);
  free(w->rhohat);
  free(w->sparse);
  nn_ae_work_init(w);
}

int nn_ae_work_reserve(nn_ae_work *w, int N, int Lin, int Lhid) {
  if (w->h && N <= w->Nmax && Lin == w->Lin && Lhid == w->Lhid) return NN_OK;
  int Nmax = N > w->Nmax ? N : w->Nmax;
  nn_ae_work_free(w);
  size_t nh = (size_t)Nmax * (size_t)Lhid, no = (size_t)Nmax * (size_t)Lin;
  w->h = malloc(nh * sizeof(float));
  w->dhid = malloc(nh * sizeof(float));
  w->o = malloc(no * sizeof(float));
  w->dout = malloc(no * sizeof(float));
  w->rhohat = malloc((size_t)Lhid * sizeof(float));
  w->sparse = malloc((size_t)Lhid * sizeof(float));
  if (!w->h || !w->dhid || !w->o || !w->dout || !w->rhohat || !w->sparse) {
    nn_ae_work_free(w);
    return nn_seterror("out of memory for autoencoder buffers (%d x %d)", N, Lin);
  }
  w->Nmax = Nmax, w->Lin = Lin, w->Lhid = Lhid;
  return NN_OK;
}

int nn_ae_check_params(const nn_ae_params *p) {
  NN_REQUIRE(p->Lin >= 1 && p->Lhid >= 1, "Lin and Lhid must be positive, got %d and %d",
             p->Lin, p->Lhid);
  NN_REQUIRE(p->lambda >= 0 && isfinite(p->lambda), "lambda must be >= 0, got %g", p->lambda);
  NN_REQUIRE(p->beta >= 0 && isfinite(p->beta), "beta must be >= 0, got %g", p->beta);
  NN_REQUIRE(p->rho > 0 && p->rho < 1, "rho must be in (0,1), got %g", p->rho);
  return NN_OK;
}

/* A = sigmoid(A + bias) row by row; A is (N, L).  The vectorizable exp of
 * fast_exp.h: with glibc's scalar expf these 10k sigmoids per batch of 32
 * cost as much as the five GEMMs. */
static void bias_sigmoid(float *A, const float *bias, int N, int L) {
  for (int m = 0; m < N; m++) {
    float *a = A + (ptrdiff_t)m * L;
    for (int j = 0; j < L; j++) a[j] = nn_sigmoid_exp(a[j] + bias[j]);
  }
}

/* Float reductions in NN_AE_LANES independent partial sums: gcc vectorizes
 * them (a single accumulator is a serial dependency it may not reorder),
 * and each lane sums only n/16 terms, so float keeps ~1e-6 relative
 * accuracy here. */
#define NN_AE_LANES 16

static double sum_lanes(const float *lane) {
  double s = 0;
  for (int k = 0; k < NN_AE_LANES; k++) s += lane[k];
  return s;
}

static double sum_squares(const float *a, size_t n) {
  float lane[NN_AE_LANES] = {0};
  size_t i = 0;
  for (; i + NN_AE_LANES <= n; i += NN_AE_LANES)
    for (size_t k = 0; k < NN_AE_LANES; k++) lane[k] += a[i + k] * a[i + k];
  for (; i < n; i++) lane[0] += a[i] * a[i];
  return sum_lanes(lane);
}

int nn_ae_cost(nn_ae_terms *terms, float *dW, float *db1, float *db2,
               const float *W, const float *b1, const float *b2,
               const float *X, int N, const nn_ae_params *p, nn_ae_work *ws) {
  NN_TRY(nn_ae_check_params(p));
  NN_REQUIRE(N >= 1, "empty batch");
  const int Lin = p->Lin, Lhid = p->Lhid;
  NN_TRY(nn_ae_work_reserve(ws, N, Lin, Lhid));
  float *H = ws->h, *O = ws->o, *Dout = ws->dout, *Dhid = ws->dhid;
  const float invN = 1.0f / (float)N;

  /* --- forward ----------------------------------------------------------- */
  nn_sgemm(false, true, N, Lhid, Lin, 1.0f, X, Lin, W, Lin, 0.0f, H, Lhid);
  bias_sigmoid(H, b1, N, Lhid);
  nn_sgemm(false, false, N, Lin, Lhid, 1.0f, H, Lhid, W, Lin, 0.0f, O, Lin);
  bias_sigmoid(O, b2, N, Lin);

  /* Reconstruction error, and Dout in the same sweep. */
  float sq_lane[NN_AE_LANES] = {0};
  for (int m = 0; m < N; m++) {
    const float *o = O + (ptrdiff_t)m * Lin, *x = X + (ptrdiff_t)m * Lin;
    float *d = Dout + (ptrdiff_t)m * Lin;
    for (int j = 0; j < Lin; j++) {
      float e = o[j] - x[j];
      sq_lane[j % NN_AE_LANES] += e * e;
      d[j] = e * o[j] * (1.0f - o[j]) * invN;
    }
  }
  double sq = sum_lanes(sq_lane);
  double w2 = sum_squares(W, (size_t)Lhid * (size_t)Lin);

  /* rhohat_b and the KL term; the per-unit sparsity derivative. */
  float *rh = ws->rhohat, *sp = ws->sparse;
  for (int b = 0; b < Lhid; b++) rh[b] = 0;
  for (int m = 0; m < N; m++)
    for (int b = 0; b < Lhid; b++) rh[b] += H[(ptrdiff_t)m * Lhid + b];
  double kl = 0, act = 0;
  for (int b = 0; b < Lhid; b++) {
    act += rh[b];
    double r = rh[b] / (float)N;
    if (r < RHOHAT_EPS) r = RHOHAT_EPS;
    if (r > 1 - RHOHAT_EPS) r = 1 - RHOHAT_EPS;
    rh[b] = (float)r;
    kl += p->rho * log(p->rho / r) + (1 - p->rho) * log((1 - p->rho) / (1 - r));
    sp[b] = (float)(p->beta * invN * (-p->rho / r + (1 - p->rho) / (1 - r)));
  }
  terms->mse = sq / (2.0 * N);
  terms->tykhonov = p->lambda * w2;
  terms->kl = p->beta * kl;
  terms->J = terms->mse + terms->tykhonov + terms->kl;
  terms->mean_act = act / ((double)N * Lhid);
  if (!dW) return NN_OK;

  /* --- backward ---------------------------------------------------------- */
  /* Dhid = (Dout W^T + sparse) .* H .* (1-H) */
  nn_sgemm(false, true, N, Lhid, Lin, 1.0f, Dout, Lin, W, Lin, 0.0f, Dhid, Lhid);
  for (int b = 0; b < Lhid; b++) db1[b] = 0;
  for (int m = 0; m < N; m++) {
    float *d = Dhid + (ptrdiff_t)m * Lhid;
    const float *h = H + (ptrdiff_t)m * Lhid;
    for (int b = 0; b < Lhid; b++) {
      d[b] = (d[b] + sp[b]) * h[b] * (1.0f - h[b]);
      db1[b] += d[b];
    }
  }
  for (int j = 0; j < Lin; j++) db2[j] = 0;
  for (int m = 0; m < N; m++) {
    const float *d = Dout + (ptrdiff_t)m * Lin;
    for (int j = 0; j < Lin; j++) db2[j] += d[j];
  }
  /* dW = 2 lambda W + Dhid^T X + H^T Dout */
  const float l2 = (float)(2.0 * p->lambda);
  for (size_t i = 0; i < (size_t)Lhid * (size_t)Lin; i++) dW[i] = l2 * W[i];
  nn_sgemm(true, false, Lhid, Lin, N, 1.0f, Dhid, Lhid, X, Lin, 1.0f, dW, Lin);
  nn_sgemm(true, false, Lhid, Lin, N, 1.0f, H, Lhid, Dout, Lin, 1.0f, dW, Lin);
  return NN_OK;
}
