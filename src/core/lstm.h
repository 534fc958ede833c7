/* LSTM layer over a batch of sequences (forward and BPTT).
 *
 *   [i f g o] = x_t . wx + h_{t-1} . wh + b        (column blocks of 4H)
 *   i, f, o = sigmoid(.)   g = tanh(.)
 *   c_t = f * c_{t-1} + i * g        h_t = o * tanh(c_t)
 *
 * Gate order i, f, g, o is PyTorch's (its weight_ih is our wx transposed).
 * Shapes (see recurrent.h for the legend and layouts):
 *   x (B,T,D)  wx (D,4H)  wh (H,4H)  b (4H)
 *   h0, c0 (B,H) or NULL for zeros
 *   out (B,T,H) every hidden state when `all`, else (B,H) the last h_T.
 *
 * Each step is one (B,H).(H,4H) GEMM for all four gates, then one fused
 * pass for the gate nonlinearities and the cell update.  Backward runs the
 * recurrence with one (B,4H).(4H,H) GEMM per step and forms the weight and
 * input gradients afterwards with one GEMM each over all T*B rows.
 * Workspace: about 11 T B H + 2 T B D floats (27 MB for B=32, T=150,
 * H=128), allocated on the first batch and reused.
 */
#ifndef NN_LSTM_H
#define NN_LSTM_H

#include <stdbool.h>

#include "recurrent.h"

typedef struct nn_lstm_ws {
  int B, T, D, H; /* shapes of the last forward; B == 0 before any */
  bool all;
  nn_rec_arena arena;
  float *x;     /* (T,B,D) input, time-major */
  float *gates; /* (T,B,4H) activated gates i, f, g, o */
  float *h;     /* (T+1,B,H) h[0] = h0 */
  float *c;     /* (T+1,B,H) c[0] = c0 */
  float *tc;    /* (T,B,H) tanh(c_t) */
  float *dg;    /* (T,B,4H) gradient of the gate pre-activations */
  float *dh;    /* (B,H) gradient reaching h_t from later steps */
  float *dc;    /* (B,H) gradient reaching c_t from later steps */
  float *dx;    /* (T,B,D) */
  float *wp;    /* wh packed for the per-step products (gemm_packed.h):
                 * wh in forward, wh^T in backward */
} nn_lstm_ws;

void nn_lstm_ws_init(nn_lstm_ws *ws);
void nn_lstm_ws_free(nn_lstm_ws *ws);

int nn_lstm_forward(nn_lstm_ws *ws, float *out, bool all, const float *x,
                    const float *h0, const float *c0, const float *wx,
                    const float *wh, const float *b, int B, int T, int D,
                    int H);

/* dout has the shape of the forward's out.  Accumulates (+=) dwx, dwh, db;
 * overwrites dx (B,T,D), dh0 and dc0 (B,H); each of those may be NULL. */
int nn_lstm_backward(nn_lstm_ws *ws, float *dx, float *dh0, float *dc0,
                     float *dwx, float *dwh, float *db, const float *dout,
                     const float *wx, const float *wh);

#endif
