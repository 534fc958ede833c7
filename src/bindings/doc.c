/* nn.doc / nn.setdoc: read and attach docstrings.
 *
 * The texts live in the registry table "nn.docs" (weak keys) that
 * nnb_setdoc fills for every C function; Lua-side modules add theirs with
 * nn.setdoc, and help() reads them all back with nn.doc. */
#include "nnb.h"

static int l_doc(lua_State *L) {
  luaL_checkany(L, 1);
  if (lua_getfield(L, LUA_REGISTRYINDEX, "nn.docs") != LUA_TTABLE) {
    lua_pushnil(L);
    return 1;
  }
  lua_pushvalue(L, 1);
  lua_rawget(L, -2);
  return 1;
}

static int documentable(int type) {
  return type == LUA_TFUNCTION || type == LUA_TTABLE || type == LUA_TUSERDATA;
}

static int l_setdoc(lua_State *L) {
  if (!documentable(lua_type(L, 1)))
    nnb_error(L, "nn.setdoc", "argument #1: expected a function or table, got %s",
              luaL_typename(L, 1));
  if (lua_type(L, 2) != LUA_TSTRING)
    nnb_error(L, "nn.setdoc", "argument #2: expected the doc text (a string), got %s",
              luaL_typename(L, 2));
  nnb_setdoc(L, 1, lua_tostring(L, 2));
  lua_settop(L, 1);
  return 1;
}

static const nnb_reg fns[] = {
    {"doc", l_doc,
     "nn.doc(f) -> string or nil\n"
     "The docstring attached to a function or table (what help(f) shows).\n"
     "Example: print(nn.doc(nn.doc))"},
    {"setdoc", l_setdoc,
     "nn.setdoc(f, text) -> f\n"
     "Attach a docstring to a function or table, for help().  First line:\n"
     "the call signature; then what it does, the arguments, an example.\n"
     "Example: local function f(x) return 2*x end\n"
     "         nn.setdoc(f, 'f(x) -> number\\nTwice x.')"},
    {NULL, NULL, NULL}};

void nnb_open_doc(lua_State *L) { nnb_register(L, fns); }
