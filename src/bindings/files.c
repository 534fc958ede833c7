/* placeholder, filled below */
#include "nnb.h"
void nnb_open_files(lua_State *L) { (void)L; }
