-- Q3 (EXPERIMENTS.md): a recurrent activity classifier on data3.h5.
--
--   nnsh scripts/q3_rnn.lua --cell rnn|lstm|gru [--hidden 128] [--mlp 64,32]
--        [--lr LR] [--momentum 0.85] [--batch 32] [--epochs 50] [--clip C]
--        [--standardize | --no-standardize] [--patience N] [--seed S]
--        [--out out/q3] [--json FILE] [--force]
--
-- A recurrent layer (tanh RNN, LSTM or GRU, lua/nn/recurrent.lua) reads the
-- 150 steps of 3 accelerometer axes; its last hidden state feeds an MLP with
-- ReLU layers (--mlp) and a 6-way softmax; cross-entropy, SGD with momentum,
-- full back-propagation through time, Xavier-uniform weights, zero biases.
-- 10% of the training set (seeded) is held out for validation; training
-- stops when the validation cross-entropy has not improved for --patience
-- epochs and the best epoch's weights are kept.
--
-- Defaults, and why (what the course reports found necessary):
--   --standardize on: each axis scaled to zero mean, unit variance with the
--     training split's statistics.  The raw values are m/s^2 around +-10
--     (gravity), which saturates tanh and the gates from the first step.
--   --lr: 0.01 for the tanh RNN, 0.05 for the LSTM and the GRU.  At 0.1 the
--     vanilla RNN's gradients explode within two epochs and the network
--     collapses to a constant prediction; the LSTM at 0.1 trains in jumps
--     (the training loss rises for several epochs at a time) and early
--     stopping may catch an unlucky epoch.
--   --clip 1: the global gradient norm is clipped to 1 for every cell.
--   --patience 10: the validation loss is noisy from epoch to epoch.
-- Momentum 0.85, batch 32 and at most 50 epochs as in EXPERIMENTS.md.
--
-- Output: a per-epoch table, test accuracy, confusion matrices (train split
-- and test) printed with class names and drawn as heatmaps, loss and
-- accuracy curves, the model with its standardization, all under --out:
--   q3_<cell>.h5  q3_<cell>_curves.png  q3_<cell>_confusion_{train,test}.png
local nn = require "nn"
local optim = require "optim"
local cli = require "cli"
local json = require "json"
local plot = require "plot"
local q3 = require "q3"

local spec = {
  usage = "nnsh scripts/q3_rnn.lua --cell rnn|lstm|gru [options]",
  {"cell", "lstm", "recurrent cell", choices = {"rnn", "lstm", "gru"}},
  {"hidden", 128, "hidden units of the recurrent layer"},
  {"mlp", "64,32", "sizes of the ReLU layers after it (comma-separated, '' for none)"},
  {"lr", nil, "learning rate (default 0.01 for rnn, 0.05 for lstm and gru)", type = "number"},
  {"momentum", 0.85, "momentum"},
  {"batch", 32, "mini-batch size"},
  {"epochs", 50, "maximum number of epochs"},
  {"clip", nil, "clip the global gradient norm to C (default 1; 0 = off)", type = "number"},
  {"standardize", true, "scale each axis to zero mean and unit variance (training statistics)"},
  {"patience", 10, "epochs without validation improvement before stopping"},
  {"seed", 1, "random seed (split, initialization, shuffling)"},
  {"val", 0.1, "fraction of the training set held out for validation"},
  {"data", q3.default_data, "the Q3 HDF5 file"},
  {"out", "out/q3", "directory for the model and the pictures ('' = write nothing)"},
  {"json", nil, "write the results as JSON to FILE", type = "string"},
  {"quiet", false, "no per-epoch table"},
  {"force", false, "replace an existing model file in --out"},
}
local opt = cli.parse(arg, spec)

local cell = opt.cell
if opt.out ~= "" then
  require("runfiles").check_new({("%s/q3_%s.h5"):format(opt.out, cell)}, opt.force, "q3_rnn")
