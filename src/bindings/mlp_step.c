/* nn.C.mlp_step: the fused training step of an embedding MLP classifier
 * (src/core/mlp_step.h) on tensors, registered into nn.C by
 * nnb_open_layers.  lua/nn/mlp_step.lua calls it for nn.training_step. */
#include <string.h>

#include "../core/mlp_step.h"
#include "nnb.h"
#include "nnb_kernels.h"

static const char *const FN = "nn.C.mlp_step";

static void want(lua_State *L, const nn_tensor *t, int64_t a, int64_t b, const char *name) {
  int64_t size[2] = {a, b};
  nnbk_check_shape(L, t, b < 0 ? 1 : 2, size, FN, name);
}

/* A bias and its gradient: both nil or both (n) tensors. */
static void bias_pair(lua_State *L, int arg, int garg, int64_t n, const char *name,
                      const char *gname, const float **b, float **db) {
  *b = NULL, *db = NULL;
  if (lua_isnil(L, arg) && lua_isnil(L, garg)) return;
  nn_tensor *bt = nnbk_input(L, arg, FN, name), *dbt = nnbk_input(L, garg, FN, gname);
  want(L, bt, n, -1, name);
  want(L, dbt, n, -1, gname);
  *b = nn_fdata(bt), *db = nn_fdata(dbt);
}

static float *resized(lua_State *L, int arg, const char *name, int ndim, const int64_t *size,
                      const nn_tensor *const *inputs, int ninputs) {
  nn_tensor *t = nnbk_output(L, arg, FN, name);
  for (int i = 0; i < ninputs; i++) nnbk_distinct(L, t, inputs[i], FN, name, "a weight");
  NNB_CALL(L, FN, nn_tensor_resize(t, ndim, size));
  return nn_fdata(t);
}

/* nn.C.mlp_step(ws, idx, labels, act, E, dE, W1, b1|nil, dW1, db1|nil,
 *               W2, b2|nil, dW2, db2|nil, emb, pre, hid, logits [, overwrite])
 *   -> loss, ncorrect */
