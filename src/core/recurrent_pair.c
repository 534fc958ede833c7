#include "recurrent_pair.h"

#include <stdio.h>
#include <string.h>

#include "error.h"
#include "pair.h"

static int rnn_fwd(nn_rec_ws *w, const nn_rec_call *a, int D, int H) {
  return nn_rnn_forward(&w->rnn, a->out, a->all, a->x, a->h0, a->wx, a->wh, a->b, a->B,
                        a->T, D, H);
}
static int rnn_bwd(nn_rec_ws *w, const nn_rec_call *a) {
  return nn_rnn_backward(&w->rnn, a->dx, a->dh0, a->dwx, a->dwh, a->db, a->dout, a->wx,
                         a->wh);
}
static void rnn_free(nn_rec_ws *w) { nn_rnn_ws_free(&w->rnn); }
static const nn_rec_arena *rnn_arena(const nn_rec_ws *w) { return &w->rnn.arena; }

static int lstm_fwd(nn_rec_ws *w, const nn_rec_call *a, int D, int H) {
  return nn_lstm_forward(&w->lstm, a->out, a->all, a->x, a->h0, a->c0, a->wx, a->wh, a->b,
                         a->B, a->T, D, H);
}
static int lstm_bwd(nn_rec_ws *w, const nn_rec_call *a) {
  return nn_lstm_backward(&w->lstm, a->dx, a->dh0, a->dc0, a->dwx, a->dwh, a->db, a->dout,
                          a->wx, a->wh);
}
static void lstm_free(nn_rec_ws *w) { nn_lstm_ws_free(&w->lstm); }
static const nn_rec_arena *lstm_arena(const nn_rec_ws *w) { return &w->lstm.arena; }

static int gru_fwd(nn_rec_ws *w, const nn_rec_call *a, int D, int H) {
  return nn_gru_forward(&w->gru, a->out, a->all, a->x, a->h0, a->wx, a->wh, a->b, a->bhn,
                        a->B, a->T, D, H);
}
static int gru_bwd(nn_rec_ws *w, const nn_rec_call *a) {
  return nn_gru_backward(&w->gru, a->dx, a->dh0, a->dwx, a->dwh, a->db, a->dbhn, a->dout,
                         a->wx, a->wh);
}
static void gru_free(nn_rec_ws *w) { nn_gru_ws_free(&w->gru); }
static const nn_rec_arena *gru_arena(const nn_rec_ws *w) { return &w->gru.arena; }

const nn_rec_cell nn_rec_cells[NN_REC_NCELLS] = {
    {"rnn", 1, false, false, rnn_fwd, rnn_bwd, rnn_free, rnn_arena},
    {"lstm", 4, true, false, lstm_fwd, lstm_bwd, lstm_free, lstm_arena},
    {"gru", 3, false, true, gru_fwd, gru_bwd, gru_free, gru_arena},
};

static nn_rec_split_mode split_mode = NN_REC_SPLIT_AUTO;

void nn_rec_set_split(nn_rec_split_mode mode) { split_mode = mode; }

void nn_rec_layer_init(nn_rec_layer *l, int cell, int D, int H) {
  memset(l, 0, sizeof *l); /* zeroed workspaces are the cells' initial state */
  l->cell = &nn_rec_cells[cell];
  l->D = D, l->H = H;
}

void nn_rec_layer_free(nn_rec_layer *l) {
  for (int k = 0; k < 2; k++) l->cell->free(&l->ws[k]);
  nn_rec_arena_free(&l->grad);
  l->mid = 0;
}

size_t nn_rec_layer_bytes(const nn_rec_layer *l) {
  return (l->cell->arena(&l->ws[0])->cap + l->cell->arena(&l->ws[1])->cap + l->grad.cap) *
         sizeof(float);
}

/* Rows [r0, r0 + n) of a. */
static nn_rec_call rows_of(const nn_rec_call *a, int r0, int n, int D, int H) {
  nn_rec_call h = *a;
  ptrdiff_t seq = (ptrdiff_t)r0 * a->T, st = (ptrdiff_t)r0 * H;
  ptrdiff_t out = a->all ? seq * H : st;
  h.B = n;
  if (a->x) h.x = a->x + seq * D;
  if (a->dx) h.dx = a->dx + seq * D;
  if (a->h0) h.h0 = a->h0 + st;
  if (a->c0) h.c0 = a->c0 + st;
  if (a->dh0) h.dh0 = a->dh0 + st;
  if (a->dc0) h.dc0 = a->dc0 + st;
  if (a->out) h.out = a->out + out;
  if (a->dout) h.dout = a->dout + out;
  return h;
}

