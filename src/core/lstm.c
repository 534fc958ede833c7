#include "lstm.h"

#include <string.h>

#include "error.h"
#include "fast_tanh.h"

void nn_lstm_ws_init(nn_lstm_ws *ws) { memset(ws, 0, sizeof *ws); }

void nn_lstm_ws_free(nn_lstm_ws *ws) {
  nn_rec_arena_free(&ws->arena);
  nn_lstm_ws_init(ws);
}

static int lstm_layout(nn_lstm_ws *ws, int B, int T, int D, int H) {
  size_t b = (size_t)B, d = (size_t)D, h = (size_t)H; /* shapes checked > 0 */
  size_t TB = (size_t)T * b, BH = b * h, nx = nn_rec_pad(TB * d),
         ng = nn_rec_pad(TB * 4 * h), ns = nn_rec_pad(TB * h + BH),
         nt = nn_rec_pad(TB * h), nb = nn_rec_pad(BH),
         nw = nn_rec_pad(nn_rec_packed_wh(H, 4 * H));
  NN_TRY(nn_rec_arena_reserve(&ws->arena,
                              2 * nx + 2 * ng + 2 * ns + nt + 2 * nb + nw));
  float *p = ws->arena.mem;
  ws->x = p, p += nx;
  ws->gates = p, p += ng;
  ws->h = p, p += ns;
  ws->c = p, p += ns;
  ws->tc = p, p += nt;
  ws->dg = p, p += ng;
  ws->dh = p, p += nb;
  ws->dc = p, p += nb;
  ws->dx = p, p += nx;
  ws->wp = p;
  ws->B = B, ws->T = T, ws->D = D, ws->H = H;
  return NN_OK;
}

/* One step of one sequence: g holds the 4H pre-activations and receives the
 * activated gates; writes c_t, tanh(c_t) and h_t. */
static void lstm_step(float *restrict g, const float *restrict cp,
                      float *restrict c, float *restrict tc,
                      float *restrict h, int H) {
  float *gi = g, *gf = g + H, *gg = g + 2 * H, *go = g + 3 * H;
  for (int j = 0; j < H; j++) {
    float i = nn_sigmoid_fast(gi[j]), f = nn_sigmoid_fast(gf[j]),
          u = nn_tanh_fast(gg[j]), o = nn_sigmoid_fast(go[j]);
    gi[j] = i, gf[j] = f, gg[j] = u, go[j] = o;
    float cn = f * cp[j] + i * u, t = nn_tanh_fast(cn);
    c[j] = cn, tc[j] = t, h[j] = o * t;
  }
}

int nn_lstm_forward(nn_lstm_ws *ws, float *out, bool all, const float *x,
                    const float *h0, const float *c0, const float *wx,
                    const float *wh, const float *b, int B, int T, int D,
                    int H) {
  NN_REQUIRE(B > 0 && T > 0 && D > 0 && H > 0,
             "lstm: bad shape B=%d T=%d D=%d H=%d", B, T, D, H);
  NN_TRY(lstm_layout(ws, B, T, D, H));
  ws->all = all;
  ptrdiff_t BH = (ptrdiff_t)B * H, BG = 4 * BH;
  nn_rec_btd_to_tbd(ws->x, x, B, T, D);
  if (h0)
    memcpy(ws->h, h0, (size_t)BH * sizeof(float));
  else
    memset(ws->h, 0, (size_t)BH * sizeof(float));
  if (c0)
    memcpy(ws->c, c0, (size_t)BH * sizeof(float));
  else
    memset(ws->c, 0, (size_t)BH * sizeof(float));
  nn_rec_input_proj(ws->gates, ws->x, wx, b, T * B, D, 4 * H);
  nn_rec_wmul wm;
  nn_rec_wmul_init(&wm, ws->wp, wh, H, 4 * H, false);
  for (int t = 0; t < T; t++) {
    float *g = ws->gates + t * BG, *hp = ws->h + t * BH, *cp = ws->c + t * BH;
    if (t > 0 || h0) /* h_0 = 0 adds nothing */
      nn_rec_wmul_run(&wm, B, hp, true, g);
    for (int bi = 0; bi < B; bi++)
      lstm_step(g + (ptrdiff_t)bi * 4 * H, cp + bi * H, cp + BH + bi * H,
                ws->tc + t * BH + bi * H, hp + BH + bi * H, H);
  }
  if (all)
    nn_rec_tbd_to_btd(out, ws->h + BH, B, T, H);
  else
    memcpy(out, ws->h + T * BH, (size_t)BH * sizeof(float));
  return NN_OK;
}

