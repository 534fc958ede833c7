/* nn.read_idx: IDX files (MNIST, Fashion-MNIST), src/core/idx.h. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "../core/idx.h"
#include "nnb.h"

static int l_read_idx(lua_State *L) {
  const char *fname = "nn.read_idx";
  if (lua_type(L, 1) != LUA_TSTRING)
    nnb_error(L, fname, "argument #1: expected a file name, got %s", luaL_typename(L, 1));
  const char *path = lua_tostring(L, 1);
  nn_dtype dtype = NN_F32;
  double scale = 1;
  lua_Integer classes = 0;
  if (!lua_isnoneornil(L, 2)) {
    if (!lua_istable(L, 2))
      nnb_error(L, fname, "argument #2: expected an options table, got %s", luaL_typename(L, 2));
    lua_pushnil(L);
    while (lua_next(L, 2)) {
      const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
      if (strcmp(k, "as") == 0) {
        const char *as = lua_tostring(L, -1);
        if (as && strcmp(as, "index") == 0) dtype = NN_I32;
        else if (!as || strcmp(as, "float") != 0)
          nnb_error(L, fname, "option as must be \"float\" or \"index\"");
      } else if (strcmp(k, "scale") == 0) {
        int ok;
        scale = lua_tonumberx(L, -1, &ok);
        if (!ok || !isfinite(scale))
          nnb_error(L, fname, "option scale must be a finite number");
      } else if (strcmp(k, "classes") == 0) {
        int ok;
        classes = lua_tointegerx(L, -1, &ok);
        if (!ok || classes < 1 || classes > INT32_MAX)
          nnb_error(L, fname, "option classes must be a whole number from 1 to %d", INT32_MAX);
      } else {
        nnb_error(L, fname, "unknown option %s (known: as, scale, classes)",
                  luaL_tolstring(L, -2, NULL));
      }
      lua_pop(L, 1);
    }
  }
  nn_tensor *t = nnb_newtensor(L, dtype);
  NNB_CALL(L, fname, nn_idx_read(path, t, scale, classes));
  return 1;
}

static const nnb_reg idx_fns[] = {
    {"read_idx", l_read_idx,
     "nn.read_idx(path [, {as=\"float\"|\"index\", scale=1, classes=K}]) -> tensor\n"
     "Read an IDX file (the MNIST / Fashion-MNIST format), gzip-compressed\n"
     "or plain.  As float (the default) each value is multiplied by scale;\n"
     "as an index tensor the values 0..K-1 of a label file become the\n"
     "classes 1..K (with classes=K a value outside 0..K-1 is an error).\n"
     "  x = nn.read_idx(\"/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz\",\n"
     "                  {scale = 1/255})   --> 10000x28x28 in [0,1]"},
    {NULL, NULL, NULL}};

void nnb_open_idx(lua_State *L) { nnb_register(L, idx_fns); }
