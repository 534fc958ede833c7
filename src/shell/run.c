/* Running Lua code the way lua.c does: every call is protected, errors get
 * a traceback, and Ctrl-C is armed only while Lua code runs. */
#include <stdio.h>
#include <string.h>

#include <lauxlib.h>

#include "nnb_interrupt.h"
#include "shell.h"

const char *nnsh_progname = "nnsh";

void nnsh_message(const char *msg) {
  if (nnsh_progname) fprintf(stderr, "%s: ", nnsh_progname);
  fprintf(stderr, "%s\n", msg);
  fflush(stderr);
}

int nnsh_report(lua_State *L, int status) {
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    nnsh_message(msg ? msg : "(error object is not a string)");
    lua_pop(L, 1);
  }
  return status;
}

/* Turns the error object into "message\nstack traceback: ...". */
static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1; /* an error object that describes itself: no traceback */
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int nnsh_docall(lua_State *L, int narg, int nres) {
  int base = lua_gettop(L) - narg; /* function index */
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  nnb_interrupt_arm(L);
  int status = lua_pcall(L, narg, nres, base);
  /* Also drops catches that an erroring chunk left pushed. */
  nnb_interrupt_reset(L);
  lua_remove(L, base);
  return status;
}

int nnsh_dostring(lua_State *L, const char *code, const char *chunkname) {
  int status = luaL_loadbuffer(L, code, strlen(code), chunkname);
  if (status == LUA_OK) status = nnsh_docall(L, 0, 0);
  return nnsh_report(L, status);
}

int nnsh_dorequire(lua_State *L, const char *name) {
  lua_getglobal(L, "require");
  lua_pushstring(L, name);
  int status = nnsh_docall(L, 1, 1);
  if (status == LUA_OK) lua_setglobal(L, name);
  return nnsh_report(L, status);
}

int nnsh_doscript(lua_State *L, const char *fname, char **args, int nargs) {
  int status = luaL_loadfile(L, fname);
  if (status == LUA_OK) {
    luaL_checkstack(L, nargs, "too many arguments to script");
    for (int i = 0; i < nargs; i++) lua_pushstring(L, args[i]);
    status = nnsh_docall(L, nargs, 0);
  }
  return nnsh_report(L, status);
}
