/* Inverted dropout: in training each element is kept with probability 1-p
 * and scaled by 1/(1-p), so the expected activation is unchanged and the
 * evaluation-mode layer is the identity (no rescaling at test time).
 */
#ifndef NN_DROPOUT_H
#define NN_DROPOUT_H

#include <stdint.h>

#include "random.h"

/* mask[i] = 0 or 1/(1-p) drawn from rng (one 32-bit draw per element, so a
 * seed fixes the mask), out = inp * mask.  p in [0,1); out may alias inp. */
void nn_dropout_forward(float *out, float *mask, const float *inp, int64_t n,
                        float p, nn_rng *rng);

/* dinp = dout * mask (overwrite; may alias dout). */
void nn_dropout_backward(float *dinp, const float *dout, const float *mask,
                         int64_t n);

#endif
