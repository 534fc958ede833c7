/* nn.catch_interrupt / nn.interrupted and the SIGINT handler behind them. */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "../core/interrupt.h"
#include "nnb.h"
#include "nnb_interrupt.h"

static lua_State *target; /* main thread of the armed state */
static pthread_t lua_thread; /* the OS thread that runs it */
static int arm_count;
static struct sigaction previous;
static volatile sig_atomic_t unanswered; /* hard interrupts whose hook has not run */

static void stop_hook(lua_State *L, lua_Debug *ar) {
  (void)ar;
  unanswered = 0;
  lua_sethook(L, NULL, 0, 0);
  luaL_error(L, "interrupted!");
}

static void on_sigint(int sig) {
  /* The kernel may hand a process-wide signal to any thread that does not
   * block it, OpenBLAS's workers included; the hook belongs to Lua's. */
  if (!pthread_equal(pthread_self(), lua_thread)) {
    pthread_kill(lua_thread, sig);
    return;
  }
  if (nn_interrupt_on_signal() == NN_INTERRUPT_SOFT) return;
  if (++unanswered >= 3) {
    static const char msg[] = "\nnnsh: not responding to Ctrl-C, killing it\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    signal(sig, SIG_DFL);
    raise(sig);
    return;
  }
  /* lua_sethook is the one Lua call meant to be made from a signal handler:
   * the hook runs at the next instruction, call or return of Lua code. */
  lua_sethook(target, stop_hook,
              LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT, 1);
}

static lua_State *main_thread(lua_State *L) {
  lua_rawgeti(L, LUA_REGISTRYINDEX, LUA_RIDX_MAINTHREAD);
  lua_State *m = lua_tothread(L, -1);
  lua_pop(L, 1);
  return m;
}

void nnb_interrupt_arm(lua_State *L) {
  if (arm_count++ > 0) return;
  target = main_thread(L);
  lua_thread = pthread_self();
  unanswered = 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, &previous);
}

static void clear_hook(void) {
  if (target && lua_gethook(target) == stop_hook) lua_sethook(target, NULL, 0, 0);
}

void nnb_interrupt_disarm(lua_State *L) {
  (void)L;
  if (arm_count == 0 || --arm_count > 0) return;
  sigaction(SIGINT, &previous, NULL);
  clear_hook();
}

void nnb_interrupt_reset(lua_State *L) {
  (void)L;
  if (arm_count > 0) {
    arm_count = 0;
    sigaction(SIGINT, &previous, NULL);
  }
  clear_hook();
  unanswered = 0;
  nn_interrupt_reset();
}

static int l_catch_interrupt(lua_State *L) {
  if (!lua_isboolean(L, 1))
    nnb_error(L, "nn.catch_interrupt", "argument #1: expected a boolean, got %s",
              luaL_typename(L, 1));
  if (lua_toboolean(L, 1)) {
    if (nn_interrupt_catch_push() == 1) nnb_interrupt_arm(L);
  } else if (nn_interrupt_catch_depth() > 0) {
    if (nn_interrupt_catch_pop() == 0) {
      nn_interrupt_take(); /* a flag nobody polled must not leak out */
      nnb_interrupt_disarm(L);
    }
  }
  lua_pushinteger(L, nn_interrupt_catch_depth());
  return 1;
}

static int l_interrupted(lua_State *L) {
  lua_pushboolean(L, nn_interrupt_take());
  return 1;
}

static const nnb_reg fns[] = {
    {"catch_interrupt", l_catch_interrupt,
     "nn.catch_interrupt(on) -> depth\n"
     "While on, Ctrl-C does not abort the running code: it only sets a flag\n"
     "that nn.interrupted() reports, so a loop can stop cleanly (finish the\n"
     "epoch, save a checkpoint).  Calls nest: each true needs a false.\n"
     "A second Ctrl-C while the first is still unread aborts as usual.\n"
     "Example:\n"
     "  nn.catch_interrupt(true)\n"
     "  for epoch = 1, 100 do train_one(); if nn.interrupted() then break end end\n"
     "  nn.catch_interrupt(false)"},
    {"interrupted", l_interrupted,
     "nn.interrupted() -> boolean\n"
     "True once if Ctrl-C was pressed since the last call (inside\n"
     "nn.catch_interrupt); reading it clears the flag."},
    {NULL, NULL, NULL}};

void nnb_open_interrupt(lua_State *L) { nnb_register(L, fns); }
