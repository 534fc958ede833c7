/* sgemm_bench: OpenBLAS cblas_sgemm throughput at given shapes.
 *
 *   sgemm_bench [--time S] [--samples R] SHAPE...
 *   SHAPE = MxNxK[:XY]   row-major C(MxN) = op(A)(MxK) . op(B)(KxN),
 *                        X, Y in {N,T}: A resp. B stored transposed.
 *
 * The benchmark harness (bench/run) asks for the shapes its workloads use
 * and derives each workload's sgemm floor from the rates printed here.
 * Threads come from the environment (OPENBLAS_NUM_THREADS), the kernel from
 * OPENBLAS_CORETYPE, exactly as for the programs being compared.
 *
 * Per shape: a warm-up, then R samples of enough calls to last about S/R
 * seconds each; the reported rate is the median sample.  Operands are
 * allocated once per shape and stay in cache as they do inside a training
 * loop.  Output, one line each:
 *   CORE <openblas_get_corename()>
 *   CONFIG <openblas_get_config()>
 *   THREADS <openblas_get_num_threads()>
 *   SGEMM {"shape":"200x256x96:NN","m":200,"n":256,"k":96,"gflops":88.1,"us_per_call":111.6}
 */
#define _POSIX_C_SOURCE 199309L
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);
extern int openblas_get_num_threads(void);

#define MAX_SAMPLES 64

typedef struct {
  int m, n, k;
  int ta, tb;
} shape;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int parse_shape(const char *s, shape *sh) {
  char flags[3] = "NN";
  int used = 0;
  if (sscanf(s, "%dx%dx%d%n", &sh->m, &sh->n, &sh->k, &used) != 3) return 0;
  if (s[used] == ':') {
    if (strlen(s + used + 1) != 2) return 0;
    memcpy(flags, s + used + 1, 2);
  } else if (s[used] != '\0') {
    return 0;
  }
  for (int i = 0; i < 2; i++)
    if (flags[i] != 'N' && flags[i] != 'T') return 0;
  sh->ta = flags[0] == 'T';
  sh->tb = flags[1] == 'T';
  return sh->m > 0 && sh->n > 0 && sh->k > 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static void fill(float *p, size_t n, unsigned seed) {
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1664525u + 1013904223u;
    p[i] = (float)(seed >> 8) / 16777216.0f - 0.5f;
  }
}

static void call(const shape *s, const float *A, const float *B, float *C) {
  int lda = s->ta ? s->m : s->k, ldb = s->tb ? s->k : s->n;
  cblas_sgemm(CblasRowMajor, s->ta ? CblasTrans : CblasNoTrans,
              s->tb ? CblasTrans : CblasNoTrans, s->m, s->n, s->k, 1.0f, A,
              lda, B, ldb, 0.0f, C, s->n);
}

/* Median rate in GFLOP/s and the median seconds per call. */
static int run_shape(const shape *s, double seconds, int samples,
                     double *gflops, double *sec_per_call) {
  size_t na = (size_t)s->m * s->k, nb = (size_t)s->k * s->n,
         nc = (size_t)s->m * s->n;
  float *A = malloc(na * sizeof *A), *B = malloc(nb * sizeof *B),
        *C = malloc(nc * sizeof *C);
  if (!A || !B || !C) {
    free(A), free(B), free(C);
    return 0;
  }
  fill(A, na, 1), fill(B, nb, 2), fill(C, nc, 3);
  /* Warm up and calibrate: calls per sample so a sample lasts seconds/R. */
  double t0 = now();
  long calls = 0;
  do {
    call(s, A, B, C);
    calls++;
  } while (now() - t0 < 0.05 && calls < 100000);
  double per_call = (now() - t0) / (double)calls;
  long reps = (long)(seconds / samples / per_call);
  if (reps < 1) reps = 1;
  double t[MAX_SAMPLES];
  for (int r = 0; r < samples; r++) {
    double a = now();
    for (long i = 0; i < reps; i++) call(s, A, B, C);
    t[r] = (now() - a) / (double)reps;
  }
  qsort(t, (size_t)samples, sizeof *t, cmp_double);
  *sec_per_call = t[samples / 2];
  *gflops = 2.0 * s->m * s->n * (double)s->k / *sec_per_call * 1e-9;
  free(A), free(B), free(C);
  return 1;
}

static void usage(void) {
  fprintf(stderr,
          "usage: sgemm_bench [--time S] [--samples R] MxNxK[:XY] ...\n"
          "  row-major C(MxN) = op(A)(MxK) op(B)(KxN); X,Y = N or T\n"
          "  --time S     seconds per shape (default 0.5)\n"
          "  --samples R  timed samples per shape, median reported (default 5)\n");
}

int main(int argc, char **argv) {
  double seconds = 0.5;
  int samples = 5, first = 1;
  while (first < argc && strncmp(argv[first], "--", 2) == 0) {
    if (first + 1 >= argc) return usage(), 2;
    if (strcmp(argv[first], "--time") == 0)
      seconds = atof(argv[first + 1]);
    else if (strcmp(argv[first], "--samples") == 0)
      samples = atoi(argv[first + 1]);
    else
      return usage(), 2;
    first += 2;
  }
  if (first >= argc || seconds <= 0 || samples < 1 || samples > MAX_SAMPLES)
    return usage(), 2;
  printf("CORE %s\nCONFIG %s\nTHREADS %d\n", openblas_get_corename(),
         openblas_get_config(), openblas_get_num_threads());
  for (int i = first; i < argc; i++) {
    shape s;
    if (!parse_shape(argv[i], &s)) {
      fprintf(stderr, "sgemm_bench: bad shape '%s' (want MxNxK or MxNxK:NT)\n",
              argv[i]);
      return 2;
    }
    double gf, spc;
    if (!run_shape(&s, seconds, samples, &gf, &spc)) {
      fprintf(stderr, "sgemm_bench: out of memory at %s\n", argv[i]);
      return 1;
    }
    printf("SGEMM {\"shape\":\"%dx%dx%d:%c%c\",\"m\":%d,\"n\":%d,\"k\":%d,"
           "\"gflops\":%.2f,\"us_per_call\":%.3f}\n",
           s.m, s.n, s.k, s.ta ? 'T' : 'N', s.tb ? 'T' : 'N', s.m, s.n, s.k,
           gf, spc * 1e6);
    fflush(stdout);
  }
  return 0;
}
