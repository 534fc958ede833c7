/* Shared helpers of the Lua bindings: tensor userdata, argument checks,
 * docstrings.  Every binding file includes this and ends in a luaL_Reg table
 * registered by its nnb_open_* function (called from nn.c).
 *
 * Tensors are full userdata of metatable "nn.Tensor" holding an nn_tensor by
 * value; a view keeps its storage alive through the storage refcount, so no
 * Lua-side anchoring is needed.
 *
 * Error messages name the Lua-visible function: nnb_error(L, "nn.mm",
 * "size mismatch, (3x4) * (5x2)") raises "nn.mm: size mismatch, ...".
 */
#ifndef NNB_H
#define NNB_H

#include <lauxlib.h>
#include <lua.h>

#include "../core/tensor.h"

#define NNB_TENSOR_MT "nn.Tensor"

/* Push a new empty tensor userdata (float32 or int32) and return it. */
nn_tensor *nnb_newtensor(lua_State *L, nn_dtype dtype);
/* Checks that arg is a tensor; error names fname. */
nn_tensor *nnb_checktensor(lua_State *L, int arg, const char *fname);
nn_tensor *nnb_checkfloat(lua_State *L, int arg, const char *fname); /* NN_F32 */
nn_tensor *nnb_checkindex(lua_State *L, int arg, const char *fname); /* NN_I32 */
nn_tensor *nnb_totensor(lua_State *L, int arg); /* NULL if not a tensor */
/* Check a tensor has ndim dims. */
void nnb_checkdim(lua_State *L, const nn_tensor *t, int ndim, const char *fname,
                  const char *argname);

/* luaL_error with "fname: " prefix; never returns (the int return type
 * lets a lua_CFunction end in `return nnb_error(...)`).  Marked noreturn so
 * that the compiler and cppcheck know a check that fails stops there. */
__attribute__((noreturn)) int nnb_error(lua_State *L, const char *fname, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* After a core call returned NN_ERR: raise "fname: <core message>". */
__attribute__((noreturn)) int nnb_coreerror(lua_State *L, const char *fname);
#define NNB_CALL(L, fname, expr)                                               \
  do {                                                                         \
    if ((expr) != 0) nnb_coreerror((L), (fname));                              \
  } while (0)

/* Shape of t as "3x4" (static buffer, valid until the next call). */
const char *nnb_shape(const nn_tensor *t);

/* Docstrings: attach text to the function at stack index idx; help() and
 * the shell's `?name` read them back with nn.doc(fn). */
void nnb_setdoc(lua_State *L, int idx, const char *text);

/* Register functions into the table on top of the stack, with docstrings.
 * docs may be NULL or a NULL-terminated array parallel to fns. */
typedef struct nnb_reg {
  const char *name;
  lua_CFunction fn;
  const char *doc;
} nnb_reg;
void nnb_register(lua_State *L, const nnb_reg *fns);

/* Tell the Lua GC about malloc'd tensor memory it cannot see: runs a full
 * collection when tensor bytes have grown enough since the last one. */
void nnb_gc_pressure(lua_State *L);

/* Each binding file's entry point: adds its functions to the nn table on
 * top of the stack (and may create sub-tables, e.g. nn.h5_c).  luaopen_nn
 * (nn.c) calls every one; a part that is declared here but not linked is a
 * link error, never a silently missing function. */
void nnb_open_tensor(lua_State *L);      /* tensor.c */
void nnb_open_math(lua_State *L);        /* math.c */
void nnb_open_tensor_compare(lua_State *L); /* tensor_compare.c */
void nnb_open_tensor_shape(lua_State *L);   /* tensor_shape.c */
void nnb_open_random(lua_State *L);      /* random.c */
void nnb_open_interrupt(lua_State *L);   /* interrupt.c */
void nnb_open_h5(lua_State *L);          /* h5.c */
void nnb_open_image(lua_State *L);       /* image.c */
void nnb_open_layers(lua_State *L);      /* layers.c, norm_layers.c */
void nnb_open_losses(lua_State *L);      /* losses.c */
void nnb_open_optim(lua_State *L);       /* optim.c */
void nnb_open_recurrent(lua_State *L);   /* recurrent.c */
void nnb_open_autoencoder(lua_State *L); /* autoencoder.c */
void nnb_open_clock(lua_State *L);       /* clock.c */
void nnb_open_doc(lua_State *L);         /* doc.c */
void nnb_open_idx(lua_State *L);         /* idx.c */
void nnb_open_config(lua_State *L);      /* config.c */
void nnb_open_checks(lua_State *L);      /* checks.c */
void nnb_open_files(lua_State *L);       /* files.c */

/* --- integer arguments: one checker for every size, count and index --------
 * Accepts a Lua integer or an integral float (1e5 is 100000, everywhere),
 * rejects anything else (1.5, 0/0, 2^63, a string) and values outside
 * [lo, hi], with "fname: <what> must be ..., got <value>". */
#define NNB_MAXSIZE INT32_MAX /* one dimension: the kernels index with int */
int64_t nnb_checkint(lua_State *L, int arg, const char *fname, const char *what,
                     int64_t lo, int64_t hi);
/* Same, def when the argument is none or nil. */
int64_t nnb_optint(lua_State *L, int arg, const char *fname, const char *what,
                   int64_t lo, int64_t hi, int64_t def);
/* A size of one dimension, 0..NNB_MAXSIZE. */
#define nnb_checksize(L, arg, fname, what) nnb_checkint(L, arg, fname, what, 0, NNB_MAXSIZE)
/* A 1-based dimension number of t at arg (def when nil, 0 for required);
 * returns it 0-based.  Out of [1, t->ndim] is an error. */
int nnb_checkdimarg(lua_State *L, int arg, const nn_tensor *t, const char *fname,
                    int def);

/* Read dimensions given either as numbers from `arg` on (nn.zeros(2,3)) or
 * as one table (nn.zeros{2,3}); returns ndim.  Each is checked with
 * nnb_checksize; the product is checked by the core's allocation. */
int nnb_checkdims(lua_State *L, int arg, int64_t *size, const char *fname);
/* Index tensors hold 0-based values in C and show 1-based values in Lua. */
static inline double nnb_lua_value(const nn_tensor *t, int64_t off) {
  return t->dtype == NN_F32 ? (double)((float *)t->storage->data)[off]
                            : (double)((int32_t *)t->storage->data)[off] + 1;
}
/* Add methods (t:name(...)) to the tensor metatable's method table. */
void nnb_add_methods(lua_State *L, const nnb_reg *fns);
/* Push the tensor metatable, creating it on first use. */
void nnb_pushmetatable(lua_State *L);
/* Print a tensor Torch-style into a Lua string on the stack. */
void nnb_pushtensorstring(lua_State *L, const nn_tensor *t);
#endif
