/* The SIGINT policy of core/interrupt.c: soft while caught, hard otherwise,
 * and a second signal while one is pending falls back to hard.  Signals are
 * really delivered (raise) through a handler that applies the policy, as the
 * bindings' handler does. */
#include <signal.h>
#include <string.h>

#include "check.h"
#include "interrupt.h"

static volatile sig_atomic_t hard_count;

static void handler(int sig) {
  (void)sig;
  if (nn_interrupt_on_signal() == NN_INTERRUPT_HARD) hard_count++;
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, NULL);

  /* not caught: every signal is hard, nothing is left pending */
  raise(SIGINT);
  CHECK(hard_count == 1);
  CHECK(!nn_interrupt_pending());
  CHECK(!nn_interrupt_take());

  /* caught: the first signal only sets the flag, read once */
  CHECK(nn_interrupt_catch_push() == 1);
  raise(SIGINT);
  CHECK(hard_count == 1);
  CHECK(nn_interrupt_pending());
  CHECK(nn_interrupt_take() == 1);
  CHECK(nn_interrupt_take() == 0);

  /* caught, flag still unread: the second signal is hard */
  raise(SIGINT);
  raise(SIGINT);
  CHECK(hard_count == 2);
  CHECK(!nn_interrupt_pending());

  /* nesting counts; popping below zero is ignored */
  CHECK(nn_interrupt_catch_push() == 2);
  CHECK(nn_interrupt_catch_pop() == 1);
  CHECK(nn_interrupt_catch_pop() == 0);
  CHECK(nn_interrupt_catch_pop() == 0);
  CHECK(nn_interrupt_catch_depth() == 0);
  raise(SIGINT);
  CHECK(hard_count == 3);

  /* reset drops catches and a pending flag */
  nn_interrupt_catch_push();
  nn_interrupt_catch_push();
  raise(SIGINT);
  CHECK(nn_interrupt_pending());
  nn_interrupt_reset();
  CHECK(nn_interrupt_catch_depth() == 0);
  CHECK(!nn_interrupt_pending());
  return check_summary("test_interrupt");
}
