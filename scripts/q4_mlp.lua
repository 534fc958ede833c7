-- Q4 (EXPERIMENTS.md): a binary image classifier with an MLP on data4.h5.
--
--   nnsh scripts/q4_mlp.lua [--compare all|hidden|layers|momentum]
--        [--hidden 64] [--low 4] [--high 512] [--second 32] [--lr 0.01]
--        [--decay 0.97] [--momentum 0.9] [--batch 32] [--epochs 100] [--seed 1]
--        [--out out/q4] [--json FILE] [--force]
--
-- Images flattened (1024 values) and scaled to [0,1], labels mapped to -1/+1;
-- Linear-Tanh layers with a single tanh output, mean squared error, mini-batch
-- SGD (lua/experiments/q4.lua).  After every epoch both the training and the
-- test set are evaluated: MSE and classification error (the sign of the
-- output against the label).
--
-- The comparisons (one figure each, one colour per network; panels: train
-- MSE, test MSE, train error, test error against the epoch):
--   hidden    the chosen hidden size (--hidden) against a much lower (--low)
--             and a much higher (--high) one
--   layers    one hidden layer against two (--hidden then --second units)
--   momentum  the two-layer network with plain SGD and with --momentum
-- --compare all (the default) runs the four distinct networks once each.
--
-- Defaults, and why: lr 0.01 with the rate multiplied by --decay 0.97 after
-- each epoch.  Without the decay the curves keep jumping (the test error
-- moves between 0.13 and 0.17 from one epoch to the next at lr 0.01, and
-- lr 0.1 saturates the tanh output within a few epochs); the decay lets the
-- last epochs settle.  Momentum is added on top of the same lr, so its
-- curves show the larger effective step (lr/(1-momentum)).
--
-- Output, under --out (nothing is overwritten without --force):
--   q4_<comparison>.png per comparison, and with --json FILE the histories.
local nn = require "nn"
local cli = require "cli"
local json = require "json"
local plot = require "plot"
local q4 = require "q4"
local runfiles = require "runfiles"

local opt = cli.parse(arg, {
  usage = "nnsh scripts/q4_mlp.lua [options]",
  {"compare", "all", "all, hidden, layers or momentum"},
  {"hidden", 64, "the chosen hidden size"},
  {"low", 4, "the much lower hidden size"},
  {"high", 512, "the much higher hidden size"},
  {"second", 32, "units of the second hidden layer (two-layer network)"},
  {"lr", 0.01, "learning rate"},
  {"decay", 0.97, "learning rate multiplied by this after each epoch (1 = constant)"},
  {"momentum", 0.9, "momentum of the momentum comparison"},
  {"batch", 32, "mini-batch size"},
  {"epochs", 100, "epochs per network"},
  {"seed", 1, "random seed (initialization and shuffling; the same for every network)"},
  {"data", q4.default_data, "the Q4 HDF5 file"},
  {"out", "out/q4", "directory for the figures ('' = no figures)"},
  {"json", nil, "write the settings, summary and histories as JSON to FILE", type = "string"},
  {"force", false, "overwrite existing output files"},
  {"quiet", false, "no per-epoch lines"},
})

local COMPARISONS = {hidden = true, layers = true, momentum = true}
local wanted = {}
if opt.compare == "all" then wanted = {"hidden", "layers", "momentum"}
elseif COMPARISONS[opt.compare] then wanted = {opt.compare}
else error(("q4_mlp: --compare must be all, hidden, layers or momentum, got '%s'"):format(opt.compare), 0) end
for _, k in ipairs{"hidden", "low", "high", "second", "batch", "epochs"} do
  if math.type(opt[k]) ~= "integer" or opt[k] < 1 then
    error(("q4_mlp: --%s must be a positive integer, got %s"):format(k, tostring(opt[k])), 0)
  end
end

-- The networks each comparison needs; shared ones are trained once.
local H, D = opt.hidden, 1024
local nets = {
  low = {label = ("1 hidden, %d units"):format(opt.low), sizes = {D, opt.low, 1}},
  chosen = {label = ("1 hidden, %d units"):format(H), sizes = {D, H, 1}},
  high = {label = ("1 hidden, %d units"):format(opt.high), sizes = {D, opt.high, 1}},
  two = {label = ("2 hidden, %d-%d"):format(H, opt.second), sizes = {D, H, opt.second, 1}},
  two_m = {label = ("2 hidden, %d-%d, momentum %g"):format(H, opt.second, opt.momentum),
           sizes = {D, H, opt.second, 1}, momentum = opt.momentum},
}
local members = {hidden = {"low", "chosen", "high"}, layers = {"chosen", "two"},
                 momentum = {"two", "two_m"}}
