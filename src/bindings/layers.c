/* nn.C.*: the layer kernels (src/core/linear.c, embedding.c, activation.c,
 * softmax.c, dropout.c; batch and layer norm are in norm_layers.c, convolution,
 * pooling and group norm in conv_layers.c) on tensors.
 *
 * These are the low-level building blocks of the Lua modules in lua/nn/;
 * they live in the sub-table nn.C so that nn itself shows the user-facing
 * API (nn.Linear, nn.fit, ...).  Conventions:
 *   - result first: nn.C.linear_forward(out, x, W, b) resizes `out` to the
 *     result's shape, reusing its buffer when the shape repeats, and
 *     returns it, so a training loop allocates nothing per mini-batch;
 *   - backward functions overwrite the input gradient and ACCUMULATE (+=)
 *     parameter gradients;
 *   - operands must be contiguous (the modules call :contiguous()); every
 *     shape is checked and errors name the function and the shapes.
 */
#include "../core/activation.h"
#include "../core/dropout.h"
#include "../core/embedding.h"
#include "../core/error.h"
#include "../core/linear.h"
#include "../core/random.h"
#include "../core/softmax.h"
#include "../core/tensor_index.h"
#include "nnb.h"
#include "nnb_kernels.h"

/* --- linear ------------------------------------------------------------- */

/* nn.C.linear_forward(out, x, W [, b]) -> out = x·W + b */
static int l_linear_forward(lua_State *L) {
  const char *fn = "nn.C.linear_forward";
  nn_tensor *out = nnbk_output(L, 1, fn, "out");
  nn_tensor *x = nnbk_input(L, 2, fn, "x"), *W = nnbk_input(L, 3, fn, "W");
  nn_tensor *b = lua_isnoneornil(L, 4) ? NULL : nnbk_input(L, 4, fn, "b");
  nnb_checkdim(L, x, 2, fn, "x");
  nnb_checkdim(L, W, 2, fn, "W");
  if (x->size[1] != W->size[0]) {
    char sx[96];
    nn_tensor_shape_str(x, sx, sizeof sx);
    nnb_error(L, fn, "size mismatch, x (%s) · W (%s): x has %lld features, W expects %lld",
              sx, nnb_shape(W), (long long)x->size[1], (long long)W->size[0]);
  }
  if (b && (b->ndim != 1 || b->size[0] != W->size[1]))
    nnb_error(L, fn, "bias must be a vector of %lld, got %s", (long long)W->size[1],
              nnb_shape(b));
  nnbk_distinct(L, out, x, fn, "out", "x");
  nnbk_distinct(L, out, W, fn, "out", "W");
  NNB_CALL(L, fn, nn_tensor_resize2(out, x->size[0], W->size[1]));
  nn_linear_forward(nn_fdata(out), nn_fdata(x), nn_fdata(W), b ? nn_fdata(b) : NULL,
                    (int)x->size[0], (int)x->size[1], (int)W->size[1]);
  lua_settop(L, 1);
  return 1;
}

/* nn.C.linear_backward(dx|nil, dW, db|nil, dout, x, W) -> dx */
static int l_linear_backward(lua_State *L) {
  const char *fn = "nn.C.linear_backward";
  nn_tensor *dx = lua_isnil(L, 1) ? NULL : nnbk_output(L, 1, fn, "dx");
  nn_tensor *dW = nnbk_input(L, 2, fn, "dW");
  nn_tensor *db = lua_isnil(L, 3) ? NULL : nnbk_input(L, 3, fn, "db");
  nn_tensor *dout = nnbk_input(L, 4, fn, "dout"), *x = nnbk_input(L, 5, fn, "x"),
            *W = nnbk_input(L, 6, fn, "W");
  nnb_checkdim(L, x, 2, fn, "x");
  nnb_checkdim(L, W, 2, fn, "W");
  nnb_checkdim(L, dout, 2, fn, "dout");
  if (x->size[1] != W->size[0] || dout->size[0] != x->size[0] ||
      dout->size[1] != W->size[1]) {
    char sx[96], sw[96];
    nn_tensor_shape_str(x, sx, sizeof sx);
    nn_tensor_shape_str(W, sw, sizeof sw);
    nnb_error(L, fn, "shapes do not fit: x (%s), W (%s), dout (%s); dout must be %lldx%lld",
              sx, sw, nnb_shape(dout), (long long)x->size[0], (long long)W->size[1]);
  }
  nnbk_same_shape(L, dW, W, fn, "dW", "W");
  if (db && (db->ndim != 1 || db->size[0] != W->size[1]))
    nnb_error(L, fn, "db must be a vector of %lld, got %s", (long long)W->size[1],
              nnb_shape(db));
  if (dx) {
    nnbk_distinct(L, dx, dout, fn, "dx", "dout");
    nnbk_distinct(L, dx, W, fn, "dx", "W");
    NNB_CALL(L, fn, nn_tensor_resize2(dx, x->size[0], x->size[1]));
  }
  nn_linear_backward(dx ? nn_fdata(dx) : NULL, nn_fdata(dW), db ? nn_fdata(db) : NULL,
                     nn_fdata(dout), nn_fdata(x), nn_fdata(W), (int)x->size[0],
                     (int)x->size[1], (int)W->size[1]);
  lua_settop(L, 1);
  return 1;
}

