#include "seal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "checksum.h"
#include "error.h"
#include "h5io_trust.h"

/* XXH64 of the bytes of f from offset NN_SEAL_BYTES to the end; *n gets
 * their count. */
static int hash_content(FILE *f, const char *path, uint64_t *h, uint64_t *n) {
  static unsigned char buf[1 << 16];
  nn_xxh64_state s;
  nn_xxh64_init(&s, 0);
  if (fseek(f, NN_SEAL_BYTES, SEEK_SET) != 0)
    return nn_seterror("cannot read %s: %s", path, strerror(errno));
  size_t got;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0) nn_xxh64_update(&s, buf, got);
  if (ferror(f)) return nn_seterror("cannot read %s: %s", path, strerror(errno));
  *h = nn_xxh64_final(&s);
  *n = s.total;
  return NN_OK;
}

int nn_seal_write(const char *path) {
  FILE *f = fopen(path, "r+b");
  if (!f) return nn_seterror("cannot seal %s: %s", path, strerror(errno));
  char block[NN_SEAL_BYTES];
  uint64_t h = 0, n = 0;
  int rc = hash_content(f, path, &h, &n);
  if (rc == NN_OK) {
    memset(block, 0, sizeof block);
    snprintf(block, sizeof block, "%sbytes %" PRIu64 "\nxxh64 %016" PRIx64 "\n",
             NN_SEAL_MAGIC, n, h);
    if (fseek(f, 0, SEEK_SET) != 0 || fwrite(block, 1, sizeof block, f) != sizeof block)
      rc = nn_seterror("cannot seal %s: %s", path, strerror(errno));
  }
  if (fclose(f) != 0 && rc == NN_OK) rc = nn_seterror("cannot seal %s: %s", path, strerror(errno));
  if (rc == NN_OK) nn_h5_trust(path);
  return rc;
}

int nn_seal_check(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return nn_seterror("cannot open %s: %s", path, strerror(errno));
  char block[NN_SEAL_BYTES + 1];
  size_t got = fread(block, 1, NN_SEAL_BYTES, f);
  block[got] = '\0';
  size_t m = strlen(NN_SEAL_MAGIC);
  if (got < m || memcmp(block, NN_SEAL_MAGIC, m) != 0) {
    fclose(f);
    return 0;
  }
  int rc;
  uint64_t want_n, want_h, n = 0, h = 0;
  if (got < NN_SEAL_BYTES ||
      sscanf(block + m, "bytes %" SCNu64 "\nxxh64 %" SCNx64, &want_n, &want_h) != 2) {
    rc = nn_seterror("checkpoint %s is damaged: its checksum block is unreadable", path);
  } else if ((rc = hash_content(f, path, &h, &n)) == NN_OK) {
    if (n != want_n)
      rc = nn_seterror("checkpoint %s is damaged: %" PRIu64 " bytes of content where the "
                       "checksum covers %" PRIu64 " (%s)", path, n, want_n,
                       n < want_n ? "truncated" : "bytes appended");
    else if (h != want_h)
      rc = nn_seterror("checkpoint %s is damaged: checksum mismatch", path);
    else
      rc = 1;
  }
  fclose(f);
  if (rc == 1) nn_h5_trust(path);
  return rc;
}
