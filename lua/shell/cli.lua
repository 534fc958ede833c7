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
-- Each option is {name, default, help [, type=] [, choices=]}; the type
-- comes from the default (number, string, boolean) unless given; choices
-- lists the allowed values.  `--name value` and `--name=value` both work;
-- booleans are flags (`--name`, `--no-name`).  Positional arguments are
-- returned in `rest`.  `--help` prints the usage (generated from the option
-- table, so it lists every option and both forms of a flag) and exits.
--
-- Usage errors (unknown option, missing value, wrong type, a value not
-- among the choices, cli.fail from the script) are raised as an error
-- object that prints as two lines, the message and a usage hint, with no
-- stack traceback (nnsh prints tracebacks only for errors in user code).
local edit_distance = require "edit_distance"

local cli = {}

-- The error object of a usage error: prints as its message, no traceback.
local UsageError = {__name = "cli.UsageError"}
UsageError.__tostring = function(e) return e.msg end
cli.UsageError = UsageError

local function script_name(spec)
  local u = spec.usage or ""
  return u:match("([%w_%-%.]+%.lua)") or "script"
end

local function usage_error(spec, msg)
  local name = script_name(spec)
  error(setmetatable({msg = ("%s: %s\nusage: %s  (--help lists the options)")
    :format(name, msg, spec.usage or "nnsh script.lua [options]")}, UsageError), 0)
end

--- cli.fail(spec, fmt, ...): raise a usage error for a bad option value the
-- script itself found (one line and the usage hint, exit status 1).
function cli.fail(spec, fmt, ...)
  usage_error(spec, select("#", ...) > 0 and fmt:format(...) or fmt)
end

local function usage_text(spec)
  local lines = {"usage: " .. (spec.usage or "nnsh script.lua [options]"), "options:"}
  for _, o in ipairs(spec) do
    local name, default, help = o[1], o[2], o[3] or ""
    local kind = o.type or type(default)
    local left
    if kind == "boolean" then
      -- a flag that is on by default is turned off with --no-name: show both
      left = default == true and ("--[no-]" .. name) or ("--" .. name)
    else
      left = "--" .. name .. " " .. kind:upper()
    end
    local def = ""
    if default == true then def = "  (default on)"
    elseif default ~= nil and default ~= false then def = "  (default " .. tostring(default) .. ")" end
    if o.choices then help = help .. " [" .. table.concat(o.choices, "|") .. "]" end
    lines[#lines + 1] = string.format("  %-24s %s%s", left, help, def)
  end
  lines[#lines + 1] = string.format("  %-24s %s", "--help", "show this help")
  return table.concat(lines, "\n")
end
cli.usage = usage_text

-- The option closest to a mistyped one (prefix, or edit distance <= 2).
local function suggest(spec, name)
  local best, bestd
  for _, o in ipairs(spec) do
    local cand = o[1]
    local d = (cand:sub(1, #name) == name or name:sub(1, #cand) == cand) and 0.5
              or edit_distance(name, cand)
    if d <= 2 and (not bestd or d < bestd) then best, bestd = cand, d end
  end
  return best
end

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
  local function fail(msg) usage_error(spec, msg) end
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
      if not o then
        local near = suggest(spec, name)
        fail(("unknown option --%s%s"):format(name, near and (" (did you mean --%s?)"):format(near) or ""))
      end
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
        if o.choices then
          local found = false
          for _, c in ipairs(o.choices) do found = found or c == v end
          if not found then
            fail(("option --%s must be one of %s, got '%s'"):format(name,
              table.concat(o.choices, ", "), tostring(v)))
          end
        end
        opt[name] = v
      end
    else
      rest[#rest + 1] = a
    end
    i = i + 1
  end
  return opt, rest
end

--- cli.finish(hist [, what]): after a training that Ctrl-C stopped
-- (hist.interrupted), say so and exit with status 130, the convention for
-- SIGINT; call it once the script has saved what it was asked to.
function cli.finish(hist, what)
  if hist and hist.interrupted then
    io.stdout:flush()
    io.stderr:write(("interrupted: %s stopped by Ctrl-C; what was trained so far is saved%s\n")
      :format(what or "training", hist.best_epoch and (" (best epoch %d)"):format(hist.best_epoch) or ""))
    os.exit(130)
  end
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
