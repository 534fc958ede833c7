/* nn.C.conv2d_*, nn.C.maxpool2d_*, nn.C.avgpool2d_*, nn.C.groupnorm_*:
 * src/core/conv2d.c, pool2d.c and groupnorm.c on tensors, registered into
 * nn.C by nnb_open_layers.  Conventions as in layers.c (result first,
 * resized and reused; backward overwrites the input gradient and
 * accumulates parameter gradients).  Stride and padding arrive as four
 * integers sh, sw, ph, pw; the Lua modules (lua/nn/conv.lua) expand a
 * single number. */
#include "../core/conv2d.h"
#include "../core/conv_relu_pool.h"
#include "../core/error.h"
#include "../core/groupnorm.h"
#include "../core/pool2d.h"
#include "nnb.h"
#include "nnb_kernels.h"

static int int_arg(lua_State *L, int arg, const char *fn, const char *name) {
  return (int)nnb_checkint(L, arg, fn, name, 0, 1 << 24);
}

static void check_nchw(lua_State *L, const nn_tensor *x, const char *fn) {
  if (x->ndim != 4) nnb_error(L, fn, "x must be (N,C,H,W), got %s", nnb_shape(x));
  for (int d = 0; d < 4; d++)
    if (x->size[d] > 1 << 30)
      nnb_error(L, fn, "x (%s) is too large for the convolution kernels", nnb_shape(x));
}

/* --- convolution ------------------------------------------------------------ */

/* Geometry from x (N,C,H,W), W (OC,C,KH,KW) and 4 integers at `arg`. */
static void conv_geom(lua_State *L, const char *fn, const nn_tensor *x, const nn_tensor *w,
                      int arg, nn_conv2d_geom *g) {
  check_nchw(L, x, fn);
  if (w->ndim != 4) nnb_error(L, fn, "W must be (Cout,Cin,KH,KW), got %s", nnb_shape(w));
  if (w->size[1] != x->size[1]) {
    char sx[96];
    nn_tensor_shape_str(x, sx, sizeof sx);
    nnb_error(L, fn, "channel mismatch: x (%s) has %lld channels, W (%s) expects %lld", sx,
              (long long)x->size[1], nnb_shape(w), (long long)w->size[1]);
  }
  *g = (nn_conv2d_geom){.N = (int)x->size[0], .C = (int)x->size[1], .H = (int)x->size[2],
                        .W = (int)x->size[3], .OC = (int)w->size[0], .KH = (int)w->size[2],
                        .KW = (int)w->size[3], .SH = int_arg(L, arg, fn, "stride"),
                        .SW = int_arg(L, arg + 1, fn, "stride"),
                        .PH = int_arg(L, arg + 2, fn, "padding"),
                        .PW = int_arg(L, arg + 3, fn, "padding")};
  if (nn_conv2d_geometry(g) != NN_OK) {
    char sx[96];
    nn_tensor_shape_str(x, sx, sizeof sx);
    nnb_error(L, fn, "x (%s), W (%s): %s", sx, nnb_shape(w), nn_lasterror());
  }
}

static void check_bias(lua_State *L, const nn_tensor *b, const nn_conv2d_geom *g,
                       const char *fn, const char *name) {
  if (b && (b->ndim != 1 || b->size[0] != g->OC))
    nnb_error(L, fn, "%s must be a vector of %d (one per output channel), got %s", name,
              g->OC, nnb_shape(b));
}

static void resize_out(lua_State *L, nn_tensor *out, const nn_conv2d_geom *g, const char *fn) {
  int64_t s[4] = {g->N, g->OC, g->OH, g->OW};
  NNB_CALL(L, fn, nn_tensor_resize(out, 4, s));
}

static float *workspace(lua_State *L, nn_tensor *ws, const nn_conv2d_geom *g, const char *fn) {
  size_t n = nn_conv2d_workspace(g);
  if ((size_t)nn_tensor_numel(ws) < n) NNB_CALL(L, fn, nn_tensor_resize1(ws, (int64_t)n));
  return n ? nn_fdata(ws) : NULL;
}