/* --- embedding ---------------------------------------------------------- */

static void check_index_input(lua_State *L, const nn_tensor *idx, const char *fn) {
  if (!nn_tensor_is_contiguous(idx))
    nnb_error(L, fn, "the index tensor (%s) must be contiguous; call :contiguous() first",
              nnb_shape(idx));
}

/* nn.C.embedding_forward(out, idx, W) -> out = W[idx] of shape idx..(D) */
static int l_embedding_forward(lua_State *L) {
  const char *fn = "nn.C.embedding_forward";
  nn_tensor *out = nnbk_output(L, 1, fn, "out");
  nn_tensor *idx = nnb_checkindex(L, 2, fn);
  nn_tensor *W = nnbk_input(L, 3, fn, "W");
  check_index_input(L, idx, fn);
  nnb_checkdim(L, W, 2, fn, "W");
  if (idx->ndim >= NN_MAXDIM)
    nnb_error(L, fn, "index tensor has too many dimensions (%d)", idx->ndim);
  nnbk_distinct(L, out, W, fn, "out", "W");
  int64_t size[NN_MAXDIM];
  for (int i = 0; i < idx->ndim; i++) size[i] = idx->size[i];
  size[idx->ndim] = W->size[1];
  NNB_CALL(L, fn, nn_tensor_resize(out, idx->ndim + 1, size));
  NNB_CALL(L, fn, nn_embedding_forward(nn_fdata(out), nn_idata(idx), nn_fdata(W),
                                       nn_tensor_numel(idx), (int)W->size[0],
                                       (int)W->size[1]));
  lua_settop(L, 1);
  return 1;
}

/* nn.C.embedding_backward(dW, dout, idx): dW[idx[n]] += dout[n] */
static int l_embedding_backward(lua_State *L) {
  const char *fn = "nn.C.embedding_backward";
  nn_tensor *dW = nnbk_input(L, 1, fn, "dW");
  nn_tensor *dout = nnbk_input(L, 2, fn, "dout");
  nn_tensor *idx = nnb_checkindex(L, 3, fn);
  check_index_input(L, idx, fn);
  nnb_checkdim(L, dW, 2, fn, "dW");
  int64_t n = nn_tensor_numel(idx);
  if (nn_tensor_numel(dout) != n * dW->size[1])
    nnb_error(L, fn, "dout (%s) must hold one row of %lld per index (%lld indices)",
              nnb_shape(dout), (long long)dW->size[1], (long long)n);
  NNB_CALL(L, fn, nn_embedding_backward(nn_fdata(dW), nn_fdata(dout), nn_idata(idx), n,
                                        (int)dW->size[0], (int)dW->size[1]));
  lua_settop(L, 1);
  return 1;
}

/* --- pointwise activations ------------------------------------------------ */

typedef void (*fwd_fn)(float *, const float *, int64_t);
typedef void (*bwd_fn)(float *, const float *, const float *, int64_t);

static int pointwise_forward(lua_State *L, const char *fn, fwd_fn f) {
  nn_tensor *out = nnbk_output(L, 1, fn, "out");
  nn_tensor *x = nnbk_input(L, 2, fn, "x");
  nnbk_resize_as(L, out, x, fn);
  f(nn_fdata(out), nn_fdata(x), nn_tensor_numel(x));
  lua_settop(L, 1);
  return 1;
}

