/* nn.C.*_loss: the loss kernels of src/core/losses.c on tensors.
 *
 * Each returns the mean loss as a number and, when the first argument is a
 * tensor rather than nil, writes the gradient of that mean into it (resized
 * to the input's shape).  Class labels are index tensors (1-based in Lua).
 */
#include "../core/losses.h"
#include "../core/metrics.h"
#include "nnb.h"
#include "nnb_kernels.h"

static void check_labels_tensor(lua_State *L, const nn_tensor *x, const nn_tensor *y,
                                const char *fn) {
  if (x->ndim != 2)
    nnb_error(L, fn, "scores must be (batch, classes), got %s", nnb_shape(x));
  if (!nn_tensor_is_contiguous(y))
    nnb_error(L, fn, "labels must be contiguous; call :contiguous() first");
  if (y->ndim != 1 || y->size[0] != x->size[0]) {
    char sx[96];
    nn_tensor_shape_str(x, sx, sizeof sx);
    nnb_error(L, fn, "labels must be an index tensor of %lld class numbers (one per row "
              "of the %s scores), got %s", (long long)x->size[0], sx, nnb_shape(y));
  }
}

static nn_tensor *opt_grad(lua_State *L, const nn_tensor *x, const char *fn) {
  if (lua_isnil(L, 1)) return NULL;
  nn_tensor *d = nnbk_output(L, 1, fn, "dx");
  nnbk_distinct(L, d, x, fn, "dx", "x");
  nnbk_resize_as(L, d, x, fn);
  return d;
}

/* nn.C.crossentropy_loss(dlogits|nil, logits, labels) -> loss, ncorrect */
static int l_crossentropy(lua_State *L) {
  const char *fn = "nn.C.crossentropy_loss";
  nn_tensor *x = nnbk_input(L, 2, fn, "logits");
  nn_tensor *y = nnb_checkindex(L, 3, fn);
  check_labels_tensor(L, x, y, fn);
  nn_tensor *d = opt_grad(L, x, fn);
  double loss;
  int64_t correct;
  NNB_CALL(L, fn, nn_crossentropy_loss(&loss, d ? nn_fdata(d) : NULL, &correct,
                                       nn_fdata(x), nn_idata(y), (int)x->size[0],
                                       (int)x->size[1]));
  lua_pushnumber(L, loss);
  lua_pushinteger(L, correct);
  return 2;
}

/* nn.C.svm_loss(dscores|nil, scores, labels [, margin=1]) -> loss */
static int l_svm(lua_State *L) {
  const char *fn = "nn.C.svm_loss";
  nn_tensor *x = nnbk_input(L, 2, fn, "scores");
  nn_tensor *y = nnb_checkindex(L, 3, fn);
  double margin = luaL_optnumber(L, 4, 1.0);
  check_labels_tensor(L, x, y, fn);
  nn_tensor *d = opt_grad(L, x, fn);
  double loss;
  NNB_CALL(L, fn, nn_svm_loss(&loss, d ? nn_fdata(d) : NULL, nn_fdata(x), nn_idata(y),
                              (int)x->size[0], (int)x->size[1], (float)margin));
  lua_pushnumber(L, loss);
  return 1;
}

typedef double (*pair_loss)(float *, const float *, const float *, int64_t);

static int elementwise_loss(lua_State *L, const char *fn, pair_loss f) {
  nn_tensor *x = nnbk_input(L, 2, fn, "input"), *t = nnbk_input(L, 3, fn, "target");
  if (nn_tensor_numel(x) != nn_tensor_numel(t) || !nn_tensor_same_shape(x, t)) {
    char sx[96];
    nn_tensor_shape_str(x, sx, sizeof sx);
    nnb_error(L, fn, "input (%s) and target (%s) must have the same shape", sx,
              nnb_shape(t));
  }
  nn_tensor *d = opt_grad(L, x, fn);
  lua_pushnumber(L, f(d ? nn_fdata(d) : NULL, nn_fdata(x), nn_fdata(t), nn_tensor_numel(x)));
  return 1;
}

static int l_mse(lua_State *L) { return elementwise_loss(L, "nn.C.mse_loss", nn_mse_loss); }
static int l_bce(lua_State *L) {
  return elementwise_loss(L, "nn.C.bce_logits_loss", nn_bce_logits_loss);
}

/* nn.C.count_correct(scores, labels) -> rows whose argmax is the label */
static int l_count_correct(lua_State *L) {
  const char *fn = "nn.C.count_correct";
  nn_tensor *x = nnbk_input(L, 1, fn, "scores");
  nn_tensor *y = nnb_checkindex(L, 2, fn);
  check_labels_tensor(L, x, y, fn);
  int64_t n;
  NNB_CALL(L, fn, nn_count_correct(&n, nn_fdata(x), nn_idata(y), (int)x->size[0],
                                   (int)x->size[1]));
  lua_pushinteger(L, n);
  return 1;
}

/* nn.C.confusion_add(counts, scores, labels) -> counts */
static int l_confusion_add(lua_State *L) {
  const char *fn = "nn.C.confusion_add";
  nn_tensor *m = nnbk_input(L, 1, fn, "counts");
  nn_tensor *x = nnbk_input(L, 2, fn, "scores");
  nn_tensor *y = nnb_checkindex(L, 3, fn);
  check_labels_tensor(L, x, y, fn);
  if (m->ndim != 2 || m->size[0] != x->size[1] || m->size[1] != x->size[1])
    nnb_error(L, fn, "counts must be %lldx%lld (classes x classes), got %s",
              (long long)x->size[1], (long long)x->size[1], nnb_shape(m));
  NNB_CALL(L, fn, nn_confusion_add(nn_fdata(m), nn_fdata(x), nn_idata(y), (int)x->size[0],
                                   (int)x->size[1]));
  lua_settop(L, 1);
  return 1;
}

static const nnb_reg kernels[] = {
    {"count_correct", l_count_correct,
     "nn.C.count_correct(scores, labels) -> number of rows of scores (B,C) whose argmax\n"
     "(first on ties) is the label."},
    {"confusion_add", l_confusion_add,
     "nn.C.confusion_add(counts, scores, labels) -> counts (C,C) with one added per row\n"
     "at [true class][predicted class]."},
    {"crossentropy_loss", l_crossentropy,
     "nn.C.crossentropy_loss(dlogits|nil, logits, labels) -> loss, ncorrect\n"
     "Fused stable softmax + cross-entropy: loss = -(1/B) sum log softmax(logits)[label];\n"
     "dlogits = (softmax - onehot)/B.  logits (B,C), labels an index tensor of B classes;\n"
     "ncorrect counts rows whose label has the top score (the first one on ties)."},
    {"svm_loss", l_svm,
     "nn.C.svm_loss(dscores|nil, scores, labels [, margin=1]) -> loss\n"
     "Multiclass hinge: (1/B) sum_b sum_{c~=y} max(0, s_c - s_y + margin)."},
    {"mse_loss", l_mse,
     "nn.C.mse_loss(dx|nil, x, target) -> loss = mean over ALL elements of (x-target)^2;\n"
     "dx = 2(x-target)/numel."},
    {"bce_logits_loss", l_bce,
     "nn.C.bce_logits_loss(dx|nil, x, target) -> mean binary cross-entropy of sigmoid(x)\n"
     "against targets in [0,1], computed stably from the logits; dx = (sigmoid(x)-t)/numel."},
    {NULL, NULL, NULL}};

void nnb_open_losses(lua_State *L) {
  nnbk_push_subtable(L);
  nnb_register(L, kernels);
  lua_pop(L, 1);
}
