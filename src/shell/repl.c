/* The read-eval-print loop, after lua.c's doREPL:
 *   - a line is first tried as "return <line>;" so expressions print their
 *     values; otherwise it is a statement, continued over more lines while
 *     the compiler stops at "<eof>";
 *   - "?name" asks help("name"), "?" alone help();
 *   - results are printed by nnsh.pretty's show() (tables readably,
 *     __tostring when there is one); a call whose results are all nil
 *     prints nothing.
 * Errors print as shell/run.c says and the loop goes on.  A command that
 * took longer than the timing threshold (0.5 s; timing(s) changes it,
 * timing(false) turns it off, NNSH_TIMING sets it at start-up) is followed
 * by a dim line with its wall time, "1.84 s". */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <lauxlib.h>

#include "shell.h"

#define PROMPT1 "> "
#define PROMPT2 ">> "
#define EOFMARK "<eof>"
#define SHOW_KEY "nnsh.show"

enum { READ_AGAIN = -1, READ_END = -2 };

/* A syntax error at the end of input means "more lines to come"; pops it. */
static int incomplete(lua_State *L, int status) {
  if (status != LUA_ERRSYNTAX) return 0;
  size_t len;
  const char *msg = lua_tolstring(L, -1, &len);
  size_t mark = sizeof EOFMARK - 1;
  if (len < mark || strcmp(msg + len - mark, EOFMARK) != 0) return 0;
  lua_pop(L, 1);
  return 1;
}

/* name, name.field, name:method (letters, digits, _ only). */
static int is_path(const char *s, size_t n) {
  int start = 1, colon = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '.' || c == ':') {
      if (start || colon) return 0;
      colon = c == ':';
      start = 1;
    } else if (isalpha(c) || c == '_' || (isdigit(c) && !start)) {
      start = 0;
    } else {
      return 0;
    }
  }
  return n > 0 && !start;
}

/* Push the code to compile for a first line: "?x" becomes a help call. */
static void push_code(lua_State *L, const char *line) {
  const char *p = line + strspn(line, " \t");
  if (*p != '?') {
    lua_pushstring(L, line);
    return;
  }
  p++;
  p += strspn(p, " \t");
  size_t n = strlen(p);
  while (n > 0 && isspace((unsigned char)p[n - 1])) n--;
  lua_pushlstring(L, p, n);
  if (n == 0)
    lua_pushliteral(L, "help()");
  else if (is_path(p, n))
    lua_pushfstring(L, "help(\"%s\")", lua_tostring(L, -1));
  else
    lua_pushfstring(L, "help(%s)", lua_tostring(L, -1));
  lua_remove(L, -2);
}

static int ends_with_call(const char *code) {
  size_t n = strlen(code);
  while (n > 0 && isspace((unsigned char)code[n - 1])) n--;
  return n > 0 && code[n - 1] == ')';
}

/* Read one statement and push it compiled (LUA_OK), or push the error
 * message (an error status); READ_AGAIN after Ctrl-C, READ_END at end of
 * input push nothing. *call tells whether it ends in a call. */
static int load_statement(lua_State *L, int *call) {
  int interrupted;
  char *line = nnsh_readline(PROMPT1, &interrupted);
  if (!line) return interrupted ? READ_AGAIN : READ_END;
  lua_pushstring(L, line); /* history text (what was typed) */
  push_code(L, line);
  free(line);
  int hist = lua_gettop(L) - 1, code = hist + 1;
  *call = ends_with_call(lua_tostring(L, code));
  const char *ret = lua_pushfstring(L, "return %s;", lua_tostring(L, code));
  int status = luaL_loadbuffer(L, ret, strlen(ret), "=stdin");
  lua_remove(L, -2);
  if (status != LUA_OK) {
    lua_pop(L, 1);
    *call = 0;
    for (;;) {
      size_t len;
      const char *c = lua_tolstring(L, code, &len);
      status = luaL_loadbuffer(L, c, len, "=stdin");
      if (!incomplete(L, status)) break;
      char *more = nnsh_readline(PROMPT2, &interrupted);
      if (!more) {
        lua_settop(L, hist - 1);
        if (!interrupted) fputs("\n", stdout); /* Ctrl-D: drop the statement */
        return READ_AGAIN;
      }
      lua_pushfstring(L, "%s\n%s", lua_tostring(L, hist), more);
      lua_replace(L, hist);
      lua_pushfstring(L, "%s\n%s", lua_tostring(L, code), more);
      lua_replace(L, code);
      free(more);
    }
  }
  nnsh_history_add(lua_tostring(L, hist));
  lua_remove(L, hist);
  lua_remove(L, hist);
  return status;
}

