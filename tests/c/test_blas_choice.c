/* The OpenBLAS kernel choice on recorded machines, and the sgemm self-check
 * against a correct and a broken product. */
#include <string.h>

#include "blas.h"
#include "blas_choice.h"
#include "check.h"

#define AVX2_CPU (NN_CPU_AVX | NN_CPU_AVX2 | NN_CPU_FMA | NN_CPU_OS_YMM)
#define AVX512_CPU \
  (AVX2_CPU | NN_CPU_AVX512F | NN_CPU_AVX512BW | NN_CPU_AVX512VL | NN_CPU_AVX512DQ | NN_CPU_OS_ZMM)

static const nn_cpu intel_emerald = {"GenuineIntel", 6, 207, AVX512_CPU | NN_CPU_AVX512BF16};
static const nn_cpu intel_skylake_sp = {"GenuineIntel", 6, 85, AVX512_CPU};
static const nn_cpu intel_alder = {"GenuineIntel", 6, 151, AVX2_CPU};
static const nn_cpu amd_zen3 = {"AuthenticAMD", 25, 1, AVX2_CPU};
static const nn_cpu amd_zen5 = {"AuthenticAMD", 26, 2, AVX512_CPU | NN_CPU_AVX512BF16};
static const nn_cpu intel_sandy = {"GenuineIntel", 6, 42, NN_CPU_AVX | NN_CPU_OS_YMM};
static const nn_cpu intel_core2 = {"GenuineIntel", 6, 23, 0};
/* AVX-512 in cpuid but the OS does not save zmm state (XCR0). */
static const nn_cpu intel_no_os_zmm = {"GenuineIntel", 6, 85, AVX512_CPU & ~NN_CPU_OS_ZMM};

static nn_core_choice ch;

static void choose(const nn_cpu *cpu, const char *detected, const char *user, const char *opt) {
  nn_blas_choose(cpu, detected, true, user, opt, "--blas-core", &ch);
}

static void test_choices(void) {
  /* AVX-512 CPU, OpenBLAS says Prescott: nnsh picks the AVX-512 kernel. */
  choose(&intel_emerald, "Prescott", NULL, NULL);
  CHECK(strcmp(ch.core, "Cooperlake") == 0 && ch.source == NN_CORE_AUTO);
  CHECK(strstr(ch.reason, "fell back to Prescott") != NULL);
  choose(&intel_skylake_sp, "Prescott", NULL, NULL);
  CHECK(strcmp(ch.core, "SkylakeX") == 0 && ch.source == NN_CORE_AUTO);
  /* ... but OpenBLAS's own AVX-512 detection stays. */
  choose(&intel_skylake_sp, "SkylakeX", NULL, NULL);
  CHECK(strcmp(ch.core, "SkylakeX") == 0 && ch.source == NN_CORE_OPENBLAS);
  /* AVX-512 Zen 5 that OpenBLAS 0.3.21 calls Zen (AVX2 class): upgraded. */
  choose(&amd_zen5, "Zen", NULL, NULL);
  CHECK(strcmp(ch.core, "Cooperlake") == 0 && ch.source == NN_CORE_AUTO);
  /* AMD Zen, user set Haswell: the user's. */
  choose(&amd_zen5, "Haswell", "Haswell", NULL);
  CHECK(strcmp(ch.core, "Haswell") == 0 && ch.source == NN_CORE_USER);
  CHECK(strstr(ch.reason, "OPENBLAS_CORETYPE=Haswell") != NULL);
  choose(&amd_zen3, "Haswell", "haswell", NULL);
  CHECK(ch.source == NN_CORE_USER && !ch.refused);
  /* This machine: Zen 3, OpenBLAS detects Zen: left as is. */
  choose(&amd_zen3, "Zen", NULL, NULL);
  CHECK(strcmp(ch.core, "Zen") == 0 && ch.source == NN_CORE_OPENBLAS);
  /* An AVX2 CPU too new for OpenBLAS: Haswell for Intel, Zen for AMD. */
  choose(&intel_alder, "Prescott", NULL, NULL);
  CHECK(strcmp(ch.core, "Haswell") == 0 && ch.source == NN_CORE_AUTO);
  choose(&amd_zen3, "Prescott", NULL, NULL);
  CHECK(strcmp(ch.core, "Zen") == 0 && ch.source == NN_CORE_AUTO);
  /* Old CPUs without AVX2: whatever OpenBLAS chose stays. */
  choose(&intel_sandy, "Sandybridge", NULL, NULL);
  CHECK(strcmp(ch.core, "Sandybridge") == 0 && ch.source == NN_CORE_OPENBLAS);
  choose(&intel_sandy, "Prescott", NULL, NULL);
  CHECK(strcmp(ch.core, "Prescott") == 0 && ch.source == NN_CORE_OPENBLAS);
  choose(&intel_core2, "Core2", NULL, NULL);
  CHECK(strcmp(ch.core, "Core2") == 0 && ch.source == NN_CORE_OPENBLAS);
  /* AVX-512 the OS does not enable counts as AVX2. */
  choose(&intel_no_os_zmm, "Prescott", NULL, NULL);
  CHECK(strcmp(ch.core, "Haswell") == 0);
  /* A kernel name nnsh does not know (a newer OpenBLAS): kept. */
  choose(&intel_emerald, "GraniteRapids", NULL, NULL);
  CHECK(strcmp(ch.core, "GraniteRapids") == 0 && ch.source == NN_CORE_OPENBLAS);
  /* A build for one CPU type cannot switch. */
  nn_blas_choose(&intel_emerald, "Prescott", false, NULL, NULL, NULL, &ch);
  CHECK(strcmp(ch.core, "Prescott") == 0 && ch.source == NN_CORE_OPENBLAS);
}

