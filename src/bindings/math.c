/* Tensor arithmetic, elementwise maps, reductions, matrix products and index
 * operations.  Out-of-place forms return new tensors; the `_` forms
 * (t:add_(x), t:exp_()) work in place, and nn.mm/nn.index_select take an
 * optional result tensor so training loops can reuse buffers. */
#include <math.h>

#include "../core/blas.h"
#include "../core/softmax.h"
#include "../core/tensor_index.h"
#include "../core/tensor_math.h"
#include "../core/tensor_reduce_index.h"
#include "nnb.h"

static const char *binop_name[] = {"add", "sub", "mul", "div"};

/* a op b where either side may be a number (metamethods and methods). */
static int binary(lua_State *L, nn_binop op, bool inplace) {
  const char *fname = binop_name[op];
  nn_tensor *a = nnb_totensor(L, 1), *b = nnb_totensor(L, 2);
  if (!a && !b) return nnb_error(L, fname, "expected a tensor operand");
  if (a && b) {
    nn_tensor *r = inplace ? a : nnb_newtensor(L, NN_F32);
    NNB_CALL(L, fname, nn_binary(r, a, b, op));
  } else {
    int num = a ? 2 : 1;
    nn_tensor *t = a ? a : b;
    if (t->dtype != NN_F32) nnb_checkfloat(L, a ? 1 : 2, fname);
    int ok;
    double s = lua_tonumberx(L, num, &ok);
    if (!ok)
      return nnb_error(L, fname, "argument #%d: expected a number or a tensor, got %s",
                       num, luaL_typename(L, num));
    if (inplace && !a) return nnb_error(L, fname, "in-place needs a tensor receiver");
    nn_tensor *r = inplace ? a : nnb_newtensor(L, NN_F32);
    NNB_CALL(L, fname, nn_binary_scalar(r, t, s, op, a == NULL));
  }
  if (inplace) lua_settop(L, 1);
  return 1;
}

static int l_add(lua_State *L) { return binary(L, NN_ADD, false); }
static int l_sub(lua_State *L) { return binary(L, NN_SUB, false); }
static int l_mul(lua_State *L) { return binary(L, NN_MUL, false); }
static int l_div(lua_State *L) { return binary(L, NN_DIV, false); }
static int l_add_(lua_State *L) { return binary(L, NN_ADD, true); }
static int l_sub_(lua_State *L) { return binary(L, NN_SUB, true); }
static int l_mul_(lua_State *L) { return binary(L, NN_MUL, true); }
static int l_div_(lua_State *L) { return binary(L, NN_DIV, true); }

static int l_unm(lua_State *L) {
  nn_tensor *a = nnb_checkfloat(L, 1, "unm");
  nn_tensor *r = nnb_newtensor(L, NN_F32);
  NNB_CALL(L, "unm", nn_unary(r, a, NN_NEG));
  return 1;
}

/* t:axpy_(alpha, x): t += alpha*x */
static int l_axpy_(lua_State *L) {
  nn_tensor *t = nnb_checkfloat(L, 1, "axpy_");
  double alpha = luaL_checknumber(L, 2);
  nn_tensor *x = nnb_checkfloat(L, 3, "axpy_");
  NNB_CALL(L, "axpy_", nn_axpy(t, alpha, x));
  lua_settop(L, 1);
  return 1;
}

