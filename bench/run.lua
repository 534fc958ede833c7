-- The benchmark driver behind bench/run (which builds first, then runs this
-- with lua5.4 from the project root).  See bench/README.md.
package.path = "bench/?.lua;lua/?.lua;lua/shell/?.lua;lua/experiments/?.lua;" .. package.path
local cli = require "cli"
local json = require "json"
local report = require "report"
local proc = require "proc"

local opt = cli.parse(arg, {
  usage = "bench/run [options]",
  {"threads", "1,2", "thread counts, set equally for nnsh (OPENBLAS_NUM_THREADS) and PyTorch"},
  {"repeat", 3, "runs per setting; the median is reported"},
  {"json", nil, "write every figure to FILE", type = "string"},
  {"md", nil, "write the summary as Markdown to FILE", type = "string"},
  {"only", nil, "comma-separated workloads (autoencoder,trigram,rnn,lstm,gru,mlp,startup,query)", type = "string"},
  {"coretype", nil, "also run everything with OPENBLAS_CORETYPE=NAME (e.g. SkylakeX)", type = "string"},
  {"batches", 0, "time only K mini-batches per run and scale to an epoch (0 = whole epochs)"},
  {"sgemm-time", 0.5, "seconds per shape in the sgemm micro-benchmark"},
  {"no-torch", false, "skip the PyTorch side"},
  {"install", false, "(handled by bench/run) install python3-torch python3-h5py time"},
  {"build", "build", "build directory (Release)"},
})

local PY = "/usr/bin/python3"
local build = opt.build
local nnsh = build .. "/nnsh"
local threads = cli.list(opt.threads)
local wanted = {}
if opt.only then for _, w in ipairs(cli.list(opt.only)) do wanted[w] = true end end
local function want(name) return not opt.only or wanted[name] end

local function log(fmt, ...)
  io.stderr:write(string.format(fmt, ...), "\n")
  io.stderr:flush()
end

local function exists(path)
  local f = io.open(path, "r")
  if f then f:close() return true end
  return false
end

