/* GRU layer over a batch of sequences (forward and BPTT).
 *
 * Convention: the reset gate is applied AFTER the recurrent product (the
 * "linear-before-reset" GRU of cuDNN and PyTorch), and z weighs the new
 * candidate as in the course text:
 *   [az ar an] = x_t . wx + b                      (column blocks of 3H)
 *   [hz hr hn] = h_{t-1} . wh,   hn += bhn
 *   z = sigmoid(az + hz)   r = sigmoid(ar + hr)
 *   n = tanh(an + r * hn)
 *   h_t = (1 - z) * h_{t-1} + z * n
 * Why after: r then multiplies the product h_{t-1}.wh_n instead of h_{t-1},
 * so all three gates of a step come from ONE (B,H).(H,3H) GEMM; with the
 * original form r*h_{t-1} must exist before the candidate's product, which
 * splits every step into two dependent GEMMs.  bhn is the bias of the
 * recurrent candidate term; it differs from b's n block because r scales it.
 * (PyTorch's GRU uses h_t = (1-z)*n + z*h_{t-1}: its z is our 1-z.)
 *
 * Shapes (see recurrent.h for the legend and layouts):
 *   x (B,T,D)  wx (D,3H)  wh (H,3H)  b (3H)  bhn (H)  h0 (B,H) or NULL
 *   out (B,T,H) every state when `all`, else (B,H) the last state h_T.
 */
#ifndef NN_GRU_H
#define NN_GRU_H

#include <stdbool.h>

#include "recurrent.h"

typedef struct nn_gru_ws {
  int B, T, D, H; /* shapes of the last forward; B == 0 before any */
  bool all;
  nn_rec_arena arena;
  float *x;     /* (T,B,D) input, time-major */
  float *gates; /* (T,B,3H) activated z, r, n */
  float *hn;    /* (T,B,H) recurrent candidate term h_{t-1}.wh_n + bhn */
  float *h;     /* (T+1,B,H) h[0] = h0 */
  float *gh;    /* (B,3H) scratch: h_{t-1}.wh of the current step */
  float *dgx;   /* (T,B,3H) gradient of the input-side pre-activations */
  float *dgh;   /* (T,B,3H) gradient of the recurrent-side pre-activations */
  float *dh;    /* (B,H) gradient reaching h_t from later steps */
  float *dx;    /* (T,B,D) */
  float *wp;    /* wh packed for the per-step products (gemm_packed.h):
                 * wh in forward, wh^T in backward */
} nn_gru_ws;

void nn_gru_ws_init(nn_gru_ws *ws);
void nn_gru_ws_free(nn_gru_ws *ws);

int nn_gru_forward(nn_gru_ws *ws, float *out, bool all, const float *x,
                   const float *h0, const float *wx, const float *wh,
                   const float *b, const float *bhn, int B, int T, int D,
                   int H);

/* dout has the shape of the forward's out.  Accumulates (+=) dwx, dwh, db,
 * dbhn; overwrites dx (B,T,D) and dh0 (B,H); either may be NULL. */
int nn_gru_backward(nn_gru_ws *ws, float *dx, float *dh0, float *dwx,
                    float *dwh, float *db, float *dbhn, const float *dout,
                    const float *wx, const float *wh);

#endif
