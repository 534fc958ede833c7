/* The fused embedding-MLP training step (mlp_step.h) against the layer
 * kernels run one after the other (embedding, linear, activation, linear,
 * cross-entropy and back), a numerical gradient check, writing against
 * adding the gradients, bad ids, and the same bits with nnsh's pair on and
 * off and on every run. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activation.h"
#include "blas.h"
#include "check.h"
#include "embedding.h"
#include "error.h"
#include "gradcheck.h"
#include "linear.h"
#include "losses.h"
#include "mlp_step.h"
#include "pair.h"

typedef struct {
  nn_mlp_shape s;
  size_t nE, nW1, nW2, TD;
  float *E, *W1, *b1, *W2, *b2; /* b1, b2 NULL without biases */
  int32_t *idx, *labels;
  float *ws;
} problem;

typedef struct {
  float *dE, *dW1, *db1, *dW2, *db2, *emb, *pre, *hid, *logits;
  double loss;
  int64_t correct;
} result;

static problem make(int B, int T, int V, int D, int H, int O, nn_mlp_act act, bool bias,
                    float w) {
  problem p = {.s = {B, T, V, D, H, O, act}};
  p.TD = (size_t)T * D;
  p.nE = (size_t)V * D, p.nW1 = p.TD * H, p.nW2 = (size_t)H * O;
  p.E = malloc(p.nE * 4), p.W1 = malloc(p.nW1 * 4), p.W2 = malloc(p.nW2 * 4);
  gc_fill(p.E, (int64_t)p.nE, -1, 1);
  gc_fill(p.W1, (int64_t)p.nW1, -w, w);
  gc_fill(p.W2, (int64_t)p.nW2, -w, w);
  p.b1 = p.b2 = NULL;
  if (bias) {
    p.b1 = malloc((size_t)H * 4), p.b2 = malloc((size_t)O * 4);
    gc_fill(p.b1, H, -0.5f, 0.5f);
    gc_fill(p.b2, O, -0.5f, 0.5f);
  }
  p.idx = malloc((size_t)B * T * 4), p.labels = malloc((size_t)B * 4);
  for (int i = 0; i < B * T; i++) p.idx[i] = (int32_t)(gc_uniform(0, 1) * V) % V;
  for (int b = 0; b < B; b++) p.labels[b] = (int32_t)(gc_uniform(0, 1) * O) % O;
  p.ws = malloc(nn_mlp_workspace(&p.s) * 4);
  return p;
}

static void release(problem *p) {
  free(p->E), free(p->W1), free(p->W2), free(p->b1), free(p->b2);
  free(p->idx), free(p->labels), free(p->ws);
}

/* Gradients zeroed (or filled with `fill` to show they are overwritten). */
static result blank(const problem *p, float fill) {
  const nn_mlp_shape *s = &p->s;
  result r = {0};
  r.dE = malloc(p->nE * 4), r.dW1 = malloc(p->nW1 * 4), r.dW2 = malloc(p->nW2 * 4);
  r.db1 = malloc((size_t)s->H * 4), r.db2 = malloc((size_t)s->O * 4);
  float *g[] = {r.dE, r.dW1, r.dW2, r.db1, r.db2};
  size_t n[] = {p->nE, p->nW1, p->nW2, (size_t)s->H, (size_t)s->O};
  for (int k = 0; k < 5; k++)
    for (size_t i = 0; i < n[k]; i++) g[k][i] = fill;
  r.emb = malloc((size_t)s->B * p->TD * 4), r.pre = malloc((size_t)s->B * s->H * 4);
  r.hid = malloc((size_t)s->B * s->H * 4), r.logits = malloc((size_t)s->B * s->O * 4);
  return r;
}

static void drop(result *r) {
  free(r->dE), free(r->dW1), free(r->db1), free(r->dW2), free(r->db2);
  free(r->emb), free(r->pre), free(r->hid), free(r->logits);
}

static int fused(const problem *p, result *r, bool overwrite) {
  nn_mlp_params q = {p->E, p->W1, p->b1, p->W2, p->b2, r->dE, r->dW1,
                     p->b1 ? r->db1 : NULL, r->dW2, p->b2 ? r->db2 : NULL, overwrite};
  nn_mlp_values v = {r->emb, r->pre, r->hid, r->logits};
  return nn_mlp_step(&r->loss, &r->correct, &p->s, &q, p->idx, p->labels, &v, p->ws);
}

