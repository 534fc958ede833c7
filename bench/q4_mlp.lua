-- Benchmark workload: one epoch of the Q4 MLP (bench/README.md).
--   nnsh bench/q4_mlp.lua [--batches K] [--warmup W] [--epochs E] [--seed S] [--hidden 19]
-- data4.h5 trainims (1900,32,32) flattened and scaled to [0,1], labels
-- mapped to +-1; Linear(1024,19)-Tanh-Linear(19,1)-Tanh, nn.MSELoss (mean),
-- plain SGD lr 0.02, mini-batch 32, Xavier uniform weights and zero biases
-- (nn.Linear's default).  The PyTorch twin is bench/torch/mlp.py.
-- The loop is nn.fit's: a fresh permutation per epoch, mini-batches gathered
-- into buffers allocated once, then nn.fit's step (nn.training_step).
local nn = require "nn"
local h5 = require "h5"
local optim = require "optim"
local bench = require "bench"

local opt = bench.options(arg, "q4_mlp", {{"hidden", 19, "hidden units"}})
nn.seed(opt.seed)

local root = debug.getinfo(1, "S").source:match("^@(.*)/bench/[^/]*$") or "."
local ims = h5.read(root .. "/data/data4.h5", "trainims")
local lbls = h5.read(root .. "/data/data4.h5", "trainlbls")
local N = ims:size(1)
local x = (ims:float():contiguous():view(N, -1) / 255):contiguous()
local y = (lbls:float() * 2 - 1):contiguous():view(N, 1)

local model = nn.Sequential{nn.Linear(x:size(2), opt.hidden), nn.Tanh(), nn.Linear(opt.hidden, 1), nn.Tanh()}
local loss = nn.MSELoss()
local step = nn.training_step{model = model, loss = loss, optimizer = optim.sgd{lr = 0.02}}
local B = 32
local xb, yb = nn.zeros(B, x:size(2)), nn.zeros(B, 1)
bench.run_shuffled{
  workload = "mlp", x = x, y = y, xb = xb, yb = yb, step = step, opt = opt,
  extra = {hidden = opt.hidden},
}
