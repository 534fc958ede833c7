/* Flush-to-zero: the switch works in the calling thread, in OpenBLAS's
 * products and in nnsh's pair worker; the pair gives bitwise the serial
 * result of a Linear backward pass. */
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <unistd.h>

#include "blas.h"
#include "check.h"
#include "fpmode.h"
#include "linear.h"
#include "pair.h"

static volatile float tiny = 1e-30f, scale = 1e-10f; /* product 1e-40: subnormal */

static void job_mul(void *p) { *(float *)p = tiny * scale; }
static void job_nop(void *p) { (void)p; }

/* Subnormal A times identity through sgemm, 2 threads: how many nonzeros. */
static int sgemm_subnormal_nonzeros(int n) {
  float *A = malloc(sizeof(float) * n * n), *B = calloc((size_t)n * n, sizeof(float)),
        *C = malloc(sizeof(float) * n * n);
  for (int i = 0; i < n * n; i++) A[i] = 1e-39f;
  for (int i = 0; i < n; i++) B[(size_t)i * n + i] = 1;
  nn_sgemm(false, false, n, n, n, 1.0f, A, n, B, n, 0.0f, C, n);
  int nz = 0;
  for (int i = 0; i < n * n; i++) nz += C[i] != 0;
  free(A);
  free(B);
  free(C);
  return nz;
}

static void test_switch(void) {
  nn_blas_set_threads(2);
  nn_pair_enable(true);
  nn_fp_set_ftz(false);
  CHECK(!nn_fp_ftz());
  CHECK(tiny * scale != 0.0f);
  CHECK(sgemm_subnormal_nonzeros(256) == 256 * 256);
  float w = 0;
  nn_pair_run(job_mul, &w, job_nop, NULL);
  CHECK(w != 0.0f);

  nn_fp_set_ftz(true);
  CHECK(nn_fp_ftz());
  CHECK(tiny * scale == 0.0f);
  CHECK(sgemm_subnormal_nonzeros(256) == 0);
  w = 1;
  nn_pair_run(job_mul, &w, job_nop, NULL);
  CHECK(w == 0.0f); /* ran on the worker when the pair is active */

  /* The environment switch. */
  setenv("NNSH_FTZ", "0", 1);
  CHECK(!nn_fp_ftz_wanted());
  setenv("NNSH_FTZ", "off", 1);
  CHECK(!nn_fp_ftz_wanted());
  setenv("NNSH_FTZ", "1", 1);
  CHECK(nn_fp_ftz_wanted());
  unsetenv("NNSH_FTZ");
  CHECK(nn_fp_ftz_wanted());
}

static void fill(float *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1664525u + 1013904223u;
    p[i] = (float)((seed >> 9) & 0xffff) / 32768.0f - 1.0f;
  }
}

static int close_all(const float *a, const float *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!(fabsf(a[i] - b[i]) <= 1e-5f * (1.0f + fabsf(a[i])))) return 0;
  return 1;
}

static void test_pair_bitwise(void) {
  enum { B = 200, C = 256, OC = 250 };
  float *x = malloc(sizeof(float) * B * C), *w = malloc(sizeof(float) * C * OC),
        *dy = malloc(sizeof(float) * B * OC);
  float *dx[2], *dw[2], *db[2];
  fill(x, (size_t)B * C, 1);
  fill(w, (size_t)C * OC, 2);
  fill(dy, (size_t)B * OC, 3);
  for (int r = 0; r < 2; r++) {
    dx[r] = malloc(sizeof(float) * B * C);
    dw[r] = malloc(sizeof(float) * C * OC);
    db[r] = malloc(sizeof(float) * OC);
    fill(dw[r], (size_t)C * OC, 4); /* accumulated into */
    fill(db[r], OC, 5);
  }
  nn_pair_enable(false);
  nn_blas_set_threads(1);
  CHECK(!nn_pair_active());
  nn_linear_backward(dx[0], dw[0], db[0], dy, x, w, B, C, OC);
  nn_pair_enable(true);
  nn_blas_set_threads(2);
  /* One CPU: the pair runs serially, and the comparison still holds. */
  CHECK(nn_pair_active() || sysconf(_SC_NPROCESSORS_ONLN) < 2);
  for (int rep = 0; rep < 3; rep++) { /* the worker is reused */
    fill(dw[1], (size_t)C * OC, 4);
    fill(db[1], OC, 5);
    nn_linear_backward(dx[1], dw[1], db[1], dy, x, w, B, C, OC);
    CHECK(memcmp(dx[0], dx[1], sizeof(float) * B * C) == 0);
    CHECK(memcmp(dw[0], dw[1], sizeof(float) * C * OC) == 0);
    CHECK(memcmp(db[0], db[1], sizeof(float) * OC) == 0);
  }
  CHECK(nn_blas_threads() == 2);
  CHECK(nn_blas_openblas_threads() == (nn_pair_active() ? 1 : 2));
  /* One large product split over the pair (rows, then columns): within
   * float rounding of the unsplit one (OpenBLAS's kernels for a part may
   * block differently, as its own threads do), and the same every time. */
  float *c1 = malloc(sizeof(float) * B * OC), *c2 = malloc(sizeof(float) * B * OC);
  for (int shape = 0; shape < 2; shape++) {
    int M = shape ? 40 : B, K = shape ? C : C; /* 40 rows: split by columns */
    nn_pair_enable(false);
    nn_blas_set_threads(1);
    nn_sgemm(false, false, M, OC, K, 1.0f, x, C, w, OC, 0.0f, c1, OC);
    nn_pair_enable(true);
    nn_blas_set_threads(2);
    nn_sgemm(false, false, M, OC, K, 1.0f, x, C, w, OC, 0.0f, c2, OC);
    CHECK(close_all(c1, c2, (size_t)M * OC));
    memcpy(c1, c2, sizeof(float) * M * OC);
    nn_sgemm(false, false, M, OC, K, 1.0f, x, C, w, OC, 0.0f, c2, OC);
    CHECK(memcmp(c1, c2, sizeof(float) * M * OC) == 0);
    nn_sgemm(true, true, OC, M, K, 0.5f, w, OC, x, C, 0.0f, c2, M);
    nn_pair_enable(false);
    nn_sgemm(true, true, OC, M, K, 0.5f, w, OC, x, C, 0.0f, c1, M);
    nn_pair_enable(true);
    CHECK(close_all(c1, c2, (size_t)M * OC));
  }
  free(c1);
  free(c2);
  for (int r = 0; r < 2; r++) {
    free(dx[r]);
    free(dw[r]);
    free(db[r]);
  }
  free(x);
  free(w);
  free(dy);
}

int main(void) {
  test_switch();
  test_pair_bitwise();
  return check_summary("test_fpmode");
}
