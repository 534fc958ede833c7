/* HDF5 core: round trips of float, index and string datasets through a
 * temporary file, listing, attributes, error messages, no leaked HDF5 ids,
 * and a few values of the shipped data files (known values from h5py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "error.h"
#include "h5io.h"

static char dir[] = "/tmp/nnsh_test_h5_XXXXXX";
static char path[256], data2[256], data4[256];

#define CHECK_ERR(call, substr)                                                \
  do {                                                                         \
    int rc_ = (call);                                                          \
    CHECK(rc_ == NN_ERR);                                                      \
    if (rc_ == NN_ERR && !strstr(nn_lasterror(), (substr))) {                  \
      check_failures++;                                                        \
      fprintf(stderr, "%s:%d: message '%s' lacks '%s'\n", __FILE__, __LINE__,  \
              nn_lasterror(), (substr));                                       \
    }                                                                          \
    CHECK(nn_h5_open_ids() == 0);                                              \
  } while (0)

static void test_float_roundtrip(void) {
  nn_tensor a, b, at;
  nn_tensor_init(&a, NN_F32);
  nn_tensor_init(&b, NN_F32);
  nn_tensor_init(&at, NN_F32);
  CHECK(nn_tensor_resize2(&a, 3, 4) == NN_OK);
  for (int i = 0; i < 12; i++) nn_fdata(&a)[i] = 0.5f * (float)i - 1.25f;
  CHECK(nn_h5_write(path, "f32", &a, 0) == NN_OK);
  CHECK(nn_h5_read(&b, path, "f32", NN_H5_AS_DEFAULT) == NN_OK);
  CHECK(b.dtype == NN_F32 && b.ndim == 2 && b.size[0] == 3 && b.size[1] == 4);
  for (int i = 0; i < 12; i++) CHECK(nn_fdata(&b)[i] == nn_fdata(&a)[i]);
  /* A transposed (non-contiguous) view is written in its logical order. */
  CHECK(nn_tensor_transpose(&at, &a, 0, 1) == NN_OK);
  CHECK(nn_h5_write(path, "/f32t", &at, 0) == NN_OK);
  CHECK(nn_h5_read(&b, path, "f32t", NN_H5_AS_DEFAULT) == NN_OK);
  CHECK(b.size[0] == 4 && b.size[1] == 3);
  CHECK(nn_fdata(&b)[1 * 3 + 2] == nn_fdata(&a)[2 * 4 + 1]);
  /* Compressed, larger than one chunk, nested name. */
  CHECK(nn_tensor_resize2(&a, 3000, 200) == NN_OK);
  for (int i = 0; i < 3000 * 200; i++) nn_fdata(&a)[i] = (float)(i % 97) / 7.0f;
  CHECK(nn_h5_write(path, "model/layer1/weight", &a, 6) == NN_OK);
  CHECK(nn_h5_read(&b, path, "model/layer1/weight", NN_H5_AS_DEFAULT) == NN_OK);
  CHECK(nn_tensor_same_shape(&a, &b));
  int same = 1;
  for (int i = 0; i < 3000 * 200; i++) same &= nn_fdata(&b)[i] == nn_fdata(&a)[i];
  CHECK(same);
  /* Replacing a dataset with one of another shape. */
  CHECK(nn_tensor_resize1(&a, 5) == NN_OK);
  CHECK(nn_tensor_fill(&a, 2.5) == NN_OK);
  CHECK(nn_h5_write(path, "f32", &a, 0) == NN_OK);
  CHECK(nn_h5_read(&b, path, "f32", NN_H5_AS_DEFAULT) == NN_OK);
  CHECK(b.ndim == 1 && b.size[0] == 5 && nn_fdata(&b)[4] == 2.5f);
  /* Scalars. */
  CHECK(nn_tensor_resize(&a, 0, NULL) == NN_OK);
  nn_fdata(&a)[0] = 7.0f;
  CHECK(nn_h5_write(path, "scalar", &a, 3) == NN_OK);
  CHECK(nn_h5_read(&b, path, "scalar", NN_H5_AS_DEFAULT) == NN_OK);
  CHECK(b.ndim == 0 && nn_tensor_numel(&b) == 1 && nn_fdata(&b)[0] == 7.0f);
  CHECK(nn_h5_open_ids() == 0);
  nn_tensor_free(&a);
  nn_tensor_free(&b);
  nn_tensor_free(&at);
}

