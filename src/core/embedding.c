#include "embedding.h"

#include <string.h>

#include "error.h"

/* The message speaks the user's 1-based language (Lua side). */
static int check_indices(const int32_t *idx, int64_t N, int V) {
  for (int64_t n = 0; n < N; n++)
    NN_REQUIRE(idx[n] >= 0 && idx[n] < V,
               "index %lld (element %lld) is outside 1..%d, the rows of the table",
               (long long)idx[n] + 1, (long long)n + 1, V);
  return NN_OK;
}

int nn_embedding_forward(float *out, const int32_t *idx, const float *weight,
                         int64_t N, int V, int D) {
  NN_TRY(check_indices(idx, N, V));
  for (int64_t n = 0; n < N; n++)
    memcpy(out + n * D, weight + (int64_t)idx[n] * D, sizeof(float) * (size_t)D);
  return NN_OK;
}

int nn_embedding_backward(float *dweight, const float *dout, const int32_t *idx,
                          int64_t N, int V, int D) {
  NN_TRY(check_indices(idx, N, V));
  for (int64_t n = 0; n < N; n++) {
    float *row = dweight + (int64_t)idx[n] * D;
    const float *g = dout + n * D;
    for (int d = 0; d < D; d++) row[d] += g[d];
  }
  return NN_OK;
}
