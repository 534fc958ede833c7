/* HDF5 plumbing shared by the h5io files: errors turned into messages,
 * closing ids, opening files and objects with clear errors, describing
 * types and shapes.  See h5io_internal.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "error.h"
#include "h5io_internal.h"

/* --- errors and ids ----------------------------------------------------- */

void h5_init(void) {
  static int done;
  if (!done) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    done = 1;
  }
}

typedef struct {
  char desc[200];
} innermost_t;

static herr_t innermost_cb(unsigned n, const H5E_error2_t *e, void *data) {
  /* Walking upward, n == 0 is where HDF5 detected the problem: the most
   * specific text ("truncated file: eof = ...") rather than "unable to open". */
  if (n == 0 && e->desc) snprintf(((innermost_t *)data)->desc, 200, "%s", e->desc);
  return 0;
}

int h5_fail(const char *fmt, ...) {
  char msg[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  innermost_t w = {{0}};
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_cb, &w);
  H5Eclear2(H5E_DEFAULT);
  /* libhdf5's I/O failures read "file write failed: time = Wed Dec  2
   * ..., filename = ..., errno = 28, error message = ..., buf = 0x...":
   * keep the operating system's reason only. */
  const char *e = strstr(w.desc, "errno = ");
  if (e) {
    int code = atoi(e + 8);
    return nn_seterror("%s: %s", msg, code > 0 ? strerror(code) : "input/output error");
  }
  char *t = strstr(w.desc, "time = ");
  if (t) {
    while (t > w.desc && (t[-1] == ' ' || t[-1] == ',' || t[-1] == ':')) t--;
    *t = '\0';
  }
  if (w.desc[0]) return nn_seterror("%s: %s", msg, w.desc);
  return nn_seterror("%s", msg);
}

int h5_prefix_error(const char *fmt, ...) {
  char prefix[300], last[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  snprintf(last, sizeof last, "%s", nn_lasterror());
  return nn_seterror("%s: %s", prefix, last);
}

void h5_close(hid_t id) {
  if (id < 0) return;
  switch (H5Iget_type(id)) {
  case H5I_FILE: H5Fclose(id); break;
  case H5I_GROUP: H5Gclose(id); break;
  case H5I_DATASET: H5Dclose(id); break;
  case H5I_DATATYPE: H5Tclose(id); break;
  case H5I_DATASPACE: H5Sclose(id); break;
  case H5I_ATTR: H5Aclose(id); break;
  case H5I_GENPROP_LST: H5Pclose(id); break;
  default: break;
  }
}

int nn_h5_open_ids(void) {
  h5_init();
  /* Files, groups, datasets, attributes and committed types of all files;
   * H5F_OBJ_LOCAL so a file id is counted once. */
  ssize_t n = H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL | H5F_OBJ_LOCAL);
  return n < 0 ? -1 : (int)n;
}

/* --- opening files -------------------------------------------------------- */

static int check_accessible(const char *path, int mode, const char *what) {
  struct stat st;
  if (stat(path, &st) != 0)
    return nn_seterror("cannot open %s: %s", path, strerror(errno));
  if (S_ISDIR(st.st_mode))
    return nn_seterror("cannot open %s: is a directory", path);
  if (access(path, mode) != 0)
    return nn_seterror("cannot open %s %s: %s", path, what, strerror(errno));
  return NN_OK;
}

static hid_t open_existing(const char *path, unsigned flags) {
  if (check_accessible(path, flags == H5F_ACC_RDWR ? R_OK | W_OK : R_OK,
                       flags == H5F_ACC_RDWR ? "for writing" : "for reading"))
    return -1;
#if H5_VERSION_GE(1, 12, 0)
  htri_t is = H5Fis_accessible(path, H5P_DEFAULT);
#else
  htri_t is = H5Fis_hdf5(path);
#endif
  if (is <= 0) {
    /* No HDF5 signature in the file (or a file shorter than one). */
    H5Eclear2(H5E_DEFAULT);
    nn_seterror("%s is not an HDF5 file", path);
    return -1;
  }
  /* After the signature test (which reads a few bytes), before libhdf5
   * parses anything of a file it may crash on. */
  if (nn_h5_guard_mode(path, flags == H5F_ACC_RDWR) != NN_OK) return -1;
  hid_t f = H5Fopen(path, flags, H5P_DEFAULT);
  if (f < 0) h5_fail("cannot open %s (corrupt or truncated HDF5 file?)", path);
  return f;
}

/* Files held open by nn_h5_hold, found again by device and inode so that
 * another spelling of the path shares them and a file replaced since (a new
 * inode) does not. */
enum { MAX_HELD = 8 };
static struct {
  hid_t f;
  dev_t dev;
  ino_t ino;
  int refs;
} held[MAX_HELD];
static int nheld; /* slots with refs > 0 */

