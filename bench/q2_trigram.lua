-- Benchmark workload: one epoch of the Q2 trigram model (bench/README.md).
--   nnsh bench/q2_trigram.lua [--batches K] [--warmup W] [--epochs E] [--seed S] [--D 32] [--P 256]
-- data2.h5 trainx (372550,3) / traind; Embedding(250,D) shared by the three
-- positions -> View(3D) -> Linear(3D,P) -> Sigmoid -> Linear(P,250), fused
-- softmax cross-entropy, SGD lr 0.15 momentum 0.85, mini-batch 200, all
-- weights N(0, 0.01^2).  The PyTorch twin is bench/torch/trigram.py.
-- The loop is nn.fit's: a fresh permutation per epoch, mini-batches gathered
-- into buffers allocated once, then nn.fit's step (nn.training_step: zero
-- the flat gradient block, forward, loss, backward, one optimizer call).
local nn = require "nn"
local optim = require "optim"
local bench = require "bench"
local tg = require "trigram"

local opt = bench.options(arg, "q2_trigram", {{"D", 32, "embedding size"}, {"P", 256, "hidden units"}})
nn.seed(opt.seed)

local data = tg.read_data()
local x, y = data.trainx, data.traind
local N = x:size(1)
local model = tg.build(#data.words, opt.D, opt.P)
local loss = nn.CrossEntropyLoss()
local step = nn.training_step{model = model, loss = loss, optimizer = optim.sgd{lr = 0.15, momentum = 0.85}}
local B = 200
local xb, yb = nn.IndexTensor(B, 3), nn.IndexTensor(B)
bench.run_shuffled{
  workload = "trigram", x = x, y = y, xb = xb, yb = yb, step = step, opt = opt,
  extra = {D = opt.D, P = opt.P},
}
