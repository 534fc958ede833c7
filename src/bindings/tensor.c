/* Tensor userdata: creation, shape queries, views, element access and the
 * metatable (indexing, length, printing).  Arithmetic and reductions are in
 * math.c, random creation in random.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/error.h"
#include "nnb.h"

int nnb_checkdims(lua_State *L, int arg, int64_t *size, const char *fname) {
  char what[48];
  int n = 0;
  if (lua_istable(L, arg)) {
    lua_Integer len = luaL_len(L, arg);
    if (len > NN_MAXDIM)
      nnb_error(L, fname, "at most %d dimensions, got %lld", NN_MAXDIM, (long long)len);
    n = (int)len;
    for (int i = 1; i <= n; i++) {
      lua_geti(L, arg, i);
      snprintf(what, sizeof what, "size %d", i);
      size[i - 1] = nnb_checksize(L, lua_gettop(L), fname, what);
      lua_pop(L, 1);
    }
    return n;
  }
  int top = lua_gettop(L);
  if (top - arg + 1 > NN_MAXDIM)
    nnb_error(L, fname, "at most %d dimensions, got %d", NN_MAXDIM, top - arg + 1);
  for (int a = arg; a <= top; a++) {
    snprintf(what, sizeof what, "argument #%d: size", a);
    size[n++] = nnb_checksize(L, a, fname, what);
  }
  return n;
}

/* A 1-based index value that fits int32 (tested before any conversion: a
 * cast of NaN or 1e300 to int32_t is undefined behaviour). */
static int nnb_is_index_value(double v) {
  return v >= 1 && v <= (double)INT32_MAX && v == floor(v);
}

/* --- creation from nested tables ---------------------------------------- */

static void table_shape(lua_State *L, int idx, int depth, int *ndim,
                        int64_t *size, const char *fname) {
  int64_t n = (int64_t)luaL_len(L, idx);
  if (depth >= NN_MAXDIM) nnb_error(L, fname, "table nested too deeply");
  size[depth] = n;
  *ndim = depth + 1;
  if (n == 0) return;
  lua_geti(L, idx, 1);
  if (lua_istable(L, -1)) table_shape(L, lua_gettop(L), depth + 1, ndim, size, fname);
  lua_pop(L, 1);
}

static void table_fill(lua_State *L, int idx, int depth, int ndim,
                       const int64_t *size, nn_tensor *t, int64_t *pos,
                       const char *fname) {
  int64_t n = (int64_t)luaL_len(L, idx);
  if (n != size[depth])
    nnb_error(L, fname, "ragged table: dimension %d has sizes %lld and %lld",
              depth + 1, (long long)size[depth], (long long)n);
  for (int64_t i = 1; i <= n; i++) {
    lua_geti(L, idx, i);
    if (depth + 1 < ndim) {
      if (!lua_istable(L, -1))
        nnb_error(L, fname, "ragged table: expected a table at depth %d", depth + 2);
      table_fill(L, lua_gettop(L), depth + 1, ndim, size, t, pos, fname);
    } else {
      int ok;
      lua_Number v = lua_tonumberx(L, -1, &ok);
      if (!ok)
        nnb_error(L, fname, "element %lld at depth %d is a %s, not a number",
                  (long long)i, depth + 1, luaL_typename(L, -1));
      if (t->dtype == NN_F32)
        nn_fdata(t)[(*pos)++] = (float)v;
      else {
        if (!nnb_is_index_value(v))
          nnb_error(L, fname, "index values must be integers >= 1, got %g", v);
        nn_idata(t)[(*pos)++] = (int32_t)v - 1;
      }
    }
    lua_pop(L, 1);
  }
}

static int from_table(lua_State *L, nn_dtype dtype, const char *fname) {
  luaL_checktype(L, 1, LUA_TTABLE);
  int64_t size[NN_MAXDIM];
  int ndim = 0;
  table_shape(L, 1, 0, &ndim, size, fname);
  nn_tensor *t = nnb_newtensor(L, dtype);
  NNB_CALL(L, fname, nn_tensor_resize(t, ndim, size));
  int64_t pos = 0;
  table_fill(L, 1, 0, ndim, size, t, &pos, fname);
  return 1;
}

