/* Bindings of the recurrent cells (src/core/recurrent_pair.h over rnn.h, lstm.h, gru.h).
 *
 * nn.C.recurrent(cell, nin, nhid) makes a workspace userdata (metatable
 * "nn.Recurrent") that owns the cell's buffers; the Lua modules nn.RNN,
 * nn.LSTM and nn.GRU (lua/nn/recurrent.lua) keep one each and call
 *   ws:forward(x, p [, opts])          -> out
 *   ws:backward(dout, p, g [, opts])   -> dx, dh0, dc0
 * p and g are tables of tensors {wx=, wh=, b=, bhn=} (bhn only for the GRU);
 * g's tensors are accumulated into.  Every shape is checked here: nothing
 * reaches the kernels unchecked.  Layout (B,T,D) in, (B,T,H) or (B,H) out.
 * With nnsh's pair the core may run the two halves of a batch on two cores.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../core/error.h"
#include "../core/recurrent_pair.h"
#include "nnb.h"
#include "nnb_kernels.h"

#define WS_MT "nn.Recurrent"

/* The weights (or their gradients) of one layer: p or g of the Lua calls. */
typedef struct weights {
  float *wx, *wh, *b, *bhn;
} weights;

/* The Lua names of a cell, in the order of nn_rec_cells. */
typedef struct cell_names {
  const char *fwd, *bwd;
} cell_names;

static const cell_names names[NN_REC_NCELLS] = {
    [NN_REC_RNN] = {"nn.RNN:forward", "nn.RNN:backward"},
    [NN_REC_LSTM] = {"nn.LSTM:forward", "nn.LSTM:backward"},
    [NN_REC_GRU] = {"nn.GRU:forward", "nn.GRU:backward"},
};
/* For luaL_checkoption, in the order of nn_rec_cells. */
static const char *const cell_options[] = {"rnn", "lstm", "gru", NULL};

typedef struct rec_ud {
  nn_rec_layer layer; /* the cell, its shapes and workspaces */
  const cell_names *names;
  int B, T;    /* of the last successful forward; B == 0 before any */
  bool all;    /* ... which returned every state */
  bool h0, c0; /* ... and was given initial states */
} rec_ud;

static rec_ud *checkws(lua_State *L) { return luaL_checkudata(L, 1, WS_MT); }

static int l_gc(lua_State *L) {
  rec_ud *u = checkws(L);
  nn_rec_layer_free(&u->layer);
  return 0;
}

static int l_tostring(lua_State *L) {
  rec_ud *u = checkws(L);
  char buf[96];
  snprintf(buf, sizeof buf, "nn.Recurrent(%s, %d -> %d, workspace %.1f MB)",
           u->layer.cell->name, u->layer.D, u->layer.H,
           (double)nn_rec_layer_bytes(&u->layer) / (1 << 20));
  lua_pushstring(L, buf);
  return 1;
}

static int l_new(lua_State *L) {
  int kind = luaL_checkoption(L, 1, NULL, cell_options);
  lua_Integer D = luaL_checkinteger(L, 2), H = luaL_checkinteger(L, 3);
  if (D < 1 || D > (1 << 20) || H < 1 || H > (1 << 16))
    return nnb_error(L, "nn.C.recurrent",
                     "need 1 <= nin <= 2^20 and 1 <= nhid <= 2^16, got %lld, %lld",
                     (long long)D, (long long)H);
  rec_ud *u = lua_newuserdatauv(L, sizeof(rec_ud), 0);
  memset(u, 0, sizeof *u);
  nn_rec_layer_init(&u->layer, kind, (int)D, (int)H);
  u->names = &names[kind];
  luaL_setmetatable(L, WS_MT);
  return 1;
}

/* The float tensor at stack index idx: contiguous, of exactly this shape. */
static float *shaped(lua_State *L, int idx, const char *fname, const char *name, int ndim,
                     const int64_t *size) {
  nn_tensor *t = nnbk_named_input(L, idx, fname, name);
  nnbk_check_shape(L, t, ndim, size, fname, name);
  return nn_fdata(t);
}

/* Field `name` of the table at tidx as a float tensor of the given shape. */
static float *field_tensor(lua_State *L, int tidx, const char *name, const char *fname,
                           const char *tabname, int ndim, int64_t d0, int64_t d1) {
  char argname[48];
  snprintf(argname, sizeof argname, "%s.%s", tabname, name);
  lua_getfield(L, tidx, name);
  int64_t size[2] = {d0, d1};
  float *p = shaped(L, -1, fname, argname, ndim, size);
  lua_pop(L, 1); /* the table keeps it alive */
  return p;
}

static weights get_weights(lua_State *L, int tidx, const rec_ud *u, const char *fname,
                           const char *tabname) {
  luaL_checktype(L, tidx, LUA_TTABLE);
  int64_t G = (int64_t)u->layer.cell->gates * u->layer.H;
  weights w = {0};
  w.wx = field_tensor(L, tidx, "wx", fname, tabname, 2, u->layer.D, G);
  w.wh = field_tensor(L, tidx, "wh", fname, tabname, 2, u->layer.H, G);
  w.b = field_tensor(L, tidx, "b", fname, tabname, 1, G, 0);
  if (u->layer.cell->has_bhn) w.bhn = field_tensor(L, tidx, "bhn", fname, tabname, 1, u->layer.H, 0);
  return w;
}

