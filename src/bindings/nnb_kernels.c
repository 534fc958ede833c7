/* Argument helpers of the kernel bindings (nnb_kernels.h). */
#include "nnb_kernels.h"

static nn_tensor *check_readable(lua_State *L, nn_tensor *t, const char *fname,
                                 const char *name) {
  if (t->storage == NULL && nn_tensor_numel(t) > 0)
    nnb_error(L, fname, "%s has no storage", name);
  if (!nn_tensor_is_contiguous(t))
    nnb_error(L, fname, "%s (%s) must be contiguous; call :contiguous() first", name,
              nnb_shape(t));
  return t;
}

nn_tensor *nnbk_input(lua_State *L, int arg, const char *fname, const char *name) {
  return check_readable(L, nnb_checkfloat(L, arg, fname), fname, name);
}

nn_tensor *nnbk_named_input(lua_State *L, int idx, const char *fname, const char *name) {
  nn_tensor *t = nnb_totensor(L, idx);
  if (!t) nnb_error(L, fname, "%s must be a tensor, got %s", name, luaL_typename(L, idx));
  if (t->dtype != NN_F32) nnb_error(L, fname, "%s must be a float tensor", name);
  return check_readable(L, t, fname, name);
}

void nnbk_check_shape(lua_State *L, const nn_tensor *t, int ndim, const int64_t *size,
                      const char *fname, const char *name) {
  bool ok = t->ndim == ndim;
  for (int i = 0; ok && i < ndim; i++) ok = t->size[i] == size[i];
  if (ok) return;
  nn_tensor shape = {.ndim = ndim}; /* only for its shape string */
  for (int i = 0; i < ndim; i++) shape.size[i] = size[i];
  char want[160];
  nn_tensor_shape_str(&shape, want, sizeof want);
  nnb_error(L, fname, "%s must be %s, got %s", name, want, nnb_shape(t));
}

nn_tensor *nnbk_output(lua_State *L, int arg, const char *fname, const char *name) {
  (void)name; /* kept for symmetry with nnbk_input at the call sites */
  return nnb_checkfloat(L, arg, fname);
}

void nnbk_resize_as(lua_State *L, nn_tensor *out, const nn_tensor *like,
                    const char *fname) {
  NNB_CALL(L, fname, nn_tensor_resize(out, like->ndim, like->size));
}

void nnbk_same_shape(lua_State *L, const nn_tensor *a, const nn_tensor *b,
                     const char *fname, const char *an, const char *bn) {
  if (!nn_tensor_same_shape(a, b)) {
    char sa[96];
    nn_tensor_shape_str(a, sa, sizeof sa);
    nnb_error(L, fname, "%s (%s) and %s (%s) must have the same shape", an, sa, bn,
              nnb_shape(b));
  }
}

void nnbk_distinct(lua_State *L, const nn_tensor *out, const nn_tensor *in,
                   const char *fname, const char *on, const char *in_name) {
  if (out->storage && out->storage == in->storage)
    nnb_error(L, fname, "%s must not share memory with %s", on, in_name);
}

/* Rows and columns of a tensor taken as (rows, last dim). */
void nnbk_rows_cols(const nn_tensor *t, int64_t *rows, int64_t *cols) {
  *cols = t->ndim > 0 ? t->size[t->ndim - 1] : 1;
  *rows = *cols > 0 ? nn_tensor_numel(t) / *cols : 0;
}

void nnbk_push_subtable(lua_State *L) {
  if (lua_getfield(L, -1, "C") != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "C");
  }
}

