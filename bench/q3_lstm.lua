-- Benchmark workload "lstm" (bench/README.md): one epoch of the Q3 classifier
-- with a LSTM layer of 128 units, MLP 64-32-6, batch 32, SGD
-- lr 0.1 momentum 0.85, over 2700 sequences of 150 x 3.  The model and the
-- loop are in lua/experiments/q3.lua (q3.bench); the PyTorch twin is
-- bench/torch/recurrent.py --cell lstm.
--   OPENBLAS_NUM_THREADS=1 nnsh bench/q3_lstm.lua [--batches K] [--warmup W] [--epochs E] [--seed S]
require("q3").bench("lstm", arg)
