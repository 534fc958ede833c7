/* HDF5 reading: dataset listing, datasets into tensors and strings.
 * See h5io.h for the conventions; the file plumbing is in h5io_open.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "h5io_internal.h"

/* --- listing ---------------------------------------------------------------- */

typedef struct {
  nn_h5_dslist *out;
  int cap;
} visit_t;

static herr_t visit_cb(hid_t g, const char *name, const nn_h5_linfo *info, void *data) {
  visit_t *v = data;
  if (info->type != H5L_TYPE_HARD) return 0; /* soft/external links may dangle */
  hid_t obj = H5Oopen(g, name, H5P_DEFAULT);
  if (obj < 0) return h5_fail("cannot open '%s'", name);
  int rc = NN_OK;
  if (H5Iget_type(obj) == H5I_DATASET) {
    nn_h5_dslist *l = v->out;
    if (l->n == v->cap) {
      int cap = v->cap ? 2 * v->cap : 16;
      nn_h5_dsinfo *p = realloc(l->items, (size_t)cap * sizeof *p);
      if (!p) {
        rc = nn_seterror("out of memory listing datasets");
      } else {
        l->items = p;
        v->cap = cap;
      }
    }
    if (rc == NN_OK) {
      nn_h5_dsinfo *it = &l->items[l->n];
      memset(it, 0, sizeof *it);
      it->name = strdup(name);
      if (!it->name) rc = nn_seterror("out of memory listing datasets");
      else {
        l->n++; /* counted before describe so that free() releases the name */
        rc = h5_describe(obj, it);
      }
    }
  }
  h5_close(obj);
  return rc == NN_OK ? 0 : -1;
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const nn_h5_dsinfo *)a)->name, ((const nn_h5_dsinfo *)b)->name);
}

int h5_collect(hid_t file, nn_h5_dslist *out) {
  visit_t v = {out, 0};
  out->n = 0;
  out->items = NULL;
  nn_seterror("%s", "");
  if (H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, visit_cb, &v) < 0) {
    /* A callback failure has set the message; a failure of the walk itself
     * has not. */
    if (!nn_lasterror()[0]) h5_fail("cannot list the datasets");
    H5Eclear2(H5E_DEFAULT);
    return NN_ERR;
  }
  if (out->n > 1) qsort(out->items, (size_t)out->n, sizeof *out->items, by_name);
  return NN_OK;
}

int nn_h5_list(nn_h5_dslist *out, const char *path) {
  out->n = 0;
  out->items = NULL;
  hid_t f = h5_open_read(path);
  if (f < 0) return NN_ERR;
  int rc = h5_collect(f, out);
  if (rc != NN_OK) h5_prefix_error("cannot list %s", path);
  h5_close(f);
  return rc;
}

void nn_h5_list_free(nn_h5_dslist *l) {
  for (int i = 0; i < l->n; i++) free(l->items[i].name);
  free(l->items);
  l->n = 0;
  l->items = NULL;
}

int nn_h5_info(nn_h5_dsinfo *info, const char *path, const char *name) {
  memset(info, 0, sizeof *info);
  hid_t f = h5_open_read(path);
  if (f < 0) return NN_ERR;
  hid_t ds = h5_open_dataset(f, path, name);
  int rc = ds < 0 ? NN_ERR : h5_describe(ds, info);
  h5_close(ds);
  h5_close(f);
  return rc;
}

/* --- reading tensors -------------------------------------------------- */

/* Tensor dtype for a dataset class under `as`, or NN_ERR with a message. */
static int choose_dtype(const nn_h5_dsinfo *in, nn_h5_as as, const char *path,
                        const char *name, nn_dtype *dtype) {
  int isint = in->cls == NN_H5_INT || in->cls == NN_H5_UINT;
  if (in->cls == NN_H5_STRING)
    return nn_seterror("dataset '%s' in %s holds strings, not numbers", name, path);
  if (!isint && in->cls != NN_H5_FLOAT)
    return nn_seterror("dataset '%s' in %s has unsupported type %s", name, path,
                       in->type);
  if (as == NN_H5_AS_INDEX && !isint)
    return nn_seterror("dataset '%s' in %s is %s: only integer datasets can be "
                       "read as an index tensor", name, path, in->type);
  *dtype = (as == NN_H5_AS_INDEX || (as == NN_H5_AS_DEFAULT && isint && in->bits >= 32))
               ? NN_I32 : NN_F32;
  return NN_OK;
}

