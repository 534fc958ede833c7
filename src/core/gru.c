#include "gru.h"

#include <string.h>

#include "error.h"
#include "fast_tanh.h"

void nn_gru_ws_init(nn_gru_ws *ws) { memset(ws, 0, sizeof *ws); }

void nn_gru_ws_free(nn_gru_ws *ws) {
  nn_rec_arena_free(&ws->arena);
  nn_gru_ws_init(ws);
}

static int gru_layout(nn_gru_ws *ws, int B, int T, int D, int H) {
  size_t b = (size_t)B, d = (size_t)D, h = (size_t)H; /* shapes checked > 0 */
  size_t TB = (size_t)T * b, BH = b * h, nx = nn_rec_pad(TB * d),
         ng = nn_rec_pad(TB * 3 * h), nn = nn_rec_pad(TB * h),
         ns = nn_rec_pad(TB * h + BH), nsc = nn_rec_pad(3 * BH),
         nb = nn_rec_pad(BH), nw = nn_rec_pad(nn_rec_packed_wh(H, 3 * H));
  NN_TRY(nn_rec_arena_reserve(&ws->arena,
                              2 * nx + 3 * ng + nn + ns + nsc + nb + nw));
  float *p = ws->arena.mem;
  ws->x = p, p += nx;
  ws->gates = p, p += ng;
  ws->hn = p, p += nn;
  ws->h = p, p += ns;
  ws->gh = p, p += nsc;
  ws->dgx = p, p += ng;
  ws->dgh = p, p += ng;
  ws->dh = p, p += nb;
  ws->dx = p, p += nx;
  ws->wp = p;
  ws->B = B, ws->T = T, ws->D = D, ws->H = H;
  return NN_OK;
}

/* One step of one sequence.  g: input projections (3H) in, activated
 * z, r, n out; gh: h_{t-1}.wh (3H); hn receives the candidate's recurrent
 * term; hp -> h. */
static void gru_step(float *restrict g, const float *restrict gh,
                     const float *restrict bhn, float *restrict hn,
                     const float *restrict hp, float *restrict h, int H) {
  for (int j = 0; j < H; j++) {
    float z = nn_sigmoid_fast(g[j] + gh[j]);
    float r = nn_sigmoid_fast(g[H + j] + gh[H + j]);
    float rn = gh[2 * H + j] + bhn[j];
    float n = nn_tanh_fast(g[2 * H + j] + r * rn);
    g[j] = z, g[H + j] = r, g[2 * H + j] = n, hn[j] = rn;
    h[j] = hp[j] + z * (n - hp[j]);
  }
}

int nn_gru_forward(nn_gru_ws *ws, float *out, bool all, const float *x,
                   const float *h0, const float *wx, const float *wh,
                   const float *b, const float *bhn, int B, int T, int D,
                   int H) {
  NN_REQUIRE(B > 0 && T > 0 && D > 0 && H > 0,
             "gru: bad shape B=%d T=%d D=%d H=%d", B, T, D, H);
  NN_TRY(gru_layout(ws, B, T, D, H));
  ws->all = all;
  ptrdiff_t BH = (ptrdiff_t)B * H, BG = 3 * BH;
  nn_rec_btd_to_tbd(ws->x, x, B, T, D);
  if (h0)
    memcpy(ws->h, h0, (size_t)BH * sizeof(float));
  else
    memset(ws->h, 0, (size_t)BH * sizeof(float));
  nn_rec_input_proj(ws->gates, ws->x, wx, b, T * B, D, 3 * H);
  nn_rec_wmul wm;
  nn_rec_wmul_init(&wm, ws->wp, wh, H, 3 * H, false);
  for (int t = 0; t < T; t++) {
    float *g = ws->gates + t * BG, *hp = ws->h + t * BH;
    if (t > 0 || h0)
      nn_rec_wmul_run(&wm, B, hp, false, ws->gh);
    else /* h_0 = 0: no product needed */
      memset(ws->gh, 0, (size_t)BG * sizeof(float));
    for (int bi = 0; bi < B; bi++)
      gru_step(g + (ptrdiff_t)bi * 3 * H, ws->gh + (ptrdiff_t)bi * 3 * H, bhn,
               ws->hn + t * BH + bi * H, hp + bi * H, hp + BH + bi * H, H);
  }
  if (all)
    nn_rec_tbd_to_btd(out, ws->h + BH, B, T, H);
  else
    memcpy(out, ws->h + T * BH, (size_t)BH * sizeof(float));
  return NN_OK;
}

/* Backward through one step of one sequence.  dh: gradient of the loss
 * with respect to h_t, replaced by the part of the gradient of h_{t-1}
 * that bypasses wh (the (1-z) path); the caller adds dgh.wh^T.  Writes the
 * input-side and recurrent-side pre-activation gradients, which differ in
 * the candidate block by the factor r. */
static void gru_step_back(float *restrict dgx, float *restrict dgh,
                          float *restrict dh, const float *restrict g,
                          const float *restrict hn, const float *restrict hp,
                          int H) {
  for (int j = 0; j < H; j++) {
    float d = dh[j];
    float z = g[j], r = g[H + j], n = g[2 * H + j];
    float dz = d * (n - hp[j]) * z * (1.0f - z);
    float dn = d * z * (1.0f - n * n);
    float dr = dn * hn[j] * r * (1.0f - r);
    dgx[j] = dgh[j] = dz;
    dgx[H + j] = dgh[H + j] = dr;
    dgx[2 * H + j] = dn;
    dgh[2 * H + j] = dn * r;
    dh[j] = d * (1.0f - z);
  }
}

int nn_gru_backward(nn_gru_ws *ws, float *dx, float *dh0, float *dwx,
                    float *dwh, float *db, float *dbhn, const float *dout,
                    const float *wx, const float *wh) {
  NN_REQUIRE(ws->B > 0, "gru: backward without a forward");
  int B = ws->B, T = ws->T, D = ws->D, H = ws->H;
  ptrdiff_t BH = (ptrdiff_t)B * H, BG = 3 * BH;
  nn_rec_wmul wm;
  nn_rec_wmul_init(&wm, ws->wp, wh, H, 3 * H, true);
  if (ws->all)
    memset(ws->dh, 0, (size_t)BH * sizeof(float));
  else
    memcpy(ws->dh, dout, (size_t)BH * sizeof(float));
  for (int t = T - 1; t >= 0; t--) {
    float *dgx = ws->dgx + t * BG, *dgh = ws->dgh + t * BG;
    const float *g = ws->gates + t * BG, *hn = ws->hn + t * BH,
                *hp = ws->h + t * BH;
    if (ws->all) nn_rec_add_step(ws->dh, dout, B, T, t, H);
    for (int bi = 0; bi < B; bi++)
      gru_step_back(dgx + (ptrdiff_t)bi * 3 * H, dgh + (ptrdiff_t)bi * 3 * H,
                    ws->dh + bi * H, g + (ptrdiff_t)bi * 3 * H, hn + bi * H,
                    hp + bi * H, H);
    if (t > 0 || dh0)
      nn_rec_wmul_run(&wm, B, dgh, true, ws->dh);
  }
  if (dh0) memcpy(dh0, ws->dh, (size_t)BH * sizeof(float));
  nn_rec_weight_grads(dwx, dwh, db, dx ? ws->dx : NULL, ws->x, ws->h, ws->dgx,
                      ws->dgh, wx, T * B, D, H, 3 * H);
  nn_rec_colsum(dbhn, ws->dgh + 2 * H, T * B, H, 3 * H);
  if (dx) nn_rec_tbd_to_btd(dx, ws->dx, B, T, D);
  return NN_OK;
}
