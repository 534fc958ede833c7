#include "context_mlp.h"

#include "activation.h"
#include "embedding.h"
#include "error.h"
#include "linear.h"
#include "softmax.h"
#include "tensor_index.h"

int64_t nn_context_mlp_work(const nn_context_mlp *m, int n) {
  return (int64_t)n * m->D + m->P + 2 * (int64_t)m->V;
}

int nn_context_mlp_topk(const nn_context_mlp *m, const int32_t *ids, int n, int k,
                        float *work, float *top_p, int32_t *top_ix) {
  float *x = work, *h = x + (int64_t)n * m->D, *s = h + m->P, *p = s + m->V;
  int rc = nn_embedding_forward(x, ids, m->R, n, m->Vin, m->D);
  if (rc != NN_OK) return rc;
  nn_linear_forward(h, x, m->W1, m->b1, 1, n * m->D, m->P);
  nn_sigmoid_forward(h, h, m->P);
  nn_linear_forward(s, h, m->W2, m->b2, 1, m->P, m->V);
  nn_softmax_forward(p, s, 1, m->V);
  nn_topk_row(p, m->V, k, top_p, top_ix);
  return NN_OK;
}
