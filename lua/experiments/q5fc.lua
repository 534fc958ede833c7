--- q5fc: fully connected nets of any depth on Fashion-MNIST (EXPERIMENTS.md
-- Q5), the pieces of scripts/q5_fcnet.lua.
--
--   q5fc.load{n_train=, n_val=, n_test=}
--                                -> {x, y (the first n_train training images),
--                                   vx, vy (validation: the n_val after them),
--                                   tx, ty (the first n_test of the 10,000 test
--                                   images, all by default), classes};
--                                   images flattened to 784 values in [0,1]
--   q5fc.build{hidden={100,100}, norm="none"|"batch"|"layer", dropout=p,
--              weight_scale=s}   -> nn.Sequential: per hidden layer
--                                   Linear [- BatchNorm | LayerNorm] - ReLU
--                                   [- Dropout(p)], then Linear to 10 scores
--   q5fc.optimizer(rule, lr)     -> optim object for "sgd", "momentum" (0.9),
--                                   "rmsprop" or "adam"
--   q5fc.train(model, d, opts)   -> history (per epoch: training loss, train
--                                   and val accuracy) and the test accuracy
--
-- Weights: Xavier uniform (nn.Linear's default) unless weight_scale is given,
-- then N(0, weight_scale^2) as in the course's FullyConnectedNet; biases 0.
-- The loss is softmax cross-entropy on the 10 scores.
local nn = require "nn"
local optim = require "optim"
local fm = require "fashion_mnist"

local q5fc = {}

q5fc.RULES = {"sgd", "momentum", "rmsprop", "adam"}
-- Learning rates for each update rule when none is given: the scale each
-- rule's step works at (RMSProp and Adam divide by the gradient's size).
q5fc.DEFAULT_LR = {sgd = 0.05, momentum = 0.01, rmsprop = 1e-3, adam = 1e-3}

function q5fc.load(opts)
  local n_train, n_val = opts.n_train or 50000, opts.n_val or 10000
  if n_train + n_val > 60000 then
    error(("q5fc.load: n_train + n_val must be at most 60000, got %d + %d"):format(n_train, n_val), 2)
  end
  -- only the images used are read: training first, validation right after
  local d = fm.load{n_train = n_train + n_val, n_test = opts.n_test}
  local x, y = d.train_x:flatten(2), d.train_y
  return {
    x = x:narrow(1, 1, n_train), y = y:narrow(1, 1, n_train),
    vx = x:narrow(1, n_train + 1, n_val), vy = y:narrow(1, n_train + 1, n_val),
    tx = d.test_x:flatten(2), ty = d.test_y, classes = d.classes,
  }
end

local NORMS = {none = true, batch = true, layer = true}

function q5fc.build(o)
  local hidden, norm, p = o.hidden or {100}, o.norm or "none", o.dropout or 0
  if not NORMS[norm] then
    error(("q5fc.build: norm must be none, batch or layer, got '%s'"):format(tostring(norm)), 2)
  end
  local layers, nin = {}, o.inputs or 784
  for _, h in ipairs(hidden) do
    layers[#layers + 1] = nn.Linear(nin, h)
    if norm == "batch" then layers[#layers + 1] = nn.BatchNorm(h)
    elseif norm == "layer" then layers[#layers + 1] = nn.LayerNorm(h) end
    layers[#layers + 1] = nn.ReLU()
    if p > 0 then layers[#layers + 1] = nn.Dropout(p) end
    nin = h
  end
  layers[#layers + 1] = nn.Linear(nin, o.classes or 10)
  local model = nn.Sequential(layers)
  if o.weight_scale then
    for _, l in ipairs(layers) do
      if l.__typename == "Linear" then nn.init.normal(l.weight, o.weight_scale) end
    end
  end
  return model
end

function q5fc.optimizer(rule, lr)
  lr = lr or q5fc.DEFAULT_LR[rule]
  if rule == "sgd" then return optim.sgd{lr = lr} end
  if rule == "momentum" then return optim.sgd{lr = lr, momentum = 0.9} end
  if rule == "rmsprop" then return optim.rmsprop{lr = lr} end
  if rule == "adam" then return optim.adam{lr = lr} end
  error(("q5fc.optimizer: the update rule must be sgd, momentum, rmsprop or adam, got '%s'")
        :format(tostring(rule)), 2)
end

-- opts: rule, lr, batch, epochs, seed, train_eval (how many training images
-- the per-epoch training accuracy is measured on, in evaluation mode),
-- on_epoch(e, h).  Returns h: loss (mean training loss of each epoch, as
-- trained: dropout on), train_acc, val_acc, val_loss, seconds, diverged,
-- best_epoch, test_acc (of the weights nn.fit keeps: the best validation epoch).
function q5fc.train(model, d, opts)
  local crit = nn.CrossEntropyLoss()
  local ne = math.min(opts.train_eval or 5000, d.x:size(1))
  local ex, ey = d.x:narrow(1, 1, ne), d.y:narrow(1, 1, ne)
  local h = {loss = {}, train_acc = {}, val_acc = {}, val_loss = {}, seconds = {}}
  local fh = nn.fit{
    model = model, loss = crit, optimizer = q5fc.optimizer(opts.rule, opts.lr),
    x = d.x, y = d.y, val = {x = d.vx, y = d.vy},
    batch = opts.batch or 100, epochs = opts.epochs or 10, seed = opts.seed or 1,
    quiet = true, progress = false,
    on_epoch = function(e, f)
      local _, acc = nn.evaluate(model, crit, ex, ey)
      h.loss[e], h.train_acc[e] = f.train_loss[e], acc
      h.val_acc[e], h.val_loss[e], h.seconds[e] = f.val_acc[e], f.val_loss[e], f.seconds[e]
      if opts.on_epoch then opts.on_epoch(e, h) end
    end,
  }
  h.epochs, h.diverged, h.best_epoch = #h.loss, fh.diverged or false, fh.best_epoch
  if h.best_epoch then
    local _, acc = nn.evaluate(model, crit, d.tx, d.ty)
    h.test_acc = acc
  end
  return h
end

return q5fc