static int held_slot(const char *path) {
  struct stat st;
  if (nheld == 0 || stat(path, &st) != 0) return -1;
  for (int i = 0; i < MAX_HELD; i++)
    if (held[i].refs > 0 && held[i].dev == st.st_dev && held[i].ino == st.st_ino) return i;
  return -1;
}

hid_t h5_open_read(const char *path) {
  h5_init();
  int h = held_slot(path);
  if (h >= 0) {
    /* A new id on the held file: it shares the open file's metadata cache,
     * which building anew was most of the cost of opening (H5C_create). */
    hid_t f = H5Freopen(held[h].f);
    if (f >= 0) return f;
    H5Eclear2(H5E_DEFAULT);
  }
  return open_existing(path, H5F_ACC_RDONLY);
}

int nn_h5_hold(const char *path) {
  h5_init();
  int h = held_slot(path);
  if (h >= 0) {
    held[h].refs++;
    return h;
  }
  for (h = 0; h < MAX_HELD && held[h].refs > 0; h++) {}
  if (h == MAX_HELD) return nn_seterror("cannot hold %s open: %d files are held already", path, MAX_HELD);
  hid_t f = open_existing(path, H5F_ACC_RDONLY);
  if (f < 0) return NN_ERR;
  struct stat st;
  if (stat(path, &st) != 0) {
    H5Fclose(f);
    return nn_seterror("cannot open %s: %s", path, strerror(errno));
  }
  held[h].f = f;
  held[h].dev = st.st_dev;
  held[h].ino = st.st_ino;
  held[h].refs = 1;
  nheld++;
  return h;
}

void nn_h5_release(int hold) {
  if (hold < 0 || hold >= MAX_HELD || held[hold].refs <= 0) return;
  if (--held[hold].refs == 0) {
    H5Fclose(held[hold].f);
    held[hold].f = -1;
    nheld--;
  }
}

hid_t h5_open_rdwr(const char *path) {
  h5_init();
  return open_existing(path, H5F_ACC_RDWR);
}

hid_t h5_open_write(const char *path) {
  h5_init();
  struct stat st;
  if (stat(path, &st) == 0 || errno != ENOENT) return open_existing(path, H5F_ACC_RDWR);
  /* New files use the 1.8 format, whose dense attribute storage lifts the
   * 64 KB limit on an object's attributes. */
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl < 0 || H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST) < 0) {
    h5_fail("cannot create %s", path);
    h5_close(fapl);
    return -1;
  }
  hid_t f = H5Fcreate(path, H5F_ACC_EXCL, H5P_DEFAULT, fapl);
  if (f < 0) h5_fail("cannot create %s", path);
  h5_close(fapl);
  return f;
}

int nn_h5_create(const char *path, int userblock) {
  h5_init();
  NN_REQUIRE(userblock == 0 || (userblock >= 512 && !(userblock & (userblock - 1))),
             "user block of %s must be 0 or a power of two >= 512, got %d", path, userblock);
  NN_TRY(nn_mkdir_parents(path));
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS), fcpl = H5Pcreate(H5P_FILE_CREATE), f = -1;
  if (fapl < 0 || fcpl < 0 ||
      H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) < 0 ||
      (userblock && H5Pset_userblock(fcpl, (hsize_t)userblock) < 0) ||
      (f = H5Fcreate(path, H5F_ACC_TRUNC, fcpl, fapl)) < 0)
    h5_fail("cannot create %s", path);
  h5_close(fapl);
  h5_close(fcpl);
  if (f < 0) return NN_ERR;
  h5_close(f);
  nn_h5_trust(path);
  return NN_OK;
}

void h5_close_written(hid_t f, const char *path) {
  if (f < 0) return;
  h5_close(f);
  nn_h5_trust(path);
}

/* --- names and objects ------------------------------------------------- */

const char *h5_strip(const char *name) {
  if (!name) return NULL;
  while (*name == '/') name++;
  return *name ? name : NULL;
}

/* Does the link `name` exist, checking each parent first (H5Lexists fails
 * instead of answering "no" when a parent is missing)? */
static int link_exists(hid_t file, const char *name) {
  char buf[1024];
  size_t n = strlen(name);
  if (n >= sizeof buf) return 0;
  memcpy(buf, name, n + 1);
  for (size_t i = 1; i <= n; i++) {
    if (buf[i] != '/' && buf[i] != '\0') continue;
    char c = buf[i];
    buf[i] = '\0';
    htri_t e = H5Lexists(file, buf, H5P_DEFAULT);
    buf[i] = c;
    if (e <= 0) {
      H5Eclear2(H5E_DEFAULT);
      return 0;
    }
  }
  return 1;
}

