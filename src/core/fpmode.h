/* Flush-to-zero and denormals-are-zero for the float work of nnsh.
 *
 * Subnormal floats (|x| < 1.2e-38) are handled in microcode on many Intel
 * CPUs, up to 100x slower than normal ones; a tanh RNN's backward pass
 * produces them in bulk.  With FTZ (results) and DAZ (inputs) set in the
 * SSE control register MXCSR they become 0, as TensorFlow does by default.
 *
 * MXCSR is per thread and a new thread copies its creator's.  OpenBLAS
 * starts its worker threads when the library loads, before any code of
 * nnsh runs, so setting the mode also stops those workers: OpenBLAS starts
 * them again on its next threaded call, from the calling thread, and they
 * then carry the new mode.  nnsh's own pair worker (pair.h) copies the
 * caller's MXCSR with every job.
 *
 * The switch: NNSH_FTZ=0 in the environment or `nnsh --no-ftz` (which sets
 * NNSH_FTZ=0) keeps IEEE subnormals; nn.config() reports the state.
 * Without SSE (not x86-64) these are no-ops and nn_fp_ftz() is false.
 */
#ifndef NN_FPMODE_H
#define NN_FPMODE_H

#include <stdbool.h>

/* Set FTZ and DAZ on or off in the calling thread and in OpenBLAS's
 * workers (restarted on their next use). */
void nn_fp_set_ftz(bool on);
/* Are FTZ and DAZ both on in the calling thread? */
bool nn_fp_ftz(void);
/* The mode the environment asks for: false when NNSH_FTZ is "0", "off",
 * "no" or "false", true otherwise (also when unset). */
bool nn_fp_ftz_wanted(void);

/* The raw control word, for handing the caller's mode to a worker thread. */
unsigned nn_fp_getcsr(void);
void nn_fp_setcsr(unsigned csr);

#endif
