-- Benchmark workload: one epoch of the Q5 ConvNet (bench/README.md).
--   nnsh bench/q5_convnet.lua [--batches K] [--warmup W] [--epochs E] [--seed S] [--norm none]
-- Fashion-MNIST's 60000 training images (1x28x28 in [0,1]); the default net
-- of scripts/q5_convnet.lua (lua/experiments/convnet.lua): conv 32 7x7 pad 3
-- - ReLU - 2x2 max pool - affine 100 - ReLU - affine 10, softmax
-- cross-entropy, Adam lr 1e-3, mini-batch 64.  --norm batch adds a
-- BatchNorm2d after the convolution.  The PyTorch twin is bench/torch/convnet.py.
-- The loop is nn.fit's: a fresh permutation per epoch, mini-batches gathered
-- into buffers allocated once, then nn.fit's step (nn.training_step: zero
-- the flat gradient block, forward, loss, backward with no gradient for the
-- images, one optimizer call).
local nn = require "nn"
local bench = require "bench"
local fm = require "fashion_mnist"
local convnet = require "convnet"

local opt = bench.options(arg, "q5_convnet", {{"norm", "none", "none, batch or group after the conv"}})
local d = fm.load{n_test = 1}
local x, y = d.train_x, d.train_y
local N, B = x:size(1), 64

nn.seed(opt.seed)
local model = convnet.build{norm = opt.norm}
model:need_input_grad(false)
local loss = nn.CrossEntropyLoss()
local step = nn.training_step{model = model, loss = loss, optimizer = convnet.optimizer("adam", 1e-3)}
local xb, yb = nn.zeros(B, 1, 28, 28), nn.IndexTensor(B)
bench.run_shuffled{
  workload = "convnet", x = x, y = y, xb = xb, yb = yb, step = step, opt = opt,
  extra = {norm = opt.norm},
}
