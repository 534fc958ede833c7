#include "blas_choice.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define NN_X86 1
#else
#define NN_X86 0
#endif

/* --- kernels: OpenBLAS's names and what they need --------------------- */

#define AVX512_BASE (NN_CPU_AVX512F | NN_CPU_AVX512BW | NN_CPU_AVX512VL | NN_CPU_AVX512DQ)
#define AVX2_BASE (NN_CPU_AVX | NN_CPU_AVX2 | NN_CPU_FMA)

typedef struct {
  const char *name;
  int cls;        /* 1 SSE, 2 AVX, 3 AVX2, 4 AVX-512 */
  unsigned needs; /* NN_CPU_* flags the kernel executes */
} core_info;

static const core_info cores[] = {
    {"Katmai", 1, 0},      {"Coppermine", 1, 0},   {"Northwood", 1, 0},
    {"Prescott", 1, 0},    {"Banias", 1, 0},       {"Atom", 1, 0},
    {"Core2", 1, 0},       {"Penryn", 1, 0},       {"Dunnington", 1, 0},
    {"Nehalem", 1, 0},     {"Athlon", 1, 0},       {"Opteron", 1, 0},
    {"Opteron_SSE3", 1, 0}, {"Barcelona", 1, 0},   {"Nano", 1, 0},
    {"Bobcat", 1, 0},
    {"Sandybridge", 2, NN_CPU_AVX},
    {"Bulldozer", 2, NN_CPU_AVX | NN_CPU_FMA4},
    {"Piledriver", 2, NN_CPU_AVX | NN_CPU_FMA4 | NN_CPU_FMA},
    {"Steamroller", 2, NN_CPU_AVX | NN_CPU_FMA4 | NN_CPU_FMA},
    {"Excavator", 2, NN_CPU_AVX | NN_CPU_FMA4 | NN_CPU_FMA | NN_CPU_AVX2},
    {"Haswell", 3, AVX2_BASE},
    {"Zen", 3, AVX2_BASE},
    {"SkylakeX", 4, AVX2_BASE | AVX512_BASE},
    {"Cooperlake", 4, AVX2_BASE | AVX512_BASE | NN_CPU_AVX512BF16},
    {"SapphireRapids", 4, AVX2_BASE | AVX512_BASE | NN_CPU_AVX512BF16},
};

static const core_info *find_core(const char *name) {
  if (!name) return NULL;
  for (size_t i = 0; i < sizeof cores / sizeof *cores; i++)
    if (strcasecmp(cores[i].name, name) == 0) return &cores[i];
  return NULL;
}

int nn_blas_core_class(const char *name) {
  const core_info *c = find_core(name);
  return c ? c->cls : 0;
}

static const char *class_name(int cls) {
  static const char *const n[] = {"unknown", "SSE", "AVX", "AVX2", "AVX-512"};
  return n[cls >= 0 && cls <= 4 ? cls : 0];
}

/* Flags the CPU can really use: AVX needs the OS to save ymm, AVX-512 zmm. */
static unsigned usable(const nn_cpu *cpu) {
  unsigned f = cpu->flags;
  if (!(f & NN_CPU_OS_YMM))
    f &= ~(unsigned)(NN_CPU_AVX | NN_CPU_AVX2 | NN_CPU_FMA | NN_CPU_FMA4);
  if (!(f & NN_CPU_OS_ZMM) || !(f & NN_CPU_OS_YMM))
    f &= ~(unsigned)(AVX512_BASE | NN_CPU_AVX512BF16);
  return f;
}

static bool is_amd(const nn_cpu *cpu) {
  return strcmp(cpu->vendor, "AuthenticAMD") == 0 || strcmp(cpu->vendor, "HygonGenuine") == 0;
}

/* The fastest kernel this CPU runs safely, or NULL below AVX2. */
static const char *best_core(const nn_cpu *cpu) {
  unsigned f = usable(cpu);
  if ((f & (AVX2_BASE | AVX512_BASE)) == (AVX2_BASE | AVX512_BASE))
    return (f & NN_CPU_AVX512BF16) ? "Cooperlake" : "SkylakeX";
  if ((f & AVX2_BASE) == AVX2_BASE) return is_amd(cpu) ? "Zen" : "Haswell";
  return NULL;
}

/* Instruction names the kernel needs and the CPU lacks, into buf. */
static void missing(unsigned needs, unsigned have, char *buf, size_t cap) {
  static const struct { unsigned bit; const char *name; } n[] = {
      {NN_CPU_AVX, "AVX"},           {NN_CPU_AVX2, "AVX2"},
      {NN_CPU_FMA, "FMA"},           {NN_CPU_FMA4, "FMA4"},
      {NN_CPU_AVX512F, "AVX-512F"},  {NN_CPU_AVX512BW, "AVX-512BW"},
      {NN_CPU_AVX512VL, "AVX-512VL"}, {NN_CPU_AVX512DQ, "AVX-512DQ"},
      {NN_CPU_AVX512BF16, "AVX512_BF16"}};
  size_t len = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof n / sizeof *n; i++)
    if ((needs & n[i].bit) && !(have & n[i].bit) && len < cap)
      len += (size_t)snprintf(buf + len, cap - len, "%s%s", len ? " " : "", n[i].name);
}