static int l_tensor(lua_State *L) {
  if (lua_istable(L, 1)) return from_table(L, NN_F32, "nn.tensor");
  nn_tensor *src = nnb_totensor(L, 1);
  if (src) {
    nn_tensor *t = nnb_newtensor(L, NN_F32);
    NNB_CALL(L, "nn.tensor", nn_tensor_resize(t, src->ndim, src->size));
    NNB_CALL(L, "nn.tensor", nn_tensor_copy(t, src));
    return 1;
  }
  return nnb_error(L, "nn.tensor", "expected a (nested) table of numbers or a tensor, got %s",
                   luaL_typename(L, 1));
}

static int l_index(lua_State *L) {
  if (lua_istable(L, 1)) return from_table(L, NN_I32, "nn.index");
  nn_tensor *src = nnb_totensor(L, 1);
  if (!src)
    return nnb_error(L, "nn.index", "expected a table of integers >= 1 or a tensor, got %s",
                     luaL_typename(L, 1));
  /* From a float tensor of 1-based values (e.g. labels read as floats). */
  nn_tensor *t = nnb_newtensor(L, NN_I32);
  NNB_CALL(L, "nn.index", nn_tensor_resize(t, src->ndim, src->size));
  nn_iter it;
  nn_iter_init(&it, src);
  int64_t k = 0;
  for (int64_t o; (o = nn_iter_next(&it)) >= 0; k++) {
    double v = nnb_lua_value(src, o);
    if (!nnb_is_index_value(v))
      return nnb_error(L, "nn.index", "value %g at position %lld is not an integer >= 1",
                       v, (long long)k + 1);
    nn_idata(t)[k] = (int32_t)v - 1;
  }
  return 1;
}

static int filled(lua_State *L, nn_dtype dtype, double v, int arg, const char *fname) {
  int64_t size[NN_MAXDIM];
  int ndim = nnb_checkdims(L, arg, size, fname);
  nn_tensor *t = nnb_newtensor(L, dtype);
  NNB_CALL(L, fname, nn_tensor_resize(t, ndim, size));
  if (v != 0) NNB_CALL(L, fname, nn_tensor_fill(t, v));
  return 1;
}

static int l_zeros(lua_State *L) { return filled(L, NN_F32, 0, 1, "nn.zeros"); }
static int l_ones(lua_State *L) { return filled(L, NN_F32, 1, 1, "nn.ones"); }
static int l_full(lua_State *L) {
  double v = luaL_checknumber(L, 1);
  return filled(L, NN_F32, v, 2, "nn.full");
}
static int l_index_zeros(lua_State *L) {
  /* All entries index 1 (0 in C). */
  return filled(L, NN_I32, 0, 1, "nn.IndexTensor");
}

static int l_arange(lua_State *L) {
  double a = luaL_checknumber(L, 1);
  double b, step = luaL_optnumber(L, 3, 1);
  if (lua_isnoneornil(L, 2)) {
    b = a;
    a = 0;
  } else {
    b = luaL_checknumber(L, 2);
  }
  nn_tensor *t = nnb_newtensor(L, NN_F32);
  NNB_CALL(L, "nn.arange", nn_tensor_arange(t, a, b, step));
  return 1;
}

/* --- shape queries --------------------------------------------------------- */

