/* The seeded generator from Lua: nn.seed, random tensors, permutations. */
#include "../core/random.h"
#include "nnb.h"

static int l_seed(lua_State *L) {
  if (lua_isnoneornil(L, 1)) {
    lua_pushinteger(L, (lua_Integer)nn_current_seed());
    return 1;
  }
  lua_Integer s = luaL_checkinteger(L, 1);
  nn_seed((uint64_t)s);
  lua_pushinteger(L, s);
  return 1;
}

static int random_tensor(lua_State *L, int normal, const char *fname) {
  int64_t size[NN_MAXDIM];
  int ndim = nnb_checkdims(L, 1, size, fname);
  nn_tensor *t = nnb_newtensor(L, NN_F32);
  NNB_CALL(L, fname, nn_tensor_resize(t, ndim, size));
  NNB_CALL(L, fname, normal ? nn_tensor_normal(t, 0, 1) : nn_tensor_uniform(t, 0, 1));
  return 1;
}
static int l_rand(lua_State *L) { return random_tensor(L, 0, "nn.rand"); }
static int l_randn(lua_State *L) { return random_tensor(L, 1, "nn.randn"); }

static int l_randperm(lua_State *L) {
  int64_t n = nnb_checksize(L, 1, "nn.randperm", "n");
  nn_tensor *t = nnb_newtensor(L, NN_I32);
  NNB_CALL(L, "nn.randperm", nn_tensor_randperm(t, n));
  return 1;
}

static int l_uniform_(lua_State *L) {
  nn_tensor *t = nnb_checkfloat(L, 1, "uniform_");
  double lo = luaL_optnumber(L, 2, 0), hi = luaL_optnumber(L, 3, 1);
  NNB_CALL(L, "uniform_", nn_tensor_uniform(t, lo, hi));
  lua_settop(L, 1);
  return 1;
}

static int l_normal_(lua_State *L) {
  nn_tensor *t = nnb_checkfloat(L, 1, "normal_");
  double mean = luaL_optnumber(L, 2, 0), std = luaL_optnumber(L, 3, 1);
  NNB_CALL(L, "normal_", nn_tensor_normal(t, mean, std));
  lua_settop(L, 1);
  return 1;
}

/* A uniform integer in [1, n] from the same generator, for sampling in Lua
 * (math.random would escape nn.seed). */
static int l_randint(lua_State *L) {
  int64_t n = nnb_checkint(L, 1, "nn.randint", "n", 1, 0xffffffffLL);
  lua_pushinteger(L, (lua_Integer)nn_rng_below(nn_global_rng(), (uint32_t)n) + 1);
  return 1;
}

static const nnb_reg functions[] = {
    {"seed", l_seed,
     "nn.seed(n) seeds the one generator behind everything random in nnsh\n"
     "(PCG32); the same seed gives the same numbers. nn.seed() returns the seed."},
    {"rand", l_rand, "nn.rand(d1, ...) -> Tensor uniform in [0,1)."},
    {"randn", l_randn, "nn.randn(d1, ...) -> Tensor of N(0,1) samples."},
    {"randperm", l_randperm, "nn.randperm(n) -> IndexTensor: a random permutation of 1..n."},
    {"randint", l_randint, "nn.randint(n) -> a uniform integer in [1, n]."},
    {NULL, NULL, NULL}};

static const nnb_reg methods[] = {
    {"uniform_", l_uniform_, "t:uniform_(lo=0, hi=1) -> t filled with U[lo,hi) samples."},
    {"normal_", l_normal_, "t:normal_(mean=0, std=1) -> t filled with N(mean, std^2) samples."},
    {NULL, NULL, NULL}};

void nnb_open_random(lua_State *L) {
  nnb_register(L, functions);
  nnb_add_methods(L, methods);
}
