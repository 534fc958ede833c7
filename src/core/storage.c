#include "storage.h"

#include <stdlib.h>
#include <string.h>

static int64_t bytes_live, bytes_allocated;

nn_storage *nn_storage_new(int64_t size) {
  nn_storage *s = malloc(sizeof *s);
  if (!s) return NULL;
  size_t bytes = (size_t)(size > 0 ? size : 1) * 4;
  size_t rounded = (bytes + 63) & ~(size_t)63;
  s->data = aligned_alloc(64, rounded);
  if (!s->data) {
    free(s);
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
