#include "pool2d.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "error.h"

int nn_pool2d_geometry(nn_pool2d_geom *g) {
  NN_REQUIRE(g->N >= 0 && g->C > 0 && g->H > 0 && g->W > 0 && g->KH > 0 && g->KW > 0,
             "sizes must be positive (input %dx%dx%dx%d, window %dx%d)", g->N, g->C, g->H,
             g->W, g->KH, g->KW);
  NN_REQUIRE(g->SH > 0 && g->SW > 0, "stride must be positive, got %dx%d", g->SH, g->SW);
  NN_REQUIRE(g->PH >= 0 && g->PW >= 0 && 2 * g->PH <= g->KH && 2 * g->PW <= g->KW,
             "padding %dx%d must be >= 0 and at most half the window %dx%d", g->PH, g->PW,
             g->KH, g->KW);
  int hp = g->H + 2 * g->PH, wp = g->W + 2 * g->PW;
  NN_REQUIRE(g->KH <= hp && g->KW <= wp,
             "window %dx%d is larger than the padded input %dx%d (input %dx%d, padding %dx%d)",
             g->KH, g->KW, hp, wp, g->H, g->W, g->PH, g->PW);
  g->OH = (hp - g->KH) / g->SH + 1;
  g->OW = (wp - g->KW) / g->SW + 1;
  return NN_OK;
}

/* Window rows [*y0, *y1) of output row i, clipped to the input. */
static inline void clip(int i, int S, int P, int K, int H, int *a, int *b) {
  int s = i * S - P, e = s + K;
  *a = s < 0 ? 0 : s;
  *b = e > H ? H : e;
}

/* Takes v when it beats best or is NaN, and never replaces a NaN: the first
 * maximum wins ties and NaN propagates, as in PyTorch.  Written as a bit
 * blend (no branch): on image data the winner is unpredictable, and
 * mispredicted branches cost more than the whole pass over memory. */
static inline uint32_t f2u(float f) {
  uint32_t u;
  memcpy(&u, &f, sizeof u);
  return u;
}
static inline float u2f(uint32_t u) {
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}
#define MAX_STEP(v, off)                                                      \
  do {                                                                        \
    float v_ = (v);                                                           \
    uint32_t m_ = -(uint32_t)((best == best) & !(v_ <= best));                \
    best = u2f((f2u(v_) & m_) | (f2u(best) & ~m_));                           \
    at = (int32_t)(((uint32_t)(off) & m_) | ((uint32_t)at & ~m_));           \
  } while (0)

/* The ConvNet's 2x2 stride-2 unpadded pooling: the four candidates of a
 * window in scan order, as selects that gcc vectorizes across windows. */
static void maxpool_2x2(float *out, int32_t *argmax, const float *inp,
                        const nn_pool2d_geom *g) {
  const ptrdiff_t planes = (ptrdiff_t)g->N * g->C;
  const int W = g->W, OW = g->OW;
  for (ptrdiff_t pl = 0; pl < planes; pl++) {
    const float *x = inp + pl * g->H * W;
    for (int i = 0; i < g->OH; i++) {
      const float *r0 = x + (ptrdiff_t)(2 * i) * W, *r1 = r0 + W;
      float *y = out + (pl * g->OH + i) * OW;
      int32_t *am = argmax + (pl * g->OH + i) * OW;
      const int32_t base = 2 * i * W;
      for (int j = 0; j < OW; j++) {
        float best = r0[2 * j];
        int32_t at = base + 2 * j;
        MAX_STEP(r0[2 * j + 1], base + 2 * j + 1);
        MAX_STEP(r1[2 * j], base + W + 2 * j);
        MAX_STEP(r1[2 * j + 1], base + W + 2 * j + 1);
        y[j] = best;
        am[j] = at;
      }
    }
  }
}

void nn_maxpool2d_forward(float *out, int32_t *argmax, const float *inp,
                          const nn_pool2d_geom *g) {
  if (g->KH == 2 && g->KW == 2 && g->SH == 2 && g->SW == 2 && g->PH == 0 && g->PW == 0) {
    maxpool_2x2(out, argmax, inp, g);
    return;
  }
  const ptrdiff_t planes = (ptrdiff_t)g->N * g->C;
  const int W = g->W;
  for (ptrdiff_t pl = 0; pl < planes; pl++) {
    const float *x = inp + pl * g->H * W;
    float *y = out + pl * g->OH * g->OW;
    int32_t *am = argmax + pl * g->OH * g->OW;
    for (int i = 0; i < g->OH; i++) {
      int y0, y1;
      clip(i, g->SH, g->PH, g->KH, g->H, &y0, &y1);
      for (int j = 0; j < g->OW; j++) {
        int x0, x1;
        clip(j, g->SW, g->PW, g->KW, W, &x0, &x1);
        float best = -INFINITY;
        int32_t at = y0 * W + x0;
        for (int r = y0; r < y1; r++)
          for (int c = x0; c < x1; c++) MAX_STEP(x[r * W + c], r * W + c);
        y[i * g->OW + j] = best;
        am[i * g->OW + j] = at;
      }
    }
  }
}