/* Backward through one step of one sequence.  dh: gradient of the loss
 * with respect to h_t (through later steps and as an output); dc: the same
 * for c_t, replaced by the gradient reaching c_{t-1}.  Writes the 4H
 * pre-activation gradients to dg. */
static void lstm_step_back(float *restrict dg, float *restrict dc,
                           const float *restrict dh, const float *restrict g,
                           const float *restrict cp, const float *restrict tc,
                           int H) {
  const float *gi = g, *gf = g + H, *gg = g + 2 * H, *go = g + 3 * H;
  for (int j = 0; j < H; j++) {
    float d = dh[j];
    float i = gi[j], f = gf[j], u = gg[j], o = go[j], t = tc[j];
    float dct = dc[j] + d * o * (1.0f - t * t);
    dg[j] = dct * u * i * (1.0f - i);
    dg[H + j] = dct * cp[j] * f * (1.0f - f);
    dg[2 * H + j] = dct * i * (1.0f - u * u);
    dg[3 * H + j] = d * t * o * (1.0f - o);
    dc[j] = dct * f;
  }
}

int nn_lstm_backward(nn_lstm_ws *ws, float *dx, float *dh0, float *dc0,
                     float *dwx, float *dwh, float *db, const float *dout,
                     const float *wx, const float *wh) {
  NN_REQUIRE(ws->B > 0, "lstm: backward without a forward");
  int B = ws->B, T = ws->T, D = ws->D, H = ws->H;
  ptrdiff_t BH = (ptrdiff_t)B * H, BG = 4 * BH;
  nn_rec_wmul wm;
  nn_rec_wmul_init(&wm, ws->wp, wh, H, 4 * H, true);
  if (ws->all)
    memset(ws->dh, 0, (size_t)BH * sizeof(float));
  else
    memcpy(ws->dh, dout, (size_t)BH * sizeof(float));
  memset(ws->dc, 0, (size_t)BH * sizeof(float));
  for (int t = T - 1; t >= 0; t--) {
    float *dg = ws->dg + t * BG;
    const float *g = ws->gates + t * BG, *cp = ws->c + t * BH,
                *tc = ws->tc + t * BH;
    if (ws->all) nn_rec_add_step(ws->dh, dout, B, T, t, H);
    for (int bi = 0; bi < B; bi++)
      lstm_step_back(dg + (ptrdiff_t)bi * 4 * H, ws->dc + bi * H,
                     ws->dh + bi * H, g + (ptrdiff_t)bi * 4 * H, cp + bi * H,
                     tc + bi * H, H);
    if (t > 0 || dh0)
      nn_rec_wmul_run(&wm, B, dg, false, ws->dh);
  }
  if (dh0) memcpy(dh0, ws->dh, (size_t)BH * sizeof(float));
  if (dc0) memcpy(dc0, ws->dc, (size_t)BH * sizeof(float));
  nn_rec_weight_grads(dwx, dwh, db, dx ? ws->dx : NULL, ws->x, ws->h, ws->dg,
                      ws->dg, wx, T * B, D, H, 4 * H);
  if (dx) nn_rec_tbd_to_btd(dx, ws->dx, B, T, D);
  return NN_OK;
}