/* File values are 1-based indices; C ones are 0-based. */
static int to_zero_based(nn_tensor *t, const char *path, const char *name,
                         const nn_h5_dsinfo *in) {
  int32_t *p = nn_idata(t);
  int64_t n = nn_tensor_numel(t);
  for (int64_t i = 0; i < n; i++) {
    if (p[i] < 1)
      return nn_seterror("dataset '%s' in %s (%s) holds %d at flat position %lld: "
                         "not a 1-based index; read it as float (as=\"float\")",
                         name, path, in->type, p[i], (long long)i + 1);
    p[i] -= 1;
  }
  return NN_OK;
}

int nn_h5_read(nn_tensor *t, const char *path, const char *name, nn_h5_as as) {
  hid_t f = h5_open_read(path), ds = -1, dxpl = -1, space = -1;
  if (f < 0) return NN_ERR;
  int rc = NN_ERR, overflow = 0;
  nn_h5_dsinfo in;
  nn_dtype dtype = NN_F32;
  memset(&in, 0, sizeof in);
  name = h5_strip(name) ? h5_strip(name) : name;
  if ((ds = h5_open_dataset(f, path, name)) < 0 || h5_describe(ds, &in) != NN_OK ||
      choose_dtype(&in, as, path, name, &dtype) != NN_OK)
    goto done;
  if (in.ndim > NN_MAXDIM) {
    nn_seterror("dataset '%s' in %s has %d dims; tensors have at most %d", name,
                path, in.ndim, NN_MAXDIM);
    goto done;
  }
  if ((space = H5Dget_space(ds)) < 0 || H5Sget_simple_extent_type(space) == H5S_NULL) {
    nn_seterror("dataset '%s' in %s is empty (null dataspace)", name, path);
    goto done;
  }
  int64_t numel = 1;
  for (int d = 0; d < in.ndim; d++) numel *= in.size[d]; /* h5_shape checked overflow */
  char what[300];
  snprintf(what, sizeof what, "dataset '%s'", name);
  if (h5_check_extent(f, numel, (size_t)in.bits / 8, path, what) != NN_OK) goto done;
  if (t->dtype != dtype) {
    nn_tensor_free(t);
    nn_tensor_init(t, dtype);
  }
  if (nn_tensor_resize(t, in.ndim, in.size) != NN_OK) goto done;
  if (nn_tensor_numel(t) > 0) {
    if ((dxpl = h5_dxpl_checked(&overflow)) < 0) {
      h5_fail("cannot read '%s' from %s", name, path);
      goto done;
    }
    hid_t mem = dtype == NN_F32 ? H5T_NATIVE_FLOAT : H5T_NATIVE_INT32;
    if (H5Dread(ds, mem, H5S_ALL, H5S_ALL, dxpl, t->storage->data) < 0) {
      if (overflow)
        nn_seterror("dataset '%s' in %s (%s) holds a value out of the range of %s",
                    name, path, in.type, dtype == NN_F32 ? "float32" : "int32");
      else
        h5_fail("cannot read '%s' from %s", name, path);
      H5Eclear2(H5E_DEFAULT);
      goto done;
    }
    if (dtype == NN_I32 && to_zero_based(t, path, name, &in) != NN_OK) goto done;
  }
  rc = NN_OK;
done:
  h5_close(space);
  h5_close(dxpl);
  h5_close(ds);
  h5_close(f);
  return rc;
}

/* --- reading strings ------------------------------------------------- */

