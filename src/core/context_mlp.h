/* One query through an embedding-context MLP (the Q2 trigram model):
 *
 *   x = [R[ids[0]], ..., R[ids[n-1]]]    the n context words' embeddings (n*D)
 *   h = sigmoid(x·W1 + b1)               (P)
 *   p = softmax(h·W2 + b2)               (V)
 *   the k largest p, descending, with their 0-based indices
 *
 * The same kernels, in the same order, as the layer-by-layer forward pass
 * of nn.Embedding, nn.Linear, nn.Sigmoid, nn.Linear and softmax on a batch
 * of one row, then topk: the result is bitwise the generic path's, without
 * its per-layer dispatch and allocations.  Weights are stored (in,out) as
 * nn.Linear's; biases may be NULL.
 */
#ifndef NN_CONTEXT_MLP_H
#define NN_CONTEXT_MLP_H

#include <stdint.h>

typedef struct {
  const float *R;   /* (Vin, D) embedding table */
  int Vin, D;
  const float *W1;  /* (n*D, P) */
  const float *b1;  /* (P) or NULL */
  int P;
  const float *W2;  /* (P, V) */
  const float *b2;  /* (V) or NULL */
  int V;
} nn_context_mlp;

/* Floats of work space a query with n context words needs. */
int64_t nn_context_mlp_work(const nn_context_mlp *m, int n);

/* The top k (1 <= k <= V) next-word probabilities for the context ids[0..n)
 * (0-based rows of R); work has nn_context_mlp_work(m, n) floats.  NN_ERR
 * (nothing computed) when an id is outside [0, Vin). */
int nn_context_mlp_topk(const nn_context_mlp *m, const int32_t *ids, int n, int k,
                        float *work, float *top_p, int32_t *top_ix);

#endif
