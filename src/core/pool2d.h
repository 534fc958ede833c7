/* 2-d max and average pooling over NCHW, as PyTorch's nn.MaxPool2d and
 * nn.AvgPool2d (ceil_mode = false, dilation 1).
 *
 * Shapes: inp (N, C, H, W) -> out (N, C, OH, OW), each channel pooled on
 * its own, with OH = (H + 2*PH - KH)/SH + 1 (floor), OW likewise.
 * Window (i, j) covers input rows i*SH-PH .. i*SH-PH+KH-1 and the columns
 * likewise; the padding is never a maximum (PyTorch pads with -inf) and
 * requires PH <= KH/2, PW <= KW/2 so that every window has a real pixel.
 *   max: out = max over the window; argmax (N,C,OH,OW) keeps the offset
 *        y*W + x of the winner inside its (H,W) plane, first in row-major
 *        order on ties, and the backward routes the gradient there only:
 *        dinp[arg] += dout.
 *   avg: out = (Σ over the window's real pixels) / (KH*KW), padding
 *        counted as zeros (PyTorch's count_include_pad = true);
 *        dinp[pixel] += dout / (KH*KW) for each window holding the pixel.
 */
#ifndef NN_POOL2D_H
#define NN_POOL2D_H

#include <stdint.h>

typedef struct {
  int N, C, H, W;
  int KH, KW, SH, SW, PH, PW;
  int OH, OW; /* from nn_pool2d_geometry */
} nn_pool2d_geom;

/* Fills OH, OW; -1 with a message naming the sizes when the window is
 * larger than the padded input or the padding exceeds half the window. */
int nn_pool2d_geometry(nn_pool2d_geom *g);

void nn_maxpool2d_forward(float *out, int32_t *argmax, const float *inp,
                          const nn_pool2d_geom *g);
/* dinp overwritten. */
void nn_maxpool2d_backward(float *dinp, const float *dout, const int32_t *argmax,
                           const nn_pool2d_geom *g);

void nn_avgpool2d_forward(float *out, const float *inp, const nn_pool2d_geom *g);
void nn_avgpool2d_backward(float *dinp, const float *dout, const nn_pool2d_geom *g);

#endif
