-- Readable printing of Lua values for the nnsh REPL (in the spirit of
-- kikito's inspect.lua): nested tables with sorted keys, short ones on one
-- line, limited in depth and length so that printing a big table never
-- floods the terminal.  Values with a __tostring metamethod (tensors, ...)
-- print through it.
--
--   pretty.format(v [, opts]) -> string     opts: depth, items, width
--   pretty.show(...) -> string               the REPL's line for its results
local M = {}

M.depth = 4    -- nesting levels shown; deeper tables print as {...}
M.items = 40   -- entries shown per table; the rest are counted
M.width = 78   -- a table that fits on this many columns stays on one line
M.strlen = 200 -- characters shown of a string inside a table

local keywords = {}
for w in ([[and break do else elseif end false for function goto if in
  local nil not or repeat return then true until while]]):gmatch("%a+") do
  keywords[w] = true
end

local escapes = {['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\r"] = "\\r",
                 ["\t"] = "\\t", ["\0"] = "\\0"}

local function quote(s, limit)
  local extra = ""
  if limit and #s > limit then
    extra = ("...(%d chars)"):format(#s)
    s = s:sub(1, limit)
  end
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or ("\\%03d"):format(c:byte())
  end) .. '"' .. extra
end

local function has_tostring(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and rawget(mt, "__tostring") ~= nil
end

-- Numbers first (ascending), then strings (alphabetical), then the rest by
-- type name and tostring, so the order is stable from run to run.
local type_rank = {number = 1, string = 2}
local function key_less(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then
    local ra, rb = type_rank[ta] or 3, type_rank[tb] or 3
    if ra ~= rb then return ra < rb end
    return ta < tb
  end
  if ta == "number" or ta == "string" then return a < b end
  return tostring(a) < tostring(b)
end

local function format_key(k)
  if type(k) == "string" and k:match("^[%a_][%w_]*$") and not keywords[k] then
    return k
  end
  if type(k) == "string" then return "[" .. quote(k, M.strlen) .. "]" end
  return "[" .. tostring(k) .. "]"
end

local format_value

local function is_tensor(v)
  local mt = getmetatable(v)
  return type(v) == "userdata" and type(mt) == "table" and rawget(mt, "__name") == "nn.Tensor"
end

local function short_number(x)
  if math.type(x) == "integer" then return tostring(x) end
  return (string.format("%.4g", x))
end

-- A tensor inside a table: one line with its type, shape and values (up to
-- 6 elements) or its range, instead of the full printout of every slice.
local function tensor_line(t)
  local dims = {}
  for i = 1, t:dim() do dims[i] = tostring(t:size(i)) end
  local shape = #dims > 0 and table.concat(dims, "x") or "empty"
  local n = t:numel()
  local what
  if n == 0 then
    what = ""
  elseif n <= 6 then
    local vals, flat = {}, t:contiguous():view(n):totable()
    for i = 1, n do vals[i] = short_number(flat[i]) end
    what = "  {" .. table.concat(vals, ", ") .. "}"
  else
    what = ("  range [%s, %s]"):format(short_number(t:min()), short_number(t:max()))
  end
  return ("<%s %s%s>"):format(t:type(), shape, what)
end
M.tensor_line = tensor_line

local function format_table(t, opts, indent, seen)
  if seen[t] then return "<cycle " .. tostring(t) .. ">" end
  local n = 0 -- the array part 1..n is printed without keys
  while rawget(t, n + 1) ~= nil do n = n + 1 end
  local keys, nkeys = {}, 0
  for k in next, t do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then
      nkeys = nkeys + 1
      keys[nkeys] = k
    end
  end
  if n + nkeys == 0 then return "{}" end
  if indent // 2 >= opts.depth then return "{...}" end
  if nkeys <= 10000 then table.sort(keys, key_less) end

  seen[t] = true
  local parts, shown = {}, 0
  for i = 1, n do
    if shown == opts.items then break end
    shown = shown + 1
    parts[shown] = format_value(t[i], opts, indent + 2, seen)
  end
  for i = 1, nkeys do
    if shown == opts.items then break end
    local k = keys[i]
    shown = shown + 1
    parts[shown] = format_key(k) .. " = " .. format_value(rawget(t, k), opts, indent + 2, seen)
  end
  seen[t] = nil
  if n + nkeys > shown then
    parts[shown + 1] = ("...(%d more)"):format(n + nkeys - shown)
  end

  local line = "{" .. table.concat(parts, ", ") .. "}"
  local has_tensor = false
  for _, v in next, t do has_tensor = has_tensor or is_tensor(v) end
  if #line + indent <= opts.width and not line:find("\n", 1, true) and not has_tensor then
    return line
  end
  local pad = (" "):rep(indent + 2)
  return "{\n" .. pad .. table.concat(parts, ",\n" .. pad) .. "\n" .. (" "):rep(indent) .. "}"
end

function format_value(v, opts, indent, seen)
  local tv = type(v)
  if tv == "string" then return quote(v, M.strlen) end
  if tv == "table" and not has_tostring(v) then
    return format_table(v, opts, indent, seen)
  end
  if indent > 0 and is_tensor(v) then
    local ok, line = pcall(tensor_line, v)
    if ok then return line end
  end
  return tostring(v)
end

function M.format(v, opts)
  opts = opts or {}
  local o = {depth = opts.depth or M.depth, items = opts.items or M.items,
             width = opts.width or M.width}
  return format_value(v, o, 0, {})
end

local echo = require "nnsh.echo"

-- The REPL prints all results of a line on one line, tab-separated; strings
-- at the top level print as they are (as Lua's own REPL does).  Results a
-- function has already printed (nnsh.echo) give nil: nothing to print.
function M.show(...)
  if echo.already(...) then return nil end
  local out = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    out[i] = type(v) == "string" and v or M.format(v)
  end
  return table.concat(out, "\t")
end

return M
