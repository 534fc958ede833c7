-- Timing helpers for the nnsh side of the benchmark workloads (bench/*.lua).
--
--   local bench = require "bench"
--   local opt = bench.options(arg, "trigram")     -- --batches K --warmup W --seed S
--   ... load data, build the model (not timed) ...
--   bench.run{workload = "trigram", samples = N, batch = 200, opt = opt,
--             epoch = function() ... end,          -- optional: per-epoch work
--             step = function(first, len) ... return loss end}
--
-- bench.run calls step(first, len) for consecutive mini-batches of the
-- epoch (first = 1-based index of the batch's first sample, len its size,
-- the last batch shorter when batch does not divide N).  `warmup` batches
-- run untimed, then a fresh epoch is timed: all of it, or its first
-- `batches` mini-batches when --batches K > 0, in which case the time is
-- scaled to a whole epoch by the number of samples (the output says so);
-- --epochs E times E whole epochs and reports their mean.
-- The last line printed is the result, the contract of bench/README.md:
--   BENCH {"workload":"trigram","sec_per_epoch":1.23,"scaled":false,...}
local json = require "json"

local bench = {}

-- Wall-clock seconds.  os.clock() is CPU time summed over threads, wrong as
-- soon as OpenBLAS runs two; nn.clock (monotonic, from C) is used when the
-- module has it, else `date` through a pipe (about 1 ms per call, paid once
-- per measured interval).
local clock_name
function bench.clock()
  local nn = package.loaded.nn or require "nn"
  for _, name in ipairs{"clock", "now", "walltime"} do
    if type(nn[name]) == "function" then
      clock_name = "nn." .. name
      return nn[name]()
    end
  end
  clock_name = "date"
  local p = io.popen("date +%s.%N")
  local s = p:read("l")
  p:close()
  return tonumber(s)
end

function bench.options(argv, workload, extra)
  local cli = require "cli"
  local spec = {
    usage = ("nnsh bench/%s.lua [options]  (prints a BENCH line, see bench/README.md)"):format(workload),
    {"batches", 0, "time only the first K mini-batches and scale to an epoch (0 = whole epoch)"},
    {"warmup", 3, "untimed mini-batches before timing"},
    {"epochs", 1, "time this many whole epochs and report the mean (for very short epochs)"},
    {"seed", 1, "random seed"},
  }
  for _, o in ipairs(extra or {}) do spec[#spec + 1] = o end
  local opt = cli.parse(argv or {}, spec)
  return opt
end

local function blas_facts()
  local nn = package.loaded.nn or require "nn"
  local facts = {}
  local ok, t = pcall(function() return threads() end)
  if ok then facts.threads = t end
  if type(nn.blas_corename) == "function" then facts.corename = nn.blas_corename() end
  return facts
end

-- Prints the BENCH line for a result table and returns the line.
function bench.report(result)
  local line = "BENCH " .. json.encode(result)
  print(line)
  io.stdout:flush()
  return line
end

function bench.run(spec)
  assert(type(spec.workload) == "string", "bench.run: workload name expected")
  assert(type(spec.step) == "function", "bench.run: step function expected")
  local N, B = assert(spec.samples, "bench.run: samples expected"), assert(spec.batch, "bench.run: batch expected")
  local opt = spec.opt or {}
  local nbatches = (N + B - 1) // B
  local warmup = math.min(opt.warmup or 3, nbatches)
  local want = (opt.batches and opt.batches > 0) and math.min(opt.batches, nbatches) or nbatches

  if spec.epoch then spec.epoch() end
  for i = 1, warmup do
    local first = (i - 1) * B + 1
    spec.step(first, math.min(B, N - first + 1))
  end
  collectgarbage()

  local epochs = want == nbatches and math.max(opt.epochs or 1, 1) or 1
  local t0 = bench.clock()
  local done, loss = 0, nil
  for _ = 1, epochs do
    if spec.epoch then spec.epoch() end
    for i = 1, want do
      local first = (i - 1) * B + 1
      local len = math.min(B, N - first + 1)
      loss = spec.step(first, len)
      done = done + len
    end
  end
  local elapsed = bench.clock() - t0

  local result = {
    workload = spec.workload,
    impl = "nnsh",
    sec_per_epoch = elapsed * N / done,
    seconds_timed = elapsed,
    samples_per_epoch = N,
    samples_timed = done,
    batch = B,
    batches_timed = want * epochs,
    epochs_timed = epochs,
    batches_per_epoch = nbatches,
    warmup_batches = warmup,
    scaled = done < N,
    clock = clock_name,
  }
  if type(loss) == "number" then result.last_loss = loss end
  for k, v in pairs(blas_facts()) do result[k] = v end
  for k, v in pairs(spec.extra or {}) do result[k] = v end
  bench.report(result)
  return result
end

-- The supervised workloads' epoch, as nn.fit runs it: a fresh permutation
-- per epoch, each mini-batch gathered into the buffers xb, yb (allocated
-- once by the caller), then one training step.
--   bench.run_shuffled{workload=, x=, y=, xb=, yb=, step=, opt=, extra=}
function bench.run_shuffled(spec)
  local x, y, xb, yb, step = spec.x, spec.y, spec.xb, spec.yb, spec.step
  local nn = require "nn"
  local N, gather, perm = x:size(1), nn.C.gather_rows, nil
  return bench.run{
    workload = spec.workload, samples = N, batch = xb:size(1), opt = spec.opt,
    extra = spec.extra,
    epoch = function() perm = nn.randperm(N) end,
    step = function(first, len)
      gather(xb, x, perm, first, len)
      gather(yb, y, perm, first, len)
      return (step(xb, yb))
    end,
  }
end

return bench
