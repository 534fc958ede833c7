-- Q5's three-layer ConvNet (EXPERIMENTS.md, CS231n's ThreeLayerConvNet) as
-- an nn.Sequential, the course's sanity checks, and helpers for
-- scripts/q5_convnet.lua and bench/q5_convnet.lua.
--
--   conv (F filters KxK, pad K//2, stride 1) [- BatchNorm2d | GroupNorm] - ReLU
--   - 2x2 max pool - affine H - ReLU - affine 10      (softmax cross-entropy)
--
-- The "sandwiches" of the course are plain compositions:
--   conv-relu-pool: nn.Conv2d(...), nn.ReLU(), nn.MaxPool2d(2)
--   affine-relu:    nn.Linear(...), nn.ReLU()
local nn = require "nn"
local optim = require "optim"

local convnet = {}

convnet.NORMS = {none = true, batch = true, group = true}
convnet.LR = {sgd = 0.05, momentum = 0.01, rmsprop = 1e-3, adam = 1e-3}

-- opts: filters (32), kernel (7), hidden (100), norm ("none"|"batch"|"group"),
-- groups (8, for group norm), classes (10), input {C, H, W} ({1, 28, 28}).
function convnet.build(opts)
  opts = opts or {}
  local F, K, Hd = opts.filters or 32, opts.kernel or 7, opts.hidden or 100
  local norm, G = opts.norm or "none", opts.groups or 8
  local cin, h, w = table.unpack(opts.input or {1, 28, 28})
  if not convnet.NORMS[norm] then
    error(("convnet.build: norm must be none, batch or group, got '%s'"):format(tostring(norm)), 2)
  end
  if K % 2 ~= 1 then
    error(("convnet.build: the kernel size must be odd (padding K//2 keeps the size), got %d"):format(K), 2)
  end
  if norm == "group" and F % G ~= 0 then
    error(("convnet.build: %d filters cannot be split into %d groups"):format(F, G), 2)
  end
  local layers = {nn.Conv2d(cin, F, K, {pad = K // 2})}
  if norm == "batch" then layers[#layers + 1] = nn.BatchNorm2d(F) end
  if norm == "group" then layers[#layers + 1] = nn.GroupNorm(G, F) end
  for _, m in ipairs{nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                     nn.Linear(F * (h // 2) * (w // 2), Hd), nn.ReLU(), nn.Linear(Hd, opts.classes or 10)} do
    layers[#layers + 1] = m
  end
  return nn.Sequential(layers)
end

function convnet.optimizer(name, lr, momentum)
  lr = lr or convnet.LR[name]
  if name == "sgd" then return optim.sgd{lr = lr}
  elseif name == "momentum" then return optim.sgd{lr = lr, momentum = momentum or 0.9}
  elseif name == "rmsprop" then return optim.rmsprop{lr = lr}
  elseif name == "adam" then return optim.adam{lr = lr}
  end
  error(("convnet.optimizer: optimizer must be sgd, momentum, rmsprop or adam, got '%s'"):format(
    tostring(name)), 2)
end

-- Scores of x in evaluation mode, in batches (the conv activations of all
-- 10000 test images at once would take 400 MB).
function convnet.scores(model, x, batch)
  batch = batch or 500
  model:evaluate()
  local N = x:size(1)
  local out
  for s = 1, N, batch do
    local len = math.min(batch, N - s + 1)
    local y = model:forward(x:narrow(1, s, len))
    out = out or nn.zeros(N, y:size(2))
    out:narrow(1, s, len):copy(y)
  end
  model:training()
  return out
end

-- Sanity check 1: the mean cross-entropy of an untrained model on x, y
-- (≈ log(classes) when the initial scores are small).
function convnet.initial_loss(model, x, y)
  return nn.CrossEntropyLoss():loss(convnet.scores(model, x), y)
end

-- Sanity check 2: train on a few images until they are all classified
-- correctly (in evaluation mode) or max_epochs pass.  Returns the epochs
-- used and the final training accuracy.
function convnet.overfit(model, x, y, opts)
  local opt = convnet.optimizer(opts.optimizer, opts.lr, opts.momentum)
  local acc, epochs = 0, 0
  nn.fit{model = model, loss = nn.CrossEntropyLoss(), optimizer = opt, x = x, y = y,
    batch = opts.batch or 25, epochs = opts.max_epochs or 50, seed = opts.seed, quiet = true,
    on_epoch = function(e)
      epochs = e
      acc = nn.metrics.accuracy(convnet.scores(model, x), y)
      if acc == 1 then return false end
    end}
  return epochs, acc
end

-- Rows: true class; columns: predicted; last column: recall of the row.
function convnet.format_confusion(cm, names)
  local abbrev = {}
  for j, s in ipairs(names) do abbrev[j] = s:sub(1, 7) end
  local w = #"true \\ predicted"
  for _, s in ipairs(names) do w = math.max(w, #s) end
  local head = {("%-" .. w .. "s"):format("true \\ predicted")}
  for j = 1, #names do head[#head + 1] = (" %7s"):format(abbrev[j]) end
  head[#head + 1] = "  recall"
  local lines = {table.concat(head)}
  for i = 1, #names do
    local row, total = {("%-" .. w .. "s"):format(names[i])}, 0
    for j = 1, #names do
      row[#row + 1] = (" %7d"):format(cm[i][j])
      total = total + cm[i][j]
    end
    row[#row + 1] = ("  %6.3f"):format(total > 0 and cm[i][i] / total or 0)
    lines[#lines + 1] = table.concat(row)
  end
  return table.concat(lines, "\n")
end

return convnet
