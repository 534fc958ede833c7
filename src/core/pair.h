/* Two cores for two independent jobs: a persistent worker thread of
 * nnsh's own runs one job while the calling thread runs the other.
 *
 * Used where one step holds two independent matrix products, e.g. the
 * backward pass of a Linear layer: dX = dY·Wᵀ and dW += Xᵀ·dY.  Each job
 * calls a single-threaded sgemm (OpenBLAS is set to one thread while the
 * pair runs, so its own workers and this one never compete for the two
 * cores), and each writes only its own output: the results are bitwise
 * those of running the two jobs one after the other.
 *
 * Policy: the pair is used when it is enabled (default; NNSH_PAIR=0 or
 * nn.config{pair=false} turns it off), the machine has 2 or more CPUs and
 * the OpenBLAS thread setting is 2 or more, that is when the user gave
 * nnsh two cores.  With one thread everything stays on the calling thread.
 *
 * The worker is created on first use (it then inherits the caller's FTZ
 * mode; it also copies the caller's MXCSR with every job).  It spins
 * briefly after a job, since the next one usually follows within
 * microseconds, then sleeps on a condition variable.  No allocation per
 * call.  Not reentrant: a job must not start another pair (it then runs
 * serially), and only one thread may use the pair at a time (nnsh's core
 * runs on the Lua thread).
 */
#ifndef NN_PAIR_H
#define NN_PAIR_H

#include <stdbool.h>

typedef void (*nn_job_fn)(void *arg);

/* Run a(aa) and b(ba), on two threads when the pair is active, else a then
 * b on the calling thread.  Returns when both are done. */
void nn_pair_run(nn_job_fn a, void *aa, nn_job_fn b, void *ba);

/* Will nn_pair_run use two threads now? */
bool nn_pair_active(void);
/* Enable or disable the pair (the starting value is from NNSH_PAIR). */
void nn_pair_enable(bool on);
bool nn_pair_enabled(void);

#endif
