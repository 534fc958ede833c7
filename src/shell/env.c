/* The Lua environment of the shell: where modules are found, which are
 * globals, and the small shell-level functions threads() and mem().
 * Start-up loads only code, never data, so the prompt appears at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lualib.h>

#include "../core/blas.h"
#include "../core/blas_choice.h"
#include "../core/fpmode.h"
#include "../core/pair.h"
#include "../core/storage.h"
#include "nnb.h"
#include "shell.h"

int luaopen_nn(lua_State *L);

/* Globals loaded on first use (when their file exists; some are optional):
 * h5 loads HDF5 (h5_lazy.c), and parsing the Lua of the others was most of
 * the start-up time.  help loads nnsh.doc_examples, which loads every part
 * of nn to attach its examples. */
static const char *const lazy_globals[] = {"h5", "help", "optim", "plot", "image", NULL};
/* Of those, the ones whose value is a function (tab completion adds "("). */
static const char *const lazy_functions[] = {"help", NULL};

static void set_package_path(lua_State *L) {
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "path");
  /* Library modules sit in lua/, the shell's own helpers in lua/shell/ and
   * the course experiments in lua/experiments/; all load by bare name. */
  const char *dir = nnsh_lua_dir();
  lua_pushfstring(L, "%s/?.lua;%s/shell/?.lua;%s/experiments/?.lua;%s", dir, dir, dir,
                  lua_tostring(L, -1));
  lua_setfield(L, -3, "path");
  lua_pop(L, 1);
  lua_getfield(L, -1, "preload");
  lua_pushcfunction(L, luaopen_nn);
  lua_setfield(L, -2, "nn");
  lua_pop(L, 2);
}

/* package.searchpath(name, package.path) finds a file for the module? */
static int module_exists(lua_State *L, const char *name) {
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "searchpath");
  lua_pushstring(L, name);
  lua_getfield(L, -3, "path");
  lua_call(L, 2, 1);
  int found = !lua_isnil(L, -1);
  lua_pop(L, 2);
  return found;
}

#define FAILED_KEY "nnsh.lazy_failed"

/* __index of _G: (G, key) -> require(key) for a lazy global, else nil.
 * A module other than h5 that fails to load is reported once and stays nil,
 * as when the shell loaded them all at start-up; h5's errors (no HDF5
 * module) are raised at each use. */
static int lazy_global(lua_State *L) {
  const char *k = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : NULL;
  for (const char *const *m = lazy_globals; k && *m; m++) {
    if (strcmp(k, *m) != 0) continue;
    int raises = strcmp(k, "h5") == 0;
    if (!raises) {
      if (lua_getfield(L, LUA_REGISTRYINDEX, FAILED_KEY) == LUA_TTABLE &&
          lua_getfield(L, -1, k) != LUA_TNIL)
        return 0;
      lua_settop(L, 2);
    }
    if (!module_exists(L, k)) return 0;
    lua_getglobal(L, "require");
    lua_pushvalue(L, 2);
    if (raises) {
      lua_call(L, 1, 1);
    } else if (nnsh_report(L, lua_pcall(L, 1, 1, 0)) != LUA_OK) {
      if (lua_getfield(L, LUA_REGISTRYINDEX, FAILED_KEY) != LUA_TTABLE) {
        lua_pop(L, 1);
        lua_newtable(L);
        lua_pushvalue(L, -1);
        lua_setfield(L, LUA_REGISTRYINDEX, FAILED_KEY);
      }
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, k);
      return 0;
    }
    lua_pushvalue(L, 2);
    lua_pushvalue(L, -2);
    lua_rawset(L, 1);
    return 1;
  }
  return 0;
}

static int is_lazy_function(const char *name) {
  for (const char *const *m = lazy_functions; *m; m++)
    if (strcmp(*m, name) == 0) return 1;
  return 0;
}

/* The metatable of _G: __index loads a lazy global, __names lists the ones
 * present for tab completion (name -> callable). */
static void set_lazy_globals(lua_State *L) {
  lua_pushglobaltable(L);
  lua_createtable(L, 0, 2);
  lua_pushcfunction(L, lazy_global);
  lua_setfield(L, -2, "__index");
  lua_createtable(L, 0, 5);
  for (const char *const *m = lazy_globals; *m; m++) {
    if (!module_exists(L, *m)) continue;
    lua_pushboolean(L, is_lazy_function(*m));
    lua_setfield(L, -2, *m);
  }
  lua_setfield(L, -2, "__names");
  lua_setmetatable(L, -2);
  lua_pop(L, 1);
}

static int l_threads(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) {
    int isint;
    lua_Integer n = lua_tointegerx(L, 1, &isint);
    if (!isint || n < 1 || n > 1024)
      nnb_error(L, "threads", "expected a thread count from 1 to 1024, got %s",
                luaL_tolstring(L, 1, NULL));
    nn_blas_set_threads((int)n);
  }
  lua_pushinteger(L, nn_blas_threads());
  return 1;
}

static void push_bytes(lua_State *L, double bytes) {
  const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) bytes /= 1024, u++;
  char buf[32];
  snprintf(buf, sizeof buf, u ? "%.1f %s" : "%.0f %s", bytes, unit[u]);
  lua_pushstring(L, buf);
}

