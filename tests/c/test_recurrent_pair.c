/* The recurrent layer split in two half-batches (recurrent_pair.c) against
 * the unsplit cells, for the tanh RNN, the LSTM and the GRU:
 *   - out, dx, dh0, dc0 are per sequence: the same bits split or not;
 *   - the weight gradients are batch sums added in two parts: equal to
 *     float rounding (|a-b| <= 1e-5 (1+|b|); a wrong slice or a missed
 *     half is off by O(1)), and accumulated onto what the tensors held;
 *   - split with the pair on (two threads) and off (one after the other):
 *     the same bits.
 * With h0/c0 given and absent, every state or the last one as output, odd
 * batches (uneven halves), D below and above the fused small-D path, and
 * both per-step kernels (packed, BLAS).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "blas.h"
#include "check.h"
#include "error.h"
#include "pair.h"
#include "recurrent_pair.h"

static uint64_t seed = 12345;
static float uni(void) {
  seed = seed * 6364136223846793005ull + 1442695040888963407ull;
  return (float)((double)(seed >> 11) * (1.0 / 9007199254740992.0) * 2.0 - 1.0);
}
static float *rnd(size_t n, float a) {
  float *p = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) p[i] = a * uni();
  return p;
}

typedef struct {
  float *out, *dx, *dh0, *dc0, *dwx, *dwh, *db, *dbhn;
} result;

typedef struct {
  int cell, B, T, D, H, G;
  bool all, init;
  float *x, *h0, *c0, *wx, *wh, *b, *bhn, *dout;
  size_t nout;
} problem;

static problem make(int cell, int B, int T, int D, int H, bool all, bool init) {
  problem p = {.cell = cell, .B = B, .T = T, .D = D, .H = H,
               .G = nn_rec_cells[cell].gates * H, .all = all, .init = init};
  p.x = rnd((size_t)B * T * D, 1.0f);
  p.h0 = rnd((size_t)B * H, 0.5f);
  p.c0 = rnd((size_t)B * H, 0.5f);
  p.wx = rnd((size_t)D * p.G, 0.5f);
  p.wh = rnd((size_t)H * p.G, 0.3f);
  p.b = rnd((size_t)p.G, 0.2f);
  p.bhn = rnd((size_t)H, 0.2f);
  p.nout = (size_t)B * (all ? T : 1) * H;
  p.dout = rnd(p.nout, 1.0f);
  return p;
}

static void release(problem *p) {
  float *v[] = {p->x, p->h0, p->c0, p->wx, p->wh, p->b, p->bhn, p->dout};
  for (size_t i = 0; i < sizeof v / sizeof *v; i++) free(v[i]);
}

/* Gradients start at 0.25, so that a pass that overwrote instead of
 * accumulating shows. */
static float *filled(size_t n) {
  float *p = malloc(n * sizeof(float));
  for (size_t i = 0; i < n; i++) p[i] = 0.25f;
  return p;
}

static result run(const problem *p, nn_rec_split_mode mode) {
  size_t BH = (size_t)p->B * p->H;
  result r = {malloc(p->nout * sizeof(float)), malloc((size_t)p->B * p->T * p->D * sizeof(float)),
              malloc(BH * sizeof(float)), malloc(BH * sizeof(float)),
              filled((size_t)p->D * p->G), filled((size_t)p->H * p->G), filled((size_t)p->G),
              filled((size_t)p->H)};
  bool lstm = p->cell == NN_REC_LSTM, gru = p->cell == NN_REC_GRU;
  nn_rec_layer l;
  nn_rec_layer_init(&l, p->cell, p->D, p->H);
  nn_rec_set_split(mode);
  nn_rec_call f = {.x = p->x, .h0 = p->init ? p->h0 : NULL,
                   .c0 = p->init && lstm ? p->c0 : NULL, .out = r.out,
                   .wx = p->wx, .wh = p->wh, .b = p->b, .bhn = gru ? p->bhn : NULL,
                   .B = p->B, .T = p->T, .all = p->all};
  CHECK(nn_rec_layer_forward(&l, &f) == NN_OK);
  CHECK((l.mid != 0) == (mode == NN_REC_SPLIT_ALWAYS));
  nn_rec_call g = {.dout = p->dout, .dx = r.dx, .dh0 = p->init ? r.dh0 : NULL,
                   .dc0 = p->init && lstm ? r.dc0 : NULL, .wx = p->wx, .wh = p->wh,
                   .dwx = r.dwx, .dwh = r.dwh, .db = r.db, .dbhn = gru ? r.dbhn : NULL,
                   .B = p->B, .T = p->T, .all = p->all};
  CHECK(nn_rec_layer_backward(&l, &g) == NN_OK);
  nn_rec_layer_free(&l);
  nn_rec_set_split(NN_REC_SPLIT_AUTO);
  return r;
}

static void drop(result *r) {
  float *v[] = {r->out, r->dx, r->dh0, r->dc0, r->dwx, r->dwh, r->db, r->dbhn};
  for (size_t i = 0; i < sizeof v / sizeof *v; i++) free(v[i]);
}

