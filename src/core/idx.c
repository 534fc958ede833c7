/* IDX reader (idx.h).  zlib's gzread reads plain files as they are, so one
 * path serves both the .gz files Debian ships and uncompressed copies. */
#include "idx.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "error.h"

typedef struct {
  int code;
  const char *name;
  int width; /* bytes per value */
  int integral;
} idx_type;

static const idx_type types[] = {
    {0x08, "uint8", 1, 1},   {0x09, "int8", 1, 1},    {0x0B, "int16", 2, 1},
    {0x0C, "int32", 4, 1},   {0x0D, "float32", 4, 0}, {0x0E, "float64", 8, 0}};

static const idx_type *find_type(int code) {
  for (size_t i = 0; i < sizeof types / sizeof *types; i++)
    if (types[i].code == code) return &types[i];
  return NULL;
}

/* Big-endian value number i of a block of values of type ty. */
static double value_at(const unsigned char *p, const idx_type *ty) {
  uint64_t u = 0;
  for (int b = 0; b < ty->width; b++) u = (u << 8) | p[b];
  switch (ty->code) {
  case 0x08: return (double)(uint8_t)u;
  case 0x09: return (double)(int8_t)(uint8_t)u;
  case 0x0B: return (double)(int16_t)(uint16_t)u;
  case 0x0C: return (double)(int32_t)(uint32_t)u;
  case 0x0D: {
    uint32_t w = (uint32_t)u;
    float f;
    memcpy(&f, &w, sizeof f);
    return f;
  }
  default: {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
  }
  }
}

/* Read exactly n bytes; a short read is an error naming the file. */
static int read_exact(gzFile gz, void *buf, size_t n, const char *path, const char *what) {
  unsigned char *p = buf;
  while (n > 0) {
    unsigned chunk = n > (1u << 30) ? (1u << 30) : (unsigned)n;
    int got = gzread(gz, p, chunk);
    if (got < 0) {
      int code;
      const char *msg = gzerror(gz, &code);
      return nn_seterror("%s: %s: %s", path, what, msg ? msg : "read error");
    }
    if (got == 0) return nn_seterror("%s: truncated: the file ends inside the %s", path, what);
    p += got;
    n -= (size_t)got;
  }
  return NN_OK;
}

static int read_body(gzFile gz, const char *path, nn_tensor *out, double scale,
                     int64_t classes) {
  unsigned char head[4];
  NN_TRY(read_exact(gz, head, 4, path, "header"));
  if (head[0] != 0 || head[1] != 0)
    return nn_seterror("%s: not an IDX file (the first two bytes are not zero)", path);
  const idx_type *ty = find_type(head[2]);
  if (!ty) return nn_seterror("%s: unknown IDX value type 0x%02X", path, head[2]);
  int ndim = head[3];
  if (ndim < 1 || ndim > NN_MAXDIM)
    return nn_seterror("%s: %d dimensions (nnsh tensors have 1 to %d)", path, ndim, NN_MAXDIM);
  if (out->dtype == NN_I32 && !ty->integral)
    return nn_seterror("%s: %s values cannot be read as an index tensor", path, ty->name);

  int64_t size[NN_MAXDIM];
  int64_t numel = 1;
  for (int d = 0; d < ndim; d++) {
    unsigned char b[4];
    NN_TRY(read_exact(gz, b, 4, path, "dimension sizes"));
    uint32_t s = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
    if (s == 0) return nn_seterror("%s: dimension %d has size 0", path, d + 1);
    size[d] = s;
    /* 2^40 values is far beyond any IDX file and keeps numel * 8 in range. */
    if (numel > ((int64_t)1 << 40) / s)
      return nn_seterror("%s: the sizes multiply to more values than nnsh can hold", path);
    numel *= s;
  }
  NN_TRY(nn_tensor_resize(out, ndim, size));

  /* Convert in blocks so a 47 MB image file needs no second full buffer. */
  enum { BLOCK = 1 << 16 };
  unsigned char *buf = malloc((size_t)BLOCK * (size_t)ty->width);
  if (!buf) return nn_seterror("%s: out of memory", path);
  float *f = out->dtype == NN_F32 ? nn_fdata(out) : NULL;
  int32_t *ix = out->dtype == NN_I32 ? nn_idata(out) : NULL;
  for (int64_t done = 0; done < numel;) {
    int64_t n = numel - done < BLOCK ? numel - done : BLOCK;
    if (read_exact(gz, buf, (size_t)n * (size_t)ty->width, path, "values") != NN_OK) {
      free(buf);
      return NN_ERR;
    }
    for (int64_t i = 0; i < n; i++) {
      double v = value_at(buf + i * ty->width, ty);
      if (f) {
        f[done + i] = (float)(v * scale);
      } else if (v < 0 || (classes > 0 && v >= (double)classes)) {
        free(buf);
        return nn_seterror("%s: label %.0f at position %lld is outside 0..%lld", path, v,
                           (long long)(done + i + 1),
                           (long long)(classes > 0 ? classes - 1 : INT32_MAX));
      } else {
        ix[done + i] = (int32_t)v;
      }
    }
    done += n;
  }
  free(buf);
  return NN_OK;
}

int nn_idx_read(const char *path, nn_tensor *out, double scale, int64_t classes) {
  gzFile gz = gzopen(path, "rb");
  if (!gz) return nn_seterror("%s: cannot open", path);
  gzbuffer(gz, 1 << 17);
  int rc = read_body(gz, path, out, scale, classes);
  gzclose(gz);
  return rc;
}
