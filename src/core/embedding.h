/* Embedding: row lookup in a table by 0-based int32 indices.
 *
 * Shapes: weight (V,D), idx (N) — any index tensor flattened, e.g. the
 * (B,3) context words of the trigram model give N = 3B — and out (N,D),
 * which the caller may view as (B, 3D): the concatenated context.
 */
#ifndef NN_EMBEDDING_H
#define NN_EMBEDDING_H

#include <stdint.h>

/* out[n] = weight[idx[n]].  NN_ERR (nothing written past the bad row) when
 * an index is outside [0,V). */
int nn_embedding_forward(float *out, const int32_t *idx, const float *weight,
                         int64_t N, int V, int D);

/* dweight[idx[n]] += dout[n]: a scatter-add, so a word appearing several
 * times in the batch (or in several context positions) collects all its
 * gradients.  NN_ERR for an index outside [0,V), checked before any write. */
int nn_embedding_backward(float *dweight, const float *dout, const int32_t *idx,
                          int64_t N, int V, int D);

#endif