static void missing_dataset(hid_t file, const char *path, const char *name) {
  char names[320] = "";
  nn_h5_dslist l = {0, NULL};
  if (h5_collect(file, &l) == NN_OK) {
    size_t used = 0;
    for (int i = 0; i < l.n; i++) {
      size_t k = strlen(l.items[i].name);
      if (used + k + 8 >= sizeof names) {
        strcpy(names + used, ", ...");
        break;
      }
      used += (size_t)snprintf(names + used, sizeof names - used, "%s%s",
                               i ? ", " : "", l.items[i].name);
    }
  }
  if (l.n == 0)
    nn_seterror("no dataset '%s' in %s (the file has no datasets)", name, path);
  else
    nn_seterror("no dataset '%s' in %s (datasets: %s)", name, path, names);
  nn_h5_list_free(&l);
}

static const char *kind_of(hid_t obj) {
  switch (H5Iget_type(obj)) {
  case H5I_GROUP: return "group";
  case H5I_DATASET: return "dataset";
  case H5I_DATATYPE: return "named datatype";
  default: return "object";
  }
}

hid_t h5_open_dataset(hid_t file, const char *path, const char *name) {
  const char *n = h5_strip(name);
  if (!n) {
    nn_seterror("empty dataset name for %s", path);
    return -1;
  }
  if (!link_exists(file, n)) {
    missing_dataset(file, path, n);
    return -1;
  }
  hid_t obj = H5Oopen(file, n, H5P_DEFAULT);
  if (obj < 0) {
    h5_fail("cannot open '%s' in %s", n, path);
    return -1;
  }
  if (H5Iget_type(obj) != H5I_DATASET) {
    nn_seterror("'%s' in %s is a %s, not a dataset", n, path, kind_of(obj));
    h5_close(obj);
    return -1;
  }
  return obj;
}

hid_t h5_open_object(hid_t file, const char *path, const char *name) {
  const char *n = h5_strip(name);
  if (!n) n = "/";
  else if (!link_exists(file, n)) {
    nn_seterror("no object '%s' in %s", n, path);
    return -1;
  }
  hid_t obj = H5Oopen(file, n, H5P_DEFAULT);
  if (obj < 0) h5_fail("cannot open '%s' in %s", n, path);
  return obj;
}

/* --- types and shapes -------------------------------------------------- */

/* h5py stores numpy bools as an int8 enum {FALSE = 0, TRUE = 1}. */
int h5_is_bool_enum(hid_t type) {
  if (H5Tget_class(type) != H5T_ENUM || H5Tget_nmembers(type) != 2) return 0;
  int ok = 1;
  for (unsigned m = 0; m < 2; m++) {
    char *nm = H5Tget_member_name(type, m);
    ok = ok && nm && (!strcmp(nm, "FALSE") || !strcmp(nm, "TRUE"));
    if (nm) H5free_memory(nm);
  }
  return ok;
}

/* The numeric types nnsh converts: IEEE-like floats of 2, 4 or 8 bytes and
 * integers of 1, 2, 4 or 8 bytes whose bits lie inside the element.  A
 * file may declare anything (a uint8 of 65535 bytes, a float of 2^31
 * bytes); such types are "other", never handed to H5Dread. */
static int numeric_ok(hid_t type, H5T_class_t c, size_t sz) {
  if (c == H5T_FLOAT && sz != 2 && sz != 4 && sz != 8) return 0;
  if (c == H5T_INTEGER && sz != 1 && sz != 2 && sz != 4 && sz != 8) return 0;
  size_t prec = H5Tget_precision(type);
  int off = H5Tget_offset(type);
  if (prec == 0 || off < 0 || prec + (size_t)off > sz * 8) return 0;
  if (c == H5T_INTEGER) {
    H5T_sign_t sg = H5Tget_sign(type);
    if (sg != H5T_SGN_NONE && sg != H5T_SGN_2) return 0;
  }
  H5T_order_t o = H5Tget_order(type);
  return o == H5T_ORDER_LE || o == H5T_ORDER_BE || (sz == 1 && o == H5T_ORDER_NONE);
}