static int l_size(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "size");
  if (!lua_isnoneornil(L, 2)) {
    lua_pushinteger(L, t->size[nnb_checkdimarg(L, 2, t, "size", 0)]);
    return 1;
  }
  lua_createtable(L, t->ndim, 0);
  for (int i = 0; i < t->ndim; i++) {
    lua_pushinteger(L, t->size[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int l_dim(lua_State *L) {
  lua_pushinteger(L, nnb_checktensor(L, 1, "dim")->ndim);
  return 1;
}

static int l_numel(lua_State *L) {
  lua_pushinteger(L, nn_tensor_numel(nnb_checktensor(L, 1, "numel")));
  return 1;
}

static int l_len(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "#");
  lua_pushinteger(L, t->ndim ? t->size[0] : 1);
  return 1;
}

static int l_is_contiguous(lua_State *L) {
  lua_pushboolean(L, nn_tensor_is_contiguous(nnb_checktensor(L, 1, "is_contiguous")));
  return 1;
}

static int l_type(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "type");
  lua_pushstring(L, t->dtype == NN_F32 ? "float32" : "index");
  return 1;
}

static void totable_rec(lua_State *L, const nn_tensor *t, int dim, int64_t off) {
  lua_createtable(L, (int)t->size[dim], 0);
  for (int64_t i = 0; i < t->size[dim]; i++) {
    int64_t o = off + i * t->stride[dim];
    if (dim + 1 < t->ndim)
      totable_rec(L, t, dim + 1, o);
    else if (t->dtype == NN_I32)
      lua_pushinteger(L, (lua_Integer)((int32_t *)t->storage->data)[o] + 1);
    else
      lua_pushnumber(L, nnb_lua_value(t, o));
    lua_rawseti(L, -2, i + 1);
  }
}

static int l_totable(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "totable");
  if (t->ndim == 0) {
    lua_pushnumber(L, nnb_lua_value(t, t->offset));
    return 1;
  }
  if (nn_tensor_numel(t) == 0) {
    lua_newtable(L);
    return 1;
  }
  totable_rec(L, t, 0, t->offset);
  return 1;
}

static int l_item(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "item");
  if (nn_tensor_numel(t) != 1)
    return nnb_error(L, "item", "tensor has %lld elements, expected 1",
                     (long long)nn_tensor_numel(t));
  nn_iter it;
  nn_iter_init(&it, t);
  double v = nnb_lua_value(t, nn_iter_next(&it));
  if (t->dtype == NN_I32) lua_pushinteger(L, (lua_Integer)v);
  else lua_pushnumber(L, v);
  return 1;
}

/* --- views ------------------------------------------------------------------- */

static nn_tensor *new_like(lua_State *L, const nn_tensor *t) {
  return nnb_newtensor(L, t->dtype);
}

static int l_view(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "view");
  int64_t size[NN_MAXDIM];
  /* view(-1, 3): -1 is allowed, so read dims by hand */
  int n = 0;
  char what[48];
  int top = lua_istable(L, 2) ? (int)luaL_len(L, 2) : lua_gettop(L) - 1;
  if (top > NN_MAXDIM) nnb_error(L, "view", "at most %d dimensions, got %d", NN_MAXDIM, top);
  for (int i = 1; i <= top; i++) {
    int arg = i + 1;
    if (lua_istable(L, 2)) {
      lua_geti(L, 2, i);
      arg = lua_gettop(L);
    }
    snprintf(what, sizeof what, "size %d", i);
    size[n++] = nnb_checkint(L, arg, "view", what, -1, NNB_MAXSIZE);
    if (lua_istable(L, 2)) lua_pop(L, 1);
  }
  nn_tensor *r = new_like(L, t);
  NNB_CALL(L, "view", nn_tensor_view(r, t, n, size));
  return 1;
}

static int l_reshape(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "reshape");
  if (!nn_tensor_is_contiguous(t)) {
    nn_tensor *c = new_like(L, t);
    NNB_CALL(L, "reshape", nn_tensor_clone(c, t));
    lua_replace(L, 1);
  }
  return l_view(L);
}

static int l_narrow(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "narrow");
  int d = nnb_checkdimarg(L, 2, t, "narrow", 0);
  /* Wide bounds against overflow; the core reports the range itself. */
  int64_t s = nnb_checkint(L, 3, "narrow", "start", -NNB_MAXSIZE, (int64_t)NNB_MAXSIZE + 1);
  int64_t n = nnb_checkint(L, 4, "narrow", "length", -NNB_MAXSIZE, NNB_MAXSIZE);
  nn_tensor *r = new_like(L, t);
  NNB_CALL(L, "narrow", nn_tensor_narrow(r, t, d, s - 1, n));
  return 1;
}

static int l_select(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "select");
  int d = nnb_checkdimarg(L, 2, t, "select", 0);
  int64_t i = nnb_checkint(L, 3, "select", "index", 1, t->size[d]);
  nn_tensor *r = new_like(L, t);
  NNB_CALL(L, "select", nn_tensor_select(r, t, d, i - 1));
  return 1;
}

