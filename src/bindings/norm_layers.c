/* nn.C.batchnorm_* and nn.C.layernorm_*: src/core/batchnorm.c and
 * layernorm.c on tensors, registered into nn.C by nnb_open_layers.
 * Conventions as in layers.c. */
#include "../core/batchnorm.h"
#include "../core/layernorm.h"
#include "nnb.h"
#include "nnb_kernels.h"

/* --- batch norm ------------------------------------------------------------ */

/* (N,C) or (N,C,d3,...): N, C and the positions S per feature. */
static void bn_dims(lua_State *L, const nn_tensor *x, const char *fn, int64_t *N,
                    int64_t *C, int64_t *S) {
  if (x->ndim < 2)
    nnb_error(L, fn, "x must be (N,C) or (N,C,...), got %s", nnb_shape(x));
  *N = x->size[0];
  *C = x->size[1];
  *S = *C > 0 && *N > 0 ? nn_tensor_numel(x) / (*N * *C) : 1;
}

static void check_vec(lua_State *L, const nn_tensor *v, int64_t C, const char *fn,
                      const char *name) {
  if (v->ndim != 1 || v->size[0] != C)
    nnb_error(L, fn, "%s must be a vector of %lld (one per feature), got %s", name,
              (long long)C, nnb_shape(v));
}

/* nn.C.batchnorm_forward(out, mean, rstd, x, gamma, beta, running_mean,
 *                        running_var, training, momentum, eps) */
static int l_batchnorm_forward(lua_State *L) {
  const char *fn = "nn.C.batchnorm_forward";
  nn_tensor *out = nnbk_output(L, 1, fn, "out"), *mean = nnbk_output(L, 2, fn, "mean"),
            *rstd = nnbk_output(L, 3, fn, "rstd");
  nn_tensor *x = nnbk_input(L, 4, fn, "x"), *g = nnbk_input(L, 5, fn, "gamma"),
            *b = nnbk_input(L, 6, fn, "beta"), *rm = nnbk_input(L, 7, fn, "running_mean"),
            *rv = nnbk_input(L, 8, fn, "running_var");
  int training = lua_toboolean(L, 9);
  double momentum = luaL_checknumber(L, 10), eps = luaL_checknumber(L, 11);
  int64_t N, C, S;
  bn_dims(L, x, fn, &N, &C, &S);
  check_vec(L, g, C, fn, "gamma");
  check_vec(L, b, C, fn, "beta");
  check_vec(L, rm, C, fn, "running_mean");
  check_vec(L, rv, C, fn, "running_var");
  if (training && N * S < 2)
    nnb_error(L, fn, "training mode needs more than one value per feature (x is %s); "
              "use :evaluate() for single samples", nnb_shape(x));
  nnbk_resize_as(L, out, x, fn);
  NNB_CALL(L, fn, nn_tensor_resize1(mean, C));
  NNB_CALL(L, fn, nn_tensor_resize1(rstd, C));
  if (training)
    nn_batchnorm_forward_train(nn_fdata(out), nn_fdata(mean), nn_fdata(rstd), nn_fdata(rm),
                               nn_fdata(rv), nn_fdata(x), nn_fdata(g), nn_fdata(b), (int)N,
                               (int)C, (int)S, (float)momentum, (float)eps);
  else
    nn_batchnorm_forward_eval(nn_fdata(out), nn_fdata(mean), nn_fdata(rstd), nn_fdata(rm),
                              nn_fdata(rv), nn_fdata(x), nn_fdata(g), nn_fdata(b), (int)N,
                              (int)C, (int)S, (float)eps);
  lua_settop(L, 1);
  return 1;
}

/* nn.C.batchnorm_backward(dx, dgamma, dbeta, dout, x, gamma, mean, rstd, training) */
static int l_batchnorm_backward(lua_State *L) {
  const char *fn = "nn.C.batchnorm_backward";
  nn_tensor *dx = nnbk_output(L, 1, fn, "dx");
  nn_tensor *dg = nnbk_input(L, 2, fn, "dgamma"), *db = nnbk_input(L, 3, fn, "dbeta"),
            *dout = nnbk_input(L, 4, fn, "dout"), *x = nnbk_input(L, 5, fn, "x"),
            *g = nnbk_input(L, 6, fn, "gamma"), *mean = nnbk_input(L, 7, fn, "mean"),
            *rstd = nnbk_input(L, 8, fn, "rstd");
  int training = lua_toboolean(L, 9);
  int64_t N, C, S;
  bn_dims(L, x, fn, &N, &C, &S);
  nnbk_same_shape(L, dout, x, fn, "dout", "x");
  check_vec(L, dg, C, fn, "dgamma");
  check_vec(L, db, C, fn, "dbeta");
  check_vec(L, g, C, fn, "gamma");
  check_vec(L, mean, C, fn, "mean");
  check_vec(L, rstd, C, fn, "rstd");
  nnbk_distinct(L, dx, x, fn, "dx", "x");
  nnbk_resize_as(L, dx, x, fn);
  nn_batchnorm_backward(nn_fdata(dx), nn_fdata(dg), nn_fdata(db), nn_fdata(dout),
                        nn_fdata(x), nn_fdata(g), nn_fdata(mean), nn_fdata(rstd), (int)N,
                        (int)C, (int)S, training);
  lua_settop(L, 1);
  return 1;
}

