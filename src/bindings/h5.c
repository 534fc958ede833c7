/* nn.h5_c: HDF5 files from Lua (lua/h5.lua builds the `h5` module on it).
 *
 * The core (src/core/h5io.h) opens and closes the file within each call, so
 * no HDF5 id outlives a core call and a Lua error raised here cannot leak
 * one.  Core results that own malloc'd memory (lists, strings, attributes)
 * live inside a userdata with a __gc, so a Lua error while converting them
 * (out of memory) does not leak them either.
 *
 * Index convention: see h5io.h.  Integer datasets of 32/64 bits come back as
 * index tensors showing the file's 1-based values in Lua (0-based in C).
 */
#include <string.h>

#include "../core/error.h"
#include "../core/h5io.h"
#include "nnb.h"

/* --- guards: core results owned by a userdata ------------------------------ */

#define GUARD(kind, type, freefn)                                              \
  static int kind##_gc(lua_State *L) {                                         \
    freefn((type *)lua_touserdata(L, 1));                                      \
    return 0;                                                                  \
  }                                                                            \
  static type *new_##kind(lua_State *L) {                                     \
    type *p = lua_newuserdatauv(L, sizeof(type), 0);                           \
    memset(p, 0, sizeof *p);                                                   \
    if (luaL_newmetatable(L, "nn.h5." #kind)) {                                \
      lua_pushcfunction(L, kind##_gc);                                         \
      lua_setfield(L, -2, "__gc");                                             \
    }                                                                          \
    lua_setmetatable(L, -2);                                                   \
    return p;                                                                  \
  }
GUARD(dslist, nn_h5_dslist, nn_h5_list_free)
GUARD(strings, nn_h5_strings, nn_h5_strings_free)
GUARD(attrs, nn_h5_attrs, nn_h5_attrs_free)

/* --- argument checks ---------------------------------------------------- */

static const char *check_string(lua_State *L, int arg, const char *fname,
                                const char *what) {
  if (lua_type(L, arg) != LUA_TSTRING)
    nnb_error(L, fname, "argument #%d: expected %s (a string), got %s", arg, what,
              luaL_typename(L, arg));
  return lua_tostring(L, arg);
}

/* Optional object name: nil or a string. */
static const char *opt_object(lua_State *L, int arg, const char *fname) {
  if (lua_isnoneornil(L, arg)) return NULL;
  return check_string(L, arg, fname, "an object name");
}

/* Options table at arg (or nil): every key must be in `known`. */
static void check_options(lua_State *L, int arg, const char *fname,
                          const char *const *known) {
  if (lua_isnoneornil(L, arg)) return;
  if (!lua_istable(L, arg))
    nnb_error(L, fname, "argument #%d: expected an options table, got %s", arg,
              luaL_typename(L, arg));
  lua_pushnil(L);
  while (lua_next(L, arg)) {
    lua_pop(L, 1);
    int ok = 0;
    for (const char *const *k = known; *k && lua_type(L, -1) == LUA_TSTRING; k++)
      ok |= !strcmp(lua_tostring(L, -1), *k);
    if (!ok) nnb_error(L, fname, "unknown option '%s'", luaL_tolstring(L, -1, NULL));
  }
}

/* --- h5.list ------------------------------------------------------------------ */

static void push_shape(lua_State *L, int ndim, const int64_t *size) {
  lua_createtable(L, ndim, 0);
  for (int d = 0; d < ndim; d++) {
    lua_pushinteger(L, size[d]);
    lua_rawseti(L, -2, d + 1);
  }
}

static int l_list(lua_State *L) {
  const char *path = check_string(L, 1, "h5.list", "a file name");
  nn_h5_dslist *l = new_dslist(L);
  NNB_CALL(L, "h5.list", nn_h5_list(l, path));
  lua_createtable(L, l->n, 0);
  for (int i = 0; i < l->n; i++) {
    const nn_h5_dsinfo *it = &l->items[i];
    lua_createtable(L, 0, 3);
    lua_pushstring(L, it->name);
    lua_setfield(L, -2, "name");
    push_shape(L, it->ndim, it->size);
    lua_setfield(L, -2, "shape");
    lua_pushstring(L, it->type);
    lua_setfield(L, -2, "type");
    lua_rawseti(L, -2, i + 1);
  }
  nn_h5_list_free(l);
  return 1;
}

/* --- h5.read ------------------------------------------------------------------ */

static void push_strings(lua_State *L, const nn_h5_strings *s) {
  if (s->ndim == 0 && s->n == 1) { /* a scalar string dataset */
    lua_pushlstring(L, s->s[0], s->len[0]);
    return;
  }
  lua_createtable(L, (int)s->n, 0);
  for (int64_t i = 0; i < s->n; i++) {
    lua_pushlstring(L, s->s[i], s->len[i]);
    lua_rawseti(L, -2, i + 1);
  }
}

static int l_read(lua_State *L) {
  static const char *const known[] = {"as", NULL};
  const char *path = check_string(L, 1, "h5.read", "a file name");
  const char *name = check_string(L, 2, "h5.read", "a dataset name");
  check_options(L, 3, "h5.read", known);
  nn_h5_as as = NN_H5_AS_DEFAULT;
  if (lua_istable(L, 3) && lua_getfield(L, 3, "as") != LUA_TNIL) {
    const char *v = lua_tostring(L, -1);
    if (lua_type(L, -1) == LUA_TSTRING && !strcmp(v, "index")) as = NN_H5_AS_INDEX;
    else if (lua_type(L, -1) == LUA_TSTRING && !strcmp(v, "float")) as = NN_H5_AS_FLOAT;
    else
      nnb_error(L, "h5.read", "option as must be \"index\" or \"float\", got %s",
                luaL_tolstring(L, -1, NULL));
  }
  nn_h5_dsinfo info;
  NNB_CALL(L, "h5.read", nn_h5_info(&info, path, name));
  if (info.cls == NN_H5_STRING) {
    if (as != NN_H5_AS_DEFAULT)
      nnb_error(L, "h5.read", "dataset '%s' in %s holds strings; option as applies to "
                "numeric datasets", name, path);
    nn_h5_strings *s = new_strings(L);
    NNB_CALL(L, "h5.read", nn_h5_read_strings(s, path, name));
    push_strings(L, s);
    nn_h5_strings_free(s);
    return 1;
  }
  nn_tensor *t = nnb_newtensor(L, NN_F32);
  NNB_CALL(L, "h5.read", nn_h5_read(t, path, name, as));
  return 1;
}

/* --- h5.write ----------------------------------------------------------------- */

static int l_write(lua_State *L) {
  static const char *const known[] = {"compress", "checksum", NULL};
  const char *path = check_string(L, 1, "h5.write", "a file name");
  const char *name = check_string(L, 2, "h5.write", "a dataset name");
  check_options(L, 4, "h5.write", known);
  int level = 0;
  if (lua_istable(L, 4) && lua_getfield(L, 4, "compress") != LUA_TNIL) {
    int ok;
    lua_Integer v = lua_tointegerx(L, -1, &ok);
    if (!ok || v < 0 || v > 9)
      nnb_error(L, "h5.write", "option compress must be a gzip level 0..9, got %s",
                luaL_tolstring(L, -1, NULL));
    level = (int)v;
  }
  int checksum = 0;
  if (lua_istable(L, 4) && lua_getfield(L, 4, "checksum") != LUA_TNIL) {
    if (!lua_isboolean(L, -1))
      nnb_error(L, "h5.write", "option checksum must be a boolean, got %s",
                luaL_tolstring(L, -1, NULL));
    checksum = lua_toboolean(L, -1);
  }
  nn_tensor *t = nnb_totensor(L, 3);
  if (t) {
    NNB_CALL(L, "h5.write", nn_h5_write_ex(path, name, t, level, checksum));
    return 0;
  }
  if (!lua_istable(L, 3))
    nnb_error(L, "h5.write", "argument #3: expected a tensor or a table of strings, got %s",
              luaL_typename(L, 3));
  lua_Integer n = luaL_len(L, 3);
  lua_pushnil(L);
  while (lua_next(L, 3)) { /* an array 1..n and nothing else */
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > n)
      nnb_error(L, "h5.write", "argument #3: expected an array of strings, found key %s",
                luaL_tolstring(L, -1, NULL));
  }
  /* Arrays inside userdata: collected if a check below raises. */
  const char **s = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *s, 0);
  size_t *len = lua_newuserdatauv(L, (size_t)(n ? n : 1) * sizeof *len, 0);
  for (lua_Integer i = 1; i <= n; i++) {
    if (lua_geti(L, 3, i) != LUA_TSTRING)
      nnb_error(L, "h5.write", "argument #3: element %lld is a %s, not a string%s",
                (long long)i, luaL_typename(L, -1),
                lua_type(L, -1) == LUA_TNUMBER ? " (write numbers as a tensor: nn.tensor{...})"
                                               : "");
    s[i - 1] = lua_tolstring(L, -1, &len[i - 1]);
    lua_pop(L, 1); /* still referenced by the table argument */
  }
  NNB_CALL(L, "h5.write", nn_h5_write_strings(path, name, s, len, n, level));
  return 0;
}