static void test_options(void) {
  /* nnsh's option beats the user's OPENBLAS_CORETYPE; case-insensitive. */
  choose(&amd_zen5, "Haswell", "Haswell", "skylakex");
  CHECK(strcmp(ch.core, "SkylakeX") == 0 && ch.source == NN_CORE_OPTION && !ch.refused);
  /* ... and may pick a slower kernel on purpose. */
  choose(&intel_emerald, "Cooperlake", NULL, "Prescott");
  CHECK(strcmp(ch.core, "Prescott") == 0 && ch.source == NN_CORE_OPTION);
  /* A kernel the CPU cannot execute is refused (it would die of SIGILL). */
  choose(&amd_zen3, "Zen", NULL, "SkylakeX");
  CHECK(ch.refused && strcmp(ch.core, "Zen") == 0 && ch.source == NN_CORE_OPENBLAS);
  CHECK(strstr(ch.reason, "lacks AVX-512F") != NULL);
  choose(&intel_skylake_sp, "SkylakeX", NULL, "Cooperlake");
  CHECK(ch.refused && strstr(ch.reason, "AVX512_BF16") != NULL);
  choose(&intel_alder, "Haswell", NULL, "Bulldozer"); /* FMA4: AMD only */
  CHECK(ch.refused && strstr(ch.reason, "FMA4") != NULL);
  /* Unknown names are refused and say so. */
  choose(&amd_zen3, "Zen", NULL, "Zen9");
  CHECK(ch.refused && strstr(ch.reason, "not an OpenBLAS kernel name") != NULL);
  /* Class table. */
  CHECK(nn_blas_core_class("Prescott") == 1 && nn_blas_core_class("sandybridge") == 2);
  CHECK(nn_blas_core_class("Zen") == 3 && nn_blas_core_class("COOPERLAKE") == 4);
  CHECK(nn_blas_core_class("Nope") == 0 && nn_blas_core_class(NULL) == 0);
}

/* A wrong sgemm: correct except that it ignores beta on the last column,
 * the kind of edge-case bug a miscompiled kernel has. */
static void bad_gemm(bool ta, bool tb, int M, int N, int K, float alpha, const float *A,
                     int lda, const float *B, int ldb, float beta, float *C, int ldc) {
  nn_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  if (N > 16)
    for (int i = 0; i < M; i++) C[(size_t)i * ldc + N - 1] += 1e-3f;
}

static void test_selfcheck(void) {
  char msg[160];
  CHECK(nn_blas_selfcheck(nn_sgemm, msg, sizeof msg));
  CHECK(msg[0] == '\0');
  CHECK(!nn_blas_selfcheck(bad_gemm, msg, sizeof msg));
  CHECK(strstr(msg, "sgemm ") != NULL && strstr(msg, "expected") != NULL);
}

static void test_probe(void) {
  nn_cpu cpu;
  nn_cpu_probe(&cpu);
  char d[96];
  nn_cpu_describe(&cpu, d, sizeof d);
  CHECK(strstr(d, "family") != NULL);
#if defined(__x86_64__)
  CHECK(cpu.vendor[0] != '\0' && cpu.family > 0);
#endif
#if defined(__AVX2__) && defined(__FMA__)
  /* Built for AVX2 (Release: -march=x86-64-v3), so the CPU running it has it. */
  CHECK((cpu.flags & AVX2_CPU) == AVX2_CPU);
#endif
}

int main(void) {
  test_choices();
  test_options();
  test_selfcheck();
  test_probe();
  return check_summary("test_blas_choice");
}