static int l_transpose(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "transpose");
  if (t->ndim < 2 && lua_isnoneornil(L, 2))
    return nnb_error(L, "t", "needs a 2-d tensor, got %d-d (%s)", t->ndim, nnb_shape(t));
  int d0 = nnb_checkdimarg(L, 2, t, "transpose", 1);
  int d1 = nnb_checkdimarg(L, 3, t, "transpose", 2);
  nn_tensor *r = new_like(L, t);
  NNB_CALL(L, "transpose", nn_tensor_transpose(r, t, d0, d1));
  return 1;
}

static int l_clone(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "clone");
  nn_tensor *r = new_like(L, t);
  NNB_CALL(L, "clone", nn_tensor_clone(r, t));
  return 1;
}

static int l_contiguous(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "contiguous");
  if (nn_tensor_is_contiguous(t)) {
    lua_settop(L, 1);
    return 1;
  }
  return l_clone(L);
}

/* Every value of float tensor src must be a whole number in [1, 2^31-1]. */
static void check_index_values(lua_State *L, const nn_tensor *src, const char *fname) {
  nn_iter it;
  nn_iter_init(&it, src);
  int64_t k = 0;
  for (int64_t o; (o = nn_iter_next(&it)) >= 0; k++) {
    double v = ((const float *)src->storage->data)[o];
    if (!(v >= 1 && v <= 2147483647.0) || v != (double)(int64_t)v)
      nnb_error(L, fname, "value %g at position %lld is not an integer >= 1 (index "
                "values are 1-based)", v, (long long)k + 1);
  }
}

static int copy_as(lua_State *L, const char *fname) {
  nn_tensor *t = nnb_checktensor(L, 1, fname);
  nn_tensor *s = nnb_checktensor(L, 2, fname);
  if (nn_tensor_numel(t) != nn_tensor_numel(s)) {
    char a[96], b[96];
    return nnb_error(L, fname, "number of elements differs: %s <- %s",
                     nn_tensor_shape_str(t, a, 96), nn_tensor_shape_str(s, b, 96));
  }
  /* Index values convert between conventions: the C side of an index
   * tensor is 0-based, so index <-> float conversion shifts by one.  Float
   * values becoming indices are checked here, where the index tensor is
   * made, rather than later where it is used (a 0 label in nn.fit). */
  if (t->dtype == NN_I32 && s->dtype == NN_F32) check_index_values(L, s, fname);
  NNB_CALL(L, "copy", nn_tensor_copy(t, s));
  if (t->dtype != s->dtype) {
    double shift = t->dtype == NN_F32 ? 1 : -1;
    nn_iter it;
    nn_iter_init(&it, t);
    for (int64_t o; (o = nn_iter_next(&it)) >= 0;) {
      if (t->dtype == NN_F32) ((float *)t->storage->data)[o] += (float)shift;
      else ((int32_t *)t->storage->data)[o] += (int32_t)shift;
    }
  }
  lua_settop(L, 1);
  return 1;
}
static int l_copy(lua_State *L) { return copy_as(L, "copy"); }

/* A number stored into an index tensor must be a whole number >= 1. */
static void check_index_number(lua_State *L, double v, const char *fname) {
  if (!(v >= 1 && v <= 2147483647.0) || v != (double)(int64_t)v)
    nnb_error(L, fname, "an index value must be an integer >= 1, got %g", v);
}

static int l_fill(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "fill");
  double v = luaL_checknumber(L, 2);
  if (t->dtype == NN_I32) check_index_number(L, v, "fill");
  NNB_CALL(L, "fill", nn_tensor_fill(t, t->dtype == NN_I32 ? v - 1 : v));
  lua_settop(L, 1);
  return 1;
}

static int l_zero(lua_State *L) {
  nn_tensor *t = nnb_checkfloat(L, 1, "zero");
  NNB_CALL(L, "zero", nn_tensor_fill(t, 0));
  lua_settop(L, 1);
  return 1;
}

static int convert(lua_State *L, nn_dtype to, const char *fname) {
  nn_tensor *t = nnb_checktensor(L, 1, fname);
  if (t->dtype == to) {
    lua_settop(L, 1);
    return 1;
  }
  nn_tensor *r = nnb_newtensor(L, to);
  NNB_CALL(L, fname, nn_tensor_resize(r, t->ndim, t->size));
  lua_insert(L, 1);
  lua_settop(L, 2);
  return copy_as(L, fname);
}

