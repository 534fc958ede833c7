--- sweep_slurm: the Slurm backend of lua/sweep.lua (sweep.run{backend =
-- "slurm"}): submits, follows, resumes (the batch script and the sbatch
-- settings: lua/sweep_sbatch.lua).  The grid becomes one job array, task i
-- running grid point i; everything lives in the sweep directory (a shared
-- file system is assumed, as on real clusters):
--
--   sweep.sbatch          the batch script (readable; `sbatch --array=1-N%K` it by hand)
--   sweep.json            the grid, the command and the submissions (job ids)
--   results/<i>.json      point i's result, written to a temporary and renamed
--   logs/<i>.log          point i's output (logs/<i>.log.part while it runs)
--   logs/slurm-<job>_<i>.out  Slurm's own messages for the task (time limit, OOM)
--   status/<i>            "<exit status> <seconds> <job>_<i>", written when the task ends
--
-- Following needs no accounting database: squeue (-t all keeps finished
-- tasks for MinJobAge), scontrol for tasks squeue no longer lists, and the
-- files above.  A re-run with the same grid submits only the points with no
-- successful result that are not still queued or running.
local json = require "json"

local sbatch = require "sweep_sbatch"

local slurm = {}

local function shq(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function read_file(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- Whole files or nothing, through nnsh's one atomic writer.
local function write_atomic(path, text)
  require("nn").atomic_write(path, text)
end

local function tail(path, n)
  local s = read_file(path)
  if not s then return nil end
  local lines = {}
  for l in s:gmatch("[^\n]+") do lines[#lines + 1] = l end
  return table.concat(lines, "\n", math.max(1, #lines - (n or 10) + 1))
end

-- Ctrl-C while a command runs kills the command (os.execute ignores SIGINT
-- in this process meanwhile); it surfaces here as an error object.
local INTERRUPTED = setmetatable({}, {__tostring = function() return "interrupted" end})

-- Runs a shell command with its output in a temporary file (so that SIGINT
-- reaches only the command); returns ok, output, exit code.
local function sh(cmd)
  local tmp = os.tmpname()
  local ok, how, code = os.execute("(" .. cmd .. ") >" .. shq(tmp) .. " 2>&1 </dev/null")
  local out = read_file(tmp) or ""
  os.remove(tmp)
  if (how == "signal" and (code == 2 or code == 15)) or (how == "exit" and code == 130) then
    error(INTERRUPTED, 0)
  end
  return ok == true, out, code
end

local function sleep(s)
  local _, how, code = os.execute("sleep " .. s)
  if how == "signal" and (code == 2 or code == 15) then error(INTERRUPTED, 0) end
end

local function isatty(fd) return os.execute("test -t " .. fd) == true end

local function cwd()
  local p = io.popen("pwd -P")
  local d = p:read("l")
  p:close()
  return d
end

local function abspath(p, base)
  if p:sub(1, 1) == "/" then return p end
  return (base or cwd()) .. "/" .. p:gsub("^%./", "")
end

-- Slurm job states: the ones still waiting or running, and what each means.
local QUEUED = {PENDING = true, REQUEUED = true, REQUEUE_HOLD = true, REQUEUE_FED = true,
                RESV_DEL_HOLD = true}
local RUNNING = {RUNNING = true, CONFIGURING = true, COMPLETING = true, SUSPENDED = true,
                 STOPPED = true, RESIZING = true, SIGNALING = true, STAGE_OUT = true}
local MEANING = {TIMEOUT = "exceeded its time limit", OUT_OF_MEMORY = "ran out of memory",
                 CANCELLED = "was cancelled", NODE_FAIL = "lost its node",
                 PREEMPTED = "was preempted", BOOT_FAIL = "its node failed to boot",
                 DEADLINE = "missed its deadline", FAILED = "exited with an error"}

local function same_grid(m, ctx)
  if type(m) ~= "table" or m.name ~= ctx.name or type(m.points) ~= "table" or
     #m.points ~= #ctx.points then return false end
  local function key(v) return type(v) == "number" and string.format("%.10g", v) or tostring(v) end
  for i, p in ipairs(ctx.points) do
    for _, n in ipairs(ctx.names) do
      if m.points[i][n] == nil or key(m.points[i][n]) ~= key(p[n]) then return false end
    end
  end
  return true
end

-- One squeue call per job id: {[task] = {state=, reason=}}.  Finished tasks
-- stay listed with -t all for MinJobAge seconds; after that squeue forgets.
-- nil, message when the controller cannot be asked (down, restarting):
-- the caller then waits rather than taking its tasks for lost.
local function squeue(job)
  local ok, out = sh(string.format("squeue -h -r -t all -j %s -o '%%K|%%T|%%r'", job))
  local t = {}
  if not ok then
    if out:find("Invalid job id") then return t end -- forgotten (older than MinJobAge)
    return nil, out
  end
  for task, state, reason in out:gmatch("(%d+)|([%w_]+)|([^\n]*)") do
    t[tonumber(task)] = {state = state, reason = reason}
  end
  return t
end

local function scontrol_state(job, i)
  local ok, out = sh(string.format("scontrol -o show job %s_%d", job, i))
  if not ok then return nil end
  local st = out:match("JobState=([%w_]+)")
  return st and {state = st, reason = out:match("Reason=(%S+)")}
end

-- The state Slurm's own output file names, once squeue/scontrol forgot.
local function state_from_output(path)
  local s = read_file(path) or ""
  if s:find("DUE TO TIME LIMIT") then return "TIMEOUT" end
  if s:find("oom%-kill") or s:find("[Oo]ut [Oo]f [Mm]emory") then return "OUT_OF_MEMORY" end
  if s:find("DUE TO PREEMPTION") then return "PREEMPTED" end
  if s:find("CANCELLED") then return "CANCELLED" end
  return nil
end

-- What a task's files say: success (result), error (result with error), nil.
local function read_result(ctx, paths, i)
  local text = read_file(paths.result(i))
  if not text then return nil end
  local ok, v = pcall(json.decode, text)
  if not ok or type(v) ~= "table" then return {error = "unreadable result: " .. tostring(v)} end
  if ctx.base then return v end
  local st = read_file(paths.status(i)) or ""
  return {result = v, seconds = tonumber(st:match("^%d+ (%d+)"))}
end

-- The exit status the task's batch script recorded, nil before it ended.
local function status_code(paths, i)
  local s = read_file(paths.status(i))
  return s and tonumber(s:match("^(%-?%d+)"))
end

local function load_manifest(path)
  local text = read_file(path)
  if not text then return nil end
  local ok, m = pcall(json.decode, text)
  if not ok then error("sweep.run: " .. path .. " is unreadable: " .. tostring(m), 0) end
  return m
end


function slurm.run(ctx, records)
  local o = sbatch.validate(ctx.spec.slurm)
  local here = cwd()
  local dir = abspath(ctx.dir, here)
  local paths = {dir = dir, cwd = here, script = dir .. "/sweep.sbatch",
                 manifest = dir .. "/sweep.json"}
  function paths.result(i) return dir .. "/results/" .. i .. ".json" end
  function paths.status(i) return dir .. "/status/" .. i end
  function paths.log(i) return dir .. "/logs/" .. i .. ".log" end
  function paths.slurm_out(job, i) return dir .. "/logs/slurm-" .. job .. "_" .. i .. ".out" end
  local n, name = #ctx.points, ctx.name
  local quiet = ctx.spec.quiet
  local function say(...) if not quiet then print(string.format(...)) io.stdout:flush() end end

  if ctx.commands == nil and ctx.spec.command then
    ctx.commands = {}
    for i, p in ipairs(ctx.points) do
      local c = ctx.spec.command(p, paths.result(i) .. ".part")
      if type(c) ~= "string" then error("sweep.run: command must return a shell command string", 0) end
      ctx.commands[i] = c
    end
  end

  assert(os.execute("mkdir -p " .. shq(dir .. "/results") .. " " .. shq(dir .. "/logs") .. " " ..
                    shq(dir .. "/status")))
  local m = load_manifest(paths.manifest)
  if m and not same_grid(m, ctx) then
    error(string.format("sweep.run: %s holds a different sweep (name or grid); " ..
                        "use another directory or remove it", dir), 0)
  end
  local command = ctx.base or table.concat(ctx.commands, "\n")
  if m and m.command ~= command and not quiet then
    print("sweep.run: note: the results kept in " .. dir .. " came from another command line:\n  " ..
          tostring(m.command):gsub("\n", "\n  ") .. "\n(remove the directory to start over)")
  end
  m = m or {name = name, params = ctx.names, points = ctx.points, submissions = {}}
  m.command = command

  -- Which points are done, which still queued/running from an earlier run.
  local job_of, active, done = {}, {}, {}
  for _, s in ipairs(m.submissions) do
    for _, i in ipairs(s.indices or {}) do job_of[i] = tostring(s.job) end
  end
  for i = 1, n do
    local r = read_result(ctx, paths, i)
    if r and not r.error and status_code(paths, i) == 0 then done[i] = r end
  end
  local jobs_seen = {}
  for i = 1, n do
    local job = job_of[i]
    if not done[i] and job then
      if not jobs_seen[job] then
        local t, msg = {}, nil
        if not ctx.dry_run then t, msg = squeue(job) end
        if not t then error("sweep.run: squeue failed: " .. msg, 0) end
        jobs_seen[job] = t
      end
      local st = jobs_seen[job][i]
      if st and (QUEUED[st.state] or RUNNING[st.state]) then active[i] = true end
    end
  end
  local todo, following = {}, 0
  for i = 1, n do
    if not done[i] and not active[i] then todo[#todo + 1] = i end
    if active[i] then following = following + 1 end
  end

  local script = sbatch.script(ctx, o, paths)
  local array = sbatch.ranges(todo) .. "%" .. math.min(ctx.jobs, math.max(1, #todo))
  local submit = string.format("sbatch --parsable --array=%s %s", array, shq(paths.script))
  if ctx.dry_run then
    write_atomic(paths.script, script)
    print(string.format("# %s (dry run: nothing submitted)", paths.script))
    print(script)
    local ndone = 0
    for _ in pairs(done) do ndone = ndone + 1 end
    if #todo == 0 then
      print(string.format("# nothing to submit: %d done, %d queued or running", ndone, following))
    else
      print(string.format("# %d done, %d queued or running; would submit %d:", ndone, following, #todo))
      print(submit)
    end
    return nil
  end

  local ndone = 0
  for i in pairs(done) do
    ndone = ndone + 1
    local r = done[i]
    records[i] = {index = i, point = ctx.points[i], result = r.result, seconds = r.seconds,
                  slurm = {job = job_of[i] and (job_of[i] .. "_" .. i), state = "COMPLETED"}}
  end
  if ndone > 0 or following > 0 then
    say("[%s] %s: %d of %d done, %d still queued or running; submitting %d", name, dir, ndone, n,
        following, #todo)
  end
  if #todo > 0 then
    -- Old results and statuses must not be read as the new ones (the logs
    -- are overwritten; Slurm's own outputs carry the job id).
    for _, i in ipairs(todo) do
      os.remove(paths.result(i))
      os.remove(paths.status(i))
    end
    write_atomic(paths.script, script)
    local ok, out = sh(submit)
    local job = out:match("^(%d+)")
    if not ok or not job then
      error("sweep.run: sbatch failed: " .. submit .. "\n" .. out, 0)
    end
    m.submissions[#m.submissions + 1] = {job = job, array = array, indices = todo,
                                         time = os.date("!%Y-%m-%dT%H:%M:%SZ")}
    for _, i in ipairs(todo) do job_of[i] = job end
    say("[%s] submitted job array %s (%d tasks, at most %d at once): %s", name, job, #todo,
        math.min(ctx.jobs, #todo), submit)
  end
  write_atomic(paths.manifest, json.encode(m, {indent = true}) .. "\n")

  -- Follow every point not done yet until each has ended.
  local waiting = {}
  for i = 1, n do if not done[i] then waiting[i] = {} end end
  local finished = ndone
  local poll = o.poll or tonumber(os.getenv("NNSH_SWEEP_POLL") or "") or 5
  local grace = o.grace or 30
  local tty = not quiet and isatty(1)
  local live_shown, last_line = false, nil
  local t0 = os.time()
  local function live(counts)
    if quiet then return end
    local line = string.format("[%s] %d queued, %d running, %d done, %d failed (%d s)", name,
                               counts.queued, counts.running, counts.done, counts.failed,
                               os.time() - t0)
    if tty then
      io.stdout:write("\r\27[K", line)
      live_shown = true
    elseif line:gsub("%(%d+ s%)", "") ~= (last_line or "") then
      print(line)
    end
    last_line = line:gsub("%(%d+ s%)", "")
    io.stdout:flush()
  end
  local function report(i, rec)
    finished = finished + 1
    records[i] = rec
    waiting[i] = nil
    if quiet then return end
    if live_shown then io.stdout:write("\r\27[K") live_shown = false end
    local how = rec.error and ("FAILED (Slurm: " .. rec.slurm.state .. ")") or "done"
    print(string.format("[%s %d/%d] %s: %s (%.1f s)", name, finished, n,
                        ctx.describe(ctx.names, ctx.points[i]), how, rec.seconds or 0))
    io.stdout:flush()
  end
  local function failure(i, job, st, err)
    local state = st and st.state or "UNKNOWN"
    local lines = {}
    if err then lines[#lines + 1] = err end
    lines[#lines + 1] = string.format("Slurm job %s_%d: %s%s", job, i, state,
                                      MEANING[state] and (" (" .. MEANING[state] .. ")") or "")
    -- Without cgroups Slurm cannot see an out-of-memory kill; the exit says it.
    local code = status_code(paths, i)
    if code == 137 and state ~= "OUT_OF_MEMORY" then
      lines[#lines + 1] = "exit status 137: killed by SIGKILL (often the kernel's out-of-memory killer)"
    end
    local so = tail(paths.slurm_out(job, i), 5)
    if so and so ~= "" then lines[#lines + 1] = "slurm output " .. paths.slurm_out(job, i) .. ":\n" .. so end
    local logp = paths.log(i)
    -- 30 lines: enough for a usage text and a traceback after the message.
    local lt = tail(logp, 30)
    if not lt then logp = logp .. ".part" lt = tail(logp, 30) end
    lines[#lines + 1] = "log " .. logp .. ":\n" .. (lt or "(none)")
    local status = read_file(paths.status(i)) or ""
    return {index = i, point = ctx.points[i], error = table.concat(lines, "\n"),
            seconds = tonumber(status:match("^%-?%d+ (%d+)")), slurm = {job = job .. "_" .. i, state = state}}
  end

  local unreachable_since
  local function step()
    local states, down = {}, {}
    local counts = {queued = 0, running = 0, done = 0, failed = 0}
    for i, w in pairs(waiting) do
      local job = job_of[i]
      if not states[job] and not down[job] then
        local t, msg = squeue(job)
        if t then states[job] = t else down[job] = msg end
      end
      local st = states[job] and states[job][i]
      local r = read_result(ctx, paths, i)
      local code = status_code(paths, i)
      local good = r and not r.error
      if good and code == 0 then
        report(i, {index = i, point = ctx.points[i], result = r.result, seconds = r.seconds,
                   slurm = {job = job .. "_" .. i, state = "COMPLETED"}})
      elseif down[job] then
        -- Slurm does not answer: wait (up to `patience` seconds) instead of
        -- taking the task for lost.
        unreachable_since = unreachable_since or os.time()
        if os.time() - unreachable_since > (o.patience or 600) then
          error("sweep.run: squeue has failed for " .. (o.patience or 600) .. " s: " .. down[job], 0)
        end
        counts.running = counts.running + 1
      elseif st and QUEUED[st.state] then
        counts.queued = counts.queued + 1
      elseif st and RUNNING[st.state] then
        counts.running = counts.running + 1
      else
        st = st or scontrol_state(job, i)
        if st and (QUEUED[st.state] or RUNNING[st.state]) then
          counts.running = counts.running + 1
        else
          if not st then
            local guess = state_from_output(paths.slurm_out(job, i))
            if guess then st = {state = guess}
            elseif code and code ~= 0 then st = {state = "FAILED"}
            elseif code == 0 then st = {state = "COMPLETED"} end
          end
          -- A result counts only from a task that ended well: one killed at
          -- its time limit may still have written one.
          if good and code == nil and st and st.state == "COMPLETED" then
            report(i, {index = i, point = ctx.points[i], result = r.result, seconds = r.seconds,
                       slurm = {job = job .. "_" .. i, state = "COMPLETED"}})
          elseif r and r.error then
            report(i, failure(i, job, st, r.error))
          elseif st and st.state ~= "COMPLETED" then
            local note = good and "it wrote a result, not used: the task did not end normally"
            report(i, failure(i, job, st, note or nil))
          elseif code and code ~= 0 then
            report(i, failure(i, job, {state = "FAILED"}, "exit status " .. code))
          else
            -- Ended without a result: allow the shared file system `grace`
            -- seconds to show it before calling the task failed.
            w.since = w.since or os.time()
            if os.time() - w.since >= grace then
              report(i, failure(i, job, st, st and "finished without writing a result" or
                                "vanished from Slurm without a result or exit status"))
            else
              counts.running = counts.running + 1
            end
          end
        end
      end
    end
    if next(down) == nil then unreachable_since = nil end
    for _, rec in pairs(records) do
      if rec.error then counts.failed = counts.failed + 1 else counts.done = counts.done + 1 end
    end
    live(counts)
  end

  local ok, err = pcall(function()
    while true do
      step()
      if next(waiting) == nil then break end
      sleep(poll)
    end
  end)
  if live_shown then io.stdout:write("\r\27[K") io.stdout:flush() end
  if ok then return end
  if err ~= INTERRUPTED and not tostring(err):find("interrupted") then error(err, 0) end

  -- Ctrl-C: offer to cancel what is still queued or running.
  local jobs, seen = {}, {}
  for i in pairs(waiting) do
    if not seen[job_of[i]] then seen[job_of[i]] = true jobs[#jobs + 1] = job_of[i] end
  end
  table.sort(jobs)
  local ids = table.concat(jobs, " ")
  local cancel = o.on_interrupt == "cancel"
  if (o.on_interrupt or "ask") == "ask" and isatty(0) then
    io.stdout:write(string.format("\nInterrupted. Cancel the array job(s) %s with scancel? [y/N] ", ids))
    io.stdout:flush()
    local answer = io.stdin:read("l") or ""
    cancel = answer:match("^%s*[yY]") ~= nil
  end
  if cancel and #jobs > 0 then
    os.execute("scancel " .. ids)
    print(string.format("\n[%s] cancelled job(s) %s; re-run the same command to submit " ..
                        "the unfinished points again", name, ids))
  else
    print(string.format("\n[%s] left job(s) %s queued/running (cancel: scancel %s); " ..
                        "re-run the same command to follow them", name, ids, ids))
  end
  error("sweep.run: interrupted", 0)
end

return slurm
