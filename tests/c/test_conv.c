/* Convolution, pooling and group norm kernels: hand-computed values, the
 * im2col/sgemm path equal to the direct loops on odd shapes, im2col and
 * col2im adjoint, numerical gradient checks, geometry errors. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "conv2d.h"
#include "error.h"
#include "gradcheck.h"
#include "groupnorm.h"
#include "pool2d.h"

#define TOL 1e-2

static size_t in_size(const nn_conv2d_geom *g) { return (size_t)g->N * g->C * g->H * g->W; }
static size_t out_size(const nn_conv2d_geom *g) { return (size_t)g->N * g->OC * g->OH * g->OW; }
static size_t w_size(const nn_conv2d_geom *g) { return (size_t)g->OC * g->C * g->KH * g->KW; }

static void test_conv_hand(void) {
  /* x = [[1 2 3],[4 5 6],[7 8 9]], kernel [[1 0],[0 -1]], bias 0.5:
   * out[i][j] = x[i][j] - x[i+1][j+1] + 0.5 = -4 + 0.5 everywhere. */
  nn_conv2d_geom g = {.N = 1, .C = 1, .H = 3, .W = 3, .OC = 1, .KH = 2, .KW = 2, .SH = 1, .SW = 1};
  CHECK(nn_conv2d_geometry(&g) == NN_OK);
  CHECK(g.OH == 2 && g.OW == 2);
  float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w[4] = {1, 0, 0, -1}, b = 0.5f, y[4], ws[64];
  CHECK(nn_conv2d_workspace(&g) <= 64);
  nn_conv2d_forward(y, x, w, &b, &g, ws);
  for (int i = 0; i < 4; i++) CHECK_NEAR(y[i], -3.5, 1e-6);
  /* Padding 1, stride 2: windows at (-1,-1), (-1,1), (1,-1), (1,1);
   * out = x[r][c] - x[r+1][c+1] with out-of-range reads 0. */
  g.PH = g.PW = 1;
  g.SH = g.SW = 2;
  CHECK(nn_conv2d_geometry(&g) == NN_OK);
  CHECK(g.OH == 2 && g.OW == 2);
  CHECK(nn_conv2d_workspace(&g) <= 64);
  nn_conv2d_forward(y, x, w, NULL, &g, ws);
  CHECK_NEAR(y[0], 0 - 1, 1e-6);
  CHECK_NEAR(y[1], 0 - 3, 1e-6);
  CHECK_NEAR(y[2], 0 - 7, 1e-6);
  CHECK_NEAR(y[3], 5 - 9, 1e-6);
}

/* Fast and direct forward and backward on the same random data agree.
 * The direct loops sum in double, sgemm in float: with max_rel_diff's floor
 * of 1e-3 of the largest value, rounding stays below ~3e-5 here, while an
 * indexing error shows as O(1). */
static void compare_paths(nn_conv2d_geom g, int with_bias) {
  CHECK(nn_conv2d_geometry(&g) == NN_OK);
  size_t ni = in_size(&g), no = out_size(&g), nw = w_size(&g);
  float *x = malloc(ni * 4), *w = malloc(nw * 4), *b = malloc(g.OC * 4), *dy = malloc(no * 4);
  float *y1 = malloc(no * 4), *y2 = malloc(no * 4), *dx1 = malloc(ni * 4), *dx2 = malloc(ni * 4);
  float *dw1 = calloc(nw, 4), *dw2 = calloc(nw, 4), *db1 = calloc(g.OC, 4), *db2 = calloc(g.OC, 4);
  float *ws = malloc((nn_conv2d_workspace(&g) + 1) * 4);
  gc_fill(x, ni, -1, 1);
  gc_fill(w, nw, -1, 1);
  gc_fill(b, g.OC, -1, 1);
  gc_fill(dy, no, -1, 1);
  float *bp = with_bias ? b : NULL;
  nn_conv2d_forward_direct(y1, x, w, bp, &g);
  nn_conv2d_forward(y2, x, w, bp, &g, ws);
  CHECK(max_rel_diff(y2, y1, no) < 1e-4);
  nn_conv2d_backward_direct(dx1, dw1, with_bias ? db1 : NULL, dy, x, w, &g);
  nn_conv2d_backward(dx2, dw2, with_bias ? db2 : NULL, dy, x, w, &g, ws);
  CHECK(max_rel_diff(dx2, dx1, ni) < 1e-4);
  CHECK(max_rel_diff(dw2, dw1, nw) < 1e-4);
  if (with_bias) CHECK(max_rel_diff(db2, db1, g.OC) < 1e-4);
  /* Without the input gradient the parameter gradients are the same. */
  memset(dw2, 0, nw * 4);
  nn_conv2d_backward(NULL, dw2, NULL, dy, x, w, &g, ws);
  CHECK(max_rel_diff(dw2, dw1, nw) < 1e-4);
  free(x), free(w), free(b), free(dy), free(y1), free(y2), free(dx1), free(dx2);
  free(dw1), free(dw2), free(db1), free(db2), free(ws);
}

