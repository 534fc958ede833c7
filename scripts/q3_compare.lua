-- Q3: train the tanh RNN, the LSTM and the GRU with scripts/q3_rnn.lua's
-- defaults and compare them.
--
--   nnsh scripts/q3_compare.lua [--jobs N] [--json FILE] [--cells rnn,lstm,gru]
--        [--epochs 50] [--seed 1] [--out out/q3] [--force]
--        [--backend slurm [--time 60] [--partition P] [--cpus-per-task 2] ...] [--dry-run]
--
-- Each cell runs as its own process (`nnsh scripts/q3_rnn.lua --cell C ...
-- --json F`) through the sweep runner (lua/sweep.lua), --jobs at a time;
-- their logs go to <out>/logs/ (with --backend slurm: one job array, its
-- script, results and logs in <out>/sweep/, see docs/sweeps.md).  Default
-- --jobs 1: on a two-core machine parallel runs share the cores and their
-- seconds per epoch are not comparable.  Prints: cell, test accuracy, best epoch, seconds per epoch,
-- total seconds, parameter count.
local cli = require "cli"
local json = require "json"
local sweep = require "sweep"
local sweep_sbatch = require "sweep_sbatch"

local options = {
  usage = "nnsh scripts/q3_compare.lua [options]",
  {"jobs", nil, "cells trained at the same time (default 1; slurm: all)", type = "number"},
  {"cells", "rnn,lstm,gru", "cells to compare"},
  {"epochs", 50, "maximum number of epochs per cell"},
  {"seed", 1, "random seed"},
  {"out", "out/q3", "directory for models, pictures and logs"},
  {"json", nil, "write the comparison as JSON to FILE", type = "string"},
  {"force", false, "replace existing model files in --out"},
}
for _, o in ipairs(sweep_sbatch.cli_options) do options[#options + 1] = o end
local opt = cli.parse(arg, options)

local cells = {}
for c in opt.cells:gmatch("[^,%s]+") do
  if c ~= "rnn" and c ~= "lstm" and c ~= "gru" then
    cli.fail(options, "unknown cell '%s' in --cells (rnn, lstm, gru)", c)
  end
  cells[#cells + 1] = c
end
local models = {}
for i, c in ipairs(cells) do models[i] = ("%s/q3_%s.h5"):format(opt.out, c) end
require("runfiles").check_new(models, opt.force, "q3_compare")

local function shq(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
local interpreter = arg[-1] or "nnsh"
local script = (arg[0] or "scripts/q3_compare.lua"):gsub("q3_compare%.lua$", "q3_rnn.lua")

-- --backend slurm: the cells as one job array, its files in <out>/sweep.
-- Absolute interpreter and script paths: the batch script may start anywhere.
local function absolute(p)
  if p:sub(1, 1) == "/" then return p end
  if not p:find("/") then
    local h = io.popen("command -v " .. shq(p) .. " 2>/dev/null")
    local found = h:read("l")
    h:close()
    return found or p
  end
  local h = io.popen("pwd -P")
  local here = h:read("l")
  h:close()
  return here .. "/" .. p:gsub("^%./", "")
end
if opt.backend == "slurm" then interpreter, script = absolute(interpreter), absolute(script) end
local spec = sweep_sbatch.from_cli(opt, opt.out .. "/sweep")
spec.name, spec.jobs = "q3", math.tointeger(opt.jobs or (opt.backend == "slurm" and #cells or 1))
if not spec.jobs or spec.jobs < 1 then cli.fail(options, "--jobs must be a positive integer") end
spec.params = {{"cell", cells}}
spec.logdir = opt.out .. "/logs"
spec.command = function(point, outfile)
  return table.concat({shq(interpreter), shq(script), "--cell", point.cell,
    "--epochs", tostring(opt.epochs), "--seed", tostring(opt.seed),
    "--out", shq(opt.out), "--json", shq(outfile), "--quiet", opt.force and "--force" or ""}, " ")
end
local results = sweep.run(spec)
if not results then return end -- --dry-run

print(("\n%-5s %9s %10s %9s %9s %10s"):format("cell", "test acc", "best epoch", "s/epoch",
  "total s", "params"))
local rows = {}
for _, r in ipairs(results) do
  local v = r.result
  print(("%-5s %9.4f %10d %9.2f %9.1f %10d"):format(v.cell, v.test_acc, v.best_epoch,
    v.sec_per_epoch, v.total_seconds, v.params))
  rows[#rows + 1] = {cell = v.cell, test_acc = v.test_acc, best_epoch = v.best_epoch,
    epochs = v.epochs, sec_per_epoch = v.sec_per_epoch, total_seconds = v.total_seconds,
    params = v.params, settings = v.settings}
end
if opt.json then
  json.write(opt.json, {jobs = spec.jobs, cells = rows})
  print("wrote " .. opt.json)
end
