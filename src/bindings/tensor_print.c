/* Torch-style printing: values in aligned columns under one format chosen
 * for the whole tensor, leading/trailing rows and columns kept when large,
 * then a line with the type and shape. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nnb.h"

#define EDGE 3     /* rows/cols kept at each end when eliding */
#define MAXROWS 20 /* print all rows up to this many */
#define MAXCOLS 12

typedef struct {
  char fmt[16];
  int width;
} numfmt;

static void choose_format(const nn_tensor *t, numfmt *f) {
  double maxabs = 0, minabs = INFINITY;
  int integral = 1;
  nn_iter it;
  nn_iter_init(&it, t);
  for (int64_t o; (o = nn_iter_next(&it)) >= 0;) {
    double v = nnb_lua_value(t, o);
    if (!isfinite(v)) continue;
    double a = fabs(v);
    if (a > maxabs) maxabs = a;
    if (a > 0 && a < minabs) minabs = a;
    if (v != floor(v)) integral = 0;
  }
  if (integral && maxabs < 1e9) {
    int digits = maxabs >= 1 ? (int)floor(log10(maxabs)) + 1 : 1;
    snprintf(f->fmt, sizeof f->fmt, "%%%d.0f", digits + 2);
    f->width = digits + 2;
  } else if (maxabs < 1e5 && (minabs >= 1e-4 || maxabs >= 1e-1)) {
    int digits = maxabs >= 1 ? (int)floor(log10(maxabs)) + 1 : 1;
    snprintf(f->fmt, sizeof f->fmt, "%%%d.4f", digits + 7);
    f->width = digits + 7;
  } else {
    snprintf(f->fmt, sizeof f->fmt, "%%12.4e");
    f->width = 12;
  }
}

static void add_value(luaL_Buffer *b, const numfmt *f, double v) {
  char s[48];
  if (isnan(v))
    snprintf(s, sizeof s, "%*s", f->width, "nan");
  else if (isinf(v))
    snprintf(s, sizeof s, "%*s", f->width, v > 0 ? "inf" : "-inf");
  else
    snprintf(s, sizeof s, f->fmt, v);
  luaL_addstring(b, s);
}

/* One 2-d slice: rows x cols at base offset with the given strides. */
static void add_matrix(luaL_Buffer *b, const nn_tensor *t, const numfmt *f,
                       int64_t base, int64_t rows, int64_t cols, int64_t rs,
                       int64_t cs) {
  for (int64_t i = 0; i < rows; i++) {
    if (rows > MAXROWS && i == EDGE) {
      luaL_addstring(b, " ...\n");
      i = rows - EDGE;
    }
    for (int64_t j = 0; j < cols; j++) {
      if (cols > MAXCOLS && j == EDGE) {
        luaL_addstring(b, "  ...");
        j = cols - EDGE;
      }
      add_value(b, f, nnb_lua_value(t, base + i * rs + j * cs));
    }
    luaL_addchar(b, '\n');
  }
}

void nnb_pushtensorstring(lua_State *L, const nn_tensor *t) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  int64_t n = nn_tensor_numel(t);
  numfmt f;
  if (n > 0) choose_format(t, &f);
  if (n == 0) {
    luaL_addstring(&b, "[empty]\n");
  } else if (t->ndim == 0) {
    add_value(&b, &f, nnb_lua_value(t, t->offset));
    luaL_addchar(&b, '\n');
  } else if (t->ndim == 1) {
    /* A vector prints as a column, as in Torch. */
    add_matrix(&b, t, &f, t->offset, t->size[0], 1, t->stride[0], 0);
  } else if (t->ndim == 2) {
    add_matrix(&b, t, &f, t->offset, t->size[0], t->size[1], t->stride[0],
               t->stride[1]);
  } else {
    /* Higher dims: one "(i,j,.,.) =" header per trailing 2-d slice. */
    int lead = t->ndim - 2;
    int64_t slices = 1;
    for (int d = 0; d < lead; d++) slices *= t->size[d];
    for (int64_t s = 0; s < slices; s++) {
      if (slices > 2 * EDGE && s == EDGE) {
        luaL_addstring(&b, "...\n\n");
        s = slices - EDGE;
      }
      int64_t rem = s, base = t->offset, idx[NN_MAXDIM] = {0};
      for (int d = lead - 1; d >= 0; d--) {
        idx[d] = rem % t->size[d];
        rem /= t->size[d];
        base += idx[d] * t->stride[d];
      }
      luaL_addchar(&b, '(');
      for (int d = 0; d < lead; d++) {
        char s2[24];
        snprintf(s2, sizeof s2, "%lld,", (long long)idx[d] + 1);
        luaL_addstring(&b, s2);
      }
      luaL_addstring(&b, ".,.) =\n");
      add_matrix(&b, t, &f, base, t->size[lead], t->size[lead + 1],
                 t->stride[lead], t->stride[lead + 1]);
      luaL_addchar(&b, '\n');
    }
  }
  luaL_addstring(&b, t->dtype == NN_F32 ? "[nn.Tensor of size " : "[nn.IndexTensor of size ");
  luaL_addstring(&b, nnb_shape(t));
  luaL_addchar(&b, ']');
  luaL_pushresult(&b);
}
