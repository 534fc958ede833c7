/* Flat parameter blocks: k float32 tensors laid end to end in one
 * contiguous storage, each tensor a view of its own range (llm.c keeps all
 * parameters in one block and all gradients in another).  An optimizer
 * step, zeroing the gradients, clipping their norm or snapshotting the
 * weights then is one pass over one array instead of one call per tensor.
 *
 * Packing keeps the tensor structs (and so the Lua userdata that hold them):
 * only their storage and offset change, so every reference a user or a
 * module already holds sees the block.  Values are copied, shapes kept.
 */
#ifndef NN_FLAT_H
#define NN_FLAT_H

#include <stdbool.h>

#include "tensor.h"

/* True when ts[0..k) are contiguous float32 views of flat's storage, in
 * order, end to end from flat's first element, and together cover flat
 * (a 1-d contiguous tensor).  k may be 0 (then flat must be empty). */
bool nn_flat_is_packed(const nn_tensor *flat, nn_tensor *const *ts, int k);

/* Make flat a new 1-d block of the summed sizes holding the values of
 * ts[0..k) in order, and each ts[i] a view of its range.  The tensors must
 * be contiguous float32 and pairwise disjoint in memory (two names for one
 * memory would be split into two copies: the caller passes each once). */
int nn_flat_pack(nn_tensor *flat, nn_tensor *const *ts, int k);

#endif
