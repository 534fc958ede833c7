-- Benchmark workload: one epoch of the Q1 sparse autoencoder (bench/README.md).
--   nnsh bench/q1_autoencoder.lua [--batches K] [--warmup W] [--epochs E] [--seed S] [--lhid 64]
-- data1.h5 `data` preprocessed as Q1 a (ae.preprocess) -> (10240,256);
-- tied W (Lhid,256) uniform ±sqrt(6/(Lin+Lhid)), zero biases; the fused C
-- cost (ae.cost: lambda 5e-4, beta 0.5, rho 0.1) and optim.sgd (lr 0.05,
-- momentum 0.9), mini-batch 32.  The PyTorch twin is
-- bench/torch/autoencoder.py, with the same settings.
-- Per mini-batch: gather 32 rows into a buffer allocated once, then
-- nn.training_step: one fused forward/backward pass in C (five sgemm
-- calls, work buffers reused), one optimizer call; nothing is allocated.
local nn = require "nn"
local h5 = require "h5"
local optim = require "optim"
local bench = require "bench"
local ae = require "ae"

local opt = bench.options(arg, "q1_autoencoder", {{"lhid", 64, "hidden units"}})
nn.seed(opt.seed)

local root = debug.getinfo(1, "S").source:match("^@(.*)/bench/[^/]*$") or "."
local x = ae.preprocess(h5.read(root .. "/data/data1.h5", "data"))
local N, Lin, B = x:size(1), x:size(2), 32
local Lhid = math.tointeger(opt.lhid)
local We = ae.init(Lin, Lhid)
We.b1:zero()
We.b2:zero()
local g = ae.grads(We)
local lambda, beta, rho = 5e-4, 0.5, 0.1
local xb = nn.zeros(B, Lin)
local tail = N % B > 0 and nn.zeros(N % B, Lin) or nil
local gather, cost = nn.C.gather_rows, nn.ae_c.cost
local W, b1, b2, gW, gb1, gb2 = We.W, We.b1, We.b2, g.W, g.b1, g.b2
-- nn.fit's step with the fused cost as its objective (it writes the
-- gradients); the six tensors become views of two flat blocks.
local step = nn.training_step{params = {W, b1, b2}, grads = {gW, gb1, gb2},
  optimizer = optim.sgd{lr = 0.05, momentum = 0.9},
  objective = function(buf) return (cost(W, b1, b2, buf, lambda, beta, rho, gW, gb1, gb2)) end}
local perm

bench.run{
  workload = "autoencoder", samples = N, batch = B, opt = opt,
  extra = {lhid = Lhid},
  epoch = function() perm = nn.randperm(N) end,
  step = function(first, len)
    local buf = len == B and xb or tail
    gather(buf, x, perm, first, len)
    return (step(buf))
  end,
}
