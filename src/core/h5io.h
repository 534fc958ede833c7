/* HDF5 files: datasets as tensors or strings, attributes, listing.
 *
 * Every function opens the file, does its work and closes every HDF5 id it
 * opened before returning, on success and on error alike, so a failed call
 * leaks nothing and leaves no file handle open (nn_h5_open_ids() counts what
 * is open, for tests).  HDF5's own error-stack printing is switched off; a
 * failure returns NN_ERR with a message (nn_lasterror()) naming the file and
 * the dataset and, when HDF5 reported one, its innermost reason, e.g.
 *   no dataset 'foo' in data/data2.h5 (datasets: testd, testx, ...)
 *   data/x.h5 is not an HDF5 file
 *   cannot open data/t.h5: truncated file: eof = 1024, ...
 *
 * Dataset names are paths from the root group: "trainx",
 * "model/layer1/weight" (a leading '/' is ignored).
 *
 * Element types (the index convention):
 *   Index tensors (NN_I32) hold 0-based values in C.  Index datasets in
 *   files are 1-based, the course convention (data2.h5's word indices are
 *   1..250).  So reading an index dataset stores (value - 1) and writing an
 *   NN_I32 tensor stores (value + 1): the file, the Lua side (which adds 1
 *   when showing an index tensor) and h5py users all see the same 1-based
 *   numbers, and read(write(t)) gives t back.
 *
 *   nn_h5_read() chooses the tensor dtype from the dataset type and `as`:
 *     NN_H5_AS_DEFAULT: float datasets (any width)          -> NN_F32
 *                       integers of 32 or 64 bits           -> NN_I32 index
 *                       integers of 8 or 16 bits            -> NN_F32
 *       (word indices are int32; uint8 pixels, uint8 one-hot or 0/1 labels
 *        are plain numbers, not indices)
 *     NN_H5_AS_FLOAT:   any numeric dataset                 -> NN_F32
 *     NN_H5_AS_INDEX:   any integer dataset                 -> NN_I32 index
 *                       (a float dataset is an error)
 *   An index read fails when a value is < 1 (not a 1-based index; read it
 *   with NN_H5_AS_FLOAT) or does not fit int32.  Conversions between widths
 *   are done by HDF5 inside the single H5Dread into the tensor's buffer; a
 *   value out of the destination's range is an error, not a silent clip.
 *
 *   String datasets (fixed-length, e.g. numpy 'S10', or variable-length)
 *   are read with nn_h5_read_strings(); padding (trailing NULs, or spaces
 *   for space-padded types) is stripped.
 *
 * Writing creates the file when it does not exist (an existing file that is
 * not HDF5 is never overwritten), creates the intermediate groups of the
 * name, and replaces an existing dataset of that name.  HDF5 does not
 * reclaim the space of a replaced dataset: the file keeps its old size
 * (write a fresh file, e.g. through atomic_file.h, to compact it).
 */
#ifndef NN_H5IO_H
#define NN_H5IO_H

#include <stddef.h>
#include <stdint.h>

#include "tensor.h"

#define NN_H5_MAXRANK 32 /* HDF5's own limit (H5S_MAX_RANK) */

typedef enum { NN_H5_AS_DEFAULT = 0, NN_H5_AS_FLOAT, NN_H5_AS_INDEX } nn_h5_as;

typedef enum {
  NN_H5_FLOAT,  /* IEEE float of `bits` width */
  NN_H5_INT,    /* signed integer */
  NN_H5_UINT,   /* unsigned integer */
  NN_H5_STRING, /* fixed- or variable-length string */
  NN_H5_OTHER   /* compound, enum, opaque, ...: not readable */
} nn_h5_class;

/* What a dataset holds. */
typedef struct nn_h5_dsinfo {
  char *name;         /* path from the root, no leading '/' (lists only) */
  nn_h5_class cls;
  int bits;           /* element width of numeric classes */
  char type[24];      /* "float32", "int32", "uint8", "string", "bool", "compound"... */
  int ndim;           /* 0 for a scalar dataset */
  int64_t size[NN_H5_MAXRANK];
} nn_h5_dsinfo;

typedef struct nn_h5_dslist {
  int n;
  nn_h5_dsinfo *items; /* sorted by name (strcmp) */
} nn_h5_dslist;

/* A string dataset: n strings of byte length len[i] (each also
 * NUL-terminated), in row-major order of its shape. */
typedef struct nn_h5_strings {
  int64_t n;
  char **s;
  size_t *len;
  int ndim;
  int64_t size[NN_H5_MAXRANK];
} nn_h5_strings;

/* --- reading ------------------------------------------------------------- */

/* Every dataset of the file, recursively through groups.  Free the result
 * with nn_h5_list_free (also safe after a failed call). */
int nn_h5_list(nn_h5_dslist *out, const char *path);
void nn_h5_list_free(nn_h5_dslist *l);

/* Type and shape of one dataset (info->name is left NULL). */
int nn_h5_info(nn_h5_dsinfo *info, const char *path, const char *name);

/* t becomes a contiguous tensor of the dataset's shape, dtype chosen by
 * `as` (see above; t is re-initialised when its dtype differs).  A scalar
 * dataset gives a 0-dim tensor.  At most NN_MAXDIM dims. */
int nn_h5_read(nn_tensor *t, const char *path, const char *name, nn_h5_as as);

/* The strings of a string dataset.  Free with nn_h5_strings_free (also safe
 * after a failed call). */
