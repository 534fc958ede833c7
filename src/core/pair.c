#include "pair.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "blas.h"
#include "fpmode.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#else
#define CPU_RELAX() ((void)0)
#endif

/* How long the idle worker spins for the next job before it sleeps.  Waking
 * a sleeping thread costs 30-40 µs on a virtual machine (measured on a
 * Firecracker/KVM Xeon), more than most jobs take; the gaps between the jobs
 * of a training step are far shorter than 2 ms, and an idle shell lets the
 * worker sleep after that.  Counted in time, not in PAUSE instructions,
 * which take 10 to 140 cycles depending on the CPU: on the Xeon 4000 of
 * them ran out before a 100 µs gap ended (bench/pair_handoff.c). */
enum { SPIN_NS = 2000000, SPIN_CHECK = 64 };
/* The caller's wait for the worker's half, before it yields the CPU. */
enum { WAIT_SPINS = 4000 };

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static struct {
  pthread_once_t once;
  bool started, failed;
  int enabled; /* -1: not read from NNSH_PAIR yet */
  bool busy;   /* a pair is running (reentrant calls run serially) */
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  atomic_uint posted, done; /* job counters */
  atomic_bool sleeping;
  nn_job_fn fn;
  void *arg;
  unsigned csr;
} P = {.once = PTHREAD_ONCE_INIT, .enabled = -1,
       .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *worker(void *unused) {
  (void)unused;
  unsigned seen = 0;
  for (;;) {
    unsigned now;
    int spins = 0;
    long long since = now_ns();
    while ((now = atomic_load_explicit(&P.posted, memory_order_acquire)) == seen) {
      if (++spins % SPIN_CHECK != 0) {
        CPU_RELAX();
        continue;
      }
      if (now_ns() - since < SPIN_NS) {
        /* Until the scheduler spreads the two threads (tens of ms after the
         * worker starts, or when another process holds a core), the worker
         * may share the caller's CPU: spinning there would hold off the
         * caller for a whole time slice at every hand-off. */
        sched_yield();
        continue;
      }
      pthread_mutex_lock(&P.mu);
      atomic_store(&P.sleeping, true);
      while (atomic_load(&P.posted) == seen) pthread_cond_wait(&P.cv, &P.mu);
      atomic_store(&P.sleeping, false);
      pthread_mutex_unlock(&P.mu);
      spins = 0;
      since = now_ns();
    }
    seen = now;
    if (nn_fp_getcsr() != P.csr) nn_fp_setcsr(P.csr);
    P.fn(P.arg);
    atomic_store_explicit(&P.done, seen, memory_order_release);
  }
  return NULL;
}

static void start(void) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  P.started = pthread_create(&P.thread, &attr, worker, NULL) == 0;
  P.failed = !P.started;
  pthread_attr_destroy(&attr);
}

bool nn_pair_enabled(void) {
  if (P.enabled < 0) {
    const char *v = getenv("NNSH_PAIR");
    P.enabled = !(v && (strcmp(v, "0") == 0 || strcmp(v, "off") == 0));
  }
  return P.enabled == 1;
}

void nn_pair_enable(bool on) {
  P.enabled = on ? 1 : 0;
  nn_blas_set_threads(nn_blas_threads()); /* OpenBLAS back to n, or to 1 */
}

bool nn_pair_takes_threads(int n) {
  static long ncpu = -1;
  if (ncpu < 0) ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  return n >= 2 && ncpu >= 2 && nn_pair_enabled() && !P.failed;
}

bool nn_pair_active(void) { return !P.busy && nn_pair_takes_threads(nn_blas_threads()); }

void nn_pair_run(nn_job_fn a, void *aa, nn_job_fn b, void *ba) {
  if (!nn_pair_active()) {
    a(aa);
    b(ba);
    return;
  }
  pthread_once(&P.once, start);
  if (!P.started) {
    a(aa);
    b(ba);
    return;
  }
  P.busy = true;
  P.fn = a;
  P.arg = aa;
  P.csr = nn_fp_getcsr();
  unsigned ticket = atomic_load(&P.posted) + 1;
  atomic_store(&P.posted, ticket); /* seq_cst: pairs with the worker's sleeping flag */
  if (atomic_load(&P.sleeping)) {
    pthread_mutex_lock(&P.mu);
    pthread_cond_signal(&P.cv);
    pthread_mutex_unlock(&P.mu);
  }
  b(ba);
  for (int spins = 0; atomic_load_explicit(&P.done, memory_order_acquire) != ticket; spins++)
    if (spins < WAIT_SPINS) CPU_RELAX();
    else sched_yield();
  P.busy = false;
}

typedef struct {
  nn_range_fn fn;
  void *arg;
  int64_t lo, hi;
} range_job;

static void run_range(void *p) {
  const range_job *r = p;
  r->fn(r->arg, r->lo, r->hi);
}

void nn_pair_split(int64_t n, int64_t min, int64_t align, nn_range_fn fn, void *arg) {
  if (align < 1) align = 1;
  int64_t mid = (n / 2 + align - 1) / align * align;
  if (n < min || mid <= 0 || mid >= n || !nn_pair_active()) {
    fn(arg, 0, n);
    return;
  }
  range_job first = {fn, arg, 0, mid}, second = {fn, arg, mid, n};
  nn_pair_run(run_range, &second, run_range, &first);
}
