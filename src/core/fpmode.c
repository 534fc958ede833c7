#include "fpmode.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "blas.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#define NN_HAVE_MXCSR 1
#else
#define NN_HAVE_MXCSR 0
#endif

enum { FTZ_BIT = 0x8000, DAZ_BIT = 0x0040 };

unsigned nn_fp_getcsr(void) {
#if NN_HAVE_MXCSR
  return _mm_getcsr();
#else
  return 0;
#endif
}

void nn_fp_setcsr(unsigned csr) {
#if NN_HAVE_MXCSR
  _mm_setcsr(csr);
#else
  (void)csr;
#endif
}

void nn_fp_set_ftz(bool on) {
#if NN_HAVE_MXCSR
  unsigned csr = _mm_getcsr();
  unsigned want = on ? (csr | FTZ_BIT | DAZ_BIT) : (csr & ~(unsigned)(FTZ_BIT | DAZ_BIT));
  _mm_setcsr(want);
  /* Always restart: the workers may have been created under another mode
   * (they started before main()), whatever the calling thread had. */
  nn_blas_restart_threads();
#else
  (void)on;
#endif
}

bool nn_fp_ftz(void) {
#if NN_HAVE_MXCSR
  unsigned csr = _mm_getcsr();
  return (csr & FTZ_BIT) && (csr & DAZ_BIT);
#else
  return false;
#endif
}

bool nn_fp_ftz_wanted(void) {
  const char *v = getenv("NNSH_FTZ");
  if (!v) return true;
  return !(strcmp(v, "0") == 0 || strcasecmp(v, "off") == 0 ||
           strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0);
}
