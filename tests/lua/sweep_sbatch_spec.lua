-- The Slurm batch script and settings (lua/sweep_sbatch.lua) without a
-- Slurm: array ranges, checked settings, the script's text, and the script
-- itself run by bash as one array task would run it (results, status and
-- log written; a TERM as at a time limit still leaves status and log).
local sbatch = require "sweep_sbatch"

local tmp = os.tmpname()
os.remove(tmp)
assert(os.execute("mkdir -p '" .. tmp .. "'"))
teardown(function() os.execute("rm -rf '" .. tmp .. "'") end)

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

local function paths(dir)
  return {dir = dir, cwd = tmp, script = dir .. "/sweep.sbatch"}
end

describe("sweep_sbatch", function()
  it("compresses array indices into ranges", function()
    assert.equal("1-3,5,7-8", sbatch.ranges{1, 2, 3, 5, 7, 8})
    assert.equal("4", sbatch.ranges{4})
    assert.equal("1-9", sbatch.ranges{1, 2, 3, 4, 5, 6, 7, 8, 9})
  end)

  it("checks the slurm settings", function()
    assert.same({}, sbatch.validate(nil))
    assert.has_error(function() sbatch.validate{partiton = "x"} end,
      "sweep.run: unknown slurm option 'partiton'")
    assert.has_error(function() sbatch.validate{cpus_per_task = 1.5} end,
      "sweep.run: slurm.cpus_per_task must be a positive integer")
    assert.has_error(function() sbatch.validate{extra = {"account=x"}} end,
      "sweep.run: slurm.extra[1] must be an sbatch option string like '--account=x'")
    assert.has_error(function() sbatch.validate{time = {}} end,
      "sweep.run: slurm.time must be a string|number, got table")
    assert.has_error(function() sbatch.validate{on_interrupt = "maybe"} end,
      "sweep.run: slurm.on_interrupt must be 'ask', 'cancel' or 'keep'")
  end)

  it("turns the scripts' options into sweep.run fields", function()
    local f = sbatch.from_cli({backend = "slurm", ["dry-run"] = false, ["cpus-per-task"] = 2,
                               time = "1:00:00", sbatch = "--account=a  --qos=q"}, "out/s")
    assert.same({backend = "slurm", dry_run = false, dir = "out/s",
                 slurm = {time = "1:00:00", cpus_per_task = 2, extra = {"--account=a", "--qos=q"}}}, f)
    assert.is_nil(sbatch.from_cli({backend = "local", ["cpus-per-task"] = 1}, "d").slurm)
    assert.has_error(function() sbatch.from_cli({backend = "pbs", ["cpus-per-task"] = 1}, "d") end,
      "--backend must be local or slurm, got 'pbs'")
  end)

  it("writes a readable script with the settings, threads and module paths", function()
    local text = sbatch.script({name = "t", names = {"a"}, points = {{a = 1}, {a = 2}}, jobs = 1,
                                base = "'/bin/echo' hello"},
                               {partition = "p", time = 30, mem = "2G", cpus_per_task = 3,
                                extra = {"--qos=q"}}, paths(tmp .. "/s"))
    assert.matches("^#!/bin/bash\n", text)
    assert.matches("#   sbatch %-%-array=1%-2%%1 " .. tmp:gsub("%p", "%%%0") .. "/s/sweep.sbatch", text)
    assert.matches("\n#SBATCH %-%-cpus%-per%-task=3\n#SBATCH %-%-time=30\n#SBATCH %-%-partition=p\n" ..
                   "#SBATCH %-%-mem=2G\n#SBATCH %-%-qos=q\n", text)
    assert.matches("export OPENBLAS_NUM_THREADS=%${SLURM_CPUS_PER_TASK:%-1}", text)
    assert.matches("export NNSH_SWEEP='t:'%$i':[^\n]*/s/results/'%$i%.json\n'/bin/echo' hello", text)
    if os.getenv("LUA_PATH") then assert.matches("\nexport LUA_PATH=", text) end
  end)

  it("runs as an array task would: result, status and log, also after a TERM", function()
    local dir = tmp .. "/cmd"
    -- A command sweep: task 1 writes its result, task 2 sleeps (and gets a TERM).
    local ctx = {name = "c", names = {"k"}, points = {{k = 1}, {k = 2}}, jobs = 2,
                 commands = {"echo working; echo '{\"k\": 1}' > '" .. dir .. "/results/1.json.part'",
                             "echo sleeping; sleep 30"}}
    os.execute("mkdir -p '" .. dir .. "'")
    writefile(dir .. "/sweep.sbatch", sbatch.script(ctx, {}, paths(dir)))
    assert.is_true(os.execute("bash -n '" .. dir .. "/sweep.sbatch'"))
    assert.is_true(os.execute("SLURM_ARRAY_TASK_ID=1 SLURM_ARRAY_JOB_ID=7 bash '" .. dir ..
                              "/sweep.sbatch'"))
    assert.equal('{"k": 1}\n', readfile(dir .. "/results/1.json"))
    assert.matches("^0 %d+ 7_1\n$", readfile(dir .. "/status/1"))
    assert.matches("# task 1 %(job 7_1%)[^\n]*\nworking\n", readfile(dir .. "/logs/1.log"))
    assert.is_nil(readfile(dir .. "/logs/1.log.part"))
    -- task 2, terminated as Slurm does at a time limit
    -- (its own process group, signalled as a whole, as Slurm signals every
    -- process of the job)
    local p = io.popen("SLURM_ARRAY_TASK_ID=2 SLURM_ARRAY_JOB_ID=7 setsid bash '" .. dir ..
                       "/sweep.sbatch' >/dev/null 2>&1 & echo $!")
    local pid = tonumber(p:read("l"))
    p:close()
    for _ = 1, 50 do
      if (readfile(dir .. "/logs/2.log.part") or ""):find("sleeping") then break end
      os.execute("sleep 0.1")
    end
    os.execute("kill -TERM -" .. pid)
    for _ = 1, 50 do
      if readfile(dir .. "/status/2") then break end
      os.execute("sleep 0.1")
    end
    assert.matches("^143 %d+ 7_2\n$", readfile(dir .. "/status/2"))
    assert.matches("sleeping", readfile(dir .. "/logs/2.log"))
    assert.is_nil(readfile(dir .. "/results/2.json"))
    -- an index outside the grid fails
    local ok = os.execute("SLURM_ARRAY_TASK_ID=3 bash '" .. dir .. "/sweep.sbatch'")
    assert.is_falsy(ok)
    assert.matches("no configuration 3 %(1%.%.2%)", readfile(dir .. "/logs/3.log"))
  end)
end)