/* conv2d_forward(out, ws, x, W, b|nil, sh, sw, ph, pw)
 * conv2d_forward_direct(out, x, W, b|nil, sh, sw, ph, pw) */
static int conv_forward(lua_State *L, int direct) {
  const char *fn = direct ? "nn.C.conv2d_forward_direct" : "nn.C.conv2d_forward";
  int a = direct ? 2 : 3;
  nn_tensor *out = nnbk_output(L, 1, fn, "out");
  nn_tensor *ws = direct ? NULL : nnbk_output(L, 2, fn, "ws");
  nn_tensor *x = nnbk_input(L, a, fn, "x"), *w = nnbk_input(L, a + 1, fn, "W");
  nn_tensor *b = lua_isnil(L, a + 2) ? NULL : nnbk_input(L, a + 2, fn, "b");
  nn_conv2d_geom g;
  conv_geom(L, fn, x, w, a + 3, &g);
  check_bias(L, b, &g, fn, "b");
  nnbk_distinct(L, out, x, fn, "out", "x");
  nnbk_distinct(L, out, w, fn, "out", "W");
  if (ws) {
    nnbk_distinct(L, ws, x, fn, "ws", "x");
    nnbk_distinct(L, ws, out, fn, "ws", "out");
  }
  resize_out(L, out, &g, fn);
  const float *bp = b ? nn_fdata(b) : NULL;
  if (direct)
    nn_conv2d_forward_direct(nn_fdata(out), nn_fdata(x), nn_fdata(w), bp, &g);
  else
    nn_conv2d_forward(nn_fdata(out), nn_fdata(x), nn_fdata(w), bp, &g, workspace(L, ws, &g, fn));
  lua_settop(L, 1);
  return 1;
}
static int l_conv2d_forward(lua_State *L) { return conv_forward(L, 0); }
static int l_conv2d_forward_direct(lua_State *L) { return conv_forward(L, 1); }

/* conv2d_backward(dx|nil, dW, db|nil, ws, dout, x, W, sh, sw, ph, pw)
 * conv2d_backward_direct(dx|nil, dW, db|nil, dout, x, W, sh, sw, ph, pw) */
static int conv_backward(lua_State *L, int direct) {
  const char *fn = direct ? "nn.C.conv2d_backward_direct" : "nn.C.conv2d_backward";
  int a = direct ? 4 : 5;
  nn_tensor *dx = lua_isnil(L, 1) ? NULL : nnbk_output(L, 1, fn, "dx");
  nn_tensor *dw = nnbk_input(L, 2, fn, "dW");
  nn_tensor *db = lua_isnil(L, 3) ? NULL : nnbk_input(L, 3, fn, "db");
  nn_tensor *ws = direct ? NULL : nnbk_output(L, 4, fn, "ws");
  nn_tensor *dout = nnbk_input(L, a, fn, "dout"), *x = nnbk_input(L, a + 1, fn, "x"),
            *w = nnbk_input(L, a + 2, fn, "W");
  nn_conv2d_geom g;
  conv_geom(L, fn, x, w, a + 3, &g);
  check_bias(L, db, &g, fn, "db");
  nnbk_same_shape(L, dw, w, fn, "dW", "W");
  if (dout->ndim != 4 || dout->size[0] != g.N || dout->size[1] != g.OC ||
      dout->size[2] != g.OH || dout->size[3] != g.OW)
    nnb_error(L, fn, "dout must be %dx%dx%dx%d (the output's shape), got %s", g.N, g.OC, g.OH,
              g.OW, nnb_shape(dout));
  if (dx) {
    nnbk_distinct(L, dx, dout, fn, "dx", "dout");
    nnbk_distinct(L, dx, x, fn, "dx", "x");
    nnbk_distinct(L, dx, w, fn, "dx", "W");
    nnbk_resize_as(L, dx, x, fn);
  }
  if (ws) {
    nnbk_distinct(L, ws, x, fn, "ws", "x");
    nnbk_distinct(L, ws, dout, fn, "ws", "dout");
    if (dx) nnbk_distinct(L, ws, dx, fn, "ws", "dx");
  }
  float *dxp = dx ? nn_fdata(dx) : NULL, *dbp = db ? nn_fdata(db) : NULL;
  if (direct)
    nn_conv2d_backward_direct(dxp, nn_fdata(dw), dbp, nn_fdata(dout), nn_fdata(x), nn_fdata(w), &g);
  else
    nn_conv2d_backward(dxp, nn_fdata(dw), dbp, nn_fdata(dout), nn_fdata(x), nn_fdata(w), &g,
                       workspace(L, ws, &g, fn));
  lua_settop(L, 1);
  return 1;
}
static int l_conv2d_backward(lua_State *L) { return conv_backward(L, 0); }
static int l_conv2d_backward_direct(lua_State *L) { return conv_backward(L, 1); }

