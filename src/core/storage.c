#include "storage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

static int64_t bytes_live, bytes_allocated;

/* Physical memory of the machine in bytes (0 when unknown). */
static uint64_t physical_bytes(void) {
  static uint64_t cached;
  if (!cached) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    if (pages > 0 && page > 0) cached = (uint64_t)pages * (uint64_t)page;
  }
  return cached;
}

/* MemAvailable of /proc/meminfo in bytes (0 when unknown). */
static uint64_t available_bytes(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  if (!f) return 0;
  char line[128];
  unsigned long long kb = 0;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) break;
  fclose(f);
  return (uint64_t)kb * 1024;
}

static void format_bytes(char *buf, size_t n, double b) {
  const char *unit[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  int u = 0;
  while (b >= 1024 && u < 6) b /= 1024, u++;
  snprintf(buf, n, u ? "%.1f %s" : "%.0f %s", b, unit[u]);
}

nn_storage *nn_storage_new(int64_t size) {
  char want[32], have[32];
  if (size < 0 || (uint64_t)size > NN_STORAGE_MAX) {
    nn_seterror("cannot allocate %lld elements: more than the %lld a tensor may hold",
                (long long)size, (long long)NN_STORAGE_MAX);
    return NULL;
  }
  size_t bytes = (size_t)(size > 0 ? size : 1) * 4;
  size_t rounded = (bytes + 63) & ~(size_t)63;
  /* With overcommit, a block larger than the machine may be "allocated"
   * and the zero-fill below gets the process killed: refuse it here. */
  uint64_t phys = physical_bytes();
  if (phys && (uint64_t)rounded > phys) {
    format_bytes(want, sizeof want, (double)rounded);
    format_bytes(have, sizeof have, (double)phys);
    nn_seterror("cannot allocate %s for %lld elements: the machine has %s of memory",
                want, (long long)size, have);
    return NULL;
  }
  /* Above 1 GiB, also against what the kernel says is available now: the
   * zero-fill of a block that fits the machine but not its free memory
   * would bring the OOM killer instead of an error. */
  uint64_t avail = rounded >= (1u << 30) ? available_bytes() : 0;
  if (avail && (uint64_t)rounded > avail) {
    format_bytes(want, sizeof want, (double)rounded);
    format_bytes(have, sizeof have, (double)avail);
    nn_seterror("cannot allocate %s for %lld elements: only %s of memory is available",
                want, (long long)size, have);
    return NULL;
  }
  nn_storage *s = malloc(sizeof *s);
  if (s) s->data = aligned_alloc(64, rounded);
  if (!s || !s->data) {
    free(s);
    format_bytes(want, sizeof want, (double)rounded);
    nn_seterror("out of memory allocating %s for %lld elements", want, (long long)size);
    return NULL;
  }
  memset(s->data, 0, rounded);
  s->size = size;
  s->refcount = 1;
  bytes_live += (int64_t)rounded;
  bytes_allocated += (int64_t)rounded;
  return s;
}

void nn_storage_retain(nn_storage *s) { s->refcount++; }

void nn_storage_release(nn_storage *s) {
  if (!s || --s->refcount > 0) return;
  size_t bytes = (size_t)(s->size > 0 ? s->size : 1) * 4;
  bytes_live -= (int64_t)((bytes + 63) & ~(size_t)63);
  free(s->data);
  free(s);
}

int64_t nn_storage_bytes_live(void) { return bytes_live; }
int64_t nn_storage_bytes_allocated(void) { return bytes_allocated; }
