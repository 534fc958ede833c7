/* Group normalization (Wu & He 2018), as PyTorch's nn.GroupNorm(G, C).
 *
 * Shapes: inp/out (N, C, S) with S = H*W positions (S = 1 for (N, C)),
 * C divisible by G; gamma, beta (C); mean, rstd (N*G) saved for backward.
 * The C channels of a sample are split into G groups of C/G consecutive
 * channels; each (sample, group) is normalized over its M = (C/G)*S values
 * with its own mean and biased variance, then scaled and shifted per
 * channel:
 *   out[n,c,s] = gamma[c] * (inp[n,c,s] - mean[n,g]) * rstd[n,g] + beta[c],
 *   rstd = 1/sqrt(var + eps), g = c / (C/G).
 * Same in training and evaluation (no running statistics).
 */
#ifndef NN_GROUPNORM_H
#define NN_GROUPNORM_H

void nn_groupnorm_forward(float *out, float *mean, float *rstd, const float *inp,
                          const float *gamma, const float *beta, int N, int C, int S,
                          int G, float eps);

/* dinp (overwrite) = rstd * (h - mean_M(h) - x̂ mean_M(h x̂)), h = dout*gamma[c],
 * per (sample, group); dgamma[c] += Σ dout*x̂, dbeta[c] += Σ dout. */
void nn_groupnorm_backward(float *dinp, float *dgamma, float *dbeta, const float *dout,
                           const float *inp, const float *gamma, const float *mean,
                           const float *rstd, int N, int C, int S, int G);

#endif