/* opts[name] as a (B,H) state tensor, or NULL when absent. */
static float *opt_state(lua_State *L, int oidx, const char *name, const char *fname,
                        int64_t B, int64_t H) {
  if (!oidx) return NULL;
  if (lua_getfield(L, oidx, name) == LUA_TNIL) {
    lua_pop(L, 1);
    return NULL;
  }
  char argname[32];
  snprintf(argname, sizeof argname, "opts.%s", name);
  int64_t size[2] = {B, H};
  float *p = shaped(L, -1, fname, argname, 2, size);
  lua_pop(L, 1);
  return p;
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

/* Push a result tensor resized to (d0,d1[,d2]) and return its data. */
static float *push_sized(lua_State *L, int oidx, const char *name, const char *fname,
                         int ndim, int64_t d0, int64_t d1, int64_t d2) {
  nn_tensor *t = push_result(L, oidx, name, fname);
  int64_t size[3] = {d0, d1, d2};
  NNB_CALL(L, fname, nn_tensor_resize(t, ndim, size));
  return nn_fdata(t);
}

/* The optional options table at arg: its index, or 0. */
static int opts_index(lua_State *L, int arg) {
  if (lua_isnoneornil(L, arg)) return 0;
  luaL_checktype(L, arg, LUA_TTABLE);
  return arg;
}

static int l_forward(lua_State *L) {
  rec_ud *u = checkws(L);
  const char *fname = u->names->fwd;
  nn_tensor *x = nnb_checkfloat(L, 2, fname);
  if (x->ndim != 3)
    return nnb_error(L, fname, "input must be 3-d (batch, time, features) = (B,T,%d), got %s",
                     u->layer.D, nnb_shape(x));
  if (x->size[2] != u->layer.D)
    return nnb_error(L, fname, "input has %lld features per step, the layer expects %d (input %s)",
                     (long long)x->size[2], u->layer.D, nnb_shape(x));
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
  nn_rec_call a = {.x = nn_fdata(x), .B = (int)B, .T = (int)T};
  weights w = get_weights(L, 3, u, fname, "params");
  a.wx = w.wx, a.wh = w.wh, a.b = w.b, a.bhn = w.bhn;
  int oidx = opts_index(L, 4);
  if (oidx) {
    lua_getfield(L, oidx, "all");
    a.all = lua_toboolean(L, -1);
    lua_pop(L, 1);
  }
  a.h0 = opt_state(L, oidx, "h0", fname, B, u->layer.H);
  a.c0 = opt_state(L, oidx, "c0", fname, B, u->layer.H);
  if (a.c0 && !u->layer.cell->has_c)
    return nnb_error(L, fname, "opts.c0: only the LSTM has a cell state");
  nn_tensor *out = push_result(L, oidx, "out", fname);
  if (out->storage && out->storage == x->storage)
    return nnb_error(L, fname, "opts.out must not share memory with the input");
  int64_t osize[3] = {B, a.all ? T : u->layer.H, u->layer.H};
  NNB_CALL(L, fname, nn_tensor_resize(out, a.all ? 3 : 2, osize));
  a.out = nn_fdata(out);
  NNB_CALL(L, fname, nn_rec_layer_forward(&u->layer, &a));
  u->B = a.B, u->T = a.T, u->all = a.all;
  u->h0 = a.h0 != NULL, u->c0 = a.c0 != NULL;
  return 1;
}

static int l_backward(lua_State *L) {
  rec_ud *u = checkws(L);
  const char *fname = u->names->bwd;
  if (u->B == 0) return nnb_error(L, fname, "backward before any forward");
  nn_rec_call a = {.B = u->B, .T = u->T, .all = u->all};
  int64_t dsize[3] = {a.B, a.all ? a.T : u->layer.H, u->layer.H};
  a.dout = shaped(L, 2, fname, a.all ? "gradOutput (B,T,H)" : "gradOutput (B,H)",
                  a.all ? 3 : 2, dsize);
  weights w = get_weights(L, 3, u, fname, "params"), g = get_weights(L, 4, u, fname, "grads");
  a.wx = w.wx, a.wh = w.wh, a.b = w.b, a.bhn = w.bhn;
  a.dwx = g.wx, a.dwh = g.wh, a.db = g.b, a.dbhn = g.bhn;
  int oidx = opts_index(L, 5);
  lua_settop(L, 5);
  a.dx = push_sized(L, oidx, "dx", fname, 3, a.B, a.T, u->layer.D);
  if (u->h0) a.dh0 = push_sized(L, oidx, "dh0", fname, 2, a.B, u->layer.H, 0);
  if (u->c0) a.dc0 = push_sized(L, oidx, "dc0", fname, 2, a.B, u->layer.H, 0);
  NNB_CALL(L, fname, nn_rec_layer_backward(&u->layer, &a));
  return lua_gettop(L) - 5;
}

static int l_info(lua_State *L) {
  rec_ud *u = checkws(L);
  lua_createtable(L, 0, 7);
  lua_pushstring(L, u->layer.cell->name), lua_setfield(L, -2, "cell");
  lua_pushinteger(L, u->layer.D), lua_setfield(L, -2, "nin");
  lua_pushinteger(L, u->layer.H), lua_setfield(L, -2, "nhid");
  lua_pushinteger(L, u->layer.cell->gates * u->layer.H), lua_setfield(L, -2, "gates");
  lua_pushinteger(L, u->B), lua_setfield(L, -2, "B");
  lua_pushinteger(L, u->T), lua_setfield(L, -2, "T");
  lua_pushinteger(L, (lua_Integer)nn_rec_layer_bytes(&u->layer)), lua_setfield(L, -2, "bytes");
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
  nnbk_push_subtable(L); /* into nn.C with the other kernels */
  nnb_register(L, functions);
  lua_pop(L, 1);
}