/* --- h5.attrs ----------------------------------------------------------------- */

static void push_attr(lua_State *L, const nn_h5_attr *a) {
  if (a->kind == NN_H5_ATTR_OTHER) {
    lua_pushfstring(L, "(unreadable %s attribute)", a->type);
    return;
  }
  if (!a->scalar) lua_createtable(L, (int)a->n, 0);
  for (int64_t i = 0; i < a->n; i++) {
    switch (a->kind) {
    case NN_H5_ATTR_INT: lua_pushinteger(L, a->i[i]); break;
    case NN_H5_ATTR_BOOL: lua_pushboolean(L, (int)a->i[i]); break;
    case NN_H5_ATTR_FLOAT: lua_pushnumber(L, a->f[i]); break;
    default: lua_pushlstring(L, a->s[i], a->len[i]); break;
    }
    if (a->scalar) return;
    lua_rawseti(L, -2, i + 1);
  }
}

static int l_attrs(lua_State *L) {
  const char *path = check_string(L, 1, "h5.attrs", "a file name");
  const char *obj = opt_object(L, 2, "h5.attrs");
  nn_h5_attrs *a = new_attrs(L);
  NNB_CALL(L, "h5.attrs", nn_h5_attrs_read(a, path, obj));
  lua_createtable(L, 0, a->n);
  for (int k = 0; k < a->n; k++) {
    push_attr(L, &a->items[k]);
    lua_setfield(L, -2, a->items[k].name);
  }
  nn_h5_attrs_free(a);
  return 1;
}

