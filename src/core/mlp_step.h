/* One training step (forward, softmax cross-entropy, backward) of an
 * embedding MLP classifier, as one kernel: the Q2 trigram model's
 *   Embedding(V, D) of T ids per row -> concatenated (T·D)
 *   -> Linear(T·D, H) -> sigmoid | tanh | ReLU -> Linear(H, O) -> cross-entropy.
 * nn.training_step runs nn.Sequential{Embedding, View|Flatten, Linear,
 * Sigmoid|Tanh|ReLU, Linear} with nn.CrossEntropyLoss through it
 * (lua/nn/mlp_step.lua).
 *
 * Shapes: idx (B, T) and labels (B), 0-based; E (V, D), W1 (T·D, H),
 * b1 (H), W2 (H, O), b2 (O) (biases may be NULL), stored as nn.Linear
 * stores them (in, out).  The gradients accumulate (+=) as the layers'
 * backward passes do, or are overwritten (p->overwrite); the loss is the
 * batch mean, as nn_crossentropy_loss.
 * The forward values are written for the caller (the modules' outputs):
 * emb (B, T·D), pre (B, H) the first product plus bias, hid (B, H) the
 * activation, logits (B, O).
 *
 * Why: the layers one by one on two cores split each product and each
 * element-wise loop across the pair, about ten hand-offs per step, each
 * product in halves too small for sgemm to run at full rate.  Here the
 * batch is split instead: rows [0, B/2) and [B/2, B) each go forward and
 * backward on their own core with single-threaded sgemm, one hand-off per
 * step.  Half 0 accumulates its weight gradients into dW1.. directly; half
 * 1 writes its own in the workspace, added after both are done, in that
 * order; the embedding rows of half 1 are scatter-added after half 0's, so
 * dE sums its rows in batch order as the Embedding layer does.  With the
 * pair off the same halves run one after the other: the result is bitwise
 * the same on one or two threads, and on every run.  It is not bitwise
 * the layer-by-layer path: the weight gradients' sums over the batch are
 * split in two.  The forward values and the loss are computed as there.
 */
#ifndef NN_MLP_STEP_H
#define NN_MLP_STEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum { NN_MLP_SIGMOID, NN_MLP_TANH, NN_MLP_RELU } nn_mlp_act;

typedef struct {
  int B, T, V, D, H, O; /* rows, ids per row, vocabulary, embedding, hidden, classes */
  nn_mlp_act act;
} nn_mlp_shape;

typedef struct {
  const float *E, *W1, *b1, *W2, *b2;
  float *dE, *dW1, *db1, *dW2, *db2; /* db1/db2 NULL when b1/b2 are */
  /* Write the gradients (=) instead of adding to them: saves zeroing them
   * first and reading them in the products.  Not for gradients that share
   * memory with each other. */
  bool overwrite;
} nn_mlp_params;

typedef struct {
  float *emb, *pre, *hid, *logits;
} nn_mlp_values;

/* Is the kernel the faster way now?  Yes on nnsh's pair, or on one
 * thread (the halves one after the other, ~3-5% slower than the layers but
 * the same bits as on the pair); not under OpenBLAS's own threads
 * (NNSH_PAIR=0), which run two half-size products less well than one. */
bool nn_mlp_step_pays(void);

/* Floats of workspace for the shape: half 1's weight gradients and the
 * gradients of both halves' activations. */
size_t nn_mlp_workspace(const nn_mlp_shape *s);

/* NN_ERR (nothing written) for an id outside [0, V) or a label outside
 * [0, O).  *ncorrect: rows whose label has the top logit (first on ties). */
int nn_mlp_step(double *loss, int64_t *ncorrect, const nn_mlp_shape *s,
                const nn_mlp_params *p, const int32_t *idx, const int32_t *labels,
                const nn_mlp_values *v, float *ws);

#endif
