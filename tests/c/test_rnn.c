/* Tanh RNN kernel: naive double reference, gradient checks over T >= 5
 * steps, a hand-computed 2-step example, workspace reuse. */
#include "rec_check.h"
#include "rnn.h"

typedef struct {
  int B, T, D, H;
  bool all, h0;
  nn_rnn_ws ws;
} rnn_ctx;

#define P(name) rc_find(c, name)

static void rnn_fwd(rc_cell *c, float *out) {
  rnn_ctx *k = c->ctx;
  int rc = nn_rnn_forward(&k->ws, out, k->all, P("x")->v,
                          k->h0 ? P("h0")->v : NULL, P("wx")->v, P("wh")->v,
                          P("b")->v, k->B, k->T, k->D, k->H);
  CHECK(rc == 0);
}

static void rnn_bwd(rc_cell *c, const float *dout) {
  rnn_ctx *k = c->ctx;
  int rc = nn_rnn_backward(&k->ws, P("x")->g, k->h0 ? P("h0")->g : NULL,
                           P("wx")->g, P("wh")->g, P("b")->g, dout,
                           P("wx")->v, P("wh")->v);
  CHECK(rc == 0);
}

/* h_t = tanh(x_t wx + h_{t-1} wh + b), element by element. */
static void rnn_ref(rc_cell *c, double *out) {
  rnn_ctx *k = c->ctx;
  int B = k->B, T = k->T, D = k->D, H = k->H;
  const double *x = P("x")->d, *wx = P("wx")->d, *wh = P("wh")->d,
               *b = P("b")->d;
  double h[64], hn[64];
  for (int s = 0; s < B; s++) {
    for (int j = 0; j < H; j++) h[j] = k->h0 ? P("h0")->d[s * H + j] : 0;
    for (int t = 0; t < T; t++) {
      for (int j = 0; j < H; j++) {
        double a = b[j];
        for (int i = 0; i < D; i++) a += x[(s * T + t) * D + i] * wx[i * H + j];
        for (int i = 0; i < H; i++) a += h[i] * wh[i * H + j];
        hn[j] = tanh(a);
      }
      memcpy(h, hn, sizeof h);
      if (k->all)
        for (int j = 0; j < H; j++) out[(s * T + t) * H + j] = h[j];
    }
    if (!k->all)
      for (int j = 0; j < H; j++) out[s * H + j] = h[j];
  }
}

static double run_config(int B, int T, int D, int H, bool all, bool h0) {
  rnn_ctx k = {B, T, D, H, all, h0, {0}};
  nn_rnn_ws_init(&k.ws);
  rc_cell c = {0};
  c.ctx = &k;
  c.fwd = rnn_fwd, c.bwd = rnn_bwd, c.ref = rnn_ref;
  c.nout = all ? B * T * H : B * H;
  rc_add(&c, "wx", D * H, 0.8);
  rc_add(&c, "wh", H * H, 0.6);
  rc_add(&c, "b", H, 0.3);
  rc_add(&c, "x", B * T * D, 1.0);
  if (h0) rc_add(&c, "h0", B * H, 0.5);
  char label[64];
  snprintf(label, sizeof label, "T=%d %s%s", T, all ? "all" : "last",
           h0 ? " h0" : "");
  double e = rc_check_all(&c, label);
  rc_free(&c);
  nn_rnn_ws_free(&k.ws);
  return e;
}

/* B=1, D=1, H=1, T=2: wx=0.5, wh=-1, b=0.1, x=(1, 2), h0=0.
 *   h1 = tanh(0.5*1 + 0.1)              = tanh(0.6)      = 0.53704957
 *   h2 = tanh(0.5*2 - 0.53704957 + 0.1) = tanh(0.56295043) = 0.51016325
 * and with h0 = 0.2: h1 = tanh(0.4) = 0.37994896,
 *   h2 = tanh(1.1 - 0.37994896) = tanh(0.72005104) = 0.61694092 */
static void hand_example(void) {
  nn_rnn_ws ws;
  nn_rnn_ws_init(&ws);
  float wx = 0.5f, wh = -1.0f, b = 0.1f, x[2] = {1, 2}, h[2], h0 = 0.2f;
  CHECK(nn_rnn_forward(&ws, h, true, x, NULL, &wx, &wh, &b, 1, 2, 1, 1) == 0);
  CHECK_NEAR(h[0], 0.53704957, 1e-6);
  CHECK_NEAR(h[1], 0.51016325, 1e-6);
  CHECK(nn_rnn_forward(&ws, h, true, x, &h0, &wx, &wh, &b, 1, 2, 1, 1) == 0);
  CHECK_NEAR(h[0], 0.37994896, 1e-6);
  CHECK_NEAR(h[1], 0.61694092, 1e-6);
  nn_rnn_ws_free(&ws);
}

/* Backward before any forward is an error, not a crash. */
static void misuse(void) {
  nn_rnn_ws ws;
  nn_rnn_ws_init(&ws);
  float g = 0;
  CHECK(nn_rnn_backward(&ws, NULL, NULL, &g, &g, &g, &g, &g, &g) != 0);
  float o;
  CHECK(nn_rnn_forward(&ws, &o, false, &g, NULL, &g, &g, &g, 0, 1, 1, 1) != 0);
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
    e = run_config(2, 7, 3, 4, true, true), worst = e > worst ? e : worst;
    /* D > 8 takes the BLAS path of recurrent.c instead of the fused loops */
    e = run_config(2, 5, 10, 3, false, true), worst = e > worst ? e : worst;
  }
  nn_rec_set_gemm(NN_REC_GEMM_AUTO);
  printf("rnn: worst gradient rel.err vs double reference %.2e\n", worst);
  hand_example();
  misuse();
  return check_summary("test_rnn");
}
