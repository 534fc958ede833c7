/* LSTM kernel: naive double reference, gradient checks over T >= 5 steps,
 * a hand-computed 2-step example, workspace reuse across batch sizes. */
#include "lstm.h"
#include "rec_check.h"

typedef struct {
  int B, T, D, H;
  bool all, s0; /* s0: initial h0 and c0 given */
  nn_lstm_ws ws;
} lstm_ctx;

#define P(name) rc_find(c, name)

static void lstm_fwd(rc_cell *c, float *out) {
  lstm_ctx *k = c->ctx;
  int rc = nn_lstm_forward(&k->ws, out, k->all, P("x")->v,
                           k->s0 ? P("h0")->v : NULL, k->s0 ? P("c0")->v : NULL,
                           P("wx")->v, P("wh")->v, P("b")->v, k->B, k->T, k->D,
                           k->H);
  CHECK(rc == 0);
}

static void lstm_bwd(rc_cell *c, const float *dout) {
  lstm_ctx *k = c->ctx;
  int rc = nn_lstm_backward(&k->ws, P("x")->g, k->s0 ? P("h0")->g : NULL,
                            k->s0 ? P("c0")->g : NULL, P("wx")->g, P("wh")->g,
                            P("b")->g, dout, P("wx")->v, P("wh")->v);
  CHECK(rc == 0);
}

static double sigm(double v) { return 1.0 / (1.0 + exp(-v)); }

/* The equations of lstm.h, element by element in double. */
static void lstm_ref(rc_cell *c, double *out) {
  lstm_ctx *k = c->ctx;
  int B = k->B, T = k->T, D = k->D, H = k->H, G = 4 * H;
  const double *x = P("x")->d, *wx = P("wx")->d, *wh = P("wh")->d,
               *b = P("b")->d;
  double h[64], cs[64], a[256];
  for (int s = 0; s < B; s++) {
    for (int j = 0; j < H; j++) {
      h[j] = k->s0 ? P("h0")->d[s * H + j] : 0;
      cs[j] = k->s0 ? P("c0")->d[s * H + j] : 0;
    }
    for (int t = 0; t < T; t++) {
      for (int g = 0; g < G; g++) {
        a[g] = b[g];
        for (int i = 0; i < D; i++) a[g] += x[(s * T + t) * D + i] * wx[i * G + g];
        for (int i = 0; i < H; i++) a[g] += h[i] * wh[i * G + g];
      }
      for (int j = 0; j < H; j++) {
        double ig = sigm(a[j]), fg = sigm(a[H + j]), gg = tanh(a[2 * H + j]),
               og = sigm(a[3 * H + j]);
        cs[j] = fg * cs[j] + ig * gg;
        h[j] = og * tanh(cs[j]);
      }
      if (k->all)
        for (int j = 0; j < H; j++) out[(s * T + t) * H + j] = h[j];
    }
    if (!k->all)
      for (int j = 0; j < H; j++) out[s * H + j] = h[j];
  }
}

static double run_config(int B, int T, int D, int H, bool all, bool s0) {
  lstm_ctx k = {B, T, D, H, all, s0, {0}};
  nn_lstm_ws_init(&k.ws);
  rc_cell c = {0};
  c.ctx = &k;
  c.fwd = lstm_fwd, c.bwd = lstm_bwd, c.ref = lstm_ref;
  c.nout = all ? B * T * H : B * H;
  rc_add(&c, "wx", D * 4 * H, 0.8);
  rc_add(&c, "wh", H * 4 * H, 0.6);
  rc_add(&c, "b", 4 * H, 0.4);
  rc_add(&c, "x", B * T * D, 1.0);
  if (s0) {
    rc_add(&c, "h0", B * H, 0.5);
    rc_add(&c, "c0", B * H, 0.8);
  }
  char label[64];
  snprintf(label, sizeof label, "T=%d %s%s", T, all ? "all" : "last",
           s0 ? " h0c0" : "");
  double e = rc_check_all(&c, label);
  rc_free(&c);
  nn_lstm_ws_free(&k.ws);
  return e;
}

/* B=1, D=1, H=1, T=2, x = (1, -2), h0 = c0 = 0,
 * wx = (0.5, -0.5, 1, 0.25), wh = (0.1, 0.2, -0.3, 0.4), b = (0, 0.5, 0, -0.1)
 * for the blocks i, f, g, o.
 * t=1: a = (0.5, 0, 1, 0.15): i = s(0.5) = 0.62245933, f = 0.5,
 *      g = tanh(1) = 0.76159416, o = s(0.15) = 0.53742985,
 *      c1 = i*g = 0.47406139, h1 = o*tanh(c1) = 0.23726184
 * t=2: a = (-1 + 0.1 h1, 1 + 0.2 h1 + 0.5, -2 - 0.3 h1, -0.5 + 0.4 h1 - 0.1)
 *        = (-0.97627382, 1.54745237, -2.07117855, -0.50509526)
 *      i = 0.27363177, f = 0.82454547, g = -0.96872607, o = 0.37634401
 *      c2 = f*c1 + i*g = 0.12581095, h2 = o*tanh(c2) = 0.04709995 */
