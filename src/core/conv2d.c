#include "conv2d.h"

#include <string.h>

#include "blas.h"
#include "error.h"

int nn_conv2d_geometry(nn_conv2d_geom *g) {
  NN_REQUIRE(g->N >= 0 && g->C > 0 && g->H > 0 && g->W > 0 && g->OC > 0 && g->KH > 0 &&
                 g->KW > 0,
             "sizes must be positive (input %dx%dx%dx%d, kernel %dx%d, %d outputs)", g->N,
             g->C, g->H, g->W, g->KH, g->KW, g->OC);
  NN_REQUIRE(g->SH > 0 && g->SW > 0, "stride must be positive, got %dx%d", g->SH, g->SW);
  NN_REQUIRE(g->PH >= 0 && g->PW >= 0, "padding must be >= 0, got %dx%d", g->PH, g->PW);
  int hp = g->H + 2 * g->PH, wp = g->W + 2 * g->PW;
  NN_REQUIRE(g->KH <= hp && g->KW <= wp,
             "kernel %dx%d is larger than the padded input %dx%d (input %dx%d, padding %dx%d)",
             g->KH, g->KW, hp, wp, g->H, g->W, g->PH, g->PW);
  g->OH = (hp - g->KH) / g->SH + 1;
  g->OW = (wp - g->KW) / g->SW + 1;
  return NN_OK;
}

static int is_pointwise(const nn_conv2d_geom *g) {
  return g->KH == 1 && g->KW == 1 && g->SH == 1 && g->SW == 1 && g->PH == 0 && g->PW == 0;
}

size_t nn_conv2d_workspace(const nn_conv2d_geom *g) {
  if (is_pointwise(g)) return 0;
  return (size_t)g->C * g->KH * g->KW * g->OH * g->OW;
}

/* --- reference loops ----------------------------------------------------- */

void nn_conv2d_forward_direct(float *out, const float *inp, const float *weight,
                              const float *bias, const nn_conv2d_geom *g) {
  for (int n = 0; n < g->N; n++)
    for (int o = 0; o < g->OC; o++)
      for (int i = 0; i < g->OH; i++)
        for (int j = 0; j < g->OW; j++) {
          double s = bias ? bias[o] : 0.0;
          for (int c = 0; c < g->C; c++)
            for (int u = 0; u < g->KH; u++) {
              int y = i * g->SH - g->PH + u;
              if (y < 0 || y >= g->H) continue;
              for (int v = 0; v < g->KW; v++) {
                int x = j * g->SW - g->PW + v;
                if (x < 0 || x >= g->W) continue;
                s += (double)weight[((size_t)(o * g->C + c) * g->KH + u) * g->KW + v] *
                     inp[((size_t)(n * g->C + c) * g->H + y) * g->W + x];
              }
            }
          out[((size_t)(n * g->OC + o) * g->OH + i) * g->OW + j] = (float)s;
        }
}

void nn_conv2d_backward_direct(float *dinp, float *dweight, float *dbias,
                               const float *dout, const float *inp,
                               const float *weight, const nn_conv2d_geom *g) {
  if (dinp) memset(dinp, 0, sizeof(float) * (size_t)g->N * g->C * g->H * g->W);
  for (int n = 0; n < g->N; n++)
    for (int o = 0; o < g->OC; o++)
      for (int i = 0; i < g->OH; i++)
        for (int j = 0; j < g->OW; j++) {
          float d = dout[((size_t)(n * g->OC + o) * g->OH + i) * g->OW + j];
          if (dbias) dbias[o] += d;
          for (int c = 0; c < g->C; c++)
            for (int u = 0; u < g->KH; u++) {
              int y = i * g->SH - g->PH + u;
              if (y < 0 || y >= g->H) continue;
              for (int v = 0; v < g->KW; v++) {
                int x = j * g->SW - g->PW + v;
                if (x < 0 || x >= g->W) continue;
                size_t wi = ((size_t)(o * g->C + c) * g->KH + u) * g->KW + v;
                size_t xi = ((size_t)(n * g->C + c) * g->H + y) * g->W + x;
                dweight[wi] += d * inp[xi];
                if (dinp) dinp[xi] += d * weight[wi];
              }
            }
        }
}

/* --- im2col / col2im ----------------------------------------------------- */

/* Output columns j whose input column j*SW-PW+v lies inside 0..W-1:
 * j in [*lo, *hi). */
static void valid_cols(const nn_conv2d_geom *g, int v, int *lo, int *hi) {
  int off = v - g->PW; /* input column = j*SW + off */
  int a = off >= 0 ? 0 : (-off + g->SW - 1) / g->SW;
  int b = g->W - off <= 0 ? 0 : (g->W - off + g->SW - 1) / g->SW;
  if (b > g->OW) b = g->OW;
  if (a > b) a = b;
  *lo = a;
  *hi = b;
}