#define UNARY(name, op)                                                        \
  static int l_##name(lua_State *L) {                                          \
    nn_tensor *a = nnb_checkfloat(L, 1, #name);                                \
    nn_tensor *r = nnb_newtensor(L, NN_F32);                                   \
    NNB_CALL(L, #name, nn_unary(r, a, op));                                    \
    return 1;                                                                  \
  }                                                                            \
  static int l_##name##_(lua_State *L) {                                       \
    nn_tensor *a = nnb_checkfloat(L, 1, #name "_");                            \
    NNB_CALL(L, #name "_", nn_unary(a, a, op));                                \
    lua_settop(L, 1);                                                          \
    return 1;                                                                  \
  }
UNARY(exp, NN_EXP)
UNARY(log, NN_LOG)
UNARY(tanh, NN_TANH)
UNARY(sigmoid, NN_SIGMOID)
UNARY(relu, NN_RELU)
UNARY(sqrt, NN_SQRT)
UNARY(abs, NN_ABS)
UNARY(square, NN_SQUARE)
UNARY(sign, NN_SIGN)
#undef UNARY

static int clamp_impl(lua_State *L, bool inplace) {
  const char *fname = inplace ? "clamp_" : "clamp";
  nn_tensor *a = nnb_checkfloat(L, 1, fname);
  double lo = luaL_optnumber(L, 2, -HUGE_VAL), hi = luaL_optnumber(L, 3, HUGE_VAL);
  nn_tensor *r = inplace ? a : nnb_newtensor(L, NN_F32);
  NNB_CALL(L, fname, nn_clamp(r, a, lo, hi));
  if (inplace) lua_settop(L, 1);
  return 1;
}
static int l_clamp(lua_State *L) { return clamp_impl(L, false); }
static int l_clamp_(lua_State *L) { return clamp_impl(L, true); }

static int l_pow(lua_State *L) {
  nn_tensor *a = nnb_checkfloat(L, 1, "pow");
  double p = luaL_checknumber(L, 2);
  nn_tensor *r = nnb_newtensor(L, NN_F32);
  NNB_CALL(L, "pow", nn_pow(r, a, p));
  return 1;
}

/* Reductions: t:sum() -> number; t:sum(dim [, keepdim]) -> tensor.
 * max/min over a dim also return the 1-based arg indices. */
/* Index tensors: sum, min and max of the 1-based values, exact; over a dim
 * min/max give an index tensor (and positions), sum a float tensor. */
static int reduce_index(lua_State *L, nn_tensor *a, nn_redop op, const char *fname) {
  if (op != NN_SUM && op != NN_MIN && op != NN_MAX)
    return nnb_error(L, fname, "not defined for an index tensor (sum, min and max are; "
                     "convert with :float())");
  if (lua_isnoneornil(L, 2)) {
    int64_t v;
    NNB_CALL(L, fname, nn_reduce_all_index(a, op, 1, &v));
    lua_pushinteger(L, (lua_Integer)v);
    return 1;
  }
  lua_Integer d = luaL_checkinteger(L, 2);
  if (d < 1 || d > a->ndim)
    return nnb_error(L, fname, "dimension %lld out of range [1, %d] (tensor %s)",
                     (long long)d, a->ndim, nnb_shape(a));
  bool keep = lua_toboolean(L, 3), witharg = op != NN_SUM;
  nn_tensor *r = nnb_newtensor(L, witharg ? NN_I32 : NN_F32);
  nn_tensor *ix = witharg ? nnb_newtensor(L, NN_I32) : NULL;
  NNB_CALL(L, fname, nn_reduce_dim_index(r, ix, a, (int)d - 1, op, keep, 1));
  return witharg ? 2 : 1;
}

static int reduce(lua_State *L, nn_redop op, const char *fname) {
  nn_tensor *a = nnb_checktensor(L, 1, fname);
  if (a->dtype == NN_I32) return reduce_index(L, a, op, fname);
  if (lua_isnoneornil(L, 2)) {
    double v;
    NNB_CALL(L, fname, nn_reduce_all(a, op, false, &v));
    lua_pushnumber(L, v);
    return 1;
  }
  int d = nnb_checkdimarg(L, 2, a, fname, 0);
  bool keep = lua_toboolean(L, 3);
  bool witharg = op == NN_MAX || op == NN_MIN;
  nn_tensor *r = nnb_newtensor(L, NN_F32);
  nn_tensor *ix = witharg ? nnb_newtensor(L, NN_I32) : NULL;
  NNB_CALL(L, fname, nn_reduce_dim(r, ix, a, d, op, false, keep));
  return witharg ? 2 : 1;
}
static int l_sum(lua_State *L) { return reduce(L, NN_SUM, "sum"); }
static int l_mean(lua_State *L) { return reduce(L, NN_MEAN, "mean"); }
static int l_max(lua_State *L) { return reduce(L, NN_MAX, "max"); }
static int l_min(lua_State *L) { return reduce(L, NN_MIN, "min"); }
static int l_var(lua_State *L) { return reduce(L, NN_VAR, "var"); }
static int l_std(lua_State *L) { return reduce(L, NN_STD, "std"); }

static int l_argmax(lua_State *L) {
  nn_tensor *a = nnb_checkfloat(L, 1, "argmax");
  if (a->ndim == 0) return nnb_error(L, "argmax", "needs a tensor of 1 or more dims, got a scalar");
  int d = nnb_checkdimarg(L, 2, a, "argmax", a->ndim) + 1;
  nn_tensor *r = nnb_newtensor(L, NN_F32);
  nn_tensor *ix = nnb_newtensor(L, NN_I32);
  NNB_CALL(L, "argmax", nn_reduce_dim(r, ix, a, d - 1, NN_MAX, false, false));
  return 1;
}

static int l_mm(lua_State *L) {
  nn_tensor *a = nnb_checkfloat(L, 1, "nn.mm"), *b = nnb_checkfloat(L, 2, "nn.mm");
  nn_tensor *r = lua_isnoneornil(L, 3) ? nnb_newtensor(L, NN_F32)
                                       : nnb_checkfloat(L, 3, "nn.mm");
  if (r == a || r == b) return nnb_error(L, "nn.mm", "result must not be an operand");
  NNB_CALL(L, "nn.mm", nn_addmm(r, 0.0, 1.0, a, false, b, false));
  if (!lua_isnoneornil(L, 3)) lua_settop(L, 3);
  return 1;
}

/* nn.addmm(C, A, B [, {beta=1, alpha=1, ta=false, tb=false}]) -> C */
static int l_addmm(lua_State *L) {
  nn_tensor *c = nnb_checkfloat(L, 1, "nn.addmm");
  nn_tensor *a = nnb_checkfloat(L, 2, "nn.addmm"), *b = nnb_checkfloat(L, 3, "nn.addmm");
  double beta = 1, alpha = 1;
  bool ta = false, tb = false;
  if (lua_istable(L, 4)) {
    lua_getfield(L, 4, "beta");
    beta = luaL_optnumber(L, -1, 1);
    lua_getfield(L, 4, "alpha");
    alpha = luaL_optnumber(L, -1, 1);
    lua_getfield(L, 4, "ta");
    ta = lua_toboolean(L, -1);
    lua_getfield(L, 4, "tb");
    tb = lua_toboolean(L, -1);
    lua_pop(L, 4);
  } else if (!lua_isnoneornil(L, 4)) {
    return nnb_error(L, "nn.addmm", "argument #4: expected an options table {beta=, alpha=, ta=, tb=}");
  }
  if (c == a || c == b) return nnb_error(L, "nn.addmm", "result must not be an operand");
  NNB_CALL(L, "nn.addmm", nn_addmm(c, beta, alpha, a, ta, b, tb));
  lua_settop(L, 1);
  return 1;
}

/* Row-wise (last dim) softmax and log-softmax, stable. */
static int softmax_impl(lua_State *L, bool logs, const char *fname) {
  nn_tensor *a = nnb_checkfloat(L, 1, fname);
  if (a->ndim < 1 || nn_tensor_numel(a) == 0)
    return nnb_error(L, fname, "needs a non-empty tensor, got %s", nnb_shape(a));
  nn_tensor *r = nnb_newtensor(L, NN_F32);
  NNB_CALL(L, fname, nn_tensor_clone(r, a));
  int64_t C = a->size[a->ndim - 1], B = nn_tensor_numel(a) / C;
  if (logs)
    nn_log_softmax_forward(nn_fdata(r), nn_fdata(r), (int)B, (int)C);
  else
    nn_softmax_forward(nn_fdata(r), nn_fdata(r), (int)B, (int)C);
  return 1;
}
static int l_softmax(lua_State *L) { return softmax_impl(L, false, "softmax"); }
static int l_log_softmax(lua_State *L) { return softmax_impl(L, true, "log_softmax"); }

static int l_topk(lua_State *L) {
  nn_tensor *a = nnb_checkfloat(L, 1, "topk");
  int64_t k = nnb_checkint(L, 2, "topk", "k", 0, NNB_MAXSIZE);
  nn_tensor *v = nnb_newtensor(L, NN_F32);
  nn_tensor *ix = nnb_newtensor(L, NN_I32);
  NNB_CALL(L, "topk", nn_topk(v, ix, a, k));
  return 2;
}

/* nn.index_select(src, idx [, out]) -> rows of src picked by idx. */
static int l_index_select(lua_State *L) {
  nn_tensor *s = nnb_checktensor(L, 1, "nn.index_select");
  nn_tensor *ix = nnb_checkindex(L, 2, "nn.index_select");
  nn_tensor *r = lua_isnoneornil(L, 3) ? nnb_newtensor(L, s->dtype)
                                       : nnb_checktensor(L, 3, "nn.index_select");
  if (r->dtype != s->dtype)
    return nnb_error(L, "nn.index_select", "result and source types differ");
  NNB_CALL(L, "nn.index_select", nn_index_select(r, s, ix));
  if (!lua_isnoneornil(L, 3)) lua_settop(L, 3);
  return 1;
}

/* nn.index_add(dst, idx, src) -> dst with rows src[i] added at idx[i]. */
static int l_index_add(lua_State *L) {
  nn_tensor *d = nnb_checkfloat(L, 1, "nn.index_add");
  nn_tensor *ix = nnb_checkindex(L, 2, "nn.index_add");
  nn_tensor *s = nnb_checkfloat(L, 3, "nn.index_add");
  NNB_CALL(L, "nn.index_add", nn_index_add(d, ix, s));
  lua_settop(L, 1);
  return 1;
}

static int l_allclose(lua_State *L) {
  nn_tensor *a = nnb_checktensor(L, 1, "nn.allclose"), *b = nnb_checktensor(L, 2, "nn.allclose");
  double rtol = luaL_optnumber(L, 3, 1e-5), atol = luaL_optnumber(L, 4, 1e-8);
  lua_pushboolean(L, nn_allclose(a, b, rtol, atol));
  return 1;
}

static int l_max_abs_diff(lua_State *L) {
  nn_tensor *a = nnb_checktensor(L, 1, "nn.max_abs_diff"),
            *b = nnb_checktensor(L, 2, "nn.max_abs_diff");
  lua_pushnumber(L, nn_max_abs_diff(a, b));
  return 1;
}

static const nnb_reg functions[] = {
    {"mm", l_mm,
     "nn.mm(A, B [, out]) -> A*B through OpenBLAS sgemm (out is reused when given).\n"
     "  nn.mm(nn.ones(2,3), nn.ones(3,4))"},
    {"addmm", l_addmm,
     "nn.addmm(C, A, B [, {beta=1, alpha=1, ta=false, tb=false}]) -> C\n"
     "C = beta*C + alpha*op(A)*op(B) in place, op = transpose when ta/tb."},
    {"index_select", l_index_select,
     "nn.index_select(src, idx [, out]) -> rows src[idx[i]] (idx any shape; its dims\n"
     "are prepended: (V,D) source with (N,k) indices gives (N,k,D)).\n"
     "  nn.index_select(E, nn.index{3,1})"},
    {"index_add", l_index_add,
     "nn.index_add(dst, idx, src) -> dst, adding row i of src into row idx[i]\n"
     "(repeated indices accumulate): the backward of index_select."},
    {"allclose", l_allclose,
     "nn.allclose(a, b [, rtol=1e-5, atol=1e-8]) -> true when shapes match and\n"
     "|a-b| <= atol + rtol*|b| everywhere."},
    {"max_abs_diff", l_max_abs_diff, "nn.max_abs_diff(a, b) -> max |a-b| (inf if sizes differ)."},
    {NULL, NULL, NULL}};

static const nnb_reg methods[] = {
    {"add", l_add,
     "t:add(x) -> t + x: x a number or a tensor that broadcasts against t (same\n"
     "shape, a row (M) or (1,M), a column (N,1) against (N,M); (N,1)+(1,M) -> (N,M)).\n"
     "The same for sub, mul, div, the operators + - * / and the in-place forms.\n"
     "  x:sub(x:mean(2, true))   -- centre each row"},
    {"sub", l_sub, "t:sub(x) -> t - x."},
    {"mul", l_mul, "t:mul(x) -> t * x elementwise (nn.mm is the matrix product)."},
    {"div", l_div, "t:div(x) -> t / x."},
    {"add_", l_add_, "t:add_(x) -> t, adding x in place."},
    {"sub_", l_sub_, "t:sub_(x) -> t, subtracting x in place."},
    {"mul_", l_mul_, "t:mul_(x) -> t, multiplied in place."},
    {"div_", l_div_, "t:div_(x) -> t, divided in place."},
    {"axpy_", l_axpy_, "t:axpy_(alpha, x) -> t, with t += alpha*x in place."},
    {"exp", l_exp, "t:exp() -> elementwise e^t."},
    {"log", l_log, "t:log() -> elementwise natural log."},
    {"tanh", l_tanh, "t:tanh() -> elementwise tanh."},
    {"sigmoid", l_sigmoid, "t:sigmoid() -> elementwise 1/(1+e^-t)."},
    {"relu", l_relu, "t:relu() -> elementwise max(t, 0)."},
    {"sqrt", l_sqrt, "t:sqrt() -> elementwise square root."},
    {"abs", l_abs, "t:abs() -> elementwise |t|."},
    {"square", l_square, "t:square() -> elementwise t^2."},
    {"sign", l_sign,
     "t:sign() -> elementwise -1, 0 or 1 (NaN stays NaN).\n"
     "  out:sign()   -- the class (+-1) a tanh output votes for"},
    {"sign_", l_sign_, "t:sign_() -> t, replaced by its sign in place."},
    {"exp_", l_exp_, "t:exp_() -> t, in place."},
    {"log_", l_log_, "t:log_() -> t, in place."},
    {"tanh_", l_tanh_, "t:tanh_() -> t, in place."},
    {"sigmoid_", l_sigmoid_, "t:sigmoid_() -> t, in place."},
    {"relu_", l_relu_, "t:relu_() -> t, in place."},
    {"sqrt_", l_sqrt_, "t:sqrt_() -> t, in place."},
    {"abs_", l_abs_, "t:abs_() -> t, in place."},
    {"square_", l_square_, "t:square_() -> t, in place."},
    {"clamp", l_clamp, "t:clamp(lo, hi) -> values limited to [lo, hi] (nil = unbounded)."},
    {"clamp_", l_clamp_, "t:clamp_(lo, hi) -> t, clamped in place."},
    {"pow", l_pow, "t:pow(p) -> elementwise t^p."},
    {"sum", l_sum,
     "t:sum() -> number; t:sum(dim [, keepdim]) -> tensor of sums over dim.\n"
     "Index tensors: the exact integer sum of their (1-based) values; over a dim\n"
     "a float tensor.\n"
     "  x:gt(0):sum()   -- how many elements are positive"},
    {"mean", l_mean, "t:mean() -> number; t:mean(dim [, keepdim]) -> tensor."},
    {"max", l_max,
     "t:max() -> number; t:max(dim [, keepdim]) -> values, 1-based indices.\n"
     "Also for index tensors (an integer; over a dim an index tensor of values).\n"
     "  labels:max()   -- the largest class number"},
    {"min", l_min,
     "t:min() -> number; t:min(dim [, keepdim]) -> values, 1-based indices.\n"
     "Also for index tensors.\n  labels:min()"},
    {"var", l_var, "t:var([dim]) -> unbiased variance (divides by n-1)."},
    {"std", l_std, "t:std([dim]) -> unbiased standard deviation."},
    {"argmax", l_argmax, "t:argmax([dim = last]) -> 1-based index tensor of the maxima."},
    {"softmax", l_softmax, "t:softmax() -> softmax over the last dim (each row sums to 1)."},
    {"log_softmax", l_log_softmax, "t:log_softmax() -> log of the softmax over the last dim (stable)."},
    {"topk", l_topk,
     "t:topk(k) -> values, indices: the k largest along the last dim, descending.\n"
     "  local p, w = probs:topk(10)"},
    {"index_select", l_index_select, "t:index_select(idx) -> nn.index_select(t, idx)."},
    {NULL, NULL, NULL}};

void nnb_open_math(lua_State *L) {
  nnb_register(L, functions);
  nnb_add_methods(L, methods);
  nnb_pushmetatable(L);
  lua_CFunction mm[] = {l_add, l_sub, l_mul, l_div, l_unm};
  const char *names[] = {"__add", "__sub", "__mul", "__div", "__unm"};
  for (int i = 0; i < 5; i++) {
    lua_pushcfunction(L, mm[i]);
    lua_setfield(L, -2, names[i]);
  }
  lua_pop(L, 1);
}
