/* The nnsh executable: Lua 5.4 with the nn module preloaded, a readline REPL
 * and a script runner, modelled on Lua's own lua.c.
 *
 *   main.c        command line (-e, -i, -l, -v, script and arg table)
 *   blas_start.c  the OpenBLAS kernel choice at start-up (re-executes once)
 *   run.c         protected calls with tracebacks, running files and strings
 *   paths.c       where nnsh's files are (installed, checkout, build tree)
 *   env.c         the shell's Lua environment: paths, module globals,
 *                 threads(), mem(), banner
 *   repl.c        the read-eval-print loop: continuation lines, ?name, printing
 *   lineedit.c    readline glue: Ctrl-C at the prompt, persistent history
 *   completion.c  tab completion of globals, fields and methods
 */
#ifndef NNSH_SHELL_H
#define NNSH_SHELL_H

#include <lua.h>

/* "nnsh" for messages; NULL while the REPL runs (errors then carry no
 * program prefix, as in lua.c). */
extern const char *nnsh_progname;

/* --- run.c ------------------------------------------------------------- */
/* Set by nnsh_docall: the last chunk failed because of Ctrl-C.  A script
 * stopped that way exits with 130 (128 + SIGINT), as shells expect. */
extern int nnsh_interrupted;
/* lua_pcall with a traceback message handler, armed for Ctrl-C. */
int nnsh_docall(lua_State *L, int narg, int nres);
/* If status is an error, print the message on top of the stack to stderr
 * and pop it.  Returns status. */
int nnsh_report(lua_State *L, int status);
void nnsh_message(const char *msg);
/* trace(): print the full traceback of the last error. */
int nnsh_l_trace(lua_State *L);
/* Compile and run; report errors.  Return a Lua status. */
int nnsh_dostring(lua_State *L, const char *code, const char *chunkname);
int nnsh_dorequire(lua_State *L, const char *name); /* _G[name] = require(name) */
/* Run a script (fname NULL = stdin) with the arguments after it in argv
 * passed as `...`. */
int nnsh_doscript(lua_State *L, const char *fname, char **args, int nargs);

/* --- paths.c ----------------------------------------------------------- */
/* The lua/ directory and the root holding lua/, scripts/, data/, models/
 * (resolved once, see paths.c); nnsh -v prints them. */
const char *nnsh_lua_dir(void);
const char *nnsh_root_dir(void);
void nnsh_print_paths(void);

/* --- env.c ------------------------------------------------------------- */
/* Open the standard libraries, set package.path, preload nn and make the
 * shell globals (nn, h5, optim, plot, image, help, threads, mem).  Module
 * load errors are reported and skipped. */
void nnsh_open_env(lua_State *L);
void nnsh_print_version(void);
void nnsh_print_banner(void);

/* --- blas_start.c ------------------------------------------------------ */
/* Choose the OpenBLAS kernel (option: --blas-core NAME or NULL); may
 * execute nnsh again with OPENBLAS_CORETYPE set, and then not return. */
void nnsh_blas_start(char **argv, const char *option);

/* --- repl.c ------------------------------------------------------------ */
void nnsh_repl(lua_State *L);
/* timing([seconds | false]) -> threshold: when the REPL prints a
 * command's wall time. */
int nnsh_l_timing(lua_State *L);

/* --- lineedit.c -------------------------------------------------------- */
void nnsh_lineedit_open(lua_State *L);
void nnsh_lineedit_close(void);
/* Read a line (malloc'd) with readline.  NULL on end of input; then
 * *interrupted tells whether it was Ctrl-C rather than Ctrl-D. */
char *nnsh_readline(const char *prompt, int *interrupted);
void nnsh_history_add(const char *entry);

/* --- completion.c ------------------------------------------------------ */
void nnsh_completion_open(lua_State *L);

#endif
