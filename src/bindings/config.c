/* nn.config(): how the numerical core runs — the OpenBLAS kernel and why it
 * was chosen, threads, flush-to-zero, the two-core pair — and a way to
 * change the run-time parts.  Opening nn applies the FTZ setting
 * (NNSH_FTZ, src/core/fpmode.h) so that nn.so under stock lua5.4 behaves
 * as nnsh does. */
#include <stdlib.h>
#include <string.h>

#include "../core/blas.h"
#include "../core/blas_choice.h"
#include "../core/fpmode.h"
#include "../core/pair.h"
#include "nnb.h"

static const char *source_name(nn_core_source s) {
  switch (s) {
  case NN_CORE_USER: return "OPENBLAS_CORETYPE";
  case NN_CORE_OPTION: return "option";
  case NN_CORE_AUTO: return "nnsh";
  default: return "OpenBLAS";
  }
}

static void setfield_s(lua_State *L, const char *k, const char *v) {
  lua_pushstring(L, v);
  lua_setfield(L, -2, k);
}

static bool opt_bool(lua_State *L, const char *key, bool *out) {
  int t = lua_getfield(L, 1, key);
  if (t == LUA_TNIL) {
    lua_pop(L, 1);
    return false;
  }
  if (t != LUA_TBOOLEAN)
    nnb_error(L, "nn.config", "field '%s' must be a boolean, got %s", key, luaL_typename(L, -1));
  *out = lua_toboolean(L, -1);
  lua_pop(L, 1);
  return true;
}

static void apply(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    if (!k || (strcmp(k, "ftz") && strcmp(k, "pair") && strcmp(k, "threads")))
      nnb_error(L, "nn.config", "unknown setting %s (settable: ftz, pair, threads)",
                luaL_tolstring(L, -2, NULL));
    lua_pop(L, 1);
  }
  bool b;
  if (opt_bool(L, "ftz", &b)) nn_fp_set_ftz(b);
  if (opt_bool(L, "pair", &b)) nn_pair_enable(b);
  if (lua_getfield(L, 1, "threads") != LUA_TNIL) {
    int isint;
    lua_Integer n = lua_tointegerx(L, -1, &isint);
    if (!isint || n < 1 || n > 1024)
      nnb_error(L, "nn.config", "threads must be an integer from 1 to 1024, got %s",
                luaL_tolstring(L, -1, NULL));
    nn_blas_set_threads((int)n);
  }
  lua_pop(L, 1);
}

static int l_config(lua_State *L) {
  if (!lua_isnoneornil(L, 1)) apply(L);
  const nn_blas_report *r = nn_blas_report_get();
  lua_createtable(L, 0, 12);
  setfield_s(L, "blas_core", nn_blas_corename());
  setfield_s(L, "blas_config", nn_blas_config());
  lua_pushinteger(L, nn_blas_threads());
  lua_setfield(L, -2, "threads");
  lua_pushinteger(L, nn_blas_openblas_threads());
  lua_setfield(L, -2, "openblas_threads");
  if (r->filled) {
    setfield_s(L, "blas_detected", r->detected);
    setfield_s(L, "blas_source", source_name(r->choice.source));
    setfield_s(L, "blas_reason", r->choice.reason);
    setfield_s(L, "blas_selfcheck", r->selfcheck > 0 ? "passed" : r->selfcheck < 0 ? "failed" : "not run");
    setfield_s(L, "cpu", r->cpu);
  } else {
    const char *user = getenv("OPENBLAS_CORETYPE");
    nn_cpu cpu;
    char desc[96];
    nn_cpu_probe(&cpu);
    nn_cpu_describe(&cpu, desc, sizeof desc);
    setfield_s(L, "blas_detected", user && *user ? "?" : nn_blas_corename());
    setfield_s(L, "blas_source", user && *user ? "OPENBLAS_CORETYPE" : "OpenBLAS");
    lua_pushfstring(L, "%s (nn loaded outside nnsh: no kernel choice)",
                    user && *user ? "OPENBLAS_CORETYPE in the environment" : "OpenBLAS's own detection");
    lua_setfield(L, -2, "blas_reason");
    setfield_s(L, "blas_selfcheck", "not run");
    setfield_s(L, "cpu", desc);
  }
  lua_pushboolean(L, nn_fp_ftz());
  lua_setfield(L, -2, "ftz");
  lua_pushboolean(L, nn_pair_enabled());
  lua_setfield(L, -2, "pair");
  lua_pushboolean(L, nn_pair_active());
  lua_setfield(L, -2, "pair_active");
  return 1;
}

static int selfcheck_result(lua_State *L) {
  char msg[160];
  bool ok = nn_blas_selfcheck(nn_sgemm, msg, sizeof msg);
  lua_pushboolean(L, ok);
  if (ok) return 1;
  lua_pushstring(L, msg);
  return 2;
}

static const nnb_reg config_fns[] = {
    {"config", l_config,
     "nn.config([settings]) -> table\n"
     "How the numerical core runs: blas_core (the OpenBLAS kernel running),\n"
     "blas_detected (what OpenBLAS chose by itself), blas_source (OpenBLAS,\n"
     "OPENBLAS_CORETYPE, option or nnsh), blas_reason (why, in words),\n"
     "blas_selfcheck, blas_config, cpu, threads (OpenBLAS threads), ftz\n"
     "(subnormal floats flushed to zero), pair (two-core products enabled)\n"
     "and pair_active (in use now: needs threads >= 2).\n"
     "settings {ftz=bool, pair=bool, threads=n} change those first.\n"
     "Example: local c = nn.config(); print(c.blas_core, c.blas_reason, c.ftz)\n"
     "         nn.config{threads = c.threads}  -- e.g. {ftz = false}: keep subnormals"},
    {"blas_selfcheck", selfcheck_result,
     "nn.blas_selfcheck() -> true | false, message\n"
     "Compare OpenBLAS sgemm with a double-precision naive product on awkward\n"
     "shapes (all transposes, odd sizes, padded rows); nnsh runs it at\n"
     "start-up after choosing a kernel itself.\n"
     "Example: assert(nn.blas_selfcheck())"},
    {NULL, NULL, NULL}};

void nnb_open_config(lua_State *L) {
  nn_fp_set_ftz(nn_fp_ftz_wanted());
  nn_blas_set_threads(nn_blas_threads()); /* with 2+ threads: the pair, OpenBLAS 1 */
  nnb_register(L, config_fns);
}
