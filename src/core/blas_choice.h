/* Which OpenBLAS kernel nnsh runs, and why.
 *
 * Debian's OpenBLAS (0.3.21, DYNAMIC_ARCH) picks its kernel at load time
 * from cpuid, or from $OPENBLAS_CORETYPE.  A CPU newer than the library is
 * often not recognised and gets the generic SSE3 "Prescott" kernel, 3-4x
 * slower than the AVX-512 one it could run.  nn_blas_choose() is the
 * decision, as a pure function of the facts so that it is unit-tested on
 * recorded machines; src/shell/blas_start.c gathers the facts, applies the
 * choice (OpenBLAS reads the variable only at load: nnsh re-executes itself
 * once with it set) and runs nn_blas_selfcheck() on the new kernel.
 *
 * Precedence, strongest first:
 *   1. nnsh's own option: `nnsh --blas-core NAME`, else $NNSH_BLAS_CORE;
 *      refused (and said so) when the name is unknown or the CPU lacks the
 *      instructions the kernel needs (it would die of SIGILL);
 *   2. the user's $OPENBLAS_CORETYPE: always kept;
 *   3. nnsh's automatic choice: only when OpenBLAS detected a kernel of a
 *      weaker instruction class (SSE < AVX < AVX2 < AVX-512) than the best
 *      one the CPU and OS support: AVX-512F/BW/VL/DQ -> Cooperlake with
 *      AVX512_BF16, else SkylakeX; AVX2+FMA -> Zen on AMD/Hygon, else
 *      Haswell; a CPU without AVX2 keeps whatever OpenBLAS chose;
 *   4. OpenBLAS's own detection.
 */
#ifndef NN_BLAS_CHOICE_H
#define NN_BLAS_CHOICE_H

#include <stdbool.h>
#include <stddef.h>

enum {
  NN_CPU_AVX = 1 << 0,
  NN_CPU_AVX2 = 1 << 1,
  NN_CPU_FMA = 1 << 2,
  NN_CPU_FMA4 = 1 << 3,
  NN_CPU_AVX512F = 1 << 4,
  NN_CPU_AVX512BW = 1 << 5,
  NN_CPU_AVX512VL = 1 << 6,
  NN_CPU_AVX512DQ = 1 << 7,
  NN_CPU_AVX512BF16 = 1 << 8,
  NN_CPU_OS_YMM = 1 << 9,  /* the OS saves AVX state (XCR0 bits 1,2) */
  NN_CPU_OS_ZMM = 1 << 10, /* ... and AVX-512 state (XCR0 bits 5,6,7) */
};

typedef struct nn_cpu {
  char vendor[13]; /* "GenuineIntel", "AuthenticAMD", "HygonGenuine", ... */
  int family, model;
  unsigned flags; /* NN_CPU_* */
} nn_cpu;

/* This CPU, from cpuid and xgetbv (all zero when not x86-64). */
void nn_cpu_probe(nn_cpu *cpu);
/* "AMD family 25 model 1: AVX2 FMA" into buf. */
void nn_cpu_describe(const nn_cpu *cpu, char *buf, size_t cap);

typedef enum {
  NN_CORE_OPENBLAS, /* OpenBLAS's own detection */
  NN_CORE_USER,     /* $OPENBLAS_CORETYPE */
  NN_CORE_OPTION,   /* --blas-core or $NNSH_BLAS_CORE */
  NN_CORE_AUTO,     /* nnsh replaced a fallback kernel */
} nn_core_source;

typedef struct nn_core_choice {
  char core[32];         /* kernel to run: set OPENBLAS_CORETYPE to it when it
                            differs from the detected one */
  nn_core_source source;
  bool refused;          /* an option named a kernel nnsh would not run */
  char reason[256];      /* one line, for the banner, -v and nn.config() */
} nn_core_choice;

/* The decision.  detected: openblas_get_corename() as loaded; dynamic_arch:
 * the library can switch kernels at all; user_coretype: $OPENBLAS_CORETYPE
 * (NULL/"" = unset); option: --blas-core or $NNSH_BLAS_CORE (NULL/"" =
 * none) and option_from its origin for the message.  Kernel names compare
 * without case; out->core gets OpenBLAS's spelling. */
void nn_blas_choose(const nn_cpu *cpu, const char *detected, bool dynamic_arch,
                    const char *user_coretype, const char *option,
                    const char *option_from, nn_core_choice *out);

/* Instruction class of a kernel name: 1 SSE, 2 AVX, 3 AVX2, 4 AVX-512;
 * 0 when unknown. */
int nn_blas_core_class(const char *name);

/* A row-major sgemm, as nn_sgemm (blas.h). */
typedef void (*nn_sgemm_fn)(bool ta, bool tb, int M, int N, int K, float alpha,
                            const float *A, int lda, const float *B, int ldb,
                            float beta, float *C, int ldc);

/* Compares gemm against a double-precision naive product on awkward shapes
 * (1x1x1, odd sizes, padded leading dimensions, all transpose flags,
 * alpha and beta not 0/1).  Returns true when every element is within a
 * tolerance that a correct float sgemm meets by orders of magnitude; else
 * false with the first bad shape and element in msg.  About 0.1 ms. */
bool nn_blas_selfcheck(nn_sgemm_fn gemm, char *msg, size_t cap);

/* What happened at start-up, for the banner, -v and nn.config().  Filled by
 * the nnsh launcher (src/shell/blas_start.c); all empty (filled[0] == 0)
 * when nn is loaded by another program, e.g. stock lua5.4. */
typedef struct nn_blas_report {
  bool filled;
  char detected[32];  /* what OpenBLAS detected by itself */
  nn_core_choice choice;
  int selfcheck;      /* 1 passed, 0 not run, -1 failed and fell back */
  char cpu[96];       /* nn_cpu_describe() */
} nn_blas_report;

nn_blas_report *nn_blas_report_get(void);

#endif
