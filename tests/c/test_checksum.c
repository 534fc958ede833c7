/* nn_xxh64 against known values of the reference XXH64 and, where the
 * system has libxxhash (Debian libxxhash0), against the library itself on
 * random buffers of every length up to 300 (all tail paths) and in pieces
 * (streaming). */
#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "checksum.h"

typedef unsigned long long (*ref_fn)(const void *, size_t, unsigned long long);

int main(void) {
  /* Published values: XXH64 of "" with seed 0 and of "abc" with seed 0. */
  CHECK(nn_xxh64("", 0, 0) == 0xEF46DB3751D8E999ULL);
  CHECK(nn_xxh64("abc", 3, 0) == 0x44BC2CF5AD770999ULL);

  unsigned char buf[1000];
  uint32_t x = 12345;
  for (size_t i = 0; i < sizeof buf; i++) {
    x = x * 1664525u + 1013904223u;
    buf[i] = (unsigned char)(x >> 24);
  }
  /* Streaming in uneven pieces equals one shot. */
  for (size_t n = 0; n <= 300; n += 7) {
    nn_xxh64_state s;
    nn_xxh64_init(&s, 99);
    for (size_t i = 0; i < n; i += 5) nn_xxh64_update(&s, buf + i, n - i < 5 ? n - i : 5);
    CHECK(nn_xxh64_final(&s) == nn_xxh64(buf, n, 99));
  }
  /* Any one-bit flip changes the hash. */
  uint64_t h = nn_xxh64(buf, sizeof buf, 0);
  for (size_t bit = 0; bit < sizeof buf * 8; bit += 61) {
    buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    CHECK(nn_xxh64(buf, sizeof buf, 0) != h);
    buf[bit / 8] ^= (unsigned char)(1u << (bit % 8));
  }
  void *lib = dlopen("libxxhash.so.0", RTLD_NOW);
  ref_fn ref = lib ? (ref_fn)dlsym(lib, "XXH64") : NULL;
  if (ref) {
    for (size_t n = 0; n <= 300; n++)
      for (uint64_t seed = 0; seed < 3; seed++)
        CHECK(nn_xxh64(buf, n, seed) == ref(buf, n, seed));
    CHECK(nn_xxh64(buf, sizeof buf, 7) == ref(buf, sizeof buf, 7));
  } else {
    printf("test_checksum: libxxhash.so.0 not found; checked the known values only\n");
  }
  if (lib) dlclose(lib);
  return check_summary("test_checksum");
}