/* --- conv - ReLU - 2x2 max pool in one kernel ------------------------------------ */

static void crp_geom(lua_State *L, const char *fn, const nn_tensor *x, const nn_tensor *w,
                     int arg, nn_conv2d_geom *g) {
  conv_geom(L, fn, x, w, arg, g);
  if (!nn_crp_supported(g))
    nnb_error(L, fn, "the convolution's output %dx%d does not tile into 2x2 windows", g->OH,
              g->OW);
}

/* conv_relu_pool_forward(out, ws, x, W, b|nil, sh, sw, ph, pw) */
static int l_crp_forward(lua_State *L) {
  const char *fn = "nn.C.conv_relu_pool_forward";
  nn_tensor *out = nnbk_output(L, 1, fn, "out"), *ws = nnbk_output(L, 2, fn, "ws");
  nn_tensor *x = nnbk_input(L, 3, fn, "x"), *w = nnbk_input(L, 4, fn, "W");
  nn_tensor *b = lua_isnil(L, 5) ? NULL : nnbk_input(L, 5, fn, "b");
  nn_conv2d_geom g;
  crp_geom(L, fn, x, w, 6, &g);
  check_bias(L, b, &g, fn, "b");
  nnbk_distinct(L, out, x, fn, "out", "x");
  nnbk_distinct(L, out, w, fn, "out", "W");
  nnbk_distinct(L, ws, x, fn, "ws", "x");
  nnbk_distinct(L, ws, out, fn, "ws", "out");
  int64_t s[4] = {g.N, g.OC, g.OH / 2, g.OW / 2};
  NNB_CALL(L, fn, nn_tensor_resize(out, 4, s));
  size_t n = nn_crp_workspace(&g);
  if ((size_t)nn_tensor_numel(ws) < n) NNB_CALL(L, fn, nn_tensor_resize1(ws, (int64_t)n));
  nn_crp_forward(nn_fdata(out), nn_fdata(x), nn_fdata(w), b ? nn_fdata(b) : NULL, &g,
                 nn_fdata(ws));
  lua_settop(L, 1);
  return 1;
}