/* Fallback printer when lua/shell/nnsh/pretty.lua cannot be loaded. */
static int plain_show(lua_State *L) {
  int n = lua_gettop(L);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  for (int i = 1; i <= n; i++) {
    if (i > 1) luaL_addchar(&b, '\t');
    luaL_tolstring(L, i, NULL);
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  return 1;
}

static void push_show(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, SHOW_KEY) == LUA_TFUNCTION) return;
  lua_pop(L, 1);
  lua_getglobal(L, "require");
  lua_pushliteral(L, "nnsh.pretty");
  if (lua_pcall(L, 1, 1, 0) != LUA_OK || lua_getfield(L, -1, "show") != LUA_TFUNCTION) {
    nnsh_message(lua_isstring(L, -1) ? lua_tostring(L, -1) : "nnsh.pretty has no show()");
    lua_pushcfunction(L, plain_show);
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, SHOW_KEY);
  lua_replace(L, -2);
}

static void print_results(lua_State *L, int call) {
  int n = lua_gettop(L);
  if (n == 0) return;
  if (call) {
    int all_nil = 1;
    for (int i = 1; i <= n; i++) all_nil &= lua_isnil(L, i);
    if (all_nil) return;
  }
  luaL_checkstack(L, LUA_MINSTACK, "too many results to print");
  push_show(L);
  lua_insert(L, 1);
  if (nnsh_docall(L, n, 1) == LUA_OK) {
    if (lua_isnil(L, -1)) return; /* already shown by the function itself */
    size_t len;
    const char *s = luaL_tolstring(L, -1, &len);
    fwrite(s, 1, len, stdout);
    fputc('\n', stdout);
  } else {
    lua_pushfstring(L, "error printing the result: %s", lua_tostring(L, -1));
    nnsh_report(L, LUA_ERRRUN);
  }
  fflush(stdout);
}

/* Seconds; < 0 = off.  Set from NNSH_TIMING on the first use. */
static double timing_threshold = 0.5;
static int timing_read_env = 0;

static void timing_init(void) {
  if (timing_read_env) return;
  timing_read_env = 1;
  const char *env = getenv("NNSH_TIMING");
  if (env && *env) {
    char *end;
    double v = strtod(env, &end);
    if (end != env) timing_threshold = v;
    else if (strcmp(env, "off") == 0) timing_threshold = -1;
  }
}

int nnsh_l_timing(lua_State *L) {
  timing_init();
  if (lua_isboolean(L, 1)) {
    timing_threshold = lua_toboolean(L, 1) ? 0.5 : -1;
  } else if (!lua_isnoneornil(L, 1)) {
    int isnum;
    double v = lua_tonumberx(L, 1, &isnum);
    if (!isnum || v < 0)
      return luaL_error(L, "timing: expected seconds >= 0 or false, got %s",
                        luaL_tolstring(L, 1, NULL));
    timing_threshold = v;
  }
  if (timing_threshold < 0) lua_pushboolean(L, 0);
  else lua_pushnumber(L, timing_threshold);
  return 1;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void show_time(double secs) {
  if (timing_threshold < 0 || secs < timing_threshold) return;
  char buf[48];
  if (secs < 1) snprintf(buf, sizeof buf, "%.0f ms", secs * 1e3);
  else if (secs < 60) snprintf(buf, sizeof buf, "%.2f s", secs);
  else snprintf(buf, sizeof buf, "%d min %.0f s", (int)(secs / 60), secs - 60 * (int)(secs / 60));
  int dim = isatty(STDOUT_FILENO);
  printf("%s%s%s\n", dim ? "\033[2m" : "", buf, dim ? "\033[0m" : "");
  fflush(stdout);
}

void nnsh_repl(lua_State *L) {
  timing_init();
  const char *progname = nnsh_progname;
  nnsh_progname = NULL;
  nnsh_lineedit_open(L);
  for (;;) {
    lua_settop(L, 0);
    int call = 0;
    int status = load_statement(L, &call);
    if (status == READ_END) break;
    if (status == READ_AGAIN) continue;
    lua_pushnil(L); /* forget what the previous command showed (nnsh.echo) */
    lua_setfield(L, LUA_REGISTRYINDEX, "nnsh.shown");
    double t0 = now();
    if (status == LUA_OK) status = nnsh_docall(L, 0, LUA_MULTRET);
    if (status == LUA_OK)
      print_results(L, call);
    else
      nnsh_report(L, status);
    show_time(now() - t0);
  }
  lua_settop(L, 0);
  fputs("\n", stdout);
  fflush(stdout);
  nnsh_lineedit_close();
  nnsh_progname = progname;
}
