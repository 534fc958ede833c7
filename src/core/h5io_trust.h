/* Trusted HDF5 files (h5io_guard.c): identities (device, inode, size,
 * mtime) of files that passed the guard's child check or that nnsh wrote
 * or verified (seal.h), in memory for the session and in a cache file
 * across sessions.  Kept apart from the guard, which needs libhdf5, so
 * that seal.c (in the core nnsh links) can record trust while libhdf5 is
 * not loaded yet (nnsh loads it on first use). */
#ifndef NN_H5IO_TRUST_H
#define NN_H5IO_TRUST_H

#include <sys/types.h>
#include <time.h>

typedef struct {
  dev_t dev;
  ino_t ino;
  off_t size;
  struct timespec mtime;
  int writable; /* also checked for writing (or written by nnsh) */
} nn_h5_file_id;

int nn_h5_identify(const char *path, nn_h5_file_id *id); /* 0 when stat fails */
/* 0: not trusted; 1: for reading; 2: for reading and writing. */
int nn_h5_trust_level(const nn_h5_file_id *id);
void nn_h5_remember(const nn_h5_file_id *id);
/* Files the child failed on: their message, or NULL. */
const char *nn_h5_condemned_msg(const nn_h5_file_id *id);
int nn_h5_condemn(const nn_h5_file_id *id); /* records nn_lasterror(); NN_ERR */
int nn_h5_cache_has(const nn_h5_file_id *id);
void nn_h5_cache_add(const nn_h5_file_id *id);
/* Trust path as it is now, for reading and writing (nnsh wrote it). */
void nn_h5_trust(const char *path);

#endif
