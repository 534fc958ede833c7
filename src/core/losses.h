/* Loss functions: each returns the mean loss and, when the gradient buffer
 * is not NULL, writes the gradient of that mean with respect to its input
 * (overwrite).  Means are over the batch (or over all elements, as stated);
 * sums accumulate in double.
 *
 * Shapes: B = batch rows, C = classes, n = elements.  Class labels are
 * 0-based int32 (the Lua side is 1-based; the bindings convert).
 */
#ifndef NN_LOSSES_H
#define NN_LOSSES_H

#include <stdint.h>

/* Mean squared error, averaged over ALL n elements (PyTorch's
 * MSELoss(reduction='mean'), Torch's MSECriterion):
 *   L = (1/n) Σ (inp - target)²,   dinp = 2 (inp - target) / n.
 * The course's 1/(2N) Σ_m ||d-o||² equals this times (features/2). */
double nn_mse_loss(float *dinp, const float *inp, const float *target, int64_t n);

/* Softmax + cross-entropy, fused and stable (log-sum-exp):
 *   L = -(1/B) Σ_b log softmax(logits_b)[label_b],
 *   dlogits = (softmax(logits) - onehot(label)) / B.
 * NN_ERR when a label is outside [0,C) (checked before anything is written).
 * ncorrect (may be NULL) receives how many rows have their label as argmax
 * (the first maximum on ties, as nn_count_correct), so accuracy costs no
 * second pass. */
int nn_crossentropy_loss(double *loss, float *dlogits, int64_t *ncorrect,
                         const float *logits, const int32_t *labels, int B,
                         int C);

/* Rows [lo, hi) of nn_crossentropy_loss, for fused kernels: adds the rows'
 * -log softmax[label] (summed in double, in row order) to *sum and their
 * first-argmax hits to *correct; dlogits (NULL: none) rows get
 * (softmax - onehot) * invB.  Labels must have been checked. */
void nn_crossentropy_rows(double *sum, int64_t *correct, float *dlogits, const float *logits,
                          const int32_t *labels, int64_t lo, int64_t hi, int C, float invB);

/* Binary cross-entropy on logits x with targets t in [0,1], mean over the
 * n elements, stable for large |x|:
 *   L = (1/n) Σ max(x,0) - x t + log(1 + e^-|x|),  dinp = (σ(x) - t) / n. */
double nn_bce_logits_loss(float *dinp, const float *inp, const float *target,
                          int64_t n);

/* Multiclass SVM (hinge) loss, CS231n's convention: summed over the wrong
 * classes, averaged over the batch (PyTorch's MultiMarginLoss also divides
 * by C):
 *   L = (1/B) Σ_b Σ_{c≠y_b} max(0, s_bc - s_by + margin).
 * NN_ERR for a label outside [0,C). */
int nn_svm_loss(double *loss, float *dscores, const float *scores,
                const int32_t *labels, int B, int C, float margin);

#endif
