/* IDX reader: values, shapes and scale for plain and gzip files of every
 * value type, index tensors with class limits, and each malformed-file
 * error (bad magic, unknown type, truncation, zero and huge sizes). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "error.h"
#include "idx.h"

static char dir[] = "/tmp/nnsh_test_idx_XXXXXX";

static const char *path_of(const char *name) {
  static char p[256];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return p;
}

/* Write bytes plain or gzip-compressed; returns the path. */
static const char *write_file(const char *name, const unsigned char *b, size_t n, int gz) {
  const char *p = path_of(name);
  if (gz) {
    gzFile f = gzopen(p, "wb");
    gzwrite(f, b, (unsigned)n);
    gzclose(f);
  } else {
    FILE *f = fopen(p, "wb");
    fwrite(b, 1, n, f);
    fclose(f);
  }
  return p;
}

static void test_uint8(int gz) {
  /* 2x3 uint8: 0 1 2 / 253 254 255 */
  const unsigned char b[] = {0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 1, 2, 253, 254, 255};
  const char *p = write_file(gz ? "u8.gz" : "u8", b, sizeof b, gz);
  nn_tensor t;
  nn_tensor_init(&t, NN_F32);
  CHECK(nn_idx_read(p, &t, 0.5, 0) == NN_OK);
  CHECK(t.ndim == 2 && t.size[0] == 2 && t.size[1] == 3);
  const float want[] = {0, 0.5f, 1, 126.5f, 127, 127.5f};
  for (int i = 0; i < 6; i++) CHECK_NEAR(nn_fdata(&t)[i], want[i], 0);
  nn_tensor_free(&t);
}

static void test_types(void) {
  /* int16 -2, int32 70000, float32 1.5, float64 -0.25, int8 -3: big-endian */
  const unsigned char i16[] = {0, 0, 0x0B, 1, 0, 0, 0, 1, 0xFF, 0xFE};
  const unsigned char i32[] = {0, 0, 0x0C, 1, 0, 0, 0, 1, 0x00, 0x01, 0x11, 0x70};
  const unsigned char f32[] = {0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3F, 0xC0, 0, 0};
  const unsigned char f64[] = {0, 0, 0x0E, 1, 0, 0, 0, 1, 0xBF, 0xD0, 0, 0, 0, 0, 0, 0};
  const unsigned char i8[] = {0, 0, 0x09, 1, 0, 0, 0, 1, 0xFD};
  const struct { const unsigned char *b; size_t n; double v; } cases[] = {
      {i16, sizeof i16, -2}, {i32, sizeof i32, 70000}, {f32, sizeof f32, 1.5},
      {f64, sizeof f64, -0.25}, {i8, sizeof i8, -3}};
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    const char *p = write_file("typed", cases[c].b, cases[c].n, 1);
    nn_tensor t;
    nn_tensor_init(&t, NN_F32);
    CHECK(nn_idx_read(p, &t, 1, 0) == NN_OK);
    CHECK(t.ndim == 1 && t.size[0] == 1);
    CHECK_NEAR(nn_fdata(&t)[0], cases[c].v, 0);
    nn_tensor_free(&t);
  }
}

static void test_labels(void) {
  const unsigned char b[] = {0, 0, 0x08, 1, 0, 0, 0, 4, 9, 0, 3, 9};
  const char *p = write_file("labels.gz", b, sizeof b, 1);
  nn_tensor t;
  nn_tensor_init(&t, NN_I32);
  CHECK(nn_idx_read(p, &t, 1, 10) == NN_OK);
  CHECK(t.ndim == 1 && t.size[0] == 4);
  CHECK(nn_idata(&t)[0] == 9 && nn_idata(&t)[1] == 0 && nn_idata(&t)[2] == 3);
  /* 9 is outside 0..8: the label error names the position (4th value). */
  CHECK(nn_idx_read(p, &t, 1, 9) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "label 9 at position 1") != NULL);
  /* Negative int8 values are no class. */
  const unsigned char neg[] = {0, 0, 0x09, 1, 0, 0, 0, 1, 0xFF};
  CHECK(nn_idx_read(write_file("neg", neg, sizeof neg, 0), &t, 1, 0) == NN_ERR);
  /* Float values cannot be index tensors. */
  const unsigned char f32[] = {0, 0, 0x0D, 1, 0, 0, 0, 1, 0x3F, 0xC0, 0, 0};
  CHECK(nn_idx_read(write_file("f32", f32, sizeof f32, 0), &t, 1, 0) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "index tensor") != NULL);
  nn_tensor_free(&t);
}

/* Each malformed file fails with a message naming the file and the fault. */
static void test_errors(void) {
  const struct { const char *name; unsigned char b[16]; size_t n; const char *msg; } bad[] = {
      {"magic", {1, 0, 0x08, 1, 0, 0, 0, 1, 7}, 9, "not an IDX file"},
      {"type", {0, 0, 0x0A, 1, 0, 0, 0, 1, 7}, 9, "unknown IDX value type 0x0A"},
      {"ndim0", {0, 0, 0x08, 0}, 4, "0 dimensions"},
      {"ndim9", {0, 0, 0x08, 9}, 4, "9 dimensions"},
      {"zero", {0, 0, 0x08, 1, 0, 0, 0, 0}, 8, "has size 0"},
      {"short", {0, 0, 0x08, 1, 0, 0, 0, 5, 1, 2}, 10, "truncated"},
      {"sizes", {0, 0, 0x08, 2, 0, 0, 0, 5}, 8, "truncated"},
      {"huge", {0, 0, 0x08, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 1, 0}, 16,
       "more values"},
      {"empty", {0}, 0, "truncated"}};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    const char *p = write_file(bad[i].name, bad[i].b, bad[i].n, i % 2);
    nn_tensor t;
    nn_tensor_init(&t, NN_F32);
    int rc = nn_idx_read(p, &t, 1, 0);
    CHECK(rc == NN_ERR);
    if (rc == NN_ERR && (!strstr(nn_lasterror(), bad[i].msg) || !strstr(nn_lasterror(), dir)))
      fprintf(stderr, "case %s: message '%s'\n", bad[i].name, nn_lasterror());
    CHECK(rc == NN_ERR && strstr(nn_lasterror(), bad[i].msg) && strstr(nn_lasterror(), dir));
    nn_tensor_free(&t);
  }
  nn_tensor t;
  nn_tensor_init(&t, NN_F32);
  CHECK(nn_idx_read(path_of("does-not-exist"), &t, 1, 0) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "cannot open") != NULL);
  nn_tensor_free(&t);
}

int main(void) {
  if (!mkdtemp(dir)) return 1;
  test_uint8(0);
  test_uint8(1);
  test_types();
  test_labels();
  test_errors();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  return check_summary("test_idx");
}
