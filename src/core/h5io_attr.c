/* HDF5 attributes: read all of an object's, set one.  See h5io.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "h5io_internal.h"

static int read_bools(hid_t a, hid_t type, nn_h5_attr *it) {
  hid_t mt = H5Tget_native_type(type, H5T_DIR_ASCEND);
  size_t sz = mt < 0 ? 0 : H5Tget_size(mt);
  unsigned char tv[16], *buf = NULL;
  int rc = NN_ERR;
  if (sz == 0 || sz > sizeof tv || H5Tenum_valueof(mt, "TRUE", tv) < 0 ||
      !(buf = malloc((size_t)it->n * sz + 1)) || (it->n && H5Aread(a, mt, buf) < 0)) {
    h5_fail("cannot read boolean attribute '%s'", it->name);
  } else {
    for (int64_t k = 0; k < it->n; k++) it->i[k] = !memcmp(buf + (size_t)k * sz, tv, sz);
    rc = NN_OK;
  }
  free(buf);
  h5_close(mt);
  return rc;
}

static int read_attr(hid_t a, nn_h5_attr *it) {
  hid_t type = H5Aget_type(a), space = H5Aget_space(a);
  int rc = NN_ERR;
  if (type < 0 || space < 0) {
    h5_fail("cannot read attribute '%s'", it->name);
    goto done;
  }
  H5S_class_t sc = H5Sget_simple_extent_type(space);
  it->scalar = sc == H5S_SCALAR;
  it->n = sc == H5S_NULL ? 0 : H5Sget_simple_extent_npoints(space);
  nn_h5_class cls;
  int bits;
  h5_classify(type, &cls, &bits, it->type, sizeof it->type);
  if (it->n < 0) {
    h5_fail("cannot read the shape of attribute '%s'", it->name);
    goto done;
  }
  int is_bool = cls == NN_H5_OTHER && h5_is_bool_enum(type);
  if (cls == NN_H5_OTHER && !is_bool) { /* listed by its type name, never read */
    it->kind = NN_H5_ATTR_OTHER;
    it->n = 0;
    rc = NN_OK;
    goto done;
  }
  {
    char what[300];
    snprintf(what, sizeof what, "attribute '%s'", it->name);
    hid_t file = H5Iget_file_id(a);
    size_t el = cls == NN_H5_STRING && H5Tis_variable_str(type) > 0 ? 16 : H5Tget_size(type);
    if (is_bool) el = 1;
    int ok = file >= 0 && h5_check_extent(file, it->n, el, h5_file_name(file), what) == NN_OK;
    h5_close(file);
    if (!ok) goto done;
  }
  size_t cnt = (size_t)(it->n ? it->n : 1);
  herr_t r = 0;
  if (cls == NN_H5_INT || (cls == NN_H5_UINT && bits < 64)) {
    it->kind = NN_H5_ATTR_INT;
    if (!(it->i = malloc(cnt * sizeof *it->i))) goto oom;
    if (it->n) r = H5Aread(a, H5T_NATIVE_INT64, it->i);
  } else if (cls == NN_H5_FLOAT || cls == NN_H5_UINT) { /* uint64 may not fit int64 */
    it->kind = NN_H5_ATTR_FLOAT;
    if (!(it->f = malloc(cnt * sizeof *it->f))) goto oom;
    if (it->n) r = H5Aread(a, H5T_NATIVE_DOUBLE, it->f);
  } else if (cls == NN_H5_STRING) {
    it->kind = NN_H5_ATTR_STRING;
    if (h5_read_strings(a, 1, type, space, it->n, &it->s, &it->len) != NN_OK) {
      h5_prefix_error("attribute '%s'", it->name);
      goto done;
    }
  } else if (h5_is_bool_enum(type)) {
    it->kind = NN_H5_ATTR_BOOL;
    if (!(it->i = malloc(cnt * sizeof *it->i))) goto oom;
    if (read_bools(a, type, it) != NN_OK) goto done;
  } else {
    it->kind = NN_H5_ATTR_OTHER;
  }
  if (r < 0) {
    h5_fail("cannot read attribute '%s'", it->name);
    goto done;
  }
  rc = NN_OK;
  goto done;
oom:
  nn_seterror("out of memory reading attribute '%s'", it->name);
done:
  h5_close(type);
  h5_close(space);
  return rc;
}

typedef struct {
  nn_h5_attrs *out;
  int cap;
} attr_visit_t;

static herr_t attr_cb(hid_t loc, const char *name, const H5A_info_t *info, void *data) {
  (void)info;
  attr_visit_t *v = data;
  nn_h5_attrs *o = v->out;
  if (o->n == v->cap) {
    int cap = v->cap ? 2 * v->cap : 16;
    nn_h5_attr *p = realloc(o->items, (size_t)cap * sizeof *p);
    if (!p) return nn_seterror("out of memory reading attributes");
    o->items = p;
    v->cap = cap;
  }
  nn_h5_attr *it = &o->items[o->n];
  memset(it, 0, sizeof *it);
  if (!(it->name = strdup(name))) return nn_seterror("out of memory reading attributes");
  o->n++; /* counted now so that nn_h5_attrs_free releases a partial item */
  hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
  if (a < 0) return h5_fail("cannot open attribute '%s'", name);
  int rc = read_attr(a, it);
  h5_close(a);
  return rc == NN_OK ? 0 : -1;
}

static int attr_by_name(const void *a, const void *b) {
  return strcmp(((const nn_h5_attr *)a)->name, ((const nn_h5_attr *)b)->name);
}

