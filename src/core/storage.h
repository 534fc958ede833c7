/* Reference-counted flat buffers that tensors view.
 *
 * A storage is a 64-byte aligned block of `size` 4-byte elements (float32 or
 * int32: both dtypes are 4 bytes wide, so a storage does not care which).
 * Views (narrow, select, transpose, reshape) share one storage and bump its
 * refcount; the last release frees it.  nn_storage_bytes_live() lets the Lua
 * bindings tell the garbage collector about memory it cannot see.
 */
#ifndef NN_STORAGE_H
#define NN_STORAGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct nn_storage {
  void *data;     /* 64-byte aligned, size*4 bytes */
  int64_t size;   /* elements */
  int refcount;
} nn_storage;

/* Most elements a storage may hold: its byte size fits any int64/size_t
 * arithmetic done on it. */
#define NN_STORAGE_MAX ((uint64_t)1 << 60)
/* Zero-filled; NULL with the nn error set when size is out of range, larger
 * than the machine's physical memory, or the allocation fails. */
nn_storage *nn_storage_new(int64_t size);
void nn_storage_retain(nn_storage *s);
void nn_storage_release(nn_storage *s);   /* NULL-safe */

/* Bytes currently held by all storages, and allocated in total since start. */
int64_t nn_storage_bytes_live(void);
int64_t nn_storage_bytes_allocated(void);

#endif
