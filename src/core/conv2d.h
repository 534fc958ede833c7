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
 *     im2col lays each sample's receptive fields out as K = Cin*KH*KW rows
 *     of P = OH*OW columns; the samples of a chunk sit side by side, so
 *     the chunk is one (K, c*P) matrix and ONE sgemm computes
 *     res (Cout, c*P) = weight (Cout, K) · col.  A copy then puts res into
 *     NCHW order and adds the bias.  The backward copies dout into the
 *     same (Cout, c*P) layout (summing the bias gradient on the way), then
 *     dweight += dres · colᵀ, and for the input gradient
 *     dcol = weightᵀ · dres in the col buffer, scattered back by col2im.
 *     One product per chunk instead of one per sample: OpenBLAS's start-up
 *     and thread hand-off are paid once, and two threads get a product
 *     large enough to share (per-sample products of 32x784x49 were 4x
 *     slower with two threads than with one).  The chunk is the whole
 *     batch unless col and res would pass NN_CONV2D_CHUNK_FLOATS.
 *     im2col + OpenBLAS was chosen over an implicit GEMM because the heavy
 *     part is then exactly the sgemm the benchmark floor measures, with
 *     no micro-kernel of our own to tune for each CPU; im2col costs one
 *     pass writing K*P floats per sample.
 *   The im2col input is re-read in the backward (not kept from the forward),
 *   so backward(x, dout) depends on x only, as for every other layer.
 */
#ifndef NN_CONV2D_H
#define NN_CONV2D_H

#include <stddef.h>

typedef struct {
  int N, C, H, W;     /* input */
  int OC, KH, KW;     /* output channels, kernel */
  int SH, SW, PH, PW; /* stride, zero padding */
  int OH, OW;         /* output, from nn_conv2d_geometry */
  int chunk;          /* samples per product; 0 = as many as fit the bound */
} nn_conv2d_geom;

/* Fills g->OH, g->OW; returns 0, or -1 (error set, naming the shapes) when
 * the kernel is larger than the padded input or a size is not positive. */
int nn_conv2d_geometry(nn_conv2d_geom *g);

/* Workspace bound: 4M floats (16 MB) per chunk of samples. */
#define NN_CONV2D_CHUNK_FLOATS ((size_t)1 << 22)

/* Floats of workspace nn_conv2d_forward/backward need: a chunk's col and
 * its (Cout, chunk*P) result. */
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

/* One sample (C,H,W) to col (C*KH*KW, OH*OW) with row stride ld >= OH*OW,
 * and the adjoint: col2im overwrites img with the sum of the col entries
 * that read each pixel. */
void nn_im2col(float *col, ptrdiff_t ld, const float *img, const nn_conv2d_geom *g);
void nn_col2im(float *img, const float *col, ptrdiff_t ld, const nn_conv2d_geom *g);

#endif
