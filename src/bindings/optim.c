/* nn.C.*_step: the update rules of src/core/optim.c, in place on a
 * parameter tensor, and nn.clip_grad_norm over a list of gradients.
 * The optimizer objects are Lua (lua/optim.lua); the arithmetic is here.
 */
#include <math.h>

#include "../core/optim.h"
#include "nnb.h"
#include "nnb_kernels.h"

/* Parameter, gradient and state buffers must all match the parameter. */
static nn_tensor *state_arg(lua_State *L, int arg, const nn_tensor *p, const char *fn,
                            const char *name) {
  nn_tensor *s = nnbk_input(L, arg, fn, name);
  nnbk_same_shape(L, s, p, fn, name, "the parameter");
  return s;
}

static double num_field(lua_State *L, int arg, int i, const char *fn, const char *name) {
  int ok;
  double v = lua_tonumberx(L, i, &ok);
  if (!ok)
    nnb_error(L, fn, "argument #%d (%s) must be a number, got %s", arg, name,
              luaL_typename(L, i));
  return v;
}

/* nn.C.sgd_step(p, g, v|nil, lr, momentum, weight_decay, nesterov) */
static int l_sgd(lua_State *L) {
  const char *fn = "nn.C.sgd_step";
  nn_tensor *p = nnbk_input(L, 1, fn, "param");
  nn_tensor *g = state_arg(L, 2, p, fn, "grad");
  double lr = num_field(L, 4, 4, fn, "lr"), mom = num_field(L, 5, 5, fn, "momentum");
  double wd = num_field(L, 6, 6, fn, "weight_decay");
  int nesterov = lua_toboolean(L, 7);
  nn_tensor *v = lua_isnil(L, 3) ? NULL : state_arg(L, 3, p, fn, "velocity");
  if (mom != 0 && !v) nnb_error(L, fn, "momentum %g needs a velocity buffer", mom);
  nn_sgd_step(nn_fdata(p), nn_fdata(g), v ? nn_fdata(v) : NULL, nn_tensor_numel(p),
              (float)lr, (float)mom, (float)wd, nesterov);
  return 0;
}

/* nn.C.rmsprop_step(p, g, sq, lr, alpha, eps, weight_decay) */
static int l_rmsprop(lua_State *L) {
  const char *fn = "nn.C.rmsprop_step";
  nn_tensor *p = nnbk_input(L, 1, fn, "param");
  nn_tensor *g = state_arg(L, 2, p, fn, "grad"), *sq = state_arg(L, 3, p, fn, "sq");
  nn_rmsprop_step(nn_fdata(p), nn_fdata(g), nn_fdata(sq), nn_tensor_numel(p),
                  (float)num_field(L, 4, 4, fn, "lr"), (float)num_field(L, 5, 5, fn, "alpha"),
                  (float)num_field(L, 6, 6, fn, "eps"),
                  (float)num_field(L, 7, 7, fn, "weight_decay"));
  return 0;
}

/* nn.C.adam_step(p, g, m, v, lr, beta1, beta2, eps, weight_decay, t) */
static int l_adam(lua_State *L) {
  const char *fn = "nn.C.adam_step";
  nn_tensor *p = nnbk_input(L, 1, fn, "param");
  nn_tensor *g = state_arg(L, 2, p, fn, "grad"), *m = state_arg(L, 3, p, fn, "m"),
            *v = state_arg(L, 4, p, fn, "v");
  lua_Integer t = luaL_checkinteger(L, 10);
  if (t < 1) nnb_error(L, fn, "step count t must be >= 1, got %lld", (long long)t);
  nn_adam_step(nn_fdata(p), nn_fdata(g), nn_fdata(m), nn_fdata(v), nn_tensor_numel(p),
               (float)num_field(L, 5, 5, fn, "lr"), (float)num_field(L, 6, 6, fn, "beta1"),
               (float)num_field(L, 7, 7, fn, "beta2"), (float)num_field(L, 8, 8, fn, "eps"),
               (float)num_field(L, 9, 9, fn, "weight_decay"), t);
  return 0;
}

/* nn.clip_grad_norm(grads, max_norm) -> norm before clipping.  Two passes
 * over the Lua list (sum of squares, then scale) so nothing is allocated. */
static int l_clip_grad_norm(lua_State *L) {
  const char *fn = "nn.clip_grad_norm";
  if (!lua_istable(L, 1) && !nnb_totensor(L, 1))
    nnb_error(L, fn, "argument #1: expected a list of gradient tensors, got %s",
              luaL_typename(L, 1));
  double max_norm = luaL_checknumber(L, 2);
  if (!(max_norm > 0)) nnb_error(L, fn, "max_norm must be > 0, got %g", max_norm);
  if (nnb_totensor(L, 1)) { /* a single tensor: wrap it */
    lua_createtable(L, 1, 0);
    lua_pushvalue(L, 1);
    lua_rawseti(L, -2, 1);
    lua_replace(L, 1);
  }
  lua_Integer n = luaL_len(L, 1);
  double sq = 0.0;
  for (lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, 1, i);
    nn_tensor *g = nnb_totensor(L, -1);
    if (!g || g->dtype != NN_F32)
      nnb_error(L, fn, "element %lld of the list is not a float tensor", (long long)i);
    if (!nn_tensor_is_contiguous(g))
      nnb_error(L, fn, "gradient %lld (%s) must be contiguous", (long long)i, nnb_shape(g));
    sq += nn_sumsq(nn_fdata(g), nn_tensor_numel(g));
    lua_pop(L, 1);
  }
  double norm = sqrt(sq);
  if (norm > max_norm) {
    float s = (float)(max_norm / norm);
    for (lua_Integer i = 1; i <= n; i++) {
      lua_geti(L, 1, i);
      nn_tensor *g = nnb_totensor(L, -1);
      nn_scale(nn_fdata(g), nn_tensor_numel(g), s);
      lua_pop(L, 1);
    }
  }
  lua_pushnumber(L, norm);
  return 1;
}

static const nnb_reg kernels[] = {
    {"sgd_step", l_sgd,
     "nn.C.sgd_step(p, g, v|nil, lr, momentum, weight_decay, nesterov)\n"
     "In place: g' = g + wd*p; v = momentum*v + g'; p -= lr*(nesterov and g'+momentum*v or v)."},
    {"rmsprop_step", l_rmsprop,
     "nn.C.rmsprop_step(p, g, sq, lr, alpha, eps, weight_decay)\n"
     "In place: sq = alpha*sq + (1-alpha)*g^2; p -= lr*g/(sqrt(sq)+eps)."},
    {"adam_step", l_adam,
     "nn.C.adam_step(p, g, m, v, lr, beta1, beta2, eps, weight_decay, t)\n"
     "In place, t = 1 on the first step: m, v moving averages of g and g^2;\n"
     "p -= lr * (m/(1-beta1^t)) / (sqrt(v/(1-beta2^t)) + eps)."},
    {NULL, NULL, NULL}};

static const nnb_reg functions[] = {
    {"clip_grad_norm", l_clip_grad_norm,
     "nn.clip_grad_norm(grads, max_norm) -> norm\n"
     "Global L2 norm of a list of gradient tensors (taken as one vector); when it\n"
     "exceeds max_norm every gradient is scaled by max_norm/norm in place.\n"
     "Returns the norm before clipping.\n"
     "  local _, grads = model:parameters(); nn.clip_grad_norm(grads, 5)"},
    {NULL, NULL, NULL}};

void nnb_open_optim(lua_State *L) {
  nnb_register(L, functions);
  nnbk_push_subtable(L);
  nnb_register(L, kernels);
  lua_pop(L, 1);
}
