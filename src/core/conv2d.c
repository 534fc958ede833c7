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
                s += (double)weight[((ptrdiff_t)(o * g->C + c) * g->KH + u) * g->KW + v] *
                     inp[((ptrdiff_t)(n * g->C + c) * g->H + y) * g->W + x];
              }
            }
          out[((ptrdiff_t)(n * g->OC + o) * g->OH + i) * g->OW + j] = (float)s;
        }
}

void nn_conv2d_backward_direct(float *dinp, float *dweight, float *dbias,
                               const float *dout, const float *inp,
                               const float *weight, const nn_conv2d_geom *g) {
  if (dinp) memset(dinp, 0, sizeof(float) * (size_t)((ptrdiff_t)g->N * g->C * g->H * g->W));
  for (int n = 0; n < g->N; n++)
    for (int o = 0; o < g->OC; o++)
      for (int i = 0; i < g->OH; i++)
        for (int j = 0; j < g->OW; j++) {
          float d = dout[((ptrdiff_t)(n * g->OC + o) * g->OH + i) * g->OW + j];
          if (dbias) dbias[o] += d;
          for (int c = 0; c < g->C; c++)
            for (int u = 0; u < g->KH; u++) {
              int y = i * g->SH - g->PH + u;
              if (y < 0 || y >= g->H) continue;
              for (int v = 0; v < g->KW; v++) {
                int x = j * g->SW - g->PW + v;
                if (x < 0 || x >= g->W) continue;
                ptrdiff_t wi = ((ptrdiff_t)(o * g->C + c) * g->KH + u) * g->KW + v;
                ptrdiff_t xi = ((ptrdiff_t)(n * g->C + c) * g->H + y) * g->W + x;
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

void nn_im2col(float *col, ptrdiff_t ld, const float *img, const nn_conv2d_geom *g) {
  for (int c = 0; c < g->C; c++)
    for (int u = 0; u < g->KH; u++)
      for (int v = 0; v < g->KW; v++) {
        float *row = col + ((ptrdiff_t)(c * g->KH + u) * g->KW + v) * ld;
        int lo, hi;
        valid_cols(g, v, &lo, &hi);
        const int off = v - g->PW;
        for (int i = 0; i < g->OH; i++) {
          float *dst = row + (ptrdiff_t)i * g->OW;
          int y = i * g->SH - g->PH + u;
          if (y < 0 || y >= g->H) {
            memset(dst, 0, sizeof(float) * (size_t)g->OW);
            continue;
          }
          const float *src = img + ((ptrdiff_t)c * g->H + y) * g->W + off;
          for (int j = 0; j < lo; j++) dst[j] = 0;
          if (g->SW == 1) {
            memcpy(dst + lo, src + lo, sizeof(float) * (size_t)(hi - lo));
          } else {
            for (int j = lo; j < hi; j++) dst[j] = src[j * g->SW];
          }
          for (int j = hi; j < g->OW; j++) dst[j] = 0;
        }
      }
}

void nn_col2im(float *img, const float *col, ptrdiff_t ld, const nn_conv2d_geom *g) {
  memset(img, 0, sizeof(float) * (size_t)((ptrdiff_t)g->C * g->H * g->W));
  for (int c = 0; c < g->C; c++)
    for (int u = 0; u < g->KH; u++)
      for (int v = 0; v < g->KW; v++) {
        const float *row = col + ((ptrdiff_t)(c * g->KH + u) * g->KW + v) * ld;
        int lo, hi;
        valid_cols(g, v, &lo, &hi);
        const int off = v - g->PW;
        for (int i = 0; i < g->OH; i++) {
          int y = i * g->SH - g->PH + u;
          if (y < 0 || y >= g->H) continue;
          const float *s = row + (ptrdiff_t)i * g->OW;
          float *dst = img + ((ptrdiff_t)c * g->H + y) * g->W + off;
          for (int j = lo; j < hi; j++) dst[j * g->SW] += s[j];
        }
      }
}

/* --- fast path ------------------------------------------------------------ */

/* Σ x[0..n-1] in an 8-wide float vector (GCC vector extensions; a scalar
 * `s += x[i]` loop is not vectorized without -ffast-math). */
typedef float v8 __attribute__((vector_size(32)));
static float sum8(const float *x, int n) {
  v8 acc = {0};
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    v8 v;
    memcpy(&v, x + i, sizeof v);
    acc += v;
  }
  float s = 0;
  for (int k = 0; k < 8; k++) s += acc[k];
  for (; i < n; i++) s += x[i];
  return s;
}

/* Samples per chunk: the chunk's col (K, chunk*P) and its (OC, chunk*P)
 * output stay within NN_CONV2D_CHUNK_FLOATS, at least one sample. */
static int chunk_of(const nn_conv2d_geom *g) {
  if (g->chunk > 0) return g->chunk < g->N ? g->chunk : (g->N > 0 ? g->N : 1);
  ptrdiff_t per = (ptrdiff_t)(g->C * g->KH * g->KW + g->OC) * g->OH * g->OW;
  ptrdiff_t c = per ? (ptrdiff_t)NN_CONV2D_CHUNK_FLOATS / per : 1;
  if (c < 1) c = 1;
  if (c > (ptrdiff_t)g->N) c = g->N > 0 ? (ptrdiff_t)g->N : 1;
  return (int)c;
}

size_t nn_conv2d_workspace(const nn_conv2d_geom *g) {
  return (size_t)((ptrdiff_t)chunk_of(g) * (g->C * g->KH * g->KW + g->OC) * g->OH * g->OW);
}

void nn_conv2d_forward(float *out, const float *inp, const float *weight,
                       const float *bias, const nn_conv2d_geom *g, float *ws) {
  const int K = g->C * g->KH * g->KW, P = g->OH * g->OW, chunk = chunk_of(g);
  const ptrdiff_t in_n = (ptrdiff_t)g->C * g->H * g->W, out_n = (ptrdiff_t)g->OC * P;
  for (int n0 = 0; n0 < g->N; n0 += chunk) {
    const int c = g->N - n0 < chunk ? g->N - n0 : chunk;
    const ptrdiff_t ld = (ptrdiff_t)c * P;
    float *col = ws, *res = ws + (ptrdiff_t)K * ld;
    for (int s = 0; s < c; s++) nn_im2col(col + (ptrdiff_t)s * P, ld, inp + (n0 + s) * in_n, g);
    nn_sgemm(false, false, g->OC, (int)ld, K, 1.0f, weight, K, col, (int)ld, 0.0f, res, (int)ld);
    /* res is (OC, c*P): row o holds channel o of every sample of the chunk */
    for (int s = 0; s < c; s++)
      for (int o = 0; o < g->OC; o++) {
        const float *r = res + (ptrdiff_t)o * ld + (ptrdiff_t)s * P;
        float *y = out + (n0 + s) * out_n + (ptrdiff_t)o * P;
        const float b = bias ? bias[o] : 0.0f;
        for (int p = 0; p < P; p++) y[p] = r[p] + b;
      }
  }
}

void nn_conv2d_backward(float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp, const float *weight,
                        const nn_conv2d_geom *g, float *ws) {
  const int K = g->C * g->KH * g->KW, P = g->OH * g->OW, chunk = chunk_of(g);
  const ptrdiff_t in_n = (ptrdiff_t)g->C * g->H * g->W, out_n = (ptrdiff_t)g->OC * P;
  for (int n0 = 0; n0 < g->N; n0 += chunk) {
    const int c = g->N - n0 < chunk ? g->N - n0 : chunk;
    const ptrdiff_t ld = (ptrdiff_t)c * P;
    float *col = ws, *dres = ws + (ptrdiff_t)K * ld;
    for (int s = 0; s < c; s++) nn_im2col(col + (ptrdiff_t)s * P, ld, inp + (n0 + s) * in_n, g);
    /* dout of the chunk as (OC, c*P), and the bias gradient on the way */
    for (int s = 0; s < c; s++)
      for (int o = 0; o < g->OC; o++) {
        const float *dy = dout + (n0 + s) * out_n + (ptrdiff_t)o * P;
        float *r = dres + (ptrdiff_t)o * ld + (ptrdiff_t)s * P;
        memcpy(r, dy, sizeof(float) * (size_t)P);
        if (dbias) dbias[o] += sum8(dy, P);
      }
    nn_sgemm(false, true, g->OC, K, (int)ld, 1.0f, dres, (int)ld, col, (int)ld, 1.0f, dweight, K);
    if (dinp) {
      /* col is no longer needed: the same buffer takes dcol = Wᵀ dres. */
      nn_sgemm(true, false, K, (int)ld, g->OC, 1.0f, weight, K, dres, (int)ld, 0.0f, col, (int)ld);
      for (int s = 0; s < c; s++) nn_col2im(dinp + (n0 + s) * in_n, col + (ptrdiff_t)s * P, ld, g);
    }
  }
}