/* The layers one after the other, as nn.Sequential runs them. */
static void reference(const problem *p, result *r) {
  const nn_mlp_shape *s = &p->s;
  const int B = s->B, H = s->H, O = s->O, TD = (int)p->TD;
  const int64_t nH = (int64_t)B * H;
  float *dlog = malloc((size_t)B * O * 4), *dhid = malloc((size_t)nH * 4),
        *dpre = malloc((size_t)nH * 4), *demb = malloc((size_t)B * TD * 4);
  CHECK(nn_embedding_forward(r->emb, p->idx, p->E, (int64_t)B * s->T, s->V, s->D) == NN_OK);
  nn_linear_forward(r->pre, r->emb, p->W1, p->b1, B, TD, H);
  if (s->act == NN_MLP_SIGMOID) nn_sigmoid_forward(r->hid, r->pre, nH);
  if (s->act == NN_MLP_TANH) nn_tanh_forward(r->hid, r->pre, nH);
  if (s->act == NN_MLP_RELU) nn_relu_forward(r->hid, r->pre, nH);
  nn_linear_forward(r->logits, r->hid, p->W2, p->b2, B, H, O);
  CHECK(nn_crossentropy_loss(&r->loss, dlog, &r->correct, r->logits, p->labels, B, O) == NN_OK);
  nn_linear_backward(dhid, r->dW2, p->b2 ? r->db2 : NULL, dlog, r->hid, p->W2, B, H, O);
  if (s->act == NN_MLP_SIGMOID) nn_sigmoid_backward(dpre, dhid, r->hid, nH);
  if (s->act == NN_MLP_TANH) nn_tanh_backward(dpre, dhid, r->hid, nH);
  if (s->act == NN_MLP_RELU) nn_relu_backward(dpre, dhid, r->pre, nH);
  nn_linear_backward(demb, r->dW1, p->b1 ? r->db1 : NULL, dpre, r->emb, p->W1, B, TD, H);
  CHECK(nn_embedding_backward(r->dE, demb, p->idx, (int64_t)B * s->T, s->V, s->D) == NN_OK);
  free(dlog), free(dhid), free(dpre), free(demb);
}

/* Forward values and loss as the layers' (same kernels, float rounding at
 * most); gradients to float rounding (the batch sums are split in two).
 * An indexing or ordering error is O(1). */
static void compare_reference(int B, int T, int V, int D, int H, int O, nn_mlp_act act,
                              bool bias) {
  problem p = make(B, T, V, D, H, O, act, bias, 0.5f);
  result f = blank(&p, 0), r = blank(&p, 0);
  CHECK(fused(&p, &f, false) == NN_OK);
  reference(&p, &r);
  CHECK_NEAR(f.loss, r.loss, 1e-6);
  CHECK(f.correct == r.correct);
  CHECK(max_rel_diff(f.emb, r.emb, (size_t)B * p.TD) == 0);
  CHECK(max_rel_diff(f.pre, r.pre, (size_t)B * H) < 1e-5);
  CHECK(max_rel_diff(f.hid, r.hid, (size_t)B * H) < 1e-5);
  CHECK(max_rel_diff(f.logits, r.logits, (size_t)B * O) < 1e-5);
  CHECK(max_rel_diff(f.dE, r.dE, p.nE) < 1e-4);
  CHECK(max_rel_diff(f.dW1, r.dW1, p.nW1) < 1e-4);
  CHECK(max_rel_diff(f.dW2, r.dW2, p.nW2) < 1e-4);
  if (bias) {
    CHECK(max_rel_diff(f.db1, r.db1, (size_t)H) < 1e-4);
    CHECK(max_rel_diff(f.db2, r.db2, (size_t)O) < 1e-4);
  }
  /* Overwriting gradients full of garbage gives what adding to zeros gave;
   * adding to them again doubles them. */
  result w = blank(&p, 7.0f);
  CHECK(fused(&p, &w, true) == NN_OK);
  bool same = true;
  for (size_t i = 0; i < p.nE; i++) same = same && w.dE[i] == f.dE[i];
  for (size_t i = 0; i < p.nW1; i++) same = same && w.dW1[i] == f.dW1[i];
  for (size_t i = 0; i < p.nW2; i++) same = same && w.dW2[i] == f.dW2[i];
  for (int i = 0; bias && i < H; i++) same = same && w.db1[i] == f.db1[i];
  for (int i = 0; bias && i < O; i++) same = same && w.db2[i] == f.db2[i];
  CHECK(same);
  CHECK(w.loss == f.loss);
  CHECK(fused(&p, &f, false) == NN_OK);
  for (size_t i = 0; i < p.nW2; i++) w.dW2[i] *= 2;
  for (size_t i = 0; i < p.nE; i++) w.dE[i] *= 2;
  CHECK(max_rel_diff(f.dW2, w.dW2, p.nW2) < 1e-4);
  CHECK(max_rel_diff(f.dE, w.dE, p.nE) < 1e-4);
  drop(&f), drop(&r), drop(&w);
  release(&p);
}

