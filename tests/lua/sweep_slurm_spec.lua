-- The Slurm backend of the sweep runner against a real single-node Slurm
-- that this spec starts (tests/slurm/cluster.sh: munged, slurmctld and
-- slurmd from files in a temporary directory) and stops again:
--   * a 2x2 Q1 sweep (2 epochs) gives the same numbers as the local backend;
--   * a task with a bad option is reported FAILED with its log's tail, one
--     over its time limit TIMEOUT; the other tasks still finish;
--   * a re-run submits nothing; a dry run prints the script and sbatch line;
--   * Ctrl-C (SIGINT to the runner's process group) cancels the array.
-- Where Slurm cannot start (not root, packages missing) the spec reports
-- one skipped test with the reason.  The time-limit case needs a minute
-- (Slurm's smallest limit), so it runs in the background meanwhile.
local json = require "json"

local root = os.getenv("PWD")
local nnsh = (os.getenv("NNSH_BUILD") or (root .. "/build")) .. "/nnsh"

local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  local ok, _, code = p:close()
  return ok, code, out
end

local function readfile(path)
  local f = io.open(path)
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function writefile(path, s)
  local f = assert(io.open(path, "w"))
  f:write(s)
  f:close()
end

local function mypid()
  local s = readfile("/proc/self/stat")
  return tonumber(s:match("^(%d+)"))
end

local tmp = os.tmpname()
os.remove(tmp)
assert(os.execute("mkdir -p '" .. tmp .. "'"))
local cluster = tmp .. "/cluster"

local skip
if os.getenv("NNSH_SLURM_TESTS") == "0" then
  skip = "turned off by NNSH_SLURM_TESTS=0"
elseif os.getenv("NNSH_SANITIZED") == "1" then
  skip = "sanitized pass: the Slurm tests run in the Release pass (make test)"
else
  local ok, code, out = sh(string.format("bash tests/slurm/cluster.sh start '%s' %d", cluster, mypid()))
  if code == 77 then
    skip = out:gsub("%s+$", "")
  elseif not ok then
    error("tests/slurm/cluster.sh could not start Slurm:\n" .. out)
  end
end

if skip then
  io.stderr:write("sweep_slurm_spec: SKIPPED, Slurm cannot run here: " .. skip .. "\n")
  pending("Slurm backend tests skipped: " .. skip)
  os.execute("rm -rf '" .. tmp .. "'")
  return
end

local conf = cluster .. "/slurm.conf"
local env = string.format("env SLURM_CONF='%s' NNSH_SWEEP_POLL=0.3 ", conf)
local slow_pid
teardown(function()
  if slow_pid then os.execute("kill " .. slow_pid .. " 2>/dev/null") end
  os.execute(string.format("bash tests/slurm/cluster.sh stop '%s'", cluster))
  os.execute("rm -rf '" .. tmp .. "'")
end)

-- Toy sweeps as scripts (the backend re-runs the calling script on the node).
local toy_timeout = tmp .. "/timeout.lua"
writefile(toy_timeout, [[
local sweep = require "sweep"
local ok, err = pcall(sweep.run, {
  name = "slow", backend = "slurm", dir = arg[1], jobs = 2,
  slurm = {time = 1},
  params = {{"seconds", {0, 300}}},
  fn = function(p) os.execute("sleep " .. p.seconds) return {slept = p.seconds} end})
print("RESULT", ok, err)
]])

local toy_sleep = tmp .. "/sleep.lua"
writefile(toy_sleep, [[
local sweep = require "sweep"
local ok, err = pcall(sweep.run, {
  name = "sleepy", backend = "slurm", dir = arg[1], jobs = 2,
  slurm = {on_interrupt = "cancel"},
  params = {{"k", {1, 2}}},
  fn = function(p) os.execute("sleep 120") return {k = p.k} end})
print("RESULT", ok, err)
]])

local function lua_cmd(script, ...)
  local args = {}
  for i, a in ipairs{...} do args[i] = "'" .. a .. "'" end
  return string.format("%s'%s' '%s' %s", env, nnsh, script, table.concat(args, " "))
end

-- Started now, checked last: Slurm's smallest time limit is a minute.
local slow_out = tmp .. "/slow.out"
do
  local p = io.popen(lua_cmd(toy_timeout, tmp .. "/slow") .. " >'" .. slow_out .. "' 2>&1 & echo $!")
  slow_pid = tonumber(p:read("l"))
  p:close()
end

local function q1_sweep(out, backend, extra)
  return sh(string.format("%s'%s' scripts/q1_sweep.lua --lhid 8,16 --lambda 0,1e-3 --epochs 2 " ..
                          "--jobs 2 --out '%s' --backend %s %s", env, nnsh, out, backend, extra or ""))
end

describe("sweep.run on Slurm", function()
  local slurm_out = tmp .. "/q1_slurm"

  it("gives the local backend's numbers for a 2x2 Q1 sweep", function()
    local ok1, _, out1 = q1_sweep(tmp .. "/q1_local", "local")
    assert.is_true(ok1, out1)
    local ok2, _, out2 = q1_sweep(slurm_out, "slurm")
    assert.is_true(ok2, out2)
    assert.matches("submitted job array %d+ %(4 tasks, at most 2 at once%)", out2)
    assert.matches("%[q1 4/4%] lhid=%d+ lambda=[%d.e-]+: done", out2)
    assert.matches("0 queued, 0 running, 4 done, 0 failed", out2)
    local a = json.decode(readfile(tmp .. "/q1_local/results.json")).results
    local b = json.decode(readfile(slurm_out .. "/results.json")).results
    assert.equal(4, #a)
    assert.equal(4, #b)
    for i = 1, 4 do
      assert.same(a[i].point, b[i].point)
      assert.equal("COMPLETED", b[i].slurm.state)
      for _, k in ipairs{"J", "mse", "tykhonov", "kl", "mean_act"} do
        assert.is_number(a[i].result[k])
        assert.equal(a[i].result[k], b[i].result[k], k .. " of point " .. i)
      end
      assert.same(a[i].result.history.J, b[i].result.history.J)
      assert.equal(2, #b[i].result.history.J)
    end
    -- the sweep directory: script, manifest, one result, log and status per point
    local d = slurm_out .. "/sweep"
    assert.matches("#SBATCH %-%-cpus%-per%-task=1", readfile(d .. "/sweep.sbatch"))
    assert.matches("OPENBLAS_NUM_THREADS=%${SLURM_CPUS_PER_TASK", readfile(d .. "/sweep.sbatch"))
    for i = 1, 4 do
      assert.truthy(readfile(d .. "/results/" .. i .. ".json"))
      assert.matches("^0 %d+ %d+_" .. i, readfile(d .. "/status/" .. i))
      assert.matches("epoch", readfile(d .. "/logs/" .. i .. ".log"))
    end
    assert.equal(1, #json.decode(readfile(d .. "/sweep.json")).submissions)
  end)

  it("submits nothing when re-run, and a dry run prints the script", function()
    local ok, _, out = q1_sweep(slurm_out, "slurm")
    assert.is_true(ok, out)
    assert.matches("4 of 4 done, 0 still queued or running; submitting 0", out)
    assert.is_nil(out:find("submitted job array"))
    assert.equal(1, #json.decode(readfile(slurm_out .. "/sweep/sweep.json")).submissions)
    local ok2, _, dry = q1_sweep(tmp .. "/q1_dry", "slurm", "--dry-run --time 5 --partition test")
    assert.is_true(ok2, dry)
    assert.matches("dry run: nothing submitted", dry)
    assert.matches("#SBATCH %-%-time=5\n#SBATCH %-%-partition=test", dry)
    assert.matches("\nsbatch %-%-parsable %-%-array=1%-4%%2 '[^']*/q1_dry/sweep/sweep.sbatch'", dry)
    assert.is_nil(dry:find("'%-%-dry%-run'")) -- the tasks must not be dry runs
    assert.is_nil(readfile(tmp .. "/q1_dry/sweep/sweep.json"))
    -- the kept script is what a user would resubmit by hand
    assert.truthy(readfile(tmp .. "/q1_dry/sweep/sweep.sbatch"))
  end)

  it("reports a task with a bad option as FAILED with its log, and resubmits only it", function()
    local script = tmp .. "/bad.lua"
    writefile(script, string.format([[
local sweep = require "sweep"
local ok, err = pcall(sweep.run, {
  name = "bad", backend = "slurm", dir = arg[1], jobs = 2,
  params = {{"run", {"good", "bad"}}},
  command = function(p, out)
    return "'%s' scripts/q1_autoencoder.lua --lhid 8 --epochs 1 --quiet --out '" .. arg[1] ..
           "/ae' --json '" .. out .. "' " .. (p.run == "bad" and arg[2] or "")
  end})
print("RESULT", ok, err)
]], nnsh))
    local ok, _, out = sh(lua_cmd(script, tmp .. "/bad", "--no-such-option"))
    assert.is_true(ok, out)
    assert.matches("RESULT\tfalse\tsweep.run: 1 of 2 points failed", out)
    assert.matches("run=bad: Slurm job %d+_2: FAILED", out)
    assert.matches("log [^\n]*/bad/logs/2%.log:\n[^\n]*\n?.*unknown option %-%-no%-such%-option", out)
    local r1 = json.decode(readfile(tmp .. "/bad/results/1.json"))
    assert.is_number(r1.J)
    -- fixed (same grid, another command): the re-run submits point 2 only
    local ok2, _, out2 = sh(lua_cmd(script, tmp .. "/bad", "--seed=1"))
    assert.is_true(ok2, out2)
    assert.matches("1 of 2 done, 0 still queued or running; submitting 1", out2)
    assert.matches("%-%-array=2%%1 ", out2)
    assert.matches("RESULT\ttrue", out2)
  end)

  it("cancels the array on Ctrl-C", function()
    local out = tmp .. "/sleepy.out"
    local p = io.popen("setsid " .. lua_cmd(toy_sleep, tmp .. "/sleepy") ..
                       " >'" .. out .. "' 2>&1 </dev/null & echo $!")
    local pid = tonumber(p:read("l"))
    p:close()
    local running = false
    for _ = 1, 100 do
      if (readfile(out) or ""):find("0 queued, 2 running") then running = true break end
      os.execute("sleep 0.2")
    end
    assert.is_true(running, readfile(out))
    os.execute("kill -INT -" .. pid) -- the terminal's Ctrl-C: the whole process group
    for _ = 1, 100 do
      if (readfile(out) or ""):find("RESULT") then break end
      os.execute("sleep 0.2")
    end
    local text = readfile(out)
    assert.matches("cancelled job%(s%) %d+", text)
    assert.matches("RESULT\tfalse\tsweep.run: interrupted", text)
    local job = text:match("cancelled job%(s%) (%d+)")
    local states
    for _ = 1, 50 do
      local _, _, sq = sh(string.format("SLURM_CONF='%s' squeue -h -r -t all -j %s -o %%T", conf, job))
      states = sq
      if not sq:find("RUNNING") and not sq:find("COMPLETING") then break end
      os.execute("sleep 0.2")
    end
    assert.equal("CANCELLED\nCANCELLED\n", states)
  end)

  it("reports a task over its time limit as TIMEOUT", function()
    local text
    for _ = 1, 150 do -- the limit is one minute; Slurm checks every 30 s
      text = readfile(slow_out) or ""
      if text:find("RESULT") then break end
      os.execute("sleep 1")
    end
    assert.matches("RESULT\tfalse\tsweep.run: 1 of 2 points failed", text)
    assert.matches("seconds=300: [^\n]*\n?Slurm job %d+_2: TIMEOUT %(exceeded its time limit%)", text)
    assert.matches("DUE TO TIME LIMIT", text)
    local r1 = json.decode(readfile(tmp .. "/slow/results/1.json"))
    assert.equal(0, r1.result.slept)
  end)
end)