/* conv_relu_pool_backward(dx|nil, dW, db|nil, ws, dout, x, W, sh, sw, ph, pw) */
static int l_crp_backward(lua_State *L) {
  const char *fn = "nn.C.conv_relu_pool_backward";
  nn_tensor *dx = lua_isnil(L, 1) ? NULL : nnbk_output(L, 1, fn, "dx");
  nn_tensor *dw = nnbk_input(L, 2, fn, "dW");
  nn_tensor *db = lua_isnil(L, 3) ? NULL : nnbk_input(L, 3, fn, "db");
  nn_tensor *ws = nnbk_output(L, 4, fn, "ws");
  nn_tensor *dout = nnbk_input(L, 5, fn, "dout"), *x = nnbk_input(L, 6, fn, "x"),
            *w = nnbk_input(L, 7, fn, "W");
  nn_conv2d_geom g;
  crp_geom(L, fn, x, w, 8, &g);
  check_bias(L, db, &g, fn, "db");
  nnbk_same_shape(L, dw, w, fn, "dW", "W");
  if (dout->ndim != 4 || dout->size[0] != g.N || dout->size[1] != g.OC ||
      dout->size[2] != g.OH / 2 || dout->size[3] != g.OW / 2)
    nnb_error(L, fn, "dout must be %dx%dx%dx%d (the output's shape), got %s", g.N, g.OC,
              g.OH / 2, g.OW / 2, nnb_shape(dout));
  /* The window codes are whatever the forward left; any byte is safe to
   * read (each code only selects among the window's four elements). */
  if ((size_t)nn_tensor_numel(ws) < nn_crp_workspace(&g))
    nnb_error(L, fn, "ws (%s) is not the workspace of a forward pass on x (%s)", nnb_shape(ws),
              nnb_shape(x));
  nnbk_distinct(L, ws, x, fn, "ws", "x");
  nnbk_distinct(L, ws, dout, fn, "ws", "dout");
  nnbk_distinct(L, ws, dw, fn, "ws", "dW");
  if (dx) {
    nnbk_distinct(L, dx, dout, fn, "dx", "dout");
    nnbk_distinct(L, dx, x, fn, "dx", "x");
    nnbk_distinct(L, dx, w, fn, "dx", "W");
    nnbk_distinct(L, ws, dx, fn, "ws", "dx");
    nnbk_resize_as(L, dx, x, fn);
  }
  nn_crp_backward(dx ? nn_fdata(dx) : NULL, nn_fdata(dw), db ? nn_fdata(db) : NULL,
                  nn_fdata(dout), nn_fdata(x), nn_fdata(w), &g, nn_fdata(ws));
  lua_settop(L, 1);
  return 1;
}

/* --- pooling ------------------------------------------------------------------ */

/* Geometry from x and 6 integers kh, kw, sh, sw, ph, pw at `arg`. */
static void pool_geom(lua_State *L, const char *fn, const nn_tensor *x, int arg,
                      nn_pool2d_geom *g) {
  check_nchw(L, x, fn);
  *g = (nn_pool2d_geom){.N = (int)x->size[0], .C = (int)x->size[1], .H = (int)x->size[2],
                        .W = (int)x->size[3], .KH = int_arg(L, arg, fn, "kernel"),
                        .KW = int_arg(L, arg + 1, fn, "kernel"),
                        .SH = int_arg(L, arg + 2, fn, "stride"),
                        .SW = int_arg(L, arg + 3, fn, "stride"),
                        .PH = int_arg(L, arg + 4, fn, "padding"),
                        .PW = int_arg(L, arg + 5, fn, "padding")};
  if (nn_pool2d_geometry(g) != NN_OK) nnb_error(L, fn, "x (%s): %s", nnb_shape(x), nn_lasterror());
}

static void pool_resize(lua_State *L, nn_tensor *t, const nn_pool2d_geom *g, const char *fn) {
  int64_t s[4] = {g->N, g->C, g->OH, g->OW};
  NNB_CALL(L, fn, nn_tensor_resize(t, 4, s));
}

static void check_dout(lua_State *L, const nn_tensor *dout, const nn_pool2d_geom *g,
                       const char *fn) {
  if (dout->ndim != 4 || dout->size[0] != g->N || dout->size[1] != g->C ||
      dout->size[2] != g->OH || dout->size[3] != g->OW)
    nnb_error(L, fn, "dout must be %dx%dx%dx%d (the output's shape), got %s", g->N, g->C,
              g->OH, g->OW, nnb_shape(dout));
}

/* maxpool2d_forward(out, argmax, x, kh, kw, sh, sw, ph, pw) */
static int l_maxpool2d_forward(lua_State *L) {
  const char *fn = "nn.C.maxpool2d_forward";
  nn_tensor *out = nnbk_output(L, 1, fn, "out");
  nn_tensor *am = nnb_checkindex(L, 2, fn);
  nn_tensor *x = nnbk_input(L, 3, fn, "x");
  nn_pool2d_geom g;
  pool_geom(L, fn, x, 4, &g);
  nnbk_distinct(L, out, x, fn, "out", "x");
  pool_resize(L, out, &g, fn);
  pool_resize(L, am, &g, fn);
  nn_maxpool2d_forward(nn_fdata(out), nn_idata(am), nn_fdata(x), &g);
  lua_settop(L, 1);
  return 1;
}

