/* Compiled for plain x86-64 whatever the build's -march (CMakeLists.txt):
 * this code must run on the CPUs the rest of the build cannot. */
#include "isa_check.h"

#include <stdio.h>
#include <stdlib.h>

const char *nn_isa_missing(bool cpu_avx2, bool cpu_fma, bool built_avx2, bool built_fma) {
  bool no_avx2 = built_avx2 && !cpu_avx2, no_fma = built_fma && !cpu_fma;
  if (no_avx2 && no_fma) return "AVX2 and FMA";
  if (no_avx2) return "AVX2";
  if (no_fma) return "FMA";
  return NULL;
}

void nn_isa_require(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_cpu_init();
  const char *missing = nn_isa_missing(__builtin_cpu_supports("avx2"), __builtin_cpu_supports("fma"),
                                       nn_isa_built_avx2, nn_isa_built_fma);
  if (!missing) return;
  fprintf(stderr,
          "nnsh: this build uses %s instructions, which this CPU does not have.\n"
          "Build for this CPU (slower, runs on any x86-64):\n"
          "  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DNNSH_ARCH=x86-64 && cmake --build build\n",
          missing);
  exit(1);
#endif
}

/* Priority 101: before every other constructor of the program or module
 * (none of nnsh's own runs earlier), so before any AVX2 code of ours. */
__attribute__((constructor(101))) static void isa_check_at_load(void) { nn_isa_require(); }
