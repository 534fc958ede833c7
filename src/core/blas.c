#include "blas.h"

#include <cblas.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "error.h"
#include "pair.h"
#include "interrupt.h"

/* OpenBLAS extensions (declared in its cblas.h on Debian; repeated here so
 * the file also builds against a plain cblas.h). */
extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);
extern int openblas_get_num_threads(void);
extern void openblas_set_num_threads(int);
/* Stops OpenBLAS's worker threads; its next threaded call starts them again
 * from the calling thread (OpenBLAS itself uses it around fork()).  Weak:
 * another BLAS may not have it. */
extern void blas_thread_shutdown_(void) __attribute__((weak));

typedef struct {
  bool ta, tb;
  int M, N, K, lda, ldb, ldc;
  float alpha, beta;
  const float *A, *B;
  float *C;
} gemm_args;

static void gemm_job(void *p) {
  const gemm_args *g = p;
  nn_sgemm(g->ta, g->tb, g->M, g->N, g->K, g->alpha, g->A, g->lda, g->B, g->ldb, g->beta,
           g->C, g->ldc);
}

/* Below this many multiply-adds a hand-off to the pair's worker (a few µs)
 * costs more than the second core saves. */
enum { SPLIT_MIN_MACS = 1 << 20 };

/* One product as two halves on the two threads of nnsh's pair: the rows of
 * C when there are enough, else its columns.  Not bitwise the unsplit
 * product (OpenBLAS blocks each half its own way, as with its own
 * threads), but the same on every run. */
static bool split_gemm(bool ta, bool tb, int M, int N, int K, float alpha, const float *A,
                       int lda, const float *B, int ldb, float beta, float *C, int ldc) {
  if ((double)M * N * K < SPLIT_MIN_MACS || !nn_pair_active()) return false;
  gemm_args a = {ta, tb, M, N, K, lda, ldb, ldc, alpha, beta, A, B, C}, b = a;
  if (M >= 64) {
    int m1 = (M / 2 + 15) / 16 * 16; /* a whole number of kernel tiles */
    a.M = m1;
    b.M = M - m1;
    b.A = ta ? A + m1 : A + (ptrdiff_t)m1 * lda;
    b.C = C + (ptrdiff_t)m1 * ldc;
  } else if (N >= 64) {
    int n1 = (N / 2 + 15) / 16 * 16;
    a.N = n1;
    b.N = N - n1;
    b.B = tb ? B + (ptrdiff_t)n1 * ldb : B + n1;
    b.C = C + n1;
  } else {
    return false;
  }
  nn_pair_run(gemm_job, &b, gemm_job, &a);
  return true;
}

void nn_sgemm(bool ta, bool tb, int M, int N, int K, float alpha,
              const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc) {
  if (M == 0 || N == 0) return;
  if (split_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)) return;
  /* One row (a single query through a model) or one column: a matrix-vector
   * product.  sgemm would pack the whole other operand for that one row,
   * which made the trigram query's output layer 3x slower than sgemv. */
  if (M == 1 && K > 0) {
    /* C(1xN) = alpha*a·op(B) + beta*C: a is row 0 of A, or column 0 of Aᵀ. */
    int inca = ta ? lda : 1;
    if (tb) /* op(B) = Bᵀ, B is N x K: C = B·a */
      cblas_sgemv(CblasRowMajor, CblasNoTrans, N, K, alpha, B, ldb, A, inca, beta, C, 1);
    else /* B is K x N: C = Bᵀ·a */
      cblas_sgemv(CblasRowMajor, CblasTrans, K, N, alpha, B, ldb, A, inca, beta, C, 1);
    return;
  }
  if (N == 1 && K > 0) {
    /* C(Mx1) = alpha*op(A)·b + beta*C, C's column has stride ldc. */
    int incb = tb ? 1 : ldb;
    if (ta) /* A is K x M */
      cblas_sgemv(CblasRowMajor, CblasTrans, K, M, alpha, A, lda, B, incb, beta, C, ldc);
    else
      cblas_sgemv(CblasRowMajor, CblasNoTrans, M, K, alpha, A, lda, B, incb, beta, C, ldc);
    return;
  }
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans,
              tb ? CblasTrans : CblasNoTrans, M, N, K, alpha, A, lda, B, ldb,
              beta, C, ldc);
}

/* A 2-d operand as sgemm wants it: pointer, leading dim and whether it must
 * be read transposed.  `tmp` receives a contiguous copy when the view has
 * no unit stride. */
static int as_matrix(const nn_tensor *t, nn_tensor *tmp, const float **p,
                     int *ld, bool *trans) {
  int64_t m = t->size[0], n = t->size[1];
  if ((t->stride[1] == 1 || n == 1) && (m == 1 || t->stride[0] >= n)) {
    *p = nn_fdata(t);
    *ld = (int)(m == 1 ? (n > 1 ? n : 1) : t->stride[0]);
    *trans = false;
    return NN_OK;
  }
  if ((t->stride[0] == 1 || m == 1) && (n == 1 || t->stride[1] >= m)) {
    *p = nn_fdata(t);
    *ld = (int)(n == 1 ? (m > 1 ? m : 1) : t->stride[1]);
    *trans = true;
    return NN_OK;
  }
  NN_TRY(nn_tensor_clone(tmp, t));
  *p = nn_fdata(tmp);
  *ld = (int)(n > 1 ? n : 1);
  *trans = false;
  return NN_OK;
}