static void set(nn_core_choice *out, const char *core, nn_core_source src) {
  snprintf(out->core, sizeof out->core, "%s", core ? core : "");
  out->source = src;
}

void nn_blas_choose(const nn_cpu *cpu, const char *detected, bool dynamic_arch,
                    const char *user_coretype, const char *option,
                    const char *option_from, nn_core_choice *out) {
  memset(out, 0, sizeof *out);
  const char *det = detected && *detected ? detected : "unknown";
  set(out, det, NN_CORE_OPENBLAS);
  unsigned have = usable(cpu);
  char why[128];

  if (option && *option) {
    const core_info *c = find_core(option);
    const char *from = option_from ? option_from : "--blas-core";
    if (!dynamic_arch) {
      out->refused = true;
      snprintf(out->reason, sizeof out->reason,
               "%s %s ignored: this OpenBLAS is built for one CPU type (%s)", from, option, det);
      return;
    }
    if (!c) {
      out->refused = true;
      snprintf(out->reason, sizeof out->reason,
               "%s %s ignored: not an OpenBLAS kernel name (e.g. Haswell, Zen, SkylakeX, "
               "Cooperlake, Sandybridge, Prescott)", from, option);
      return;
    }
    if ((c->needs & have) != c->needs) {
      missing(c->needs, have, why, sizeof why);
      out->refused = true;
      snprintf(out->reason, sizeof out->reason,
               "%s %s ignored: this CPU lacks %s; kept %s", from, c->name, why, det);
      return;
    }
    set(out, c->name, NN_CORE_OPTION);
    snprintf(out->reason, sizeof out->reason, "chosen with %s", from);
    return;
  }
  if (user_coretype && *user_coretype) {
    out->source = NN_CORE_USER;
    snprintf(out->reason, sizeof out->reason, "OPENBLAS_CORETYPE=%s in the environment",
             user_coretype);
    return;
  }
  if (!dynamic_arch) {
    snprintf(out->reason, sizeof out->reason,
             "OpenBLAS's own choice (a build for one CPU type)");
    return;
  }
  const char *best = best_core(cpu);
  int dcls = nn_blas_core_class(det);
  if (!best) {
    snprintf(out->reason, sizeof out->reason,
             "OpenBLAS's detection; this CPU has no AVX2+FMA, so nnsh leaves it");
    return;
  }
  int bcls = nn_blas_core_class(best);
  if (dcls == 0 || dcls >= bcls) {
    snprintf(out->reason, sizeof out->reason,
             dcls ? "OpenBLAS's detection, already the best class this CPU runs (%s)"
                  : "OpenBLAS's detection (a kernel nnsh does not know; kept)",
             class_name(bcls));
    return;
  }
  set(out, best, NN_CORE_AUTO);
  snprintf(out->reason, sizeof out->reason,
           "OpenBLAS fell back to %s (%s) on a CPU with %s; nnsh selected %s", det,
           class_name(dcls), class_name(bcls), best);
}

/* --- this CPU --------------------------------------------------------- */

void nn_cpu_probe(nn_cpu *cpu) {
  memset(cpu, 0, sizeof *cpu);
#if NN_X86
  unsigned a, b, c, d;
  if (!__get_cpuid(0, &a, &b, &c, &d)) return;
  unsigned maxleaf = a;
  memcpy(cpu->vendor, &b, 4);
  memcpy(cpu->vendor + 4, &d, 4);
  memcpy(cpu->vendor + 8, &c, 4);
  cpu->vendor[12] = '\0';
  __get_cpuid(1, &a, &b, &c, &d);
  int fam = (int)((a >> 8) & 0xf), model = (int)((a >> 4) & 0xf);
  if (fam == 0xf) fam += (int)((a >> 20) & 0xff);
  if (fam == 6 || fam >= 0xf) model += (int)(((a >> 16) & 0xf) << 4);
  cpu->family = fam;
  cpu->model = model;
  unsigned f = 0;
  if (c & (1u << 28)) f |= NN_CPU_AVX;
  if (c & (1u << 12)) f |= NN_CPU_FMA;
  if (c & (1u << 27)) { /* OSXSAVE: XCR0 tells which register states the OS saves */
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0x6) == 0x6) f |= NN_CPU_OS_YMM;
    if ((lo & 0xe0) == 0xe0) f |= NN_CPU_OS_ZMM;
  }
  if (maxleaf >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    if (b & (1u << 5)) f |= NN_CPU_AVX2;
    if (b & (1u << 16)) f |= NN_CPU_AVX512F;
    if (b & (1u << 17)) f |= NN_CPU_AVX512DQ;
    if (b & (1u << 30)) f |= NN_CPU_AVX512BW;
    if (b & (1u << 31)) f |= NN_CPU_AVX512VL;
    unsigned sub = a;
    if (sub >= 1) {
      __cpuid_count(7, 1, a, b, c, d);
      if (a & (1u << 5)) f |= NN_CPU_AVX512BF16;
    }
  }
  if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000001) {
    __get_cpuid(0x80000001, &a, &b, &c, &d);
    if (c & (1u << 16)) f |= NN_CPU_FMA4;
  }
  cpu->flags = f;
