/* nn.clock(): monotonic wall-clock seconds, for timing epochs and
 * benchmarks.  os.clock() is CPU time, summed over OpenBLAS threads, and
 * os.time() has one-second resolution; neither measures seconds per epoch. */
#include <time.h>

#include "nnb.h"

static int l_clock(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + 1e-9 * (lua_Number)ts.tv_nsec);
  return 1;
}

static const nnb_reg clock_fns[] = {
    {"clock", l_clock,
     "nn.clock() -> monotonic wall-clock seconds (differences are elapsed time).\n"
     "  local t0 = nn.clock(); work(); print(nn.clock() - t0, 's')"},
    {NULL, NULL, NULL}};

void nnb_open_clock(lua_State *L) { nnb_register(L, clock_fns); }
