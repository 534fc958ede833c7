/* Bindings of the image grid / PNG writer (src/core/image_grid.h,
 * png_write.h) as the sub-table nn.image_c.  The Lua module lua/image.lua
 * (`image.grid`) wraps these with option tables; the C side still checks
 * every argument, since nothing may reach the core as undefined behaviour.
 *
 *   nn.image_c.grid(t, rows, cols, pad, scale, normalize, padvalue [, path])
 *     t: (N,H,W) gray, (N,1,H,W) or (N,3,H,W), or one (H,W) image.
 *     With path: writes the PNG and returns width, height.
 *     Without:   returns the composed picture as a float tensor in [0,1],
 *                (Hout,Wout) for gray, (3,Hout,Wout) for RGB.
 *   nn.image_c.mkdirs(path): create the parent directories of path.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/atomic_file.h"
#include "../core/error.h"
#include "../core/image_grid.h"
#include "../core/png_write.h"
#include "nnb.h"

#define FNAME "image.grid"

static int checkint(lua_State *L, int arg, const char *name) {
  if (lua_isnoneornil(L, arg)) return 0;
  return (int)nnb_checkint(L, arg, FNAME, name, 0, 65535);
}

/* Tile dims of t: N, C, H, W. */
static void tile_dims(lua_State *L, const nn_tensor *t, int dims[4]) {
  switch (t->ndim) {
    case 2: dims[0] = 1, dims[1] = 1, dims[2] = (int)t->size[0], dims[3] = (int)t->size[1]; break;
    case 3: dims[0] = (int)t->size[0], dims[1] = 1, dims[2] = (int)t->size[1], dims[3] = (int)t->size[2]; break;
    case 4:
      if (t->size[1] != 1 && t->size[1] != 3)
        nnb_error(L, FNAME, "a 4-d tensor must be (N,3,H,W) or (N,1,H,W), got %s", nnb_shape(t));
      for (int i = 0; i < 4; i++) dims[i] = (int)t->size[i];
      break;
    default:
      nnb_error(L, FNAME, "expected (N,H,W) gray or (N,3,H,W) RGB tiles, got a %d-d tensor (%s)",
                t->ndim, nnb_shape(t));
  }
  if (nn_tensor_numel(t) == 0) nnb_error(L, FNAME, "no tiles to draw (%s)", nnb_shape(t));
}

static int l_grid(lua_State *L) {
  nn_tensor *t = nnb_checkfloat(L, 1, FNAME);
  int dims[4] = {0, 0, 0, 0};
  tile_dims(L, t, dims);
  nn_grid_opts o = nn_grid_defaults();
  o.rows = checkint(L, 2, "rows");
  o.cols = checkint(L, 3, "cols");
  o.pad = lua_isnoneornil(L, 4) ? 1 : checkint(L, 4, "pad");
  o.scale = lua_isnoneornil(L, 5) ? 1 : checkint(L, 5, "scale");
  const char *norm = luaL_optstring(L, 6, "none");
  if (strcmp(norm, "each") == 0) o.norm = NN_NORM_EACH;
  else if (strcmp(norm, "all") == 0) o.norm = NN_NORM_ALL;
  else if (strcmp(norm, "none") == 0) o.norm = NN_NORM_NONE;
  else nnb_error(L, FNAME, "normalize must be \"each\", \"all\" or \"none\", got \"%s\"", norm);
  o.pad_value = (float)luaL_optnumber(L, 7, 0.0);
  const char *path = luaL_optstring(L, 8, NULL);

  int rows, cols, oh, ow;
  NNB_CALL(L, FNAME, nn_grid_geometry(dims[0], dims[1], dims[2], dims[3], &o, &rows,
                                      &cols, &oh, &ow));
  /* Lua allocations (which may raise) come first; after that only core
   * calls, whose errors are raised once the C buffers are freed. */
  const int C = dims[1];
  nn_tensor *r = NULL;
  if (!path) {
    r = nnb_newtensor(L, NN_F32);
    int64_t size[3] = {C, oh, ow};
    NNB_CALL(L, FNAME, C == 1 ? nn_tensor_resize2(r, oh, ow) : nn_tensor_resize(r, 3, size));
  }
  nn_tensor tmp;
  nn_tensor_init(&tmp, NN_F32);
  if (nn_tensor_contiguous(&tmp, t) != NN_OK) {
    nn_tensor_free(&tmp);
    return nnb_coreerror(L, FNAME);
  }
  int rc;
  if (path) {
    rc = nn_png_write_grid(path, nn_fdata(&tmp), dims[0], C, dims[2], dims[3], &o,
                           &ow, &oh);
    nn_tensor_free(&tmp);
    if (rc != NN_OK) return nnb_coreerror(L, FNAME);
    lua_pushinteger(L, ow);
    lua_pushinteger(L, oh);
    return 2;
  }
  size_t npx = (size_t)oh * (size_t)ow, nc = (size_t)C;
  uint8_t *buf = malloc(npx * nc);
  rc = buf ? nn_grid_compose(buf, nn_fdata(&tmp), dims[0], C, dims[2], dims[3], &o)
           : nn_seterror("out of memory for a %dx%d picture", ow, oh);
  nn_tensor_free(&tmp);
  if (rc != NN_OK) {
    free(buf);
    return nnb_coreerror(L, FNAME);
  }
  float *d = nn_fdata(r);
  for (size_t c = 0; c < nc; c++) /* interleaved HWC -> planar CHW */
    for (size_t p = 0; p < npx; p++) d[c * npx + p] = buf[p * nc + c] / 255.0f;
  free(buf);
  return 1;
}

static int l_mkdirs(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  NNB_CALL(L, "image.mkdirs", nn_mkdir_parents(path));
  return 0;
}

static const nnb_reg image_fns[] = {
    {"grid", l_grid,
     "nn.image_c.grid(t, rows, cols, pad, scale, normalize, padvalue [, path])\n"
     "Low-level tile grid behind image.grid (use that). t: (N,H,W) gray or\n"
     "(N,3,H,W) RGB float tiles. rows/cols 0 = choose; normalize \"each\",\n"
     "\"all\" or \"none\". With path writes a PNG and returns width, height;\n"
     "without returns the picture as a float tensor in [0,1].\n"
     "  nn.image_c.grid(nn.rand(4,8,8), 2, 2, 1, 4, \"each\", 0, \"out/t.png\")"},
    {"mkdirs", l_mkdirs,
     "nn.image_c.mkdirs(path): create the missing parent directories of path.\n"
     "  nn.image_c.mkdirs(\"out/q1/features.png\")  -- creates out/q1"},
    {NULL, NULL, NULL}};

void nnb_open_image(lua_State *L) {
  lua_newtable(L);
  nnb_register(L, image_fns);
  lua_setfield(L, -2, "image_c");
}
