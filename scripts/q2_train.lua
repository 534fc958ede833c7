-- Q2 (EXPERIMENTS.md): train the trigram next-word model for several
-- (D, P) configurations, with early stopping on validation cross-entropy.
--
--   nnsh scripts/q2_train.lua [--configs 32x256,16x128,8x64] [--epochs 50]
--        [--lr 0.15] [--momentum 0.85] [--batch 200] [--patience 3]
--        [--seed 1] [--out out/q2] [--plots out/q2] [--json FILE] [--force]
--
-- Writes <out>/q2_D{D}_P{P}.h5 (best weights), one PNG of the train and
-- validation curves per config, and prints a results table.  An existing
-- checkpoint is never replaced without --force (the bundled model in
-- models/ is only written when --out models --force says so).  Ctrl-C stops
-- the current configuration after its mini-batch, saves its best weights
-- and exits with status 130.
local nn = require "nn"
local optim = require "optim"
local cli = require "cli"
local json = require "json"
local tg = require "trigram"

local spec = {
  usage = "nnsh scripts/q2_train.lua [options]",
  {"configs", "32x256,16x128,8x64", "comma-separated DxP configurations"},
  {"epochs", 50, "maximum number of epochs"},
  {"lr", 0.15, "learning rate"},
  {"momentum", 0.85, "momentum"},
  {"batch", 200, "mini-batch size"},
  {"patience", 3, "epochs without validation improvement before stopping"},
  {"seed", 1, "random seed (init and shuffling)"},
  {"subset", 0, "train on the first N contexts only (0 = all)"},
  {"data", tg.default_data, "the Q2 HDF5 file"},
  {"out", "out/q2", "directory for checkpoints"},
  {"force", false, "replace existing checkpoints"},
  {"plots", "out/q2", "directory for the curve PNGs ('' = none)"},
  {"json", nil, "write the results as JSON to FILE", type = "string"},
  {"quiet", false, "no per-epoch lines"},
}
local opt = cli.parse(arg, spec)

local configs = cli.list(opt.configs, "x")
local function checkpoint(D, P) return ("%s/q2_D%d_P%d.h5"):format(opt.out, D, P) end
-- Refuse before any training, not after an hour of it.
local checkpoints = {}
for i, cfg in ipairs(configs) do checkpoints[i] = checkpoint(cfg[1], cfg[2]) end
require("runfiles").check_new(checkpoints, opt.force, "q2_train")

local data = tg.read_data(opt.data)
local trainx, traind = data.trainx, data.traind
if opt.subset > 0 then
  trainx, traind = trainx:narrow(1, 1, opt.subset), traind:narrow(1, 1, opt.subset)
end
local V = #data.words
print(("Q2 trigram model: %d training contexts, %d validation, %d test, vocabulary %d")
  :format(trainx:size(1), data.valx:size(1), data.testx:size(1), V))

os.execute("mkdir -p '" .. opt.out .. "'")
local results = {}
local last_hist
for _, cfg in ipairs(configs) do
  local D, P = cfg[1], cfg[2]
  print(("\n== (D, P) = (%d, %d)"):format(D, P))
  nn.seed(opt.seed)
  local model = tg.build(V, D, P)
  local hist = nn.fit{
    model = model,
    loss = nn.CrossEntropyLoss(),
    optimizer = optim.sgd{lr = opt.lr, momentum = opt.momentum},
    x = trainx, y = traind,
    val = {x = data.valx, y = data.vald},
    batch = opt.batch, epochs = opt.epochs, seed = opt.seed,
    patience = opt.patience,
    quiet = opt.quiet,
  }
  local best = hist.best_epoch
  last_hist = hist
  if hist.diverged and not best then -- diverged before any epoch finished: nothing worth saving
    print(("(D, P) = (%d, %d) diverged in epoch %d (the model is untrained); no checkpoint written")
      :format(D, P, hist.diverged_at and hist.diverged_at.epoch or 0))
    results[#results + 1] = {D = D, P = P, diverged = true, epochs_run = 0,
                             interrupted = hist.interrupted or false}
    if hist.interrupted then break end
    goto next_config
  end
  local test_ce, test_acc = tg.evaluate(model, data.testx, data.testd)
  local train_ce = best and hist.train_loss[best]
  local val_ce = best and hist.val_loss[best]
  local secs = 0
  for _, s in ipairs(hist.seconds) do secs = secs + s end
  local path = checkpoint(D, P)
  tg.save(path, model, data.words, {D = D, P = P, best_epoch = best, val_ce = val_ce,
                                     test_ce = test_ce, test_accuracy = test_acc,
                                     lr = opt.lr, momentum = opt.momentum, batch = opt.batch,
                                     seed = opt.seed})
  print(("saved %s"):format(path))
  if opt.plots ~= "" then
    local plot = require "plot"
    plot.lines{
      {name = "train", y = hist.train_loss},
      {name = "validation", y = hist.val_loss},
      title = ("Q2 trigram model, D=%d, P=%d"):format(D, P),
      xlabel = "epoch", ylabel = "cross-entropy (nats)",
      path = ("%s/q2_D%d_P%d_curves.png"):format(opt.plots, D, P),
    }
  end
  results[#results + 1] = {D = D, P = P, best_epoch = best, epochs_run = #hist.train_loss,
                           train_ce = train_ce, val_ce = val_ce, test_ce = test_ce,
                           test_accuracy = test_acc, sec_per_epoch = secs / math.max(#hist.seconds, 1),
                           interrupted = hist.interrupted or false, diverged = hist.diverged,
                           checkpoint = path}
  if hist.interrupted then break end
  ::next_config::
end

print("\nconfig      best epoch  train CE  val CE  test CE  test acc  s/epoch")
local nan = 0 / 0
for _, r in ipairs(results) do
  if r.diverged and not r.best_epoch then
    print(("(%2d,%4d)   diverged (untrained)"):format(r.D, r.P))
  else
    -- (an interrupted first epoch has no best epoch yet)
    print(("(%2d,%4d)   %10d  %8.4f  %6.4f  %7.4f  %8.4f  %7.2f%s"):format(
      r.D, r.P, r.best_epoch or 0, r.train_ce or nan, r.val_ce or nan, r.test_ce, r.test_accuracy,
      r.sec_per_epoch, r.diverged and "  diverged later" or ""))
  end
end
if opt.json then
  json.write(opt.json, {experiment = "q2", settings = opt, results = results})
  print("wrote " .. opt.json)
end
cli.finish(last_hist, "training")
