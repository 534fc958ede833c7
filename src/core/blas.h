/* Matrix products through OpenBLAS cblas_sgemm.
 *
 * Row-major throughout.  Non-contiguous operands are handled without copies
 * when their last or first stride is 1 (a transposed view is passed to sgemm
 * as a transpose flag); other views are copied to a contiguous temporary.
 */
#ifndef NN_BLAS_H
#define NN_BLAS_H

#include <stdbool.h>

#include "tensor.h"

/* r = beta*r + alpha * op(a) * op(b), op = transpose when ta/tb.
 * With beta == 0, r is resized to (M,N) and need not be initialised. */
int nn_addmm(nn_tensor *r, double beta, double alpha, const nn_tensor *a,
             bool ta, const nn_tensor *b, bool tb);
/* r = a * b */
int nn_mm(nn_tensor *r, const nn_tensor *a, const nn_tensor *b);

/* Raw row-major sgemm: C(MxN) = beta*C + alpha*op(A)*op(B), for kernels that
 * work on float buffers (layers, recurrent cells). */
void nn_sgemm(bool ta, bool tb, int M, int N, int K, float alpha,
              const float *A, int lda, const float *B, int ldb, float beta,
              float *C, int ldc);

/* OpenBLAS facts for the shell and benchmarks. */
const char *nn_blas_config(void);   /* build config, e.g. "OpenBLAS 0.3.21 ..." */
const char *nn_blas_corename(void); /* active kernel, e.g. "Haswell" */
/* The thread count nnsh uses: OPENBLAS_NUM_THREADS at start, then
 * threads(n).  With the pair (pair.h) in use OpenBLAS runs 1 thread. */
int nn_blas_threads(void);
void nn_blas_set_threads(int n);
int nn_blas_openblas_threads(void); /* what OpenBLAS itself runs */
/* Stop OpenBLAS's worker threads so that they start again, on the next
 * threaded call, with the calling thread's MXCSR (fpmode.h). */
void nn_blas_restart_threads(void);

#endif
