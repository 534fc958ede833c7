/* GRU kernel: naive double reference of the convention in gru.h, gradient
 * checks over T >= 5 steps, a hand-computed 2-step example. */
#include "gru.h"
#include "rec_check.h"

typedef struct {
  int B, T, D, H;
  bool all, h0;
  nn_gru_ws ws;
} gru_ctx;

#define P(name) rc_find(c, name)

static void gru_fwd(rc_cell *c, float *out) {
  gru_ctx *k = c->ctx;
  int rc = nn_gru_forward(&k->ws, out, k->all, P("x")->v,
                          k->h0 ? P("h0")->v : NULL, P("wx")->v, P("wh")->v,
                          P("b")->v, P("bhn")->v, k->B, k->T, k->D, k->H);
  CHECK(rc == 0);
}

static void gru_bwd(rc_cell *c, const float *dout) {
  gru_ctx *k = c->ctx;
  int rc = nn_gru_backward(&k->ws, P("x")->g, k->h0 ? P("h0")->g : NULL,
                           P("wx")->g, P("wh")->g, P("b")->g, P("bhn")->g,
                           dout, P("wx")->v, P("wh")->v);
  CHECK(rc == 0);
}

static double sigm(double v) { return 1.0 / (1.0 + exp(-v)); }

/* The equations of gru.h, element by element in double. */
static void gru_ref(rc_cell *c, double *out) {
  gru_ctx *k = c->ctx;
  int B = k->B, T = k->T, D = k->D, H = k->H, G = 3 * H;
  const double *x = P("x")->d, *wx = P("wx")->d, *wh = P("wh")->d,
               *b = P("b")->d, *bhn = P("bhn")->d;
  double h[64], ax[192], ah[192];
  for (int s = 0; s < B; s++) {
    for (int j = 0; j < H; j++) h[j] = k->h0 ? P("h0")->d[s * H + j] : 0;
    for (int t = 0; t < T; t++) {
      for (int g = 0; g < G; g++) {
        ax[g] = b[g];
        ah[g] = g >= 2 * H ? bhn[g - 2 * H] : 0;
        for (int i = 0; i < D; i++) ax[g] += x[(s * T + t) * D + i] * wx[i * G + g];
        for (int i = 0; i < H; i++) ah[g] += h[i] * wh[i * G + g];
      }
      for (int j = 0; j < H; j++) {
        double z = sigm(ax[j] + ah[j]), r = sigm(ax[H + j] + ah[H + j]);
        double n = tanh(ax[2 * H + j] + r * ah[2 * H + j]);
        h[j] = (1 - z) * h[j] + z * n;
      }
      if (k->all)
        for (int j = 0; j < H; j++) out[(s * T + t) * H + j] = h[j];
    }
    if (!k->all)
      for (int j = 0; j < H; j++) out[s * H + j] = h[j];
  }
}

static double run_config(int B, int T, int D, int H, bool all, bool h0) {
  gru_ctx k = {B, T, D, H, all, h0, {0}};
  nn_gru_ws_init(&k.ws);
  rc_cell c = {0};
  c.ctx = &k;
  c.fwd = gru_fwd, c.bwd = gru_bwd, c.ref = gru_ref;
  c.nout = all ? B * T * H : B * H;
  rc_add(&c, "wx", D * 3 * H, 0.8);
  rc_add(&c, "wh", H * 3 * H, 0.6);
  rc_add(&c, "b", 3 * H, 0.4);
  rc_add(&c, "bhn", H, 0.4);
  rc_add(&c, "x", B * T * D, 1.0);
  if (h0) rc_add(&c, "h0", B * H, 0.5);
  char label[64];
  snprintf(label, sizeof label, "T=%d %s%s", T, all ? "all" : "last",
           h0 ? " h0" : "");
  double e = rc_check_all(&c, label);
  rc_free(&c);
  nn_gru_ws_free(&k.ws);
  return e;
}

/* B=1, D=1, H=1, T=2, x = (1, -2), h0 = 0, blocks z, r, n:
 * wx = (0.5, -0.5, 1), wh = (0.1, 0.2, -0.3), b = (0, 0.5, 0.1), bhn = 0.2
 * t=1: z = s(0.5) = 0.62245933, r = s(0) = 0.5, hn = 0.2,
 *      n = tanh(1.1 + 0.5*0.2) = tanh(1.2) = 0.83365461, h1 = z*n = 0.51891609
 * t=2: z = s(-1 + 0.1 h1) = 0.27926540, r = s(1 + 0.2 h1 + 0.5) = 0.83254648,
 *      hn = -0.3 h1 + 0.2 = 0.04432517, n = tanh(-2 + 0.1 + r*hn) = -0.95296419
 *      h2 = (1-z) h1 + z n = 0.10787085 */
static void hand_example(void) {
  nn_gru_ws ws;
  nn_gru_ws_init(&ws);
  float wx[3] = {0.5f, -0.5f, 1.0f}, wh[3] = {0.1f, 0.2f, -0.3f},
        b[3] = {0, 0.5f, 0.1f}, bhn = 0.2f, x[2] = {1, -2}, h[2];
  CHECK(nn_gru_forward(&ws, h, true, x, NULL, wx, wh, b, &bhn, 1, 2, 1, 1) ==
        0);
  CHECK_NEAR(h[0], 0.51891609, 1e-6);
  CHECK_NEAR(h[1], 0.10787085, 1e-6);
  CHECK_NEAR(ws.gates[3 + 0], 0.27926540, 1e-6); /* z at t=2 */
  CHECK_NEAR(ws.gates[3 + 1], 0.83254648, 1e-6); /* r at t=2 */
  nn_gru_ws_free(&ws);
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
  printf("gru: worst gradient rel.err vs double reference %.2e\n", worst);
  hand_example();
  return check_summary("test_gru");
}
