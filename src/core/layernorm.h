/* Layer normalization (Ba, Kiros & Hinton 2016): each row of C features is
 * normalized by its own mean and (biased) variance, then scaled and shifted
 * per feature.  Same in training and evaluation.
 *
 * Shapes: inp/out (B,C), weight/bias (C), mean/rstd (B) saved for backward.
 */
#ifndef NN_LAYERNORM_H
#define NN_LAYERNORM_H

/* out = (inp - mean_row) * rstd_row * weight + bias, rstd = 1/sqrt(var+eps). */
void nn_layernorm_forward(float *out, float *mean, float *rstd,
                          const float *inp, const float *weight,
                          const float *bias, int B, int C, float eps);

/* dinp (overwrite) = rstd * (g - mean(g) - x̂ mean(g x̂)) with g = dout*weight;
 * dweight += Σ_rows dout*x̂, dbias += Σ_rows dout. */
void nn_layernorm_backward(float *dinp, float *dweight, float *dbias,
                           const float *dout, const float *inp,
                           const float *weight, const float *mean,
                           const float *rstd, int B, int C);

#endif
