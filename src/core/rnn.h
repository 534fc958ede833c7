/* Vanilla tanh RNN layer over a batch of sequences (forward and BPTT).
 *
 *   h_t = tanh(x_t . wx + h_{t-1} . wh + b)
 *
 * Shapes (see recurrent.h for the legend and layouts):
 *   x (B,T,D)  wx (D,H)  wh (H,H)  b (H)  h0 (B,H) or NULL for zeros
 *   out (B,T,H) every state when `all`, else (B,H) the last state h_T.
 *
 * The workspace keeps what backward needs (all states, time-major) and the
 * buffers of both passes; it only grows, so reusing one workspace across
 * mini-batches allocates nothing after the first.  nn_rnn_backward must
 * follow the nn_rnn_forward whose state it differentiates.
 */
#ifndef NN_RNN_H
#define NN_RNN_H

#include <stdbool.h>

#include "recurrent.h"

typedef struct nn_rnn_ws {
  int B, T, D, H; /* shapes of the last forward; B == 0 before any */
  bool all;       /* the last forward returned every state */
  nn_rec_arena arena;
  float *x;   /* (T,B,D) input, time-major */
  float *h;   /* (T+1,B,H) h[0] = h0, h[t+1] = state after step t */
  float *dg;  /* (T,B,H) gradient of the pre-activations */
  float *dh;  /* (B,H) gradient flowing into h_{t} from later steps */
  float *dx;  /* (T,B,D) input gradient, time-major */
  float *wp;  /* wh packed for the per-step products (gemm_packed.h):
               * wh in forward, wh^T in backward */
} nn_rnn_ws;

void nn_rnn_ws_init(nn_rnn_ws *ws);
void nn_rnn_ws_free(nn_rnn_ws *ws);

int nn_rnn_forward(nn_rnn_ws *ws, float *out, bool all, const float *x,
                   const float *h0, const float *wx, const float *wh,
                   const float *b, int B, int T, int D, int H);

/* dout has the shape of the forward's out.  Accumulates (+=) dwx, dwh, db;
 * overwrites dx (B,T,D) and dh0 (B,H); either may be NULL to skip it. */
int nn_rnn_backward(nn_rnn_ws *ws, float *dx, float *dh0, float *dwx,
                    float *dwh, float *db, const float *dout, const float *wx,
                    const float *wh);

#endif
