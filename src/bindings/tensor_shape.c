/* Shape methods and joins: t:permute, t:squeeze, t:unsqueeze, t:flatten
 * (views), nn.cat and nn.stack (new tensors).  Dimensions are 1-based;
 * a negative one counts from the end (-1 = last). */
#include "../core/error.h"
#include "../core/tensor_shape.h"
#include "nnb.h"

/* Argument arg as a 0-based dim of an n-dim range (n = ndim, or ndim+1 for
 * insertion points); an error names fname when out of range. */
static int check_dim(lua_State *L, int arg, int n, const char *fname) {
  lua_Integer d = luaL_checkinteger(L, arg);
  lua_Integer z = d < 0 ? d + n : d - 1;
  if (z < 0 || z >= n)
    nnb_error(L, fname, "argument #%d: dimension %lld out of range [1, %d] (or -%d..-1)",
              arg, (long long)d, n, n);
  return (int)z;
}

static int l_permute(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "permute");
  int perm[NN_MAXDIM], n = 0;
  if (lua_istable(L, 2)) {
    lua_settop(L, 2);
    n = (int)luaL_len(L, 2);
    if (n > NN_MAXDIM) nnb_error(L, "permute", "at most %d dimensions", NN_MAXDIM);
    for (int i = 1; i <= n; i++) {
      lua_geti(L, 2, i);
      perm[i - 1] = check_dim(L, 3, t->ndim, "permute");
      lua_pop(L, 1);
    }
  } else {
    n = lua_gettop(L) - 1;
    if (n > NN_MAXDIM) nnb_error(L, "permute", "at most %d dimensions", NN_MAXDIM);
    for (int i = 0; i < n; i++) perm[i] = check_dim(L, i + 2, t->ndim, "permute");
  }
  nn_tensor *r = nnb_newtensor(L, t->dtype);
  NNB_CALL(L, "permute", nn_tensor_permute(r, t, n, perm));
  return 1;
}

static int l_squeeze(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "squeeze");
  int d = lua_isnoneornil(L, 2) ? -1 : check_dim(L, 2, t->ndim, "squeeze");
  nn_tensor *r = nnb_newtensor(L, t->dtype);
  NNB_CALL(L, "squeeze", nn_tensor_squeeze(r, t, d));
  return 1;
}

static int l_unsqueeze(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "unsqueeze");
  int d = check_dim(L, 2, t->ndim + 1, "unsqueeze");
  nn_tensor *r = nnb_newtensor(L, t->dtype);
  NNB_CALL(L, "unsqueeze", nn_tensor_unsqueeze(r, t, d));
  return 1;
}

static int l_flatten(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "flatten");
  int nd = t->ndim ? t->ndim : 1;
  lua_settop(L, 3);
  if (lua_isnil(L, 2)) lua_pushinteger(L, 1), lua_replace(L, 2);
  if (lua_isnil(L, 3)) lua_pushinteger(L, -1), lua_replace(L, 3);
  int first = check_dim(L, 2, nd, "flatten"), last = check_dim(L, 3, nd, "flatten");
  nn_tensor *r = nnb_newtensor(L, t->dtype);
  NNB_CALL(L, "flatten", nn_tensor_flatten(r, t, first, last));
  return 1;
}

/* The tensors of list argument 1, in a scratch userdata pushed on the
 * stack (collected with it); *n gets their number. */
#define NN_CAT_MAX 100000
static const nn_tensor **list_of_tensors(lua_State *L, int *count, const char *fname) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 2); /* the scratch buffer goes above the optional dim */
  lua_Integer n = luaL_len(L, 1);
  if (n < 1) nnb_error(L, fname, "argument #1: expected a non-empty list of tensors");
  if (n > NN_CAT_MAX) nnb_error(L, fname, "at most %d tensors, got %lld", NN_CAT_MAX, (long long)n);
  const nn_tensor **ts = lua_newuserdatauv(L, (size_t)n * sizeof *ts, 0);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, 1, i);
    nn_tensor *t = nnb_totensor(L, -1);
    if (!t) nnb_error(L, fname, "element %lld of the list is a %s, not a tensor", (long long)i,
                      luaL_typename(L, -1));
    ts[i - 1] = t;
    lua_pop(L, 1); /* the list keeps it alive */
  }
  *count = (int)n;
  return ts;
}