/* maxpool2d_backward(dx, dout, argmax, x, kh, kw, sh, sw, ph, pw) */
static int l_maxpool2d_backward(lua_State *L) {
  const char *fn = "nn.C.maxpool2d_backward";
  nn_tensor *dx = nnbk_output(L, 1, fn, "dx");
  nn_tensor *dout = nnbk_input(L, 2, fn, "dout");
  nn_tensor *am = nnb_checkindex(L, 3, fn);
  nn_tensor *x = nnbk_input(L, 4, fn, "x");
  nn_pool2d_geom g;
  pool_geom(L, fn, x, 5, &g);
  check_dout(L, dout, &g, fn);
  if (!nn_tensor_is_contiguous(am) || !nn_tensor_same_shape(am, dout))
    nnb_error(L, fn, "argmax (%s) must be the contiguous index tensor of the forward pass",
              nnb_shape(am));
  /* The offsets came from the forward pass; check them anyway, since a
   * wrong one would write outside dx. */
  const int32_t *a = nn_idata(am);
  int64_t n = nn_tensor_numel(am), plane = (int64_t)g.H * g.W;
  int bad = 0; /* one vectorized pass; the position is looked up only on failure */
  for (int64_t k = 0; k < n; k++) bad |= (a[k] < 0) | (a[k] >= plane);
  if (bad)
    for (int64_t k = 0; k < n; k++)
      if (a[k] < 0 || a[k] >= plane)
        nnb_error(L, fn, "argmax entry %lld is outside the %dx%d plane", (long long)k + 1, g.H, g.W);
  nnbk_distinct(L, dx, dout, fn, "dx", "dout");
  nnbk_resize_as(L, dx, x, fn);
  nn_maxpool2d_backward(nn_fdata(dx), nn_fdata(dout), a, &g);
  lua_settop(L, 1);
  return 1;
}

/* avgpool2d_forward(out, x, kh, kw, sh, sw, ph, pw) */
static int l_avgpool2d_forward(lua_State *L) {
  const char *fn = "nn.C.avgpool2d_forward";
  nn_tensor *out = nnbk_output(L, 1, fn, "out");
  nn_tensor *x = nnbk_input(L, 2, fn, "x");
  nn_pool2d_geom g;
  pool_geom(L, fn, x, 3, &g);
  nnbk_distinct(L, out, x, fn, "out", "x");
  pool_resize(L, out, &g, fn);
  nn_avgpool2d_forward(nn_fdata(out), nn_fdata(x), &g);
  lua_settop(L, 1);
  return 1;
}

/* avgpool2d_backward(dx, dout, x, kh, kw, sh, sw, ph, pw) */
static int l_avgpool2d_backward(lua_State *L) {
  const char *fn = "nn.C.avgpool2d_backward";
  nn_tensor *dx = nnbk_output(L, 1, fn, "dx");
  nn_tensor *dout = nnbk_input(L, 2, fn, "dout"), *x = nnbk_input(L, 3, fn, "x");
  nn_pool2d_geom g;
  pool_geom(L, fn, x, 4, &g);
  check_dout(L, dout, &g, fn);
  nnbk_distinct(L, dx, dout, fn, "dx", "dout");
  nnbk_resize_as(L, dx, x, fn);
  nn_avgpool2d_backward(nn_fdata(dx), nn_fdata(dout), &g);
  lua_settop(L, 1);
  return 1;
}

/* --- group norm ----------------------------------------------------------------- */

