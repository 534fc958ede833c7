/* t[{i, j, ...}]: Torch7's element and sub-tensor indexing with a table.
 *   t[{2, 3}]       the element (2,3) of a matrix, a number
 *   t[{2}]          row 2, a view (as t[2])
 *   t[{2, 3}] = v   assigns the element
 * Ranges ({{1, 2}, 3}) are not supported: the error says to use narrow. */
#include <stdint.h>

#include <lauxlib.h>

#include "error.h"
#include "nnb.h"
#include "tensor.h"

/* Reads the integer indices of the table at `key` into idx; returns their
 * count or raises an error naming t[{...}]. */
static int read_indices(lua_State *L, const nn_tensor *t, int key, int64_t *idx,
                        const char *fname) {
  lua_Integer n = luaL_len(L, key);
  if (n == 0) return nnb_error(L, fname, "empty index table {}");
  if (n > t->ndim)
    return nnb_error(L, fname, "%lld indices for a %d-d tensor %s", (long long)n, t->ndim,
                     nnb_shape(t));
  for (int d = 0; d < n; d++) {
    lua_rawgeti(L, key, d + 1);
    if (lua_type(L, -1) == LUA_TTABLE)
      return nnb_error(L, fname, "ranges such as {1, 3} are not supported in t[{...}]; "
                                 "use t:narrow(dim, start, length)");
    int ok;
    lua_Integer i = lua_tointegerx(L, -1, &ok);
    if (!ok)
      return nnb_error(L, fname, "index %d must be an integer, got %s", d + 1,
                       luaL_typename(L, -1));
    if (i < 1 || i > t->size[d])
      return nnb_error(L, fname, "index %lld out of range [1, %lld] in dimension %d (tensor %s)",
                       (long long)i, (long long)t->size[d], d + 1, nnb_shape(t));
    idx[d] = i - 1;
    lua_pop(L, 1);
  }
  return (int)n;
}

int nnb_tensor_index_table(lua_State *L, nn_tensor *t, int key) {
  int64_t idx[NN_MAXDIM];
  int n = read_indices(L, t, key, idx, "[]");
  if (n == t->ndim) {
    int64_t off = t->offset;
    for (int d = 0; d < n; d++) off += idx[d] * t->stride[d];
    double v = nnb_lua_value(t, off);
    if (t->dtype == NN_I32) lua_pushinteger(L, (lua_Integer)v);
    else lua_pushnumber(L, v);
    return 1;
  }
  /* Fewer indices than dimensions: select one dimension after the other. */
  nn_tensor *r = nnb_newtensor(L, t->dtype);
  nn_tensor_set(r, t);
  for (int d = 0; d < n; d++) {
    nn_tensor tmp;
    nn_tensor_init(&tmp, t->dtype);
    int rc = nn_tensor_select(&tmp, r, 0, idx[d]);
    if (rc == NN_OK) nn_tensor_set(r, &tmp);
    nn_tensor_free(&tmp);
    if (rc != NN_OK) return nnb_coreerror(L, "[]");
  }
  return 1;
}

int nnb_tensor_newindex_table(lua_State *L, nn_tensor *t, int key, int val) {
  int64_t idx[NN_MAXDIM];
  int n = read_indices(L, t, key, idx, "[]=");
  if (n != t->ndim)
    return nnb_error(L, "[]=", "t[{...}] = v needs one index per dimension (%d for %s), got %d",
                     t->ndim, nnb_shape(t), n);
  int isnum;
  double v = lua_tonumberx(L, val, &isnum);
  if (!isnum) return nnb_error(L, "[]=", "can only assign a number to an element, got %s",
                               luaL_typename(L, val));
  int64_t off = t->offset;
  for (int d = 0; d < n; d++) off += idx[d] * t->stride[d];
  if (t->dtype == NN_F32) {
    nn_fdata(t)[off - t->offset] = (float)v;
  } else {
    if (v != (double)(int32_t)v || v < 1)
      return nnb_error(L, "[]=", "an index tensor holds integers >= 1, got %g", v);
    nn_idata(t)[off - t->offset] = (int32_t)v - 1;
  }
  return 0;
}