static int l_cat(lua_State *L) {
  int n;
  const nn_tensor **ts = list_of_tensors(L, &n, "nn.cat");
  int nd = ts[0]->ndim;
  int d = 0;
  if (!lua_isnoneornil(L, 2)) d = check_dim(L, 2, nd, "nn.cat");
  nn_tensor *r = nnb_newtensor(L, ts[0]->dtype);
  NNB_CALL(L, "nn.cat", nn_tensor_cat(r, n, ts, d));
  return 1;
}

/* stack = unsqueeze every tensor at dim, then cat along it. */
static int l_stack(lua_State *L) {
  int n;
  const nn_tensor **ts = list_of_tensors(L, &n, "nn.stack");
  int d = 0;
  if (!lua_isnoneornil(L, 2)) d = check_dim(L, 2, ts[0]->ndim + 1, "nn.stack");
  for (int k = 0; k < n; k++) {
    if (!nn_tensor_same_shape(ts[k], ts[0])) {
      char a[96], b[96];
      nnb_error(L, "nn.stack", "tensor %d (%s) and tensor 1 (%s) differ in shape", k + 1,
                nn_tensor_shape_str(ts[k], a, 96), nn_tensor_shape_str(ts[0], b, 96));
    }
  }
  nn_tensor *views = lua_newuserdatauv(L, (size_t)n * sizeof *views, 0);
  const nn_tensor **vp = lua_newuserdatauv(L, (size_t)n * sizeof *vp, 0);
  nn_tensor *r = nnb_newtensor(L, ts[0]->dtype);
  int rc = NN_OK, made = 0;
  for (; made < n && rc == NN_OK; made++) {
    nn_tensor_init(&views[made], ts[made]->dtype);
    rc = nn_tensor_unsqueeze(&views[made], ts[made], d);
  }
  for (int k = 0; k < made; k++) vp[k] = &views[k];
  if (rc == NN_OK) rc = nn_tensor_cat(r, n, vp, d);
  for (int k = 0; k < made; k++) nn_tensor_free(&views[k]);
  if (rc != NN_OK) return nnb_coreerror(L, "nn.stack");
  return 1;
}

static const nnb_reg functions[] = {
    {"cat", l_cat,
     "nn.cat({t1, t2, ...} [, dim=1]) -> new tensor: the tensors joined along dim\n"
     "(same type, same sizes in the other dims).\n"
     "  nn.cat({nn.ones(2, 3), nn.zeros(1, 3)})    -- 3x3\n"
     "  nn.cat({a, b}, 2)                          -- side by side"},
    {"stack", l_stack,
     "nn.stack({t1, t2, ...} [, dim=1]) -> new tensor with a new dimension dim\n"
     "holding the (same-shape) tensors in order.\n"
     "  nn.stack({nn.ones(3), nn.zeros(3)})      -- 2x3"},
    {NULL, NULL, NULL}};

static const nnb_reg methods[] = {
    {"permute", l_permute,
     "t:permute(d1, d2, ...) -> view whose dim i is t's dim d_i (shares memory).\n"
     "  x:permute(1, 3, 4, 2)   -- (N,C,H,W) -> (N,H,W,C)"},
    {"squeeze", l_squeeze,
     "t:squeeze([dim]) -> view without size-1 dims (only dim, which must have size 1).\n"
     "  nn.zeros(5, 1):squeeze()   -- 5"},
    {"unsqueeze", l_unsqueeze,
     "t:unsqueeze(dim) -> view with a new size-1 dim at position dim (1..ndim+1).\n"
     "  v:unsqueeze(2)   -- (N) -> (N,1), a column that broadcasts over (N,M)"},
    {"flatten", l_flatten,
     "t:flatten([first=1 [, last=-1]]) -> dims first..last merged into one (a view\n"
     "when t is contiguous, else a copy).\n"
     "  ims:flatten(2)   -- (N,32,32) -> (N,1024)"},
    {NULL, NULL, NULL}};

void nnb_open_tensor_shape(lua_State *L) {
  nnb_register(L, functions);
  nnb_add_methods(L, methods);
}