static void test_index_roundtrip(void) {
  nn_tensor a, b;
  nn_tensor_init(&a, NN_I32);
  nn_tensor_init(&b, NN_F32); /* the read switches it to NN_I32 */
  CHECK(nn_tensor_resize2(&a, 2, 3) == NN_OK);
  for (int i = 0; i < 6; i++) nn_idata(&a)[i] = i; /* 0-based in C */
  CHECK(nn_h5_write(path, "idx", &a, 0) == NN_OK);
  CHECK(nn_h5_read(&b, path, "idx", NN_H5_AS_DEFAULT) == NN_OK);
  CHECK(b.dtype == NN_I32 && b.size[0] == 2 && b.size[1] == 3);
  for (int i = 0; i < 6; i++) CHECK(nn_idata(&b)[i] == i);
  /* The file holds the 1-based values. */
  CHECK(nn_h5_read(&b, path, "idx", NN_H5_AS_FLOAT) == NN_OK);
  CHECK(b.dtype == NN_F32);
  for (int i = 0; i < 6; i++) CHECK(nn_fdata(&b)[i] == (float)(i + 1));
  /* A float dataset cannot be an index; an index < 1 is refused. */
  CHECK_ERR(nn_h5_read(&b, path, "f32", NN_H5_AS_INDEX),
            "only integer datasets can be read as an index tensor");
  nn_idata(&a)[4] = -1;
  CHECK_ERR(nn_h5_write(path, "bad", &a, 0), "holds -1 (C, 0-based) at flat position 5");
  nn_tensor_free(&a);
  nn_tensor_free(&b);
}

static void test_strings(void) {
  char longs[300];
  memset(longs, 'x', sizeof longs - 1);
  longs[sizeof longs - 1] = '\0';
  const char *s[] = {"a", "bb", "", "ccc"};
  size_t len[] = {1, 2, 0, 3};
  nn_h5_strings r;
  CHECK(nn_h5_write_strings(path, "words", s, len, 4, 0) == NN_OK);
  CHECK(nn_h5_read_strings(&r, path, "words") == NN_OK);
  CHECK(r.n == 4 && r.ndim == 1 && r.size[0] == 4);
  for (int i = 0; i < 4 && i < r.n; i++)
    CHECK(r.len[i] == len[i] && !strcmp(r.s[i], s[i]));
  nn_h5_strings_free(&r);
  /* Longer than the fixed-length limit: variable-length storage. */
  const char *s2[] = {"short", longs};
  size_t len2[] = {5, strlen(longs)};
  CHECK(nn_h5_write_strings(path, "text/long", s2, len2, 2, 4) == NN_OK);
  CHECK(nn_h5_read_strings(&r, path, "text/long") == NN_OK);
  CHECK(r.n == 2 && r.len[1] == 299 && !strcmp(r.s[1], longs) && !strcmp(r.s[0], "short"));
  nn_h5_strings_free(&r);
  nn_tensor t;
  nn_tensor_init(&t, NN_F32);
  CHECK_ERR(nn_h5_read(&t, path, "words", NN_H5_AS_DEFAULT), "holds strings, not numbers");
  CHECK_ERR(nn_h5_read_strings(&r, path, "idx"), "dataset 'idx' in ");
  CHECK(strstr(nn_lasterror(), "is int32, not strings") != NULL);
  nn_h5_strings_free(&r);
  nn_tensor_free(&t);
}

static void test_list(void) {
  nn_h5_dslist l;
  CHECK(nn_h5_list(&l, path) == NN_OK);
  const char *names[] = {"f32", "f32t", "idx", "model/layer1/weight", "scalar",
                         "text/long", "words"};
  CHECK(l.n == 7);
  for (int i = 0; i < 7 && i < l.n; i++) CHECK(!strcmp(l.items[i].name, names[i]));
  if (l.n == 7) {
    CHECK(!strcmp(l.items[2].type, "int32") && l.items[2].cls == NN_H5_INT);
    CHECK(l.items[3].ndim == 2 && l.items[3].size[0] == 3000 && l.items[3].size[1] == 200);
    CHECK(!strcmp(l.items[3].type, "float32") && l.items[3].bits == 32);
    CHECK(l.items[4].ndim == 0);
    CHECK(!strcmp(l.items[6].type, "string") && l.items[6].cls == NN_H5_STRING);
  }
  nn_h5_list_free(&l);
  nn_h5_dsinfo in;
  CHECK(nn_h5_info(&in, path, "words") == NN_OK);
  CHECK(in.ndim == 1 && in.size[0] == 4 && in.cls == NN_H5_STRING);
  CHECK(nn_h5_open_ids() == 0);
}

static const nn_h5_attr *find_attr(const nn_h5_attrs *a, const char *name) {
  for (int i = 0; i < a->n; i++)
    if (!strcmp(a->items[i].name, name)) return &a->items[i];
  return NULL;
}