int nn_h5_attrs_read(nn_h5_attrs *out, const char *path, const char *objname) {
  out->n = 0;
  out->items = NULL;
  hid_t f = h5_open_read(path), obj = -1;
  if (f < 0) return NN_ERR;
  int rc = NN_ERR;
  attr_visit_t v = {out, 0};
  const char *on = h5_strip(objname) ? h5_strip(objname) : "/";
  if ((obj = h5_open_object(f, path, objname)) < 0) goto done;
  nn_seterror("%s", "");
  if (H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, NULL, attr_cb, &v) < 0) {
    if (!nn_lasterror()[0]) h5_fail("cannot list attributes");
    H5Eclear2(H5E_DEFAULT);
    h5_prefix_error("attributes of '%s' in %s", on, path);
    goto done;
  }
  if (out->n > 1) qsort(out->items, (size_t)out->n, sizeof *out->items, attr_by_name);
  rc = NN_OK;
done:
  h5_close(obj);
  h5_close(f);
  return rc;
}

void nn_h5_attrs_free(nn_h5_attrs *a) {
  for (int k = 0; k < a->n; k++) {
    nn_h5_attr *it = &a->items[k];
    free(it->name);
    free(it->i);
    free(it->f);
    for (int64_t j = 0; it->s && j < it->n; j++) free(it->s[j]);
    free(it->s);
    free(it->len);
  }
  free(a->items);
  a->n = 0;
  a->items = NULL;
}

/* File type, memory type and buffer for a value; *own is a created type
 * to close, *tmp a buffer to free. */
static int attr_types(const nn_h5_attr *v, hid_t *ftype, hid_t *mtype, const void **buf,
                      hid_t *own, signed char **tmp) {
  switch (v->kind) {
  case NN_H5_ATTR_INT:
    *ftype = H5T_STD_I64LE, *mtype = H5T_NATIVE_INT64, *buf = v->i;
    return NN_OK;
  case NN_H5_ATTR_FLOAT:
    *ftype = H5T_IEEE_F64LE, *mtype = H5T_NATIVE_DOUBLE, *buf = v->f;
    return NN_OK;
  case NN_H5_ATTR_BOOL: {
    signed char f = 0, t = 1;
    *own = H5Tenum_create(H5T_NATIVE_SCHAR);
    if (*own < 0 || H5Tenum_insert(*own, "FALSE", &f) < 0 ||
        H5Tenum_insert(*own, "TRUE", &t) < 0)
      return h5_fail("cannot create the bool type");
    if (!(*tmp = malloc((size_t)(v->n ? v->n : 1))))
      return nn_seterror("out of memory");
    for (int64_t k = 0; k < v->n; k++) (*tmp)[k] = v->i[k] != 0;
    *ftype = *mtype = *own, *buf = *tmp;
    return NN_OK;
  }
  case NN_H5_ATTR_STRING:
    *own = H5Tcopy(H5T_C_S1);
    if (*own < 0 || H5Tset_size(*own, H5T_VARIABLE) < 0 ||
        H5Tset_cset(*own, H5T_CSET_UTF8) < 0)
      return h5_fail("cannot create the string type");
    *ftype = *mtype = *own, *buf = v->s;
    return NN_OK;
  default:
    return nn_seterror("unsupported attribute value");
  }
}

int nn_h5_setattr(const char *path, const char *objname, const char *key,
                  const nn_h5_attr *v) {
  h5_init();
  NN_REQUIRE(key && *key, "empty attribute name for %s", path);
  NN_REQUIRE(v->scalar ? v->n == 1 : v->n >= 0, "bad attribute value size %lld",
             (long long)v->n);
  hid_t f = h5_open_rdwr(path), obj = -1, space = -1, own = -1, a = -1, ftype = -1, mtype = -1;
  if (f < 0) return NN_ERR;
  const char *on = h5_strip(objname) ? h5_strip(objname) : "/";
  signed char *tmp = NULL;
  const void *buf = NULL;
  int rc = NN_ERR;
  if ((obj = h5_open_object(f, path, objname)) < 0 ||
      attr_types(v, &ftype, &mtype, &buf, &own, &tmp) != NN_OK)
    goto done;
  hsize_t n = (hsize_t)v->n;
  space = v->scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL);
  htri_t exists = H5Aexists(obj, key);
  if (space < 0 || exists < 0 || (exists > 0 && H5Adelete(obj, key) < 0)) {
    h5_fail("cannot set attribute '%s' of '%s' in %s", key, on, path);
    goto done;
  }
  if ((a = H5Acreate2(obj, key, ftype, space, H5P_DEFAULT, H5P_DEFAULT)) < 0 ||
      (v->n > 0 && H5Awrite(a, mtype, buf) < 0)) {
    h5_fail("cannot set attribute '%s' of '%s' in %s", key, on, path);
    if (strstr(nn_lasterror(), "too large")) {
      char msg[300];
      snprintf(msg, sizeof msg, "%s", nn_lasterror());
      nn_seterror("%s (in files of the pre-1.8 HDF5 format, as h5py writes by "
                  "default, an object holds at most 64 KB of attributes; store "
                  "large arrays as datasets)", msg);
    }
    if (a >= 0) {
      h5_close(a);
      a = -1;
      H5Adelete(obj, key);
      H5Eclear2(H5E_DEFAULT);
    }
    goto done;
  }
  rc = NN_OK;
done:
  h5_close(a);
  h5_close(space);
  h5_close(own);
  h5_close(obj);
  h5_close_written(f, path);
  free(tmp);
  return rc;
}
