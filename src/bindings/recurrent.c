/* Bindings of the recurrent cells (src/core/rnn.h, lstm.h, gru.h).
 *
 * nn.C.recurrent(cell, nin, nhid) makes a workspace userdata (metatable
 * "nn.Recurrent") that owns the cell's buffers; the Lua modules nn.RNN,
 * nn.LSTM and nn.GRU (lua/nn/recurrent.lua) keep one each and call
 *   ws:forward(x, p [, opts])          -> out
 *   ws:backward(dout, p, g [, opts])   -> dx, dh0, dc0
 * p and g are tables of tensors {wx=, wh=, b=, bhn=} (bhn only for the GRU);
 * g's tensors are accumulated into.  Every shape is checked here: nothing
 * reaches the kernels unchecked.  Layout (B,T,D) in, (B,T,H) or (B,H) out.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../core/error.h"
#include "../core/gru.h"
#include "../core/lstm.h"
#include "../core/rnn.h"
#include "nnb.h"

#define WS_MT "nn.Recurrent"

typedef enum { CELL_RNN, CELL_LSTM, CELL_GRU } cell_kind;
static const char *const cell_names[] = {"rnn", "lstm", "gru", NULL};
static const char *const cell_fwd[] = {"nn.RNN:forward", "nn.LSTM:forward",
                                       "nn.GRU:forward"};
static const char *const cell_bwd[] = {"nn.RNN:backward", "nn.LSTM:backward",
                                       "nn.GRU:backward"};
static const int cell_gates[] = {1, 4, 3};

typedef struct rec_ud {
  cell_kind kind;
  int D, H;
  bool h0, c0; /* the last forward was given initial states */
  union {
    nn_rnn_ws rnn;
    nn_lstm_ws lstm;
    nn_gru_ws gru;
  } ws;
} rec_ud;

static rec_ud *checkws(lua_State *L) { return luaL_checkudata(L, 1, WS_MT); }

static int l_gc(lua_State *L) {
  rec_ud *u = checkws(L);
  switch (u->kind) {
    case CELL_RNN: nn_rnn_ws_free(&u->ws.rnn); break;
    case CELL_LSTM: nn_lstm_ws_free(&u->ws.lstm); break;
    case CELL_GRU: nn_gru_ws_free(&u->ws.gru); break;
  }
  return 0;
}

static size_t ws_bytes(const rec_ud *u) {
  switch (u->kind) {
    case CELL_RNN: return u->ws.rnn.arena.cap * sizeof(float);
    case CELL_LSTM: return u->ws.lstm.arena.cap * sizeof(float);
    default: return u->ws.gru.arena.cap * sizeof(float);
  }
}

static int l_tostring(lua_State *L) {
  rec_ud *u = checkws(L);
  char buf[96];
  snprintf(buf, sizeof buf, "nn.Recurrent(%s, %d -> %d, workspace %.1f MB)",
           cell_names[u->kind], u->D, u->H, (double)ws_bytes(u) / (1 << 20));
  lua_pushstring(L, buf);
  return 1;
}

static int l_new(lua_State *L) {
  int kind = luaL_checkoption(L, 1, NULL, cell_names);
  lua_Integer D = luaL_checkinteger(L, 2), H = luaL_checkinteger(L, 3);
  if (D < 1 || D > (1 << 20) || H < 1 || H > (1 << 16))
    return nnb_error(L, "nn.C.recurrent",
                     "need 1 <= nin <= 2^20 and 1 <= nhid <= 2^16, got %lld, %lld",
                     (long long)D, (long long)H);
  rec_ud *u = lua_newuserdatauv(L, sizeof(rec_ud), 0);
  memset(u, 0, sizeof *u);
  u->kind = (cell_kind)kind;
  u->D = (int)D, u->H = (int)H;
  luaL_setmetatable(L, WS_MT);
  return 1;
}