static void test_attrs(void) {
  /* A long string (> 64 KB, the compact attribute limit). */
  size_t big = 100000;
  char *text = malloc(big + 1);
  for (size_t i = 0; i < big; i++) text[i] = (char)('a' + i % 26);
  text[big] = '\0';
  int64_t iv[1] = {42}, bv[3] = {1, 0, 1};
  double fv[3] = {0.5, -2.0, 1e300};
  char *sv[1] = {text};
  size_t slen[1] = {big};
  nn_h5_attr ai = {.kind = NN_H5_ATTR_INT, .scalar = 1, .n = 1, .i = iv};
  nn_h5_attr af = {.kind = NN_H5_ATTR_FLOAT, .n = 3, .f = fv};
  nn_h5_attr ab = {.kind = NN_H5_ATTR_BOOL, .n = 3, .i = bv};
  nn_h5_attr as = {.kind = NN_H5_ATTR_STRING, .scalar = 1, .n = 1, .s = sv, .len = slen};
  nn_h5_attr ae = {.kind = NN_H5_ATTR_FLOAT, .n = 0, .f = fv};
  CHECK(nn_h5_setattr(path, NULL, "epoch", &ai) == NN_OK);
  CHECK(nn_h5_setattr(path, "/", "lr", &af) == NN_OK);
  CHECK(nn_h5_setattr(path, "", "flags", &ab) == NN_OK);
  CHECK(nn_h5_setattr(path, NULL, "model", &as) == NN_OK);
  CHECK(nn_h5_setattr(path, "model/layer1/weight", "empty", &ae) == NN_OK);
  iv[0] = 43; /* replacing */
  CHECK(nn_h5_setattr(path, NULL, "epoch", &ai) == NN_OK);
  nn_h5_attrs a;
  CHECK(nn_h5_attrs_read(&a, path, NULL) == NN_OK);
  CHECK(a.n == 4);
  const nn_h5_attr *x;
  CHECK((x = find_attr(&a, "epoch")) && x->kind == NN_H5_ATTR_INT && x->scalar && x->i[0] == 43);
  CHECK((x = find_attr(&a, "lr")) && x->kind == NN_H5_ATTR_FLOAT && !x->scalar && x->n == 3 &&
        x->f[0] == 0.5 && x->f[2] == 1e300);
  CHECK((x = find_attr(&a, "flags")) && x->kind == NN_H5_ATTR_BOOL && x->n == 3 &&
        x->i[0] == 1 && x->i[1] == 0 && x->i[2] == 1 && !strcmp(x->type, "bool"));
  CHECK((x = find_attr(&a, "model")) && x->kind == NN_H5_ATTR_STRING && x->len[0] == big &&
        !strcmp(x->s[0], text));
  CHECK(a.n == 4 && !strcmp(a.items[0].name, "epoch") && !strcmp(a.items[3].name, "model"));
  nn_h5_attrs_free(&a);
  CHECK(nn_h5_attrs_read(&a, path, "model/layer1/weight") == NN_OK);
  CHECK(a.n == 1 && a.items[0].n == 0 && !a.items[0].scalar);
  nn_h5_attrs_free(&a);
  CHECK_ERR(nn_h5_setattr(path, "nothere", "k", &ai), "no object 'nothere' in ");
  CHECK_ERR(nn_h5_attrs_read(&a, path, "nothere/x"), "no object 'nothere/x' in ");
  nn_h5_attrs_free(&a);
  free(text);
}

