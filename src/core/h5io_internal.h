/* Shared helpers of the h5io files (not a public API); h5io_open.c holds
 * most of them.
 *
 * Error discipline: a helper that fails has already set the nn error message
 * and returns a negative id or NN_ERR; h5_fail() must be called right after
 * the failing HDF5 call, before any other HDF5 call clears the error stack.
 */
#ifndef NN_H5IO_INTERNAL_H
#define NN_H5IO_INTERNAL_H

#include <hdf5.h>

#include "h5io.h"

/* HDF5 >= 1.12 passes H5L_info2_t to link iteration callbacks. */
#if H5_VERSION_GE(1, 12, 0)
typedef H5L_info2_t nn_h5_linfo;
#else
typedef H5L_info_t nn_h5_linfo;
#endif

/* Switch off HDF5's error printing (once). Every entry point calls it. */
void h5_init(void);

/* Set the nn error to the formatted message followed by HDF5's innermost
 * error description, if any, then clear HDF5's error stack. NN_ERR. */
int h5_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prefix the current nn error message: "<formatted>: <message>". NN_ERR. */
int h5_prefix_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Close any id (file, group, dataset, type, space, plist, attribute);
 * negative ids are ignored. */
void h5_close(hid_t id);

/* Open an existing HDF5 file read-only / read-write, with messages for a
 * missing file, a non-HDF5 file and a corrupt or truncated one. */
hid_t h5_open_read(const char *path);
hid_t h5_open_rdwr(const char *path);
/* Read-write, creating the file when it does not exist. */
hid_t h5_open_write(const char *path);

/* Close a file nnsh has written to and trust it (see nn_h5_guard). */
void h5_close_written(hid_t f, const char *path);

/* name without leading '/'s; NULL when nothing is left. */
const char *h5_strip(const char *name);

/* Open dataset `name`; messages for a missing name (listing the file's
 * datasets) and for a name that is a group. */
hid_t h5_open_dataset(hid_t file, const char *path, const char *name);

/* Open object `name` (group or dataset; NULL/""/"/" is the root group). */
hid_t h5_open_object(hid_t file, const char *path, const char *name);

/* Describe an HDF5 datatype: class, bit width, printable name. */
void h5_classify(hid_t type, nn_h5_class *cls, int *bits, char *name, size_t n);

/* h5py's bool type: an enum of two members named FALSE and TRUE. */
int h5_is_bool_enum(hid_t type);

/* Longest fixed-length string element read (longer ones are "other"). */
#define NN_H5_MAX_FIXED_STRING (1 << 20)
/* Most bytes of data a file may expand to per byte of file: deflate tops
 * out near 1032:1. */
#define NN_H5_MAX_RATIO 1100

/* Refuse reading numel elements of elsize bytes (`what`, e.g. "dataset
 * 'x'") when that is more than the file could hold even compressed: a
 * damaged or hostile header then costs a message, not a huge allocation. */
int h5_check_extent(hid_t file, int64_t numel, size_t elsize, const char *path,
                    const char *what);

/* Name of the file holding obj (static buffer), for messages. */
const char *h5_file_name(hid_t obj);

/* Shape of a dataspace into info (ndim, size). NN_ERR over NN_H5_MAXRANK or
 * when the element count does not fit int64. */
int h5_shape(hid_t space, int *ndim, int64_t *size);

/* Type and shape of an open dataset (info->name untouched). */
int h5_describe(hid_t ds, nn_h5_dsinfo *info);

/* Every dataset of an open file, sorted (see nn_h5_list). */
int h5_collect(hid_t file, nn_h5_dslist *out);

/* Transfer property list whose conversion callback aborts H5Dread/H5Aread
 * on a value out of the destination type's range, setting *overflow. */
hid_t h5_dxpl_checked(int *overflow);

/* Read the strings of a string dataset or attribute (is_attr) of type
 * ftype, n elements, into out->s / out->len. */
int h5_read_strings(hid_t obj, int is_attr, hid_t ftype, hid_t space,
                    int64_t n, char ***s, size_t **len);

#endif
