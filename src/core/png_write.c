#include "png_write.h"

#include <png.h>
#include <stdlib.h>

#include "atomic_file.h"
#include "error.h"

int nn_png_write(const char *path, const uint8_t *pixels, int width, int height,
                 int channels) {
  NN_REQUIRE(channels == 1 || channels == 3, "PNG needs 1 or 3 channels, got %d",
             channels);
  NN_REQUIRE(width >= 1 && height >= 1, "empty picture (%dx%d)", width, height);
  nn_atomic_file af;
  NN_TRY(nn_atomic_open(&af, path));
  /* libpng's simplified API reports errors through the struct instead of
   * longjmp, which keeps this function free of setjmp. */
  png_image img = {0};
  img.version = PNG_IMAGE_VERSION;
  img.width = (png_uint_32)width;
  img.height = (png_uint_32)height;
  img.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  if (!png_image_write_to_stdio(&img, af.fp, 0, pixels, 0, NULL)) {
    nn_seterror("libpng failed writing '%s': %s", path, img.message);
    png_image_free(&img);
    nn_atomic_abort(&af);
    return NN_ERR;
  }
  png_image_free(&img);
  return nn_atomic_commit(&af);
}

int nn_png_write_grid(const char *path, const float *tiles, int N, int C,
                      int H, int W, const nn_grid_opts *o, int *out_w,
                      int *out_h) {
  int rows, cols, h, w;
  NN_TRY(nn_grid_geometry(N, C, H, W, o, &rows, &cols, &h, &w));
  uint8_t *buf = malloc((size_t)h * (size_t)w * (size_t)C);
  NN_REQUIRE(buf, "out of memory for a %dx%d picture", w, h);
  int rc = nn_grid_compose(buf, tiles, N, C, H, W, o);
  if (rc == NN_OK) rc = nn_png_write(path, buf, w, h, C);
  free(buf);
  if (rc == NN_OK) {
    if (out_w) *out_w = w;
    if (out_h) *out_h = h;
  }
  return rc;
}
