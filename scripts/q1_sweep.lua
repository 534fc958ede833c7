-- Q1 part d: retrain the autoencoder for every (Lhid, lambda) pair, beta and
-- rho fixed: one feature grid per run, one figure with all loss curves and
-- a table of the final cost terms.  Runs are independent processes
-- (lua/sweep.lua) when --jobs > 1.
--   nnsh scripts/q1_sweep.lua [--lhid 16,49,100] [--lambda 0,1e-4,1e-3] [--jobs N]
--                             [--epochs E] [--out out/q1_sweep] [--json FILE]
--                             [--backend slurm [--time 30] [--partition P] ...] [--dry-run]
-- With --backend slurm the nine runs are one Slurm job array (docs/sweeps.md).
local nn = require "nn"
local cli = require "cli"
local plot = require "plot"
local sweep = require "sweep"
local q1 = require "q1"

local sweep_sbatch = require "sweep_sbatch"

local d = q1.defaults
local options = {
  usage = "nnsh scripts/q1_sweep.lua [options]",
  {"lhid", "16,49,100", "comma-separated hidden sizes"},
  {"lambda", "0,1e-4,1e-3", "comma-separated Tykhonov weights"},
  {"jobs", nil, "runs at the same time (default: the cores; slurm: all)", type = "number"},
  {"beta", d.beta, "sparsity weight (fixed)"},
  {"rho", d.rho, "target mean activation (fixed)"},
  {"lr", d.lr, "learning rate"},
  {"momentum", d.momentum, "momentum"},
  {"batch", d.batch, "mini-batch size"},
  {"epochs", d.epochs, "epochs per run"},
  {"seed", d.seed, "random seed (the same for every run)"},
  {"data", d.data, "HDF5 file with the `data` patches"},
  {"out", "out/q1_sweep", "output directory"},
  {"json", nil, "write all results to FILE", type = "string"},
}
for _, o in ipairs(sweep_sbatch.cli_options) do options[#options + 1] = o end
local opt = cli.parse(arg or {}, options)
local function ints(s, what)
  local out = {}
  for _, v in ipairs(cli.list(s)) do
    if math.type(v) ~= "integer" and not (type(v) == "number" and v == math.floor(v)) or v < 1 then
      cli.fail(options, "--%s: '%s' is not a positive integer", what, tostring(v))
    end
    out[#out + 1] = math.tointeger(v)
  end
  return out
end
local function nums(s, what)
  local out = {}
  for _, v in ipairs(cli.list(s)) do
    if type(v) ~= "number" or v < 0 then
      cli.fail(options, "--%s: '%s' is not a number >= 0", what, tostring(v))
    end
    out[#out + 1] = v
  end
  return out
end
local lhids, lambdas = ints(opt.lhid, "lhid"), nums(opt.lambda, "lambda")
for _, l in ipairs(lambdas) do
  require("ae").check({lambda = l, beta = opt.beta, rho = opt.rho}, "q1_sweep")
end
local jobs = math.tointeger(opt.jobs or (opt.backend == "slurm" and #lhids * #lambdas or sweep.cores()))
if not jobs or jobs < 1 then cli.fail(options, "--jobs must be a positive integer") end

local function rundir(p) return string.format("%s/lhid%d_lambda%g", opt.out, p.lhid, p.lambda) end

if not sweep.worker() then
  print(string.format("Q1 sweep: Lhid {%s} x lambda {%s}, beta %g, rho %g, %d epochs, %d jobs (%s)",
                      opt.lhid, opt.lambda, opt.beta, opt.rho, opt.epochs, jobs, opt.backend))
end
-- --backend slurm: one job array, its files in <out>/sweep (resumable).
local spec = sweep_sbatch.from_cli(opt, opt.out .. "/sweep")
spec.name, spec.jobs = "q1", jobs
spec.params = {{"lhid", lhids}, {"lambda", lambdas}}
spec.logdir = opt.out .. "/logs"
spec.csv = opt.out .. "/results.csv"
spec.fn = function(p)
  local r = q1.run{lhid = p.lhid, lambda = p.lambda, beta = opt.beta, rho = opt.rho,
                   lr = opt.lr, momentum = opt.momentum, batch = math.tointeger(opt.batch),
                   epochs = math.tointeger(opt.epochs), seed = math.tointeger(opt.seed),
                   data = opt.data, out = rundir(p), quiet = jobs > 1 and spec.backend == "local",
                   quiet_files = false}
  return r
end
local results = sweep.run(spec)
if not results then return end -- --dry-run

-- One figure with every run's loss curve (J per epoch, mini-batch means).
local curves = {title = string.format("Q1 sweep: J per epoch (beta %g, rho %g)", opt.beta, opt.rho),
                xlabel = "epoch", ylabel = "J", logy = true, path = opt.out .. "/loss_curves.png",
                width = 1000, height = 620}
-- Colour by Lhid, dash by lambda.
local colors = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"}
local function position(list, v)
  for i, x in ipairs(list) do if x == v then return i end end
end
for _, rec in ipairs(results) do
  local y = {}
  for e, v in ipairs(rec.result.history.J) do y[e] = v end
  if #y > 0 then
    local ci, di = position(lhids, rec.point.lhid), position(lambdas, rec.point.lambda)
    curves[#curves + 1] = {name = string.format("Lhid %d, lambda %g", rec.point.lhid,
                                                rec.point.lambda), y = y,
                           color = colors[(ci - 1) % #colors + 1], dash = (di - 1) % 5 + 1}
  end
end
if #curves > 0 then plot.lines(curves) end

print()
print(sweep.format(results, {
  {"Lhid", function(r) return r.point.lhid end},
  {"lambda", function(r) return r.point.lambda end, "%g"},
  {"J", function(r) return r.result.J end, "%.5f"},
  {"mse", function(r) return r.result.mse end, "%.5f"},
  {"tykhonov", function(r) return r.result.tykhonov end, "%.5f"},
  {"kl", function(r) return r.result.kl end, "%.5f"},
  {"mean_act", function(r) return r.result.mean_act end, "%.4f"},
  {"s/epoch", function(r) return r.result.sec_per_epoch end, "%.3f"},
  {"seconds", function(r) return r.seconds end, "%.1f"},
  {"features", function(r) return r.result.files.features end},
}))
print("J and its terms: whole data set after the last epoch")

local json = require "json"
local function save(path)
  nn.image_c.mkdirs(path)
  json.write(path, {beta = opt.beta, rho = opt.rho, epochs = opt.epochs, lr = opt.lr,
                    momentum = opt.momentum, batch = opt.batch, seed = opt.seed,
                    results = results})
  print("wrote " .. path)
end
save(opt.out .. "/results.json")
if opt.json then save(opt.json) end