/* One half's pass.  The error message of a failure on the worker is kept
 * here, since nn_seterror's buffer is per thread. */
typedef struct job {
  const nn_rec_layer *l;
  nn_rec_ws *ws;
  nn_rec_call c;
  bool forward;
  float *zero; /* floats to clear before backward (half 1's gradients) */
  size_t nzero;
  int rc;
  char err[256];
} job;

static void run_job(void *arg) {
  job *j = arg;
  if (j->zero) memset(j->zero, 0, j->nzero * sizeof(float));
  j->rc = j->forward ? j->l->cell->forward(j->ws, &j->c, j->l->D, j->l->H)
                     : j->l->cell->backward(j->ws, &j->c);
  if (j->rc != NN_OK) snprintf(j->err, sizeof j->err, "%s", nn_lasterror());
}

static int run_halves(job *h0, job *h1) {
  nn_pair_run(run_job, h1, run_job, h0);
  if (h0->rc != NN_OK) return nn_seterror("%s", h0->err);
  if (h1->rc != NN_OK) return nn_seterror("%s", h1->err);
  return NN_OK;
}

static bool split_pays(int B) {
  switch (split_mode) {
  case NN_REC_SPLIT_NEVER: return false;
  case NN_REC_SPLIT_ALWAYS: return B >= 2;
  default: return B >= NN_REC_PAIR_MIN && nn_pair_active();
  }
}

int nn_rec_layer_forward(nn_rec_layer *l, const nn_rec_call *a) {
  NN_REQUIRE(a->B > 0 && a->T > 0, "%s: bad shape B=%d T=%d", l->cell->name, a->B, a->T);
  l->mid = 0;
  if (!split_pays(a->B)) return l->cell->forward(&l->ws[0], a, l->D, l->H);
  int mid = a->B / 2;
  job h0 = {.l = l, .ws = &l->ws[0], .c = rows_of(a, 0, mid, l->D, l->H), .forward = true};
  job h1 = {.l = l, .ws = &l->ws[1], .c = rows_of(a, mid, a->B - mid, l->D, l->H),
            .forward = true};
  NN_TRY(run_halves(&h0, &h1));
  l->mid = mid;
  return NN_OK;
}

/* Offsets of half 1's weight gradients in l->grad, each a multiple of 16
 * floats (64 bytes). */
typedef struct {
  size_t wx, wh, b, bhn, total;
  size_t nwx, nwh, nb, nbhn;
} grad_layout;

static grad_layout grad_layout_of(const nn_rec_layer *l) {
  grad_layout g;
  size_t D = (size_t)l->D, H = (size_t)l->H, G = (size_t)l->cell->gates * H;
  g.nwx = D * G, g.nwh = H * G, g.nb = G, g.nbhn = l->cell->has_bhn ? H : 0;
  g.wx = 0;
  g.wh = g.wx + nn_rec_pad(g.nwx);
  g.b = g.wh + nn_rec_pad(g.nwh);
  g.bhn = g.b + nn_rec_pad(g.nb);
  g.total = g.bhn + nn_rec_pad(g.nbhn);
  return g;
}

static void add_into(float *dst, const float *src, size_t n) {
  if (!dst) return;
  for (size_t i = 0; i < n; i++) dst[i] += src[i];
}

int nn_rec_layer_backward(nn_rec_layer *l, const nn_rec_call *a) {
  if (!l->mid) return l->cell->backward(&l->ws[0], a);
  grad_layout g = grad_layout_of(l);
  NN_TRY(nn_rec_arena_reserve(&l->grad, g.total));
  float *s = l->grad.mem;
  int mid = l->mid;
  job h0 = {.l = l, .ws = &l->ws[0], .c = rows_of(a, 0, mid, l->D, l->H)};
  job h1 = {.l = l, .ws = &l->ws[1], .c = rows_of(a, mid, a->B - mid, l->D, l->H),
            .zero = s, .nzero = g.total};
  h1.c.dwx = s + g.wx, h1.c.dwh = s + g.wh, h1.c.db = s + g.b;
  h1.c.dbhn = l->cell->has_bhn ? s + g.bhn : NULL;
  NN_TRY(run_halves(&h0, &h1));
  add_into(a->dwx, s + g.wx, g.nwx);
  add_into(a->dwh, s + g.wh, g.nwh);
  add_into(a->db, s + g.b, g.nb);
  if (l->cell->has_bhn) add_into(a->dbhn, s + g.bhn, g.nbhn);
  return NN_OK;
}
