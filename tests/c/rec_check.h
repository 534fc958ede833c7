/* Gradient-check harness for the recurrent cells (test_rnn.c, test_lstm.c,
 * test_gru.c).
 *
 * A test describes a cell as a list of differentiable arrays (weights,
 * biases, the input sequence, initial states), each held twice: as float
 * (what the kernel reads) and as double (what the test's naive reference
 * reads).  The loss is a fixed random linear functional of the outputs,
 * L = sum(w .* out), computed in double, so dL/dout = w.  Checks:
 *   - kernel forward (float) against the naive double forward;
 *   - analytic gradients against central differences of the naive double
 *     forward (accurate to ~1e-9, so a 1e-4 relative tolerance is tight);
 *   - analytic gradients against central differences of the float kernel
 *     itself (float rounding limits this to ~1e-3).
 */
#ifndef NN_TEST_REC_CHECK_H
#define NN_TEST_REC_CHECK_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define RC_MAXP 8

typedef struct rc_array {
  const char *name;
  int n;
  float *v;  /* value read by the kernel */
  double *d; /* same value for the reference */
  float *g;  /* analytic gradient (written by bwd) */
} rc_array;

typedef struct rc_cell {
  int np;
  rc_array p[RC_MAXP];
  int nout;
  /* Run the kernel forward on the float values into out (nout floats). */
  void (*fwd)(struct rc_cell *c, float *out);
  /* Run the kernel backward for dL/dout = dout; writes every p[i].g. */
  void (*bwd)(struct rc_cell *c, const float *dout);
  /* Naive double-precision forward of the same equations. */
  void (*ref)(struct rc_cell *c, double *out);
  void *ctx; /* the test's own state (shapes, workspace) */
} rc_cell;

/* Deterministic uniform in [-a, a) from a 64-bit LCG; tests only. */
static uint64_t rc_state = 88172645463325252ull;
static double rc_uniform(double a) {
  rc_state = rc_state * 6364136223846793005ull + 1442695040888963407ull;
  return a * (2.0 * ((rc_state >> 11) * (1.0 / 9007199254740992.0)) - 1.0);
}

static void rc_add(rc_cell *c, const char *name, int n, double scale) {
  rc_array *a = &c->p[c->np++];
  a->name = name;
  a->n = n;
  a->v = malloc(n * sizeof(float));
  a->d = malloc(n * sizeof(double));
  a->g = malloc(n * sizeof(float));
  for (int i = 0; i < n; i++) {
    a->v[i] = (float)rc_uniform(scale);
    a->d[i] = a->v[i];
  }
}

static void rc_free(rc_cell *c) {
  for (int i = 0; i < c->np; i++) {
    free(c->p[i].v);
    free(c->p[i].d);
    free(c->p[i].g);
  }
  c->np = 0;
}

static rc_array *rc_find(rc_cell *c, const char *name) {
  for (int i = 0; i < c->np; i++)
    if (!strcmp(c->p[i].name, name)) return &c->p[i];
  return NULL;
}

/* ||a - b|| / max(||a||, ||b||) */
static double rc_relerr(const float *a, const double *b, int n) {
  double num = 0, na = 0, nb = 0;
  for (int i = 0; i < n; i++) {
    num += (a[i] - b[i]) * (a[i] - b[i]);
    na += (double)a[i] * a[i];
    nb += b[i] * b[i];
  }
  double den = sqrt(na > nb ? na : nb);
  return den > 0 ? sqrt(num) / den : sqrt(num);
}

static double rc_loss_f(const float *out, const float *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += (double)w[i] * out[i];
  return s;
}
static double rc_loss_d(const double *out, const float *w, int n) {
  double s = 0;
  for (int i = 0; i < n; i++) s += (double)w[i] * out[i];
  return s;
}

/* Runs all checks on one configuration; returns the worst relative error
 * against the double reference (for the report). */
static double rc_check_all(rc_cell *c, const char *label) {
  int n = c->nout;
  float *out = malloc(n * sizeof(float)), *w = malloc(n * sizeof(float));
  double *ref = malloc(n * sizeof(double));
  for (int i = 0; i < n; i++) w[i] = (float)rc_uniform(1.0);

  c->fwd(c, out);
  c->ref(c, ref);
  double fmax = 0;
  for (int i = 0; i < n; i++)
    if (fabs(out[i] - ref[i]) > fmax) fmax = fabs(out[i] - ref[i]);
  CHECK(fmax < 1e-5);

  for (int i = 0; i < c->np; i++) memset(c->p[i].g, 0, c->p[i].n * 4);
  c->fwd(c, out);
  c->bwd(c, w);

  double worst = 0;
  for (int i = 0; i < c->np; i++) {
    rc_array *a = &c->p[i];
    double *nd = malloc(a->n * sizeof(double)),
           *nf = malloc(a->n * sizeof(double));
    for (int k = 0; k < a->n; k++) {
      const double ed = 1e-6;
      double keep = a->d[k];
      a->d[k] = keep + ed;
      c->ref(c, ref);
      double lp = rc_loss_d(ref, w, n);
      a->d[k] = keep - ed;
      c->ref(c, ref);
      double lm = rc_loss_d(ref, w, n);
      a->d[k] = keep;
      nd[k] = (lp - lm) / (2 * ed);

      const float ef = 1e-2f;
      float kf = a->v[k];
      a->v[k] = kf + ef;
      c->fwd(c, out);
      lp = rc_loss_f(out, w, n);
      a->v[k] = kf - ef;
      c->fwd(c, out);
      lm = rc_loss_f(out, w, n);
      a->v[k] = kf;
      nf[k] = (lp - lm) / (2.0 * ef);
    }
    double ed = rc_relerr(a->g, nd, a->n), ef = rc_relerr(a->g, nf, a->n);
    printf("  %-18s %-4s rel.err vs double ref %.2e, vs float numeric %.2e\n",
           label, a->name, ed, ef);
    CHECK(ed < 1e-4);
    CHECK(ef < 5e-3);
    if (ed > worst) worst = ed;
    free(nd);
    free(nf);
  }
  printf("  %-18s forward max |float - double| %.2e\n", label, fmax);
  free(out);
  free(w);
  free(ref);
  return worst;
}

#endif