int nn_h5_read_strings(nn_h5_strings *out, const char *path, const char *name);
void nn_h5_strings_free(nn_h5_strings *s);

/* --- writing ------------------------------------------------------------- */

/* Write t as dataset `name`: NN_F32 as float32, NN_I32 as int32 holding the
 * 1-based values (stored value = C value + 1).  compress: 0 = none, 1..9 =
 * gzip level (chunks of about 1 MB). */
int nn_h5_write(const char *path, const char *name, const nn_tensor *t,
                int compress);

/* Write n strings (byte lengths len) as a 1-d string dataset: fixed-length
 * NUL-padded when the longest is at most 256 bytes (as numpy 'S'), else
 * variable-length.  Trailing NUL bytes of a string do not survive
 * fixed-length storage; variable-length storage ends a string at its first
 * NUL. */
int nn_h5_write_strings(const char *path, const char *name,
                        const char *const *s, const size_t *len, int64_t n,
                        int compress);

/* --- attributes ------------------------------------------------------------ */

typedef enum {
  NN_H5_ATTR_INT,    /* integers, as int64 */
  NN_H5_ATTR_FLOAT,  /* floats, as double */
  NN_H5_ATTR_BOOL,   /* h5py's bool enum (FALSE=0, TRUE=1), as int64 0/1 */
  NN_H5_ATTR_STRING, /* strings */
  NN_H5_ATTR_OTHER   /* a type nnsh does not read; `type` names it */
} nn_h5_attr_kind;

/* One attribute value: a scalar (scalar = 1, n = 1) or a flat array of n
 * values in row-major order.  Exactly one of i, f, s is used (by kind). */
typedef struct nn_h5_attr {
  char *name;
  nn_h5_attr_kind kind;
  int scalar;
  int64_t n;
  int64_t *i;  /* INT, BOOL */
  double *f;   /* FLOAT */
  char **s;    /* STRING: n NUL-terminated strings */
  size_t *len; /* STRING: their byte lengths */
  char type[24];
} nn_h5_attr;

typedef struct nn_h5_attrs {
  int n;
  nn_h5_attr *items; /* sorted by name */
} nn_h5_attrs;

/* All attributes of object `objname` (a group or dataset path; NULL, "" or
 * "/" for the root group).  Free with nn_h5_attrs_free (safe after an error). */
int nn_h5_attrs_read(nn_h5_attrs *out, const char *path, const char *objname);
void nn_h5_attrs_free(nn_h5_attrs *a);

/* Set attribute `key` of object `objname` (NULL/""/"/" = root; the file
 * must exist, the object too) to value (its name field is ignored),
 * replacing any previous attribute of that name.  INT -> int64, FLOAT ->
 * float64, BOOL -> h5py's bool enum, STRING -> variable-length UTF-8
 * strings (no size limit: the text lives in the file's heap).  A string
 * ends at its first NUL.  Numeric arrays over 64 KB need the HDF5 1.8 file
 * format, which files created by nn_h5_write have; files in the older
 * format (h5py's default) refuse them with a message. */
int nn_h5_setattr(const char *path, const char *objname, const char *key,
                  const nn_h5_attr *value);

/* --- files created for sealing, checksummed data ------------------------ */

/* Create (or truncate) path as an empty HDF5 file in the latest file
 * format (checksummed metadata) with a user block of `userblock` bytes
 * (0, or a power of two >= 512; seal.h writes into it). */
int nn_h5_create(const char *path, int userblock);

/* nn_h5_write with, when checksum is set, a Fletcher32 checksum on every
 * chunk of the data (libhdf5 verifies it on reading; scalars, which cannot
 * be chunked, go without). */
int nn_h5_write_ex(const char *path, const char *name, const nn_tensor *t,
                   int compress, int checksum);

/* --- the guard against libhdf5 crashes and hangs (h5io_guard.c) ----------- */

/* Every function above that opens an existing file calls nn_h5_guard
 * first: unless the file is trusted, a forked child reads all of it; a
 * crash or hang there is NN_ERR with a message naming the file:
 *   libhdf5 crashed (Segmentation fault) reading x.h5, reading dataset 'w':
 *   the file is malformed
 * A file that passed, or that nnsh wrote (nn_h5_write and friends call
 * nn_h5_trust after closing it), is trusted until it changes. */
int nn_h5_guard(const char *path);
/* write = 1: also try a write like h5.write's on a copy in the child, for
 * a file about to be modified (h5_open_rdwr).  Files nnsh wrote need none. */
int nn_h5_guard_mode(const char *path, int write);
void nn_h5_trust(const char *path);
/* Copy HDF5 file src (checked by the guard) to dst, which is then trusted
 * like src: how an atomic update of a file starts.  No src: nothing. */
int nn_h5_copy(const char *src, const char *dst);

/* Number of HDF5 objects (files, groups, datasets, ...) currently open in
 * this process: 0 between calls. */
int nn_h5_open_ids(void);

/* Hold a file open for reading across calls: until it is released, every
 * read of the same file (same device and inode, whatever the path's
 * spelling) reuses the open file instead of opening it again, which costs
 * libhdf5 a new metadata cache each time (nn.load reads a checkpoint
 * dataset by dataset).  The file is opened as every read opens it (the
 * checks, the guard of files nnsh did not write).  Holds of one file
 * nest; a file replaced since is opened anew; writing a held file fails
 * until it is released.  Returns a handle >= 0 for nn_h5_release, or NN_ERR.
 * At most 8 files are held at once. */
int nn_h5_hold(const char *path);
void nn_h5_release(int hold);

#endif
