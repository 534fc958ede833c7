/* SIGINT handling for Lua code (the policy lives in core/interrupt.h).
 *
 * While armed, SIGINT either raises the soft flag (inside
 * nn.catch_interrupt(true) ... (false)) or aborts the running Lua code of
 * the main thread with the error "interrupted!" through a hook set from the
 * signal handler, as lua.c does.  If three hard interrupts in a row go
 * unanswered (the code is stuck inside one long C call), the default
 * action is restored and the process is killed.
 *
 * The shell arms around every chunk it runs and calls nnb_interrupt_reset()
 * after it.  Under the stock lua5.4 interpreter, nn.catch_interrupt arms
 * by itself and restores the interpreter's handler when the last catch ends.
 */
#ifndef NNB_INTERRUPT_H
#define NNB_INTERRUPT_H

#include <lua.h>

/* Install the SIGINT handler (nests: only the first call installs). */
void nnb_interrupt_arm(lua_State *L);
/* Undo one arm; the last one restores the handler found by the first. */
void nnb_interrupt_disarm(lua_State *L);
/* Undo all arms, drop catches and pending flags and a hook not yet fired. */
void nnb_interrupt_reset(lua_State *L);

#endif