/* --- h5.setattr ---------------------------------------------------------------- */

/* Fill v from the Lua value at arg (arrays kept in userdata on the stack). */
static void check_attr_value(lua_State *L, int arg, nn_h5_attr *v) {
  const char *F = "h5.setattr";
  int type = lua_type(L, arg);
  v->scalar = type != LUA_TTABLE;
  v->n = v->scalar ? 1 : (int64_t)lua_rawlen(L, arg);
  if (type == LUA_TTABLE) { /* an array 1..n and nothing else */
    int64_t count = 0;
    lua_pushnil(L);
    while (lua_next(L, arg)) {
      lua_pop(L, 1);
      if (!lua_isinteger(L, -1) || lua_tointeger(L, -1) < 1 || lua_tointeger(L, -1) > v->n)
        nnb_error(L, F, "argument #4: a table value must be an array (keys 1..n), found "
                  "key %s (encode tables with json.encode)", luaL_tolstring(L, -1, NULL));
      count++;
    }
    if (count != v->n) nnb_error(L, F, "argument #4: the array has holes");
  } else if (type != LUA_TNUMBER && type != LUA_TSTRING && type != LUA_TBOOLEAN) {
    nnb_error(L, F, "argument #4: expected a number, string, boolean or array, got %s",
              luaL_typename(L, arg));
  }
  /* Element kind from the first element (all must agree). */
  int first = v->scalar ? type : LUA_TNUMBER; /* an empty array: float64 */
  if (!v->scalar && v->n) {
    lua_rawgeti(L, arg, 1);
    first = lua_type(L, -1);
    lua_pop(L, 1);
  }
  size_t cnt = (size_t)(v->n ? v->n : 1);
  int allint = 1;
  if (first == LUA_TSTRING) {
    v->kind = NN_H5_ATTR_STRING;
    v->s = lua_newuserdatauv(L, cnt * sizeof *v->s, 0);
    v->len = lua_newuserdatauv(L, cnt * sizeof *v->len, 0);
  } else if (first == LUA_TBOOLEAN) {
    v->kind = NN_H5_ATTR_BOOL;
    v->i = lua_newuserdatauv(L, cnt * sizeof *v->i, 0);
  } else if (first == LUA_TNUMBER) {
    v->i = lua_newuserdatauv(L, cnt * sizeof *v->i, 0);
    v->f = lua_newuserdatauv(L, cnt * sizeof *v->f, 0);
  } else {
    nnb_error(L, F, "argument #4: array elements must be numbers, strings or booleans, "
              "got %s", lua_typename(L, first));
  }
  for (int64_t i = 0; i < v->n; i++) {
    int el = arg;
    if (!v->scalar) {
      lua_rawgeti(L, arg, i + 1);
      el = lua_gettop(L);
    }
    if (lua_type(L, el) != first)
      nnb_error(L, F, "argument #4: element %lld is a %s, element 1 a %s (arrays hold one type)",
                (long long)i + 1, luaL_typename(L, el), lua_typename(L, first));
    if (first == LUA_TSTRING) {
      v->s[i] = (char *)lua_tolstring(L, el, &v->len[i]);
      if (strlen(v->s[i]) != v->len[i])
        nnb_error(L, F, "argument #4: string %lld contains a NUL byte", (long long)i + 1);
    } else if (first == LUA_TBOOLEAN) {
      v->i[i] = lua_toboolean(L, el);
    } else {
      allint &= lua_isinteger(L, el);
      v->f[i] = lua_tonumber(L, el);
      v->i[i] = lua_isinteger(L, el) ? lua_tointeger(L, el) : 0;
    }
    if (!v->scalar) lua_pop(L, 1); /* strings stay referenced by the table */
  }
  if (first == LUA_TNUMBER) v->kind = allint && v->n ? NN_H5_ATTR_INT : NN_H5_ATTR_FLOAT;
}

