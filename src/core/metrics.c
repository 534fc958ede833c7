#include "metrics.h"

#include <stddef.h>

#include "error.h"

static int argmax_row(const float *x, int C) {
  int best = 0;
  for (int c = 1; c < C; c++)
    if (x[c] > x[best]) best = c;
  return best;
}

static int check_labels(const int32_t *labels, int B, int C) {
  for (int b = 0; b < B; b++)
    NN_REQUIRE(labels[b] >= 0 && labels[b] < C,
               "class label %d (row %d) is outside 1..%d", labels[b] + 1, b + 1, C);
  return NN_OK;
}

int nn_count_correct(int64_t *correct, const float *scores, const int32_t *labels,
                     int B, int C) {
  NN_REQUIRE(C > 0, "scores need at least one class");
  NN_TRY(check_labels(labels, B, C));
  int64_t n = 0;
  for (int b = 0; b < B; b++) n += argmax_row(scores + (ptrdiff_t)b * C, C) == labels[b];
  *correct = n;
  return NN_OK;
}

int nn_confusion_add(float *counts, const float *scores, const int32_t *labels,
                     int B, int C) {
  NN_REQUIRE(C > 0, "scores need at least one class");
  NN_TRY(check_labels(labels, B, C));
  for (int b = 0; b < B; b++)
    counts[(ptrdiff_t)labels[b] * C + argmax_row(scores + (ptrdiff_t)b * C, C)] += 1.0f;
  return NN_OK;
}
