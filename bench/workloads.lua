-- The benchmark workloads: which scripts run them and the matrix products an
-- epoch needs, from which bench/run derives the FLOPs and the sgemm floor.
--
-- gemms lists the products of ONE full mini-batch as {shape, count}, shape
-- "MxNxK:XY" in sgemm_bench's notation (row-major C(MxN) = op(A)(MxK) op(B)(KxN),
-- X/Y = N or T for a transposed operand), laid out as nnsh's kernels call
-- them.  Only the work the model needs is counted: no input gradient for
-- the data, no recurrent product for h_0 = 0 (forward) or for dh_0
-- (backward), so T-1 = 149 per direction.  An epoch has samples/batch
-- mini-batches (the last one partial; its FLOPs count in proportion).
--
-- floor_target: the issue's target "epoch time within X of the sgemm floor"
-- for the workloads it names.
local T, H, D = 150, 128, 3

local function recurrent(name, gates, title)
  local G = gates * H
  return {
    name = name, title = title,
    nnsh = "bench/q3_" .. name .. ".lua",
    torch = {"bench/torch/recurrent.py", "--cell", name},
    samples = 2700, batch = 32, floor_target = name ~= "rnn" and 1.5 or nil,
    gemms = {
      {("%dx%dx%d:NN"):format(T * 32, G, D), 1},        -- inputs of all steps at once
      {("32x%dx%d:NN"):format(G, H), T - 1},            -- h_{t-1} . wh, every gate
      {("32x%dx%d:NN"):format(H, G), T - 1},            -- dgates . wh^T
      {("%dx%dx%d:TN"):format(H, G, T * 32), 1},        -- dwh over all steps
      {("%dx%dx%d:TN"):format(D, G, T * 32), 1},        -- dwx
      -- MLP head 128-64-32-6: forward, weight gradients, input gradients
      {"32x64x128:NN", 1}, {"32x32x64:NN", 1}, {"32x6x32:NN", 1},
      {"128x64x32:TN", 1}, {"64x32x32:TN", 1}, {"32x6x32:TN", 1},
      {"32x128x64:NT", 1}, {"32x64x32:NT", 1}, {"32x32x6:NT", 1},
    },
  }
end

return {
  {
    name = "autoencoder", title = "Q1 autoencoder epoch (10240x256, Lhid 64, batch 32, tied, KL)",
    nnsh = "bench/q1_autoencoder.lua", torch = {"bench/torch/autoencoder.py"},
    samples = 10240, batch = 32, epochs = 3,
    gemms = {
      {"32x64x256:NT", 2},   -- hidden = X W^T; W dOut
      {"32x256x64:NN", 1},   -- out = H W
      {"64x256x32:TN", 2},   -- dW += dHid^T X + H^T dOut
    },
  },
  {
    name = "trigram", title = "Q2 trigram epoch (372,550 contexts, batch 200, D=32, P=256)",
    nnsh = "bench/q2_trigram.lua", torch = {"bench/torch/trigram.py"},
    samples = 372550, batch = 200, floor_target = 1.5,
    gemms = {
      {"200x256x96:NN", 1},  -- hidden = E W1        (E = 3 embeddings, 96)
      {"200x250x256:NN", 1}, -- logits = S W2
      {"256x250x200:TN", 1}, -- dW2 = S^T dlogits
      {"200x256x250:NT", 1}, -- dS = dlogits W2^T
      {"96x256x200:TN", 1},  -- dW1 = E^T dhidden
      {"200x96x256:NT", 1},  -- dE = dhidden W1^T (scattered into R)
    },
  },
  recurrent("rnn", 1, "Q3 tanh RNN epoch (2700 x 150 x 3, hidden 128, MLP 64-32-6, batch 32)"),
  recurrent("lstm", 4, "Q3 LSTM epoch (2700 x 150 x 3, hidden 128, MLP 64-32-6, batch 32)"),
  recurrent("gru", 3, "Q3 GRU epoch (2700 x 150 x 3, hidden 128, MLP 64-32-6, batch 32)"),
  {
    name = "convnet",
    title = "Q5 ConvNet epoch (60000 x 1x28x28, conv 32 7x7 pad 3, pool 2, 100, 10, batch 64, Adam)",
    nnsh = "bench/q5_convnet.lua", torch = {"bench/torch/convnet.py"},
    samples = 60000, batch = 64,
    gemms = {
      -- convolution: im2col of the 64 images side by side, K = 1*7*7 = 49
      -- rows of 64*28*28 = 50176 columns, one product each way
      {"32x50176x49:NN", 1},   -- res = W col
      {"32x49x50176:NT", 1},   -- dW += dres col^T   (no input gradient: data)
      -- affine 6272 -> 100 -> 10: forward, weight gradients, input gradients
      {"64x100x6272:NN", 1}, {"64x10x100:NN", 1},
      {"6272x100x64:TN", 1}, {"100x10x64:TN", 1},
      {"64x6272x100:NT", 1}, {"64x100x10:NT", 1},
    },
  },
  {
    name = "mlp", title = "Q4 MLP epoch (1900 x 1024, hidden 19 tanh, batch 32, MSE, SGD)",
    nnsh = "bench/q4_mlp.lua", torch = {"bench/torch/mlp.py"},
    samples = 1900, batch = 32, epochs = 20,
    gemms = {
      {"32x19x1024:NN", 1},  -- hidden = X W1
      {"1024x19x32:TN", 1},  -- dW1 = X^T dhidden
      {"32x1x19:NN", 1}, {"19x1x32:TN", 1}, {"32x19x1:NT", 1},
    },
  },
}