static int mem_tostring(lua_State *L) {
  lua_getfield(L, 1, "tensor_bytes");
  lua_getfield(L, 1, "lua_bytes");
  double tensors = lua_tonumber(L, -2), luab = lua_tonumber(L, -1);
  push_bytes(L, tensors);
  push_bytes(L, luab);
  lua_pushfstring(L, "tensors %s live, Lua %s", lua_tostring(L, -2), lua_tostring(L, -1));
  return 1;
}

static int l_mem(lua_State *L) {
  lua_createtable(L, 0, 2);
  lua_pushinteger(L, nn_storage_bytes_live());
  lua_setfield(L, -2, "tensor_bytes");
  lua_pushinteger(L, (lua_Integer)lua_gc(L, LUA_GCCOUNT, 0) * 1024 + lua_gc(L, LUA_GCCOUNTB, 0));
  lua_setfield(L, -2, "lua_bytes");
  if (luaL_newmetatable(L, "nnsh.mem")) {
    lua_pushcfunction(L, mem_tostring);
    lua_setfield(L, -2, "__tostring");
  }
  lua_setmetatable(L, -2);
  return 1;
}

static const nnb_reg shell_fns[] = {
    {"threads", l_threads,
     "threads([n]) -> number\n"
     "Set the number of threads for matrix products to n (when given) and\n"
     "return the setting.  With n >= 2 nnsh's own worker supplies the second\n"
     "core and OpenBLAS runs one thread (nn.config{pair=false}: OpenBLAS's\n"
     "threads instead); threads(1) for reproducible timing.\n"
     "  threads(1)"},
    {"mem", l_mem,
     "mem() -> {tensor_bytes=, lua_bytes=}\n"
     "Memory held by live tensors (their buffers, which Lua's GC does not\n"
     "see) and by the Lua heap.  Prints as 'tensors 12.0 MiB live, Lua ...'.\n"
     "Run collectgarbage() first to drop unreachable tensors.\n"
     "  collectgarbage(); print(mem())"},
    {"timing", nnsh_l_timing,
     "timing([seconds | false]) -> threshold or false\n"
     "The REPL prints the wall time of a command that took longer than the\n"
     "threshold (default 0.5 s, or $NNSH_TIMING) as a dim line, e.g. 1.84 s.\n"
     "timing(0) times every command, timing(false) turns it off.\n"
     "  timing(2)"},
    {"trace", nnsh_l_trace,
     "trace()\n"
     "Print the full stack traceback of the last error.  Errors raised by\n"
     "nnsh's own functions print as one line (the message names the function\n"
     "and the bad argument); set NNSH_TRACE=1 to always see tracebacks.\n"
     "  trace()"},
    {NULL, NULL, NULL}};

void nnsh_open_env(lua_State *L) {
  luaL_openlibs(L);
  set_package_path(L);
  lua_pushglobaltable(L);
  nnb_register(L, shell_fns);
  lua_pop(L, 1);
  nnsh_dorequire(L, "nn");
  set_lazy_globals(L);
}

void nnsh_print_version(void) {
  const nn_blas_report *r = nn_blas_report_get();
  printf("nnsh %s  (%s)\n", NNSH_VERSION, LUA_RELEASE);
  printf("OpenBLAS kernel %s: %s\n", nn_blas_corename(), r->choice.reason);
  printf("%s; %d thread%s%s; subnormals %s\n", r->cpu, nn_blas_threads(),
         nn_blas_threads() == 1 ? "" : "s",
         nn_pair_takes_threads(nn_blas_threads()) ? " (nnsh's pair, OpenBLAS 1)" : "",
         nn_fp_ftz_wanted() ? "flushed to zero (FTZ/DAZ; --no-ftz keeps them)" : "kept (IEEE)");
  nnsh_print_paths();
  fflush(stdout);
}

/* Why OpenBLAS runs this many threads: an environment variable that set
 * it, else its own choice. */
static const char *set_by(const char *const *vars) {
  for (; *vars; vars++) {
    const char *v = getenv(*vars);
    if (v && *v) return *vars;
  }
  return NULL;
}

/* Why this kernel, in one or two words (the full reason is in -v). */
static const char *kernel_why(const nn_blas_report *r) {
  switch (r->choice.source) {
  case NN_CORE_USER: return "OPENBLAS_CORETYPE";
  case NN_CORE_OPTION: return strstr(r->choice.reason, "NNSH_BLAS_CORE") ? "NNSH_BLAS_CORE" : "--blas-core";
  case NN_CORE_AUTO: return "chosen by nnsh";
  default: return r->selfcheck < 0 ? "fallback" : "detected";
  }
}

void nnsh_print_banner(void) {
  static const char *const thread_vars[] = {"OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", NULL};
  const nn_blas_report *r = nn_blas_report_get();
  const char *tv = set_by(thread_vars);
  int n = nn_blas_threads();
  printf("nnsh %s  (%s, OpenBLAS kernel %s (%s), %d thread%s (%s), FTZ %s)\n", NNSH_VERSION,
         LUA_RELEASE, nn_blas_corename(), kernel_why(r), n, n == 1 ? "" : "s",
         tv ? tv : "one per core", nn_fp_ftz() ? "on" : "off");
  /* The kernel's full reason only when nnsh or an option changed it, or an
   * option was refused: the common case stays one line. */
  if (r->choice.source == NN_CORE_AUTO || r->choice.source == NN_CORE_OPTION ||
      r->choice.refused || r->selfcheck < 0)
    printf("OpenBLAS kernel: %s\n", r->choice.reason);
  printf("help() for help, ?name for docs, Ctrl-D to quit\n");
  fflush(stdout);
}