static void hand_example(void) {
  nn_lstm_ws ws;
  nn_lstm_ws_init(&ws);
  float wx[4] = {0.5f, -0.5f, 1.0f, 0.25f}, wh[4] = {0.1f, 0.2f, -0.3f, 0.4f},
        b[4] = {0, 0.5f, 0, -0.1f}, x[2] = {1, -2}, h[2];
  CHECK(nn_lstm_forward(&ws, h, true, x, NULL, NULL, wx, wh, b, 1, 2, 1, 1) ==
        0);
  CHECK_NEAR(h[0], 0.23726184, 1e-6);
  CHECK_NEAR(h[1], 0.04709995, 1e-6);
  CHECK_NEAR(ws.c[1], 0.47406139, 1e-6);
  CHECK_NEAR(ws.c[2], 0.12581095, 1e-6);
  nn_lstm_ws_free(&ws);
}

/* One workspace through batches of different sizes (as a last, shorter
 * mini-batch) gives the same results as fresh workspaces. */
static void reuse(void) {
  int T = 5, D = 3, H = 6, G = 4 * H, Bs[3] = {4, 2, 7};
  float wx[3 * 24], wh[6 * 24], b[24], x[7 * 5 * 3], o1[7 * 6], o2[7 * 6];
  float g1[6 * 24], g2[6 * 24], d1[7 * 5 * 3], d2[7 * 5 * 3], dw[3 * 24],
      db[24];
  for (int i = 0; i < D * G; i++) wx[i] = (float)rc_uniform(0.5);
  for (int i = 0; i < H * G; i++) wh[i] = (float)rc_uniform(0.5);
  for (int i = 0; i < G; i++) b[i] = (float)rc_uniform(0.5);
  for (int i = 0; i < 7 * T * D; i++) x[i] = (float)rc_uniform(1);
  nn_lstm_ws shared;
  nn_lstm_ws_init(&shared);
  for (int r = 0; r < 3; r++) {
    int B = Bs[r];
    nn_lstm_ws fresh;
    nn_lstm_ws_init(&fresh);
    CHECK(nn_lstm_forward(&shared, o1, false, x, NULL, NULL, wx, wh, b, B, T,
                          D, H) == 0);
    CHECK(nn_lstm_forward(&fresh, o2, false, x, NULL, NULL, wx, wh, b, B, T, D,
                          H) == 0);
    memset(g1, 0, sizeof g1), memset(g2, 0, sizeof g2);
    CHECK(nn_lstm_backward(&shared, d1, NULL, NULL, dw, g1, db, o1, wx, wh) ==
          0);
    CHECK(nn_lstm_backward(&fresh, d2, NULL, NULL, dw, g2, db, o1, wx, wh) ==
          0);
    CHECK(memcmp(o1, o2, B * H * sizeof(float)) == 0);
    CHECK(memcmp(g1, g2, sizeof g1) == 0);
    CHECK(memcmp(d1, d2, B * T * D * sizeof(float)) == 0);
    nn_lstm_ws_free(&fresh);
  }
  nn_lstm_ws_free(&shared);
}

int main(void) {
  double worst = 0, e;
  /* both kernels of the per-step product (recurrent.h) */
  for (int mode = NN_REC_GEMM_PACKED; mode <= NN_REC_GEMM_BLAS; mode++) {
    nn_rec_set_gemm((nn_rec_gemm_mode)mode);
    printf("per-step product: %s\n",
           mode == NN_REC_GEMM_PACKED ? "packed kernel" : "cblas_sgemm");
    e = run_config(3, 6, 4, 5, true, false), worst = e > worst ? e : worst;
    e = run_config(3, 6, 4, 5, false, true), worst = e > worst ? e : worst;
    e = run_config(2, 8, 2, 3, true, true), worst = e > worst ? e : worst;
    /* D > 8 takes the BLAS path of recurrent.c instead of the fused loops */
    e = run_config(2, 5, 10, 3, false, true), worst = e > worst ? e : worst;
  }
  nn_rec_set_gemm(NN_REC_GEMM_AUTO);
  printf("lstm: worst gradient rel.err vs double reference %.2e\n", worst);
  hand_example();
  reuse();
  return check_summary("test_lstm");
}
