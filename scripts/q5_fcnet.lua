-- Q5 (EXPERIMENTS.md), fully connected part: nets of any depth on
-- Fashion-MNIST, with optional batch/layer norm and inverted dropout, and the
-- course's comparisons, one command each.
--
--   nnsh scripts/q5_fcnet.lua [--hidden 100,100] [--norm none|batch|layer]
--        [--dropout P] [--rule sgd|momentum|rmsprop|adam] [--lr LR]
--        [--weight-scale S] [--epochs E] [--n-train N] ...   one network
--   nnsh scripts/q5_fcnet.lua --compare optim       SGD, SGD+momentum, RMSProp, Adam
--   nnsh scripts/q5_fcnet.lua --compare batchnorm   deep net with/without batch norm
--                                                   across weight-init scales
--   nnsh scripts/q5_fcnet.lua --compare dropout     dropout vs none on a small subset
--
-- Net (lua/experiments/q5fc.lua): per hidden layer Linear [- BatchNorm |
-- LayerNorm] - ReLU [- Dropout], then Linear to 10 scores; softmax
-- cross-entropy; mini-batches of --batch through nn.fit.  Data: the first
-- --n-train of the 60,000 training images, validation on the --n-val images
-- after them, test on the 10,000 test images (--n-test); pixels in [0,1],
-- flattened.
-- Every run of a comparison starts from the same seed (same initial
-- weights where the nets agree, same mini-batch order).
--
-- Each comparison's defaults (what runs in reasonable time on a shared
-- 2-core machine; any option overrides them):
--   none       hidden 100,100   adam, 10 epochs, 50000 training images
--   optim      hidden 100,100,100,100,100, 10 epochs, 20000 training images;
--              lr per rule unless --lr: sgd 0.05, momentum 0.01 (0.9),
--              rmsprop 1e-3, adam 1e-3
--   batchnorm  hidden 100 x 7 (8 affine layers), adam 1e-3, 10 epochs,
--              2000 training images, weight scales --scales (N(0, s^2) init)
--   dropout    hidden 256,256, adam 1e-3, 40 epochs, 500 training images,
--              dropout probabilities --ps 0,0.25,0.5
--
-- Per epoch: the mean training loss (as trained, dropout on), training
-- accuracy (on up to 5000 training images, evaluation mode), validation
-- accuracy and loss.  At the end nn.fit keeps the weights of the best validation
-- epoch; the test accuracy is theirs.  Output under --out (nothing is
-- overwritten without --force): q5_<compare>.png, and --json FILE.
local nn = require "nn"
local cli = require "cli"
local json = require "json"
local plot = require "plot"
local q5fc = require "q5fc"
local runfiles = require "runfiles"

local opt = cli.parse(arg, {
  usage = "nnsh scripts/q5_fcnet.lua [--compare none|optim|batchnorm|dropout] [options]",
  {"compare", "none", "none (one network), optim, batchnorm or dropout"},
  {"hidden", nil, "hidden layer sizes, e.g. 100,100,100", type = "string"},
  {"norm", "none", "normalization after each affine layer: none, batch or layer"},
  {"dropout", 0, "inverted dropout probability after each hidden layer"},
  {"rule", "adam", "update rule: sgd, momentum, rmsprop or adam"},
  {"lr", nil, "learning rate (default: per rule)", type = "number"},
  {"weight-scale", nil, "weights N(0, S^2) instead of Xavier uniform", type = "number"},
  {"scales", "1e-3,3e-3,1e-2,3e-2,0.1,0.3,1", "weight scales of --compare batchnorm"},
  {"ps", "0,0.25,0.5", "dropout probabilities of --compare dropout"},
  {"epochs", nil, "epochs per network", type = "number"},
  {"batch", 100, "mini-batch size"},
  {"n-train", nil, "training images (the first N of the training set)", type = "number"},
  {"n-val", 10000, "validation images (the N training images after the first --n-train)"},
  {"n-test", 10000, "test images (the first N of the test set)"},
  {"seed", 1, "random seed"},
  {"out", "out/q5", "directory for the figures ('' = no figures)"},
  {"json", nil, "write settings, histories and the table as JSON to FILE", type = "string"},
  {"force", false, "overwrite existing output files"},
  {"quiet", false, "no per-epoch lines"},
})

-- dashed option names as Lua fields
opt.weight_scale, opt.n_train, opt.n_val = opt["weight-scale"], opt["n-train"], opt["n-val"]
opt.n_test = opt["n-test"]

local DEFAULTS = {
  none = {hidden = "100,100", epochs = 10, n_train = 50000},
  optim = {hidden = "100,100,100,100,100", epochs = 10, n_train = 20000},
  batchnorm = {hidden = "100,100,100,100,100,100,100", epochs = 10, n_train = 2000},
  dropout = {hidden = "256,256", epochs = 40, n_train = 500},
}
local def = DEFAULTS[opt.compare]
if not def then
  error(("q5_fcnet: --compare must be none, optim, batchnorm or dropout, got '%s'"):format(opt.compare), 0)