static void test_reference(void) {
  /* the trigram model's shape, half a batch */
  compare_reference(100, 3, 250, 32, 256, 250, NN_MLP_SIGMOID, true);
  /* odd batch, repeated words, tanh, rows not a multiple of 8 */
  compare_reference(13, 2, 5, 7, 9, 11, NN_MLP_TANH, true);
  /* ReLU without biases */
  compare_reference(8, 4, 20, 3, 17, 6, NN_MLP_RELU, false);
  /* one row: the first half is empty */
  compare_reference(1, 3, 10, 4, 5, 6, NN_MLP_SIGMOID, true);
  compare_reference(2, 1, 3, 2, 3, 4, NN_MLP_RELU, true);
}

static problem gp;
static result gr;
static double loss_of(void *ctx) {
  (void)ctx;
  CHECK(fused(&gp, &gr, true) == NN_OK);
  return gr.loss;
}

/* Central differences of the loss against the gradients of one step. */
static void gradcheck(nn_mlp_act act) {
  gp = make(7, 3, 6, 4, 5, 4, act, true, 1.0f);
  result g = blank(&gp, 0);
  gr = blank(&gp, 0);
  CHECK(fused(&gp, &g, true) == NN_OK);
  CHECK(gc_max_rel_error(gp.E, g.dE, (int64_t)gp.nE, loss_of, NULL, 1e-2f) < 1e-2);
  CHECK(gc_max_rel_error(gp.W1, g.dW1, (int64_t)gp.nW1, loss_of, NULL, 1e-2f) < 1e-2);
  CHECK(gc_max_rel_error(gp.b1, g.db1, 5, loss_of, NULL, 1e-2f) < 1e-2);
  CHECK(gc_max_rel_error(gp.W2, g.dW2, (int64_t)gp.nW2, loss_of, NULL, 1e-2f) < 1e-2);
  CHECK(gc_max_rel_error(gp.b2, g.db2, 4, loss_of, NULL, 1e-2f) < 1e-2);
  drop(&g), drop(&gr);
  release(&gp);
}

static void test_gradcheck(void) {
  gc_state = 88172645463325252ull;
  gradcheck(NN_MLP_SIGMOID);
  gradcheck(NN_MLP_TANH);
}

/* A bad id or label: an error, nothing written. */
static void test_bad_ids(void) {
  problem p = make(6, 3, 10, 4, 5, 6, NN_MLP_SIGMOID, true, 0.5f);
  result r = blank(&p, 1.5f);
  p.idx[17] = 10;
  CHECK(fused(&p, &r, true) == NN_ERR);
  p.idx[17] = 0, p.labels[5] = -1;
  CHECK(fused(&p, &r, false) == NN_ERR);
  bool untouched = true;
  for (size_t i = 0; i < p.nE; i++) untouched = untouched && r.dE[i] == 1.5f;
  for (size_t i = 0; i < p.nW2; i++) untouched = untouched && r.dW2[i] == 1.5f;
  CHECK(untouched);
  drop(&r);
  release(&p);
}

/* With the pair the two halves run at once; without it one after the
 * other: the same bits either way, and on every run. */
static void test_pair_bitwise(void) {
  problem p = make(200, 3, 250, 32, 256, 250, NN_MLP_SIGMOID, true, 0.1f);
  result r[3];
  for (int k = 0; k < 3; k++) {
    r[k] = blank(&p, 0);
    bool pair = k > 0;
    nn_pair_enable(pair);
    nn_blas_set_threads(pair ? 2 : 1);
    CHECK(pair ? nn_pair_active() || sysconf(_SC_NPROCESSORS_ONLN) < 2 : !nn_pair_active());
    CHECK(nn_mlp_step_pays());
    CHECK(fused(&p, &r[k], k == 2) == NN_OK);
  }
  for (int k = 1; k < 3; k++) {
    CHECK(r[k].loss == r[0].loss && r[k].correct == r[0].correct);
    CHECK(memcmp(r[k].logits, r[0].logits, (size_t)200 * 250 * 4) == 0);
    CHECK(memcmp(r[k].dE, r[0].dE, p.nE * 4) == 0);
    CHECK(memcmp(r[k].dW1, r[0].dW1, p.nW1 * 4) == 0);
    CHECK(memcmp(r[k].db1, r[0].db1, 256 * 4) == 0);
    CHECK(memcmp(r[k].dW2, r[0].dW2, p.nW2 * 4) == 0);
    CHECK(memcmp(r[k].db2, r[0].db2, 250 * 4) == 0);
  }
  /* OpenBLAS's own threads (the pair off at 2 threads): the layers are faster */
  nn_pair_enable(false);
  nn_blas_set_threads(2);
  CHECK(!nn_mlp_step_pays() || nn_blas_openblas_threads() < 2);
  nn_pair_enable(true);
  for (int k = 0; k < 3; k++) drop(&r[k]);
  release(&p);
}

int main(void) {
  test_reference();
  test_gradcheck();
  test_bad_ids();
  test_pair_bitwise();
  return check_summary("test_mlp_step");
}
