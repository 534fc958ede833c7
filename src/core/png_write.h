/* PNG files through libpng: 8-bit gray or RGB, written atomically into
 * directories created on demand (see atomic_file.h).
 *
 * pixels: (height, width, channels) uint8, row-major, channels 1 or 3.
 */
#ifndef NN_PNG_WRITE_H
#define NN_PNG_WRITE_H

#include <stdint.h>

#include "image_grid.h"

int nn_png_write(const char *path, const uint8_t *pixels, int width, int height,
                 int channels);

/* Compose a grid of tiles (see image_grid.h) and write it as a PNG;
 * out_w and out_h (may be NULL) receive the picture size. */
int nn_png_write_grid(const char *path, const float *tiles, int N, int C,
                      int H, int W, const nn_grid_opts *o, int *out_w,
                      int *out_h);

#endif