static void test_conv_paths(void) {
  /* batch 1, cin 3, non-square 7x5, stride 2, pad 1, 3x3 */
  compare_paths((nn_conv2d_geom){.N = 1, .C = 3, .H = 7, .W = 5, .OC = 4, .KH = 3, .KW = 3,
                                 .SH = 2, .SW = 2, .PH = 1, .PW = 1}, 1);
  /* non-square kernel and strides, padding on one axis only */
  compare_paths((nn_conv2d_geom){.N = 2, .C = 2, .H = 6, .W = 9, .OC = 3, .KH = 2, .KW = 4,
                                 .SH = 1, .SW = 3, .PH = 0, .PW = 2}, 0);
  /* 7x7 pad 3 as in the ConvNet, stride 1; in chunks of 2 samples (the
   * last one partial) and in one chunk */
  compare_paths((nn_conv2d_geom){.N = 3, .C = 1, .H = 8, .W = 8, .OC = 5, .KH = 7, .KW = 7,
                                 .SH = 1, .SW = 1, .PH = 3, .PW = 3, .chunk = 2}, 1);
  compare_paths((nn_conv2d_geom){.N = 3, .C = 1, .H = 8, .W = 8, .OC = 5, .KH = 7, .KW = 7,
                                 .SH = 1, .SW = 1, .PH = 3, .PW = 3}, 1);
  /* stride 2, pad 1, one sample per chunk */
  compare_paths((nn_conv2d_geom){.N = 3, .C = 2, .H = 5, .W = 7, .OC = 3, .KH = 3, .KW = 3,
                                 .SH = 2, .SW = 2, .PH = 1, .PW = 1, .chunk = 1}, 1);
  /* 1x1 kernel */
  compare_paths((nn_conv2d_geom){.N = 2, .C = 4, .H = 3, .W = 5, .OC = 3, .KH = 1, .KW = 1,
                                 .SH = 1, .SW = 1}, 1);
  /* kernel as large as the padded input: one output */
  compare_paths((nn_conv2d_geom){.N = 2, .C = 2, .H = 3, .W = 4, .OC = 2, .KH = 5, .KW = 4,
                                 .SH = 3, .SW = 1, .PH = 1, .PW = 0}, 1);
}

/* <col2im(c), x> = <c, im2col(x)>: col2im is im2col's adjoint. */
static void test_im2col_adjoint(void) {
  nn_conv2d_geom g = {.N = 1, .C = 2, .H = 5, .W = 6, .OC = 1, .KH = 3, .KW = 2,
                      .SH = 2, .SW = 3, .PH = 1, .PW = 1};
  CHECK(nn_conv2d_geometry(&g) == NN_OK);
  /* one sample's col, with a row stride wider than OH*OW as in a chunk */
  size_t ni = (size_t)g.C * g.H * g.W, P = (size_t)g.OH * g.OW, ld = P + 5;
  size_t nc = (size_t)g.C * g.KH * g.KW * ld;
  float x[60], img[60], *col = malloc(nc * 4), *c = malloc(nc * 4);
  gc_fill(x, ni, -1, 1);
  gc_fill(c, nc, -1, 1);
  gc_fill(col, nc, -1, 1); /* the gaps between rows keep their values */
  nn_im2col(col, ld, x, &g);
  nn_col2im(img, c, ld, &g);
  double lhs = gc_dot(img, x, ni), rhs = 0;
  for (size_t r = 0; r < nc / ld; r++) rhs += gc_dot(c + r * ld, col + r * ld, P);
  CHECK_NEAR(lhs, rhs, 1e-5);
  free(col), free(c);
}

