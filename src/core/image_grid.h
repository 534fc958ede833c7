/* Tiling many small images into one picture (autoencoder features, data
 * patches), as Torch's image.toDisplayTensor did.
 *
 * Input: N tiles of C x H x W float32 values, C = 1 (gray) or 3 (RGB),
 * contiguous (N, C, H, W).  Output: an 8-bit image of out_h x out_w pixels,
 * interleaved (row, column, channel) as PNG wants it.
 *
 * Geometry (documented contract, tested):
 *   tile_h = H*scale, tile_w = W*scale          (nearest-neighbour upscaling)
 *   out_h  = rows*tile_h + pad*(rows+1)
 *   out_w  = cols*tile_w + pad*(cols+1)
 * i.e. a pad-pixel border around every tile, the outer frame included.  Tile
 * k (0-based) goes to grid row k / cols, grid column k % cols; its top-left
 * pixel is at (pad + r*(tile_h+pad), pad + c*(tile_w+pad)).  Cells after the
 * last tile, and the padding, have the value pad_value.
 * rows and cols: 0 means "choose": cols = ceil(sqrt(N)) when both are 0, and
 * the missing one = ceil(N / given one) otherwise; rows*cols must be >= N.
 *
 * Normalization maps values to [0,1] before 8-bit quantization
 * (round(v*255)):
 *   NN_NORM_EACH  each tile by its own min/max (over all its channels);
 *   NN_NORM_ALL   all tiles by the global min/max;
 *   NN_NORM_NONE  values used as they are, clamped to [0,1].
 * A constant tile (or input) under EACH/ALL maps to 0.5.  Non-finite input
 * values are an error.
 */
#ifndef NN_IMAGE_GRID_H
#define NN_IMAGE_GRID_H

#include <stdint.h>

typedef enum { NN_NORM_NONE = 0, NN_NORM_EACH = 1, NN_NORM_ALL = 2 } nn_grid_norm;

typedef struct nn_grid_opts {
  int rows, cols;     /* 0 = choose (see above) */
  int pad;            /* border pixels, >= 0 */
  int scale;          /* integer upscaling factor, >= 1 */
  nn_grid_norm norm;
  float pad_value;    /* in [0,1], after normalization */
} nn_grid_opts;

/* Default options: rows=cols=0, pad=1, scale=1, NN_NORM_NONE, pad_value 0. */
nn_grid_opts nn_grid_defaults(void);

/* Resolve rows/cols and compute the picture size; checks every argument. */
int nn_grid_geometry(int N, int C, int H, int W, const nn_grid_opts *o,
                     int *rows, int *cols, int *out_h, int *out_w);

/* Compose tiles (N,C,H,W) into out (out_h, out_w, C) uint8, out sized as
 * nn_grid_geometry says. */
int nn_grid_compose(uint8_t *out, const float *tiles, int N, int C, int H,
                    int W, const nn_grid_opts *o);

#endif
