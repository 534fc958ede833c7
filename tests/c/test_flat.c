/* Flat blocks: packing copies values into one contiguous block, keeps the
 * tensor structs (shapes, values) and makes them views of consecutive
 * ranges; repacking from an older block works; overlapping tensors and
 * non-float ones are refused. */
#include <string.h>

#include "check.h"
#include "error.h"
#include "flat.h"

static void fill(nn_tensor *t, float base) {
  for (int64_t i = 0; i < nn_tensor_numel(t); i++) nn_fdata(t)[i] = base + (float)i;
}

static void test_pack(void) {
  nn_tensor a, b, c, flat;
  nn_tensor_init(&a, NN_F32), nn_tensor_init(&b, NN_F32), nn_tensor_init(&c, NN_F32);
  nn_tensor_init(&flat, NN_F32);
  nn_tensor_resize2(&a, 2, 3);
  nn_tensor_resize1(&b, 4);
  nn_tensor_resize1(&c, 0); /* an empty tensor takes no room */
  fill(&a, 10), fill(&b, 100);
  nn_tensor *ts[3] = {&a, &c, &b};
  CHECK(!nn_flat_is_packed(&flat, ts, 3));
  CHECK(nn_flat_pack(&flat, ts, 3) == NN_OK);
  CHECK(flat.ndim == 1 && flat.size[0] == 10 && nn_tensor_is_contiguous(&flat));
  CHECK(nn_flat_is_packed(&flat, ts, 3));
  CHECK(a.storage == flat.storage && b.storage == flat.storage);
  CHECK(a.ndim == 2 && a.size[0] == 2 && a.size[1] == 3 && a.offset == 0 && b.offset == 6);
  /* Contiguous: a's last element is followed by b's first. */
  CHECK(nn_fdata(&a) + 6 == nn_fdata(&b));
  CHECK(nn_fdata(&a)[5] == 15 && nn_fdata(&b)[0] == 100 && nn_fdata(&flat)[9] == 103);
  CHECK(flat.storage->refcount == 3); /* flat, a, b */
  /* A write through the block is seen through the views. */
  nn_fdata(&flat)[7] = -1;
  CHECK(nn_fdata(&b)[1] == -1);
  /* Another order is another packing: repack from the old block. */
  nn_tensor *rev[2] = {&b, &a};
  CHECK(!nn_flat_is_packed(&flat, rev, 2));
  nn_tensor flat2;
  nn_tensor_init(&flat2, NN_F32);
  CHECK(nn_flat_pack(&flat2, rev, 2) == NN_OK);
  CHECK(b.offset == 0 && a.offset == 4 && nn_fdata(&b)[1] == -1 && nn_fdata(&a)[0] == 10);
  CHECK(flat.storage->refcount == 1); /* only flat keeps the old block */
  /* Overlapping tensors and index tensors are refused. */
  nn_tensor v, idx;
  nn_tensor_init(&v, NN_F32), nn_tensor_init(&idx, NN_I32);
  nn_tensor_narrow(&v, &flat2, 0, 2, 3);
  nn_tensor *bad[2] = {&a, &v};
  CHECK(nn_flat_pack(&flat, bad, 2) == NN_ERR);
  CHECK(strstr(nn_lasterror(), "share memory") != NULL);
  nn_tensor_resize1(&idx, 2);
  nn_tensor *bad2[1] = {&idx};
  CHECK(nn_flat_pack(&flat, bad2, 1) == NN_ERR);
  nn_tensor_free(&a), nn_tensor_free(&b), nn_tensor_free(&c), nn_tensor_free(&v);
  nn_tensor_free(&idx), nn_tensor_free(&flat), nn_tensor_free(&flat2);
}

int main(void) {
  test_pack();
  return check_summary("test_flat");
}