static int l_setattr(lua_State *L) {
  const char *path = check_string(L, 1, "h5.setattr", "a file name");
  const char *obj = opt_object(L, 2, "h5.setattr");
  const char *key = check_string(L, 3, "h5.setattr", "an attribute name");
  if (lua_isnoneornil(L, 4)) nnb_error(L, "h5.setattr", "argument #4: expected a value, got nil");
  lua_settop(L, 4);
  nn_h5_attr v;
  memset(&v, 0, sizeof v);
  check_attr_value(L, 4, &v);
  NNB_CALL(L, "h5.setattr", nn_h5_setattr(path, obj, key, &v));
  return 0;
}

static int l_create(lua_State *L) {
  const char *path = check_string(L, 1, "h5.create", "a file name");
  int ub = (int)nnb_optint(L, 2, "h5.create", "argument #2 (user block bytes)", 0, 1 << 20, 0);
  NNB_CALL(L, "h5.create", nn_h5_create(path, ub));
  return 0;
}

static int l_copy(lua_State *L) {
  const char *src = check_string(L, 1, "h5.copy", "a file name");
  const char *dst = check_string(L, 2, "h5.copy", "a file name");
  NNB_CALL(L, "h5.copy", nn_h5_copy(src, dst));
  return 0;
}

/* --- h5.hold -------------------------------------------------------------- */

/* The handle: the core's hold number, -1 once released. */
static int hold_release(lua_State *L) {
  int *h = luaL_checkudata(L, 1, "nn.h5.hold");
  nn_h5_release(*h);
  *h = -1;
  return 0;
}

static int hold_tostring(lua_State *L) {
  int *h = luaL_checkudata(L, 1, "nn.h5.hold");
  lua_getiuservalue(L, 1, 1);
  lua_pushfstring(L, "h5.hold(%s)%s", lua_tostring(L, -1), *h < 0 ? " (released)" : "");
  return 1;
}

static int l_hold(lua_State *L) {
  const char *path = check_string(L, 1, "h5.hold", "a file name");
  int *h = lua_newuserdatauv(L, sizeof *h, 1);
  *h = -1;
  if (luaL_newmetatable(L, "nn.h5.hold")) {
    lua_pushcfunction(L, hold_release);
    lua_setfield(L, -2, "__close");
    lua_pushcfunction(L, hold_release);
    lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, hold_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, hold_release);
    lua_setfield(L, -2, "release");
    lua_setfield(L, -2, "__index");
  }
  lua_setmetatable(L, -2);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);
  int r = nn_h5_hold(path);
  if (r < 0) nnb_coreerror(L, "h5.hold");
  *h = r;
  return 1;
}

static int l_open_ids(lua_State *L) {
  lua_pushinteger(L, nn_h5_open_ids());
  return 1;
}