/* (dx, dout, saved): saved is the forward output or input, as the kernel says. */
static int pointwise_backward(lua_State *L, const char *fn, bwd_fn f, const char *saved) {
  nn_tensor *dx = nnbk_output(L, 1, fn, "dx");
  nn_tensor *dout = nnbk_input(L, 2, fn, "dout"), *s = nnbk_input(L, 3, fn, saved);
  nnbk_same_shape(L, dout, s, fn, "dout", saved);
  nnbk_resize_as(L, dx, dout, fn);
  f(nn_fdata(dx), nn_fdata(dout), nn_fdata(s), nn_tensor_numel(dout));
  lua_settop(L, 1);
  return 1;
}

static int l_sigmoid_forward(lua_State *L) {
  return pointwise_forward(L, "nn.C.sigmoid_forward", nn_sigmoid_forward);
}
static int l_sigmoid_backward(lua_State *L) {
  return pointwise_backward(L, "nn.C.sigmoid_backward", nn_sigmoid_backward, "out");
}
static int l_tanh_forward(lua_State *L) {
  return pointwise_forward(L, "nn.C.tanh_forward", nn_tanh_forward);
}
static int l_tanh_backward(lua_State *L) {
  return pointwise_backward(L, "nn.C.tanh_backward", nn_tanh_backward, "out");
}
static int l_relu_forward(lua_State *L) {
  return pointwise_forward(L, "nn.C.relu_forward", nn_relu_forward);
}
static int l_relu_backward(lua_State *L) {
  return pointwise_backward(L, "nn.C.relu_backward", nn_relu_backward, "x");
}

static int l_leaky_relu_forward(lua_State *L) {
  const char *fn = "nn.C.leaky_relu_forward";
  nn_tensor *out = nnbk_output(L, 1, fn, "out");
  nn_tensor *x = nnbk_input(L, 2, fn, "x");
  float slope = (float)luaL_checknumber(L, 3);
  nnbk_resize_as(L, out, x, fn);
  nn_leaky_relu_forward(nn_fdata(out), nn_fdata(x), nn_tensor_numel(x), slope);
  lua_settop(L, 1);
  return 1;
}

static int l_leaky_relu_backward(lua_State *L) {
  const char *fn = "nn.C.leaky_relu_backward";
  nn_tensor *dx = nnbk_output(L, 1, fn, "dx");
  nn_tensor *dout = nnbk_input(L, 2, fn, "dout"), *x = nnbk_input(L, 3, fn, "x");
  float slope = (float)luaL_checknumber(L, 4);
  nnbk_same_shape(L, dout, x, fn, "dout", "x");
  nnbk_resize_as(L, dx, dout, fn);
  nn_leaky_relu_backward(nn_fdata(dx), nn_fdata(dout), nn_fdata(x), nn_tensor_numel(x),
                         slope);
  lua_settop(L, 1);
  return 1;
}

/* --- softmax -------------------------------------------------------------- */

static int softmax_like(lua_State *L, const char *fn,
                        void (*f)(float *, const float *, int, int)) {
  nn_tensor *out = nnbk_output(L, 1, fn, "out");
  nn_tensor *x = nnbk_input(L, 2, fn, "x");
  int64_t rows, cols;
  nnbk_rows_cols(x, &rows, &cols);
  nnbk_resize_as(L, out, x, fn);
  f(nn_fdata(out), nn_fdata(x), (int)rows, (int)cols);
  lua_settop(L, 1);
  return 1;
}
static int l_softmax_forward(lua_State *L) {
  return softmax_like(L, "nn.C.softmax_forward", nn_softmax_forward);
}
static int l_log_softmax_forward(lua_State *L) {
  return softmax_like(L, "nn.C.log_softmax_forward", nn_log_softmax_forward);
}

static int l_softmax_backward(lua_State *L) {
  const char *fn = "nn.C.softmax_backward";
  nn_tensor *dx = nnbk_output(L, 1, fn, "dx");
  nn_tensor *dout = nnbk_input(L, 2, fn, "dout"), *y = nnbk_input(L, 3, fn, "out");
  nnbk_same_shape(L, dout, y, fn, "dout", "out");
  int64_t rows, cols;
  nnbk_rows_cols(y, &rows, &cols);
  nnbk_resize_as(L, dx, dout, fn);
  nn_softmax_backward(nn_fdata(dx), nn_fdata(dout), nn_fdata(y), (int)rows, (int)cols);
  lua_settop(L, 1);
  return 1;
}

