#include "rnn.h"

#include <string.h>

#include "error.h"
#include "fast_tanh.h"

void nn_rnn_ws_init(nn_rnn_ws *ws) { memset(ws, 0, sizeof *ws); }

void nn_rnn_ws_free(nn_rnn_ws *ws) {
  nn_rec_arena_free(&ws->arena);
  nn_rnn_ws_init(ws);
}

static int rnn_layout(nn_rnn_ws *ws, int B, int T, int D, int H) {
  size_t b = (size_t)B, d = (size_t)D, h = (size_t)H; /* shapes checked > 0 */
  size_t TB = (size_t)T * b, nx = nn_rec_pad(TB * d),
         nh = nn_rec_pad(TB * h + b * h), ng = nn_rec_pad(TB * h),
         nb = nn_rec_pad(b * h), nw = nn_rec_pad(nn_rec_packed_wh(H, H));
  NN_TRY(nn_rec_arena_reserve(&ws->arena, 2 * nx + nh + ng + nb + nw));
  float *p = ws->arena.mem;
  ws->x = p, p += nx;
  ws->h = p, p += nh;
  ws->dg = p, p += ng;
  ws->dh = p, p += nb;
  ws->dx = p, p += nx;
  ws->wp = p;
  ws->B = B, ws->T = T, ws->D = D, ws->H = H;
  return NN_OK;
}

/* h = tanh(h), in place, one step of the whole batch. */
static void tanh_inplace(float *restrict h, int n) {
  for (int i = 0; i < n; i++) h[i] = nn_tanh_fast(h[i]);
}

int nn_rnn_forward(nn_rnn_ws *ws, float *out, bool all, const float *x,
                   const float *h0, const float *wx, const float *wh,
                   const float *b, int B, int T, int D, int H) {
  NN_REQUIRE(B > 0 && T > 0 && D > 0 && H > 0,
             "rnn: bad shape B=%d T=%d D=%d H=%d", B, T, D, H);
  NN_TRY(rnn_layout(ws, B, T, D, H));
  ws->all = all;
  ptrdiff_t BH = (ptrdiff_t)B * H;
  nn_rec_btd_to_tbd(ws->x, x, B, T, D);
  if (h0)
    memcpy(ws->h, h0, (size_t)BH * sizeof(float));
  else
    memset(ws->h, 0, (size_t)BH * sizeof(float));
  /* Pre-activations of all steps written straight into the state slots,
   * then each step adds its recurrent term and squashes in place. */
  nn_rec_input_proj(ws->h + BH, ws->x, wx, b, T * B, D, H);
  nn_rec_wmul wm;
  nn_rec_wmul_init(&wm, ws->wp, wh, H, H, false);
  for (int t = 0; t < T; t++) {
    float *hp = ws->h + t * BH, *hn = hp + BH;
    if (t > 0 || h0) /* h_0 = 0 adds nothing */
      nn_rec_wmul_run(&wm, B, hp, true, hn);
    tanh_inplace(hn, (int)BH);
  }
  if (all)
    nn_rec_tbd_to_btd(out, ws->h + BH, B, T, H);
  else
    memcpy(out, ws->h + T * BH, (size_t)BH * sizeof(float));
  return NN_OK;
}

/* dg = dh * (1 - h^2) for one step of the batch (n = B*H). */
static void rnn_step_back(float *restrict dg, const float *restrict dh,
                          const float *restrict h, int n) {
  for (int j = 0; j < n; j++) dg[j] = dh[j] * (1.0f - h[j] * h[j]);
}

int nn_rnn_backward(nn_rnn_ws *ws, float *dx, float *dh0, float *dwx,
                    float *dwh, float *db, const float *dout, const float *wx,
                    const float *wh) {
  NN_REQUIRE(ws->B > 0, "rnn: backward without a forward");
  int B = ws->B, T = ws->T, D = ws->D, H = ws->H;
  ptrdiff_t BH = (ptrdiff_t)B * H;
  nn_rec_wmul wm;
  nn_rec_wmul_init(&wm, ws->wp, wh, H, H, true);
  if (ws->all)
    memset(ws->dh, 0, (size_t)BH * sizeof(float));
  else
    memcpy(ws->dh, dout, (size_t)BH * sizeof(float));
  for (int t = T - 1; t >= 0; t--) {
    float *dg = ws->dg + t * BH;
    const float *h = ws->h + (t + 1) * BH;
    if (ws->all) nn_rec_add_step(ws->dh, dout, B, T, t, H);
    rnn_step_back(dg, ws->dh, h, (int)BH);
    if (t > 0 || dh0)
      nn_rec_wmul_run(&wm, B, dg, false, ws->dh);
  }
  if (dh0) memcpy(dh0, ws->dh, (size_t)BH * sizeof(float));
  nn_rec_weight_grads(dwx, dwh, db, dx ? ws->dx : NULL, ws->x, ws->h, ws->dg,
                      ws->dg, wx, T * B, D, H, H);
  if (dx) nn_rec_tbd_to_btd(dx, ws->dx, B, T, D);
  return NN_OK;
}
