/* 2-d convolution (cross-correlation, as PyTorch's nn.Conv2d) over NCHW.
 *
 * Shapes (PyTorch's conventions):
 *   inp (N, Cin, H, W), weight (Cout, Cin, KH, KW), bias (Cout) or NULL,
 *   out (N, Cout, OH, OW) with OH = (H + 2*PH - KH)/SH + 1 (floor),
 *                               OW = (W + 2*PW - KW)/SW + 1.
 * The math:
 *   out[n,o,i,j] = bias[o] + Σ_{c,u,v} weight[o,c,u,v] * inp[n,c, i*SH-PH+u, j*SW-PW+v]
 * where an input position outside 0..H-1 / 0..W-1 reads 0 (zero padding).
 *
 * Two implementations of the same equations:
 *   - nn_conv2d_*_direct: the plain seven-deep loop, the reference the
 *     tests compare against (sums in double);
 *   - nn_conv2d_forward / nn_conv2d_backward: the path training uses.
 *     Per sample, im2col lays the receptive fields out as a (K, P) matrix
 *     (K = Cin*KH*KW rows, P = OH*OW columns), and one sgemm computes
 *     out[n] (Cout, P) = weight (Cout, K) · col.  The (Cout, P) result is
 *     already sample n of the NCHW output, so no transpose is needed, and
 *     the per-sample col (K*P floats) stays in cache between im2col and
 *     sgemm.  The backward re-runs im2col (cheaper than keeping N columns
 *     around) for dweight += dout[n] · colᵀ, then reuses the same buffer for
 *     dcol = weightᵀ · dout[n] and scatters it back with col2im.
 *     im2col + OpenBLAS was chosen over an implicit GEMM because the heavy
 *     part is then exactly the sgemm the benchmark floor measures, with
 *     no micro-kernel of our own to tune for each CPU.
 *   A 1x1 kernel with stride 1 and no padding skips im2col (col = inp).
 */
#ifndef NN_CONV2D_H
#define NN_CONV2D_H

#include <stddef.h>

typedef struct {
  int N, C, H, W;     /* input */
  int OC, KH, KW;     /* output channels, kernel */
  int SH, SW, PH, PW; /* stride, zero padding */
  int OH, OW;         /* output, from nn_conv2d_geometry */
} nn_conv2d_geom;

/* Fills g->OH, g->OW; returns 0, or -1 (error set, naming the shapes) when
 * the kernel is larger than the padded input or a size is not positive. */
int nn_conv2d_geometry(nn_conv2d_geom *g);

/* Floats of workspace nn_conv2d_forward/backward need (one sample's col). */
size_t nn_conv2d_workspace(const nn_conv2d_geom *g);

/* Reference loops.  backward: dinp overwritten (NULL: skipped),
 * dweight += and dbias += (dbias NULL: no bias). */
void nn_conv2d_forward_direct(float *out, const float *inp, const float *weight,
                              const float *bias, const nn_conv2d_geom *g);
void nn_conv2d_backward_direct(float *dinp, float *dweight, float *dbias,
                               const float *dout, const float *inp,
                               const float *weight, const nn_conv2d_geom *g);

/* im2col + sgemm; ws holds nn_conv2d_workspace(g) floats.  Same contract as
 * the direct versions. */
void nn_conv2d_forward(float *out, const float *inp, const float *weight,
                       const float *bias, const nn_conv2d_geom *g, float *ws);
void nn_conv2d_backward(float *dinp, float *dweight, float *dbias,
                        const float *dout, const float *inp, const float *weight,
                        const nn_conv2d_geom *g, float *ws);

/* One sample (C,H,W) to col (C*KH*KW, OH*OW), and the adjoint: col2im
 * overwrites img with the sum of the col entries that read each pixel. */
void nn_im2col(float *col, const float *img, const nn_conv2d_geom *g);
void nn_col2im(float *img, const float *col, const nn_conv2d_geom *g);

#endif
