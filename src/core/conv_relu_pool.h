/* The conv - ReLU - 2x2 max pool sandwich as one kernel (the first layer of
 * the Q5 ConvNet).  nn.Sequential runs its modules nn.Conv2d, nn.ReLU,
 * nn.MaxPool2d(2) through it when they follow each other (lua/nn/sequential.lua).
 *
 * Shapes: inp (N, C, H, W), weight (OC, C, KH, KW), bias (OC) or NULL; the
 * convolution's output (N, OC, OH, OW) with OH, OW even (nn_conv2d_geometry);
 * out (N, OC, OH/2, OW/2).  The math is the three layers':
 *   z = conv(inp) + bias,  out[n,o,i,j] = max over the 2x2 window of relu(z),
 * ties to the first element of the window in scan order; the gradient of
 * out goes to that element when its z > 0.  Forward values are bitwise those
 * of the three layers run one after the other; the gradient of z is too.
 *
 * Why: the three layers apart are five passes over the (N, OC, OH, OW)
 * activations (6.4 MB for the ConvNet's batch, beyond L2) in each direction,
 * plus an im2col of the whole batch.  Here the batch goes through in chunks
 * of a few samples whose im2col columns and product stay in L2; ReLU and
 * pooling are the epilogue of each chunk's product, and the backward builds
 * the chunk's gradient of z from the pooled gradient and one byte per
 * pooled output (which window element won, or -1 when it was not > 0).
 *
 * Two cores: the chunks are split in two halves that nnsh's pair
 * (pair.h) runs at once; each half sums its weight and bias gradients into
 * its own buffer, and the two are added to dweight/dbias in a fixed order.
 * With the pair off the same two halves run one after the other, so the
 * result is bitwise the same with one or two threads (OpenBLAS's sgemm on
 * one thread being deterministic).  The chunk size depends only on the
 * geometry.  It is not bitwise the whole-batch im2col path of conv2d.h:
 * the weight gradient's sum over the batch is split differently.
 */
#ifndef NN_CONV_RELU_POOL_H
#define NN_CONV_RELU_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conv2d.h"

/* Can the geometry g (after nn_conv2d_geometry) go through the kernel?
 * The convolution's output must tile into 2x2 windows (OH, OW even). */
bool nn_crp_supported(const nn_conv2d_geom *g);

/* Floats of workspace for a batch of g->N: both halves' im2col columns,
 * product and gradient sums, then the window codes of the N·OC·OH/2·OW/2
 * pooled outputs (one byte each) that the backward reads. */
size_t nn_crp_workspace(const nn_conv2d_geom *g);

void nn_crp_forward(float *out, const float *inp, const float *weight, const float *bias,
                    const nn_conv2d_geom *g, float *ws);

/* dout (N, OC, OH/2, OW/2); ws as the forward on the same inp left it.
 * dinp overwritten (NULL: skipped), dweight += and dbias += (NULL: none). */
void nn_crp_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                     const float *inp, const float *weight, const nn_conv2d_geom *g,
                     float *ws);

#endif
