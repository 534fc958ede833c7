/* The sparse tied-weight autoencoder of Q1 (EXPERIMENTS.md): cost and
 * gradients in one fused forward/backward pass over a mini-batch.
 *
 * Shapes (row-major, one sample per row; N = batch, Lin = inputs = outputs,
 * Lhid = hidden units):
 *   X  (N, Lin)      inputs, also the reconstruction targets
 *   W  (Lhid, Lin)   encoder weights; the decoder uses W^T (tied weights)
 *   b1 (Lhid)        hidden bias       b2 (Lin)  output bias
 *   H = sigmoid(X W^T + b1)   (N, Lhid)
 *   O = sigmoid(H W + b2)     (N, Lin)
 *
 * Cost (the course's aeCost):
 *   J   = mse + tykhonov + kl
 *   mse = 1/(2N) sum_m ||x_m - o_m||^2
 *   tykhonov = lambda/2 (sum W1^2 + sum W2^2) = lambda sum W^2   (tied)
 *   kl  = beta sum_b KL(rho || rhohat_b),  rhohat_b = mean_m H[m,b]
 * Gradients:
 *   Dout = (O - X) .* O .* (1-O) / N                           (N, Lin)
 *   Dhid = (Dout W^T + beta/N (-rho/rhohat + (1-rho)/(1-rhohat)))
 *          .* H .* (1-H)                                       (N, Lhid)
 *   dW = Dhid^T X + H^T Dout + 2 lambda W,  db1 = sum_m Dhid,  db2 = sum_m Dout
 * Five GEMMs per batch (two forward, three backward) through nn_sgemm.
 *
 * Unlike a layer's backward, nn_ae_cost WRITES the gradients (it is the
 * gradient of the whole objective, not a contribution to one).
 *
 * rhohat is clamped to [1e-6, 1-1e-6] inside the KL term and its derivative
 * so that a dead or saturated unit gives a large finite penalty instead of
 * inf/NaN (float32 sigmoids can round to exactly 0 or 1).
 */
#ifndef NN_AUTOENCODER_H
#define NN_AUTOENCODER_H

typedef struct nn_ae_params {
  int Lin, Lhid;
  double lambda, beta, rho;
} nn_ae_params;

typedef struct nn_ae_terms {
  double J, mse, tykhonov, kl;
  double mean_act; /* mean hidden activation over batch and units */
} nn_ae_terms;

/* Work buffers for batches of up to Nmax samples, reused across calls so a
 * training loop allocates nothing per mini-batch. After nn_ae_cost, h and o
 * hold the batch's hidden activations and reconstructions. */
typedef struct nn_ae_work {
  int Nmax, Lin, Lhid;
  float *h;       /* (Nmax, Lhid) */
  float *o;       /* (Nmax, Lin) */
  float *dout;    /* (Nmax, Lin) */
  float *dhid;    /* (Nmax, Lhid) */
  float *rhohat;  /* (Lhid) */
  float *sparse;  /* (Lhid) the KL term's per-unit derivative */
} nn_ae_work;

void nn_ae_work_init(nn_ae_work *w); /* empty */
/* Grow (never shrink) the buffers to hold N x (Lin, Lhid). */
int nn_ae_work_reserve(nn_ae_work *w, int N, int Lin, int Lhid);
void nn_ae_work_free(nn_ae_work *w);

/* Check p (sizes positive, lambda >= 0, beta >= 0, 0 < rho < 1). */
int nn_ae_check_params(const nn_ae_params *p);

/* Cost terms of batch X (N, Lin); gradients written to dW (Lhid, Lin),
 * db1 (Lhid), db2 (Lin) unless dW is NULL (cost only; then db1/db2 are
 * ignored).  ws is reserved as needed (allocates only when it grows). */
int nn_ae_cost(nn_ae_terms *terms, float *dW, float *db1, float *db2,
               const float *W, const float *b1, const float *b2,
               const float *X, int N, const nn_ae_params *p, nn_ae_work *ws);

#endif
