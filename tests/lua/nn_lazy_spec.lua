-- nn's Lua parts (lua/nn/*.lua) load on first use of a name they define,
-- through lua/nn/index.lua, and nnsh's help, optim, plot and image on first
-- use of the global: every name must stay reachable, listed and documented
-- as when everything loaded at start-up.
local build = os.getenv("NNSH_BUILD") or "build"
local nnsh = build .. "/nnsh"
local lua_dir = os.getenv("NNSH_LUA_DIR") or "lua"

local function run(code)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write(code)
  f:close()
  local p = io.popen(("%s %s 2>&1"):format(nnsh, path))
  local out = p:read("a")
  local ok = p:close()
  os.remove(path)
  return out, ok
end

local function read(path)
  local f = assert(io.open(path))
  local s = f:read("a")
  f:close()
  return s
end

-- name -> callable, from the checked-in index
local function index_names()
  local names = {}
  for _, list in pairs(dofile(lua_dir .. "/nn/index.lua")) do
    for name, call in list:gmatch("([%w_]+)(%(?%)?)") do names[name] = call ~= "" end
  end
  return names
end

describe("lazily loaded nn parts", function()
  it("lua/nn/index.lua is what index_build.lua makes of the parts now", function()
    local p = io.popen(("%s %s/nn/index_build.lua"):format(nnsh, lua_dir))
    local built = p:read("a")
    assert.is_truthy(p:close(), built)
    assert.equal(read(lua_dir .. "/nn/index.lua"), built,
                 "regenerate: build/nnsh lua/nn/index_build.lua > lua/nn/index.lua")
  end)

  it("start-up loads no part, no help and no optim, plot or image", function()
    local out, ok = run([[
      local loaded = {}
      for _, p in ipairs(nn._parts) do
        if package.loaded["nn." .. p] then loaded[#loaded + 1] = p end
      end
      for _, m in ipairs{"help", "optim", "plot", "image", "nnsh.doc_examples", "json"} do
        if package.loaded[m] or rawget(_G, m) then loaded[#loaded + 1] = m end
      end
      io.write(table.concat(loaded, " "))]])
    assert.is_truthy(ok, out)
    assert.equal("", out)
  end)

  it("every indexed name is reachable on its own, of the kind the index says", function()
    local names = index_names()
    local n = 0
    for name, callable in pairs(names) do
      n = n + 1
      -- each in a fresh process: loading a part must not need another loaded
      local out, ok = run(([[
        local v = nn[%q]
        local mt = getmetatable(v)
        local c = type(v) == "function" or (type(mt) == "table" and rawget(mt, "__call") ~= nil)
        io.write(v == nil and "nil" or tostring(c))]]):format(name))
      assert.is_truthy(ok, out)
      assert.equal(tostring(callable), out, "nn." .. name)
      if n >= 12 then break end -- (a process each is slow) the rest in one process
    end
    local out, ok = run([[
      local missing = {}
      for _, list in pairs(dofile(]] .. ("%q"):format(lua_dir .. "/nn/index.lua") .. [[)) do
        for name in list:gmatch("[%w_]+") do
          if nn[name] == nil then missing[#missing + 1] = name end
        end
      end
      io.write(table.concat(missing, " "))]])
    assert.is_truthy(ok, out)
    assert.equal("", out)
  end)

  it("pairs(nn) lists every name: the C functions, the index and _parts", function()
    local out, ok = run([[
      local raw = {}
      for k in next, nn do raw[k] = true end
      local keys = {}
      for k in pairs(nn) do keys[#keys + 1] = k end
      table.sort(keys)
      local new = {}
      for _, k in ipairs(keys) do if not raw[k] then new[#new + 1] = k end end
      io.write(table.concat(new, " "))]])
    assert.is_truthy(ok, out)
    local expected = {}
    for name in pairs(index_names()) do expected[#expected + 1] = name end
    table.sort(expected)
    assert.equal(table.concat(expected, " "), out)
  end)

  it("completion's __names lists every indexed name with its kind", function()
    local out, ok = run([[
      local t = {}
      for k, v in pairs(getmetatable(nn).__names) do t[#t + 1] = k .. "=" .. tostring(v) end
      table.sort(t)
      io.write(table.concat(t, " "))]])
    assert.is_truthy(ok, out)
    local expected = {}
    for name, c in pairs(index_names()) do expected[#expected + 1] = name .. "=" .. tostring(c) end
    table.sort(expected)
    assert.equal(table.concat(expected, " "), out)
  end)

  it("m:flat_parameters (defined in flat.lua) works when only a layer was used", function()
    local out, ok = run([[
      local P = nn.Linear(3, 2):flat_parameters()
      io.write(P:numel())]])
    assert.is_truthy(ok, out)
    assert.equal("8", out)
  end)

  it("a part that fails to load raises its error, and loads on a later use", function()
    local out, ok = run([[
      package.preload["nn.conv"] = function() error("conv is broken", 0) end
      local ok, err = pcall(function() return nn.Conv2d end)
      package.preload["nn.conv"] = nil
      io.write(tostring(ok), " ", tostring(err), " ", type(nn.Conv2d))]])
    assert.is_truthy(ok, out)
    assert.equal("false conv is broken table", out)
  end)

  it("?name help of every nn name is the same as with every part loaded first", function()
    local code = [[
      local eager = ...
      if eager == "eager" then for _ in pairs(nn) do end end
      local names = {}
      for _, list in pairs(dofile(]] .. ("%q"):format(lua_dir .. "/nn/index.lua") .. [[)) do
        for name in list:gmatch("[%w_]+") do
          if not name:match("^_") then names[#names + 1] = name end
        end
      end
      table.sort(names) -- pairs' order differs from process to process
      for _, name in ipairs(names) do help("nn." .. name) end]]
    local path = os.tmpname()
    local f = assert(io.open(path, "w"))
    f:write(code)
    f:close()
    local function help_of(mode)
      local p = io.popen(("%s %s %s 2>&1"):format(nnsh, path, mode))
      local out = p:read("a")
      assert.is_truthy(p:close(), out)
      return out
    end
    local lazy, eager = help_of("lazy"), help_of("eager")
    os.remove(path)
    assert.is_nil(lazy:find("no such name"))
    assert.is_truthy(lazy:find("nn.Conv2d(cin, cout, k", 1, true))
    assert.equal(eager, lazy)
  end)

  it("the shell's lazy globals are listed for completion and load on use", function()
    local out, ok = run([[
      local names = getmetatable(_G).__names
      local t = {}
      for k, v in pairs(names) do t[#t + 1] = k .. "=" .. tostring(v) end
      table.sort(t)
      io.write(table.concat(t, " "), "|", type(help), type(optim), type(plot), type(image))]])
    assert.is_truthy(ok, out)
    assert.equal("h5=false help=true image=false optim=false plot=false|functiontabletabletable", out)
  end)
end)