/* Products above this many multiply-adds run as panels of about this
 * size, with a check for Ctrl-C between panels (a 10^11 product would
 * otherwise hold the shell for seconds).  A panel keeps hundreds of rows,
 * so sgemm runs at full speed in each. */
#define PANEL_FLOPS (1LL << 29)

static int sgemm_blocks(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha,
                        const float *A, int lda, const float *B, int ldb, float beta,
                        float *C) {
  if (M * N * K <= 4 * PANEL_FLOPS) {
    nn_sgemm(ta, tb, (int)M, (int)N, (int)K, alpha, A, lda, B, ldb, beta, C, (int)N);
    return NN_OK;
  }
  int by_rows = M >= N;
  int64_t len = by_rows ? M : N, other = by_rows ? N : M;
  int64_t step = PANEL_FLOPS / (other * (K ? K : 1));
  if (step < 64) step = 64;
  for (int64_t i = 0; i < len; i += step) {
    if (nn_interrupt_stop_requested()) return nn_seterror("interrupted");
    int64_t n = len - i < step ? len - i : step;
    if (by_rows) /* rows i.. of op(A) and of C */
      nn_sgemm(ta, tb, (int)n, (int)N, (int)K, alpha, ta ? A + i : A + i * lda, lda, B, ldb,
               beta, C + i * N, (int)N);
    else /* columns i.. of op(B) and of C */
      nn_sgemm(ta, tb, (int)M, (int)n, (int)K, alpha, A, lda, tb ? B + i * ldb : B + i, ldb,
               beta, C + i, (int)N);
  }
  return NN_OK;
}

int nn_addmm(nn_tensor *r, double beta, double alpha, const nn_tensor *a,
             bool ta, const nn_tensor *b, bool tb) {
  char s1[64], s2[64];
  NN_REQUIRE(a->dtype == NN_F32 && b->dtype == NN_F32,
             "matrix product needs float tensors");
  NN_REQUIRE(a->ndim == 2 && b->ndim == 2,
             "matrix product needs 2-d tensors, got %s and %s",
             nn_tensor_shape_str(a, s1, 64), nn_tensor_shape_str(b, s2, 64));
  int64_t M = ta ? a->size[1] : a->size[0], K = ta ? a->size[0] : a->size[1];
  int64_t K2 = tb ? b->size[1] : b->size[0], N = tb ? b->size[0] : b->size[1];
  NN_REQUIRE(K == K2, "size mismatch, (%s)%s * (%s)%s",
             nn_tensor_shape_str(a, s1, 64), ta ? "'" : "",
             nn_tensor_shape_str(b, s2, 64), tb ? "'" : "");
  if (beta == 0.0) {
    NN_REQUIRE(r != a && r != b, "result must not alias an operand");
    NN_TRY(nn_tensor_resize2(r, M, N));
  } else {
    NN_REQUIRE(r->ndim == 2 && r->size[0] == M && r->size[1] == N &&
                   nn_tensor_is_contiguous(r),
               "result must be a contiguous %lldx%lld tensor, got %s",
               (long long)M, (long long)N, nn_tensor_shape_str(r, s1, 64));
  }
  if (M == 0 || N == 0) return NN_OK;
  if (K == 0) {
    if (beta == 0.0) return nn_tensor_fill(r, 0);
  }
  nn_tensor ta_tmp, tb_tmp;
  nn_tensor_init(&ta_tmp, NN_F32);
  nn_tensor_init(&tb_tmp, NN_F32);
  const float *pa, *pb;
  int lda, ldb;
  bool fa, fb;
  int rc = as_matrix(a, &ta_tmp, &pa, &lda, &fa);
  if (rc == NN_OK) rc = as_matrix(b, &tb_tmp, &pb, &ldb, &fb);
  if (rc == NN_OK)
    rc = sgemm_blocks(fa != ta, fb != tb, M, N, K, (float)alpha, pa, lda, pb, ldb,
                      (float)beta, nn_fdata(r));
  nn_tensor_free(&ta_tmp);
  nn_tensor_free(&tb_tmp);
  return rc;
}

int nn_mm(nn_tensor *r, const nn_tensor *a, const nn_tensor *b) {
  return nn_addmm(r, 0.0, 1.0, a, false, b, false);
}

const char *nn_blas_config(void) { return openblas_get_config(); }
void nn_blas_restart_threads(void) {
  if (blas_thread_shutdown_) blas_thread_shutdown_();
}
const char *nn_blas_corename(void) { return openblas_get_corename(); }
/* The thread count the user asked for (OPENBLAS_NUM_THREADS, threads(n)).
 * With nnsh's pair active (pair.h) OpenBLAS itself runs one thread and the
 * pair supplies the second core, so the two never compete: OpenBLAS's idle
 * workers spin on sched_yield for a while after each product. */
static int wanted_threads;

int nn_blas_threads(void) {
  if (wanted_threads == 0) wanted_threads = openblas_get_num_threads();
  return wanted_threads;
}

int nn_blas_openblas_threads(void) { return openblas_get_num_threads(); }

void nn_blas_set_threads(int n) {
  wanted_threads = n;
  openblas_set_num_threads(nn_pair_takes_threads(n) ? 1 : n);
}