/* --- layer norm ------------------------------------------------------------ */

/* nn.C.layernorm_forward(out, mean, rstd, x, w, b, eps) */
static int l_layernorm_forward(lua_State *L) {
  const char *fn = "nn.C.layernorm_forward";
  nn_tensor *out = nnbk_output(L, 1, fn, "out"), *mean = nnbk_output(L, 2, fn, "mean"),
            *rstd = nnbk_output(L, 3, fn, "rstd");
  nn_tensor *x = nnbk_input(L, 4, fn, "x"), *w = nnbk_input(L, 5, fn, "weight"),
            *b = nnbk_input(L, 6, fn, "bias");
  double eps = luaL_checknumber(L, 7);
  int64_t rows, cols;
  nnbk_rows_cols(x, &rows, &cols);
  check_vec(L, w, cols, fn, "weight");
  check_vec(L, b, cols, fn, "bias");
  nnbk_distinct(L, out, x, fn, "out", "x");
  nnbk_resize_as(L, out, x, fn);
  NNB_CALL(L, fn, nn_tensor_resize1(mean, rows));
  NNB_CALL(L, fn, nn_tensor_resize1(rstd, rows));
  nn_layernorm_forward(nn_fdata(out), nn_fdata(mean), nn_fdata(rstd), nn_fdata(x),
                       nn_fdata(w), nn_fdata(b), (int)rows, (int)cols, (float)eps);
  lua_settop(L, 1);
  return 1;
}

/* nn.C.layernorm_backward(dx, dw, db, dout, x, w, mean, rstd) */
static int l_layernorm_backward(lua_State *L) {
  const char *fn = "nn.C.layernorm_backward";
  nn_tensor *dx = nnbk_output(L, 1, fn, "dx");
  nn_tensor *dw = nnbk_input(L, 2, fn, "dweight"), *db = nnbk_input(L, 3, fn, "dbias"),
            *dout = nnbk_input(L, 4, fn, "dout"), *x = nnbk_input(L, 5, fn, "x"),
            *w = nnbk_input(L, 6, fn, "weight"), *mean = nnbk_input(L, 7, fn, "mean"),
            *rstd = nnbk_input(L, 8, fn, "rstd");
  int64_t rows, cols;
  nnbk_rows_cols(x, &rows, &cols);
  nnbk_same_shape(L, dout, x, fn, "dout", "x");
  check_vec(L, dw, cols, fn, "dweight");
  check_vec(L, db, cols, fn, "dbias");
  check_vec(L, w, cols, fn, "weight");
  check_vec(L, mean, rows, fn, "mean");
  check_vec(L, rstd, rows, fn, "rstd");
  nnbk_distinct(L, dx, x, fn, "dx", "x");
  nnbk_resize_as(L, dx, x, fn);
  nn_layernorm_backward(nn_fdata(dx), nn_fdata(dw), nn_fdata(db), nn_fdata(dout),
                        nn_fdata(x), nn_fdata(w), nn_fdata(mean), nn_fdata(rstd),
                        (int)rows, (int)cols);
  lua_settop(L, 1);
  return 1;
}

static const nnb_reg norm_kernels[] = {
    {"batchnorm_forward", l_batchnorm_forward,
     "nn.C.batchnorm_forward(out, mean, rstd, x, gamma, beta, running_mean, running_var,\n"
     "                       training, momentum, eps) -> out\n"
     "x (N,C) or (N,C,...): statistics per feature C.  Training uses the batch statistics\n"
     "and updates the running ones (running = (1-momentum)*running + momentum*batch);\n"
     "evaluation uses the running ones.  mean/rstd (C) are saved for the backward."},
    {"batchnorm_backward", l_batchnorm_backward,
     "nn.C.batchnorm_backward(dx, dgamma, dbeta, dout, x, gamma, mean, rstd, training) -> dx\n"
     "dgamma, dbeta accumulate."},
    {"layernorm_forward", l_layernorm_forward,
     "nn.C.layernorm_forward(out, mean, rstd, x, weight, bias, eps) -> out\n"
     "Each row (last dim) normalized by its own mean/variance, then *weight + bias."},
    {"layernorm_backward", l_layernorm_backward,
     "nn.C.layernorm_backward(dx, dweight, dbias, dout, x, weight, mean, rstd) -> dx\n"
     "dweight, dbias accumulate."},
    {NULL, NULL, NULL}};

void nnbk_register_norm(lua_State *L) { nnb_register(L, norm_kernels); }