/* Numerical check of the fast path. */
static nn_conv2d_geom cg = {.N = 2, .C = 2, .H = 5, .W = 4, .OC = 3, .KH = 3, .KW = 2,
                            .SH = 2, .SW = 1, .PH = 1, .PW = 1};
static float c_x[80], c_w[36], c_b[3], c_y[128], c_r[128], c_ws[512];
static double conv_obj(void *ctx) {
  (void)ctx;
  nn_conv2d_forward(c_y, c_x, c_w, c_b, &cg, c_ws);
  return gc_dot(c_y, c_r, out_size(&cg));
}

static void test_conv_gradcheck(void) {
  CHECK(nn_conv2d_geometry(&cg) == NN_OK);
  CHECK(out_size(&cg) <= 128 && nn_conv2d_workspace(&cg) <= 512);
  gc_fill(c_x, in_size(&cg), -1, 1);
  gc_fill(c_w, w_size(&cg), -1, 1);
  gc_fill(c_b, 3, -1, 1);
  gc_fill(c_r, out_size(&cg), -1, 1);
  float dx[80], dw[36] = {0}, db[3] = {0};
  nn_conv2d_backward(dx, dw, db, c_r, c_x, c_w, &cg, c_ws);
  CHECK(gc_max_rel_error(c_x, dx, in_size(&cg), conv_obj, NULL, 1e-2f) < TOL);
  CHECK(gc_max_rel_error(c_w, dw, w_size(&cg), conv_obj, NULL, 1e-2f) < TOL);
  CHECK(gc_max_rel_error(c_b, db, 3, conv_obj, NULL, 1e-2f) < TOL);
}

static void test_conv_errors(void) {
  nn_conv2d_geom g = {.N = 1, .C = 1, .H = 3, .W = 4, .OC = 1, .KH = 7, .KW = 7,
                      .SH = 1, .SW = 1, .PH = 1, .PW = 1};
  CHECK(nn_conv2d_geometry(&g) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "kernel 7x7 is larger than the padded input 5x6") != NULL);
  g.KH = g.KW = 3;
  g.SH = 0;
  CHECK(nn_conv2d_geometry(&g) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "stride must be positive") != NULL);
}

/* --- pooling ----------------------------------------------------------------- */

static void test_maxpool(void) {
  /* 2x2 windows, stride 2 over a 3x4 plane (the last row is dropped):
   * ties go to the first element in row-major order. */
  float x[12] = {1, 5, 2, 2, 5, 3, 2, 0, 9, 9, 9, 9}, y[2], dx[12];
  int32_t am[2];
  nn_pool2d_geom g = {.N = 1, .C = 1, .H = 3, .W = 4, .KH = 2, .KW = 2, .SH = 2, .SW = 2};
  CHECK(nn_pool2d_geometry(&g) == NN_OK);
  CHECK(g.OH == 1 && g.OW == 2);
  nn_maxpool2d_forward(y, am, x, &g);
  CHECK(y[0] == 5 && y[1] == 2);
  CHECK(am[0] == 1 && am[1] == 2); /* (0,1) before (1,0); (0,2) before (0,3), (1,2) */
  float dy[2] = {10, 20};
  nn_maxpool2d_backward(dx, dy, am, &g);
  float want[12] = {0, 10, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  CHECK(memcmp(dx, want, sizeof want) == 0);
  /* Overlapping windows (3x3 stride 1, pad 1) accumulate at a shared max,
   * and the padding never wins even when everything is negative. */
  float n[4] = {-4, -1, -3, -2}, ny[4], ndx[4];
  int32_t nam[4];
  nn_pool2d_geom h = {.N = 1, .C = 1, .H = 2, .W = 2, .KH = 3, .KW = 3, .SH = 1, .SW = 1,
                      .PH = 1, .PW = 1};
  CHECK(nn_pool2d_geometry(&h) == NN_OK);
  nn_maxpool2d_forward(ny, nam, n, &h);
  for (int i = 0; i < 4; i++) CHECK(ny[i] == -1);
  float ones[4] = {1, 1, 1, 1};
  nn_maxpool2d_backward(ndx, ones, nam, &h);
  CHECK(ndx[1] == 4 && ndx[0] == 0);
  h.PH = 2;
  CHECK(nn_pool2d_geometry(&h) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "at most half the window") != NULL);
}