local titles = {hidden = "Q4: hidden size", layers = "Q4: one vs two hidden layers",
                momentum = "Q4: two hidden layers, SGD vs SGD with momentum"}

local paths = {}
for _, c in ipairs(wanted) do
  if opt.out ~= "" then paths[#paths + 1] = ("%s/q4_%s.png"):format(opt.out, c) end
end
if opt.json then paths[#paths + 1] = opt.json end
runfiles.check_new(paths, opt.force, "q4_mlp")

local d = q4.load(opt.data)
print(("Q4: %d training and %d test images of %d pixels in [0,1], labels -1/+1"):format(
  d.train_x:size(1), d.test_x:size(1), d.train_x:size(2)))
print(("SGD lr %g (x%g per epoch), batch %d, %d epochs, MSE loss, tanh units, seed %d"):format(
  opt.lr, opt.decay, opt.batch, opt.epochs, opt.seed))

-- --- training ------------------------------------------------------------------------
local order, needed = {}, {}
for _, c in ipairs(wanted) do
  for _, k in ipairs(members[c]) do
    if not needed[k] then needed[k] = true; order[#order + 1] = k end
  end
end

for _, k in ipairs(order) do
  local net = nets[k]
  nn.seed(opt.seed)
  local model = q4.build(net.sizes)
  net.params = model:num_parameters()
  print(("\n%s (%s parameters)%s"):format(net.label, nn._thousands(net.params),
        opt.quiet and "" or "\nepoch  train MSE  test MSE  train err  test err"))
  local t0 = nn.clock()
  net.h = q4.train(model, d, {
    lr = opt.lr, momentum = net.momentum or 0, decay = opt.decay ~= 1 and opt.decay or nil,
    batch = opt.batch, epochs = opt.epochs, seed = opt.seed,
    on_epoch = function(e, h)
      if not opt.quiet and (e <= 5 or e % 10 == 0 or e == opt.epochs) then
        print(("%5d  %9.4f %9.4f  %9.3f %9.3f"):format(e, h.train_mse[e], h.test_mse[e],
              h.train_err[e], h.test_err[e]))
        io.stdout:flush()
      end
    end,
  })
  net.seconds = nn.clock() - t0
end

-- --- summary --------------------------------------------------------------------------
local function summary(net)
  local h, e = net.h, net.h.epochs
  local best, at = math.huge, 0
  for i = 1, e do if h.test_err[i] < best then best, at = h.test_err[i], i end end
  return {network = net.label, params = net.params, epochs = e, train_mse = h.train_mse[e],
          test_mse = h.test_mse[e], train_err = h.train_err[e], test_err = h.test_err[e],
          min_test_err = best, min_test_epoch = at, seconds = net.seconds}
end

print(("\n%-36s %8s  %9s %9s  %9s %9s  %s"):format("network (after the last epoch)", "params",
      "train MSE", "test MSE", "train err", "test err", "lowest test err (epoch)"))
local rows = {}
for _, k in ipairs(order) do
  local s = summary(nets[k])
  s.key = k
  rows[#rows + 1] = s
  print(("%-36s %8d  %9.4f %9.4f  %9.3f %9.3f  %.3f (%d)"):format(s.network, s.params,
        s.train_mse, s.test_mse, s.train_err, s.test_err, s.min_test_err, s.min_test_epoch))
end

-- --- figures ----------------------------------------------------------------------------
if opt.out ~= "" then
  for _, c in ipairs(wanted) do
    local function panel(field, title)
      local p = {title = title, xlabel = "epoch"}
      for _, k in ipairs(members[c]) do p[#p + 1] = {name = nets[k].label, y = nets[k].h[field]} end
      return p
    end
    plot.grid{
      panel("train_mse", "training MSE"), panel("test_mse", "test MSE"),
      panel("train_err", "training classification error"), panel("test_err", "test classification error"),
      rows = 2, cols = 2, title = titles[c], path = ("%s/q4_%s.png"):format(opt.out, c),
      width = 1200, height = 850,
    }
  end
end

local result = {
  settings = {hidden = H, low = opt.low, high = opt.high, second = opt.second, lr = opt.lr,
              decay = opt.decay, momentum = opt.momentum, batch = opt.batch, epochs = opt.epochs,
              seed = opt.seed, compare = opt.compare},
  summary = rows, histories = {},
}
for _, k in ipairs(order) do result.histories[k] = nets[k].h end
if opt.json then
  json.write(opt.json, result)
  print("wrote " .. opt.json)
end
return result
