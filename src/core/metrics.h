/* Classification metrics from score rows: argmax predictions counted
 * against 0-based int32 labels.  scores (B,C) row-major.
 */
#ifndef NN_METRICS_H
#define NN_METRICS_H

#include <stdint.h>

/* Rows whose argmax (first maximum on ties) equals the label.  NN_ERR for a
 * label outside [0,C). */
int nn_count_correct(int64_t *correct, const float *scores, const int32_t *labels,
                     int B, int C);

/* counts (C,C) += one per row at [label][argmax]: rows are true classes,
 * columns predictions.  NN_ERR for a label outside [0,C). */
int nn_confusion_add(float *counts, const float *scores, const int32_t *labels,
                     int B, int C);

#endif