end
for k, v in pairs(def) do if opt[k] == nil then opt[k] = v end end

local function numbers(s, what)
  local out = {}
  for w in tostring(s):gmatch("[^,%s]+") do
    local v = tonumber(w)
    if not v then error(("q5_fcnet: --%s expects numbers separated by commas, got '%s'"):format(what, s), 0) end
    out[#out + 1] = v
  end
  if #out == 0 then error(("q5_fcnet: --%s is empty"):format(what), 0) end
  return out
end
local hidden = numbers(opt.hidden, "hidden")
for _, h in ipairs(hidden) do
  if math.type(h) ~= "integer" or h < 1 then error("q5_fcnet: --hidden sizes must be positive integers", 0) end
end
for _, k in ipairs{"epochs", "batch", "n_train", "n_val", "n_test"} do
  if math.type(opt[k]) ~= "integer" or opt[k] < 1 then
    error(("q5_fcnet: --%s must be a positive integer, got %s"):format(k:gsub("_", "-"), tostring(opt[k])), 0)
  end
end
if not (opt.dropout >= 0 and opt.dropout < 1) then error("q5_fcnet: --dropout must be in [0, 1)", 0) end

-- --- the runs ---------------------------------------------------------------------
local base = {hidden = hidden, norm = opt.norm, dropout = opt.dropout, rule = opt.rule, lr = opt.lr,
              weight_scale = opt.weight_scale}
local function with(t)
  local r = {}
  for k, v in pairs(base) do r[k] = v end
  for k, v in pairs(t) do r[k] = v end
  return r
end
local runs = {}
if opt.compare == "none" then
  runs[1] = with{name = ("%s, %s norm, dropout %g"):format(opt.rule, opt.norm, opt.dropout)}
elseif opt.compare == "optim" then
  for _, r in ipairs(q5fc.RULES) do runs[#runs + 1] = with{name = r, rule = r} end
elseif opt.compare == "batchnorm" then
  for _, s in ipairs(numbers(opt.scales, "scales")) do
    runs[#runs + 1] = with{name = ("baseline, scale %g"):format(s), norm = "none", weight_scale = s, group = "baseline"}
    runs[#runs + 1] = with{name = ("batch norm, scale %g"):format(s), norm = "batch", weight_scale = s, group = "batch norm"}
  end
else
  for _, p in ipairs(numbers(opt.ps, "ps")) do
    if not (p >= 0 and p < 1) then error("q5_fcnet: --ps values must be in [0, 1)", 0) end
    runs[#runs + 1] = with{name = p == 0 and "no dropout" or ("dropout %g"):format(p), dropout = p}
  end
end

local figure = opt.out ~= "" and ("%s/q5_%s.png"):format(opt.out, opt.compare) or nil
runfiles.check_new({figure, opt.json}, opt.force, "q5_fcnet")

local d = q5fc.load{n_train = opt.n_train, n_val = opt.n_val, n_test = opt.n_test}
print(("Q5 fully connected, --compare %s: %d training, %d validation, %d test images; hidden %s; "
       .. "batch %d, %d epochs, seed %d"):format(opt.compare, d.x:size(1), d.vx:size(1), d.tx:size(1),
       opt.hidden, opt.batch, opt.epochs, opt.seed))

local function fmt(v, f) return v and v == v and (f or "%.4f"):format(v) or "-" end

for _, r in ipairs(runs) do
  nn.seed(opt.seed)
  local model = q5fc.build(r)
  r.params = model:num_parameters()
  print(("\n%s: %s, lr %g, %s parameters"):format(r.name, r.rule, r.lr or q5fc.DEFAULT_LR[r.rule],
        nn._thousands(r.params)))
  if not opt.quiet then print("epoch  train loss  train acc  val acc  seconds") end
  local t0 = nn.clock()
  r.h = q5fc.train(model, d, {rule = r.rule, lr = r.lr, batch = opt.batch, epochs = opt.epochs,
    seed = opt.seed, on_epoch = function(e, h)
      if not opt.quiet then
        print(("%5d  %10s  %9.4f  %7.4f  %7.2f"):format(e, fmt(h.loss[e]), h.train_acc[e], h.val_acc[e], h.seconds[e]))
        io.stdout:flush()
      end
    end})
  r.seconds = nn.clock() - t0
  if r.h.diverged then print(("the loss became NaN after epoch %d"):format(r.h.epochs)) end
end

-- --- table ------------------------------------------------------------------------
local function last(t) return t[#t] end
local function best(t)
  local b, at = -1, nil
  for i, v in ipairs(t) do if v == v and v > b then b, at = v, i end end
  return at and b or nil, at
end
print(("\n%-28s %9s %9s  %-16s %9s  %s"):format("run (last epoch)", "train acc", "val acc",
      "best val (epoch)", "test acc", "seconds"))
local table_rows = {}
for _, r in ipairs(runs) do
  local bv, be = best(r.h.val_acc)
  local row = {name = r.name, train_acc = last(r.h.train_acc), val_acc = last(r.h.val_acc), best_val_acc = bv,
               best_val_epoch = be, test_acc = r.h.test_acc, diverged = r.h.diverged,
               epochs = r.h.epochs, seconds = r.seconds, params = r.params}
  table_rows[#table_rows + 1] = row
  print(("%-28s %9s %9s  %-16s %9s  %.1f%s"):format(r.name, fmt(row.train_acc), fmt(row.val_acc),
        bv and ("%.4f (%d)"):format(bv, be) or "-", fmt(row.test_acc), r.seconds,
        r.h.diverged and "  diverged" or ""))
end

-- --- figure -----------------------------------------------------------------------
-- Finite points of a per-epoch list, with their epochs.
local function curve(name, ys)
  local x, y = {}, {}
  for i, v in ipairs(ys) do
    if v == v and v ~= math.huge and v ~= -math.huge then x[#x + 1], y[#y + 1] = i, v end
  end
  return #y > 0 and {name = name, x = x, y = y} or nil
end
local function panel(title, field, extra)
  local p = {title = title, xlabel = "epoch"}
  for _, r in ipairs(runs) do p[#p + 1] = curve(r.name, r.h[field]) end
  for k, v in pairs(extra or {}) do p[k] = v end
  return p
end

local BR = {key = "bottom right"} -- accuracy rises: keep the legend off the curves
local BC = {key = "bottom center"}
if figure then
  local spec
  if opt.compare == "batchnorm" then
    -- one point per scale: best validation / training accuracy and last loss
    local function by_scale(title, value, extra)
      local p = {title = title, xlabel = "weight scale (std of the initial weights)", logx = true}
      for _, g in ipairs{"baseline", "batch norm"} do
        local x, y = {}, {}
        for _, r in ipairs(runs) do
          local v = r.group == g and value(r) or nil
          if v and v == v and v ~= math.huge then x[#x + 1], y[#y + 1] = r.weight_scale, v end
        end
        if #y > 0 then p[#p + 1] = {name = g, x = x, y = y, style = "linespoints"} end
      end
      for k, v in pairs(extra or {}) do p[k] = v end
      return p
    end
    spec = {
      by_scale("best validation accuracy", function(r) return (best(r.h.val_acc)) end, BC),
      by_scale("best training accuracy", function(r) return (best(r.h.train_acc)) end, BC),
      by_scale("training loss, last epoch", function(r) return last(r.h.loss) end, {logy = true}),
      rows = 1, cols = 3, width = 1500, height = 480,
      title = ("Q5: %d-layer net with and without batch norm, by weight scale (%d images, %d epochs)")
        :format(#hidden + 1, d.x:size(1), opt.epochs),
    }
  elseif opt.compare == "dropout" then
    -- the validation loss shows over-fitting while the accuracy hides it
    spec = {panel("training accuracy", "train_acc", BR), panel("validation accuracy", "val_acc", BR),
            panel("training loss", "loss"), panel("validation loss", "val_loss"),
            rows = 2, cols = 2, width = 1200, height = 850,
            title = ("Q5: dropout on %d training images"):format(d.x:size(1))}
  else
    spec = {panel("training loss", "loss"), panel("training accuracy", "train_acc", BR),
            panel("validation accuracy", "val_acc", BR), rows = 1, cols = 3, width = 1500, height = 480,
            title = opt.compare == "optim" and ("Q5: update rules, %s net, %d images"):format(opt.hidden, d.x:size(1))
              or ("Q5: %s"):format(runs[1].name)}
  end
  spec.path = figure
  -- a panel with no finite point (every run diverged) cannot be drawn
  local kept = {}
  for i = 1, #spec do if #spec[i] > 0 then kept[#kept + 1] = spec[i] end end
  if #kept > 0 then
    for i = 1, #spec do spec[i] = nil end
    for i, p in ipairs(kept) do spec[i] = p end
    if spec.rows == 1 then spec.cols = #kept end
    plot.grid(spec)
  else
    print("no figure: every run diverged")
  end
end

local result = {settings = {compare = opt.compare, hidden = hidden, norm = opt.norm, dropout = opt.dropout,
  rule = opt.rule, lr = opt.lr, weight_scale = opt.weight_scale, epochs = opt.epochs, batch = opt.batch,
  n_train = d.x:size(1), n_val = d.vx:size(1), n_test = d.tx:size(1), seed = opt.seed}, table = table_rows, runs = {}}
for i, r in ipairs(runs) do
  result.runs[i] = {name = r.name, rule = r.rule, lr = r.lr or q5fc.DEFAULT_LR[r.rule], norm = r.norm,
                    dropout = r.dropout, weight_scale = r.weight_scale, history = r.h}
end
if opt.json then
  json.write(opt.json, result)
  print("wrote " .. opt.json)
end
return result