end
local lr = opt.lr or q3.DEFAULTS[cell].lr
local clip = opt.clip or q3.DEFAULTS[cell].clip
local mlp = {}
for w in tostring(opt.mlp):gmatch("[^,%s]+") do
  local n = math.tointeger(tonumber(w))
  if not n or n < 1 then cli.fail(spec, "--mlp expects sizes like 64,32, got '%s'", opt.mlp) end
  mlp[#mlp + 1] = n
end

-- --- data ----------------------------------------------------------------------
local d = q3.load(opt.data)
local K, classes = 6, d.classes
local tr, va = q3.split(d.trX:size(1), opt.val, opt.seed)
local x, y = d.trX:index_select(tr), d.trY:index_select(tr)
local vx, vy = d.trX:index_select(va), d.trY:index_select(va)
local tx, ty = d.tstX, d.tstY
local mean, std
if opt.standardize then
  mean, std = q3.standardizer(x)
  x, vx, tx = q3.standardize(x, mean, std), q3.standardize(vx, mean, std), q3.standardize(tx, mean, std)
end

-- --- model -----------------------------------------------------------------------
nn.seed(opt.seed)
local model = q3.build(cell, {hidden = opt.hidden, mlp = mlp})
print(("Q3 %s: %d training, %d validation, %d test sequences of %dx%d; %s parameters")
  :format(cell:upper(), x:size(1), vx:size(1), tx:size(1), x:size(2), x:size(3),
          nn._thousands(model:num_parameters())))
print(model)
print(("SGD lr %g momentum %g, batch %d, <= %d epochs, patience %d, clip %s, standardize %s, seed %d")
  :format(lr, opt.momentum, opt.batch, opt.epochs, opt.patience, clip > 0 and tostring(clip) or "off",
          tostring(opt.standardize), opt.seed))

-- --- training ----------------------------------------------------------------------
local function row(e, h)
  return ("%5d  %10.4f %9.3f  %10.4f %9.3f  %7.2f%s"):format(e, h.train_loss[e], h.train_acc[e],
    h.val_loss[e], h.val_acc[e], h.seconds[e], h.best_epoch == e and "  *" or "")
end
local header = "epoch  train loss train acc   val loss   val acc  seconds"
if not opt.quiet then print(header) end
local t0 = nn.clock()
local hist = nn.fit{
  model = model, loss = nn.CrossEntropyLoss(),
  optimizer = optim.sgd{lr = lr, momentum = opt.momentum},
  x = x, y = y, val = {x = vx, y = vy},
  batch = opt.batch, epochs = opt.epochs, seed = opt.seed, patience = opt.patience,
  clip = clip > 0 and clip or nil, quiet = true,
  progress = not opt.quiet and os.execute("test -t 1") == true, -- a live bar on terminals
  on_epoch = function(e, h)
    if not opt.quiet then print(row(e, h)); io.stdout:flush() end
  end,
}
local total = nn.clock() - t0
local sum = 0
for e = 1, hist.epochs do sum = sum + hist.seconds[e] end
local sec_per_epoch = sum / math.max(hist.epochs, 1)
if hist.best_epoch then
  print(("best epoch %d of %d (validation cross-entropy %.4f)%s%s; %.2f s/epoch, %.1f s in all")
    :format(hist.best_epoch, hist.epochs, hist.best_loss, hist.stopped_early and ", stopped early" or "",
            hist.diverged and ", then diverged" or "", sec_per_epoch, total))
else
  print(("no epoch improved%s: the model is %s"):format(hist.diverged and " (diverged)" or "",
    hist.diverged and "untrained (initial weights restored)" or "the last epoch's"))
end

-- --- evaluation ----------------------------------------------------------------------
local crit = nn.CrossEntropyLoss()
local function assess(xs, ys)
  local scores = q3.predict(model, xs)
  local cm = nn.metrics.confusion(scores, ys, K)
  return crit:loss(scores, ys), nn.metrics.accuracy(scores, ys), cm
end
local train_loss, train_acc, cm_train = assess(x, y)
local test_loss, test_acc, cm_test = assess(tx, ty)
print(("\ntrain accuracy %.4f (cross-entropy %.4f)"):format(train_acc, train_loss))
print(("test accuracy  %.4f (cross-entropy %.4f)"):format(test_acc, test_loss))
print("\nconfusion matrix, training split (rows: true class, columns: predicted)")
print(q3.format_confusion(cm_train:totable(), classes))
print("\nconfusion matrix, test set")
print(q3.format_confusion(cm_test:totable(), classes))

-- --- files -------------------------------------------------------------------------------
if opt.out ~= "" then
  local base = ("%s/q3_%s"):format(opt.out, cell)
  local epochs = {}
  for e = 1, hist.epochs do epochs[e] = e end
  plot.grid{
    {{name = "train", y = hist.train_loss}, {name = "validation", y = hist.val_loss},
     x = epochs, title = "cross-entropy", xlabel = "epoch"},
    {{name = "train", y = hist.train_acc}, {name = "validation", y = hist.val_acc},
     x = epochs, title = "accuracy", xlabel = "epoch"},
    rows = 1, cols = 2, title = ("Q3 %s"):format(cell:upper()), path = base .. "_curves.png",
    width = 1100, height = 450,
  }
  plot.confusion(cm_train, classes, {path = base .. "_confusion_train.png",
    title = ("Q3 %s, training split (accuracy %.3f)"):format(cell:upper(), train_acc)})
  plot.confusion(cm_test, classes, {path = base .. "_confusion_test.png",
    title = ("Q3 %s, test set (accuracy %.3f)"):format(cell:upper(), test_acc)})
  local saved = {model = model, cell = cell, classes = classes, test_acc = test_acc,
                 best_epoch = hist.best_epoch, standardize = opt.standardize}
  if mean then saved.mean, saved.std = mean, std end
  nn.save(base .. ".h5", saved)
  print("wrote " .. base .. ".h5")
end

local result = {
  cell = cell, test_acc = test_acc, test_loss = test_loss, train_acc = train_acc,
  best_epoch = hist.best_epoch, epochs = hist.epochs, sec_per_epoch = sec_per_epoch,
  diverged = hist.diverged, interrupted = hist.interrupted,
  total_seconds = total, params = model:num_parameters(), classes = classes,
  confusion_train = cm_train:totable(), confusion_test = cm_test:totable(),
  history = {train_loss = hist.train_loss, val_loss = hist.val_loss, train_acc = hist.train_acc,
             val_acc = hist.val_acc, seconds = hist.seconds},
  settings = {hidden = opt.hidden, mlp = mlp, lr = lr, momentum = opt.momentum, batch = opt.batch,
              epochs = opt.epochs, clip = clip, standardize = opt.standardize,
              patience = opt.patience, seed = opt.seed},
}
result.interrupted = hist.interrupted or false
if opt.json then
  json.write(opt.json, result)
  print("wrote " .. opt.json)
end
cli.finish(hist, "training")
return result
