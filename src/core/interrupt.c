#include "interrupt.h"

/* Both are touched by the signal handler, hence volatile sig_atomic_t.  The
 * depth is only written outside the handler, which only reads it. */
static volatile sig_atomic_t pending;
static volatile sig_atomic_t depth;
static volatile sig_atomic_t stop; /* a hard interrupt arrived */

nn_interrupt_kind nn_interrupt_on_signal(void) {
  if (depth > 0 && !pending) {
    pending = 1;
    return NN_INTERRUPT_SOFT;
  }
  pending = 0;
  stop = 1;
  return NN_INTERRUPT_HARD;
}

int nn_interrupt_stop_requested(void) { return stop; }

int nn_interrupt_catch_push(void) { return ++depth; }

int nn_interrupt_catch_pop(void) {
  if (depth > 0) depth--;
  return depth;
}

int nn_interrupt_catch_depth(void) { return depth; }

int nn_interrupt_take(void) {
  int was = pending;
  pending = 0;
  return was;
}

int nn_interrupt_pending(void) { return pending; }

void nn_interrupt_reset(void) {
  depth = 0;
  pending = 0;
  stop = 0;
}
