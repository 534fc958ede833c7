/* nn.C.*_step: the update rules of src/core/optim.c, in place on a
 * parameter tensor (one tensor, or a whole flat block), nn.clip_grad_norm
 * over a list of gradients (or one flat block), and the flat-block packing
 * of src/core/flat.c.  The optimizer objects are Lua (lua/optim.lua).
 */
#include <math.h>

#include "../core/flat.h"
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

/* The tensor at arg, or each tensor of the list at arg, as float32 and
 * contiguous (what the flat-block and clipping functions take); returns
 * the count and leaves a userdata array of the k tensor pointers on the
 * stack (collected with it, so an error raised later leaks nothing). */
static nn_tensor **tensor_list(lua_State *L, int arg, const char *fn, int *k) {
  nn_tensor *one = nnb_totensor(L, arg);
  if (!one && !lua_istable(L, arg))
    nnb_error(L, fn, "argument #%d: expected a tensor or a list of tensors, got %s", arg,
              luaL_typename(L, arg));
  lua_Integer n = one ? 1 : luaL_len(L, arg);
  if (n > 1000000) nnb_error(L, fn, "argument #%d: %lld tensors is too many", arg, (long long)n);
  nn_tensor **ts = lua_newuserdatauv(L, sizeof(nn_tensor *) * (size_t)(n > 0 ? n : 1), 0);
  for (lua_Integer i = 1; i <= n; i++) {
    nn_tensor *t = one;
    if (!one) {
      lua_geti(L, arg, i);
      t = nnb_totensor(L, -1);
      lua_pop(L, 1); /* the list keeps it alive */
    }
    if (!t || t->dtype != NN_F32)
      nnb_error(L, fn, "element %lld of the list is not a float tensor", (long long)i);
    if (!nn_tensor_is_contiguous(t))
      nnb_error(L, fn, "tensor %lld (%s) must be contiguous", (long long)i, nnb_shape(t));
    ts[i - 1] = t;
  }
  *k = (int)n;
  return ts;
}

/* nn.clip_grad_norm(grads, max_norm) -> norm before clipping (core
 * nn_clip_grad_norm over the tensors' arrays). */
static int l_clip_grad_norm(lua_State *L) {
  const char *fn = "nn.clip_grad_norm";
  double max_norm = luaL_checknumber(L, 2);
  if (!(max_norm > 0) || isinf(max_norm))
    nnb_error(L, fn, "max_norm must be > 0, got %g (valid: a finite number > 0)", max_norm);
  int k;
  nn_tensor **ts = tensor_list(L, 1, fn, &k);
  float **ptrs = lua_newuserdatauv(L, sizeof(float *) * (size_t)(k > 0 ? k : 1), 0);
  int64_t *sizes = lua_newuserdatauv(L, sizeof(int64_t) * (size_t)(k > 0 ? k : 1), 0);
  for (int i = 0; i < k; i++) ptrs[i] = nn_fdata(ts[i]), sizes[i] = nn_tensor_numel(ts[i]);
  lua_pushnumber(L, nn_clip_grad_norm(ptrs, sizes, k, max_norm));
  return 1;
}

/* nn.C.flat_pack(flat, list) -> flat: the list's tensors packed into one
 * new block (flat re-pointed to it), each tensor a view of its range. */
static int l_flat_pack(lua_State *L) {
  const char *fn = "nn.C.flat_pack";
  nn_tensor *flat = nnb_checkfloat(L, 1, fn);
  int k;
  nn_tensor **ts = tensor_list(L, 2, fn, &k);
  NNB_CALL(L, fn, nn_flat_pack(flat, ts, k));
  nnb_gc_pressure(L);
  lua_settop(L, 1);
  return 1;
}

/* nn.C.flat_is_packed(flat, list) -> true when the list's tensors are
 * views of flat, in order, end to end, covering it. */
static int l_flat_is_packed(lua_State *L) {
  const char *fn = "nn.C.flat_is_packed";
  nn_tensor *flat = nnb_checkfloat(L, 1, fn);
  int k;
  nn_tensor **ts = tensor_list(L, 2, fn, &k);
  lua_pushboolean(L, nn_flat_is_packed(flat, ts, k));
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
    {"flat_pack", l_flat_pack,
     "nn.C.flat_pack(flat, tensors) -> flat\n"
     "Copy the float tensors, in order, into one new 1-d block (flat is re-pointed to it)\n"
     "and make each tensor a view of its range; shapes, values and Lua references stay.\n"
     "m:flat_parameters() uses it; nn.flatten(list) is the Lua entry point."},
    {"flat_is_packed", l_flat_is_packed,
     "nn.C.flat_is_packed(flat, tensors) -> boolean\n"
     "True when the tensors are views of flat, in order, end to end, covering it."},
    {NULL, NULL, NULL}};

static const nnb_reg functions[] = {
    {"clip_grad_norm", l_clip_grad_norm,
     "nn.clip_grad_norm(grads, max_norm) -> norm\n"
     "Global L2 norm of a list of gradient tensors, or of one tensor such as a flat\n"
     "gradient block (taken as one vector); when it\n"
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
