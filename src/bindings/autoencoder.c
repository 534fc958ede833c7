/* Bindings of the fused sparse-autoencoder cost (src/core/autoencoder.h) as
 * the sub-table nn.ae_c; lua/experiments/ae.lua builds the `ae` module (ae.cost, ...)
 * on top of it.
 *
 *   nn.ae_c.cost(W, b1, b2, X, lambda, beta, rho [, dW, db1, db2])
 *     -> J, mse, tykhonov, kl, mean_activation
 *   W (Lhid,Lin), b1 (Lhid), b2 (Lin), X (N,Lin); with dW, db1, db2
 *   (contiguous float tensors of W's, b1's, b2's shapes) the gradients are
 *   written into them.
 *   nn.ae_c.forward(W, b1, b2, X) -> H (N,Lhid), O (N,Lin)
 *
 * The work buffers live in one userdata kept as an upvalue of these
 * functions and only grow, so a training loop allocates nothing per batch.
 */
#include <string.h>

#include "../core/autoencoder.h"
#include "../core/error.h"
#include "nnb.h"

#define WORK_MT "nn.AEWork"

static int work_gc(lua_State *L) {
  nn_ae_work_free(luaL_checkudata(L, 1, WORK_MT));
  return 0;
}

/* Check a contiguous float tensor of the given 1-d/2-d shape. */
static nn_tensor *checkshaped(lua_State *L, int arg, const char *fname, const char *what,
                              int ndim, int64_t d0, int64_t d1) {
  nn_tensor *t = nnb_checkfloat(L, arg, fname);
  bool ok = t->ndim == ndim && t->size[0] == d0 && (ndim == 1 || t->size[1] == d1);
  if (!ok) {
    if (ndim == 1)
      nnb_error(L, fname, "%s must be a vector of %lld, got %s", what, (long long)d0,
                nnb_shape(t));
    nnb_error(L, fname, "%s must be %lldx%lld, got %s", what, (long long)d0, (long long)d1,
              nnb_shape(t));
  }
  if (!nn_tensor_is_contiguous(t))
    nnb_error(L, fname, "%s must be contiguous (use :contiguous())", what);
  return t;
}

typedef struct {
  nn_tensor *W, *b1, *b2, *X;
  int N, Lin, Lhid;
} ae_args;

static ae_args check_args(lua_State *L, const char *fname) {
  ae_args a;
  a.W = nnb_checkfloat(L, 1, fname);
  if (a.W->ndim != 2)
    nnb_error(L, fname, "W must be 2-d (Lhid x Lin), got %s", nnb_shape(a.W));
  a.Lhid = (int)a.W->size[0];
  a.Lin = (int)a.W->size[1];
  if (a.Lhid < 1 || a.Lin < 1) nnb_error(L, fname, "W is empty (%s)", nnb_shape(a.W));
  checkshaped(L, 1, fname, "W", 2, a.Lhid, a.Lin);
  a.b1 = checkshaped(L, 2, fname, "b1", 1, a.Lhid, 0);
  a.b2 = checkshaped(L, 3, fname, "b2", 1, a.Lin, 0);
  a.X = nnb_checkfloat(L, 4, fname);
  if (a.X->ndim != 2 || a.X->size[1] != a.Lin || a.X->size[0] < 1)
    nnb_error(L, fname, "data must be N x %d (one patch per row, Lin = W's columns), got %s",
              a.Lin, nnb_shape(a.X));
  a.N = (int)a.X->size[0];
  checkshaped(L, 4, fname, "data", 2, a.N, a.Lin);
  return a;
}