/* A float tensor of exactly this shape, contiguous; argname for errors. */
static nn_tensor *check_shaped(lua_State *L, int idx, const char *fname,
                               const char *argname, int ndim, const int64_t *size) {
  nn_tensor *t = nnb_totensor(L, idx);
  if (!t) nnb_error(L, fname, "%s must be a tensor, got %s", argname, luaL_typename(L, idx));
  if (t->dtype != NN_F32) nnb_error(L, fname, "%s must be a float tensor", argname);
  bool ok = t->ndim == ndim;
  for (int i = 0; ok && i < ndim; i++) ok = t->size[i] == size[i];
  if (!ok) {
    char want[64] = "", *p = want;
    for (int i = 0; i < ndim; i++)
      p += snprintf(p, (size_t)(want + sizeof want - p), i ? "x%lld" : "%lld", (long long)size[i]);
    nnb_error(L, fname, "%s must be %s, got %s", argname, want, nnb_shape(t));
  }
  if (!nn_tensor_is_contiguous(t)) nnb_error(L, fname, "%s must be contiguous", argname);
  return t;
}

/* Field `name` of the table at tidx as a float tensor of the given shape. */
static float *field_tensor(lua_State *L, int tidx, const char *name, const char *fname,
                           const char *tabname, int ndim, int64_t d0, int64_t d1) {
  char argname[48];
  snprintf(argname, sizeof argname, "%s.%s", tabname, name);
  lua_getfield(L, tidx, name);
  int64_t size[2] = {d0, d1};
  nn_tensor *t = check_shaped(L, -1, fname, argname, ndim, size);
  lua_pop(L, 1); /* the table keeps it alive */
  return nn_fdata(t);
}

typedef struct weights {
  float *wx, *wh, *b, *bhn;
} weights;

static weights get_weights(lua_State *L, int tidx, const rec_ud *u, const char *fname,
                           const char *tabname) {
  luaL_checktype(L, tidx, LUA_TTABLE);
  int64_t G = (int64_t)cell_gates[u->kind] * u->H;
  weights w = {0};
  w.wx = field_tensor(L, tidx, "wx", fname, tabname, 2, u->D, G);
  w.wh = field_tensor(L, tidx, "wh", fname, tabname, 2, u->H, G);
  w.b = field_tensor(L, tidx, "b", fname, tabname, 1, G, 0);
  if (u->kind == CELL_GRU) w.bhn = field_tensor(L, tidx, "bhn", fname, tabname, 1, u->H, 0);
  return w;
}

/* opts[name] as a (B,H) state tensor, or NULL when absent. */
static float *opt_state(lua_State *L, int oidx, const char *name, const char *fname,
                        int64_t B, int64_t H) {
  if (!oidx) return NULL;
  lua_getfield(L, oidx, name);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return NULL;
  }
  char argname[32];
  snprintf(argname, sizeof argname, "opts.%s", name);
  int64_t size[2] = {B, H};
  nn_tensor *t = check_shaped(L, -1, fname, argname, 2, size);
  lua_pop(L, 1);
  return nn_fdata(t);
}

/* Push opts[name] if it is a tensor (to be resized and reused), else a new
 * tensor; returns it. */
static nn_tensor *push_result(lua_State *L, int oidx, const char *name, const char *fname) {
  if (oidx) {
    lua_getfield(L, oidx, name);
    if (!lua_isnil(L, -1)) {
      nn_tensor *t = nnb_totensor(L, -1);
      if (!t || t->dtype != NN_F32)
        nnb_error(L, fname, "opts.%s must be a float tensor", name);
      return t;
    }
    lua_pop(L, 1);
  }
  return nnb_newtensor(L, NN_F32);
}