local function median(xs)
  local s = {}
  for i, v in ipairs(xs) do s[i] = v end
  table.sort(s)
  local n = #s
  if n == 0 then return nil end
  if n % 2 == 1 then return s[(n + 1) // 2] end
  return (s[n // 2] + s[n // 2 + 1]) / 2
end

-- ---------------------------------------------------------------- machine
local function machine()
  local m = {date = proc.capture("date -u +%Y-%m-%dT%H:%M:%SZ"),
             kernel = proc.capture("uname -srm"),
             loadavg_start = proc.capture("cat /proc/loadavg")}
  for line in proc.capture("LC_ALL=C lscpu"):gmatch("[^\n]+") do
    local k, v = line:match("^([^:]+):%s*(.*)$")
    if k == "Model name" then m.cpu = v
    elseif k == "CPU(s)" then m.cpus = tonumber(v)
    elseif k == "Core(s) per socket" then m.cores_per_socket = tonumber(v)
    elseif k == "Thread(s) per core" then m.threads_per_core = tonumber(v)
    elseif k == "Flags" then m.avx512f = v:find("avx512f") ~= nil end
  end
  m.openblas_coretype_env = os.getenv("OPENBLAS_CORETYPE") or "(unset)"
  m.git = proc.capture("git rev-parse --short HEAD 2>/dev/null")
  local torch_ok = not opt["no-torch"] and proc.capture(PY .. [[ -c 'import torch, h5py; print(torch.__version__)' 2>/dev/null]])
  m.torch = (torch_ok and torch_ok ~= "") and torch_ok or nil
  return m
end

-- ---------------------------------------------------------------- sgemm
local function all_shapes(workloads)
  local seen, list = {}, {}
  for _, w in ipairs(workloads) do
    for _, g in ipairs(w.gemms) do
      if not seen[g[1]] then seen[g[1]] = true; list[#list + 1] = g[1] end
    end
  end
  return list
end

local function sgemm_rates(shapes, t, env)
  local e = {OPENBLAS_NUM_THREADS = tostring(t)}
  for k, v in pairs(env) do e[k] = v end
  local argv = {build .. "/sgemm_bench", "--time", tostring(opt["sgemm-time"])}
  for _, s in ipairs(shapes) do argv[#argv + 1] = s end
  local r = proc.run(argv, e)
  local out = {rates = {}, core = r.stdout:match("CORE (%S+)"), config = r.stdout:match("CONFIG ([^\n]+)")}
  for line in r.stdout:gmatch("SGEMM (%b{})") do
    local s = json.decode(line)
    out.rates[s.shape] = s
  end
  if r.rc ~= 0 then out.error = r.stderr end
  return out
end

-- epoch FLOPs and the floor (seconds) from measured per-call times
local function flops_and_floor(w, rates)
  local per_batch_flops, per_batch_sec = 0, 0
  for _, g in ipairs(w.gemms) do
    local m, n, k = g[1]:match("^(%d+)x(%d+)x(%d+)")
    per_batch_flops = per_batch_flops + 2 * m * n * k * g[2]
    local r = rates and rates[g[1]]
    if r and per_batch_sec then per_batch_sec = per_batch_sec + r.us_per_call * 1e-6 * g[2]
    else per_batch_sec = nil end
  end
  local batches = w.samples / w.batch
  return per_batch_flops * batches, per_batch_sec and per_batch_sec * batches
end

-- ---------------------------------------------------------------- one workload
-- One run of a setting: its BENCH line (decoded), peak RSS, and the CPU
-- seconds other processes used meanwhile (interference on a shared box).
local function run_once(setting)
  local r = proc.run(setting.argv, setting.env, {rss = true, cpu = true})
  local line = r.stdout:match(".*BENCH (%b{})")
  if r.rc ~= 0 or not line then
    local err = (r.stderr ~= "" and r.stderr or r.stdout):sub(-600)
    log("  %s: FAILED (exit %s)\n%s", setting.label, tostring(r.rc), err)
    return nil, ("exit %s: %s"):format(tostring(r.rc), err)
  end
  local b = json.decode(line)
  b.max_rss_kb, b.wall, b.foreign_cpu_s = r.max_rss_kb, r.wall, r.foreign_cpu_s
  return b
end

local function summarize(runs)
  local secs, rss, foreign = {}, {}, 0
  for i, b in ipairs(runs) do
    secs[i], rss[i] = b.sec_per_epoch, b.max_rss_kb
    foreign = math.max(foreign, b.foreign_cpu_s or 0)
  end
  return {sec_per_epoch = median(secs), max_rss_kb = median(rss), runs = runs,
          max_foreign_cpu_s = foreign, scaled = runs[1].scaled,
          batches_timed = runs[1].batches_timed, batches_per_epoch = runs[1].batches_per_epoch}
end

local function workload_args(w)
  local a = {}
  if opt.batches > 0 then a = {"--batches", tostring(opt.batches)}
  elseif w.epochs then a = {"--epochs", tostring(w.epochs)} end
  return a
end

local function append(t, more) for _, v in ipairs(more) do t[#t + 1] = v end return t end

-- Every setting of a workload.
--   nnsh: at each thread count t (at t > 1 with its two-core pair, the
--     default, and "nopair": NNSH_PAIR=0, OpenBLAS's threads only);
--   PyTorch: at each t as installed; at t > 1 also "passive"
--     (OMP_WAIT_POLICY=PASSIVE); "ftz" (torch.set_flush_denormal(True),
--     as nnsh flushes subnormals by default); and "core=K" with
--     OPENBLAS_CORETYPE set to the kernel nnsh chose, when that differs
--     from the one OpenBLAS picks by itself.  Ratios use the best of all.
local function settings_of(w, core_env, torch_ok, nnsh_core)
  local list = {}
  local function add(side, key, argv, env)
    for k, v in pairs(core_env) do if env[k] == nil then env[k] = v end end
    list[#list + 1] = {side = side, key = key, argv = append(argv, workload_args(w)), env = env,
                       label = ("%s %s %s"):format(side, w.name, (key:gsub("^(%d+)", "%1T")))}
  end
  if exists(w.nnsh) then
    for _, t in ipairs(threads) do
      add("nnsh", tostring(t), {nnsh, w.nnsh}, {OPENBLAS_NUM_THREADS = tostring(t), OMP_WAIT_POLICY = false})
      if t > 1 then
        add("nnsh", t .. " nopair", {nnsh, w.nnsh},
            {OPENBLAS_NUM_THREADS = tostring(t), OMP_WAIT_POLICY = false, NNSH_PAIR = "0"})
      end
    end
  end
  if torch_ok then
    local function torch(t, key, passive, extra_args, env_extra)
      local env = {OPENBLAS_NUM_THREADS = tostring(t), OMP_NUM_THREADS = tostring(t),
                   OMP_WAIT_POLICY = passive and "PASSIVE" or false, PYTHONDONTWRITEBYTECODE = "1"}
      for k, v in pairs(env_extra or {}) do env[k] = v end
      add("torch", key, append(append({PY}, w.torch), append({"--threads", tostring(t)}, extra_args or {})), env)
    end
    for _, t in ipairs(threads) do
      local p = t > 1 and " passive" or ""
      torch(t, tostring(t), false)
      if t > 1 then torch(t, t .. " passive", true) end
      torch(t, t .. p .. " ftz", t > 1, {"--flush-denormal"})
      if nnsh_core then
        torch(t, t .. p .. " core=" .. nnsh_core, t > 1, nil, {OPENBLAS_CORETYPE = nnsh_core})
      end
    end
  end
  return list
end

-- The repeats run in rounds (every setting once per round), so that a
-- disturbance on the shared machine hits both sides alike instead of
-- whichever side happened to be running.
local function run_workload(w, core_env, torch_ok, nnsh_core)
  local res = {name = w.name, title = w.title, nnsh = {}, torch = {}}
  if not exists(w.nnsh) then
    res.nnsh_missing = w.nnsh .. " does not exist yet"
    log("  nnsh %s: MISSING (%s)", w.name, res.nnsh_missing)
  end
  if not torch_ok then
    res.torch_missing = opt["no-torch"] and "--no-torch" or (PY .. " cannot import torch and h5py (bench/run --install)")
  end
  local list = settings_of(w, core_env, torch_ok, nnsh_core)
  local runs, failed = {}, {}
  for round = 1, opt["repeat"] do
    for i, s in ipairs(list) do
      if not failed[i] then
        local b, err = run_once(s)
        if b then
          runs[i] = runs[i] or {}
          runs[i][#runs[i] + 1] = b
          log("  %-28s run %d: %.4f s/epoch%s, peak RSS %.0f MB, other processes %.2f CPU s", s.label, round,
              b.sec_per_epoch, b.scaled and " (scaled)" or "", (b.max_rss_kb or 0) / 1024, b.foreign_cpu_s or 0)
        else
          failed[i] = err
        end
      end
    end
  end
  for i, s in ipairs(list) do
    res[s.side][s.key] = failed[i] and {error = failed[i]} or summarize(runs[i])
  end
  return res
end

-- ---------------------------------------------------------------- start-up, queries
local function timed_runs(argv, env, n)
  local walls, rss = {}, {}
  proc.run(argv, env)  -- warm the page cache
  for i = 1, n do
    local r = proc.run(argv, env, {rss = true})
    if r.rc ~= 0 then return {error = ("exit %s: %s"):format(tostring(r.rc), r.stderr:sub(-400))} end
    walls[i], rss[i] = r.wall, r.max_rss_kb
  end
  return {wall = median(walls), max_rss_kb = median(rss), n = n}
end

local function startup(torch_ok, core_env)
  local n = math.max(opt["repeat"], 5)
  local env = {OPENBLAS_NUM_THREADS = "1", OMP_NUM_THREADS = "1", PYTHONDONTWRITEBYTECODE = "1"}
  for k, v in pairs(core_env) do env[k] = v end
  local s = {nnsh = timed_runs({nnsh, "-e", ""}, env, n)}
  if torch_ok then s.torch = timed_runs({PY, "-c", "import torch"}, env, n) end
  log("  start-up: nnsh %s s, torch %s s", tostring(s.nnsh.wall or s.nnsh.error), tostring(s.torch and (s.torch.wall or s.torch.error)))
  return s
end

local function query(torch_ok, core_env)
  local n = math.max(opt["repeat"], 5)
  local env = {OPENBLAS_NUM_THREADS = "1", OMP_NUM_THREADS = "1", PYTHONDONTWRITEBYTECODE = "1"}
  for k, v in pairs(core_env) do env[k] = v end
  local q = {text = "what does new"}
  if exists("scripts/q2_topk.lua") then
    q.nnsh_e2e = timed_runs({nnsh, "scripts/q2_topk.lua", q.text}, env, n)
  else
    q.nnsh_e2e = {missing = "scripts/q2_topk.lua does not exist yet"}
  end
  if exists("lua/experiments/trigram.lua") then
    local r = proc.run({nnsh, "bench/q2_query.lua", q.text}, env)
    local line = r.stdout:match(".*BENCH (%b{})")
    q.nnsh_inproc = line and json.decode(line) or {error = r.stderr:sub(-400)}
  else
    q.nnsh_inproc = {missing = "lua/experiments/trigram.lua does not exist yet"}
  end
  if torch_ok then
    q.torch_e2e = timed_runs({PY, "bench/torch/trigram_query.py", q.text}, env, n)
    local r = proc.run({PY, "bench/torch/trigram_query.py", "--inprocess", "2000", q.text}, env)
    local line = r.stdout:match(".*BENCH (%b{})")
    q.torch_inproc = line and json.decode(line) or {error = r.stderr:sub(-400)}
  end
  log("  query: nnsh e2e %s s, in-process %s us; torch e2e %s s, in-process %s us",
      tostring(q.nnsh_e2e.wall), tostring(q.nnsh_inproc.us_per_query),
      tostring(q.torch_e2e and q.torch_e2e.wall), tostring(q.torch_inproc and q.torch_inproc.us_per_query))
  return q
end

-- ---------------------------------------------------------------- main
local all = require "workloads"
local workloads = {}
for _, w in ipairs(all) do if want(w.name) then workloads[#workloads + 1] = w end end

local results = {machine = machine(), options = opt, settings = {}}
local torch_ok = results.machine.torch ~= nil
log("bench: %s, %s, load %s", results.machine.cpu or "?", results.machine.kernel, results.machine.loadavg_start)
if not torch_ok then log("bench: PyTorch side skipped: %s", opt["no-torch"] and "--no-torch" or (PY .. " cannot import torch, h5py")) end

local cores = {{label = os.getenv("OPENBLAS_CORETYPE") or "auto", env = {}}}
if opt.coretype then cores[2] = {label = opt.coretype, env = {OPENBLAS_CORETYPE = opt.coretype}} end

for _, c in ipairs(cores) do
  log("== OPENBLAS_CORETYPE=%s", c.label)
  local setting = {coretype = c.label, sgemm = {}, workloads = {}}
  -- The kernel each side reports: nnsh's nn.config(), torch's libblas.so.3,
  -- and what plain OpenBLAS picks by itself (sgemm_bench).
  local cfg = proc.run({nnsh, "-e", [[local c = nn.config()
    io.write(c.blas_core, "\t", c.blas_source, "\t", c.blas_reason, "\t", tostring(c.ftz))]]}, c.env).stdout
  local core, source, reason, ftz = cfg:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(%S+)")
  setting.nnsh_corename, setting.nnsh_core_source, setting.nnsh_core_reason = core, source, reason
  setting.nnsh_ftz = ftz == "true"
  local plain = proc.run({build .. "/sgemm_bench", "--time", "0.01", "8x8x8"}, c.env).stdout:match("CORE (%S+)")
  setting.openblas_detected = plain
  -- When nnsh runs another kernel than OpenBLAS picks by itself, PyTorch
  -- also runs with nnsh's kernel, and the sgemm floor is measured on it.
  local nnsh_core
  if core and plain and core:lower() ~= plain:lower() then nnsh_core = core end
  setting.torch_nnsh_core = nnsh_core
  local sgemm_env = {}
  for k, v in pairs(c.env) do sgemm_env[k] = v end
  if nnsh_core then sgemm_env.OPENBLAS_CORETYPE = nnsh_core end
  local shapes = all_shapes(workloads)
  for _, t in ipairs(threads) do
    if #shapes > 0 then
      log("  sgemm at %d thread(s), %d shapes", t, #shapes)
      setting.sgemm[tostring(t)] = sgemm_rates(shapes, t, sgemm_env)
      setting.corename = setting.corename or setting.sgemm[tostring(t)].core
    end
  end
  for _, w in ipairs(workloads) do
    log("== %s", w.title)
    local load0 = proc.capture("cat /proc/loadavg")
    local r = run_workload(w, c.env, torch_ok, nnsh_core)
    r.loadavg = {start = load0, finish = proc.capture("cat /proc/loadavg")}
    r.floor = {}
    for _, t in ipairs(threads) do
      local s = setting.sgemm[tostring(t)]
      local flops, floor = flops_and_floor(w, s and s.rates)
      r.gemm_flops_per_epoch, r.floor[tostring(t)] = flops, floor
    end
    r.floor_target = w.floor_target
    setting.torch_corenames = setting.torch_corenames or {}
    for k, m in pairs(r.torch) do
      if m.runs and m.runs[1].corename then
        setting.torch_corename = setting.torch_corename or m.runs[1].corename
        setting.torch_corenames[k] = m.runs[1].corename
      end
    end
    setting.workloads[#setting.workloads + 1] = r
  end
  if want("startup") then log("== start-up"); setting.startup = startup(torch_ok, c.env) end
  if want("query") then log("== top-10 query"); setting.query = query(torch_ok, c.env) end
  results.settings[#results.settings + 1] = setting
end
results.machine.loadavg_end = proc.capture("cat /proc/loadavg")

local md = report.markdown(results)
io.write(md, "\n")
if opt.md then
  local f = assert(io.open(opt.md, "w"))
  f:write(md, "\n")
  f:close()
  log("bench: wrote %s", opt.md)
end
if opt.json then
  json.write(opt.json, results)
  log("bench: wrote %s", opt.json)
end
