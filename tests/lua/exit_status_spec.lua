-- Ctrl-C (SIGINT) stops a script with exit status 130, as shells expect,
-- whether it runs Lua, a long nn.mm or nn.save; a save stopped that way
-- leaves the old file and no temporary.
local build = os.getenv("NNSH_BUILD") or "build"
local nnsh = build .. "/nnsh"

local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p " .. dir))
teardown(function() os.execute("rm -rf '" .. dir .. "'") end)

-- Run code as a script, SIGINT after `after` seconds; exit status.
local function interrupted(code, after)
  local f = assert(io.open(dir .. "/s.lua", "w"))
  f:write(code)
  f:close()
  local p = io.popen(("timeout --preserve-status -s INT %s %s %s/s.lua >/dev/null 2>&1; echo $?")
    :format(after, nnsh, dir))
  local rc = tonumber(p:read("l"))
  p:close()
  return rc
end

describe("SIGINT", function()
  it("stops plain Lua with status 130", function()
    assert.are.equal(130, interrupted("while true do end", 0.5))
  end)

  it("stops a loop of large matrix products with status 130", function()
    assert.are.equal(130, interrupted(
      "local a, b = nn.rand(2000, 2000), nn.rand(2000, 2000) while true do nn.mm(a, b) end", 0.8))
  end)

  it("stops repeated nn.save with status 130, leaving no temporary", function()
    local target = dir .. "/m.h5"
    assert.are.equal(130, interrupted(
      ("local m = nn.Linear(1000, 1000) while true do nn.save(%q, m) end"):format(target), 1.0))
    local p = io.popen("ls -A " .. dir)
    local names = p:read("a")
    p:close()
    assert.is_nil(names:find("nnsh%-tmp"), names)
  end)

  it("leaves other failures at status 1", function()
    assert.are.equal(1, interrupted("error('plain failure')", 5))
    assert.are.equal(0, interrupted("local x = 1", 5))
  end)
end)
