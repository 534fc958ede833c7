/* HDF5 writing: tensors and string lists as datasets, replacing old ones,
 * creating intermediate groups, optional gzip.  See h5io.h. */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "h5io_internal.h"

#define FIXED_STRING_MAX 256 /* longer strings go variable-length */
#define CHUNK_BYTES (1 << 20)

/* Check that every existing parent of `name` is a group and remove an
 * existing dataset `name`; missing parents are created later. */
static int prepare_name(hid_t f, const char *path, const char *name) {
  char buf[1024];
  size_t n = strlen(name);
  if (n >= sizeof buf) return nn_seterror("dataset name too long for %s", path);
  memcpy(buf, name, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != '\0') continue;
    char c = buf[i];
    buf[i] = '\0';
    htri_t e = H5Lexists(f, buf, H5P_DEFAULT);
    if (e <= 0) { /* not there: it and what follows will be created */
      H5Eclear2(H5E_DEFAULT);
      return NN_OK;
    }
    hid_t obj = H5Oopen(f, buf, H5P_DEFAULT);
    if (obj < 0) return h5_fail("cannot open '%s' in %s", buf, path);
    H5I_type_t type = H5Iget_type(obj);
    h5_close(obj);
    if (c == '/' && type != H5I_GROUP)
      return nn_seterror("cannot write '%s' in %s: '%s' is not a group", name, path, buf);
    if (c == '\0') {
      if (type != H5I_DATASET)
        return nn_seterror("cannot write '%s' in %s: it exists and is not a dataset",
                           name, path);
      if (H5Ldelete(f, name, H5P_DEFAULT) < 0)
        return h5_fail("cannot replace '%s' in %s", name, path);
    }
    buf[i] = c;
  }
  return NN_OK;
}

/* Chunks of about CHUNK_BYTES: whole trailing dims, shrinking the leading
 * ones first (rows of a data matrix stay together). */
static void chunk_dims(int ndim, const hsize_t *dims, size_t elsize, hsize_t *chunk) {
  double bytes = (double)elsize;
  for (int d = 0; d < ndim; d++) {
    chunk[d] = dims[d] ? dims[d] : 1;
    bytes *= (double)chunk[d];
  }
  for (int d = 0; d < ndim && bytes > CHUNK_BYTES; d++) {
    double rest = bytes / (double)chunk[d];
    hsize_t c = (hsize_t)(CHUNK_BYTES / rest);
    chunk[d] = c ? c : 1;
    bytes = rest * (double)chunk[d];
  }
}

/* Open (creating) the file, clear the name and create the dataset.  On
 * success *file and the returned dataset id are open. */
static hid_t create_dataset(hid_t *file, const char *path, const char *name,
                            hid_t ftype, int ndim, const int64_t *size,
                            size_t elsize, int compress, int checksum) {
  hid_t f = -1, space = -1, lcpl = -1, dcpl = -1, ds = -1;
  hsize_t dims[NN_H5_MAXRANK], chunk[NN_H5_MAXRANK];
  int64_t numel = 1;
  for (int d = 0; d < ndim; d++) numel *= size[d], dims[d] = (hsize_t)size[d];
  if ((f = h5_open_write(path)) < 0 || prepare_name(f, path, name) != NN_OK) goto done;
  space = ndim ? H5Screate_simple(ndim, dims, NULL) : H5Screate(H5S_SCALAR);
  lcpl = H5Pcreate(H5P_LINK_CREATE);
  dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (space < 0 || lcpl < 0 || dcpl < 0 || H5Pset_create_intermediate_group(lcpl, 1) < 0) {
    h5_fail("cannot write '%s' to %s", name, path);
    goto done;
  }
  if ((compress > 0 || checksum) && ndim > 0 && numel > 0) {
    if (compress > 0 && H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0) {
      nn_seterror("cannot write '%s' to %s: this HDF5 has no gzip filter", name, path);
      goto done;
    }
    chunk_dims(ndim, dims, elsize, chunk);
    if (H5Pset_chunk(dcpl, ndim, chunk) < 0 ||
        (compress > 0 && H5Pset_deflate(dcpl, (unsigned)compress) < 0) ||
        (checksum && H5Pset_fletcher32(dcpl) < 0)) {
      h5_fail("cannot set up compression for '%s' in %s", name, path);
      goto done;
    }
  }
  ds = H5Dcreate2(f, name, ftype, space, lcpl, dcpl, H5P_DEFAULT);
  if (ds < 0) h5_fail("cannot create dataset '%s' in %s", name, path);
done:
  h5_close(space);
  h5_close(lcpl);
  h5_close(dcpl);
  if (ds < 0) {
    h5_close(f);
    f = -1;
  }
  *file = f;
  return ds;
}

