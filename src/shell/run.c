/* Running Lua code the way lua.c does: every call is protected and Ctrl-C
 * is armed only while Lua code runs.
 *
 * Error display: an error raised by nnsh's own code (a C function of nn, a
 * module under lua/) on behalf of the caller is a usage error and prints
 * as its message alone ("nn.mm: size mismatch, ..."), with the caller's
 * file:line when it came from a script.  An error raised in the user's own
 * code prints with its stack traceback, unless the only user code on the
 * stack is the line typed at the prompt (or given with -e), or the message
 * is one a script raised at its top level with error(msg, 0).  The full traceback of the last
 * error is kept: trace() prints it; NNSH_TRACE=1 always prints it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "interrupt.h"
#include "nnb_interrupt.h"
#include "shell.h"

const char *nnsh_progname = "nnsh";
int nnsh_interrupted;

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

#define TRACE_KEY "nnsh.trace"

/* A C function, or a Lua function from a file under nnsh's lua/. */
static int library_frame(const lua_Debug *ar) {
  if (ar->what[0] == 'C') return 1;
  const char *dir = nnsh_lua_dir();
  size_t n = strlen(dir);
  return ar->source[0] == '@' && strncmp(ar->source + 1, dir, n) == 0 &&
         ar->source[1 + n] == '/';
}

/* The main chunk of a line typed at the prompt or given with -e. */
static int is_stdin_main(const lua_Debug *ar) {
  return strcmp(ar->what, "main") == 0 &&
         (strcmp(ar->source, "=stdin") == 0 || strcmp(ar->source, "=(command line)") == 0);
}

/* msg starts with "<file of ar>:" (error(msg, 2) already says where). */
static int has_position(const char *msg, const lua_Debug *ar) {
  size_t n = strlen(ar->short_src);
  return strncmp(msg, ar->short_src, n) == 0 && msg[n] == ':';
}

/* Whether to print the traceback of the error message msg.  *where gets
 * the first user frame (for a file:line prefix) when the error comes from
 * nnsh's code, else its currentline is -1. */
static int wants_traceback(lua_State *L, const char *msg, lua_Debug *where) {
  where->currentline = -1;
  if (strstr(msg, "interrupted!")) return 0; /* Ctrl-C: where it stopped is noise */
  lua_Debug ar;
  int level = 1;
  if (!lua_getstack(L, level, &ar)) return 0;
  lua_getinfo(L, "Sn", &ar);
  /* error() and assert() raise for the function that called them. */
  if (ar.what[0] == 'C' && ar.name &&
      (strcmp(ar.name, "error") == 0 || strcmp(ar.name, "assert") == 0)) {
    if (!lua_getstack(L, ++level, &ar)) return 0;
    lua_getinfo(L, "Sn", &ar);
  }
  if (library_frame(&ar)) {
    while (lua_getstack(L, ++level, &ar)) {
      lua_getinfo(L, "Sl", &ar);
      if (!library_frame(&ar)) {
        *where = ar;
        break;
      }
    }
    return 0;
  }
  /* error(msg, 0) at the top level of a script: a complete message the
   * script wrote for its user (a bad option value), not a bug to trace. */
  if (strcmp(ar.what, "main") == 0 && !has_position(msg, &ar)) return 0;
  /* User code: a traceback, unless it is only the line typed at the prompt. */
  for (; lua_getstack(L, level, &ar); level++) {
    lua_getinfo(L, "S", &ar);
    if (!library_frame(&ar) && !is_stdin_main(&ar)) return 1;
  }
  return 0;
}


/* Skip a leading "<file under lua/>:12: ": where in nnsh's own code the
 * error was raised does not help the user (trace() shows it). */
static const char *skip_library_position(const char *msg) {
  const char *dir = nnsh_lua_dir();
  size_t n = strlen(dir);
  int ours = (strncmp(msg, dir, n) == 0 && msg[n] == '/') ||
             (strncmp(msg, "...", 3) == 0 && strstr(msg, "/lua/") != NULL);
  if (!ours) return msg;
  const char *p = strstr(msg, ".lua:");
  if (!p) return msg;
  p += 5;
  if (*p < '0' || *p > '9') return msg;
  while (*p >= '0' && *p <= '9') p++;
  return p[0] == ':' && p[1] == ' ' ? p + 2 : msg;
}

/* Turns the error object into the message to print (see the top of the
 * file) and keeps the full traceback for trace(). */
static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      return 1; /* an error object that describes itself: no traceback */
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, TRACE_KEY);
  const char *always = getenv("NNSH_TRACE");
  if (always && *always && strcmp(always, "0") != 0) return 1;
  lua_Debug where;
  if (wants_traceback(L, msg, &where)) return 1;
  msg = skip_library_position(msg);
  /* "stdin:1: " of a usage error only repeats the line just typed */
  if (strncmp(msg, "stdin:", 6) == 0) {
    const char *p = msg + 6;
    while (*p >= '0' && *p <= '9') p++;
    if (p > msg + 6 && p[0] == ':' && p[1] == ' ') msg = p + 2;
  }
  if (where.currentline > 0 && !has_position(msg, &where) &&
      strcmp(where.source, "=stdin") != 0)
    lua_pushfstring(L, "%s:%d: %s", where.short_src, where.currentline, msg);
  else
    lua_pushstring(L, msg);
  return 1;
}

int nnsh_l_trace(lua_State *L) {
  if (lua_getfield(L, LUA_REGISTRYINDEX, TRACE_KEY) != LUA_TSTRING) {
    lua_pushliteral(L, "trace: no error so far");
  }
  fwrite(lua_tostring(L, -1), 1, lua_rawlen(L, -1), stdout);
  fputc('\n', stdout);
  fflush(stdout);
  return 0;
}

int nnsh_docall(lua_State *L, int narg, int nres) {
  int base = lua_gettop(L) - narg; /* function index */
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  nnb_interrupt_arm(L);
  int status = lua_pcall(L, narg, nres, base);
  /* A chunk that failed after Ctrl-C was interrupted, whatever its message
   * says (a C function may have stopped first, e.g. "nn.mm: interrupted"). */
  nnsh_interrupted = status != LUA_OK && nn_interrupt_stop_requested();
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
