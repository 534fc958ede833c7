#include "flat.h"

#include <string.h>

#include "error.h"

bool nn_flat_is_packed(const nn_tensor *flat, nn_tensor *const *ts, int k) {
  if (flat->dtype != NN_F32 || flat->ndim != 1 || !nn_tensor_is_contiguous(flat))
    return false;
  int64_t off = flat->offset, end = flat->offset + flat->size[0];
  for (int i = 0; i < k; i++) {
    const nn_tensor *t = ts[i];
    int64_t n = nn_tensor_numel(t);
    if (t->dtype != NN_F32 || !nn_tensor_is_contiguous(t)) return false;
    if (n > 0 && (t->storage != flat->storage || t->offset != off)) return false;
    off += n;
  }
  return off == end;
}

/* Element ranges of two contiguous tensors overlap in one storage. */
static bool overlap(const nn_tensor *a, const nn_tensor *b) {
  int64_t na = nn_tensor_numel(a), nb = nn_tensor_numel(b);
  if (na == 0 || nb == 0 || a->storage != b->storage) return false;
  return a->offset < b->offset + nb && b->offset < a->offset + na;
}

int nn_flat_pack(nn_tensor *flat, nn_tensor *const *ts, int k) {
  char buf[96];
  int64_t total = 0;
  for (int i = 0; i < k; i++) {
    NN_REQUIRE(ts[i]->dtype == NN_F32, "tensor %d is not float32", i + 1);
    NN_REQUIRE(nn_tensor_is_contiguous(ts[i]), "tensor %d (%s) is not contiguous", i + 1,
               nn_tensor_shape_str(ts[i], buf, sizeof buf));
    total += nn_tensor_numel(ts[i]);
  }
  /* Quadratic, but k is the number of parameter tensors of one model. */
  for (int i = 0; i < k; i++)
    for (int j = i + 1; j < k; j++)
      NN_REQUIRE(!overlap(ts[i], ts[j]), "tensors %d and %d share memory", i + 1, j + 1);
  nn_tensor block;
  nn_tensor_init(&block, NN_F32);
  if (nn_tensor_resize1(&block, total) != NN_OK) {
    nn_tensor_free(&block);
    return NN_ERR;
  }
  float *base = nn_fdata(&block);
  int64_t off = 0;
  for (int i = 0; i < k; i++) {
    int64_t n = nn_tensor_numel(ts[i]);
    if (n > 0) memcpy(base + off, nn_fdata(ts[i]), sizeof(float) * (size_t)n);
    off += n;
  }
  /* Only after every copy: a tensor may still view an older block. */
  off = 0;
  for (int i = 0; i < k; i++) {
    int64_t n = nn_tensor_numel(ts[i]);
    if (n > 0) {
      nn_storage_retain(block.storage);
      nn_storage_release(ts[i]->storage);
      ts[i]->storage = block.storage;
      ts[i]->offset = off; /* contiguous: its strides stay right */
    }
    off += n;
  }
  nn_tensor_set(flat, &block);
  nn_tensor_free(&block);
  return NN_OK;
}
