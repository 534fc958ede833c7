#include "mlp_step.h"

#include <string.h>

#include "blas.h"
#include "error.h"
#include "fast_exp.h"
#include "losses.h"
#include "pair.h"

/* Offsets in floats, each rounded up to a cache line so that the two
 * halves never write to the same line of the workspace. */
enum { LINE = 16 };
static size_t up(size_t n) { return (n + LINE - 1) / LINE * LINE; }

typedef struct {
  size_t dW1, db1, dW2, db2, part; /* half 1's weight gradients; their total */
  size_t rows, per_row;            /* rows per half; floats per row */
  size_t half_area;                /* floats of a half's row buffers */
} layout;

static layout layout_of(const nn_mlp_shape *s) {
  layout l;
  size_t TD = (size_t)s->T * (size_t)s->D, H = (size_t)s->H, O = (size_t)s->O;
  l.dW1 = 0;
  l.db1 = up(TD * H);
  l.dW2 = l.db1 + up(H);
  l.db2 = l.dW2 + up(H * O);
  l.part = l.db2 + up(O);
  l.rows = ((size_t)s->B + 1) / 2;
  l.per_row = O + H + TD; /* dlogits, dhid (then dpre), demb */
  l.half_area = up(l.rows * l.per_row);
  return l;
}

bool nn_mlp_step_pays(void) { return nn_pair_active() || nn_blas_openblas_threads() <= 1; }

size_t nn_mlp_workspace(const nn_mlp_shape *s) {
  layout l = layout_of(s);
  return l.part + 2 * l.half_area;
}

typedef struct {
  const nn_mlp_shape *s;
  const nn_mlp_params *p;
  const nn_mlp_values *v;
  const int32_t *idx, *labels;
  int r0, n;                       /* rows [r0, r0 + n) */
  float *dW1, *db1, *dW2, *db2;    /* where this half's weight gradients go */
  float beta;                      /* 1: accumulate there, 0: overwrite */
  float *dE;                       /* embedding scatter-add target, or NULL */
  float *dlog, *dhid, *demb;       /* this half's row buffers */
  double sum;
  int64_t correct;
} half;

static void activate(nn_mlp_act act, float *y, const float *x, size_t n) {
  switch (act) {
  case NN_MLP_SIGMOID:
    for (size_t i = 0; i < n; i++) y[i] = nn_sigmoid_exp(x[i]);
    break;
  case NN_MLP_TANH:
    for (size_t i = 0; i < n; i++) y[i] = nn_tanh_exp(x[i]);
    break;
  case NN_MLP_RELU:
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
    break;
  }
}

/* d *= f'(pre), from the output (sigmoid, tanh) or the input (ReLU): the
 * expressions of activation.c, so the values match the layers'. */
static void activate_back(nn_mlp_act act, float *d, const float *pre, const float *out,
                          size_t n) {
  switch (act) {
  case NN_MLP_SIGMOID:
    for (size_t i = 0; i < n; i++) d[i] = d[i] * out[i] * (1.0f - out[i]);
    break;
  case NN_MLP_TANH:
    for (size_t i = 0; i < n; i++) d[i] = d[i] * (1.0f - out[i] * out[i]);
    break;
  case NN_MLP_RELU:
    for (size_t i = 0; i < n; i++) d[i] = pre[i] > 0.0f ? d[i] : 0.0f;
    break;
  }
}

static void bias_rows(float *out, const float *bias, int n, int C) {
  for (int b = 0; b < n; b++) memcpy(out + (ptrdiff_t)b * C, bias, sizeof(float) * (size_t)C);
}

/* db (+)= column sums of the n rows of d, in row order as nn_linear_backward. */
static void column_sums(float *db, const float *d, int n, int C, float beta) {
  if (beta == 0.0f) memset(db, 0, sizeof(float) * (size_t)C);
  for (int b = 0; b < n; b++) {
    const float *row = d + (ptrdiff_t)b * C;
    for (int o = 0; o < C; o++) db[o] += row[o];
  }
}

static void scatter_rows(float *dE, const float *demb, const int32_t *idx, int n, int T, int D) {
  for (int64_t k = 0; k < (int64_t)n * T; k++) {
    float *row = dE + (int64_t)idx[k] * D;
    const float *g = demb + k * D;
    for (int d = 0; d < D; d++) row[d] += g[d];
  }
}

