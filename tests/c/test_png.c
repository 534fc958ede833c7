/* Image grids and PNG writing: geometry, pixel values read back through
 * libpng, raw header bytes, atomic writes and error paths. */
#include <dirent.h>
#include <png.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "error.h"
#include "image_grid.h"
#include "png_write.h"

static char tmpdir[256];

/* Read a PNG back as 8-bit gray or RGB; returns malloc'd pixels. */
static uint8_t *read_png(const char *path, int channels, int *w, int *h) {
  png_image img = {0};
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&img, path)) return NULL;
  img.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
  uint8_t *buf = malloc(PNG_IMAGE_SIZE(img));
  if (!png_image_finish_read(&img, NULL, buf, 0, NULL)) {
    free(buf);
    return NULL;
  }
  *w = (int)img.width;
  *h = (int)img.height;
  return buf;
}

static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void test_geometry(void) {
  nn_grid_opts o = nn_grid_defaults();
  int r, c, h, w;
  /* 64 tiles of 16x16, pad 1, scale 2: 8x8 grid, 8*32 + 9 = 265 pixels. */
  o.scale = 2;
  CHECK(nn_grid_geometry(64, 1, 16, 16, &o, &r, &c, &h, &w) == NN_OK);
  CHECK(r == 8 && c == 8 && h == 265 && w == 265);
  /* 10 tiles: cols = ceil(sqrt 10) = 4, rows = 3. Non-square tiles. */
  o = nn_grid_defaults();
  o.pad = 2;
  CHECK(nn_grid_geometry(10, 3, 5, 7, &o, &r, &c, &h, &w) == NN_OK);
  CHECK(r == 3 && c == 4 && h == 3 * 5 + 2 * 4 && w == 4 * 7 + 2 * 5);
  /* Only rows given. */
  o.rows = 2;
  CHECK(nn_grid_geometry(10, 1, 4, 4, &o, &r, &c, &h, &w) == NN_OK);
  CHECK(r == 2 && c == 5);
  /* Errors. */
  o = nn_grid_defaults();
  o.rows = 2, o.cols = 2;
  CHECK(nn_grid_geometry(5, 1, 4, 4, &o, &r, &c, &h, &w) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "2x2 grid holds 4 tiles, not 5") != NULL);
  o = nn_grid_defaults();
  CHECK(nn_grid_geometry(4, 2, 4, 4, &o, &r, &c, &h, &w) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "1 (gray) or 3 (RGB) channels, got 2") != NULL);
  o.scale = 0;
  CHECK(nn_grid_geometry(4, 1, 4, 4, &o, &r, &c, &h, &w) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "scale must be >= 1") != NULL);
  o = nn_grid_defaults();
  CHECK(nn_grid_geometry(0, 1, 4, 4, &o, &r, &c, &h, &w) == NN_ERR);
}

/* Three 2x2 gray tiles in a 2x2 grid, pad 1, scale 2: every pixel known. */
static void test_gray_pixels(void) {
  const float tiles[3 * 4] = {
      0, 1, 2, 3,         /* each-normalized: 0, 1/3, 2/3, 1 */
      -1, -1, -1, -1,     /* constant -> 0.5 */
      10, 20, 20, 30,     /* 0, .5, .5, 1 */
  };
  nn_grid_opts o = nn_grid_defaults();
  o.rows = 2, o.cols = 2, o.pad = 1, o.scale = 2, o.norm = NN_NORM_EACH;
  o.pad_value = 1.0f;
  char path[300];
  snprintf(path, sizeof path, "%s/new/dir/gray.png", tmpdir);
  int w = 0, h = 0;
  CHECK(nn_png_write_grid(path, tiles, 3, 1, 2, 2, &o, &w, &h) == NN_OK);
  /* 2 rows * 4 + 3 pads = 11 each way. */
  CHECK(w == 11 && h == 11);

  /* Raw bytes: the 8-byte signature, then IHDR with width, height, depth 8,
   * colour type 0 (gray). */
  FILE *f = fopen(path, "rb");
  CHECK(f != NULL);
  uint8_t hdr[33] = {0};
  if (f) {
    CHECK(fread(hdr, 1, 33, f) == 33);
    fclose(f);
  }
  static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  CHECK(memcmp(hdr, sig, 8) == 0);
  CHECK(memcmp(hdr + 12, "IHDR", 4) == 0);
  CHECK(be32(hdr + 16) == 11 && be32(hdr + 20) == 11);
  CHECK(hdr[24] == 8 && hdr[25] == 0);

  int rw, rh;
  uint8_t *px = read_png(path, 1, &rw, &rh);
  CHECK(px != NULL);
  if (!px) return;
  CHECK(rw == 11 && rh == 11);
  /* Padding rows/columns 0, 5, 10 are white. */
  for (int i = 0; i < 11; i++) {
    CHECK(px[0 * 11 + i] == 255 && px[5 * 11 + i] == 255 && px[10 * 11 + i] == 255);
    CHECK(px[i * 11 + 0] == 255 && px[i * 11 + 5] == 255 && px[i * 11 + 10] == 255);
  }
  /* Tile 1 at (1,1): source pixel (0,1) = 1/3 -> 85 covers pixels
   * (1..2, 3..4); source (1,1) = 1 -> 255 at (3..4, 3..4). */
  CHECK(px[1 * 11 + 1] == 0 && px[2 * 11 + 2] == 0);
  CHECK(px[1 * 11 + 3] == 85 && px[2 * 11 + 4] == 85);
  CHECK(px[3 * 11 + 1] == 170 && px[3 * 11 + 3] == 255 && px[4 * 11 + 4] == 255);
  /* Tile 2 (constant) at (1,6): mid gray 128. */
  CHECK(px[1 * 11 + 6] == 128 && px[4 * 11 + 9] == 128);
  /* Tile 3 at (6,1). */
  CHECK(px[6 * 11 + 1] == 0 && px[6 * 11 + 3] == 128 && px[8 * 11 + 1] == 128 &&
        px[9 * 11 + 4] == 255);
  /* Empty 4th cell keeps the pad value. */
  CHECK(px[6 * 11 + 6] == 255 && px[9 * 11 + 9] == 255);
  free(px);
}