/* N, C, S of x (N,C,...) split into G groups. */
static void gn_dims(lua_State *L, const nn_tensor *x, int G, const char *fn, int64_t *N,
                    int64_t *C, int64_t *S) {
  if (x->ndim < 2) nnb_error(L, fn, "x must be (N,C) or (N,C,...), got %s", nnb_shape(x));
  *N = x->size[0];
  *C = x->size[1];
  *S = *N > 0 && *C > 0 ? nn_tensor_numel(x) / (*N * *C) : 1;
  if (G < 1 || *C % G != 0)
    nnb_error(L, fn, "x (%s) has %lld channels, not divisible into %d groups", nnb_shape(x),
              (long long)*C, G);
}

static void check_vec(lua_State *L, const nn_tensor *v, int64_t C, const char *fn,
                      const char *name) {
  if (v->ndim != 1 || v->size[0] != C)
    nnb_error(L, fn, "%s must be a vector of %lld (one per channel), got %s", name,
              (long long)C, nnb_shape(v));
}

/* groupnorm_forward(out, mean, rstd, x, gamma, beta, G, eps) */
static int l_groupnorm_forward(lua_State *L) {
  const char *fn = "nn.C.groupnorm_forward";
  nn_tensor *out = nnbk_output(L, 1, fn, "out"), *mean = nnbk_output(L, 2, fn, "mean"),
            *rstd = nnbk_output(L, 3, fn, "rstd");
  nn_tensor *x = nnbk_input(L, 4, fn, "x"), *g = nnbk_input(L, 5, fn, "gamma"),
            *b = nnbk_input(L, 6, fn, "beta");
  int G = (int)nnb_checkint(L, 7, fn, "the number of groups", 1, NNB_MAXSIZE);
  double eps = luaL_checknumber(L, 8);
  int64_t N, C, S;
  gn_dims(L, x, G, fn, &N, &C, &S);
  check_vec(L, g, C, fn, "gamma");
  check_vec(L, b, C, fn, "beta");
  nnbk_distinct(L, out, x, fn, "out", "x");
  nnbk_resize_as(L, out, x, fn);
  NNB_CALL(L, fn, nn_tensor_resize1(mean, N * G));
  NNB_CALL(L, fn, nn_tensor_resize1(rstd, N * G));
  nn_groupnorm_forward(nn_fdata(out), nn_fdata(mean), nn_fdata(rstd), nn_fdata(x), nn_fdata(g),
                       nn_fdata(b), (int)N, (int)C, (int)S, G, (float)eps);
  lua_settop(L, 1);
  return 1;
}

/* groupnorm_backward(dx, dgamma, dbeta, dout, x, gamma, mean, rstd, G) */
static int l_groupnorm_backward(lua_State *L) {
  const char *fn = "nn.C.groupnorm_backward";
  nn_tensor *dx = nnbk_output(L, 1, fn, "dx");
  nn_tensor *dg = nnbk_input(L, 2, fn, "dgamma"), *db = nnbk_input(L, 3, fn, "dbeta"),
            *dout = nnbk_input(L, 4, fn, "dout"), *x = nnbk_input(L, 5, fn, "x"),
            *g = nnbk_input(L, 6, fn, "gamma"), *mean = nnbk_input(L, 7, fn, "mean"),
            *rstd = nnbk_input(L, 8, fn, "rstd");
  int G = (int)nnb_checkint(L, 9, fn, "the number of groups", 1, NNB_MAXSIZE);
  int64_t N, C, S;
  gn_dims(L, x, G, fn, &N, &C, &S);
  nnbk_same_shape(L, dout, x, fn, "dout", "x");
  check_vec(L, dg, C, fn, "dgamma");
  check_vec(L, db, C, fn, "dbeta");
  check_vec(L, g, C, fn, "gamma");
  check_vec(L, mean, N * G, fn, "mean");
  check_vec(L, rstd, N * G, fn, "rstd");
  nnbk_distinct(L, dx, x, fn, "dx", "x");
  nnbk_distinct(L, dx, dout, fn, "dx", "dout");
  nnbk_resize_as(L, dx, x, fn);
  nn_groupnorm_backward(nn_fdata(dx), nn_fdata(dg), nn_fdata(db), nn_fdata(dout), nn_fdata(x),
                        nn_fdata(g), nn_fdata(mean), nn_fdata(rstd), (int)N, (int)C, (int)S, G);
  lua_settop(L, 1);
  return 1;
}

