/* luaopen_nn: the `nn` module.
 *
 * Each binding file adds its functions to the nn table through its
 * nnb_open_* entry point (declared in nnb.h); the list below is the full
 * set, and a part that is not linked fails the build.
 *
 * After the C functions, the Lua side of nn (lua/nn/extend.lua: modules,
 * containers, the trainer, ...) is loaded onto the same table.  The lua/
 * directory is found through $NNSH_LUA_DIR, else the source tree's lua/
 * known at build time.
 */
#include <stdlib.h>
#include <string.h>

#include "isa_check.h"
#include "nnb.h"

typedef void (*nnb_open_fn)(lua_State *L);

static void add_lua_dir_to_path(lua_State *L) {
  const char *dir = getenv("NNSH_LUA_DIR");
  if (!dir || !*dir) dir = NNSH_LUA_DIR;
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "path");
  const char *path = lua_tostring(L, -1);
  lua_pushfstring(L, "%s/?.lua", dir);
  int present = path && strstr(path, lua_tostring(L, -1)) != NULL;
  lua_pop(L, 1);
  if (!present) {
    lua_pushfstring(L, "%s/?.lua;%s/shell/?.lua;%s/experiments/?.lua;%s", dir, dir, dir,
                    path ? path : "");
    lua_setfield(L, -3, "path");
  }
  lua_pop(L, 2);
}

int luaopen_nn(lua_State *L) {
  /* Already run by its constructor; the call links it into nn.so. */
  nn_isa_require();
  nnb_open_fn parts[] = {nnb_open_tensor, nnb_open_math,   nnb_open_tensor_compare,
                         nnb_open_tensor_shape, nnb_open_random,
                         nnb_open_interrupt, nnb_open_h5,  nnb_open_image,
                         nnb_open_layers, nnb_open_losses, nnb_open_optim,
                         nnb_open_recurrent, nnb_open_autoencoder,
                         nnb_open_clock, nnb_open_doc, nnb_open_idx,
                         nnb_open_config, nnb_open_checks, nnb_open_files};
  lua_newtable(L);
  for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) parts[i](L);

  /* Make `require "nn"` inside lua/nn/extend.lua return this table. */
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "loaded");
  lua_pushvalue(L, -3);
  lua_setfield(L, -2, "nn");
  lua_pop(L, 2);

  add_lua_dir_to_path(L);
  lua_getglobal(L, "require");
  lua_pushliteral(L, "nn.extend");
  lua_call(L, 1, 0);
  return 1;
}
