/* nn._check_int: the bindings' integer-argument check (nnb_checkint) for
 * the Lua modules, so nn.Linear(1e5, 10) and nn.zeros(1e5) accept and
 * refuse the same values with the same words. */
#include "nnb.h"

/* nn._check_int(v, fname, what [, lo [, hi]]) -> v as a Lua integer.
 * lo defaults to 1 (a positive size), hi to the largest dimension size. */
static int l_check_int(lua_State *L) {
  const char *fname = luaL_checkstring(L, 2), *what = luaL_checkstring(L, 3);
  int64_t lo = lua_isnoneornil(L, 4) ? 1 : (int64_t)luaL_checkinteger(L, 4);
  int64_t hi = lua_isnoneornil(L, 5) ? NNB_MAXSIZE : (int64_t)luaL_checkinteger(L, 5);
  lua_pushinteger(L, nnb_checkint(L, 1, fname, what, lo, hi));
  return 1;
}

static const nnb_reg fns[] = {
    {"_check_int", l_check_int,
     "nn._check_int(v, fname, what [, lo=1 [, hi=2^31-1]]) -> integer\n"
     "The check every size, count and dimension argument goes through: v must\n"
     "be an integer or an integral float (1e5) in [lo, hi]; otherwise an error\n"
     "\"fname: what must be ..., got v\"."},
    {NULL, NULL, NULL}};

void nnb_open_checks(lua_State *L) { nnb_register(L, fns); }
