#include "nnb.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "../core/error.h"

static int tensor_gc(lua_State *L) {
  nn_tensor *t = luaL_checkudata(L, 1, NNB_TENSOR_MT);
  nn_tensor_free(t);
  return 0;
}

/* The tensor metatable of the state that created one last.  A tensor check
 * compares a userdata's metatable with it first: luaL_testudata's lookup by
 * name cost ~300 instructions per tensor argument (57 per trigram query).
 * A live object's address is unique, and every state creates its
 * metatable (at luaopen_nn) before checking any tensor, so a match is
 * exact; with several states alive a mismatch falls back to the name. */
static const void *tensor_mt;

void nnb_pushmetatable(lua_State *L) {
  if (luaL_newmetatable(L, NNB_TENSOR_MT)) {
    tensor_mt = lua_topointer(L, -1);
    lua_pushcfunction(L, tensor_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, tensor_gc);
    lua_setfield(L, -2, "__close");
    lua_newtable(L);
    lua_setfield(L, -2, "__methods");
  }
}

nn_tensor *nnb_newtensor(lua_State *L, nn_dtype dtype) {
  nnb_gc_pressure(L);
  nn_tensor *t = lua_newuserdatauv(L, sizeof(nn_tensor), 0);
  nn_tensor_init(t, dtype);
  nnb_pushmetatable(L);
  lua_setmetatable(L, -2);
  return t;
}

void nnb_add_methods(lua_State *L, const nnb_reg *fns) {
  nnb_pushmetatable(L);
  lua_getfield(L, -1, "__methods");
  nnb_register(L, fns);
  lua_pop(L, 2);
}

nn_tensor *nnb_totensor(lua_State *L, int arg) {
  if (lua_type(L, arg) != LUA_TUSERDATA || !lua_getmetatable(L, arg)) return NULL;
  const void *mt = lua_topointer(L, -1);
  lua_pop(L, 1);
  if (mt && mt == tensor_mt) return lua_touserdata(L, arg);
  return luaL_testudata(L, arg, NNB_TENSOR_MT);
}

static const char *typename_of(lua_State *L, int arg) {
  if (luaL_getmetafield(L, arg, "__name") == LUA_TSTRING) {
    const char *n = lua_tostring(L, -1);
    lua_pop(L, 1);
    return n;
  }
  return luaL_typename(L, arg);
}

nn_tensor *nnb_checktensor(lua_State *L, int arg, const char *fname) {
  nn_tensor *t = nnb_totensor(L, arg);
  if (!t)
    nnb_error(L, fname, "argument #%d: expected a tensor, got %s", arg,
              typename_of(L, arg));
  return t;
}

nn_tensor *nnb_checkfloat(lua_State *L, int arg, const char *fname) {
  nn_tensor *t = nnb_checktensor(L, arg, fname);
  if (t->dtype != NN_F32)
    nnb_error(L, fname, "argument #%d: expected a float tensor, got an index tensor", arg);
  return t;
}

nn_tensor *nnb_checkindex(lua_State *L, int arg, const char *fname) {
  nn_tensor *t = nnb_checktensor(L, arg, fname);
  if (t->dtype != NN_I32)
    nnb_error(L, fname,
              "argument #%d: expected an index tensor (nn.IndexTensor), got a float tensor", arg);
  return t;
}

void nnb_checkdim(lua_State *L, const nn_tensor *t, int ndim, const char *fname,
                  const char *argname) {
  if (t->ndim != ndim)
    nnb_error(L, fname, "%s must be %d-d, got %d-d (%s)", argname, ndim, t->ndim,
              nnb_shape(t));
}

int64_t nnb_checkint(lua_State *L, int arg, const char *fname, const char *what,
                     int64_t lo, int64_t hi) {
  int ok = 0;
  lua_Integer v = 0;
  if (lua_type(L, arg) == LUA_TNUMBER) v = lua_tointegerx(L, arg, &ok);
  if (!ok) {
    if (lua_type(L, arg) == LUA_TNUMBER)
      nnb_error(L, fname, "%s must be an integer, got %s", what, luaL_tolstring(L, arg, NULL));
    nnb_error(L, fname, "%s must be an integer, got %s", what, luaL_typename(L, arg));
  }
  if (v < lo && (lo == 0 || lo == 1))
    nnb_error(L, fname, "%s must be a %s integer, got %lld", what,
              lo ? "positive" : "non-negative", (long long)v);
  if (v < lo || v > hi)
    nnb_error(L, fname, "%s must be in [%lld, %lld], got %lld", what, (long long)lo,
              (long long)hi, (long long)v);
  return v;
}

int64_t nnb_optint(lua_State *L, int arg, const char *fname, const char *what,
                   int64_t lo, int64_t hi, int64_t def) {
  if (lua_isnoneornil(L, arg)) return def;
  return nnb_checkint(L, arg, fname, what, lo, hi);
}

int nnb_checkdimarg(lua_State *L, int arg, const nn_tensor *t, const char *fname,
                    int def) {
  if (def && lua_isnoneornil(L, arg)) return def - 1;
  int ok = 0;
  lua_Integer d = 0;
  if (lua_type(L, arg) == LUA_TNUMBER) d = lua_tointegerx(L, arg, &ok);
  if (!ok)
    nnb_error(L, fname, "argument #%d: dimension must be an integer, got %s", arg,
              lua_type(L, arg) == LUA_TNUMBER ? luaL_tolstring(L, arg, NULL)
                                              : luaL_typename(L, arg));
  if (d < 1 || d > t->ndim)
    nnb_error(L, fname, "dimension %lld out of range [1, %d] (tensor %s)", (long long)d,
              t->ndim, nnb_shape(t));
  return (int)d - 1;
}

int nnb_error(lua_State *L, const char *fname, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  luaL_where(L, 1);
  lua_pushfstring(L, "%s: %s", fname, msg);
  lua_concat(L, 2);
  lua_error(L); /* longjmps; lua.h does not declare it noreturn */
  abort();
}

int nnb_coreerror(lua_State *L, const char *fname) {
  nnb_error(L, fname, "%s", nn_lasterror());
}

const char *nnb_shape(const nn_tensor *t) {
  static char buf[160];
  return nn_tensor_shape_str(t, buf, sizeof buf);
}

/* Docstrings live in a weak-keyed registry table: function -> text. */
static const char *DOCS_KEY = "nn.docs";

static void push_docs(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, DOCS_KEY) != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_newtable(L);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, DOCS_KEY);
  }
}

void nnb_setdoc(lua_State *L, int idx, const char *text) {
  idx = lua_absindex(L, idx);
  push_docs(L);
  lua_pushvalue(L, idx);
  lua_pushstring(L, text);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

void nnb_register(lua_State *L, const nnb_reg *fns) {
  for (; fns->name; fns++) {
    lua_pushcfunction(L, fns->fn);
    if (fns->doc) nnb_setdoc(L, -1, fns->doc);
    lua_setfield(L, -2, fns->name);
  }
}

void nnb_gc_pressure(lua_State *L) {
  /* Lua's GC sees only the small userdata, not the tensor buffers; collect
   * when buffers allocated since the last collection exceed both 64 MB and
   * the live size then, as TH's heap tracking did. */
  static int64_t allocated_at_last, live_at_last;
  int64_t since = nn_storage_bytes_allocated() - allocated_at_last;
  int64_t limit = live_at_last > (64 << 20) ? live_at_last : (64 << 20);
  if (since > limit) {
    lua_gc(L, LUA_GCCOLLECT);
    allocated_at_last = nn_storage_bytes_allocated();
    live_at_last = nn_storage_bytes_live();
  }
}
