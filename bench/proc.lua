-- Running a command for the benchmark: wall time (bash's $EPOCHREALTIME,
-- microseconds, no extra process inside the measured span), peak resident
-- memory (/usr/bin/time -v "Maximum resident set size"), exit status and
-- the captured stdout/stderr.  Stock Lua has no wall clock; bash has one.
local proc = {}

local function quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end
proc.quote = quote

local function slurp(path)
  local f = io.open(path, "r")
  if not f then return "" end
  local s = f:read("a")
  f:close()
  os.remove(path)
  return s
end

-- Output of a shell command, trailing white space removed.
function proc.capture(cmd)
  local p = io.popen(cmd)
  local s = p:read("a") or ""
  p:close()
  return (s:gsub("%s+$", ""))
end

-- CPU seconds all processes have used since boot (/proc/stat, all CPUs,
-- busy = everything but idle and iowait).
local function busy_seconds()
  local f = io.open("/proc/stat", "r")
  if not f then return nil end
  local line = f:read("l")
  f:close()
  local v = {}
  for n in line:gmatch("%d+") do v[#v + 1] = tonumber(n) end
  local busy = 0
  for i, n in ipairs(v) do if i ~= 4 and i ~= 5 then busy = busy + n end end
  return busy / 100 -- USER_HZ
end

-- argv: program and arguments.  env: NAME = "value" sets, NAME = false
-- removes a variable; everything else is inherited.  opts.rss: wrap in
-- /usr/bin/time -v.  Returns {rc, wall, stdout, stderr, max_rss_kb}.
function proc.run(argv, env, opts)
  opts = opts or {}
  local out, err, tim = os.tmpname(), os.tmpname(), os.tmpname()
  local parts = {"env"}
  local names = {}
  for k in pairs(env or {}) do names[#names + 1] = k end
  table.sort(names)
  -- env wants its -u options before the assignments
  for _, k in ipairs(names) do
    if env[k] == false then parts[#parts + 1] = "-u " .. k end
  end
  for _, k in ipairs(names) do
    if env[k] ~= false then parts[#parts + 1] = k .. "=" .. quote(env[k]) end
  end
  if opts.rss then parts[#parts + 1] = "/usr/bin/time -v -o " .. quote(tim) end
  for _, a in ipairs(argv) do parts[#parts + 1] = quote(a) end
  local cmd = table.concat(parts, " ") .. " </dev/null >" .. quote(out) .. " 2>" .. quote(err)
  local script = "s=$EPOCHREALTIME; " .. cmd .. "; rc=$?; e=$EPOCHREALTIME; echo \"$rc $s $e\""
  local busy0 = opts.cpu and busy_seconds()
  local line = proc.capture("LC_ALL=C bash -c " .. quote(script))
  local busy1 = opts.cpu and busy_seconds()
  local rc, s, e = line:match("^(%d+) ([%d.]+) ([%d.]+)$")
  local r = {rc = tonumber(rc), stdout = slurp(out), stderr = slurp(err)}
  r.wall = s and (tonumber(e) - tonumber(s)) or nil
  local t = slurp(tim)
  r.max_rss_kb = tonumber(t:match("Maximum resident set size %(kbytes%): (%d+)"))
  local user = tonumber(t:match("User time %(seconds%): ([%d.]+)"))
  local sys = tonumber(t:match("System time %(seconds%): ([%d.]+)"))
  if busy0 and busy1 and user and sys then
    r.foreign_cpu_s = math.max(0, (busy1 - busy0) - user - sys)
  end
  if not opts.rss then os.remove(tim) end
  return r
end

return proc