/* 2x2 stride-2 windows tiling the whole plane (H, W even): every input
 * pixel is in exactly one window, so dinp is written once, without the
 * zeroing pass of the general case. */
static void maxpool_2x2_backward(float *dinp, const float *dout, const int32_t *argmax,
                                 const nn_pool2d_geom *g) {
  const ptrdiff_t planes = (ptrdiff_t)g->N * g->C;
  const int W = g->W, OW = g->OW;
  for (ptrdiff_t pl = 0; pl < planes; pl++) {
    float *dx = dinp + pl * g->H * W;
    for (int i = 0; i < g->OH; i++) {
      float *r0 = dx + (ptrdiff_t)(2 * i) * W, *r1 = r0 + W;
      const float *dy = dout + (pl * g->OH + i) * OW;
      const int32_t *am = argmax + (pl * g->OH + i) * OW;
      const int32_t base = 2 * i * W;
      for (int j = 0; j < OW; j++) {
        const int32_t a = am[j];
        const float d = dy[j];
        r0[2 * j] = a == base + 2 * j ? d : 0.0f;
        r0[2 * j + 1] = a == base + 2 * j + 1 ? d : 0.0f;
        r1[2 * j] = a == base + W + 2 * j ? d : 0.0f;
        r1[2 * j + 1] = a == base + W + 2 * j + 1 ? d : 0.0f;
      }
    }
  }
}

void nn_maxpool2d_backward(float *dinp, const float *dout, const int32_t *argmax,
                           const nn_pool2d_geom *g) {
  if (g->KH == 2 && g->KW == 2 && g->SH == 2 && g->SW == 2 && g->PH == 0 && g->PW == 0 &&
      g->H == 2 * g->OH && g->W == 2 * g->OW) {
    maxpool_2x2_backward(dinp, dout, argmax, g);
    return;
  }
  const ptrdiff_t planes = (ptrdiff_t)g->N * g->C, in_pl = (ptrdiff_t)g->H * g->W,
               out_pl = (ptrdiff_t)g->OH * g->OW;
  memset(dinp, 0, sizeof(float) * (size_t)(planes * in_pl));
  for (ptrdiff_t pl = 0; pl < planes; pl++) {
    float *dx = dinp + pl * in_pl;
    const float *dy = dout + pl * out_pl;
    const int32_t *am = argmax + pl * out_pl;
    for (ptrdiff_t k = 0; k < out_pl; k++) dx[am[k]] += dy[k];
  }
}

void nn_avgpool2d_forward(float *out, const float *inp, const nn_pool2d_geom *g) {
  const ptrdiff_t planes = (ptrdiff_t)g->N * g->C;
  const float inv = 1.0f / (float)(g->KH * g->KW);
  for (ptrdiff_t pl = 0; pl < planes; pl++) {
    const float *x = inp + pl * g->H * g->W;
    float *y = out + pl * g->OH * g->OW;
    for (int i = 0; i < g->OH; i++) {
      int y0, y1;
      clip(i, g->SH, g->PH, g->KH, g->H, &y0, &y1);
      for (int j = 0; j < g->OW; j++) {
        int x0, x1;
        clip(j, g->SW, g->PW, g->KW, g->W, &x0, &x1);
        float s = 0;
        for (int r = y0; r < y1; r++)
          for (int c = x0; c < x1; c++) s += x[r * g->W + c];
        y[i * g->OW + j] = s * inv;
      }
    }
  }
}

void nn_avgpool2d_backward(float *dinp, const float *dout, const nn_pool2d_geom *g) {
  const ptrdiff_t planes = (ptrdiff_t)g->N * g->C, in_pl = (ptrdiff_t)g->H * g->W;
  const float inv = 1.0f / (float)(g->KH * g->KW);
  memset(dinp, 0, sizeof(float) * (size_t)(planes * in_pl));
  for (ptrdiff_t pl = 0; pl < planes; pl++) {
    float *dx = dinp + pl * in_pl;
    const float *dy = dout + pl * g->OH * g->OW;
    for (int i = 0; i < g->OH; i++) {
      int y0, y1;
      clip(i, g->SH, g->PH, g->KH, g->H, &y0, &y1);
      for (int j = 0; j < g->OW; j++) {
        int x0, x1;
        clip(j, g->SW, g->PW, g->KW, g->W, &x0, &x1);
        float d = dy[i * g->OW + j] * inv;
        for (int r = y0; r < y1; r++)
          for (int c = x0; c < x1; c++) dx[r * g->W + c] += d;
      }
    }
  }
}
