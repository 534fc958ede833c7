-- Command-line options for nnsh scripts.
--
--   local cli = require "cli"
--   local opt, rest = cli.parse(arg, {
--     usage = "nnsh scripts/q2_train.lua [options] [trigram ...]",
--     {"epochs", 50, "maximum number of epochs"},
--     {"lr", 0.15, "learning rate"},
--     {"configs", "32x256,16x128,8x64", "comma-separated DxP list"},
--     {"standardize", false, "standardize the inputs"},   -- a flag
--     {"json", nil, "write results to FILE", type = "string"},
--   })
--
-- Each option is {name, default, help [, type=]}; the type comes from the
-- default (number, string, boolean) unless given.  `--name value` and
-- `--name=value` both work; booleans are flags (`--name`, `--no-name`).
-- Positional arguments are returned in `rest`.  Unknown options, missing
-- values and values of the wrong type raise an error that names the option
-- and shows the usage; `--help` prints the usage and exits.
local cli = {}

local function usage_text(spec)
  local lines = {"usage: " .. (spec.usage or "nnsh script.lua [options]"), "options:"}
  for _, o in ipairs(spec) do
    local name, default, help = o[1], o[2], o[3] or ""
    local kind = o.type or type(default)
    local left = kind == "boolean" and ("--" .. name) or ("--" .. name .. " " .. kind:upper())
    local def = default ~= nil and default ~= false and ("  (default " .. tostring(default) .. ")") or ""
    lines[#lines + 1] = string.format("  %-24s %s%s", left, help, def)
  end
  return table.concat(lines, "\n")
end
cli.usage = usage_text

local function convert(o, raw)
  local kind = o.type or type(o[2])
  if kind == "number" then
    local v = tonumber(raw)
    if not v then error(("option --%s expects a number, got '%s'"):format(o[1], raw), 0) end
    return v
  elseif kind == "boolean" then
    if raw == "true" or raw == "1" or raw == "yes" then return true end
    if raw == "false" or raw == "0" or raw == "no" then return false end
    error(("option --%s expects true or false, got '%s'"):format(o[1], raw), 0)
  end
  return raw
end

-- Parse argv (a Lua `arg` table or a plain list).  Returns opt, positional.
function cli.parse(argv, spec)
  local byname, opt, rest = {}, {}, {}
  for _, o in ipairs(spec) do
    byname[o[1]] = o
    opt[o[1]] = o[2]
  end
  local i, n = 1, #argv
  local function fail(msg)
    error(msg .. "\n" .. usage_text(spec), 0)
  end
  while i <= n do
    local a = argv[i]
    if a == "--help" or a == "-h" then
      print(usage_text(spec))
      os.exit(0)
    elseif a == "--" then
      for j = i + 1, n do rest[#rest + 1] = argv[j] end
      break
    elseif a:sub(1, 2) == "--" then
      local name, value = a:match("^%-%-([^=]+)=(.*)$")
      name = name or a:sub(3)
      local negated = false
      if not byname[name] and name:sub(1, 3) == "no-" and byname[name:sub(4)] then
        name, negated = name:sub(4), true
      end
      local o = byname[name]
      if not o then fail(("unknown option --%s"):format(name)) end
      local kind = o.type or type(o[2])
      if kind == "boolean" and value == nil then
        opt[name] = not negated
      else
        if value == nil then
          i = i + 1
          value = argv[i]
          if value == nil then fail(("option --%s needs a value"):format(name)) end
        end
        local ok, v = pcall(convert, o, value)
        if not ok then fail(v) end
        opt[name] = v
      end
    else
      rest[#rest + 1] = a
    end
    i = i + 1
  end
  return opt, rest
end

-- "32x256,16x128" -> {{32,256},{16,128}}; "64,32" -> {64,32}
function cli.list(s, sep)
  local out = {}
  for item in tostring(s):gmatch("[^,]+") do
    if sep then
      local parts = {}
      for p in item:gmatch("[^" .. sep .. "]+") do
        local v = tonumber(p)
        if not v then error(("'%s' is not a list of numbers separated by '%s'"):format(item, sep), 0) end
        parts[#parts + 1] = v
      end
      out[#out + 1] = parts
    else
      out[#out + 1] = tonumber(item) or item
    end
  end
  return out
end

return cli
