/* Hand-off latency of nnsh's two-core pair (src/core/pair.h): the time of
 * one nn_pair_run of two trivial jobs, after a busy gap of 0, 5, 20 and
 * 100 µs on the calling thread.  The gap is how long the worker has been
 * idle: a worker that went to sleep costs a futex wake-up (30-40 µs on a
 * virtual machine), one still spinning well under a microsecond.
 *
 *   gcc -O2 -std=gnu11 -Isrc/core bench/pair_handoff.c build/libnncore.a \
 *       $(pkg-config --libs openblas) -lpng -lz -lpthread -lm -o build/pair_handoff
 *   build/pair_handoff
 */
#include <stdio.h>
#include <time.h>

#include "blas.h"
#include "pair.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static volatile double sink;

static void tiny_job(void *unused) {
  (void)unused;
  double s = 0;
  for (int i = 0; i < 200; i++) s += i * 0.5;
  sink = s;
}

static void busy(double us) {
  double t = now();
  while ((now() - t) * 1e6 < us) {
  }
}

int main(void) {
  nn_blas_set_threads(2);
  if (!nn_pair_active()) {
    printf("pair not active (one CPU, or NNSH_PAIR=0): nothing to measure\n");
    return 0;
  }
  /* Untimed: start the worker and let the scheduler place it. */
  for (int i = 0; i < 2000; i++) nn_pair_run(tiny_job, NULL, tiny_job, NULL);
  const double gaps[] = {0, 5, 20, 100};
  for (int g = 0; g < 4; g++) {
    const int n = 20000;
    double total = 0;
    for (int i = 0; i < n; i++) {
      busy(gaps[g]);
      double t = now();
      nn_pair_run(tiny_job, NULL, tiny_job, NULL);
      total += now() - t;
    }
    printf("gap %5.0f us: one hand-off %.2f us\n", gaps[g], total / n * 1e6);
  }
  return 0;
}
