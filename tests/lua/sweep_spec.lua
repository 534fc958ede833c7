-- The sweep runner: grid order, a 2x2 grid of a toy function run in two
-- parallel worker processes with every result collected exactly once,
-- external commands, failures, result files and error messages.
local sweep = require "sweep"
local json = require "json"

local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p '" .. tmp .. "'")
teardown(function() os.execute("rm -rf '" .. tmp .. "'") end)

local function readfile(path)
  local f = assert(io.open(path))
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
  local f = io.open("/proc/self/stat")
  local s = f:read("l")
  f:close()
  return tonumber(s:match("^(%d+)"))
end

-- Run a Lua script with the interpreter running these specs; returns
-- exit status and output.
local function run_script(path, ...)
  -- The interpreter running busted: lua5.4, or nnsh in a sanitized build
  -- (whose nn.so must not be loaded into a plain lua5.4).
  local interp = arg and arg[-1] or "lua5.4"
  local args = {}
  for i, a in ipairs{...} do args[i] = "'" .. a .. "'" end
  local p = io.popen(interp .. " '" .. path .. "' " .. table.concat(args, " ") .. " 2>&1")
  local out = p:read("a")
  local ok, _, code = p:close()
  return ok, code, out
end

describe("sweep.grid", function()
  it("takes the cartesian product, first parameter slowest", function()
    local names, points = sweep.grid{{"a", {1, 2}}, {"b", {"x", "y", "z"}}}
    assert.same({"a", "b"}, names)
    assert.equal(6, #points)
    assert.same({a = 1, b = "x"}, points[1])
    assert.same({a = 1, b = "z"}, points[3])
    assert.same({a = 2, b = "x"}, points[4])
    local n2 = sweep.grid{zeta = {1}, alpha = {3, 4}}
    assert.same({"alpha", "zeta"}, n2)
  end)
  it("rejects bad grids", function()
    assert.has_error(function() sweep.grid{{"a", {}}} end,
      "sweep.grid: parameter 'a' has no values")
    assert.has_error(function() sweep.grid{{"a", 3}} end,
      "sweep.grid: params[1] must be {name, {values...}}")
  end)
end)

describe("sweep.run in worker processes", function()
  it("runs a 2x2 grid on two workers and collects every result exactly once", function()
    local script = tmp .. "/toy.lua"
    -- Each point marks that it started and waits (up to 20 s) until two
    -- points have started: with two workers that happens at once, with
    -- one process at a time it cannot, and the point reports it.
    writefile(script, [[
local sweep = require "sweep"
local json = require "json"
local dir = arg[1]
local function pid()
  local f = io.open("/proc/self/stat"); local s = f:read("l"); f:close()
  return tonumber(s:match("^(%d+)"))
end
local function started()
  local p = io.popen("ls '" .. dir .. "' | grep -c '^started'")
  local n = tonumber(p:read("l")); p:close(); return n
end
local results = sweep.run{
  params = {{"a", {1, 2}}, {"b", {10, 20}}}, jobs = 2, name = "toy", quiet = true,
  json = dir .. "/res/toy.json", csv = dir .. "/res/toy.csv",
  fn = function(p)
    io.open(dir .. "/started_" .. p.a .. "_" .. p.b, "w"):close()
    local together = false
    for _ = 1, 200 do
      if started() >= 2 then together = true break end
      os.execute("sleep 0.1")
    end
    return {sum = p.a + p.b, pid = pid(), together = together}
  end}
local f = io.open(dir .. "/parent.json", "w")
f:write(json.encode({pid = pid(), results = results}))
f:close()
]])
    local ok, code, out = run_script(script, tmp)
    assert.is_true(ok, out)
    assert.equal(0, code)
    local parent = json.decode(readfile(tmp .. "/parent.json"))
    local res = parent.results
    assert.equal(4, #res)
    local pids, seen = {}, {}
    for i, r in ipairs(res) do
      assert.equal(i, r.index)
      local key = r.point.a .. "," .. r.point.b
      assert.is_nil(seen[key], "point " .. key .. " twice")
      seen[key] = true
      assert.equal(r.point.a + r.point.b, r.result.sum)
      assert.are_not.equal(parent.pid, r.result.pid) -- ran in a worker
      assert.is_nil(pids[r.result.pid])               -- one process per point
      pids[r.result.pid] = true
    end
    assert.same({["1,10"] = true, ["1,20"] = true, ["2,10"] = true, ["2,20"] = true}, seen)
    assert.is_true(res[1].result.together and res[2].result.together)
    -- the result files hold the same four points
    local saved = json.decode(readfile(tmp .. "/res/toy.json"))
    assert.equal(4, #saved.results)
    assert.same({"a", "b"}, saved.params)
    local csv = readfile(tmp .. "/res/toy.csv")
    assert.equal("a,b,pid,sum,together,seconds,error", csv:match("^[^\n]+"))
    local rows = 0
    for line in csv:gmatch("[^\n]+") do rows = rows + 1 end
    assert.equal(5, rows)
    assert.truthy(csv:find("\n2,20,%d+,22,", 1))
  end)

  it("reports a failing point and still runs the others", function()
    local script = tmp .. "/fail.lua"
    writefile(script, [[
local sweep = require "sweep"
local ok, err = pcall(sweep.run, {
  params = {{"k", {1, 2, 3}}}, jobs = 2, quiet = true, json = arg[1] .. "/fail.json",
  fn = function(p)
    if p.k == 2 then error("point two is broken") end
    return {k = p.k}
  end})
print(ok, err)
]])
    local ok, _, out = run_script(script, tmp)
    assert.is_true(ok, out)
    assert.matches("false", out)
    assert.matches("sweep.run: 1 of 3 points failed:\nk=2: .*point two is broken", out)
    local saved = json.decode(readfile(tmp .. "/fail.json"))
    assert.equal(1, saved.results[1].result.k)
    assert.equal(3, saved.results[3].result.k)
    assert.matches("point two is broken", saved.results[2].error)
  end)

  it("runs external commands that write JSON", function()
    local res = sweep.run{params = {{"v", {3, 4, 5}}}, jobs = 2, quiet = true,
      command = function(p, out)
        return string.format("echo '{\"square\": %d}' > '%s'", p.v * p.v, out)
      end}
    assert.same({9, 16, 25}, {res[1].result.square, res[2].result.square, res[3].result.square})
  end)
end)

describe("sweep.run in this process", function()
  it("runs points in order with jobs = 1", function()
    local order = {}
    local res = sweep.run{params = {{"x", {1, 2, 3}}}, jobs = 1, quiet = true,
                          fn = function(p) order[#order + 1] = p.x; return {pid = mypid()} end}
    assert.same({1, 2, 3}, order)
    assert.equal(mypid(), res[2].result.pid)
  end)

  it("names bad calls", function()
    assert.has_error(function() sweep.run{params = {{"x", {1}}}} end,
      "sweep.run: give exactly one of fn= (a function of the point) or command=")
    assert.has_error(function() sweep.run{params = {{"x", {1}}}, fn = print, jobs = 0} end,
      "sweep.run: jobs must be a positive integer, got 0")
    assert.has_error(function()
      sweep.run{params = {{"x", {1}}}, jobs = 1, quiet = true, fn = function() return 5 end}
    end, "sweep.run: 1 of 1 points failed:\nx=1: fn returned number, not a table")
  end)

  it("does not count a point whose trainer was interrupted as done", function()
    for _, r in ipairs{{interrupted = true}, {history = {interrupted = true}}} do
      assert.has_error(function()
        sweep.run{params = {{"x", {1}}}, jobs = 1, quiet = true, fn = function() return r end}
      end, "sweep.run: 1 of 1 points failed:\nx=1: interrupted by Ctrl-C before the point finished")
    end
    local res = sweep.run{params = {{"x", {1}}}, jobs = 1, quiet = true,
                          fn = function() return {interrupted = false, history = {}} end}
    assert.is_false(res[1].result.interrupted)
  end)

  it("formats a results table", function()
    local text = sweep.format({{point = {a = 1}, result = {J = 0.123456}},
                               {point = {a = 20}, result = {J = 2}}},
                              {{"a", function(r) return r.point.a end},
                               {"J", function(r) return r.result.J end, "%.3f"}})
    assert.equal(" a      J\n--  -----\n 1  0.123\n20  2.000", text)
  end)
end)
