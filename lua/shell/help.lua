-- help(): documentation at the prompt.
--
--   help()            overview: what is loaded, how to get docs
--   help(f)           the docstring of a function (or table, or class)
--   help(tbl)         a table's own doc, then its functions, one line each
--   help("nn.mm")     the same, by dotted name ("t:numel" for a method)
--   ?nn.mm            in nnsh, the same as help("nn.mm")
--
-- Docstrings are attached with nn.setdoc(f, text) (C functions get theirs
-- at registration) and read with nn.doc(f).  The first line is the call
-- signature; listings show that line.
local has_nn, nn = pcall(require, "nn")
if not has_nn then nn = nil end
-- examples for docstrings that have none (many are written in C)
if nn then pcall(require, "nnsh.doc_examples") end

local out = io.write

local function doc_of(v)
  if nn and nn.doc then
    local ok, d = pcall(nn.doc, v)
    if ok then return d end
  end
  return nil
end

-- The table of methods an object offers: getmetatable(v).__methods when it
-- is a table, else __index when it is a table (see also tab completion).
local function methods_of(v)
  local mt = getmetatable(v)
  if type(mt) ~= "table" then return nil end
  if type(rawget(mt, "__methods")) == "table" then return rawget(mt, "__methods") end
  if type(rawget(mt, "__index")) == "table" then return rawget(mt, "__index") end
  return nil
end

-- "nn.mm", "t:numel" -> value (nil, message when it does not resolve).
local function resolve(name)
  if not name:match("^[%a_][%w_]*[%w_.:]*$") then
    return nil, ("help: '%s' is not a name (try help(value) instead)"):format(name)
  end
  local cur, path = _G, ""
  for sep, part in ("." .. name):gmatch("([.:])([^.:]*)") do
    local ok, v
    if cur == _G and rawget(_G, part) == nil then
      -- a module that is not a global, or a global nnsh loads on first use (h5)
      ok, v = true, package.loaded[part] or _G[part]
    elseif sep == ":" then
      local m = methods_of(cur)
      ok, v = true, m and m[part]
    elseif type(cur) == "table" or type(cur) == "userdata" then
      ok, v = pcall(function() return cur[part] end)
    end
    path = path == "" and part or path .. sep .. part
    if not ok or v == nil then return nil, ("help: no such name: %s"):format(path) end
    cur = v
  end
  return cur
end

-- Lua's standard library has no docstrings: point at the manual instead.
local stdlib = {"string", "table", "math", "io", "os", "coroutine", "utf8", "debug"}
local function stdlib_name(f)
  for _, lib in ipairs(stdlib) do
    local t = _G[lib]
    if type(t) == "table" then
      for k, v in pairs(t) do
        if v == f then return lib .. "." .. k end
      end
    end
  end
  for k, v in pairs(_G) do
    if v == f and type(k) == "string" then return k end
  end
  return nil
end

local function first_line(s) return (s:match("^[^\n]*")) end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do
    -- metamethods and private fields are not part of the API
    if type(k) == "string" and not k:match("^_") then keys[#keys + 1] = k end
  end
  table.sort(keys)
  return keys
end

-- One listing line per function (documented ones with their signature),
-- then the sub-tables, then the other fields by name.
local function list_members(t, prefix)
  local documented, plain, tables = {}, {}, {}
  for _, k in ipairs(sorted_keys(t)) do
    local v = t[k]
    local d = doc_of(v)
    if d then
      local line = first_line(d)
      if not line:find(k, 1, true) then line = prefix .. k .. "  -- " .. line end
      documented[#documented + 1] = "  " .. line
    elseif type(v) == "function" then
      plain[#plain + 1] = prefix .. k
    elseif type(v) == "table" then
      tables[#tables + 1] = prefix .. k
    end
  end
  if #documented > 0 then out(table.concat(documented, "\n"), "\n") end
  if #plain > 0 then out("Undocumented: ", table.concat(plain, ", "), "\n") end
  if #tables > 0 then out("Tables: ", table.concat(tables, ", "), "\n") end
  if #documented + #plain + #tables == 0 then out("(no functions)\n") end
end

local function describe_function(f, name)
  local lib = stdlib_name(f)
  local info = debug.getinfo(f, "S")
  if info.what == "C" and lib then
    out(("%s: Lua standard function, see the Lua 5.4 manual:\n" ..
         "  https://www.lua.org/manual/5.4/manual.html#pdf-%s\n"):format(lib, lib))
  elseif info.what == "C" then
    out(("%s: C function, no documentation\n"):format(name or "this"))
  else
    out(("%s: Lua function defined at %s:%d, no documentation\n")
        :format(name or "this", info.short_src, info.linedefined))
  end
end

local function overview()
  out("nnsh: Lua 5.4 with float32 tensors and neural networks.\n",
      "  ?name, help(name)  docs of a function or module, e.g. ?nn.mm  ?nn\n",
      "  help(t)            a tensor's methods\n",
      "  TAB                complete names, fields and methods (t:<TAB>)\n",
      "  Ctrl-C             stop the running command;  Ctrl-D  quit\n",
      "  trace()            full traceback of the last error\n")
  local mods = {}
  -- in nnsh, h5, optim, plot and image become globals on first use
  local gmt = getmetatable(_G)
  local lazy = type(gmt) == "table" and type(rawget(gmt, "__names")) == "table" and gmt.__names or {}
  for _, m in ipairs({"nn", "h5", "optim", "plot", "image"}) do
    if type(rawget(_G, m)) == "table" or lazy[m] ~= nil then
      mods[#mods + 1] = m
    end
  end
  if #mods > 0 then out("Modules: ", table.concat(mods, ", "), "\n") end
  local shell = {}
  for _, f in ipairs({"threads", "mem", "trace", "timing", "help"}) do
    if rawget(_G, f) then shell[#shell + 1] = f .. "()" end
  end
  out("Shell: ", table.concat(shell, ", "), "\n")
end

local function help(...)
  if select("#", ...) == 0 then return overview() end
  local x, name = ...
  if type(x) == "string" then
    local v, err = resolve(x)
    if v == nil then
      out(err, "\n")
      return
    end
    x, name = v, x
  end
  if x == nil then
    out("help: got nil (is the name spelled right? try help(\"name\"))\n")
    return
  end
  local d = doc_of(x)
  if d then out(d, d:sub(-1) == "\n" and "" or "\n") end
  local tx = type(x)
  if tx == "table" and not d then
    list_members(x, name and name .. "." or "")
  elseif tx == "table" then
    out("\n")
    list_members(x, name and name .. "." or "")
  elseif tx == "userdata" and not d then
    local m, mt = methods_of(x), getmetatable(x)
    local kind = type(mt) == "table" and rawget(mt, "__name") or "userdata"
    out(name and ("%s: %s\n"):format(name, kind) or kind .. "\n")
    if m then
      out("Methods:\n")
      list_members(m, (name or "x") .. ":")
    end
  elseif tx == "function" and not d then
    describe_function(x, name)
  elseif not d then
    out(("%s: %s %s\n"):format(name or "this", tx, tostring(x)))
  end
end

if nn and nn.setdoc then
  nn.setdoc(help, [[
help([x]) -- documentation
help()          overview of nnsh
help(f)         what f does, its arguments, an example
help(tbl)       the documented functions of a table, e.g. help(nn)
help("nn.mm")   by name; at the nnsh prompt also ?nn.mm
Example:
  help("nn.mm")]])
end

return help