/* Write the buffer; on failure remove the half-written dataset. */
static int write_or_unlink(hid_t f, hid_t ds, hid_t mem, const void *buf,
                           int64_t numel, const char *path, const char *name) {
  if (numel == 0 || H5Dwrite(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0)
    return NN_OK;
  h5_fail("cannot write '%s' to %s", name, path);
  H5Ldelete(f, name, H5P_DEFAULT);
  H5Eclear2(H5E_DEFAULT);
  return NN_ERR;
}

int nn_h5_write(const char *path, const char *name, const nn_tensor *t, int compress) {
  return nn_h5_write_ex(path, name, t, compress, 0);
}

int nn_h5_write_ex(const char *path, const char *name, const nn_tensor *t, int compress,
                   int checksum) {
  h5_init();
  const char *n = h5_strip(name);
  NN_REQUIRE(n, "empty dataset name for %s", path);
  NN_REQUIRE(compress >= 0 && compress <= 9, "compression level must be 0..9, got %d",
             compress);
  nn_tensor c;
  nn_tensor_init(&c, t->dtype);
  int32_t *shifted = NULL;
  hid_t f = -1, ds = -1;
  int rc = NN_ERR;
  int64_t numel = nn_tensor_numel(t);
  if (nn_tensor_contiguous(&c, t) != NN_OK) goto done;
  const void *buf = c.storage ? (const float *)c.storage->data + c.offset : NULL;
  if (t->dtype == NN_I32 && numel > 0) {
    /* C indices are 0-based, index datasets 1-based. */
    const int32_t *p = nn_idata(&c);
    if (!(shifted = malloc((size_t)numel * sizeof *shifted))) {
      nn_seterror("out of memory writing '%s' to %s", n, path);
      goto done;
    }
    for (int64_t i = 0; i < numel; i++) {
      if (p[i] < 0 || p[i] == INT32_MAX) {
        nn_seterror("cannot write '%s' to %s: index tensor holds %d (C, 0-based) at "
                    "flat position %lld, not a valid index", n, path, p[i],
                    (long long)i + 1);
        goto done;
      }
      shifted[i] = p[i] + 1;
    }
    buf = shifted;
  }
  hid_t ftype = t->dtype == NN_F32 ? H5T_IEEE_F32LE : H5T_STD_I32LE;
  hid_t mem = t->dtype == NN_F32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_INT32;
  if ((ds = create_dataset(&f, path, n, ftype, t->ndim, t->size, 4, compress, checksum)) < 0)
    goto done;
  rc = write_or_unlink(f, ds, mem, buf, numel, path, n);
done:
  h5_close(ds);
  h5_close_written(f, path);
  free(shifted);
  nn_tensor_free(&c);
  return rc;
}

int nn_h5_write_strings(const char *path, const char *name, const char *const *s,
                        const size_t *len, int64_t n, int compress) {
  h5_init();
  const char *nm = h5_strip(name);
  NN_REQUIRE(nm, "empty dataset name for %s", path);
  NN_REQUIRE(compress >= 0 && compress <= 9, "compression level must be 0..9, got %d",
             compress);
  size_t maxlen = 1;
  for (int64_t i = 0; i < n; i++) maxlen = len[i] > maxlen ? len[i] : maxlen;
  int fixed = maxlen <= FIXED_STRING_MAX;
  hid_t f = -1, ds = -1, type = H5Tcopy(H5T_C_S1);
  int rc = NN_ERR;
  char *fbuf = NULL;
  if (type < 0 || H5Tset_size(type, fixed ? maxlen : H5T_VARIABLE) < 0 ||
      H5Tset_cset(type, H5T_CSET_UTF8) < 0 ||
      (fixed && H5Tset_strpad(type, H5T_STR_NULLPAD) < 0)) {
    h5_fail("cannot write '%s' to %s", nm, path);
    goto done;
  }
  const void *buf = s;
  if (fixed && n > 0) {
    if (!(fbuf = calloc((size_t)n, maxlen))) {
      nn_seterror("out of memory writing '%s' to %s", nm, path);
      goto done;
    }
    for (int64_t i = 0; i < n; i++) memcpy(fbuf + (size_t)i * maxlen, s[i], len[i]);
    buf = fbuf;
  }
  int64_t size[1] = {n};
  size_t elsize = fixed ? maxlen : sizeof(hvl_t);
  if ((ds = create_dataset(&f, path, nm, type, 1, size, elsize, compress, 0)) < 0) goto done;
  rc = write_or_unlink(f, ds, type, buf, n, path, nm);
done:
  h5_close(ds);
  h5_close_written(f, path);
  h5_close(type);
  free(fbuf);
  return rc;
}
