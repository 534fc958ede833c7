/* Writing files safely from Lua, one implementation for all of lua/:
 *   nn.atomic_write(path, text)            the text, atomically
 *   nn.atomic_write(path, fn [, {update=true}])
 *       fn(tmp) writes the temporary by name (HDF5, gnuplot, ...); then
 *       tmp is renamed over path.  With update=true an existing path is
 *       first copied to tmp, so fn modifies a copy (h5.write into a file).
 *       If fn raises (or Ctrl-C interrupts it) tmp is removed and the error
 *       goes on; path is untouched.
 * and the checkpoint seal (src/core/seal.h): nn._seal(path),
 * nn._seal_check(path) -> true (sealed, intact) | false (not sealed).
 * Temporaries are named .<base>.nnsh-tmp-<host>-<pid> and stale ones are
 * removed on the next write of the same target (src/core/atomic_file.h). */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../core/atomic_file.h"
#include "../core/error.h"
#include "../core/seal.h"
#include "nnb.h"

static int write_text(lua_State *L, const char *path) {
  size_t n;
  const char *text = lua_tolstring(L, 2, &n);
  nn_atomic_file af;
  NNB_CALL(L, "nn.atomic_write", nn_atomic_open(&af, path));
  fwrite(text, 1, n, af.fp);
  NNB_CALL(L, "nn.atomic_write", nn_atomic_commit(&af));
  lua_settop(L, 1);
  return 1;
}

static int l_atomic_write(lua_State *L) {
  const char *F = "nn.atomic_write";
  if (lua_type(L, 1) != LUA_TSTRING || !*lua_tostring(L, 1))
    nnb_error(L, F, "argument #1: expected a file name, got %s", luaL_typename(L, 1));
  const char *path = lua_tostring(L, 1);
  if (lua_type(L, 2) == LUA_TSTRING) return write_text(L, path);
  if (lua_type(L, 2) != LUA_TFUNCTION)
    nnb_error(L, F, "argument #2: expected a string or a function(tmp), got %s",
              luaL_typename(L, 2));
  int update = 0, mkdir = 1;
  if (lua_istable(L, 3)) {
    lua_getfield(L, 3, "update");
    update = lua_toboolean(L, -1);
    lua_getfield(L, 3, "mkdir");
    mkdir = lua_isnil(L, -1) || lua_toboolean(L, -1);
    lua_pop(L, 2);
  } else if (!lua_isnoneornil(L, 3)) {
    nnb_error(L, F, "argument #3: expected an options table {update=, mkdir=}, got %s",
              luaL_typename(L, 3));
  }
  lua_settop(L, 2);
  char *tmp;
  if (mkdir) NNB_CALL(L, F, nn_mkdir_parents(path));
  NNB_CALL(L, F, nn_atomic_tmpname(path, &tmp));
  lua_pushstring(L, tmp); /* 3: the name, owned by Lua from here on */
  free(tmp);
  const char *t = lua_tostring(L, 3);
  struct stat st;
  if (update && stat(path, &st) == 0 && nn_copy_file(path, t) != NN_OK) {
    remove(t);
    nnb_coreerror(L, F);
  }
  lua_pushvalue(L, 2);
  lua_pushvalue(L, 3);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
    remove(t);
    return lua_error(L); /* the writer's own error, unchanged */
  }
  NNB_CALL(L, F, nn_atomic_rename(t, path));
  lua_settop(L, 1);
  return 1;
}

static int l_seal(lua_State *L) {
  NNB_CALL(L, "nn._seal", nn_seal_write(luaL_checkstring(L, 1)));
  return 0;
}

static int l_seal_check(lua_State *L) {
  int r = nn_seal_check(luaL_checkstring(L, 1));
  if (r < 0) nnb_coreerror(L, "nn._seal_check");
  lua_pushboolean(L, r == 1);
  return 1;
}

static const nnb_reg fns[] = {
    {"atomic_write", l_atomic_write,
     "nn.atomic_write(path, text) -> path\n"
     "nn.atomic_write(path, function(tmp) ... end [, {update=true}]) -> path\n"
     "Write a file so that readers see the old one or the complete new one,\n"
     "never a part: the text, or whatever fn writes to the temporary tmp, goes\n"
     "next to path (.<name>.nnsh-tmp-<host>-<pid>) and is renamed over it.\n"
     "update=true copies an existing path to tmp first (to modify a file);\n"
     "missing directories are created unless mkdir=false.  If\n"
     "fn fails the temporary is removed and the error passes on.  Leftovers of\n"
     "killed writers are removed on the next write of the same path.\n"
     "Example:\n"
     "  nn.atomic_write(\"out/r.json\", json.encode({loss = 0.25}))\n"
     "  nn.atomic_write(\"out/w.h5\", function(tmp) h5.write_into(tmp, \"w\", nn.ones(2)) end)"},
    {"_seal", l_seal, "nn._seal(path): write the checksum block of a sealed HDF5 file."},
    {"_seal_check", l_seal_check,
     "nn._seal_check(path) -> true if sealed and intact, false if not sealed;\n"
     "an error 'checkpoint X is damaged: checksum mismatch' if damaged."},
    {NULL, NULL, NULL}};

void nnb_open_files(lua_State *L) { nnb_register(L, fns); }