static void test_errors(void) {
  nn_tensor t;
  nn_tensor_init(&t, NN_F32);
  char missing[300], text[300], trunc[300];
  snprintf(missing, sizeof missing, "%s/missing.h5", dir);
  snprintf(text, sizeof text, "%s/text.h5", dir);
  snprintf(trunc, sizeof trunc, "%s/trunc.h5", dir);
  CHECK_ERR(nn_h5_read(&t, missing, "x", NN_H5_AS_DEFAULT), "cannot open ");
  CHECK(strstr(nn_lasterror(), "missing.h5: No such file or directory") != NULL);
  CHECK_ERR(nn_h5_read(&t, path, "foo", NN_H5_AS_DEFAULT), "no dataset 'foo' in ");
  CHECK(strstr(nn_lasterror(), "(datasets: f32, f32t, idx, model/layer1/weight,") != NULL);
  CHECK_ERR(nn_h5_read(&t, path, "model/nothere/w", NN_H5_AS_DEFAULT),
            "no dataset 'model/nothere/w'");
  CHECK_ERR(nn_h5_read(&t, path, "model/layer1", NN_H5_AS_DEFAULT),
            "'model/layer1' in ");
  CHECK(strstr(nn_lasterror(), "is a group, not a dataset") != NULL);
  CHECK_ERR(nn_h5_read(&t, path, "", NN_H5_AS_DEFAULT), "empty dataset name");
  FILE *fp = fopen(text, "w");
  fputs("not hdf5 at all\n", fp);
  fclose(fp);
  CHECK_ERR(nn_h5_read(&t, text, "x", NN_H5_AS_DEFAULT), "text.h5 is not an HDF5 file");
  CHECK_ERR(nn_h5_write(text, "x", &t, 0), "text.h5 is not an HDF5 file");
  CHECK_ERR(nn_h5_list(&(nn_h5_dslist){0, NULL}, dir), "is a directory");
  /* The first 64 KB of data2.h5: a valid superblock, missing data. */
  FILE *in = fopen(data2, "rb"), *out = fopen(trunc, "wb");
  static char buf[65536];
  size_t got = in ? fread(buf, 1, sizeof buf, in) : 0;
  if (out) fwrite(buf, 1, got, out);
  if (in) fclose(in);
  if (out) fclose(out);
  CHECK_ERR(nn_h5_read(&t, trunc, "trainx", NN_H5_AS_DEFAULT), "truncated");
  CHECK(strstr(nn_lasterror(), "trunc.h5") != NULL);
  /* Writing under a dataset, over a group, or with a bad level. */
  CHECK_ERR(nn_h5_write(path, "f32/x", &t, 0), "'f32' is not a group");
  CHECK_ERR(nn_h5_write(path, "model", &t, 0), "it exists and is not a dataset");
  CHECK_ERR(nn_h5_write(path, "y", &t, 10), "compression level must be 0..9, got 10");
  /* uint8 labels with 0s are not 1-based indices. */
  CHECK_ERR(nn_h5_read(&t, data4, "trainlbls", NN_H5_AS_INDEX),
            "holds 0 at flat position 1: not a 1-based index");
  nn_tensor_free(&t);
  unlink(text);
  unlink(trunc);
}

static void test_data_files(void) {
  nn_tensor t;
  nn_tensor_init(&t, NN_F32);
  /* trainx: int32, 1-based in the file -> 0-based index tensor. */
  CHECK(nn_h5_read(&t, data2, "trainx", NN_H5_AS_DEFAULT) == NN_OK);
  CHECK(t.dtype == NN_I32 && t.ndim == 2 && t.size[0] == 372550 && t.size[1] == 3);
  if (t.dtype == NN_I32 && nn_tensor_numel(&t) == 372550 * 3) {
    const int32_t *p = nn_idata(&t);
    CHECK(p[0] == 26 && p[1] == 13 && p[2] == 43 && p[3] == 25);
    CHECK(p[372550 * 3 - 1] == 51);
    long long sum = 0;
    for (int64_t i = 0; i < 372550 * 3; i++) sum += p[i];
    CHECK(sum == 47890741LL - 372550 * 3); /* h5py's sum of the 1-based values */
  }
  nn_h5_strings w;
  CHECK(nn_h5_read_strings(&w, data2, "words") == NN_OK);
  CHECK(w.n == 250 && !strcmp(w.s[0], ".") && !strcmp(w.s[249], "including"));
  nn_h5_strings_free(&w);
  /* uint8 pixels -> float32 by default. */
  CHECK(nn_h5_read(&t, data4, "trainims", NN_H5_AS_DEFAULT) == NN_OK);
  CHECK(t.dtype == NN_F32 && t.ndim == 3 && t.size[0] == 1900 && t.size[2] == 32);
  double s = 0;
  for (int64_t i = 0; i < nn_tensor_numel(&t); i++) s += nn_fdata(&t)[i];
  CHECK(s == 145506936.0);
  nn_tensor_free(&t);
  CHECK(nn_h5_open_ids() == 0);
}

int main(void) {
  if (!mkdtemp(dir)) {
    perror("mkdtemp");
    return 1;
  }
  snprintf(path, sizeof path, "%s/t.h5", dir);
  snprintf(data2, sizeof data2, "%s/data2.h5", NNSH_DATA_DIR);
  snprintf(data4, sizeof data4, "%s/data4.h5", NNSH_DATA_DIR);
  test_float_roundtrip();
  test_index_roundtrip();
  test_strings();
  test_list();
  test_attrs();
  test_errors();
  test_data_files();
  unlink(path);
  rmdir(dir);
  return check_summary("test_h5");
}
