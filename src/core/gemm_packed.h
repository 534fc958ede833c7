/* Matrix product with a pre-packed right operand, for the per-step products
 * of the recurrent cells.
 *
 * A recurrent layer multiplies by the same weight matrix at every one of its
 * T steps, with few rows (the batch): C(B,G) += H(B,H) . W(H,G).  cblas_sgemm
 * re-packs W on every call (OpenBLAS's copy routines were ~15% of an LSTM
 * epoch) and is tuned for large matrices.  Here W is packed once per
 * forward (or backward) pass into panels of 16 columns, k-major, zero-padded:
 *   panel p holds B[k][16p .. 16p+15] for k = 0..K-1, contiguous,
 * and each product runs a 6x16 register-blocked kernel over the panels
 * (12 accumulators of 8 floats, written with GCC vector extensions so that
 * gcc -O3 -march=x86-64-v3 emits AVX2 FMAs; any other target gets a correct
 * generic lowering).  Row-major throughout.
 */
#ifndef NN_GEMM_PACKED_H
#define NN_GEMM_PACKED_H

#include <stdbool.h>
#include <stddef.h>

/* Floats needed to pack a (K,N) right operand. */
size_t nn_packed_size(int K, int N);

/* Pack B (K,N) into bp.  trans = false: B = b with b (K,N), row stride ldb;
 * trans = true: B = b^T with b (N,K), row stride ldb. */
void nn_pack_b(float *bp, const float *b, int K, int N, int ldb, bool trans);

/* C(M,N) = A(M,K) . B, or C += A . B when accumulate; B packed by
 * nn_pack_b.  A and C are row-major with row strides lda, ldc. */
void nn_gemm_packed(int M, int N, int K, const float *a, int lda,
                    const float *bp, bool accumulate, float *c, int ldc);

#endif