/* Two RGB 1x2 tiles, global normalization, no pad, scale 1. */
static void test_rgb_pixels(void) {
  const float tiles[2 * 3 * 2] = {
      /* tile 0: R = {0, 4}, G = {2, 2}, B = {4, 0} */
      0, 4, 2, 2, 4, 0,
      /* tile 1: R = {1, 1}, G = {3, 3}, B = {0, 4} */
      1, 1, 3, 3, 0, 4,
  };
  nn_grid_opts o = nn_grid_defaults();
  o.rows = 1, o.pad = 0, o.norm = NN_NORM_ALL;
  char path[300];
  snprintf(path, sizeof path, "%s/rgb.png", tmpdir);
  int w, h;
  CHECK(nn_png_write_grid(path, tiles, 2, 3, 1, 2, &o, &w, &h) == NN_OK);
  CHECK(w == 4 && h == 1);
  int rw, rh;
  uint8_t *px = read_png(path, 3, &rw, &rh);
  CHECK(px != NULL);
  if (!px) return;
  const uint8_t want[12] = {0, 128, 255, 255, 128, 0, 64, 191, 0, 64, 191, 255};
  CHECK(memcmp(px, want, 12) == 0);
  free(px);
}

static void test_none_clamps(void) {
  const float t[4] = {-0.5f, 0.25f, 1.0f, 7.0f};
  nn_grid_opts o = nn_grid_defaults();
  o.pad = 0;
  uint8_t out[4];
  CHECK(nn_grid_compose(out, t, 1, 1, 2, 2, &o) == NN_OK);
  CHECK(out[0] == 0 && out[1] == 64 && out[2] == 255 && out[3] == 255);
}

static int count_entries(const char *dir) {
  DIR *d = opendir(dir);
  int n = 0;
  if (!d) return -1;
  for (struct dirent *e; (e = readdir(d));)
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

static void test_errors_leave_nothing(void) {
  float t[4] = {0, 1, NAN, 0};
  nn_grid_opts o = nn_grid_defaults();
  char path[300];
  snprintf(path, sizeof path, "%s/err/nan.png", tmpdir);
  CHECK(nn_png_write_grid(path, t, 1, 1, 2, 2, &o, NULL, NULL) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "non-finite") != NULL);
  CHECK(access(path, F_OK) != 0);

  /* A file standing where a directory must go. */
  char file[300];
  snprintf(file, sizeof file, "%s/plainfile", tmpdir);
  FILE *f = fopen(file, "w");
  if (f) fclose(f);
  snprintf(path, sizeof path, "%s/plainfile/x.png", tmpdir);
  t[2] = 0.5f;
  CHECK(nn_png_write_grid(path, t, 1, 1, 2, 2, &o, NULL, NULL) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "cannot create directory") != NULL);

  /* Overwriting an existing picture leaves no temporary behind. */
  snprintf(path, sizeof path, "%s/again/a.png", tmpdir);
  CHECK(nn_png_write_grid(path, t, 1, 1, 2, 2, &o, NULL, NULL) == NN_OK);
  CHECK(nn_png_write_grid(path, t, 1, 1, 2, 2, &o, NULL, NULL) == NN_OK);
  char dir[300];
  snprintf(dir, sizeof dir, "%s/again", tmpdir);
  CHECK(count_entries(dir) == 1);
}

int main(void) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/nn_test_png_XXXXXX");
  if (!mkdtemp(tmpdir)) return 1;
  test_geometry();
  test_gray_pixels();
  test_rgb_pixels();
  test_none_clamps();
  test_errors_leave_nothing();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
  return check_summary("test_png");
}
