#include "linear.h"

#include <string.h>

#include "blas.h"
#include "pair.h"

void nn_linear_forward(float *out, const float *inp, const float *weight,
                       const float *bias, int B, int C, int OC) {
  if (bias) {
    for (int b = 0; b < B; b++)
      memcpy(out + (ptrdiff_t)b * OC, bias, sizeof(float) * (size_t)OC);
  }
  nn_sgemm(false, false, B, OC, C, 1.0f, inp, C, weight, OC, bias ? 1.0f : 0.0f,
           out, OC);
}

/* The two halves of the backward pass, as jobs for nn_pair_run. */
typedef struct {
  float *dinp, *dweight, *dbias;
  const float *dout, *inp, *weight;
  int B, C, OC;
} backward_args;

static void backward_input(void *p) {
  const backward_args *a = p;
  nn_sgemm(false, true, a->B, a->C, a->OC, 1.0f, a->dout, a->OC, a->weight, a->OC, 0.0f,
           a->dinp, a->C);
}

static void backward_params(void *p) {
  const backward_args *a = p;
  nn_sgemm(true, false, a->C, a->OC, a->B, 1.0f, a->inp, a->C, a->dout, a->OC, 1.0f,
           a->dweight, a->OC);
  if (a->dbias) {
    for (int b = 0; b < a->B; b++) {
      const float *row = a->dout + (ptrdiff_t)b * a->OC;
      for (int o = 0; o < a->OC; o++) a->dbias[o] += row[o];
    }
  }
}

/* Below this many multiply-adds per product a thread hand-off costs more
 * than it saves (a few µs against ~10 GFLOP/s per core at worst). */
enum { PAIR_MIN_MACS = 1 << 17 };

void nn_linear_backward(float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp,
                        const float *weight, int B, int C, int OC) {
  backward_args a = {dinp, dweight, dbias, dout, inp, weight, B, C, OC};
  /* dX and dW read the same dout and write disjoint buffers: two cores
   * when the pair is active, bitwise the same either way. */
  if (dinp && (double)B * C * OC >= PAIR_MIN_MACS)
    nn_pair_run(backward_input, &a, backward_params, &a);
  else {
    if (dinp) backward_input(&a);
    backward_params(&a);
  }
}
