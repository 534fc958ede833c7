/* Fully connected layer: out = inp · W + b over a batch of rows.
 *
 * Shapes (B = rows in the batch, C = input features, OC = output features):
 *   inp (B,C), weight (C,OC), bias (OC) or NULL, out (B,OC).
 * W is stored (in,out), so the forward pass is one row-major sgemm with no
 * transpose and the code reads like the formula x·W + b.  (Torch and
 * PyTorch store (out,in) and compute x·Wᵀ; a weight imported from them is
 * transposed once.)  All buffers are contiguous row-major.
 */
#ifndef NN_LINEAR_H
#define NN_LINEAR_H

/* out = inp·W + b.  The bias rows are written first and sgemm accumulates
 * onto them (beta = 1), so the bias costs no extra pass over out. */
void nn_linear_forward(float *out, const float *inp, const float *weight,
                       const float *bias, int B, int C, int OC);

/* dinp = dout·Wᵀ (overwritten; NULL when the input needs no gradient),
 * dweight += inpᵀ·dout, dbias += column sums of dout (NULL: no bias).
 * Two sgemm calls and a column sum. */
void nn_linear_backward(float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp,
                        const float *weight, int B, int C, int OC);

#endif
