/* Compiled with the project's flags: what they let the compiler use. */
#include "isa_check.h"

#ifdef __AVX2__
const bool nn_isa_built_avx2 = true;
#else
const bool nn_isa_built_avx2 = false;
#endif
#ifdef __FMA__
const bool nn_isa_built_fma = true;
#else
const bool nn_isa_built_fma = false;
#endif
