--- q4: the binary image classifier of EXPERIMENTS.md Q4 (data4.h5).
--
--   q4.load([path])            -> {train_x (1900,1024), train_y (1900,1),
--                                  test_x (1000,1024), test_y (1000,1)}:
--                                 images flattened and scaled to [0,1],
--                                 labels 0/1 mapped to -1/+1
--   q4.build(sizes)            -> nn.Sequential: Linear-Tanh per layer of
--                                 sizes {1024, h1 [, h2 ...], 1}; the output
--                                 is a tanh too (its sign is the class)
--   q4.train(model, data, opts) -> history of train/test MSE and
--                                 classification error per epoch
--
-- Loss nn.MSELoss (mean over the batch of (o - t)^2), mini-batch SGD
-- (optionally with momentum) through nn.fit; after each epoch both sets are
-- evaluated in evaluation mode (nn.evaluate: MSE and the accuracy of the
-- output's sign, see nn.metrics.accuracy).
local nn = require "nn"
local h5 = require "h5"
local optim = require "optim"

local q4 = {}

local here = debug.getinfo(1, "S").source:match("^@(.*)/lua/experiments/q4%.lua$")
q4.root = here or "."
q4.default_data = q4.root .. "/data/data4.h5"

local function part(path, ims, lbls)
  local x = h5.read(path, ims)
  local n = x:size(1)
  return x:flatten(2) / 255, (h5.read(path, lbls):float():view(n, 1) * 2 - 1)
end

function q4.load(path)
  path = path or q4.default_data
  local d = {}
  d.train_x, d.train_y = part(path, "trainims", "trainlbls")
  d.test_x, d.test_y = part(path, "testims", "testlbls")
  return d
end

function q4.build(sizes)
  if type(sizes) ~= "table" or #sizes < 2 then
    error("q4.build: sizes must list the input, hidden and output sizes, e.g. {1024, 64, 1}", 2)
  end
  local layers = {}
  for i = 1, #sizes - 1 do
    layers[#layers + 1] = nn.Linear(sizes[i], sizes[i + 1])
    layers[#layers + 1] = nn.Tanh()
  end
  return nn.Sequential(layers)
end

-- opts: lr, momentum, batch, epochs, seed, on_epoch(e, h) (for printing).
function q4.train(model, d, opts)
  local loss = nn.MSELoss()
  local h = {train_mse = {}, test_mse = {}, train_err = {}, test_err = {}, seconds = {}}
  nn.fit{
    model = model, loss = loss, x = d.train_x, y = d.train_y,
    optimizer = optim.sgd{lr = opts.lr, momentum = opts.momentum or 0,
                          schedule = opts.decay and optim.exp_decay(opts.decay) or nil},
    batch = opts.batch or 32, epochs = opts.epochs or 50, seed = opts.seed or 1,
    quiet = true, progress = false,
    on_epoch = function(e, fh)
      local trl, tra = nn.evaluate(model, loss, d.train_x, d.train_y)
      local tel, tea = nn.evaluate(model, loss, d.test_x, d.test_y)
      h.train_mse[e], h.train_err[e] = trl, 1 - tra
      h.test_mse[e], h.test_err[e] = tel, 1 - tea
      h.seconds[e] = fh.seconds[e]
      if opts.on_epoch then opts.on_epoch(e, h) end
    end,
  }
  h.epochs = #h.train_mse
  return h
end

return q4
