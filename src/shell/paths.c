/* Where nnsh finds its Lua modules, scripts, data and models.
 *
 * One root directory holds lua/, scripts/, data/ and models/: the source
 * tree, or <prefix>/share/nnsh after `cmake --install`.  It is chosen at
 * start-up, first match wins:
 *   1. $NNSH_LUA_DIR (the lua/ directory; the root is its parent);
 *   2. <dir of the executable>/../share/nnsh   (an installed nnsh);
 *   3. <dir of the executable>/..              (build/nnsh in a checkout);
 *   4. the source tree nnsh was built from (NNSH_SOURCE_DIR).
 * The executable is found through /proc/self/exe, so an installed or
 * copied nnsh runs from any working directory, and build/nnsh of one
 * checkout uses that checkout's files, not those of the tree it was
 * configured from.  The chosen lua/ is exported as $NNSH_LUA_DIR so the nn
 * module and child nnsh processes (sweeps) agree with the shell. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shell.h"

#ifndef NNSH_SOURCE_DIR
#define NNSH_SOURCE_DIR "."
#endif

static char root_dir[PATH_MAX];
static char lua_dir[PATH_MAX + 8];
static const char *found_by = NULL;

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* root/lua/nn exists: root holds nnsh's files. */
static int has_lua(const char *root) {
  char probe[PATH_MAX];
  return snprintf(probe, sizeof probe, "%s/lua/nn", root) < (int)sizeof probe && is_dir(probe);
}

static int set_root(const char *root, const char *how) {
  char real[PATH_MAX];
  if (!has_lua(root) || !realpath(root, real)) return 0;
  snprintf(root_dir, sizeof root_dir, "%s", real);
  snprintf(lua_dir, sizeof lua_dir, "%s/lua", real);
  found_by = how;
  return 1;
}

static void resolve(void) {
  if (found_by) return;
  const char *env = getenv("NNSH_LUA_DIR");
  if (env && *env) {
    snprintf(lua_dir, sizeof lua_dir, "%s", env);
    snprintf(root_dir, sizeof root_dir, "%s/..", env);
    found_by = "$NNSH_LUA_DIR";
    return;
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0'; /* the executable's directory */
    char cand[PATH_MAX];
    if (snprintf(cand, sizeof cand, "%s/../share/nnsh", exe) < (int)sizeof cand &&
        set_root(cand, "installed layout, next to the executable"))
      goto done;
    if (snprintf(cand, sizeof cand, "%s/..", exe) < (int)sizeof cand &&
        set_root(cand, "source tree around the executable"))
      goto done;
  }
  if (set_root(NNSH_SOURCE_DIR, "source tree nnsh was built from")) goto done;
  snprintf(root_dir, sizeof root_dir, "%s", NNSH_SOURCE_DIR);
  snprintf(lua_dir, sizeof lua_dir, "%s/lua", NNSH_SOURCE_DIR);
  found_by = "build-time default (not found)";
done:
  setenv("NNSH_LUA_DIR", lua_dir, 1);
}

const char *nnsh_lua_dir(void) {
  resolve();
  return lua_dir;
}

const char *nnsh_root_dir(void) {
  resolve();
  return root_dir;
}

void nnsh_print_paths(void) {
  resolve();
  printf("files: %s  (%s)\n  lua modules %s\n  scripts %s/scripts, data %s/data, models %s/models\n",
         root_dir, found_by, lua_dir, root_dir, root_dir, root_dir);
  fflush(stdout);
}