static const nnb_reg conv_kernels[] = {
    {"conv2d_forward", l_conv2d_forward,
     "nn.C.conv2d_forward(out, ws, x, W, b|nil, sh, sw, ph, pw) -> out\n"
     "x (N,Cin,H,W), W (Cout,Cin,KH,KW), b (Cout); out resized to (N,Cout,OH,OW),\n"
     "OH = (H+2ph-KH)//sh + 1.  im2col + sgemm; ws is a workspace tensor (grown, reused)."},
    {"conv2d_forward_direct", l_conv2d_forward_direct,
     "nn.C.conv2d_forward_direct(out, x, W, b|nil, sh, sw, ph, pw) -> out\n"
     "The reference loop of the same convolution (slow; for tests)."},
    {"conv2d_backward", l_conv2d_backward,
     "nn.C.conv2d_backward(dx|nil, dW, db|nil, ws, dout, x, W, sh, sw, ph, pw) -> dx\n"
     "dx overwritten (nil: skipped), dW and db accumulate."},
    {"conv2d_backward_direct", l_conv2d_backward_direct,
     "nn.C.conv2d_backward_direct(dx|nil, dW, db|nil, dout, x, W, sh, sw, ph, pw) -> dx\n"
     "The reference loop of the backward pass."},
    {"conv_relu_pool_forward", l_crp_forward,
     "nn.C.conv_relu_pool_forward(out, ws, x, W, b|nil, sh, sw, ph, pw) -> out\n"
     "conv2d, ReLU and 2x2 max pooling in one pass: out (N,Cout,OH/2,OW/2).  ws keeps\n"
     "what the backward needs (one byte per output) and is grown as needed."},
    {"conv_relu_pool_backward", l_crp_backward,
     "nn.C.conv_relu_pool_backward(dx|nil, dW, db|nil, ws, dout, x, W, sh, sw, ph, pw) -> dx\n"
     "ws: the forward's on the same x.  dx overwritten (nil: skipped), dW and db accumulate."},
    {"maxpool2d_forward", l_maxpool2d_forward,
     "nn.C.maxpool2d_forward(out, argmax, x, kh, kw, sh, sw, ph, pw) -> out\n"
     "Max over each window; argmax (an index tensor) keeps the winner for the backward."},
    {"maxpool2d_backward", l_maxpool2d_backward,
     "nn.C.maxpool2d_backward(dx, dout, argmax, x, kh, kw, sh, sw, ph, pw) -> dx\n"
     "The gradient goes to each window's arg-max (first one on ties)."},
    {"avgpool2d_forward", l_avgpool2d_forward,
     "nn.C.avgpool2d_forward(out, x, kh, kw, sh, sw, ph, pw) -> out: window means\n"
     "(padding counts as zeros, divisor kh*kw)."},
    {"avgpool2d_backward", l_avgpool2d_backward,
     "nn.C.avgpool2d_backward(dx, dout, x, kh, kw, sh, sw, ph, pw) -> dx"},
    {"groupnorm_forward", l_groupnorm_forward,
     "nn.C.groupnorm_forward(out, mean, rstd, x, gamma, beta, G, eps) -> out\n"
     "x (N,C,...): each sample's C channels in G groups, each group normalized over its\n"
     "channels and positions, then *gamma[c] + beta[c].  mean/rstd (N*G) saved for backward."},
    {"groupnorm_backward", l_groupnorm_backward,
     "nn.C.groupnorm_backward(dx, dgamma, dbeta, dout, x, gamma, mean, rstd, G) -> dx\n"
     "dgamma, dbeta accumulate."},
    {NULL, NULL, NULL}};

void nnbk_register_conv(lua_State *L) { nnb_register(L, conv_kernels); }