/* --- dropout --------------------------------------------------------------- */

/* nn.C.dropout_forward(out, mask, x, p) */
static int l_dropout_forward(lua_State *L) {
  const char *fn = "nn.C.dropout_forward";
  nn_tensor *out = nnbk_output(L, 1, fn, "out"), *mask = nnbk_output(L, 2, fn, "mask");
  nn_tensor *x = nnbk_input(L, 3, fn, "x");
  double p = luaL_checknumber(L, 4);
  if (!(p >= 0 && p < 1)) nnb_error(L, fn, "p must be in [0, 1), got %g", p);
  nnbk_distinct(L, mask, x, fn, "mask", "x");
  nnbk_resize_as(L, out, x, fn);
  nnbk_resize_as(L, mask, x, fn);
  nn_dropout_forward(nn_fdata(out), nn_fdata(mask), nn_fdata(x), nn_tensor_numel(x),
                     (float)p, nn_global_rng());
  lua_settop(L, 1);
  return 1;
}

static int l_dropout_backward(lua_State *L) {
  const char *fn = "nn.C.dropout_backward";
  nn_tensor *dx = nnbk_output(L, 1, fn, "dx");
  nn_tensor *dout = nnbk_input(L, 2, fn, "dout"), *mask = nnbk_input(L, 3, fn, "mask");
  nnbk_same_shape(L, dout, mask, fn, "dout", "mask");
  nnbk_resize_as(L, dx, dout, fn);
  nn_dropout_backward(nn_fdata(dx), nn_fdata(dout), nn_fdata(mask), nn_tensor_numel(dout));
  lua_settop(L, 1);
  return 1;
}

/* --- views and mini-batch gathering ---------------------------------------- */

/* nn.C.view(dst, src, dims) -> dst, now a view of src with shape dims
 * (one may be -1).  Re-points an existing tensor instead of creating one. */
static int l_view(lua_State *L) {
  const char *fn = "nn.C.view";
  nn_tensor *dst = nnb_checktensor(L, 1, fn), *src = nnb_checktensor(L, 2, fn);
  luaL_checktype(L, 3, LUA_TTABLE);
  int n = (int)luaL_len(L, 3);
  if (n > NN_MAXDIM) nnb_error(L, fn, "at most %d dimensions, got %d", NN_MAXDIM, n);
  if (dst->dtype != src->dtype) nnb_error(L, fn, "dst and src types differ");
  int64_t size[NN_MAXDIM];
  for (int i = 0; i < n; i++) {
    lua_geti(L, 3, i + 1);
    size[i] = nnb_checkint(L, lua_gettop(L), fn, "a dimension", -1, NNB_MAXSIZE);
    lua_pop(L, 1);
  }
  NNB_CALL(L, fn, nn_tensor_view(dst, src, n, size));
  lua_settop(L, 1);
  return 1;
}

/* nn.C.gather_rows(out, src, perm, start, len) -> out = src[perm[start..start+len-1]]
 * (start 1-based): one mini-batch of a shuffled epoch, without creating a
 * view of the permutation. */
static int l_gather_rows(lua_State *L) {
  const char *fn = "nn.C.gather_rows";
  nn_tensor *out = nnb_checktensor(L, 1, fn), *src = nnb_checktensor(L, 2, fn);
  nn_tensor *perm = nnb_checkindex(L, 3, fn);
  if (perm->ndim != 1) nnb_error(L, fn, "perm must be 1-d, got %s", nnb_shape(perm));
  int64_t start = nnb_checkint(L, 4, fn, "start", 1, NNB_MAXSIZE);
  int64_t len = nnb_checksize(L, 5, fn, "len");
  if (start < 1 || len < 0 || start - 1 + len > perm->size[0])
    nnb_error(L, fn, "rows %lld..%lld are outside the permutation of %lld",
              (long long)start, (long long)(start + len - 1), (long long)perm->size[0]);
  if (out->dtype != src->dtype) nnb_error(L, fn, "out and src types differ");
  nnbk_distinct(L, out, src, fn, "out", "src");
  nn_tensor part;
  nn_tensor_init(&part, NN_I32);
  int rc = nn_tensor_narrow(&part, perm, 0, start - 1, len);
  if (rc == NN_OK) rc = nn_index_select(out, src, &part);
  nn_tensor_free(&part);
  if (rc != NN_OK) nnb_coreerror(L, fn);
  lua_settop(L, 1);
  return 1;
}