void nn_im2col(float *col, const float *img, const nn_conv2d_geom *g) {
  const int P = g->OH * g->OW;
  for (int c = 0; c < g->C; c++)
    for (int u = 0; u < g->KH; u++)
      for (int v = 0; v < g->KW; v++) {
        float *row = col + ((size_t)(c * g->KH + u) * g->KW + v) * P;
        int lo, hi;
        valid_cols(g, v, &lo, &hi);
        const int off = v - g->PW;
        for (int i = 0; i < g->OH; i++) {
          float *dst = row + (size_t)i * g->OW;
          int y = i * g->SH - g->PH + u;
          if (y < 0 || y >= g->H) {
            memset(dst, 0, sizeof(float) * g->OW);
            continue;
          }
          const float *src = img + ((size_t)c * g->H + y) * g->W + off;
          for (int j = 0; j < lo; j++) dst[j] = 0;
          if (g->SW == 1) {
            memcpy(dst + lo, src + lo, sizeof(float) * (hi - lo));
          } else {
            for (int j = lo; j < hi; j++) dst[j] = src[j * g->SW];
          }
          for (int j = hi; j < g->OW; j++) dst[j] = 0;
        }
      }
}

void nn_col2im(float *img, const float *col, const nn_conv2d_geom *g) {
  const int P = g->OH * g->OW;
  memset(img, 0, sizeof(float) * (size_t)g->C * g->H * g->W);
  for (int c = 0; c < g->C; c++)
    for (int u = 0; u < g->KH; u++)
      for (int v = 0; v < g->KW; v++) {
        const float *row = col + ((size_t)(c * g->KH + u) * g->KW + v) * P;
        int lo, hi;
        valid_cols(g, v, &lo, &hi);
        const int off = v - g->PW;
        for (int i = 0; i < g->OH; i++) {
          int y = i * g->SH - g->PH + u;
          if (y < 0 || y >= g->H) continue;
          const float *s = row + (size_t)i * g->OW;
          float *dst = img + ((size_t)c * g->H + y) * g->W + off;
          for (int j = lo; j < hi; j++) dst[j * g->SW] += s[j];
        }
      }
}

/* --- fast path ------------------------------------------------------------ */

void nn_conv2d_forward(float *out, const float *inp, const float *weight,
                       const float *bias, const nn_conv2d_geom *g, float *ws) {
  const int K = g->C * g->KH * g->KW, P = g->OH * g->OW;
  const size_t in_n = (size_t)g->C * g->H * g->W, out_n = (size_t)g->OC * P;
  for (int n = 0; n < g->N; n++) {
    const float *x = inp + n * in_n;
    float *y = out + n * out_n;
    const float *col = x;
    if (!is_pointwise(g)) {
      nn_im2col(ws, x, g);
      col = ws;
    }
    if (bias)
      for (int o = 0; o < g->OC; o++)
        for (int p = 0; p < P; p++) y[(size_t)o * P + p] = bias[o];
    nn_sgemm(false, false, g->OC, P, K, 1.0f, weight, K, col, P, bias ? 1.0f : 0.0f, y, P);
  }
}

void nn_conv2d_backward(float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp, const float *weight,
                        const nn_conv2d_geom *g, float *ws) {
  const int K = g->C * g->KH * g->KW, P = g->OH * g->OW;
  const size_t in_n = (size_t)g->C * g->H * g->W, out_n = (size_t)g->OC * P;
  const int pointwise = is_pointwise(g);
  for (int n = 0; n < g->N; n++) {
    const float *x = inp + n * in_n, *dy = dout + n * out_n;
    const float *col = x;
    if (!pointwise) {
      nn_im2col(ws, x, g);
      col = ws;
    }
    nn_sgemm(false, true, g->OC, K, P, 1.0f, dy, P, col, P, 1.0f, dweight, K);
    if (dbias)
      for (int o = 0; o < g->OC; o++) {
        const float *r = dy + (size_t)o * P;
        float s = 0;
        for (int p = 0; p < P; p++) s += r[p];
        dbias[o] += s;
      }
    if (dinp) {
      /* col is no longer needed: the same buffer takes dcol. */
      float *dcol = pointwise ? dinp + n * in_n : ws;
      nn_sgemm(true, false, K, P, g->OC, 1.0f, weight, K, dy, P, 0.0f, dcol, P);
      if (!pointwise) nn_col2im(dinp + n * in_n, dcol, g);
    }
  }
}
