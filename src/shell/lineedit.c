/* Line editing with GNU readline, through its callback interface so that
 * Ctrl-C at the prompt can abandon the line cleanly (incremental search,
 * completion listing and all) instead of killing the shell: readline's own
 * signal handling is off, our handler only sets a flag, and the wait for
 * input (pselect with SIGINT blocked elsewhere) sees it without a race.
 *
 * History persists in $NNSH_HISTORY, else ~/.nnsh_history (NNSH_HISTORY=""
 * keeps it in memory only).  Entries are written with timestamps, which
 * lets readline keep a multi-line statement as one entry across sessions. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "shell.h"

#define HISTORY_MAX 2000

static char *history_path;
static volatile sig_atomic_t prompt_sigint, resized;
static char *line_read;
static int line_done;
static pthread_t repl_thread;

static void on_prompt_sigint(int sig) {
  /* Only a signal taken by this thread wakes its pselect: pass it on when
   * another thread (an OpenBLAS worker) received it. */
  if (!pthread_equal(pthread_self(), repl_thread)) {
    pthread_kill(repl_thread, sig);
    return;
  }
  prompt_sigint = 1;
}

/* readline's own SIGWINCH handler is only in place while it processes a
 * key in callback mode; a resize while waiting is caught here instead. */
static void on_sigwinch(int sig) {
  if (!pthread_equal(pthread_self(), repl_thread)) {
    pthread_kill(repl_thread, sig);
    return;
  }
  resized = 1;
}

static void open_history(void) {
  const char *env = getenv("NNSH_HISTORY");
  const char *home = getenv("HOME");
  if (env) {
    if (*env) history_path = strdup(env);
  } else if (home && *home) {
    size_t n = strlen(home) + sizeof "/.nnsh_history";
    history_path = malloc(n);
    if (history_path) snprintf(history_path, n, "%s/.nnsh_history", home);
  }
  /* Timestamps are "#<seconds>" lines only when the comment char is set. */
  history_comment_char = '#';
  history_write_timestamps = 1;
  stifle_history(HISTORY_MAX);
  if (history_path && read_history(history_path) != 0)
    write_history(history_path); /* create it: append_history will not */
}

void nnsh_lineedit_open(lua_State *L) {
  repl_thread = pthread_self();
  rl_readline_name = "nnsh"; /* for $if nnsh in ~/.inputrc */
  rl_catch_signals = 0;
  rl_catch_sigwinch = 0;
  open_history();
  nnsh_completion_open(L);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_prompt_sigint;
  sigemptyset(&sa.sa_mask);
  /* pselect wakes up with EINTR even with SA_RESTART (signal(7)), and
   * SA_RESTART keeps a resize from failing a blocking read in Lua code. */
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, NULL);
  sa.sa_handler = on_sigwinch;
  sigaction(SIGWINCH, &sa, NULL);
}

void nnsh_lineedit_close(void) {
  if (history_path) history_truncate_file(history_path, HISTORY_MAX);
  free(history_path);
  history_path = NULL;
  rl_clear_history();
  signal(SIGINT, SIG_DFL);
  signal(SIGWINCH, SIG_DFL);
}

void nnsh_history_add(const char *entry) {
  if (!entry[strspn(entry, " \t\n")]) return;
  HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
  if (last && strcmp(last->line, entry) == 0) return;
  add_history(entry);
  if (history_path) append_history(1, history_path);
}

static void on_line(char *line) {
  rl_callback_handler_remove(); /* or readline prints the prompt again */
  line_read = line;
  line_done = 1;
}

/* Ctrl-C: show it, drop the line and whatever readline was in the middle of. */
static void abandon_line(void) {
  rl_point = rl_end;
  rl_redisplay();
  fputs("^C\n", rl_outstream);
  rl_free_line_state();
  rl_callback_sigcleanup();
  rl_cleanup_after_signal();
  rl_callback_handler_remove();
}

char *nnsh_readline(const char *prompt, int *interrupted) {
  sigset_t block, orig;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigprocmask(SIG_BLOCK, &block, &orig);
  *interrupted = 0;
  prompt_sigint = 0;
  line_read = NULL;
  line_done = 0;
  rl_callback_handler_install(prompt, on_line);
  int fd = fileno(rl_instream ? rl_instream : stdin);
  while (!line_done) {
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(fd, &fds);
    int r = prompt_sigint ? -1 : pselect(fd + 1, &fds, NULL, NULL, NULL, &orig);
    if (prompt_sigint) {
      prompt_sigint = 0;
      abandon_line();
      *interrupted = 1;
      break;
    }
    if (resized) {
      resized = 0;
      rl_resize_terminal();
    }
    if (r > 0) {
      sigprocmask(SIG_SETMASK, &orig, NULL);
      rl_callback_read_char();
      sigprocmask(SIG_BLOCK, &block, NULL);
    } else if (r < 0 && errno != EINTR) {
      rl_callback_handler_remove();
      break; /* input gone: like end of file */
    }
  }
  sigprocmask(SIG_SETMASK, &orig, NULL);
  return line_read;
}