static const nnb_reg h5_fns[] = {
    {"list", l_list,
     "h5.list(path) -> {{name=, shape={...}, type=}, ...}\n"
     "Every dataset of an HDF5 file, recursively through groups (names are\n"
     "paths like \"model/layer1/weight\"), sorted by name.  type is \"float32\",\n"
     "\"float64\", \"int32\", \"uint8\", ..., \"string\" (or \"compound\", \"bool\"...\n"
     "for types h5.read cannot read); shape is {} for a scalar.\n"
     "Example: for _, d in ipairs(h5.list(\"data/data2.h5\")) do print(d) end\n"
     "         --> testd  int32  46568  ..."},
    {"read", l_read,
     "h5.read(path, name [, {as=\"index\"|\"float\"}]) -> tensor or strings\n"
     "Read a dataset.  Float datasets (float32/float64) -> float tensor.\n"
     "Integer datasets of 32/64 bits (e.g. word indices) -> index tensor: the\n"
     "file's values are 1-based indices and show unchanged in Lua (C holds\n"
     "value-1); a value < 1 is an error.  Integers of 8/16 bits (uint8\n"
     "pixels, one-hot or 0/1 labels) -> float tensor.  as=\"index\" reads any\n"
     "integer dataset as an index tensor, as=\"float\" any numeric one as\n"
     "float.  String datasets (fixed or variable length) -> table of strings\n"
     "(padding stripped; a scalar string dataset -> a string, a 2-d one ->\n"
     "a flat table in row-major order).\n"
     "Example: local x = h5.read(\"data/data2.h5\", \"trainx\")  -- 372550x3 index\n"
     "         local words = h5.read(\"data/data2.h5\", \"words\") -- words[1] == \".\"\n"
     "         local y = h5.read(\"data/data4.h5\", \"trainlbls\") -- float 0/1"},
    {"write", l_write,
     "h5.write(path, name, value [, {compress=level}])\n"
     "Write a float tensor (float32), an index tensor (int32 holding the Lua\n"
     "1-based values, so h5.read gives it back) or a table of strings as\n"
     "dataset `name`.  Creates the file if missing, intermediate groups of\n"
     "\"a/b/c\", and replaces an existing dataset (HDF5 does not shrink the\n"
     "file then).  compress: gzip level 1..9 (0 = none, the default);\n"
     "checksum=true adds a Fletcher32 checksum to the data, verified on read.\n"
     "The file is replaced atomically: a copy is written, then renamed;\n"
     "missing directories are created.\n"
     "Example: h5.write(\"out/m.h5\", \"model/layer1/weight\", nn.randn(4, 3), {compress=4})\n"
     "         h5.write(\"out/m.h5\", \"vocab\", {\"a\", \"b\"})"},
    {"attrs", l_attrs,
     "h5.attrs(path [, objname]) -> table\n"
     "All attributes of the root group (no objname, or \"/\") or of a group or\n"
     "dataset: numbers (integers stay integers), strings, booleans, and\n"
     "arrays of those as Lua tables.\n"
     "Example: h5.attrs(\"data/data2.h5\").seed  --> 0\n"
     "         #h5.attrs(\"data/data1.h5\").xMean  --> 768"},
    {"setattr", l_setattr,
     "h5.setattr(path, objname, key, value)\n"
     "Set attribute `key` of the root (objname nil or \"/\") or of a group or\n"
     "dataset of an existing file, replacing an old one.  value: number,\n"
     "string (any length), boolean, or an array of numbers, strings or\n"
     "booleans.  Store structured values as a string (json.encode).\n"
     "Example: h5.setattr(\"out/m.h5\", nil, \"epoch\", 12)\n"
     "         h5.setattr(\"out/m.h5\", \"model/layer1/weight\", \"init\", \"xavier\")"},
    {"create", l_create,
     "h5.create(path [, userblock]) creates (or empties) an HDF5 file in the\n"
     "latest file format (checksummed metadata), with a user block of that\n"
     "many bytes (0, or a power of two >= 512) before the HDF5 data.\n"
     "Example:\n"
     "  h5.create(\"out/empty.h5\", 512)\n"
     "  h5.write(\"out/empty.h5\", \"x\", nn.ones(2))"},
    {"copy", l_copy,
     "h5.copy(src, dst) copies an HDF5 file byte for byte (after the crash\n"
     "guard has read src); nothing when src does not exist."},
    {"hold", l_hold,
     "h5.hold(path) -> handle\n"
     "Keep an HDF5 file open for reading until handle:release() (or the end of\n"
     "the block of a `local h <close> = h5.hold(path)`): meanwhile every h5.read,\n"
     "h5.list and h5.attrs of that file reuses the open file instead of opening\n"
     "it again (each opening builds libhdf5's metadata cache anew).  Holds nest;\n"
     "writing a held file fails until it is released.  nn.load holds its\n"
     "checkpoint while it reads it.\n"
     "Example:\n"
     "  local h <close> = h5.hold(\"data/data2.h5\")\n"
     "  local x, d = h5.read(\"data/data2.h5\", \"testx\"), h5.read(\"data/data2.h5\", \"testd\")"},
    {"open_ids", l_open_ids,
     "h5.open_ids() -> integer\n"
     "Number of HDF5 objects open in this process (0 between calls: every h5\n"
     "function closes what it opened, on errors too).  For tests.\n"
     "Example: assert(h5.open_ids() == 0)"},
    {NULL, NULL, NULL}};

void nnb_open_h5(lua_State *L) {
  lua_newtable(L);
  nnb_register(L, h5_fns);
  lua_setfield(L, -2, "h5_c");
}
