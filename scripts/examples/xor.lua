-- XOR with a two-layer network: the smallest complete nnsh experiment.
-- Run:  nnsh scripts/examples/xor.lua [--out out/xor.h5] [--force]
local nn = require "nn"
local optim = require "optim"
local cli = require "cli"

local spec = {
  usage = "nnsh scripts/examples/xor.lua [options]",
  {"out", "out/xor.h5", "where to save the trained network ('' = do not save)"},
  {"force", false, "replace the file if it exists"},
}
local opt = cli.parse(arg or {}, spec)
if opt.out ~= "" then require("runfiles").check_new({opt.out}, opt.force, "xor") end

-- The four XOR inputs and their classes (1 = "false", 2 = "true").
local x = nn.tensor{{0, 0}, {0, 1}, {1, 0}, {1, 1}}
local y = nn.index{1, 2, 2, 1}

-- 2 inputs -> 8 tanh units -> 2 class scores.
nn.seed(1)
local model = nn.Sequential{nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2)}
print(model)

-- Train: cross-entropy loss, SGD with momentum, all four examples per step.
local history = nn.fit{
  model = model,
  loss = nn.CrossEntropyLoss(),
  optimizer = optim.sgd{lr = 0.5, momentum = 0.9},
  x = x, y = y,
  batch = 4, epochs = 200,
  quiet = true,
}
print(("loss after %d epochs: %.5f"):format(history.epochs, history.train_loss[history.epochs]))

-- Ask the trained network: softmax turns the scores into probabilities.
local p = model:evaluate():forward(x):softmax()
for i = 1, 4 do
  print(("%d xor %d -> %d   (p = %.3f)"):format(x[i][1], x[i][2], p[i][2] > 0.5 and 1 or 0,
                                                math.max(p[i][1], p[i][2])))
end

-- Save it; nn.load rebuilds the same network from the file alone.
if opt.out ~= "" then
  nn.image_c.mkdirs(opt.out)
  nn.save(opt.out, model)
  print(("saved %s; reload with nn.load('%s')"):format(opt.out, opt.out))
end
