-- JSON encoding and decoding for results files and JSON-lines progress.
--
--   json.encode(value [, {indent = true}]) -> string
--   json.decode(string) -> value
--
-- Tables with keys 1..n (and no others) are arrays, other tables objects
-- with keys sorted so that output is stable; an empty table is `[]`.
-- Tensors encode as nested arrays (via :totable()).  NaN and infinities have
-- no JSON form and encode as null.  json.null decodes JSON null inside
-- arrays so positions are kept.
local json = {}
json.null = setmetatable({}, {__tostring = function() return "null" end})

local escapes = {['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
                 ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t"}

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    return escapes[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

local function is_array(t)
  local n = #t
  local count = 0
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 or k > n then return false end
    count = count + 1
  end
  return count == n
end

local function encode(v, indent, depth, seen)
  local tv = type(v)
  if v == nil or v == json.null then return "null" end
  if tv == "boolean" then return tostring(v) end
  if tv == "number" then
    if v ~= v or v == math.huge or v == -math.huge then return "null" end
    if math.type(v) == "integer" then return tostring(v) end
    return string.format("%.10g", v)
  end
  if tv == "string" then return encode_string(v) end
  if tv == "userdata" and v.totable then return encode(v:totable(), indent, depth, seen) end
  if tv ~= "table" then error("json.encode: cannot encode a " .. tv, 2) end
  if seen[v] then error("json.encode: table contains a cycle", 2) end
  seen[v] = true
  local nl, pad, pad_in = "", "", ""
  if indent then
    nl = "\n"
    pad = string.rep("  ", depth)
    pad_in = string.rep("  ", depth + 1)
  end
  local parts = {}
  local out
  if is_array(v) then
    for i = 1, #v do parts[i] = pad_in .. encode(v[i], indent, depth + 1, seen) end
    out = #parts == 0 and "[]" or "[" .. nl .. table.concat(parts, "," .. nl) .. nl .. pad .. "]"
  else
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = tostring(k) end
    table.sort(keys)
    for _, k in ipairs(keys) do
      local val = v[k]
      if val == nil then val = v[tonumber(k)] end
      parts[#parts + 1] = pad_in .. encode_string(k) .. (indent and ": " or ":") ..
                          encode(val, indent, depth + 1, seen)
    end
    out = "{" .. nl .. table.concat(parts, "," .. nl) .. nl .. pad .. "}"
  end
  seen[v] = nil
  return out
end

function json.encode(v, opts)
  return encode(v, opts and opts.indent, 0, {})
end

-- Decoder: a small recursive-descent parser over the string.
local function decode_error(s, i, what)
  local line = select(2, s:sub(1, i):gsub("\n", "")) + 1
  error(("json.decode: %s at line %d (position %d)"):format(what, line, i), 0)
end

local parse

local function skip(s, i)
  return s:find("[^ \t\r\n]", i) or #s + 1
end

local function parse_string(s, i)
  local out, j = {}, i + 1
  while true do
    local c = s:sub(j, j)
    if c == "" then decode_error(s, i, "unterminated string") end
    if c == '"' then return table.concat(out), j + 1 end
    if c == "\\" then
      local e = s:sub(j + 1, j + 1)
      local map = {b = "\b", f = "\f", n = "\n", r = "\r", t = "\t", ['"'] = '"', ["\\"] = "\\", ["/"] = "/"}
      if map[e] then
        out[#out + 1] = map[e]
        j = j + 2
      elseif e == "u" then
        local hex = s:sub(j + 2, j + 5)
        if not hex:match("^%x%x%x%x$") then decode_error(s, j, "bad \\u escape") end
        out[#out + 1] = utf8.char(tonumber(hex, 16))
        j = j + 6
      else
        decode_error(s, j, "bad escape")
      end
    else
      out[#out + 1] = c
      j = j + 1
    end
  end
end

parse = function(s, i)
  i = skip(s, i)
  local c = s:sub(i, i)
  if c == "{" then
    local obj = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == "}" then return obj, i + 1 end
    while true do
      if s:sub(i, i) ~= '"' then decode_error(s, i, "expected a string key") end
      local k
      k, i = parse_string(s, i)
      i = skip(s, i)
      if s:sub(i, i) ~= ":" then decode_error(s, i, "expected ':'") end
      local v
      v, i = parse(s, i + 1)
      if v ~= json.null then obj[k] = v end
      i = skip(s, i)
      local d = s:sub(i, i)
      if d == "}" then return obj, i + 1 end
      if d ~= "," then decode_error(s, i, "expected ',' or '}'") end
      i = skip(s, i + 1)
    end
  elseif c == "[" then
    local arr = {}
    i = skip(s, i + 1)
    if s:sub(i, i) == "]" then return arr, i + 1 end
    while true do
      local v
      v, i = parse(s, i)
      arr[#arr + 1] = v
      i = skip(s, i)
      local d = s:sub(i, i)
      if d == "]" then return arr, i + 1 end
      if d ~= "," then decode_error(s, i, "expected ',' or ']'") end
      i = i + 1
    end
  elseif c == '"' then
    return parse_string(s, i)
  elseif s:find("^true", i) then
    return true, i + 4
  elseif s:find("^false", i) then
    return false, i + 5
  elseif s:find("^null", i) then
    return json.null, i + 4
  else
    local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", i)
    if not num or num == "" or not tonumber(num) then decode_error(s, i, "unexpected character '" .. c .. "'") end
    return math.tointeger(tonumber(num)) or tonumber(num), i + #num
  end
end

function json.decode(s)
  if type(s) ~= "string" then error("json.decode: expected a string, got " .. type(s), 2) end
  local v, i = parse(s, 1)
  i = skip(s, i)
  if i <= #s then decode_error(s, i, "trailing characters") end
  return v
end

-- Write a value to a file atomically (temporary file, then rename).
function json.write(path, v)
  local text = json.encode(v, {indent = true}) .. "\n"
  local ok, err = pcall(require("nn").atomic_write, path, text)
  if not ok then error((tostring(err):gsub("^nn%.atomic_write", "json.write")), 2) end
end

return json