static void run_half(void *arg) {
  half *h = arg;
  const nn_mlp_shape *s = h->s;
  const nn_mlp_params *p = h->p;
  const int n = h->n, T = s->T, D = s->D, TD = T * D, H = s->H, O = s->O;
  h->sum = 0.0;
  h->correct = 0;
  if (h->dE && p->overwrite)
    memset(h->dE, 0, sizeof(float) * (size_t)s->V * (size_t)D);
  if (n == 0) {
    if (h->beta == 0.0f) { /* nothing to add: the gradients are zero */
      memset(h->dW1, 0, sizeof(float) * (size_t)TD * (size_t)H);
      memset(h->dW2, 0, sizeof(float) * (size_t)H * (size_t)O);
      if (h->db1) memset(h->db1, 0, sizeof(float) * (size_t)H);
      if (h->db2) memset(h->db2, 0, sizeof(float) * (size_t)O);
    }
    return;
  }
  const int32_t *idx = h->idx + (ptrdiff_t)h->r0 * T;
  float *emb = h->v->emb + (ptrdiff_t)h->r0 * TD, *pre = h->v->pre + (ptrdiff_t)h->r0 * H,
        *hid = h->v->hid + (ptrdiff_t)h->r0 * H, *logits = h->v->logits + (ptrdiff_t)h->r0 * O;
  const size_t nH = (size_t)n * (size_t)H;

  for (int64_t k = 0; k < (int64_t)n * T; k++)
    memcpy(emb + k * D, p->E + (int64_t)idx[k] * D, sizeof(float) * (size_t)D);
  if (p->b1) bias_rows(pre, p->b1, n, H);
  nn_sgemm(false, false, n, H, TD, 1.0f, emb, TD, p->W1, H, p->b1 ? 1.0f : 0.0f, pre, H);
  activate(s->act, hid, pre, nH);
  if (p->b2) bias_rows(logits, p->b2, n, O);
  nn_sgemm(false, false, n, O, H, 1.0f, hid, H, p->W2, O, p->b2 ? 1.0f : 0.0f, logits, O);
  nn_crossentropy_rows(&h->sum, &h->correct, h->dlog, logits, h->labels + h->r0, 0, n, O,
                       1.0f / (float)s->B);

  nn_sgemm(true, false, H, O, n, 1.0f, hid, H, h->dlog, O, h->beta, h->dW2, O);
  if (h->db2) column_sums(h->db2, h->dlog, n, O, h->beta);
  nn_sgemm(false, true, n, H, O, 1.0f, h->dlog, O, p->W2, O, 0.0f, h->dhid, H);
  activate_back(s->act, h->dhid, pre, hid, nH);
  nn_sgemm(true, false, TD, H, n, 1.0f, emb, TD, h->dhid, H, h->beta, h->dW1, H);
  if (h->db1) column_sums(h->db1, h->dhid, n, H, h->beta);
  nn_sgemm(false, true, n, TD, H, 1.0f, h->dhid, H, p->W1, H, 0.0f, h->demb, TD);
  if (h->dE) scatter_rows(h->dE, h->demb, idx, n, T, D);
}

/* dst[i] += part[i] over the weight gradients, as one range of the
 * workspace's part (segments at the layout's offsets, padding skipped). */
typedef struct {
  const float *part;
  float *dst[4];
  size_t off[4], len[4];
} reduce_args;

static void reduce_range(void *arg, int64_t lo, int64_t hi) {
  const reduce_args *r = arg;
  for (int k = 0; k < 4; k++) {
    if (!r->dst[k]) continue;
    int64_t a = (int64_t)r->off[k], b = a + (int64_t)r->len[k];
    if (a < lo) a = lo;
    if (b > hi) b = hi;
    float *d = r->dst[k];
    const float *q = r->part + r->off[k];
    for (int64_t i = a - (int64_t)r->off[k], e = b - (int64_t)r->off[k]; i < e; i++) d[i] += q[i];
  }
}

/* Below this many floats the reduction stays on the calling thread. */
enum { REDUCE_PAIR_MIN = 1 << 15 };

static int check_ids(const int32_t *idx, int64_t n, int V, const int32_t *labels, int B, int O) {
  for (int64_t k = 0; k < n; k++)
    NN_REQUIRE(idx[k] >= 0 && idx[k] < V,
               "index %lld (element %lld) is outside 1..%d, the rows of the table",
               (long long)idx[k] + 1, (long long)k + 1, V);
  for (int b = 0; b < B; b++)
    NN_REQUIRE(labels[b] >= 0 && labels[b] < O, "class label %d (row %d) is outside 1..%d",
               labels[b] + 1, b + 1, O);
  return NN_OK;
}

int nn_mlp_step(double *loss, int64_t *ncorrect, const nn_mlp_shape *s,
                const nn_mlp_params *p, const int32_t *idx, const int32_t *labels,
                const nn_mlp_values *v, float *ws) {
  NN_REQUIRE(s->O > 0, "cross-entropy needs at least one class");
  NN_TRY(check_ids(idx, (int64_t)s->B * s->T, s->V, labels, s->B, s->O));
  layout l = layout_of(s);
  const int mid = s->B / 2; /* nn_crossentropy_loss's split of the loss sum */
  float *area0 = ws + l.part, *area1 = area0 + l.half_area;
  const size_t TD = (size_t)s->T * (size_t)s->D, nO = (size_t)s->O, nH = (size_t)s->H;
  half h0 = {s, p, v, idx, labels, 0, mid, p->dW1, p->db1, p->dW2, p->db2,
             p->overwrite ? 0.0f : 1.0f, p->dE,
             area0, area0 + l.rows * nO, area0 + l.rows * (nO + nH), 0.0, 0};
  half h1 = {s, p, v, idx, labels, mid, s->B - mid,
             ws + l.dW1, p->db1 ? ws + l.db1 : NULL, ws + l.dW2, p->db2 ? ws + l.db2 : NULL,
             0.0f, NULL, area1, area1 + l.rows * nO, area1 + l.rows * (nO + nH), 0.0, 0};
  nn_pair_run(run_half, &h1, run_half, &h0);

  if (h1.n > 0) { /* B >= 2, or B == 1: then half 0 is empty and wrote zeros */
    scatter_rows(p->dE, h1.demb, idx + (ptrdiff_t)mid * s->T, h1.n, s->T, s->D);
    reduce_args r = {ws,
                     {p->dW1, p->db1, p->dW2, p->db2},
                     {l.dW1, l.db1, l.dW2, l.db2},
                     {TD * nH, nH, nH * nO, nO}};
    nn_pair_split((int64_t)l.part, REDUCE_PAIR_MIN, LINE, reduce_range, &r);
  }
  *loss = s->B > 0 ? (h0.sum + h1.sum) / s->B : 0.0;
  if (ncorrect) *ncorrect = h0.correct + h1.correct;
  return NN_OK;
}