static int l_forward(lua_State *L) {
  rec_ud *u = checkws(L);
  const char *fname = cell_fwd[u->kind];
  nn_tensor *x = nnb_checkfloat(L, 2, fname);
  if (x->ndim != 3)
    return nnb_error(L, fname, "input must be 3-d (batch, time, features) = (B,T,%d), got %s",
                     u->D, nnb_shape(x));
  if (x->size[2] != u->D)
    return nnb_error(L, fname, "input has %lld features per step, the layer expects %d (input %s)",
                     (long long)x->size[2], u->D, nnb_shape(x));
  int64_t B = x->size[0], T = x->size[1];
  if (B < 1 || T < 1) return nnb_error(L, fname, "empty input %s", nnb_shape(x));
  if (B > INT32_MAX / 4 || T > INT32_MAX / 4 || B * T > INT32_MAX / 4)
    return nnb_error(L, fname, "input %s too large", nnb_shape(x));
  if (!nn_tensor_is_contiguous(x)) {
    nn_tensor *c = nnb_newtensor(L, NN_F32);
    NNB_CALL(L, fname, nn_tensor_clone(c, x));
    lua_replace(L, 2);
    x = c;
  }
  weights w = get_weights(L, 3, u, fname, "params");
  int oidx = 0;
  if (!lua_isnoneornil(L, 4)) {
    luaL_checktype(L, 4, LUA_TTABLE);
    oidx = 4;
  }
  bool all = false;
  if (oidx) {
    lua_getfield(L, oidx, "all");
    all = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  float *h0 = opt_state(L, oidx, "h0", fname, B, u->H);
  float *c0 = opt_state(L, oidx, "c0", fname, B, u->H);
  if (c0 && u->kind != CELL_LSTM)
    return nnb_error(L, fname, "opts.c0: only the LSTM has a cell state");
  nn_tensor *out = push_result(L, oidx, "out", fname);
  if (out->storage && out->storage == x->storage)
    return nnb_error(L, fname, "opts.out must not share memory with the input");
  int64_t osize[3] = {B, all ? T : u->H, u->H};
  NNB_CALL(L, fname, nn_tensor_resize(out, all ? 3 : 2, osize));
  float *o = nn_fdata(out), *xp = nn_fdata(x);
  int rc;
  switch (u->kind) {
    case CELL_RNN:
      rc = nn_rnn_forward(&u->ws.rnn, o, all, xp, h0, w.wx, w.wh, w.b, (int)B, (int)T, u->D, u->H);
      break;
    case CELL_LSTM:
      rc = nn_lstm_forward(&u->ws.lstm, o, all, xp, h0, c0, w.wx, w.wh, w.b, (int)B, (int)T,
                           u->D, u->H);
      break;
    default:
      rc = nn_gru_forward(&u->ws.gru, o, all, xp, h0, w.wx, w.wh, w.b, w.bhn, (int)B, (int)T,
                          u->D, u->H);
  }
  if (rc != NN_OK) return nnb_coreerror(L, fname);
  u->h0 = h0 != NULL, u->c0 = c0 != NULL;
  return 1;
}

static void last_shape(const rec_ud *u, int *B, int *T, bool *all) {
  switch (u->kind) {
    case CELL_RNN: *B = u->ws.rnn.B, *T = u->ws.rnn.T, *all = u->ws.rnn.all; break;
    case CELL_LSTM: *B = u->ws.lstm.B, *T = u->ws.lstm.T, *all = u->ws.lstm.all; break;
    default: *B = u->ws.gru.B, *T = u->ws.gru.T, *all = u->ws.gru.all;
  }
}

static int l_backward(lua_State *L) {
  rec_ud *u = checkws(L);
  const char *fname = cell_bwd[u->kind];
  int B, T;
  bool all;
  last_shape(u, &B, &T, &all);
  if (B == 0) return nnb_error(L, fname, "backward before any forward");
  int64_t dsize[3] = {B, all ? T : u->H, u->H};
  nn_tensor *dout = check_shaped(L, 2, fname, all ? "gradOutput (B,T,H)" : "gradOutput (B,H)",
                                 all ? 3 : 2, dsize);
  weights w = get_weights(L, 3, u, fname, "params");
  weights g = get_weights(L, 4, u, fname, "grads");
  int oidx = 0;
  if (!lua_isnoneornil(L, 5)) {
    luaL_checktype(L, 5, LUA_TTABLE);
    oidx = 5;
  }
  lua_settop(L, 5);
  nn_tensor *dx = push_result(L, oidx, "dx", fname);
  int64_t xsize[3] = {B, T, u->D};
  NNB_CALL(L, fname, nn_tensor_resize(dx, 3, xsize));
  int64_t hsize[2] = {B, u->H};
  float *dh0 = NULL, *dc0 = NULL;
  if (u->h0) {
    nn_tensor *t = push_result(L, oidx, "dh0", fname);
    NNB_CALL(L, fname, nn_tensor_resize(t, 2, hsize));
    dh0 = nn_fdata(t);
  }
  if (u->c0) {
    nn_tensor *t = push_result(L, oidx, "dc0", fname);
    NNB_CALL(L, fname, nn_tensor_resize(t, 2, hsize));
    dc0 = nn_fdata(t);
  }
  float *d = nn_fdata(dout), *dxp = nn_fdata(dx);
  int rc;
  switch (u->kind) {
    case CELL_RNN:
      rc = nn_rnn_backward(&u->ws.rnn, dxp, dh0, g.wx, g.wh, g.b, d, w.wx, w.wh);
      break;
    case CELL_LSTM:
      rc = nn_lstm_backward(&u->ws.lstm, dxp, dh0, dc0, g.wx, g.wh, g.b, d, w.wx, w.wh);
      break;
    default:
      rc = nn_gru_backward(&u->ws.gru, dxp, dh0, g.wx, g.wh, g.b, g.bhn, d, w.wx, w.wh);
  }
  if (rc != NN_OK) return nnb_coreerror(L, fname);
  return lua_gettop(L) - 5;
}

static int l_info(lua_State *L) {
  rec_ud *u = checkws(L);
  int B, T;
  bool all;
  last_shape(u, &B, &T, &all);
  lua_createtable(L, 0, 7);
  lua_pushstring(L, cell_names[u->kind]), lua_setfield(L, -2, "cell");
  lua_pushinteger(L, u->D), lua_setfield(L, -2, "nin");
  lua_pushinteger(L, u->H), lua_setfield(L, -2, "nhid");
  lua_pushinteger(L, cell_gates[u->kind] * u->H), lua_setfield(L, -2, "gates");
  lua_pushinteger(L, B), lua_setfield(L, -2, "B");
  lua_pushinteger(L, T), lua_setfield(L, -2, "T");
  lua_pushinteger(L, (lua_Integer)ws_bytes(u)), lua_setfield(L, -2, "bytes");
  return 1;
}

static const nnb_reg methods[] = {
    {"forward", l_forward,
     "ws:forward(x, p [, opts]) -> out\n"
     "Runs the cell over a batch of sequences x (B,T,D) and keeps what backward\n"
     "needs.  p = {wx=(D,G), wh=(H,G), b=(G) [, bhn=(H) for the GRU]}, G = H (rnn),\n"
     "4H (lstm, gates i,f,g,o), 3H (gru, gates z,r,n).  opts: all=true for every\n"
     "state (B,T,H) instead of the last (B,H); h0=(B,H) [, c0=(B,H) lstm] initial\n"
     "states (zeros when absent); out=tensor to reuse.\n"
     "  ws = nn.C.recurrent('lstm', 3, 8)\n"
     "  h = ws:forward(nn.randn(2,5,3), {wx=nn.zeros(3,32), wh=nn.zeros(8,32), b=nn.zeros(32)})"},
    {"backward", l_backward,
     "ws:backward(dout, p, g [, opts]) -> dx [, dh0 [, dc0]]\n"
     "Back-propagates through all steps of the last forward.  dout has the shape of\n"
     "its output; g (same fields as p) receives += the weight gradients; dx (B,T,D)\n"
     "is returned, and dh0/dc0 when the forward was given h0/c0.  opts: dx=, dh0=,\n"
     "dc0= tensors to reuse."},
    {"info", l_info, "ws:info() -> {cell, nin, nhid, gates, B, T, bytes}: shapes and workspace size."},
    {NULL, NULL, NULL}};

static const nnb_reg functions[] = {
    {"recurrent", l_new,
     "nn.C.recurrent(cell, nin, nhid) -> workspace for one recurrent layer.\n"
     "cell is 'rnn', 'lstm' or 'gru'.  The workspace owns the buffers of forward and\n"
     "backward and reuses them across mini-batches; see ws:forward, ws:backward.\n"
     "Most code uses the modules nn.RNN, nn.LSTM, nn.GRU instead.\n"
     "  ws = nn.C.recurrent('gru', 3, 128)"},
    {NULL, NULL, NULL}};

void nnb_open_recurrent(lua_State *L) {
  if (luaL_newmetatable(L, WS_MT)) {
    lua_pushcfunction(L, l_gc), lua_setfield(L, -2, "__gc");
    lua_pushcfunction(L, l_tostring), lua_setfield(L, -2, "__tostring");
    lua_newtable(L);
    nnb_register(L, methods);
    lua_setfield(L, -2, "__index");
  }
  lua_pop(L, 1);
  /* Into nn.C with the other kernels (created here if layers.c has not). */
  if (lua_getfield(L, -1, "C") != LUA_TTABLE) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, -3, "C");
  }
  nnb_register(L, functions);
  lua_pop(L, 1);
}
