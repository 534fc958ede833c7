/* Batch normalization over features (Ioffe & Szegedy 2015).
 *
 * Shapes: inp/out (N,C,S): N samples, C features (channels), S positions per
 * feature — S = 1 after a Linear layer, S = H*W for spatial batch norm on
 * (N,C,H,W).  Statistics are per feature over the N*S values of that
 * feature.  gamma, beta, mean, rstd, running_mean, running_var are (C).
 *
 * Training normalizes with the batch statistics (biased variance) and
 * updates the running ones as PyTorch does:
 *   running = (1-momentum)*running + momentum*batch, with the unbiased
 *   batch variance (M/(M-1), M = N*S) for running_var.
 * Evaluation normalizes with the running statistics.
 */
#ifndef NN_BATCHNORM_H
#define NN_BATCHNORM_H

#include <stdbool.h>

/* mean, rstd = 1/sqrt(var+eps) receive the batch statistics (kept for the
 * backward pass); running_mean/running_var are updated unless NULL. */
void nn_batchnorm_forward_train(float *out, float *mean, float *rstd,
                                float *running_mean, float *running_var,
                                const float *inp, const float *gamma,
                                const float *beta, int N, int C, int S,
                                float momentum, float eps);

/* out = gamma*(inp - running_mean)/sqrt(running_var+eps) + beta; mean and
 * rstd receive the statistics used, for nn_batchnorm_backward. */
void nn_batchnorm_forward_eval(float *out, float *mean, float *rstd,
                               const float *running_mean,
                               const float *running_var, const float *inp,
                               const float *gamma, const float *beta, int N,
                               int C, int S, float eps);

/* dinp (overwrite), dgamma += Σ dout*x̂, dbeta += Σ dout.  `training` says
 * whether mean/rstd were batch statistics (they then depend on inp:
 *   dinp = gamma*rstd/M * (M*dout - Σdout - x̂ Σ(dout*x̂)))
 * or constants (evaluation: dinp = gamma*rstd*dout). */
void nn_batchnorm_backward(float *dinp, float *dgamma, float *dbeta,
                           const float *dout, const float *inp,
                           const float *gamma, const float *mean,
                           const float *rstd, int N, int C, int S,
                           bool training);

#endif