static const nnb_reg kernels[] = {
    {"linear_forward", l_linear_forward,
     "nn.C.linear_forward(out, x, W [, b]) -> out = x·W + b\n"
     "x (B,C), W (C,OC) stored (in,out), b (OC) or nil; out resized to (B,OC).\n"
     "  nn.C.linear_forward(y, nn.ones(2,3), nn.ones(3,4), nn.zeros(4))"},
    {"linear_backward", l_linear_backward,
     "nn.C.linear_backward(dx|nil, dW, db|nil, dout, x, W) -> dx\n"
     "dx = dout·Wᵀ (overwritten; nil to skip), dW += xᵀ·dout, db += column sums of dout."},
    {"embedding_forward", l_embedding_forward,
     "nn.C.embedding_forward(out, idx, W) -> out = rows of W (V,D) picked by the index\n"
     "tensor idx (any shape S): out has shape S x D.  Errors on an index outside 1..V."},
    {"embedding_backward", l_embedding_backward,
     "nn.C.embedding_backward(dW, dout, idx) -> dW, with row n of dout added into\n"
     "row idx[n] of dW (repeated indices accumulate)."},
    {"sigmoid_forward", l_sigmoid_forward, "nn.C.sigmoid_forward(out, x) -> out = 1/(1+e^-x)."},
    {"sigmoid_backward", l_sigmoid_backward,
     "nn.C.sigmoid_backward(dx, dout, out) -> dx = dout*out*(1-out) (out: forward output)."},
    {"tanh_forward", l_tanh_forward, "nn.C.tanh_forward(out, x) -> out = tanh(x)."},
    {"tanh_backward", l_tanh_backward,
     "nn.C.tanh_backward(dx, dout, out) -> dx = dout*(1-out^2) (out: forward output)."},
    {"relu_forward", l_relu_forward, "nn.C.relu_forward(out, x) -> out = max(x, 0)."},
    {"relu_backward", l_relu_backward,
     "nn.C.relu_backward(dx, dout, x) -> dx = dout where x > 0, else 0."},
    {"leaky_relu_forward", l_leaky_relu_forward,
     "nn.C.leaky_relu_forward(out, x, slope) -> out = x if x > 0 else slope*x."},
    {"leaky_relu_backward", l_leaky_relu_backward,
     "nn.C.leaky_relu_backward(dx, dout, x, slope) -> dx = dout * (x > 0 and 1 or slope)."},
    {"softmax_forward", l_softmax_forward,
     "nn.C.softmax_forward(out, x) -> softmax over the last dim (stable)."},
    {"softmax_backward", l_softmax_backward,
     "nn.C.softmax_backward(dx, dout, out) -> dx = out*(dout - sum(dout*out)) per row."},
    {"log_softmax_forward", l_log_softmax_forward,
     "nn.C.log_softmax_forward(out, x) -> log softmax over the last dim (log-sum-exp)."},
    {"dropout_forward", l_dropout_forward,
     "nn.C.dropout_forward(out, mask, x, p) -> out = x*mask, mask 0 with probability p\n"
     "else 1/(1-p) (inverted dropout), drawn from the global generator (nn.seed)."},
    {"dropout_backward", l_dropout_backward,
     "nn.C.dropout_backward(dx, dout, mask) -> dx = dout*mask."},
    {"view", l_view,
     "nn.C.view(dst, src, {d1, d2, ...}) -> dst, re-pointed as a view of src with that\n"
     "shape (one dim may be -1): a view without creating a tensor."},
    {"gather_rows", l_gather_rows,
     "nn.C.gather_rows(out, src, perm, start, len) -> out = rows src[perm[start+i-1]],\n"
     "i = 1..len: a mini-batch of a shuffled epoch gathered into a reused buffer."},
    {NULL, NULL, NULL}};

void nnb_open_layers(lua_State *L) {
  nnbk_push_subtable(L);
  nnb_register(L, kernels);
  nnbk_register_norm(L); /* norm_layers.c */
  nnbk_register_conv(L); /* conv_layers.c */
  nnbk_register_query(L); /* query_kernels.c */
  nnbk_register_mlp_step(L); /* mlp_step.c */
  lua_pop(L, 1);
}
