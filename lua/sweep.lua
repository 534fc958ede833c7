--- sweep: run a function over a grid of named parameters, optionally in
-- parallel worker processes, and collect one result per grid point.
--
--   local sweep = require "sweep"
--   local results = sweep.run{
--     params = {{"lhid", {16, 49, 100}}, {"lambda", {0, 1e-4, 1e-3}}},
--     fn = function(point) return {J = train(point.lhid, point.lambda)} end,
--     jobs = 2,                    -- worker processes; default sweep.cores()
--     json = "out/sweep.json",     -- optional: all results as JSON
--     csv = "out/sweep.csv",       -- optional: one row per point
--     name = "q1",                 -- optional: names the sweep in messages
--     quiet = false,               -- one line per finished point unless true
--   }
--   -- results[i] = {index = i, point = {lhid=16, lambda=0}, result = <fn's
--   --               table>, seconds = s}, in grid order (the first
--   --               parameter varies slowest), every point exactly once.
--
-- params: a list of {name, values} pairs (order kept) or a table
-- {name = values, ...} (names sorted).  fn receives the point (a table of
-- parameter values) and returns a table of JSON-encodable values (numbers,
-- strings, booleans, nested tables).
--
-- Parallelism (jobs > 1): each point runs in its own process, started as
-- the calling script itself, with the same interpreter and arguments
-- (arg[-1], arg[0], arg[1..]) and the environment variable NNSH_SWEEP
-- telling it which point to run.  In that worker, everything the script
-- does before sweep.run happens again (parse options, load data), then
-- sweep.run runs fn for its one point, writes the result to a file and
-- exits; nothing after sweep.run runs there.  So: one parallel sweep.run per
-- script, deterministic setup before it (sweep.worker() tells a worker
-- apart, to skip work only the parent needs).  Workers get
-- OPENBLAS_NUM_THREADS = max(1, cores // jobs) unless `threads` is given,
-- and their output goes to one log per point (kept in `logdir` if given).
-- A failed point is reported with the end of its log; the other points
-- still run, and sweep.run raises an error at the end.
--
-- Alternatively `command = function(point, outfile) return "shell cmd" end`
-- runs an external command per point that writes its result as JSON into
-- outfile (for instance `nnsh scripts/q1_autoencoder.lua ... --json FILE`).
--
-- Without a script to re-run (inside the REPL) fn points run in-process,
-- one after the other.
--
-- backend = "slurm" (lua/sweep_slurm.lua) submits the grid as one Slurm job
-- array instead, task i running point i the same way (the script re-run
-- with NNSH_SWEEP, or command's command), and follows it to the end:
--   sweep.run{..., backend = "slurm", dir = "out/q1/sweep",
--             slurm = {partition = "cpu", time = "0:30:00", cpus_per_task = 2,
--                      mem = "4G", extra = {"--account=proj"}}}
-- `dir` (default sweep_<name>) keeps the batch script, results, logs and
-- job ids; it must be on a file system the nodes share.  jobs = at most
-- that many tasks at once (--array=...%jobs).  Re-running the same sweep
-- submits only the points without a successful result that are not still
-- queued or running.  dry_run = true writes and prints the batch script and
-- the sbatch command and returns nil (with either backend, nothing runs).
-- The other slurm settings: poll (seconds between squeue calls, 5), grace
-- (seconds a finished task's result may take to appear, 30), on_interrupt
-- ("ask", "cancel" or "keep": what Ctrl-C does to the submitted jobs),
-- job_name, patience (seconds to wait while squeue fails, 600; the
-- environment variable NNSH_SWEEP_POLL overrides the poll default).
-- Records then carry slurm = {job = "<id>_<i>", state = ...}.
local json = require "json"

local sweep = {}

local function shq(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local function clock()
  local ok, nn = pcall(require, "nn")
  if ok and type(nn) == "table" and nn.clock then return nn.clock() end
  return os.time()
end

local function mkdirs_for(path)
  local dir = path:match("^(.*)/[^/]*$")
  if dir and dir ~= "" then os.execute("mkdir -p " .. shq(dir)) end
end

--- sweep.cores() -> number of online CPUs (nproc), at least 1.
function sweep.cores()
  local p = io.popen("nproc 2>/dev/null")
  local n = p and tonumber(p:read("l") or "")
  if p then p:close() end
  return n and n >= 1 and n or 1
end

--- sweep.grid(params) -> names, points: the cartesian product, first
-- parameter varying slowest; points[i] = {name = value, ...}.
function sweep.grid(params)
  if type(params) ~= "table" then error("sweep.grid: params must be a table", 2) end
  local list = {}
  if #params > 0 then
    for i, p in ipairs(params) do
      if type(p) ~= "table" or type(p[1]) ~= "string" or type(p[2]) ~= "table" then
        error(string.format("sweep.grid: params[%d] must be {name, {values...}}", i), 2)
      end
      list[i] = {p[1], p[2]}
    end
  else
    for name, values in pairs(params) do
      if type(name) ~= "string" or type(values) ~= "table" then
        error("sweep.grid: params must map names to lists of values", 2)
      end
      list[#list + 1] = {name, values}
    end
    table.sort(list, function(a, b) return a[1] < b[1] end)
  end
  if #list == 0 then error("sweep.grid: no parameters", 2) end
  local names = {}
  for i, p in ipairs(list) do
    names[i] = p[1]
    if #p[2] == 0 then error("sweep.grid: parameter '" .. p[1] .. "' has no values", 2) end
  end
  local points = {{}}
  for _, p in ipairs(list) do
    local nextp = {}
    for _, base in ipairs(points) do
      for _, v in ipairs(p[2]) do
        local q = {}
        for k, x in pairs(base) do q[k] = x end
        q[p[1]] = v
        nextp[#nextp + 1] = q
      end
    end
    points = nextp
  end
  return names, points
end

local function describe(names, point)
  local parts = {}
  for i, n in ipairs(names) do parts[i] = n .. "=" .. tostring(point[n]) end
  return table.concat(parts, " ")
end

-- Worker identity from the environment: name, index, outfile.
local function worker_env()
  local v = os.getenv("NNSH_SWEEP")
  if not v or v == "" then return nil end
  local name, idx, out = v:match("^([^:]*):(%d+):(.+)$")
  if not name then error("sweep: malformed NNSH_SWEEP=" .. v, 0) end
  return name, tonumber(idx), out
end

--- sweep.worker() -> the point index when this process is a sweep worker, else nil.
function sweep.worker()
  local _, idx = worker_env()
  return idx
end

-- Whole files or nothing, through nnsh's one atomic writer.
local function write_atomic(path, text)
  require("nn").atomic_write(path, text)
end

local function read_file(path)
  local f = io.open(path, "r")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

local function tail(path, n)
  local s = read_file(path) or ""
  local lines = {}
  for l in s:gmatch("[^\n]+") do lines[#lines + 1] = l end
  local first = math.max(1, #lines - (n or 8) + 1)
  return table.concat(lines, "\n", first)
end

-- Run fn for one point, protected; returns the record.
local function run_point(fn, i, point)
  local t0 = clock()
  local ok, r = pcall(fn, point)
  local rec = {index = i, point = point, seconds = clock() - t0}
  if not ok then
    rec.error = tostring(r)
  elseif type(r) ~= "table" then
    rec.error = "fn returned " .. type(r) .. ", not a table"
  elseif r.interrupted == true or (type(r.history) == "table" and r.history.interrupted == true) then
    -- A trainer stopped by Ctrl-C returns normally; its partial result must
    -- not count as done, or a re-run would skip the point.
    rec.error = "interrupted by Ctrl-C before the point finished"
  else
    rec.result = r
  end
  return rec
end

-- The command line that re-runs the calling script as a worker.  For a
-- batch system (absolute = true) the interpreter and the script get
-- absolute paths and a `--dry-run` argument is left out, so that the
-- batch script runs the configurations whatever directory it starts in.
local function script_command(absolute)
  if type(arg) ~= "table" or not arg[0] or not arg[-1] then return nil end
  local parts = {}
  local lo = -1
  while arg[lo - 1] ~= nil do lo = lo - 1 end
  local here
  local function abs(p)
    if p:sub(1, 1) == "/" then return p end
    if not here then
      local h = io.popen("pwd -P")
      here = h:read("l")
      h:close()
    end
    return here .. "/" .. p:gsub("^%./", "")
  end
  for i = lo, #arg do
    local a = arg[i]
    if absolute and i == lo and not a:find("/") then
      -- An interpreter found through PATH: the path the nodes should run.
      local p = io.popen("command -v " .. shq(a) .. " 2>/dev/null")
      local found = p:read("l")
      p:close()
      if found and found:sub(1, 1) == "/" then a = found end
    elseif absolute and (i == lo or i == 0) then
      a = abs(a)
    end
    if not (absolute and i > 0 and a == "--dry-run") then parts[#parts + 1] = shq(a) end
  end
  return table.concat(parts, " ")
end

--- sweep.csv(results, path): one row per point: the parameters, then every
-- number/string/boolean field of the result (sorted), then seconds.
function sweep.csv(results, path, names)
  local cols, seen = {}, {}
  for _, r in ipairs(results) do
    for k, v in pairs(r.result or {}) do
      local t = type(v)
      if not seen[k] and (t == "number" or t == "string" or t == "boolean") then
        seen[k] = true
        cols[#cols + 1] = k
      end
    end
  end
  table.sort(cols)
  local function cell(v)
    if v == nil then return "" end
    local s = type(v) == "number" and string.format("%.10g", v) or tostring(v)
    if s:find('[,"\n]') then s = '"' .. s:gsub('"', '""') .. '"' end
    return s
  end
  local header = {}
  for _, n in ipairs(names) do header[#header + 1] = n end
  for _, c in ipairs(cols) do header[#header + 1] = c end
  header[#header + 1] = "seconds"
  header[#header + 1] = "error"
  local lines = {table.concat(header, ",")}
  for _, r in ipairs(results) do
    local row = {}
    for _, n in ipairs(names) do row[#row + 1] = cell(r.point[n]) end
    for _, c in ipairs(cols) do row[#row + 1] = cell(r.result and r.result[c]) end
    row[#row + 1] = cell(r.seconds)
    row[#row + 1] = cell(r.error)
    lines[#lines + 1] = table.concat(row, ",")
  end
  mkdirs_for(path)
  write_atomic(path, table.concat(lines, "\n") .. "\n")
end

local function sleep(s) os.execute("sleep " .. s) end

-- Parallel execution: start up to `jobs` processes, poll for their status
-- files, start the next point as one finishes.
local function run_parallel(spec, names, points, jobs, name, records)
  local tmpdir = os.tmpname()
  os.remove(tmpdir)
  assert(os.execute("mkdir -p " .. shq(tmpdir)))
  local logdir = spec.logdir
  if logdir then os.execute("mkdir -p " .. shq(logdir)) end
  local base = spec.command == nil and script_command() or nil
  local threads = spec.threads or math.max(1, sweep.cores() // jobs)
  local running, nextp, finished = {}, 1, 0
  local function files(i)
    return tmpdir .. "/" .. i .. ".json", (logdir or tmpdir) .. "/point" .. i .. ".log",
           tmpdir .. "/" .. i .. ".status"
  end
  local function start(i)
    local out, log, status = files(i)
    local cmd
    if spec.command then
      cmd = spec.command(points[i], out)
      if type(cmd) ~= "string" then
        error("sweep.run: command must return a shell command string", 0)
      end
    else
      cmd = string.format("env NNSH_SWEEP=%s %s", shq(name .. ":" .. i .. ":" .. out), base)
    end
    -- A thread count the user exported wins over the computed one.
    local env = ""
    if spec.threads or not os.getenv("OPENBLAS_NUM_THREADS") then
      env = string.format("OPENBLAS_NUM_THREADS=%d; export OPENBLAS_NUM_THREADS; ", threads)
    end
    local full = string.format("(%s%s) >%s 2>&1; echo $? >%s", env, cmd, shq(log), shq(status))
    local p = io.popen("(" .. full .. ") </dev/null >/dev/null 2>&1 & echo $!")
    local pid = tonumber(p:read("l"))
    p:close()
    running[i] = {pid = pid, t0 = clock()}
  end
  local function nrunning()
    local n = 0
    for _ in pairs(running) do n = n + 1 end
    return n
  end
  local function cleanup()
    for _, r in pairs(running) do
      if r.pid then os.execute(string.format("pkill -P %d 2>/dev/null; kill %d 2>/dev/null", r.pid, r.pid)) end
    end
    os.execute("rm -rf " .. shq(tmpdir))
  end
  local ok, err = pcall(function()
    while finished < #points do
      while nextp <= #points and nrunning() < jobs do
        start(nextp)
        nextp = nextp + 1
      end
      local done_any = false
      for i, r in pairs(running) do
        local out, log, status = files(i)
        local st = read_file(status)
        if st and st:match("%d") then
          running[i] = nil
          done_any = true
          finished = finished + 1
          local rec = {index = i, point = points[i], seconds = clock() - r.t0}
          local code = tonumber(st:match("%d+"))
          local text = read_file(out)
          if code ~= 0 then
            rec.error = string.format("exit status %d; log %s:\n%s", code, log, tail(log))
          elseif not text then
            rec.error = "no result written; log " .. log .. ":\n" .. tail(log)
          else
            local dok, v = pcall(json.decode, text)
            if not dok then
              rec.error = "unreadable result: " .. tostring(v)
            elseif spec.command then
              rec.result = v
            elseif v.error then
              rec.error = v.error
            else
              rec.result, rec.seconds = v.result, v.seconds or rec.seconds
            end
          end
          if records[i] then error("sweep.run: point " .. i .. " reported twice", 0) end
          records[i] = rec
          if not spec.quiet then
            print(string.format("[%s %d/%d] %s: %s (%.1f s)", name, finished, #points,
                                describe(names, points[i]), rec.error and "FAILED" or "done",
                                rec.seconds))
            io.stdout:flush()
          end
        end
      end
      if not done_any then sleep(0.1) end
    end
  end)
  cleanup()
  if not ok then error(err, 0) end
end

local finish

function sweep.run(spec)
  if type(spec) ~= "table" then error("sweep.run: expected a table, got " .. type(spec), 2) end
  if (spec.fn == nil) == (spec.command == nil) then
    error("sweep.run: give exactly one of fn= (a function of the point) or command=", 2)
  end
  if spec.fn ~= nil and type(spec.fn) ~= "function" then
    error("sweep.run: fn must be a function, got " .. type(spec.fn), 2)
  end
  if spec.command ~= nil and type(spec.command) ~= "function" then
    error("sweep.run: command must be a function (point, outfile) -> string", 2)
  end
  local name = spec.name or "sweep"
  if name:find("[:'\"%s]") then error("sweep.run: name must not contain ':', quotes or spaces", 2) end
  local names, points = sweep.grid(spec.params)
  -- On Slurm the cluster's limits throttle; on this machine its cores.
  local jobs = spec.jobs or (spec.backend == "slurm" and #points or sweep.cores())
  if math.type(jobs) ~= "integer" or jobs < 1 then
    error("sweep.run: jobs must be a positive integer, got " .. tostring(jobs), 2)
  end

  -- In a worker process: run the one point and exit.
  local wname, widx, wout = worker_env()
  if wname then
    if wname ~= name then
      error(string.format("sweep.run: this worker belongs to sweep '%s', not '%s' " ..
                          "(one parallel sweep per script)", wname, name), 2)
    end
    if not points[widx] then
      error(string.format("sweep.run: this worker was asked for point %d; sweep '%s' has %d",
                          widx, name, #points), 2)
    end
    local rec = run_point(spec.fn, widx, points[widx])
    write_atomic(wout, json.encode({result = rec.result, error = rec.error, seconds = rec.seconds,
                                    index = widx, point = points[widx]}))
    if rec.error then io.stderr:write(rec.error, "\n") end
    os.exit(rec.error and 1 or 0)
  end

  local backend = spec.backend or "local"
  if backend ~= "local" and backend ~= "slurm" then
    error("sweep.run: backend must be 'local' or 'slurm', got " .. tostring(backend), 2)
  end
  local records = {}
  if backend == "slurm" then
    local ctx = {spec = spec, name = name, names = names, points = points, jobs = jobs,
                 describe = describe, dry_run = spec.dry_run,
                 dir = spec.dir or ("sweep_" .. name)}
    if spec.fn then
      ctx.base = script_command(true)
      if not ctx.base then
        error("sweep.run: the slurm backend runs the calling script on the nodes; " ..
              "inside the REPL give command= instead of fn=", 2)
      end
    end
    require("sweep_slurm").run(ctx, records)
    if spec.dry_run then return nil end
    local r = finish(spec, name, names, points, records)
    return r
  end
  if spec.dry_run then
    for i, p in ipairs(points) do
      print(string.format("[%s %d/%d] %s", name, i, #points, describe(names, p)))
    end
    print(string.format("(dry run: %d points, nothing run)", #points))
    return nil
  end
  local parallel = jobs > 1 and #points > 1
  if parallel and spec.fn and not script_command() then
    if not spec.quiet then print("sweep.run: no script to re-run (REPL): running points in-process") end
    parallel = false
  end
  if parallel or spec.command then
    run_parallel(spec, names, points, math.min(jobs, #points), name, records)
  else
    for i, point in ipairs(points) do
      local rec = run_point(spec.fn, i, point)
      records[i] = rec
      if not spec.quiet then
        print(string.format("[%s %d/%d] %s: %s (%.1f s)", name, i, #points,
                            describe(names, point), rec.error and ("FAILED: " .. rec.error) or "done",
                            rec.seconds))
      end
    end
  end

  local r = finish(spec, name, names, points, records)
  return r
end

-- Every point has its record: write the JSON/CSV files, raise on failures.
finish = function(spec, name, names, points, records)
  local failed = {}
  for i = 1, #points do
    if not records[i] then error("sweep.run: point " .. i .. " produced no record", 0) end
    if records[i].error then failed[#failed + 1] = records[i] end
  end
  if spec.json then
    mkdirs_for(spec.json)
    json.write(spec.json, {name = name, params = names, results = records})
  end
  if spec.csv then sweep.csv(records, spec.csv, names) end
  if #failed > 0 then
    local msgs = {}
    for _, r in ipairs(failed) do
      msgs[#msgs + 1] = describe(names, r.point) .. ": " .. r.error
    end
    error(string.format("sweep.run: %d of %d points failed:\n%s", #failed, #points,
                        table.concat(msgs, "\n")), 3)
  end
  return records
end

--- sweep.format(results, columns) -> text table; columns = list of
-- {header, function(rec) -> value, format} (format defaults to "%s"/"%.4g").
function sweep.format(results, columns)
  local rows = {{}}
  for j, c in ipairs(columns) do rows[1][j] = c[1] end
  for _, r in ipairs(results) do
    local row = {}
    for j, c in ipairs(columns) do
      local ok, v = pcall(c[2], r)
      if not ok or v == nil then v = "-"
      elseif type(v) == "number" then v = string.format(c[3] or "%.4g", v) end
      row[j] = tostring(v)
    end
    rows[#rows + 1] = row
  end
  local width = {}
  for _, row in ipairs(rows) do
    for j, v in ipairs(row) do width[j] = math.max(width[j] or 0, #v) end
  end
  local out = {}
  for i, row in ipairs(rows) do
    local cells = {}
    for j, v in ipairs(row) do cells[j] = string.rep(" ", width[j] - #v) .. v end
    out[#out + 1] = table.concat(cells, "  ")
    if i == 1 then
      local rule = {}
      for j = 1, #row do rule[j] = string.rep("-", width[j]) end
      out[#out + 1] = table.concat(rule, "  ")
    end
  end
  return table.concat(out, "\n")
end

local ok, nn = pcall(require, "nn")
if ok and type(nn) == "table" and nn.setdoc then
  nn.setdoc(sweep.run, [[
sweep.run{params={{"name", {values...}}, ...}, fn=function(point) return {...} end,
          jobs=N, json=FILE, csv=FILE, name=, quiet=, logdir=, threads=,
          backend="local"|"slurm", dir=, dry_run=,
          slurm={partition=, time=, cpus_per_task=, mem=, extra={...}}}
Run fn on every point of the parameter grid (first parameter slowest),
in parallel worker processes when jobs > 1 (each re-runs the calling
script, which must reach sweep.run the same way), or as one Slurm job array
(backend="slurm": files in dir, resumable), and collect each point's
result exactly once: results[i] = {index, point, result, seconds}.
  local r = sweep.run{params={{"lr", {0.1, 0.01}}, {"batch", {32, 64}}}, jobs=2,
                      fn=function(p) return {loss=train(p.lr, p.batch)} end}]])
  nn.setdoc(sweep.grid, [[
sweep.grid(params) -> names, points: the cartesian product of the parameter lists.
  sweep.grid{{"a", {1, 2}}, {"b", {"x", "y"}}}  -- 4 points, a slowest]])
  nn.setdoc(sweep.format, [[
sweep.format(results, {{header, fn(rec) -> value [, fmt]}, ...}) -> text table.]])
end

return sweep
