/* Refusing, with a sentence, to run a build on a CPU that lacks the
 * instructions it was compiled for.
 *
 * The Release build is compiled with gcc -march=$NNSH_ARCH (CMake cache
 * variable, default x86-64-v3: AVX2 and FMA, Intel Haswell / AMD
 * Excavator and later).  On an older CPU the first vector loop would kill
 * the process with SIGILL and no word of why.  isa_check.c is compiled for
 * the base x86-64 set and checks cpuid in a constructor that runs before
 * any other code of nnsh's (in the nnsh executable and when a Lua
 * interpreter loads nn.so). */
#ifndef NN_ISA_CHECK_H
#define NN_ISA_CHECK_H

#include <stdbool.h>

/* What the build's code needs (isa_built.c, compiled with the project's
 * flags, so it reads the compiler's own __AVX2__ / __FMA__). */
extern const bool nn_isa_built_avx2, nn_isa_built_fma;

/* The instructions the build needs and the CPU lacks, as "AVX2 and FMA",
 * "AVX2" or "FMA"; NULL when the CPU runs the build. */
const char *nn_isa_missing(bool cpu_avx2, bool cpu_fma, bool built_avx2, bool built_fma);

/* Exits with a message naming the missing instructions and how to build
 * for this CPU, when this CPU cannot run the build; else returns. */
void nn_isa_require(void);

#endif