static int l_mlp_step(lua_State *L) {
  nn_tensor *ws = nnbk_output(L, 1, FN, "ws");
  nn_tensor *idx = nnb_checkindex(L, 2, FN), *labels = nnb_checkindex(L, 3, FN);
  static const char *const acts[] = {"sigmoid", "tanh", "relu", NULL};
  static const nn_mlp_act act_of[] = {NN_MLP_SIGMOID, NN_MLP_TANH, NN_MLP_RELU};
  nn_mlp_act act = act_of[luaL_checkoption(L, 4, NULL, acts)];
  nn_tensor *E = nnbk_input(L, 5, FN, "E"), *dE = nnbk_input(L, 6, FN, "dE");
  nn_tensor *W1 = nnbk_input(L, 7, FN, "W1"), *dW1 = nnbk_input(L, 9, FN, "dW1");
  nn_tensor *W2 = nnbk_input(L, 11, FN, "W2"), *dW2 = nnbk_input(L, 13, FN, "dW2");
  if (!nn_tensor_is_contiguous(idx) || !nn_tensor_is_contiguous(labels))
    nnb_error(L, FN, "idx and labels must be contiguous; call :contiguous() first");
  if (idx->ndim != 2 || idx->size[0] < 1)
    nnb_error(L, FN, "idx must be (batch, ids per row), got %s", nnb_shape(idx));
  nnb_checkdim(L, E, 2, FN, "E");
  nnb_checkdim(L, W1, 2, FN, "W1");
  nnb_checkdim(L, W2, 2, FN, "W2");
  const int64_t B = idx->size[0], T = idx->size[1], V = E->size[0], D = E->size[1];
  const int64_t H = W1->size[1], O = W2->size[1];
  want(L, labels, B, -1, "labels");
  want(L, W1, T * D, H, "W1");
  want(L, W2, H, O, "W2");
  nnbk_same_shape(L, dE, E, FN, "dE", "E");
  nnbk_same_shape(L, dW1, W1, FN, "dW1", "W1");
  nnbk_same_shape(L, dW2, W2, FN, "dW2", "W2");
  nn_mlp_params p = {nn_fdata(E), nn_fdata(W1), NULL, nn_fdata(W2), NULL,
                     nn_fdata(dE), nn_fdata(dW1), NULL, nn_fdata(dW2), NULL,
                     lua_toboolean(L, 19)};
  bias_pair(L, 8, 10, H, "b1", "db1", &p.b1, &p.db1);
  bias_pair(L, 12, 14, O, "b2", "db2", &p.b2, &p.db2);
  if (p.overwrite) {
    const float *g[] = {p.dE, p.dW1, p.db1, p.dW2, p.db2};
    for (int i = 0; i < 5; i++)
      for (int j = i + 1; j < 5; j++)
        if (g[i] && g[i] == g[j])
          nnb_error(L, FN, "overwrite needs five distinct gradient tensors");
  }
  const nn_tensor *weights[] = {E, dE, W1, dW1, W2, dW2};
  const int64_t emb_size[3] = {B, T, D}, pre_size[2] = {B, H}, log_size[2] = {B, O};
  nn_mlp_values v;
  v.emb = resized(L, 15, "emb", 3, emb_size, weights, 6);
  v.pre = resized(L, 16, "pre", 2, pre_size, weights, 6);
  v.hid = resized(L, 17, "hid", 2, pre_size, weights, 6);
  v.logits = resized(L, 18, "logits", 2, log_size, weights, 6);
  if (v.hid == v.pre || v.emb == v.pre || v.emb == v.hid || v.logits == v.hid ||
      v.logits == v.pre || v.logits == v.emb)
    nnb_error(L, FN, "emb, pre, hid and logits must be four different tensors");
  nn_mlp_shape s = {(int)B, (int)T, (int)V, (int)D, (int)H, (int)O, act};
  size_t need = nn_mlp_workspace(&s);
  for (int i = 0; i < 6; i++) nnbk_distinct(L, ws, weights[i], FN, "ws", "a weight");
  if ((size_t)nn_tensor_numel(ws) < need) NNB_CALL(L, FN, nn_tensor_resize1(ws, (int64_t)need));
  double loss;
  int64_t correct;
  NNB_CALL(L, FN, nn_mlp_step(&loss, &correct, &s, &p, nn_idata(idx), nn_idata(labels), &v,
                              nn_fdata(ws)));
  lua_pushnumber(L, loss);
  lua_pushinteger(L, correct);
  return 2;
}

static int l_mlp_step_pays(lua_State *L) {
  lua_pushboolean(L, nn_mlp_step_pays());
  return 1;
}

static const nnb_reg mlp_kernels[] = {
    {"mlp_step", l_mlp_step,
     "nn.C.mlp_step(ws, idx, labels, act, E, dE, W1, b1|nil, dW1, db1|nil, W2, b2|nil,\n"
     "            dW2, db2|nil, emb, pre, hid, logits [, overwrite]) -> loss, ncorrect\n"
     "One training step of Embedding(E) of idx (B,T) -> Linear(W1,b1) -> act ('sigmoid',\n"
     "'tanh', 'relu') -> Linear(W2,b2) -> cross-entropy against labels (B), the two halves\n"
     "of the batch on two cores: gradients accumulate into dE.. (overwrite: are written),\n"
     "the forward values go to emb (B,T,D), pre, hid (B,H), logits (B,O); ws is grown as\n"
     "needed."},
    {"mlp_step_pays", l_mlp_step_pays,
     "nn.C.mlp_step_pays() -> whether nn.C.mlp_step is the faster path now (nnsh's pair\n"
     "or one thread; not under OpenBLAS's own threads)."},
    {NULL, NULL, NULL}};

void nnbk_register_mlp_step(lua_State *L) { nnb_register(L, mlp_kernels); }