static int l_float(lua_State *L) { return convert(L, NN_F32, "float"); }
static int l_toindex(lua_State *L) { return convert(L, NN_I32, "index"); }

/* Identity of the underlying buffer, to tell views of one storage apart. */
static int l_storage_id(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "storage_id");
  lua_pushfstring(L, "%p", (void *)t->storage);
  return 1;
}

/* --- metatable ------------------------------------------------------------- */

static int l_tostring(lua_State *L) {
  nnb_pushtensorstring(L, nnb_checktensor(L, 1, "tostring"));
  return 1;
}

/* t[{i, j}] (tensor_tableindex.c) */
int nnb_tensor_index_table(lua_State *L, nn_tensor *t, int key);
int nnb_tensor_newindex_table(lua_State *L, nn_tensor *t, int key, int val);

/* t[i]: a row view of a tensor with 2+ dims, a number of a vector. */
static int l_index_mm(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "[]");
  if (lua_type(L, 2) == LUA_TTABLE) return nnb_tensor_index_table(L, t, 2);
  if (lua_type(L, 2) == LUA_TNUMBER) {
    int ok;
    lua_Integer i = lua_tointegerx(L, 2, &ok);
    if (!ok) return nnb_error(L, "[]", "index must be an integer, got %s", lua_tostring(L, 2));
    if (t->ndim == 0 || i < 1 || i > t->size[0])
      return nnb_error(L, "[]", "index %lld out of range [1, %lld] (tensor %s)",
                       (long long)i, (long long)(t->ndim ? t->size[0] : 0), nnb_shape(t));
    if (t->ndim == 1) {
      double v = nnb_lua_value(t, t->offset + (i - 1) * t->stride[0]);
      if (t->dtype == NN_I32) lua_pushinteger(L, (lua_Integer)v);
      else lua_pushnumber(L, v);
      return 1;
    }
    nn_tensor *r = new_like(L, t);
    NNB_CALL(L, "[]", nn_tensor_select(r, t, 0, i - 1));
    return 1;
  }
  luaL_getmetafield(L, 1, "__methods");
  lua_pushvalue(L, 2);
  lua_rawget(L, -2);
  return 1;
}

static int l_newindex(lua_State *L) {
  nn_tensor *t = nnb_checktensor(L, 1, "[]=");
  if (lua_type(L, 2) == LUA_TTABLE) return nnb_tensor_newindex_table(L, t, 2, 3);
  int ok;
  lua_Integer i = lua_tointegerx(L, 2, &ok);
  if (!ok) return nnb_error(L, "[]=", "index must be an integer, got %s", luaL_typename(L, 2));
  if (t->ndim == 0 || i < 1 || i > t->size[0])
    return nnb_error(L, "[]=", "index %lld out of range [1, %lld] (tensor %s)",
                     (long long)i, (long long)(t->ndim ? t->size[0] : 0), nnb_shape(t));
  nn_tensor row;
  nn_tensor_init(&row, t->dtype);
  nn_tensor_select(&row, t, 0, i - 1);
  int rc;
  nn_tensor *src = nnb_totensor(L, 3);
  if (src) {
    rc = nn_tensor_numel(src) == nn_tensor_numel(&row) && src->dtype == t->dtype
             ? nn_tensor_copy(&row, src)
             : nn_seterror("cannot assign a %s %s tensor to a row of %s", nnb_shape(src),
                           src->dtype == NN_F32 ? "float" : "index", nnb_shape(t));
  } else if (lua_type(L, 3) == LUA_TNUMBER) {
    double v = lua_tonumber(L, 3);
    if (t->dtype == NN_I32 && (!(v >= 1 && v <= 2147483647.0) || v != (double)(int64_t)v))
      rc = nn_seterror("an index value must be an integer >= 1, got %g", v);
    else
      rc = nn_tensor_fill(&row, t->dtype == NN_I32 ? v - 1 : v);
  } else {
    rc = nn_seterror("can only assign a number or a tensor, got %s", luaL_typename(L, 3));
  }
  nn_tensor_free(&row);
  if (rc != NN_OK) return nnb_coreerror(L, "[]=");
  return 0;
}