#endif
}

void nn_cpu_describe(const nn_cpu *cpu, char *buf, size_t cap) {
  const char *v = strcmp(cpu->vendor, "GenuineIntel") == 0 ? "Intel"
                  : strcmp(cpu->vendor, "AuthenticAMD") == 0 ? "AMD"
                  : cpu->vendor[0] ? cpu->vendor : "unknown CPU";
  unsigned f = usable(cpu);
  snprintf(buf, cap, "%s family %d model %d:%s%s%s%s", v, cpu->family, cpu->model,
           (f & AVX512_BASE) == AVX512_BASE ? " AVX-512" : "",
           (f & NN_CPU_AVX512BF16) ? " BF16" : "", (f & NN_CPU_AVX2) ? " AVX2" : "",
           (f & NN_CPU_FMA) ? " FMA" : "");
}

/* --- self-check --------------------------------------------------------- */

/* Deterministic values in [-1, 1) without touching the seeded generator. */
static float val(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return (float)((*s >> 8) & 0xffff) / 32768.0f - 1.0f;
}

static bool check_shape(nn_sgemm_fn gemm, int M, int N, int K, bool ta, bool tb, int pad,
                        char *msg, size_t cap) {
  int ar = ta ? K : M, ac = ta ? M : K, br = tb ? N : K, bc = tb ? K : N;
  int lda = ac + pad, ldb = bc + pad, ldc = N + pad;
  size_t na = (size_t)ar * (size_t)lda, nb = (size_t)br * (size_t)ldb,
         nc = (size_t)M * (size_t)ldc;
  float *A = malloc(na * sizeof *A), *B = malloc(nb * sizeof *B), *C = malloc(nc * sizeof *C);
  double *R = malloc((size_t)M * (size_t)N * sizeof *R);
  bool ok = A && B && C && R;
  if (!ok) {
    snprintf(msg, cap, "out of memory");
    goto done;
  }
  uint32_t s = (uint32_t)(M * 131 + N * 17 + K);
  for (size_t i = 0; i < na; i++) A[i] = val(&s);
  for (size_t i = 0; i < nb; i++) B[i] = val(&s);
  for (size_t i = 0; i < nc; i++) C[i] = val(&s);
  const float alpha = 0.75f, beta = -0.5f;
  for (int i = 0; i < M; i++)
    for (int j = 0; j < N; j++) {
      double acc = 0;
      for (int k = 0; k < K; k++) {
        double a = ta ? A[(ptrdiff_t)k * lda + i] : A[(ptrdiff_t)i * lda + k];
        double b = tb ? B[(ptrdiff_t)j * ldb + k] : B[(ptrdiff_t)k * ldb + j];
        acc += a * b;
      }
      R[(ptrdiff_t)i * N + j] = alpha * acc + beta * C[(ptrdiff_t)i * ldc + j];
    }
  gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  /* Float rounding of K products of |x| < 1: error <= K * 2^-23 or so;
   * 1e-5 * (K + 1) leaves room and still catches any wrong element. */
  double tol = 1e-5 * (K + 1);
  for (int i = 0; i < M && ok; i++)
    for (int j = 0; j < N && ok; j++) {
      double got = C[(ptrdiff_t)i * ldc + j], want = R[(ptrdiff_t)i * N + j];
      if (!(fabs(got - want) <= tol)) {
        snprintf(msg, cap, "sgemm %dx%dx%d%s%s: C[%d][%d] = %g, expected %g", M, N, K,
                 ta ? " A'" : "", tb ? " B'" : "", i, j, got, want);
        ok = false;
      }
    }
done:
  free(A);
  free(B);
  free(C);
  free(R);
  return ok;
}

bool nn_blas_selfcheck(nn_sgemm_fn gemm, char *msg, size_t cap) {
  static const int shapes[][4] = {
      /* M, N, K, leading-dimension padding */
      {1, 1, 1, 0},   {3, 1, 17, 1},  {1, 35, 9, 0},   {17, 13, 7, 3},
      {33, 20, 70, 0}, {37, 31, 45, 5}, {5, 100, 3, 0}, {70, 17, 40, 2},
  };
  if (msg && cap) msg[0] = '\0';
  for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++)
    for (int f = 0; f < 4; f++)
      if (!check_shape(gemm, shapes[s][0], shapes[s][1], shapes[s][2], f & 1, f & 2,
                       shapes[s][3], msg, cap))
        return false;
  return true;
}

/* --- what nnsh did at start-up ------------------------------------------ */

static nn_blas_report report;

nn_blas_report *nn_blas_report_get(void) { return &report; }