static bool same(const float *a, const float *b, size_t n) {
  return memcmp(a, b, n * sizeof(float)) == 0;
}

static bool near(const float *a, const float *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (!(fabsf(a[i] - b[i]) <= 1e-5f * (1.0f + fabsf(b[i])))) {
      fprintf(stderr, "  [%zu] %.9g vs %.9g\n", i, (double)a[i], (double)b[i]);
      return false;
    }
  return true;
}

/* exact: everything bitwise.  Else the per-sequence results bitwise, but
 * for halves of one row under the BLAS kernel: OpenBLAS gives a product of
 * one row (a gemv) other bits than a row of a larger one (the backward
 * products with wh^T); never in nnsh's use, whose halves have at least
 * NN_REC_PAIR_MIN / 2 rows.  The weight gradients near. */
static void compare(const problem *p, const result *a, const result *b, bool exact) {
  size_t BH = (size_t)p->B * p->H, G = (size_t)p->G;
  bool seq_exact = exact || p->B / 2 >= 2 || nn_rec_gemm_is_packed();
  bool (*eq)(const float *, const float *, size_t) = seq_exact ? same : near;
  CHECK(same(a->out, b->out, p->nout));
  CHECK(eq(a->dx, b->dx, (size_t)p->B * p->T * p->D));
  if (p->init) CHECK(eq(a->dh0, b->dh0, BH));
  if (p->init && p->cell == NN_REC_LSTM) CHECK(eq(a->dc0, b->dc0, BH));
  if (exact) {
    CHECK(same(a->dwx, b->dwx, (size_t)p->D * G) && same(a->dwh, b->dwh, (size_t)p->H * G) &&
          same(a->db, b->db, G) && same(a->dbhn, b->dbhn, (size_t)p->H));
  } else {
    CHECK(near(a->dwx, b->dwx, (size_t)p->D * G));
    CHECK(near(a->dwh, b->dwh, (size_t)p->H * G));
    CHECK(near(a->db, b->db, G));
    CHECK(near(a->dbhn, b->dbhn, (size_t)p->H));
  }
}

static void set_pair(bool on) {
  nn_pair_enable(on);
  nn_blas_set_threads(on ? 2 : 1);
  CHECK(on ? nn_pair_active() || sysconf(_SC_NPROCESSORS_ONLN) < 2 : !nn_pair_active());
}

static void test_split(int cell, int B, int D, bool all, bool init) {
  problem p = make(cell, B, 6, D, 5, all, init);
  set_pair(false);
  result ref = run(&p, NN_REC_SPLIT_NEVER), one = run(&p, NN_REC_SPLIT_ALWAYS);
  set_pair(true);
  result two = run(&p, NN_REC_SPLIT_ALWAYS), again = run(&p, NN_REC_SPLIT_ALWAYS);
  int before = check_failures;
  compare(&p, &one, &ref, false);
  compare(&p, &two, &one, true);
  compare(&p, &again, &two, true);
  if (check_failures != before)
    fprintf(stderr, "  (%s B=%d D=%d all=%d init=%d packed=%d)\n", nn_rec_cells[cell].name, B,
            D, all, init, nn_rec_gemm_is_packed());
  drop(&ref), drop(&one), drop(&two), drop(&again);
  release(&p);
}

/* AUTO splits only with the pair active and a batch of NN_REC_PAIR_MIN. */
static void test_auto(void) {
  nn_rec_layer l;
  problem p = make(NN_REC_GRU, NN_REC_PAIR_MIN, 3, 3, 4, false, false);
  float *out = malloc((size_t)p.B * p.H * sizeof(float));
  nn_rec_layer_init(&l, NN_REC_GRU, p.D, p.H);
  for (int k = 0; k < 3; k++) {
    set_pair(k != 1);
    nn_rec_call f = {.x = p.x, .out = out, .wx = p.wx, .wh = p.wh, .b = p.b, .bhn = p.bhn,
                     .B = k == 2 ? p.B - 1 : p.B, .T = p.T};
    CHECK(nn_rec_layer_forward(&l, &f) == NN_OK);
    CHECK((l.mid != 0) == (k == 0 && nn_pair_active()));
  }
  nn_rec_layer_free(&l);
  free(out);
  release(&p);
}

int main(void) {
  nn_rec_gemm_mode modes[] = {NN_REC_GEMM_PACKED, NN_REC_GEMM_BLAS};
  int batches[] = {2, 7, 16, 33};
  for (int m = 0; m < 2; m++) {
    nn_rec_set_gemm(modes[m]);
    for (int cell = 0; cell < NN_REC_NCELLS; cell++)
      for (int bi = 0; bi < 4; bi++)
        for (int k = 0; k < 4; k++)
          test_split(cell, batches[bi], bi == 3 ? 11 : 3, k & 1, k & 2);
  }
  nn_rec_set_gemm(NN_REC_GEMM_AUTO);
  test_auto();
  return check_summary("test_recurrent_pair");
}
