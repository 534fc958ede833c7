/* Two cores for two independent jobs: a persistent worker thread of
 * nnsh's own runs one job while the calling thread runs the other.
 *
 * Used where one step holds two independent matrix products, e.g. the
 * backward pass of a Linear layer: dX = dY·Wᵀ and dW += Xᵀ·dY, and to
 * split one large product in two halves of C (blas.c).  Each job calls a
 * single-threaded sgemm and writes only its own output.  The Linear
 * backward pair is bitwise the serial result; a split product equals the
 * unsplit one to float rounding (OpenBLAS blocks a half differently, as
 * with its own threads), the same on every run (tests/c/test_fpmode.c).
 *
 * Policy: the pair is used when it is enabled (default; NNSH_PAIR=0 or
 * nn.config{pair=false} turns it off), the machine has 2 or more CPUs and
 * the thread setting (OPENBLAS_NUM_THREADS, threads(n)) is 2 or more, that
 * is when the user gave nnsh two cores.  OpenBLAS then runs one thread
 * (blas.c), so its workers, which spin on sched_yield after each product,
 * never compete with the pair for the cores.  With one thread everything
 * stays on the calling thread.
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
#include <stdint.h>

typedef void (*nn_job_fn)(void *arg);

/* Run a(aa) and b(ba), on two threads when the pair is active, else a then
 * b on the calling thread.  Returns when both are done. */
void nn_pair_run(nn_job_fn a, void *aa, nn_job_fn b, void *ba);

/* A loop over [0, n) split at about n/2 (a multiple of `align`, so the
 * halves share no cache line when align covers 64 bytes): fn(arg, 0, mid)
 * on the calling thread and fn(arg, mid, n) on the worker, when the pair
 * is active and n >= min; else fn(arg, 0, n).  For element-wise kernels
 * and per-row work, whose results do not depend on where the range is
 * cut, so both ways are bitwise the same. */
typedef void (*nn_range_fn)(void *arg, int64_t lo, int64_t hi);
void nn_pair_split(int64_t n, int64_t min, int64_t align, nn_range_fn fn, void *arg);

/* Will nn_pair_run use two threads now? */
bool nn_pair_active(void);
/* Would the pair take over a thread setting of n (OpenBLAS then runs 1)? */
bool nn_pair_takes_threads(int n);
/* Enable or disable the pair (the starting value is from NNSH_PAIR). */
void nn_pair_enable(bool on);
bool nn_pair_enabled(void);

#endif
