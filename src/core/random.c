#include "random.h"

#include <math.h>

#include "error.h"

/* PCG32 constants from O'Neill's reference implementation. */
#define PCG_MULT 6364136223846793005ULL
#define PCG_INC 1442695040888963407ULL

static nn_rng global_rng;
static uint64_t global_seed;
static int global_ready;

void nn_rng_seed(nn_rng *r, uint64_t seed) {
  r->state = 0;
  r->inc = PCG_INC | 1u;
  nn_rng_u32(r);
  r->state += seed;
  nn_rng_u32(r);
}

uint32_t nn_rng_u32(nn_rng *r) {
  uint64_t old = r->state;
  r->state = old * PCG_MULT + r->inc;
  uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
  uint32_t rot = (uint32_t)(old >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

double nn_rng_uniform(nn_rng *r) {
  uint64_t hi = nn_rng_u32(r) >> 5, lo = nn_rng_u32(r) >> 6; /* 27 + 26 bits */
  return ((double)hi * 67108864.0 + (double)lo) / 9007199254740992.0;
}

double nn_rng_normal(nn_rng *r) {
  double u1 = nn_rng_uniform(r), u2 = nn_rng_uniform(r);
  if (u1 < 1e-300) u1 = 1e-300; /* log(0) guard; probability 2^-53 */
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

uint32_t nn_rng_below(nn_rng *r, uint32_t n) {
  /* Lemire-free rejection: drop the biased low range. */
  uint32_t threshold = (uint32_t)(-n) % n;
  for (;;) {
    uint32_t x = nn_rng_u32(r);
    if (x >= threshold) return x % n;
  }
}

nn_rng *nn_global_rng(void) {
  if (!global_ready) nn_seed(0);
  return &global_rng;
}

void nn_seed(uint64_t seed) {
  nn_rng_seed(&global_rng, seed);
  global_seed = seed;
  global_ready = 1;
}

uint64_t nn_current_seed(void) {
  if (!global_ready) nn_seed(0);
  return global_seed;
}

static int fill_with(nn_tensor *t, double a, double b, int normal) {
  NN_REQUIRE(t->dtype == NN_F32, "random fill needs a float tensor");
  nn_rng *r = nn_global_rng();
  nn_iter it;
  nn_iter_init(&it, t);
  float *base = t->storage ? t->storage->data : 0;
  for (int64_t o; (o = nn_iter_next(&it)) >= 0;)
    base[o] = (float)(normal ? a + b * nn_rng_normal(r)
                             : a + (b - a) * nn_rng_uniform(r));
  return NN_OK;
}

int nn_tensor_uniform(nn_tensor *t, double lo, double hi) {
  return fill_with(t, lo, hi, 0);
}

int nn_tensor_normal(nn_tensor *t, double mean, double std) {
  NN_REQUIRE(std >= 0, "standard deviation must be >= 0, got %g", std);
  return fill_with(t, mean, std, 1);
}

int nn_tensor_randperm(nn_tensor *t, int64_t n) {
  NN_REQUIRE(n >= 0 && n <= INT32_MAX, "permutation size %lld out of range",
             (long long)n);
  t->dtype = NN_I32;
  NN_TRY(nn_tensor_resize1(t, n));
  int32_t *p = nn_idata(t);
  for (int64_t i = 0; i < n; i++) p[i] = (int32_t)i;
  nn_rng *r = nn_global_rng();
  for (int64_t i = n - 1; i > 0; i--) {
    int64_t j = nn_rng_below(r, (uint32_t)(i + 1));
    int32_t tmp = p[i];
    p[i] = p[j];
    p[j] = tmp;
  }
  return NN_OK;
}
