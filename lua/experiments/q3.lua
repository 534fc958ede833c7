--- q3: the recurrent activity classifier of EXPERIMENTS.md Q3 (data3.h5).
--
-- Pieces shared by scripts/q3_rnn.lua, scripts/q3_compare.lua and the
-- benchmark workloads bench/q3_{rnn,lstm,gru}.lua:
--
--   q3.load([path])                 -> data: trX (3000,150,3), trY (3000) class
--                                      indices, tstX, tstY, classes {names}
--   q3.split(n, frac, seed)         -> train, val index tensors (seeded)
--   q3.standardizer(x)              -> mean (3), std (3) per axis over all steps
--   q3.build(cell, {hidden=, mlp=}) -> nn.Sequential: cell -> MLP (ReLU) -> 6
--   q3.predict(model, x)            -> scores (N,6), predicted classes (N)
--   q3.format_confusion(cm, names)  -> printable string of a K x K table
--                                      (nn.metrics.confusion(...):totable())
--   q3.DEFAULTS[cell]               -> {lr=, clip=}: the training defaults
--   q3.bench(cell, arg)             -> the bench/q3_<cell>.lua workload
--
-- The network (EXPERIMENTS.md): a recurrent layer of `hidden` units reads the
-- 150 steps; its last hidden state feeds Linear-ReLU layers of sizes `mlp`
-- and a 6-way linear output; the loss is softmax cross-entropy.
local nn = require "nn"
local h5 = require "h5"

local q3 = {}

q3.root = require("nnsh.paths").root
q3.default_data = q3.root .. "/data/data3.h5"
q3.CELLS = {"rnn", "lstm", "gru"}
-- Learning rate and gradient-norm clipping per cell (scripts/q3_rnn.lua says
-- why): the tanh RNN needs the smaller step.
q3.DEFAULTS = {rnn = {lr = 0.01, clip = 1}, lstm = {lr = 0.05, clip = 1}, gru = {lr = 0.05, clip = 1}}
local CLASS = {rnn = "RNN", lstm = "LSTM", gru = "GRU"}

function q3.check_cell(cell)
  if not CLASS[cell] then
    error(("q3: cell must be rnn, lstm or gru, got %s"):format(tostring(cell)), 2)
  end
  return cell
end

function q3.load(path)
  path = path or q3.default_data
  local d = {
    trX = h5.read(path, "trX"), tstX = h5.read(path, "tstX"),
    -- one-hot rows -> class index (1..6)
    trY = h5.read(path, "trY"):argmax(2), tstY = h5.read(path, "tstY"):argmax(2),
  }
  d.classes = h5.exists(path, "classes") and h5.read(path, "classes")
    or {"class1", "class2", "class3", "class4", "class5", "class6"}
  return d
end

-- A seeded split of 1..n: the first (1-frac) of a permutation for training,
-- the rest for validation.
function q3.split(n, frac, seed)
  nn.seed(seed)
  local perm = nn.randperm(n)
  local nval = math.floor(n * frac + 0.5)
  return perm:narrow(1, 1, n - nval), perm:narrow(1, n - nval + 1, nval)
end

-- Per-axis statistics over every step of every sequence of x (N,T,D).
function q3.standardizer(x)
  local flat = x:contiguous():view(-1, x:size(3))
  return flat:mean(1), flat:std(1)
end

function q3.standardize(x, mean, std)
  return (x - mean) / std
end

function q3.build(cell, opts)
  q3.check_cell(cell)
  opts = opts or {}
  local hidden, mlp = opts.hidden or 128, opts.mlp or {64, 32}
  local layers = {nn[CLASS[cell]](opts.nin or 3, hidden)}
  local width = hidden
  for _, w in ipairs(mlp) do
    layers[#layers + 1] = nn.Linear(width, w)
    layers[#layers + 1] = nn.ReLU()
    width = w
  end
  layers[#layers + 1] = nn.Linear(width, opts.classes or 6)
  return nn.Sequential(layers)
end

-- Scores and predicted classes, in evaluation mode (the recurrent layer
-- then runs large inputs in chunks).
function q3.predict(model, x)
  model:evaluate()
  local scores = model:forward(x)
  local pred = scores:argmax(2)
  model:training()
  return scores, pred
end

-- Rows: true class; columns: predicted; last column: recall of the row.
function q3.format_confusion(cm, names)
  local w, cw = #"true \\ predicted", 7
  for _, s in ipairs(names) do w, cw = math.max(w, #s), math.max(cw, #s) end
  local head = {("%-" .. w .. "s"):format("true \\ predicted")}
  for j = 1, #names do head[#head + 1] = (" %" .. cw .. "s"):format(names[j]) end
  head[#head + 1] = "  recall"
  local lines = {table.concat(head)}
  for i = 1, #names do
    local row, total = {("%-" .. w .. "s"):format(names[i])}, 0
    for j = 1, #names do
      row[#row + 1] = (" %" .. cw .. "d"):format(cm[i][j])
      total = total + cm[i][j]
    end
    row[#row + 1] = ("  %6.3f"):format(total > 0 and cm[i][i] / total or 0)
    lines[#lines + 1] = table.concat(row)
  end
  return table.concat(lines, "\n")
end

-- The benchmark workload of bench/README.md for one cell: an epoch of the
-- first 90% of trX (2700 sequences, raw values as bench/torch/recurrent.py
-- reads them) in a fresh random order, mini-batch 32 gathered into reused
-- buffers, then nn.fit's step (nn.training_step: forward, backward and an
-- SGD step, lr 0.1, momentum 0.85, over the flat parameter block).
function q3.bench(cell, argv)
  q3.check_cell(cell)
  local bench = require "bench"
  local optim = require "optim"
  local opt = bench.options(argv, "q3_" .. cell)
  local d = q3.load()
  local N, B = math.floor(d.trX:size(1) * 0.9), 32
  local X, Y = d.trX:narrow(1, 1, N):contiguous(), d.trY:narrow(1, 1, N):contiguous()
  nn.seed(opt.seed)
  local model = q3.build(cell)
  local train = nn.training_step{model = model, loss = nn.CrossEntropyLoss(),
                                 optimizer = optim.sgd{lr = 0.1, momentum = 0.85}}
  local xb, yb, perm = nn.zeros(B, X:size(2), X:size(3)), nn.index{1}, nil
  return bench.run{
    workload = cell, samples = N, batch = B, opt = opt,
    epoch = function() perm = nn.randperm(N) end,
    step = function(first, len)
      nn.C.gather_rows(xb, X, perm, first, len)
      nn.C.gather_rows(yb, Y, perm, first, len)
      return (train(xb, yb))
    end,
    extra = {hidden = 128, steps = X:size(2), cell = cell},
  }
end

return q3
