/* Argument helpers shared by the kernel bindings (layers.c, losses.c,
 * optim.c), which expose src/core kernels in the nn.C sub-table.
 * Every helper raises "fname: ..." on a bad argument. */
#ifndef NNB_KERNELS_H
#define NNB_KERNELS_H

#include "nnb.h"

/* A float tensor read by a kernel: must be contiguous. */
nn_tensor *nnbk_input(lua_State *L, int arg, const char *fname, const char *name);
/* The same for a value that is not an argument (a table field at stack
 * index idx): errors call it `name` ("params.wx must be a tensor, got nil"). */
nn_tensor *nnbk_named_input(lua_State *L, int idx, const char *fname, const char *name);
/* t must have exactly ndim dims of these sizes ("name must be 3x16, got 16x3"). */
void nnbk_check_shape(lua_State *L, const nn_tensor *t, int ndim, const int64_t *size,
                      const char *fname, const char *name);
/* A float tensor a kernel writes; it is resized by the binding. */
nn_tensor *nnbk_output(lua_State *L, int arg, const char *fname, const char *name);
/* Resize out to like's shape (buffer reused when the shape repeats). */
void nnbk_resize_as(lua_State *L, nn_tensor *out, const nn_tensor *like, const char *fname);
void nnbk_same_shape(lua_State *L, const nn_tensor *a, const nn_tensor *b,
                     const char *fname, const char *an, const char *bn);
/* For kernels that cannot work in place (sgemm, row reductions). */
void nnbk_distinct(lua_State *L, const nn_tensor *out, const nn_tensor *in,
                   const char *fname, const char *on, const char *in_name);
/* Push nn.C (creating it) given the nn table on top of the stack. */
void nnbk_push_subtable(lua_State *L);
/* A tensor as (rows, last dim): the batch of rows a row kernel sees. */
void nnbk_rows_cols(const nn_tensor *t, int64_t *rows, int64_t *cols);
/* Add the batch/layer norm kernels to the table on top (norm_layers.c). */
void nnbk_register_norm(lua_State *L);
/* Add the convolution, pooling and group norm kernels (conv_layers.c). */
void nnbk_register_conv(lua_State *L);
/* Add nn.C.context_mlp_topk to the table on top (query_kernels.c). */
void nnbk_register_query(lua_State *L);
/* Add the fused training step of an embedding MLP (mlp_step.c). */
void nnbk_register_mlp_step(lua_State *L);

#endif
