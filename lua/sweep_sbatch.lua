--- sweep_sbatch: the Slurm side of a sweep that runs before anything is
-- submitted: the sbatch settings (checked), the batch script written into
-- the sweep directory, array ranges, and the command-line options the
-- sweep scripts share.  lua/sweep_slurm.lua submits and follows.
local sbatch = {}

local function shq(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

-- "1-3,5,7-8" from a sorted list of indices.
function sbatch.ranges(idx)
  local parts, i = {}, 1
  while i <= #idx do
    local j = i
    while j < #idx and idx[j + 1] == idx[j] + 1 do j = j + 1 end
    parts[#parts + 1] = i == j and tostring(idx[i]) or (idx[i] .. "-" .. idx[j])
    i = j + 1
  end
  return table.concat(parts, ",")
end


function sbatch.validate(o)
  if o == nil then return {} end
  if type(o) ~= "table" then error("sweep.run: slurm must be a table of sbatch settings", 3) end
  local known = {partition = "string", time = "string|number", cpus_per_task = "number",
                 mem = "string|number", extra = "table", poll = "number", grace = "number",
                 on_interrupt = "string", job_name = "string", patience = "number"}
  for k, v in pairs(o) do
    local want = known[k]
    if not want then error("sweep.run: unknown slurm option '" .. tostring(k) .. "'", 3) end
    if not want:find(type(v), 1, true) then
      error(string.format("sweep.run: slurm.%s must be a %s, got %s", k, want, type(v)), 3)
    end
  end
  for i, e in ipairs(o.extra or {}) do
    if type(e) ~= "string" or not e:match("^%-") then
      error(string.format("sweep.run: slurm.extra[%d] must be an sbatch option string " ..
                          "like '--account=x'", i), 3)
    end
  end
  if o.cpus_per_task and (math.type(o.cpus_per_task) ~= "integer" or o.cpus_per_task < 1) then
    error("sweep.run: slurm.cpus_per_task must be a positive integer", 3)
  end
  local oi = o.on_interrupt
  if oi and oi ~= "ask" and oi ~= "cancel" and oi ~= "keep" then
    error("sweep.run: slurm.on_interrupt must be 'ask', 'cancel' or 'keep'", 3)
  end
  return o
end


-- The batch script: readable, self-contained (cd, module paths, threads).
function sbatch.script(ctx, o, paths)
  local L = {}
  local function add(s, ...) L[#L + 1] = select("#", ...) > 0 and s:format(...) or s end
  local n = #ctx.points
  add("#!/bin/bash")
  add("# nnsh sweep '%s': %d configurations (%s), one Slurm array task each;",
      ctx.name, n, table.concat(ctx.names, " x "))
  add("# task i runs configuration i (the list is in sweep.json next to this script).")
  add("# Written by lua/sweep.lua; submit it again by hand with, for instance,")
  add("#   sbatch --array=1-%d%%%d %s", n, ctx.jobs, paths.script)
  add("# Each task writes results/<i>.json, logs/<i>.log and status/<i> in")
  add("# %s, each to a temporary first and renamed.", paths.dir)
  add("#SBATCH --job-name=%s", o.job_name or ("nnsh-" .. ctx.name))
  add("#SBATCH --output=%s/logs/slurm-%%A_%%a.out", paths.dir)
  add("#SBATCH --cpus-per-task=%d", o.cpus_per_task or 1)
  if o.time then add("#SBATCH --time=%s", tostring(o.time)) end
  if o.partition then add("#SBATCH --partition=%s", o.partition) end
  if o.mem then add("#SBATCH --mem=%s", tostring(o.mem)) end
  for _, e in ipairs(o.extra or {}) do add("#SBATCH %s", e) end
  add("set -u")
  add("dir=%s", shq(paths.dir))
  add("i=${SLURM_ARRAY_TASK_ID:?submit this script with sbatch --array=...}")
  add("job=${SLURM_ARRAY_JOB_ID:-${SLURM_JOB_ID:-none}}_$i")
  add("# The same checkout, Lua modules and nnsh build as the submitting shell.")
  add("cd %s || exit 1", shq(paths.cwd))
  for _, v in ipairs{"LUA_PATH", "LUA_CPATH", "LUA_PATH_5_4", "LUA_CPATH_5_4",
                     "NNSH_LUA_DIR", "NNSH_BUILD"} do
    local val = os.getenv(v)
    if val then add("export %s=%s", v, shq(val)) end
  end
  add("# BLAS threads: the CPUs Slurm gave this task.")
  add("export OPENBLAS_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1} OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}")
  add("mkdir -p \"$dir/results\" \"$dir/logs\" \"$dir/status\"")
  add("log=$dir/logs/$i.log")
  add("start=$(date +%s)")
  add("finish() {")
  add("  echo \"$1 $(( $(date +%s) - start )) $job\" >\"$dir/status/$i.tmp\" &&")
  add("    mv -f \"$dir/status/$i.tmp\" \"$dir/status/$i\"")
  add("  mv -f \"$log.part\" \"$log\"")
  add("  exit \"$1\"")
  add("}")
  add("# Time limit or scancel: Slurm sends TERM (then KILL); keep the log.")
  add("trap 'finish 143' TERM")
  add("echo \"# task $i (job $job) on $(hostname) at $(date)\" >\"$log.part\"")
  if ctx.base then
    add("export NNSH_SWEEP=%s", shq(ctx.name .. ":") .. "$i" .. shq(":" .. paths.dir .. "/results/") ..
        "$i.json")
    add("%s >>\"$log.part\" 2>&1 &", ctx.base)
  else
    add("case $i in")
    for i, cmd in ipairs(ctx.commands) do
      local out = paths.dir .. "/results/" .. i .. ".json"
      add("  %d) %s && mv -f %s %s ;;", i, cmd, shq(out .. ".part"), shq(out))
    end
    add("  *) echo \"no configuration $i (1..%d)\"; false ;;", n)
    add("esac >>\"$log.part\" 2>&1 &")
  end
  add("wait $!")
  add("finish $?")
  return table.concat(L, "\n") .. "\n"
end


--- The command-line options every sweep script shares (for cli.parse) and
-- their translation into sweep.run fields:
--   for _, o in ipairs(sweep_sbatch.cli_options) do options[#options + 1] = o end
--   local opt = cli.parse(arg, options)
--   local spec = sweep_sbatch.from_cli(opt, opt.out .. "/sweep")  -- then add params, fn...
sbatch.cli_options = {
  {"backend", "local", "where the runs go: local (processes here) or slurm (a job array)"},
  {"dry-run", false, "print what would run (slurm: the batch script and sbatch command)"},
  {"partition", nil, "slurm: partition", type = "string"},
  {"time", nil, "slurm: time limit per run (minutes, or H:MM:SS)", type = "string"},
  {"cpus-per-task", 1, "slurm: CPUs (BLAS threads) per run"},
  {"mem", nil, "slurm: memory per run (e.g. 2G)", type = "string"},
  {"sbatch", nil, "slurm: more sbatch options, space-separated (e.g. '--account=x')", type = "string"},
}

--- from_cli(opt, dir) -> the sweep.run fields (backend, dir, dry_run, slurm)
-- for the options above; dir is where a Slurm sweep keeps its files.
function sbatch.from_cli(opt, dir)
  if opt.backend ~= "local" and opt.backend ~= "slurm" then
    error("--backend must be local or slurm, got '" .. tostring(opt.backend) .. "'", 0)
  end
  local cpus = math.tointeger(opt["cpus-per-task"])
  if not cpus or cpus < 1 then error("--cpus-per-task must be a positive integer", 0) end
  local f = {backend = opt.backend, dry_run = opt["dry-run"], dir = dir}
  if opt.backend == "slurm" then
    local extra = {}
    for w in tostring(opt.sbatch or ""):gmatch("%S+") do extra[#extra + 1] = w end
    f.slurm = {partition = opt.partition, time = opt.time, cpus_per_task = cpus,
               mem = opt.mem, extra = extra}
  end
  return f
end

return sbatch
