#include "conv_relu_pool.h"

#include <string.h>

#include "blas.h"
#include "pair.h"

/* A chunk's im2col columns and product in about 1 MB: half of a 2 MB L2,
 * room for the weights, the codes and the output rows. */
enum { CHUNK_FLOATS = 1 << 18 };

typedef struct {
  int K, P, G, nchunks, half; /* rows of col, pixels per plane, samples per chunk */
  size_t col, res, dw, scratch, per_half; /* floats: offsets inside a half, its size */
} layout;

static layout layout_of(const nn_conv2d_geom *g) {
  layout l;
  l.K = g->C * g->KH * g->KW;
  l.P = g->OH * g->OW;
  size_t per = (size_t)(l.K + g->OC) * (size_t)l.P;
  size_t G = per ? CHUNK_FLOATS / per : 1;
  if (G < 1) G = 1;
  if (G > (size_t)g->N) G = g->N > 0 ? (size_t)g->N : 1;
  l.G = (int)G;
  l.nchunks = (g->N + l.G - 1) / l.G;
  l.half = (l.nchunks + 1) / 2;
  l.col = 0;
  l.res = (size_t)l.K * G * (size_t)l.P;
  l.dw = l.res + (size_t)g->OC * G * (size_t)l.P;
  l.scratch = l.dw + (size_t)g->OC * (size_t)l.K + (size_t)g->OC;
  l.per_half = l.scratch + (size_t)l.P; /* h and hk of relu_pool_plane */
  return l;
}

bool nn_crp_supported(const nn_conv2d_geom *g) {
  return g->OH % 2 == 0 && g->OW % 2 == 0 && g->OH > 0 && g->OW > 0;
}

/* One float per pooled output: the window element that won (0..3 in scan
 * order), or -1 when the maximum was not > 0.  Floats, not bytes, so the
 * passes that write and read them vectorize with the values. */
static size_t code_count(const nn_conv2d_geom *g) {
  return (size_t)g->N * (size_t)g->OC * (size_t)(g->OH / 2) * (size_t)(g->OW / 2);
}

size_t nn_crp_workspace(const nn_conv2d_geom *g) {
  return 2 * layout_of(g).per_half + code_count(g);
}

static float *codes_of(const nn_conv2d_geom *g, float *ws) {
  return (float *)(ws + 2 * layout_of(g).per_half);
}

typedef struct {
  const nn_conv2d_geom *g;
  layout l;
  int c0, c1; /* chunks [c0, c1) */
  const float *inp, *weight, *bias, *dout;
  float *out, *dinp, *ws;
  float *code;
} half_job;

/* im2col of the chunk's samples side by side: (K, c*P). */
static void chunk_cols(const half_job *j, int n0, int c, float *col) {
  const nn_conv2d_geom *g = j->g;
  const ptrdiff_t in_n = (ptrdiff_t)g->C * g->H * g->W, ld = (ptrdiff_t)c * j->l.P;
  for (int s = 0; s < c; s++) nn_im2col(col + (ptrdiff_t)s * j->l.P, ld, j->inp + (n0 + s) * in_n, g);
}

/* 8 floats as a GCC vector (AVX2 under the project's -march; plain code
 * elsewhere).  gcc does not vectorize the pooling's selects and
 * interleaved stores by itself ("control flow in loop"). */
typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));
static inline v8f ld8(const float *p) {
  v8f v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline void st8(float *p, v8f v) { memcpy(p, &v, sizeof v); }
static inline v8f sel8(v8i m, v8f a, v8f b) { return (v8f)(((v8i)a & m) | ((v8i)b & ~m)); }

/* Row j-loops of n >= 8 elements run as vectors at 0, 8, ... and a last one
 * at n-8 that overlaps the one before: each element is written from the
 * same inputs either time. */
#define FOR_VEC8(j, n) for (int j = 0, last_ = 0; !last_; last_ = j >= (n) - 8, j = j + 8 < (n) - 8 ? j + 8 : (n) - 8)

/* One plane z - b (OH, OW) to its pooled plane and codes, in two passes:
 * the larger of each horizontal pair (after ReLU, so NaN is 0 there too)
 * into h, with which of the two won into hk, then the larger of two
 * vertically adjacent h.  A strict > at each step keeps the first of equal
 * values, so the winner is the window's first maximum in scan order,
 * MaxPool2d's rule.  h and hk hold OH*OW/2 floats each. */
static void relu_pool_plane(float *restrict y, float *restrict code, const float *restrict z,
                            float b, int OH, int OW, float *restrict h, float *restrict hk) {
  const int half = OH * OW / 2, OW2 = OW / 2;
  for (int k = 0; k < half; k++) {
    float e = z[2 * k] + b, o = z[2 * k + 1] + b;
    e = e > 0.0f ? e : 0.0f;
    o = o > 0.0f ? o : 0.0f;
    h[k] = o > e ? o : e;
    hk[k] = o > e ? 1.0f : 0.0f;
  }
  for (int i = 0; i < OH / 2; i++) {
    const float *t = h + (ptrdiff_t)(2 * i) * OW2, *u = t + OW2;
    const float *tk = hk + (ptrdiff_t)(2 * i) * OW2, *uk = tk + OW2;
    float *yr = y + (ptrdiff_t)i * OW2, *cr = code + (ptrdiff_t)i * OW2;
    if (OW2 >= 8) {
      FOR_VEC8(j, OW2) {
        const v8f a = ld8(t + j), c = ld8(u + j);
        const v8i m = c > a;
        const v8f best = sel8(m, c, a), k = sel8(m, ld8(uk + j) + 2.0f, ld8(tk + j));
        st8(yr + j, best);
        st8(cr + j, sel8(best > 0.0f, k, (v8f){0} - 1.0f));
      }
    } else {
      for (int j = 0; j < OW2; j++) {
        const int m = u[j] > t[j];
        const float best = m ? u[j] : t[j], k = m ? uk[j] + 2.0f : tk[j];
        yr[j] = best;
        cr[j] = best > 0.0f ? k : -1.0f;
      }
    }
  }
}

/* The gradient of z for one plane from the pooled gradient and the codes;
 * returns the plane's share of the bias gradient. */
static float unpool_plane(float *restrict dz, const float *restrict dy,
                          const float *restrict code, int OH, int OW) {
  const int OW2 = OW / 2;
  const v8i lo = {0, 8, 1, 9, 2, 10, 3, 11}, hi = {4, 12, 5, 13, 6, 14, 7, 15};
  const v8f zero = {0};
  for (int i = 0; i < OH / 2; i++) {
    float *r0 = dz + (ptrdiff_t)(2 * i) * OW, *r1 = r0 + OW;
    const float *dr = dy + (ptrdiff_t)i * OW2, *cr = code + (ptrdiff_t)i * OW2;
    if (OW2 >= 8) {
      FOR_VEC8(j, OW2) {
        const v8f d = ld8(dr + j), k = ld8(cr + j);
        const v8f a0 = sel8(k == 0.0f, d, zero), a1 = sel8(k == 1.0f, d, zero);
        const v8f a2 = sel8(k == 2.0f, d, zero), a3 = sel8(k == 3.0f, d, zero);
        st8(r0 + 2 * j, __builtin_shuffle(a0, a1, lo));
        st8(r0 + 2 * j + 8, __builtin_shuffle(a0, a1, hi));
        st8(r1 + 2 * j, __builtin_shuffle(a2, a3, lo));
        st8(r1 + 2 * j + 8, __builtin_shuffle(a2, a3, hi));
      }
    } else {
      for (int j = 0; j < OW2; j++) {
        const float d = dr[j], k = cr[j];
        r0[2 * j] = k == 0.0f ? d : 0.0f;
        r0[2 * j + 1] = k == 1.0f ? d : 0.0f;
        r1[2 * j] = k == 2.0f ? d : 0.0f;
        r1[2 * j + 1] = k == 3.0f ? d : 0.0f;
      }
    }
  }
  float db = 0.0f;
  for (int q = 0; q < OH / 2 * OW2; q++) {
    const float d = dy[q];
    db += code[q] >= 0.0f ? d : 0.0f;
  }
  return db;
}

static void forward_half(void *arg) {
  const half_job *j = arg;
  const nn_conv2d_geom *g = j->g;
  const int K = j->l.K, P = j->l.P, OC = g->OC;
  const ptrdiff_t out_n = (ptrdiff_t)OC * (P / 4);
  float *col = j->ws + j->l.col, *res = j->ws + j->l.res, *h = j->ws + j->l.scratch;
  for (int ch = j->c0; ch < j->c1; ch++) {
    const int n0 = ch * j->l.G, c = g->N - n0 < j->l.G ? g->N - n0 : j->l.G;
    const ptrdiff_t ld = (ptrdiff_t)c * P;
    chunk_cols(j, n0, c, col);
    nn_sgemm(false, false, OC, (int)ld, K, 1.0f, j->weight, K, col, (int)ld, 0.0f, res, (int)ld);
    for (int s = 0; s < c; s++)
      for (int o = 0; o < OC; o++) {
        const ptrdiff_t at = (n0 + s) * out_n + (ptrdiff_t)o * (P / 4);
        relu_pool_plane(j->out + at, j->code + at, res + o * ld + (ptrdiff_t)s * P,
                        j->bias ? j->bias[o] : 0.0f, g->OH, g->OW, h, h + P / 2);
      }
  }
}

static void backward_half(void *arg) {
  const half_job *j = arg;
  const nn_conv2d_geom *g = j->g;
  const int K = j->l.K, P = j->l.P, OC = g->OC;
  const ptrdiff_t out_n = (ptrdiff_t)OC * (P / 4), in_n = (ptrdiff_t)g->C * g->H * g->W;
  float *col = j->ws + j->l.col, *dres = j->ws + j->l.res, *dw = j->ws + j->l.dw,
        *db = dw + (ptrdiff_t)OC * K;
  memset(dw, 0, sizeof(float) * (size_t)(OC * K + OC));
  for (int ch = j->c0; ch < j->c1; ch++) {
    const int n0 = ch * j->l.G, c = g->N - n0 < j->l.G ? g->N - n0 : j->l.G;
    const ptrdiff_t ld = (ptrdiff_t)c * P;
    for (int s = 0; s < c; s++)
      for (int o = 0; o < OC; o++) {
        const ptrdiff_t at = (n0 + s) * out_n + (ptrdiff_t)o * (P / 4);
        db[o] += unpool_plane(dres + o * ld + (ptrdiff_t)s * P, j->dout + at, j->code + at,
                              g->OH, g->OW);
      }
    chunk_cols(j, n0, c, col);
    nn_sgemm(false, true, OC, K, (int)ld, 1.0f, dres, (int)ld, col, (int)ld, 1.0f, dw, K);
    if (j->dinp) {
      /* col is spent: it takes dcol = Wᵀ dres */
      nn_sgemm(true, false, K, (int)ld, OC, 1.0f, j->weight, K, dres, (int)ld, 0.0f, col, (int)ld);
      for (int s = 0; s < c; s++)
        nn_col2im(j->dinp + (n0 + s) * in_n, col + (ptrdiff_t)s * P, ld, g);
    }
  }
}

static void halves(half_job h[2], const nn_conv2d_geom *g, float *ws) {
  layout l = layout_of(g);
  h[0].g = g;
  h[0].l = l;
  h[0].c0 = 0;
  h[0].c1 = l.half;
  h[0].ws = ws;
  h[0].code = codes_of(g, ws);
  h[1] = h[0];
  h[1].c0 = l.half;
  h[1].c1 = l.nchunks;
  h[1].ws = ws + l.per_half;
}

/* Both halves at once when the second has work, else on this thread. */
static void run(nn_job_fn fn, half_job h[2]) {
  if (h[1].c0 < h[1].c1) {
    nn_pair_run(fn, &h[1], fn, &h[0]);
  } else {
    fn(&h[0]);
    fn(&h[1]);
  }
}

void nn_crp_forward(float *out, const float *inp, const float *weight, const float *bias,
                    const nn_conv2d_geom *g, float *ws) {
  if (g->N == 0) return;
  half_job h[2];
  halves(h, g, ws);
  for (int k = 0; k < 2; k++) {
    h[k].inp = inp;
    h[k].weight = weight;
    h[k].bias = bias;
    h[k].out = out;
  }
  run(forward_half, h);
}

void nn_crp_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                     const float *inp, const float *weight, const nn_conv2d_geom *g,
                     float *ws) {
  if (g->N == 0) {
    return;
  }
  half_job h[2];
  halves(h, g, ws);
  for (int k = 0; k < 2; k++) {
    h[k].inp = inp;
    h[k].weight = weight;
    h[k].dout = dout;
    h[k].dinp = dinp;
  }
  run(backward_half, h);
  const int n = g->OC * h[0].l.K;
  const float *a = h[0].ws + h[0].l.dw, *b = h[1].ws + h[1].l.dw;
  for (int i = 0; i < n; i++) dweight[i] += a[i] + b[i];
  if (dbias)
    for (int o = 0; o < g->OC; o++) dbias[o] += a[n + o] + b[n + o];
}