int h5_read_strings(hid_t obj, int is_attr, hid_t ftype, hid_t space,
                    int64_t n, char ***s, size_t **len) {
  *s = calloc((size_t)(n ? n : 1), sizeof **s);
  *len = calloc((size_t)(n ? n : 1), sizeof **len);
  if (!*s || !*len) return nn_seterror("out of memory reading %lld strings", (long long)n);
  if (n == 0) return NN_OK;
  int rc = NN_ERR;
  htri_t var = H5Tis_variable_str(ftype);
  size_t sz = H5Tget_size(ftype);
  H5T_str_t pad = H5Tget_strpad(ftype);
  hid_t mt = H5Tcopy(H5T_C_S1);
  void *buf = NULL;
  /* Same character set and padding as the file: no conversion, which for
   * fixed-length strings would otherwise cut the last character. */
  if (mt < 0 || var < 0 || H5Tset_size(mt, var ? H5T_VARIABLE : sz) < 0 ||
      H5Tset_cset(mt, H5Tget_cset(ftype)) < 0 || (!var && H5Tset_strpad(mt, pad) < 0) ||
      !(buf = calloc((size_t)n, var ? sizeof(char *) : sz))) {
    h5_fail("cannot set up a string read");
    goto done;
  }
  herr_t r = is_attr ? H5Aread(obj, mt, buf) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
  if (r < 0) {
    h5_fail("cannot read strings");
    goto done;
  }
  rc = NN_OK;
  for (int64_t i = 0; i < n && rc == NN_OK; i++) {
    const char *p = var ? ((char **)buf)[i] : (char *)buf + (size_t)i * sz;
    size_t l;
    if (var) l = p ? strlen(p) : 0;
    else if (pad == H5T_STR_NULLTERM) l = strnlen(p, sz);
    else {
      char padc = pad == H5T_STR_SPACEPAD ? ' ' : '\0';
      for (l = sz; l > 0 && p[l - 1] == padc; l--) {}
    }
    if (!((*s)[i] = malloc(l + 1))) rc = nn_seterror("out of memory reading strings");
    else {
      if (l) memcpy((*s)[i], p, l);
      (*s)[i][l] = '\0';
      (*len)[i] = l;
    }
  }
  if (var) {
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(mt, space, H5P_DEFAULT, buf);
#else
    H5Dvlen_reclaim(mt, space, H5P_DEFAULT, buf);
#endif
  }
done:
  free(buf);
  h5_close(mt);
  return rc;
}

int nn_h5_read_strings(nn_h5_strings *out, const char *path, const char *name) {
  memset(out, 0, sizeof *out);
  hid_t f = h5_open_read(path), ds = -1, type = -1, space = -1;
  if (f < 0) return NN_ERR;
  int rc = NN_ERR;
  nn_h5_dsinfo in;
  name = h5_strip(name) ? h5_strip(name) : name;
  if ((ds = h5_open_dataset(f, path, name)) < 0 || h5_describe(ds, &in) != NN_OK) goto done;
  if (in.cls != NN_H5_STRING) {
    nn_seterror("dataset '%s' in %s is %s, not strings", name, path, in.type);
    goto done;
  }
  if ((type = H5Dget_type(ds)) < 0 || (space = H5Dget_space(ds)) < 0) {
    h5_fail("cannot read '%s' from %s", name, path);
    goto done;
  }
  out->ndim = in.ndim;
  memcpy(out->size, in.size, sizeof out->size);
  out->n = H5Sget_select_npoints(space);
  char what[300];
  snprintf(what, sizeof what, "string dataset '%s'", name);
  /* A variable-length string costs at least its 16-byte heap reference. */
  size_t el = H5Tis_variable_str(type) > 0 ? 16 : H5Tget_size(type);
  if (out->n < 0 || h5_check_extent(f, out->n, el, path, what) != NN_OK) {
    out->n = 0;
    goto done;
  }
  if (h5_read_strings(ds, 0, type, space, out->n, &out->s, &out->len) != NN_OK) {
    h5_prefix_error("dataset '%s' in %s", name, path);
    goto done;
  }
  rc = NN_OK;
done:
  h5_close(space);
  h5_close(type);
  h5_close(ds);
  h5_close(f);
  return rc;
}

void nn_h5_strings_free(nn_h5_strings *s) {
  for (int64_t i = 0; s->s && i < s->n; i++) free(s->s[i]);
  free(s->s);
  free(s->len);
  memset(s, 0, sizeof *s);
}