static int l_cost(lua_State *L) {
  const char *fname = "ae.cost";
  ae_args a = check_args(L, fname);
  nn_ae_params p = {a.Lin, a.Lhid, luaL_checknumber(L, 5), luaL_checknumber(L, 6),
                    luaL_checknumber(L, 7)};
  NNB_CALL(L, fname, nn_ae_check_params(&p));
  float *dW = NULL, *db1 = NULL, *db2 = NULL;
  if (!lua_isnoneornil(L, 8)) {
    dW = nn_fdata(checkshaped(L, 8, fname, "dW", 2, a.Lhid, a.Lin));
    db1 = nn_fdata(checkshaped(L, 9, fname, "db1", 1, a.Lhid, 0));
    db2 = nn_fdata(checkshaped(L, 10, fname, "db2", 1, a.Lin, 0));
  }
  nn_ae_work *ws = luaL_checkudata(L, lua_upvalueindex(1), WORK_MT);
  nn_ae_terms t;
  NNB_CALL(L, fname, nn_ae_cost(&t, dW, db1, db2, nn_fdata(a.W), nn_fdata(a.b1),
                                nn_fdata(a.b2), nn_fdata(a.X), a.N, &p, ws));
  lua_pushnumber(L, t.J);
  lua_pushnumber(L, t.mse);
  lua_pushnumber(L, t.tykhonov);
  lua_pushnumber(L, t.kl);
  lua_pushnumber(L, t.mean_act);
  return 5;
}

static int l_forward(lua_State *L) {
  const char *fname = "ae.forward";
  ae_args a = check_args(L, fname);
  nn_tensor *H = nnb_newtensor(L, NN_F32);
  nn_tensor *O = nnb_newtensor(L, NN_F32);
  NNB_CALL(L, fname, nn_tensor_resize2(H, a.N, a.Lhid));
  NNB_CALL(L, fname, nn_tensor_resize2(O, a.N, a.Lin));
  nn_ae_work *ws = luaL_checkudata(L, lua_upvalueindex(1), WORK_MT);
  /* The cost pass leaves H and O in the work buffers; the sparsity
   * parameters do not affect them. */
  nn_ae_params p = {a.Lin, a.Lhid, 0.0, 0.0, 0.5};
  nn_ae_terms t;
  NNB_CALL(L, fname, nn_ae_cost(&t, NULL, NULL, NULL, nn_fdata(a.W), nn_fdata(a.b1),
                                nn_fdata(a.b2), nn_fdata(a.X), a.N, &p, ws));
  memcpy(nn_fdata(H), ws->h, sizeof(float) * (size_t)a.N * (size_t)a.Lhid);
  memcpy(nn_fdata(O), ws->o, sizeof(float) * (size_t)a.N * (size_t)a.Lin);
  return 2;
}

static const nnb_reg ae_fns[] = {
    {"cost", l_cost,
     "nn.ae_c.cost(W, b1, b2, X, lambda, beta, rho [, dW, db1, db2])\n"
     "  -> J, mse, tykhonov, kl, mean_activation\n"
     "Fused cost and gradients of the tied-weight sparse autoencoder (use ae.cost).\n"
     "W (Lhid,Lin), b1 (Lhid), b2 (Lin), X (N,Lin); gradients written into dW, db1, db2."},
    {"forward", l_forward,
     "nn.ae_c.forward(W, b1, b2, X) -> H (N,Lhid), O (N,Lin): hidden activations and\n"
     "reconstructions of the rows of X."},
    {NULL, NULL, NULL}};

void nnb_open_autoencoder(lua_State *L) {
  lua_newtable(L);
  nn_ae_work *ws = lua_newuserdatauv(L, sizeof(nn_ae_work), 0);
  nn_ae_work_init(ws);
  if (luaL_newmetatable(L, WORK_MT)) {
    lua_pushcfunction(L, work_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  /* Register each function as a closure over the work userdata. */
  for (const nnb_reg *r = ae_fns; r->name; r++) {
    lua_pushvalue(L, -1);
    lua_pushcclosure(L, r->fn, 1);
    nnb_setdoc(L, -1, r->doc);
    lua_setfield(L, -3, r->name);
  }
  lua_pop(L, 1);
  lua_setfield(L, -2, "ae_c");
}
