/* nnsh command line, as lua.c's:
 *   nnsh                      REPL on a terminal, else run stdin as a script
 *   nnsh script.lua a b       run a script; arg = {[0]="script.lua", "a", "b"}
 *   nnsh -e 'stmt' ...        run statements (repeatable, before the script)
 *   nnsh -l mod               mod = require "mod"
 *   nnsh -i script.lua        run the script, then the REPL with its globals
 *   nnsh -v                   version;  nnsh -  script from stdin
 *   nnsh --blas-core NAME     run OpenBLAS kernel NAME (blas_start.c)
 *   nnsh --no-ftz             keep IEEE subnormals (src/core/fpmode.h)
 * Exit status 1 when anything fails, 130 when Ctrl-C stopped it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lauxlib.h>

#include "shell.h"

enum { HAS_E = 1, HAS_I = 2, HAS_V = 4, HAS_H = 8, BAD_ARGS = -1 };

static void print_usage(const char *bad) {
  if (bad) fprintf(stderr, "nnsh: unrecognized option or missing argument '%s'\n", bad);
  fprintf(bad ? stderr : stdout,
          "usage: nnsh [options] [script [args]]\n"
          "  -e stat  execute string 'stat'\n"
          "  -i       enter interactive mode after running the script\n"
          "  -l mod   require library 'mod' into global 'mod'\n"
          "  -v       show version information, BLAS kernel and why it was chosen\n"
          "  --blas-core NAME  run OpenBLAS kernel NAME (Haswell, Zen, SkylakeX, ...)\n"
          "  --no-ftz keep subnormal floats (default: flush to zero)\n"
          "  --       stop handling options\n"
          "  -        execute stdin and stop handling options\n"
          "Environment: NNSH_LUA_DIR (Lua modules), NNSH_HISTORY (history file),\n"
          "  NNSH_BLAS_CORE (as --blas-core), NNSH_FTZ=0 (as --no-ftz),\n"
          "  NNSH_PAIR=0 (no two-core products), OPENBLAS_CORETYPE, OPENBLAS_NUM_THREADS\n");
}

static const char *blas_core_opt; /* --blas-core NAME */

/* Flags, and in *script the index of the script name (argc if none, or of
 * the bad option). */
static int collect_args(int argc, char **argv, int *script) {
  int flags = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    *script = i;
    if (a[0] != '-' || strcmp(a, "-") == 0) return flags;
    if (strcmp(a, "--") == 0) {
      *script = i + 1;
      return flags;
    }
    if (strcmp(a, "-i") == 0) flags |= HAS_I;
    else if (strcmp(a, "-v") == 0) flags |= HAS_V;
    else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) flags |= HAS_H;
    else if (strcmp(a, "--no-ftz") == 0) setenv("NNSH_FTZ", "0", 1);
    else if (strcmp(a, "--blas-core") == 0) {
      if (++i >= argc || argv[i][0] == '-') return BAD_ARGS;
      blas_core_opt = argv[i];
    }
    else if (a[1] == 'e' || a[1] == 'l') {
      if (a[1] == 'e') flags |= HAS_E;
      if (a[2] == '\0' && (++i >= argc || argv[i][0] == '-')) return BAD_ARGS;
    } else
      return BAD_ARGS;
  }
  *script = argc;
  return flags;
}

/* arg[0] = script, arg[1..] its arguments, negative indices the
 * interpreter and its options (arg[0] = "nnsh" when there is no script). */
static void create_arg_table(lua_State *L, char **argv, int argc, int script) {
  if (script == argc) script = 0;
  lua_createtable(L, argc - script - 1 > 0 ? argc - script - 1 : 0, script + 1);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - script);
  }
  lua_setglobal(L, "arg");
}

/* -e and -l, in command-line order. */
static int run_options(lua_State *L, char **argv, int script) {
  for (int i = 1; i < script; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--blas-core") == 0) i++;
    if (a[0] != '-' || (a[1] != 'e' && a[1] != 'l')) continue;
    const char *val = a[2] ? a + 2 : argv[++i];
    int status = a[1] == 'e' ? nnsh_dostring(L, val, "=(command line)")
                             : nnsh_dorequire(L, val);
    if (status != LUA_OK) return status;
  }
  return LUA_OK;
}

static int run_script(lua_State *L, char **argv, int argc, int script) {
  const char *fname = argv[script];
  if (strcmp(fname, "-") == 0 && strcmp(argv[script - 1], "--") != 0) fname = NULL;
  return nnsh_doscript(L, fname, argv + script + 1, argc - script - 1);
}

int main(int argc, char **argv) {
  int script = argc;
  int flags = collect_args(argc, argv, &script);
  if (flags == BAD_ARGS) {
    print_usage(argv[script]);
    return EXIT_FAILURE;
  }
  if (flags & HAS_H) {
    print_usage(NULL);
    return EXIT_SUCCESS;
  }
  /* Before any float work: may execute nnsh again with another kernel. */
  nnsh_blas_start(argv, blas_core_opt);
  if (flags & HAS_V) nnsh_print_version();
  lua_State *L = luaL_newstate();
  if (!L) {
    nnsh_message("cannot create state: not enough memory");
    return EXIT_FAILURE;
  }
  create_arg_table(L, argv, argc, script);
  nnsh_open_env(L);
  int status = run_options(L, argv, script);
  if (status == LUA_OK && script < argc) status = run_script(L, argv, argc, script);
  if (status == LUA_OK) {
    if (flags & HAS_I) {
      nnsh_print_banner();
      nnsh_repl(L);
    } else if (script == argc && !(flags & (HAS_E | HAS_V))) {
      if (isatty(STDIN_FILENO)) {
        nnsh_print_banner();
        nnsh_repl(L);
      } else {
        status = nnsh_doscript(L, NULL, NULL, 0);
      }
    }
  }
  lua_close(L);
  if (status != LUA_OK && nnsh_interrupted) return 130;
  return status == LUA_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}
