/* nn.h5_c in nnsh: HDF5 loaded on first use.
 *
 * libhdf5 brings ~35 shared libraries (curl, ssl, krb5, ldap, ...) whose
 * loading and relocation took most of nnsh's start-up.  So nnsh does not
 * link it: nn.h5_c starts as an empty table whose first field access
 * dlopens nnh5.so (src/bindings/h5.c with the core's h5io*.c, linked to
 * libhdf5), calls its nnb_open_h5 to fill the real table, copies the
 * functions in and drops the proxy.  nnh5.so's references to the core and
 * the binding helpers resolve against this executable (built with
 * ENABLE_EXPORTS and the whole core).  The `h5` global itself is loaded on
 * first use too (env.c), so a session that never touches HDF5 never loads
 * it.
 *
 * nnh5.so is looked for in $NNSH_H5_MODULE, next to the nnsh executable,
 * in ../<libdir>/nnsh/ from it (an installed tree: cmake --install puts it
 * there, beside nn.so), and at its build path. */
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>

#include "nnb.h"

#ifndef NNSH_H5_MODULE
#define NNSH_H5_MODULE "nnh5.so"
#endif
#ifndef NNSH_H5_LIBDIR
#define NNSH_H5_LIBDIR "lib"
#endif

typedef void (*open_fn)(lua_State *L);

static void *try_open(const char *path, luaL_Buffer *errs) {
  if (access(path, R_OK) != 0) return NULL;
  /* Lazy binding, as when linked: binding libhdf5's and its libraries'
   * functions up front (RTLD_NOW) cost 5M instructions more per run. */
  void *h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
  if (!h) {
    luaL_addstring(errs, "\n  ");
    luaL_addstring(errs, dlerror());
  }
  return h;
}

static void *open_module(lua_State *L) {
  static void *handle;
  if (handle) return handle;
  luaL_Buffer errs;
  luaL_buffinit(L, &errs);
  const char *env = getenv("NNSH_H5_MODULE");
  if (env && *env) handle = try_open(env, &errs);
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 64 - sizeof NNSH_H5_LIBDIR);
  if (!handle && n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) {
      strcpy(slash + 1, "nnh5.so");
      handle = try_open(exe, &errs);
      if (!handle) {
        strcpy(slash + 1, "../" NNSH_H5_LIBDIR "/nnsh/nnh5.so");
        handle = try_open(exe, &errs);
      }
    }
  }
  if (!handle) handle = try_open(NNSH_H5_MODULE, &errs);
  if (!handle) {
    luaL_pushresult(&errs);
    nnb_error(L, "h5", "cannot load nnsh's HDF5 module nnh5.so (looked in $NNSH_H5_MODULE, "
              "next to nnsh and at %s)%s", NNSH_H5_MODULE, lua_tostring(L, -1));
  }
  luaL_pushresult(&errs);
  lua_pop(L, 1);
  return handle;
}

/* __index of the proxy: (proxy, key) -> value after loading. */
static int load_h5(lua_State *L) {
  void *h = open_module(L);
  open_fn open = (open_fn)(uintptr_t)dlsym(h, "nnb_open_h5");
  if (!open) nnb_error(L, "h5", "nnh5.so has no nnb_open_h5");
  lua_newtable(L); /* scratch "nn" table: open adds field h5_c to it */
  open(L);
  lua_getfield(L, -1, "h5_c");
  lua_pushnil(L);
  while (lua_next(L, -2)) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, 1);
  }
  lua_pop(L, 2);
  lua_pushnil(L);
  lua_setmetatable(L, 1);
  lua_pushvalue(L, 2);
  lua_rawget(L, 1);
  return 1;
}

void nnb_open_h5(lua_State *L) {
  lua_newtable(L);
  lua_createtable(L, 0, 1);
  lua_pushcfunction(L, load_h5);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  lua_setfield(L, -2, "h5_c");
}