static nn_pool2d_geom ag = {.N = 2, .C = 2, .H = 5, .W = 4, .KH = 3, .KW = 2, .SH = 2, .SW = 1,
                            .PH = 1, .PW = 1};
static float a_x[80], a_y[80], a_r[80];
static double avg_obj(void *ctx) {
  (void)ctx;
  nn_avgpool2d_forward(a_y, a_x, &ag);
  return gc_dot(a_y, a_r, (size_t)ag.N * ag.C * ag.OH * ag.OW);
}

static void test_avgpool(void) {
  float x[4] = {1, 2, 3, 6}, y[9];
  nn_pool2d_geom g = {.N = 1, .C = 1, .H = 2, .W = 2, .KH = 2, .KW = 2, .SH = 2, .SW = 2};
  CHECK(nn_pool2d_geometry(&g) == NN_OK);
  nn_avgpool2d_forward(y, x, &g);
  CHECK_NEAR(y[0], 3, 1e-6);
  /* padding counts as zeros: a 2x2 window at (-1,-1) holds only x[0][0] */
  g.PH = g.PW = 1;
  g.SH = g.SW = 1;
  CHECK(nn_pool2d_geometry(&g) == NN_OK);
  CHECK(g.OH == 3 && g.OW == 3);
  nn_avgpool2d_forward(y, x, &g);
  CHECK_NEAR(y[0], 0.25, 1e-6);

  CHECK(nn_pool2d_geometry(&ag) == NN_OK);
  size_t no = (size_t)ag.N * ag.C * ag.OH * ag.OW;
  CHECK(no <= 80);
  gc_fill(a_x, 80, -1, 1);
  gc_fill(a_r, no, -1, 1);
  float dx[80];
  nn_avgpool2d_backward(dx, a_r, &ag);
  CHECK(gc_max_rel_error(a_x, dx, 80, avg_obj, NULL, 1e-2f) < TOL);
}

/* --- group norm ---------------------------------------------------------------- */
enum { GN = 2, GC = 6, GS = 3, GG = 3 };
static float g_x[GN * GC * GS], g_y[GN * GC * GS], g_r[GN * GC * GS], g_g[GC], g_b[GC];
static float g_mean[GN * GG], g_rstd[GN * GG];
static double gn_obj(void *ctx) {
  (void)ctx;
  nn_groupnorm_forward(g_y, g_mean, g_rstd, g_x, g_g, g_b, GN, GC, GS, GG, 1e-5f);
  return gc_dot(g_y, g_r, GN * GC * GS);
}

static void test_groupnorm(void) {
  gc_fill(g_x, GN * GC * GS, -2, 3);
  gc_fill(g_r, GN * GC * GS, -1, 1);
  for (int c = 0; c < GC; c++) g_g[c] = 1, g_b[c] = 0;
  gn_obj(NULL);
  /* With gamma 1, beta 0 each (sample, group) of 2 channels x 3 positions
   * has mean 0 and (biased) variance 1. */
  for (int blk = 0; blk < GN * GG; blk++) {
    double s = 0, q = 0;
    for (int k = 0; k < 6; k++) s += g_y[blk * 6 + k];
    for (int k = 0; k < 6; k++) q += g_y[blk * 6 + k] * g_y[blk * 6 + k];
    CHECK_NEAR(s / 6, 0, 1e-5);
    CHECK_NEAR(q / 6, 1, 1e-3);
  }
  gc_fill(g_g, GC, 0.5f, 1.5f);
  gc_fill(g_b, GC, -1, 1);
  gn_obj(NULL);
  float dx[GN * GC * GS], dg[GC] = {0}, db[GC] = {0};
  nn_groupnorm_backward(dx, dg, db, g_r, g_x, g_g, g_mean, g_rstd, GN, GC, GS, GG);
  CHECK(gc_max_rel_error(g_x, dx, GN * GC * GS, gn_obj, NULL, 1e-2f) < TOL);
  CHECK(gc_max_rel_error(g_g, dg, GC, gn_obj, NULL, 1e-2f) < TOL);
  CHECK(gc_max_rel_error(g_b, db, GC, gn_obj, NULL, 1e-2f) < TOL);
}

int main(void) {
  test_conv_hand();
  test_conv_paths();
  test_im2col_adjoint();
  test_conv_gradcheck();
  test_conv_errors();
  test_maxpool();
  test_avgpool();
  test_groupnorm();
  return check_summary("test_conv");
}
