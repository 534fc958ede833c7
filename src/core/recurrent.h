/* Pieces shared by the recurrent cells (rnn.c, lstm.c, gru.c).
 *
 * Shape legend for all recurrent code:
 *   B = batch size, T = time steps, D = input features, H = hidden units,
 *   G = gate width (H for the tanh RNN, 3H for the GRU, 4H for the LSTM).
 *
 * Layouts.  The public layout of a sequence batch is batch-major (B,T,D), as
 * the data files store it.  Internally the cells work time-major (T,B,*):
 * step t of the whole batch is then one contiguous (B,*) block, which is what
 * a per-step row-major GEMM wants (batch rows, X.W), and all T steps stacked
 * form one (T*B,*) matrix, so the input projection before the recurrence and
 * the weight gradients after it are each ONE large GEMM over all steps.
 * Inputs are transposed to (T,B,D) on entry (D is small) and the input
 * gradient back to (B,T,D) on exit.
 *
 * Weights are stored input-major so a step is x.W: wx (D,G), wh (H,G), with
 * the gates as column blocks.
 */
#ifndef NN_RECURRENT_H
#define NN_RECURRENT_H

#include <stdbool.h>
#include <stddef.h>

#include "gemm_packed.h"

/* One aligned float buffer that only grows: a cell carves its per-batch
 * buffers out of it, so successive mini-batches (even a shorter last one)
 * allocate nothing. */
typedef struct nn_rec_arena {
  float *mem;
  size_t cap; /* floats */
} nn_rec_arena;

/* Make room for n floats (contents are not kept).  NN_OK or NN_ERR. */
int nn_rec_arena_reserve(nn_rec_arena *a, size_t n);
void nn_rec_arena_free(nn_rec_arena *a);
/* n rounded up to a multiple of 16 floats, so carved buffers stay 64-byte
 * aligned. */
static inline size_t nn_rec_pad(size_t n) { return (n + 15) & ~(size_t)15; }

/* The per-step product with the recurrent weights: C(M,N) = A(M,K) . W, or
 * C += A . W, with W = wh (H,G) in forward (K = H, N = G) and wh^T in
 * backward (K = G, N = H).  Rows of A and C are contiguous (lda = K,
 * ldc = N).  It runs the packed kernel of gemm_packed.h (wh packed once per
 * pass into wp), or cblas_sgemm when OpenBLAS runs AVX-512 kernels: with
 * OPENBLAS_CORETYPE=SkylakeX its small products beat the AVX2 packed kernel
 * by ~40%, with the Haswell kernels it is ~15% slower. */
typedef struct nn_rec_wmul {
  bool packed, trans;
  int K, N;
  const float *w; /* wh (H,G) */
  float *wp;      /* packed W when packed */
} nn_rec_wmul;

/* Which kernel: NN_REC_GEMM_AUTO (default: packed unless OpenBLAS reports
 * an AVX-512 core), or forced (tests run both). */
typedef enum { NN_REC_GEMM_AUTO, NN_REC_GEMM_PACKED, NN_REC_GEMM_BLAS } nn_rec_gemm_mode;
void nn_rec_set_gemm(nn_rec_gemm_mode mode);
bool nn_rec_gemm_is_packed(void);

/* Set up m for wh (H,G); backward selects W = wh^T.  Packs into wp
 * (nn_rec_packed_wh(H, G) floats) when the packed kernel is used. */
void nn_rec_wmul_init(nn_rec_wmul *m, float *wp, const float *wh, int H,
                      int G, bool backward);
void nn_rec_wmul_run(const nn_rec_wmul *m, int M, const float *a, bool acc,
                     float *c);

/* Floats for wh (H,G) packed for the per-step products: forward packs wh,
 * backward wh^T, into the same buffer. */
static inline size_t nn_rec_packed_wh(int H, int G) {
  size_t f = nn_packed_size(H, G), b = nn_packed_size(G, H);
  return f > b ? f : b;
}

/* (B,T,D) -> (T,B,D) and back. */
void nn_rec_btd_to_tbd(float *dst, const float *src, int B, int T, int D);
void nn_rec_tbd_to_btd(float *dst, const float *src, int B, int T, int D);

/* out(N,G) = x(N,D) . wx(D,G) + b(G), N = T*B: the inputs of all steps
 * projected at once. */
void nn_rec_input_proj(float *out, const float *x, const float *wx,
                       const float *b, int N, int D, int G);

/* The gradients that need no recurrence, after the backward pass through
 * time has filled the pre-activation gradients of every step:
 *   dwx(D,G) += x(N,D)^T . dgx(N,G)        dwh(H,G) += hprev(N,H)^T . dgh(N,G)
 *   db(G)    += column sums of dgx          dx(N,D)   = dgx . wx^T  (if dx)
 * N = T*B; hprev row (t,b) is h_{t-1} of sequence b.  dgh differs from dgx
 * only for the GRU (reset gate applied after the recurrent product). */
void nn_rec_weight_grads(float *dwx, float *dwh, float *db, float *dx,
                         const float *x, const float *hprev, const float *dgx,
                         const float *dgh, const float *wx, int N, int D,
                         int H, int G);

/* dh(B,H) += dout[:, t, :] for dout (B,T,H): the loss gradient on the
 * states of step t, when every state is an output. */
void nn_rec_add_step(float *dh, const float *dout, int B, int T, int t, int H);

/* db(n) += column sums of the n columns at g(N, ld). */
void nn_rec_colsum(float *db, const float *g, int N, int n, int ld);

#endif
