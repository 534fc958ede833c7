/* nn.C.context_mlp_topk: one next-word query through an embedding-context
 * MLP in one C call (src/core/context_mlp.c), for the trigram model's
 * m:topk.  Registered into nn.C by nnb_open_layers; conventions as in
 * layers.c. */
#include "../core/context_mlp.h"
#include "nnb.h"
#include "nnb_kernels.h"

enum { MAX_CONTEXT = 64, TOP_ON_STACK = 64 };

static void check_matrix(lua_State *L, const nn_tensor *t, int64_t rows, const char *fn,
                         const char *name, const char *what) {
  if (t->ndim != 2 || (rows >= 0 && t->size[0] != rows))
    nnb_error(L, fn, "%s must be a matrix with %lld rows (%s), got %s", name, (long long)rows,
              what, nnb_shape(t));
}

static const float *bias_arg(lua_State *L, int arg, int64_t n, const char *fn,
                             const char *name) {
  if (lua_isnoneornil(L, arg)) return NULL;
  nn_tensor *b = nnbk_input(L, arg, fn, name);
  if (b->ndim != 1 || b->size[0] != n)
    nnb_error(L, fn, "%s must be a vector of %lld, got %s", name, (long long)n, nnb_shape(b));
  return nn_fdata(b);
}

/* nn.C.context_mlp_topk(probs, words, work, k, R, W1, b1|nil, W2, b2|nil, id1, ..., idn) */
static int l_context_mlp_topk(lua_State *L) {
  const char *fn = "nn.C.context_mlp_topk";
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  nn_tensor *work = nnbk_output(L, 3, fn, "work");
  lua_Integer k = luaL_checkinteger(L, 4);
  nn_tensor *R = nnbk_input(L, 5, fn, "R"), *W1 = nnbk_input(L, 6, fn, "W1"),
            *W2 = nnbk_input(L, 8, fn, "W2");
  int n = lua_gettop(L) - 9;
  if (n < 1 || n > MAX_CONTEXT)
    nnb_error(L, fn, "expected 1 to %d context word numbers, got %d", MAX_CONTEXT, n < 0 ? 0 : n);
  check_matrix(L, R, -1, fn, "R", "the embedding table");
  int64_t D = R->size[1];
  check_matrix(L, W1, n * D, fn, "W1", "context words x embedding size");
  check_matrix(L, W2, W1->size[1], fn, "W2", "W1's columns");
  nn_context_mlp m = {nn_fdata(R), (int)R->size[0], (int)D,
                      nn_fdata(W1), bias_arg(L, 7, W1->size[1], fn, "b1"), (int)W1->size[1],
                      nn_fdata(W2), bias_arg(L, 9, W2->size[1], fn, "b2"), (int)W2->size[1]};
  if (k < 1 || k > m.V)
    nnb_error(L, fn, "k = %lld out of range [1, %d]", (long long)k, m.V);
  nnbk_distinct(L, work, R, fn, "work", "R");
  nnbk_distinct(L, work, W1, fn, "work", "W1");
  nnbk_distinct(L, work, W2, fn, "work", "W2");
  int32_t ids[MAX_CONTEXT], small_ix[TOP_ON_STACK];
  float small_p[TOP_ON_STACK], *top_p = small_p;
  int32_t *top_ix = small_ix;
  if (k > TOP_ON_STACK) { /* a large k: a buffer the GC frees */
    top_p = lua_newuserdatauv(L, (size_t)k * (sizeof *top_p + sizeof *top_ix), 0);
    top_ix = (int32_t *)(top_p + k);
  }
  for (int i = 0; i < n; i++) {
    lua_Integer id = luaL_checkinteger(L, 10 + i);
    if (id < 1 || id > m.Vin)
      nnb_error(L, fn, "word number %lld out of range [1, %d]", (long long)id, m.Vin);
    ids[i] = (int32_t)(id - 1);
  }
  int64_t need = nn_context_mlp_work(&m, n);
  if (work->ndim != 1 || work->size[0] != need) NNB_CALL(L, fn, nn_tensor_resize1(work, need));
  NNB_CALL(L, fn, nn_context_mlp_topk(&m, ids, n, (int)k, nn_fdata(work), top_p, top_ix));
  for (int i = 0; i < k; i++) {
    lua_pushnumber(L, top_p[i]);
    lua_rawseti(L, 1, i + 1);
    lua_pushinteger(L, top_ix[i] + 1);
    lua_rawseti(L, 2, i + 1);
  }
  return 0;
}

static const nnb_reg query_kernels[] = {
    {"context_mlp_topk", l_context_mlp_topk,
     "nn.C.context_mlp_topk(probs, words, work, k, R, W1, b1|nil, W2, b2|nil, id1, ..., idn)\n"
     "One next-word query of an embedding-context MLP: the rows id1..idn of R concatenated,\n"
     "sigmoid(x·W1 + b1), softmax(h·W2 + b2); fills probs[1..k] and words[1..k] with the k\n"
     "largest probabilities and their word numbers, descending.  work: a float tensor\n"
     "resized and reused.  Bitwise the layer-by-layer forward pass (the trigram m:topk)."},
    {NULL, NULL, NULL}};

void nnbk_register_query(lua_State *L) { nnb_register(L, query_kernels); }
