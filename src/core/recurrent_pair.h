/* One recurrent layer (tanh RNN, LSTM or GRU) whose whole-sequence forward
 * and backward can run as two half-batches, one per core.
 *
 * The per-step products of a recurrent cell are small (32 rows by H = 128
 * at batch 32), so splitting each of them between two threads costs one
 * hand-off per time step, which eats the gain.  The sequences of a batch
 * are independent, though: with nnsh's pair active (pair.h) and a batch of
 * at least NN_REC_PAIR_MIN rows, rows [0, mid) and [mid, B) each run the
 * cell's full forward (or backward) on their own thread with their own
 * workspace, one hand-off per pass.  The public layout is batch-major
 * (B,T,*), so a half is a contiguous slice of x, out, h0, c0 and of their
 * gradients.
 *
 * Results.  Everything per sequence (out, dx, dh0, dc0) is the unsplit
 * path's value bit for bit when the per-step product gives each row the
 * same bits at M = B and M = B/2 (the packed kernel does; see
 * tests/c/test_recurrent_pair.c for the BLAS path).  The weight gradients
 * are sums over the batch: half 0 accumulates into the caller's tensors,
 * half 1 into a zeroed scratch block that is then added, always in that
 * order, so they differ from the unsplit sums by float rounding only and
 * are the same on every run, with or without the second thread.  At one
 * thread (pair inactive) the unsplit path runs, unchanged.
 */
#ifndef NN_RECURRENT_PAIR_H
#define NN_RECURRENT_PAIR_H

#include <stdbool.h>
#include <stddef.h>

#include "gru.h"
#include "lstm.h"
#include "recurrent.h"
#include "rnn.h"

/* Smallest batch that is split.  bench/rec_split.c on the 2-vCPU Xeon:
 * split beats unsplit at every batch from 4 (halves of 2 rows) to 32, for
 * all three cells; below 4 a half of one row would run OpenBLAS's gemv,
 * with other bits per row than the unsplit product. */
#define NN_REC_PAIR_MIN 4

/* The arguments of one pass; what a direction or a cell does not use is
 * NULL.  Forward reads x, h0, c0 and the weights, writes out; backward
 * reads dout and the weights, writes dx, dh0, dc0 and accumulates into
 * dwx, dwh, db, dbhn. */
typedef struct nn_rec_call {
  const float *x, *h0, *c0, *dout;
  float *out, *dx, *dh0, *dc0;
  const float *wx, *wh, *b, *bhn;
  float *dwx, *dwh, *db, *dbhn;
  int B, T;
  bool all; /* forward: every state (B,T,H), else the last (B,H) */
} nn_rec_call;

typedef union nn_rec_ws {
  nn_rnn_ws rnn;
  nn_lstm_ws lstm;
  nn_gru_ws gru;
} nn_rec_ws;

/* What differs between the cells; the only place that names their kernels. */
typedef struct nn_rec_cell {
  const char *name;
  int gates;            /* G = gates * H */
  bool has_c, has_bhn;  /* cell state c0 (LSTM); bias bhn (GRU) */
  int (*forward)(nn_rec_ws *ws, const nn_rec_call *a, int D, int H);
  int (*backward)(nn_rec_ws *ws, const nn_rec_call *a);
  void (*free)(nn_rec_ws *ws);
  const nn_rec_arena *(*arena)(const nn_rec_ws *ws);
} nn_rec_cell;

enum { NN_REC_RNN, NN_REC_LSTM, NN_REC_GRU, NN_REC_NCELLS };
extern const nn_rec_cell nn_rec_cells[NN_REC_NCELLS];

typedef struct nn_rec_layer {
  const nn_rec_cell *cell;
  int D, H;
  int mid;           /* rows of half 0 in the last forward; 0: not split */
  nn_rec_ws ws[2];   /* ws[0] also serves the unsplit path */
  nn_rec_arena grad; /* half 1's weight gradients */
} nn_rec_layer;

/* Zeroed layer of the given cell (an index into nn_rec_cells). */
void nn_rec_layer_init(nn_rec_layer *l, int cell, int D, int H);
void nn_rec_layer_free(nn_rec_layer *l);
size_t nn_rec_layer_bytes(const nn_rec_layer *l);

int nn_rec_layer_forward(nn_rec_layer *l, const nn_rec_call *a);
/* Differentiates the last forward; a->B and a->T must be its shapes. */
int nn_rec_layer_backward(nn_rec_layer *l, const nn_rec_call *a);

/* When to split: AUTO (pair active and B >= NN_REC_PAIR_MIN), or forced
 * for tests: ALWAYS (any B >= 2, on two threads if the pair is active,
 * else one half after the other) or NEVER. */
typedef enum { NN_REC_SPLIT_AUTO, NN_REC_SPLIT_ALWAYS, NN_REC_SPLIT_NEVER } nn_rec_split_mode;
void nn_rec_set_split(nn_rec_split_mode mode);

#endif