static const nnb_reg functions[] = {
    {"tensor", l_tensor,
     "nn.tensor(t) -> Tensor\n"
     "A float32 tensor from a nested table of numbers (or a copy of a tensor).\n"
     "  nn.tensor{{1,2},{3,4}}   -- 2x2"},
    {"index", l_index,
     "nn.index(t) -> IndexTensor\n"
     "An int32 index tensor (word indices, labels, permutations) from a table\n"
     "of integers >= 1 or a float tensor of such values. Values are 1-based in\n"
     "Lua, as everywhere in nnsh.\n"
     "  nn.index{3, 1, 2}"},
    {"IndexTensor", l_index_zeros,
     "nn.IndexTensor(d1, d2, ...) -> IndexTensor filled with index 1."},
    {"zeros", l_zeros, "nn.zeros(d1, d2, ...) or nn.zeros{d1, d2} -> Tensor of zeros.\n  nn.zeros(2, 3)"},
    {"ones", l_ones, "nn.ones(d1, d2, ...) -> Tensor of ones."},
    {"full", l_full, "nn.full(v, d1, d2, ...) -> Tensor filled with v.\n  nn.full(0.5, 3)"},
    {"arange", l_arange,
     "nn.arange([start,] stop [, step]) -> 1-d Tensor start, start+step, ... < stop.\n"
     "  nn.arange(5) -- 0 1 2 3 4"},
    {NULL, NULL, NULL}};

static const nnb_reg methods[] = {
    {"size", l_size, "t:size() -> table of dims; t:size(d) -> size of dim d."},
    {"dim", l_dim, "t:dim() -> number of dimensions."},
    {"numel", l_numel, "t:numel() -> number of elements."},
    {"totable", l_totable, "t:totable() -> nested Lua table of the values."},
    {"item", l_item, "t:item() -> the value of a one-element tensor."},
    {"type", l_type, "t:type() -> 'float32' or 'index'."},
    {"is_contiguous", l_is_contiguous, "t:is_contiguous() -> boolean."},
    {"view", l_view,
     "t:view(d1, d2, ...) -> a view with another shape (shares memory; one dim may be -1).\n"
     "  x:view(-1, 96)"},
    {"reshape", l_reshape, "t:reshape(d1, ...) -> like view, copying first if t is not contiguous."},
    {"narrow", l_narrow, "t:narrow(dim, start, len) -> view of len entries from start along dim."},
    {"select", l_select, "t:select(dim, i) -> view at index i along dim (that dim removed)."},
    {"t", l_transpose, "t:t() -> transposed view of a matrix."},
    {"transpose", l_transpose, "t:transpose(d1, d2) -> view with dims d1 and d2 swapped."},
    {"clone", l_clone, "t:clone() -> contiguous copy."},
    {"contiguous", l_contiguous, "t:contiguous() -> t itself if contiguous, else a contiguous copy."},
    {"copy", l_copy, "t:copy(src) -> t, after copying src's values in (same number of elements)."},
    {"fill", l_fill, "t:fill(v) -> t with every element set to v."},
    {"zero", l_zero, "t:zero() -> t with every element set to 0."},
    {"float", l_float, "t:float() -> float32 tensor with the same values."},
    {"index", l_toindex,
     "t:index() -> index tensor with the same values, which must be integers >= 1\n"
     "(an error names the first that is not).\n"
     "  (y01 + 1):index()   -- 0/1 labels as classes 1 and 2"},
    {"storage_id", l_storage_id, "t:storage_id() -> string identifying the shared buffer."},
    {NULL, NULL, NULL}};

void nnb_open_tensor(lua_State *L) {
  nnb_register(L, functions);
  nnb_add_methods(L, methods);
  nnb_pushmetatable(L);
  lua_pushcfunction(L, l_index_mm);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, l_newindex);
  lua_setfield(L, -2, "__newindex");
  lua_pushcfunction(L, l_len);
  lua_setfield(L, -2, "__len");
  lua_pushcfunction(L, l_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushliteral(L, "nn.Tensor");
  lua_setfield(L, -2, "__name");
  lua_pop(L, 1);
}