void h5_classify(hid_t type, nn_h5_class *cls, int *bits, char *name, size_t n) {
  size_t sz = H5Tget_size(type);
  H5T_class_t c = H5Tget_class(type);
  *bits = sz <= 8 ? (int)sz * 8 : 0;
  *cls = NN_H5_OTHER;
  const char *other = "unknown";
  switch (c) {
  case H5T_FLOAT:
  case H5T_INTEGER:
    if (!numeric_ok(type, c, sz)) {
      H5Eclear2(H5E_DEFAULT);
      snprintf(name, n, "%s(%zu bytes)", c == H5T_FLOAT ? "float" : "int", sz);
      return;
    }
    if (c == H5T_FLOAT) {
      *cls = NN_H5_FLOAT;
      snprintf(name, n, "float%d", *bits);
    } else {
      *cls = H5Tget_sign(type) == H5T_SGN_NONE ? NN_H5_UINT : NN_H5_INT;
      snprintf(name, n, "%s%d", *cls == NN_H5_UINT ? "uint" : "int", *bits);
    }
    return;
  case H5T_STRING:
    if (H5Tis_variable_str(type) <= 0 && (sz == 0 || sz > NN_H5_MAX_FIXED_STRING)) {
      H5Eclear2(H5E_DEFAULT);
      snprintf(name, n, "string(%zu bytes)", sz);
      return;
    }
    *cls = NN_H5_STRING;
    snprintf(name, n, "string");
    return;
  case H5T_ENUM: other = h5_is_bool_enum(type) ? "bool" : "enum"; break;
  case H5T_COMPOUND: other = "compound"; break;
  case H5T_OPAQUE: other = "opaque"; break;
  case H5T_ARRAY: other = "array"; break;
  case H5T_VLEN: other = "vlen"; break;
  case H5T_REFERENCE: other = "reference"; break;
  case H5T_BITFIELD: other = "bitfield"; break;
  case H5T_TIME: other = "time"; break;
  default: break;
  }
  snprintf(name, n, "%s", other);
}

int h5_shape(hid_t space, int *ndim, int64_t *size) {
  int nd = H5Sget_simple_extent_ndims(space);
  if (nd < 0) return h5_fail("cannot read a dataspace");
  if (nd > NN_H5_MAXRANK) return nn_seterror("dataspace of rank %d", nd);
  hsize_t dims[NN_H5_MAXRANK];
  if (H5Sget_simple_extent_dims(space, dims, NULL) < 0) return h5_fail("cannot read a dataspace");
  /* Each extent and their product must be a count nnsh can hold; a file
   * may declare dimensions of 2^62 or 2^64-1. */
  int64_t numel = 1;
  for (int i = 0; i < nd; i++) {
    if (dims[i] > (hsize_t)INT64_MAX ||
        (dims[i] && __builtin_mul_overflow(numel, (int64_t)dims[i], &numel)))
      return nn_seterror("dataspace dimension %d of %llu elements is too large", i + 1,
                         (unsigned long long)dims[i]);
  }
  *ndim = nd;
  for (int i = 0; i < nd; i++) size[i] = (int64_t)dims[i];
  return NN_OK;
}

static H5T_conv_ret_t range_cb(H5T_conv_except_t e, hid_t src, hid_t dst,
                               void *sbuf, void *dbuf, void *flag) {
  (void)src, (void)dst, (void)sbuf, (void)dbuf;
  if (e == H5T_CONV_EXCEPT_RANGE_HI || e == H5T_CONV_EXCEPT_RANGE_LOW) {
    *(int *)flag = 1;
    return H5T_CONV_ABORT;
  }
  return H5T_CONV_UNHANDLED;
}

hid_t h5_dxpl_checked(int *overflow) {
  hid_t dxpl = H5Pcreate(H5P_DATASET_XFER);
  if (dxpl >= 0 && H5Pset_type_conv_cb(dxpl, range_cb, overflow) < 0) {
    h5_close(dxpl);
    return -1;
  }
  return dxpl;
}

const char *h5_file_name(hid_t obj) {
  static char buf[1024];
  if (H5Fget_name(obj, buf, sizeof buf) < 0) {
    H5Eclear2(H5E_DEFAULT);
    snprintf(buf, sizeof buf, "the file");
  }
  return buf;
}

int h5_check_extent(hid_t file, int64_t numel, size_t elsize, const char *path,
                    const char *what) {
  hsize_t fsize = 0;
  if (H5Fget_filesize(file, &fsize) < 0) return h5_fail("cannot get the size of %s", path);
  int64_t bytes;
  uint64_t limit = (uint64_t)fsize * NN_H5_MAX_RATIO + (1u << 20);
  if (numel < 0 || __builtin_mul_overflow(numel, (int64_t)elsize, &bytes) ||
      (uint64_t)bytes > limit)
    return nn_seterror("%s in %s claims %lld elements of %zu bytes, more than a file of "
                       "%llu bytes can hold: the file is damaged (or the data was never "
                       "written)", what, path, (long long)numel, elsize,
                       (unsigned long long)fsize);
  return NN_OK;
}

int h5_describe(hid_t ds, nn_h5_dsinfo *info) {
  hid_t type = H5Dget_type(ds), space = H5Dget_space(ds);
  int rc = NN_ERR;
  if (type < 0 || space < 0) {
    h5_fail("cannot read a dataset's type or shape");
  } else {
    h5_classify(type, &info->cls, &info->bits, info->type, sizeof info->type);
    rc = h5_shape(space, &info->ndim, info->size);
  }
  h5_close(type);
  h5_close(space);
  return rc;
}
