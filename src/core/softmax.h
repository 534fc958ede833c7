/* Softmax over the last dimension: each of the B rows of C scores becomes a
 * probability distribution.  Stable: the row maximum is subtracted before
 * exponentiating.  For training a classifier use the fused
 * nn_crossentropy_loss (losses.h) instead of softmax followed by a log.
 */
#ifndef NN_SOFTMAX_H
#define NN_SOFTMAX_H

/* out (B,C) = exp(inp - rowmax) / rowsum; out may alias inp. */
void nn_softmax_forward(float *out, const float *inp, int B, int C);

/* dinp = out ⊙ (dout - <dout, out>) row by row (overwrite; may alias dout). */
void nn_softmax_backward(float *dinp, const float *dout, const float *out,
                         int B, int C);

/* out = log softmax(inp), by log-sum-exp; out may alias inp. */
void nn_log_softmax_forward(float *out, const float *inp, int B, int C);

#endif
