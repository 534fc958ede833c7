/* Ctrl-C (SIGINT) state shared by the shell, the bindings and long loops.
 *
 * Two ways a SIGINT is handled:
 *   - hard: the running Lua chunk is aborted with the error "interrupted!"
 *     (the bindings set a Lua hook, as lua.c's laction does);
 *   - soft: while some code has asked to catch interrupts (nn.fit finishing
 *     its epoch, saving a checkpoint), the signal only raises a flag that the
 *     code polls with nn_interrupt_take().
 * A second SIGINT that arrives while a soft one is still pending falls back
 * to hard, so a loop that never polls can always be stopped.
 *
 * This file holds only the state; nn_interrupt_on_signal() is the part the
 * signal handler calls and is async-signal-safe.  The core never installs
 * handlers itself.
 */
#ifndef NN_INTERRUPT_H
#define NN_INTERRUPT_H

#include <signal.h>

typedef enum { NN_INTERRUPT_SOFT = 0, NN_INTERRUPT_HARD = 1 } nn_interrupt_kind;

/* Called from the SIGINT handler: records the signal and says whether the
 * running code must be aborted (HARD) or only flagged (SOFT). */
nn_interrupt_kind nn_interrupt_on_signal(void);

/* Nested catching: push when entering a region that polls, pop on leaving.
 * Pop below zero is ignored.  Returns the new depth. */
int nn_interrupt_catch_push(void);
int nn_interrupt_catch_pop(void);
int nn_interrupt_catch_depth(void);

/* True once if a soft interrupt arrived since the last call; clears it. */
int nn_interrupt_take(void);
/* Peek without clearing (for C loops that want to stop early). */
int nn_interrupt_pending(void);

/* True once a hard interrupt (one that aborts the running code) has
 * arrived, until nn_interrupt_reset(): long C loops (a large matrix
 * product) poll it between blocks and return NN_ERR "interrupted" instead
 * of running on for seconds. */
int nn_interrupt_stop_requested(void);

/* Forget all catching and pending state: the shell calls this after each
 * chunk, since a chunk that raised an error may have left a catch pushed. */
void nn_interrupt_reset(void);

#endif
