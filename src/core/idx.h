/* IDX files: the format of MNIST and Fashion-MNIST (LeCun's
 * yann.lecun.com/exdb/mnist layout), plain or gzip-compressed.
 *
 * Layout: 2 zero bytes, a type byte, a byte ndim, then ndim big-endian
 * uint32 sizes, then the values in row-major order, big-endian.
 *   type 0x08 uint8, 0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32,
 *   0x0E float64.
 *
 * nn_idx_read(path, out, scale):
 *   out NN_F32: out = value * scale, shape (d1, ..., dn)
 *   out NN_I32: out = value (integers only; the C side of an index tensor
 *               is 0-based, so Fashion-MNIST's labels 0..9 become the Lua
 *               classes 1..10), scale ignored; with classes > 0 every value
 *               must lie in 0..classes-1 (checked here, where the labels
 *               are made, not later inside a training loop)
 * Errors name the file: not an IDX file, unknown type, truncated data,
 * sizes that overflow or exceed NN_MAXDIM dimensions. */
#ifndef NN_IDX_H
#define NN_IDX_H

#include "tensor.h"

int nn_idx_read(const char *path, nn_tensor *out, double scale, int64_t classes);

#endif
