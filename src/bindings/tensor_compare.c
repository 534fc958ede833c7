/* Comparison and selection methods: t:gt/ge/lt/le/eq/ne(x), nn.where,
 * t:masked_fill(_).  Results of comparisons are float 0/1 masks (see
 * src/core/tensor_compare.h for why); operands broadcast. */
#include <math.h>

#include "../core/error.h"
#include "../core/tensor_compare.h"
#include "nnb.h"

static const char *cmp_name[] = {"gt", "ge", "lt", "le", "eq", "ne"};

/* A Lua number as stored in t's dtype: index tensors keep value-1, and only
 * whole numbers can equal one of their elements. */
static double stored_value(const nn_tensor *t, double v) {
  return t->dtype == NN_I32 ? v - 1 : v;
}

static int compare(lua_State *L, nn_cmpop op) {
  const char *fname = cmp_name[op];
  nn_tensor *a = nnb_checktensor(L, 1, fname);
  nn_tensor *b = nnb_totensor(L, 2);
  nn_tensor *r = nnb_newtensor(L, NN_F32);
  if (b) {
    NNB_CALL(L, fname, nn_compare(r, a, b, op));
    return 1;
  }
  int ok;
  double s = lua_tonumberx(L, 2, &ok);
  if (!ok)
    return nnb_error(L, fname, "argument #2: expected a number or a tensor, got %s",
                     luaL_typename(L, 2));
  NNB_CALL(L, fname, nn_compare_scalar(r, a, stored_value(a, s), op));
  return 1;
}

static int l_gt(lua_State *L) { return compare(L, NN_GT); }
static int l_ge(lua_State *L) { return compare(L, NN_GE); }
static int l_lt(lua_State *L) { return compare(L, NN_LT); }
static int l_le(lua_State *L) { return compare(L, NN_LE); }
static int l_eq(lua_State *L) { return compare(L, NN_EQ); }
static int l_ne(lua_State *L) { return compare(L, NN_NE); }

/* A value to store into an index tensor must be a whole number >= 1. */
static void check_index_number(lua_State *L, double v, const char *fname, int arg) {
  if (!(v >= 1 && v <= 2147483647.0) || v != floor(v))
    nnb_error(L, fname, "argument #%d: an index value must be an integer >= 1, got %g",
              arg, v);
}

/* Operand `arg` of where: a tensor, or a number made a 0-d tensor of the
 * other operand's dtype (which broadcasts to any shape). */
static nn_tensor *where_operand(lua_State *L, int arg, nn_dtype dtype) {
  nn_tensor *t = nnb_totensor(L, arg);
  if (t) return t;
  int ok;
  double v = lua_tonumberx(L, arg, &ok);
  if (!ok)
    nnb_error(L, "nn.where", "argument #%d: expected a number or a tensor, got %s", arg,
              luaL_typename(L, arg));
  if (dtype == NN_I32) check_index_number(L, v, "nn.where", arg);
  t = nnb_newtensor(L, dtype);
  NNB_CALL(L, "nn.where", nn_tensor_resize(t, 0, NULL));
  NNB_CALL(L, "nn.where", nn_tensor_fill(t, dtype == NN_I32 ? v - 1 : v));
  lua_replace(L, arg);
  return t;
}

static int l_where(lua_State *L) {
  nn_tensor *c = nnb_checkfloat(L, 1, "nn.where");
  nn_tensor *ta = nnb_totensor(L, 2), *tb = nnb_totensor(L, 3);
  nn_dtype dt = ta ? ta->dtype : tb ? tb->dtype : NN_F32;
  nn_tensor *a = where_operand(L, 2, dt), *b = where_operand(L, 3, dt);
  nn_tensor *r = nnb_newtensor(L, dt);
  NNB_CALL(L, "nn.where", nn_where(r, c, a, b));
  return 1;
}

static int masked_fill(lua_State *L, bool inplace) {
  const char *fname = inplace ? "masked_fill_" : "masked_fill";
  nn_tensor *t = nnb_checktensor(L, 1, fname);
  nn_tensor *m = nnb_checkfloat(L, 2, fname);
  double v = luaL_checknumber(L, 3);
  if (t->dtype == NN_I32) check_index_number(L, v, fname, 3);
  nn_tensor *r = t;
  if (!inplace) {
    r = nnb_newtensor(L, t->dtype);
    NNB_CALL(L, fname, nn_tensor_clone(r, t));
  }
  NNB_CALL(L, fname, nn_masked_fill(r, m, t->dtype == NN_I32 ? v - 1 : v));
  if (inplace) lua_settop(L, 1);
  return 1;
}
static int l_masked_fill(lua_State *L) { return masked_fill(L, false); }
static int l_masked_fill_(lua_State *L) { return masked_fill(L, true); }

static const nnb_reg functions[] = {
    {"where", l_where,
     "nn.where(cond, a, b) -> tensor with a where cond is non-zero (NaN counts as\n"
     "non-zero), b elsewhere.\n"
     "cond is a float mask (e.g. from x:gt(0)); a and b are tensors of one type or\n"
     "numbers; all three broadcast (a column (N,1) or row (1,M) against (N,M)).\n"
     "  nn.where(x:gt(0), x, 0.01 * x)   -- leaky ReLU by hand"},
    {NULL, NULL, NULL}};

#define CMP_DOC(name, rel)                                                     \
  "t:" name "(x) -> float tensor of 1 where t " rel " x, else 0.\n"             \
  "x is a number or a tensor that broadcasts against t (index tensors compare\n" \
  "with index tensors or numbers, 1-based).  The mask sums to a count:\n"       \
  "  nn.tensor{-1, 0, 2}:" name "(0)   (x):" name "(y):mean() is a fraction"

static const nnb_reg methods[] = {
    {"gt", l_gt, CMP_DOC("gt", ">")},
    {"ge", l_ge, CMP_DOC("ge", ">=")},
    {"lt", l_lt, CMP_DOC("lt", "<")},
    {"le", l_le, CMP_DOC("le", "<=")},
    {"eq", l_eq, CMP_DOC("eq", "==")},
    {"ne", l_ne, CMP_DOC("ne", "~=")},
    {"masked_fill", l_masked_fill,
     "t:masked_fill(mask, v) -> copy of t with v where the float mask is non-zero\n"
     "(mask broadcasts to t's shape).\n"
     "  x:masked_fill(x:lt(0), 0)   -- ReLU"},
    {"masked_fill_", l_masked_fill_,
     "t:masked_fill_(mask, v) -> t, with v written where mask is non-zero (in place).\n"
     "  scores:masked_fill_(pad:eq(1), -1e9)"},
    {NULL, NULL, NULL}};

void nnb_open_tensor_compare(lua_State *L) {
  nnb_register(L, functions);
  nnb_add_methods(L, methods);
}
