/* XXH64, the 64-bit xxHash of Yann Collet's specification, written from
 * the algorithm's description: a fast non-cryptographic checksum that
 * detects any accidental damage of a file (bit flips, truncation, a block
 * of zeros) with probability 1 - 2^-64.  nnsh seals its checkpoints with it
 * (seal.h).  Output equals the reference implementation's XXH64(p, n, seed),
 * checked in tests/c/test_checksum.c.
 *
 * Streaming use: nn_xxh64_init, any number of nn_xxh64_update, then
 * nn_xxh64_final (the state may be updated further after final). */
#ifndef NN_CHECKSUM_H
#define NN_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

typedef struct nn_xxh64_state {
  uint64_t v[4];      /* the four lane accumulators */
  uint64_t total;     /* bytes hashed so far */
  uint64_t seed;
  unsigned char buf[32];
  size_t nbuf;        /* bytes waiting in buf (< 32) */
} nn_xxh64_state;

void nn_xxh64_init(nn_xxh64_state *s, uint64_t seed);
void nn_xxh64_update(nn_xxh64_state *s, const void *p, size_t n);
uint64_t nn_xxh64_final(const nn_xxh64_state *s);

/* One-shot. */
uint64_t nn_xxh64(const void *p, size_t n, uint64_t seed);

#endif
