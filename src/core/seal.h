/* Sealed files: nnsh's checkpoints carry a checksum of their content in an
 * HDF5 user block, checked before libhdf5 parses a byte of them.
 *
 * libhdf5 crashes or hangs on some damaged files (issue 14), so a damaged
 * checkpoint must be recognised without it.  A checkpoint is created with a
 * 512-byte user block (HDF5 then starts at offset 512; libhdf5, h5py and
 * MATLAB skip the block), and after the last write the block receives, as
 * plain text padded with NUL bytes:
 *
 *   NNSH-SEALED-HDF5 1\n
 *   bytes <decimal length of the content after the block>\n
 *   xxh64 <16 hex digits: XXH64, seed 0, of that content>\n
 *
 * so `head -c 100 model.h5` shows what it is.  Any damage after sealing (a
 * flipped bit anywhere, truncation, appended bytes) is then a clean error.
 */
#ifndef NN_SEAL_H
#define NN_SEAL_H

#define NN_SEAL_BYTES 512
#define NN_SEAL_MAGIC "NNSH-SEALED-HDF5 1\n"

/* Write the seal into the first NN_SEAL_BYTES of path, which must already
 * hold that many bytes of user block (nn_h5_create with a user block). */
int nn_seal_write(const char *path);

/* 1: sealed and intact (the file is then trusted by the HDF5 guard, see
 * h5io.h); 0: no seal (not a sealed file, or its first bytes are gone);
 * NN_ERR: sealed but damaged, with a message
 *   "checkpoint X is damaged: checksum mismatch" (or: truncated, ...). */
int nn_seal_check(const char *path);

#endif
