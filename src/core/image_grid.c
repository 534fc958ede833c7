#include "image_grid.h"

#include <math.h>
#include <string.h>

#include "error.h"

nn_grid_opts nn_grid_defaults(void) {
  nn_grid_opts o = {0, 0, 1, 1, NN_NORM_NONE, 0.0f};
  return o;
}

int nn_grid_geometry(int N, int C, int H, int W, const nn_grid_opts *o,
                     int *rows, int *cols, int *out_h, int *out_w) {
  NN_REQUIRE(N >= 1, "no tiles to draw (N = %d)", N);
  NN_REQUIRE(C == 1 || C == 3, "tiles must have 1 (gray) or 3 (RGB) channels, got %d", C);
  NN_REQUIRE(H >= 1 && W >= 1, "tile size must be positive, got %dx%d", H, W);
  NN_REQUIRE(o->pad >= 0, "pad must be >= 0, got %d", o->pad);
  NN_REQUIRE(o->scale >= 1, "scale must be >= 1, got %d", o->scale);
  NN_REQUIRE(o->rows >= 0 && o->cols >= 0, "rows and cols must be >= 0, got %d and %d",
             o->rows, o->cols);
  NN_REQUIRE(o->norm == NN_NORM_NONE || o->norm == NN_NORM_EACH || o->norm == NN_NORM_ALL,
             "unknown normalization %d", (int)o->norm);
  NN_REQUIRE(o->pad_value >= 0.0f && o->pad_value <= 1.0f,
             "pad value must be in [0,1], got %g", (double)o->pad_value);
  int r = o->rows, c = o->cols;
  if (r == 0 && c == 0) {
    c = (int)ceil(sqrt((double)N));
    while (c * c < N) c++; /* guard against sqrt rounding */
  }
  if (r == 0) r = (N + c - 1) / c;
  if (c == 0) c = (N + r - 1) / r;
  NN_REQUIRE((int64_t)r * c >= N, "a %dx%d grid holds %d tiles, not %d", r, c,
             r * c, N);
  int64_t h = (int64_t)r * H * o->scale + (int64_t)o->pad * (r + 1);
  int64_t w = (int64_t)c * W * o->scale + (int64_t)o->pad * (c + 1);
  NN_REQUIRE(h <= 65535 && w <= 65535, "picture of %lldx%lld pixels is too large",
             (long long)h, (long long)w);
  *rows = r;
  *cols = c;
  *out_h = (int)h;
  *out_w = (int)w;
  return NN_OK;
}

static void minmax(const float *p, int64_t n, float *lo, float *hi) {
  float a = p[0], b = p[0];
  for (int64_t i = 1; i < n; i++) {
    if (p[i] < a) a = p[i];
    if (p[i] > b) b = p[i];
  }
  *lo = a;
  *hi = b;
}

static inline uint8_t quantize(float v) {
  if (!(v > 0.0f)) return 0; /* also NaN-safe, though inputs are checked */
  if (v >= 1.0f) return 255;
  return (uint8_t)lrintf(v * 255.0f);
}

int nn_grid_compose(uint8_t *out, const float *tiles, int N, int C, int H,
                    int W, const nn_grid_opts *o) {
  int rows, cols, oh, ow;
  NN_TRY(nn_grid_geometry(N, C, H, W, o, &rows, &cols, &oh, &ow));
  int64_t tile_n = (int64_t)C * H * W;
  for (int64_t i = 0; i < tile_n * N; i++)
    NN_REQUIRE(isfinite(tiles[i]), "tile %lld holds a non-finite value (%s)",
               (long long)(i / tile_n) + 1,
               isnan(tiles[i]) ? "NaN" : tiles[i] > 0 ? "inf" : "-inf");

  memset(out, quantize(o->pad_value), (size_t)oh * (size_t)ow * (size_t)C);
  float glo = 0, ghi = 1;
  if (o->norm == NN_NORM_ALL) minmax(tiles, tile_n * N, &glo, &ghi);
  const int s = o->scale, th = H * s, tw = W * s;
  for (int k = 0; k < N; k++) {
    const float *t = tiles + k * tile_n;
    float lo = 0, hi = 1;
    if (o->norm == NN_NORM_EACH) minmax(t, tile_n, &lo, &hi);
    if (o->norm == NN_NORM_ALL) lo = glo, hi = ghi;
    /* Constant tiles show as mid-gray instead of dividing by zero. */
    int flat = o->norm != NN_NORM_NONE && !(hi > lo);
    float inv = flat ? 0.0f : 1.0f / (hi - lo);
    int y0 = o->pad + (k / cols) * (th + o->pad);
    int x0 = o->pad + (k % cols) * (tw + o->pad);
    for (int y = 0; y < th; y++) {
      uint8_t *row = out + ((int64_t)(y0 + y) * ow + x0) * C;
      for (int x = 0; x < tw; x++)
        for (int c = 0; c < C; c++) {
          float v = t[(int64_t)c * H * W + (y / s) * W + x / s];
          row[x * C + c] = quantize(flat ? 0.5f : (v - lo) * inv);
        }
    }
  }
  return NN_OK;
}
