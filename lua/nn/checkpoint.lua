-- nn.save / nn.load: checkpoints in HDF5 that rebuild without the script
-- that made them.
--
--   nn.save("models/m.h5", model)
--   model = nn.load("models/m.h5")                 -- rebuilt from the file
--   nn.load("models/m.h5", model)                  -- weights into an existing model
--   nn.save("ckpt.h5", {model = m, optimizer = opt, epoch = 12, history = h})
--   local c = nn.load("ckpt.h5")                   -- c.model, c.optimizer, c.epoch, ...
--
-- Layout (version 1):
--   /nnsh_checkpoint            string dataset, marks the file
--   root attributes             nnsh_format = "nnsh-checkpoint", nnsh_version = 1,
--                               nnsh_kind = "model" | "table",
--                               nnsh_specs = JSON {prefix -> module spec},
--                               nnsh_values = JSON of the table's plain values,
--                               nnsh_optim = JSON {key -> {name=, settings=, model=}}
--   <prefix>/params/<name>      one dataset per parameter ("3.weight"), prefix
--                               "model" for a model, "modules/<key>" in a table
--   <prefix>/buffers/<name>     non-trainable state (BatchNorm running stats)
--   tensors/<key>               tensors of a table
--   optim/<key>/<i>/<field>     optimizer state of the i-th parameter
-- A module spec is the constructor description m:spec() returns, e.g.
--   {"type":"Sequential","modules":[{"type":"Linear","args":[96,256]}, ...]}
--
-- The file is written to a temporary beside it (.<name>.nnsh-tmp-<host>-<pid>,
-- nn.atomic_write) and renamed, so an interrupted save never destroys the
-- previous checkpoint; leftovers of killed saves go on the next save.
--
-- Integrity: the file is sealed (src/core/seal.h): a 512-byte HDF5 user
-- block holds the XXH64 checksum of everything after it, checked by nn.load
-- before libhdf5 reads the file, so any damage is the error "checkpoint X
-- is damaged: checksum mismatch" and never a libhdf5 crash.  The HDF5 part
-- uses the latest file format (checksummed metadata) and Fletcher32 on
-- the data, so h5py and other readers detect damage too.  Files without a
-- seal (older nnsh, other programs) are read through the crash guard.
local nn = require "nn"
local h5, json -- loaded on first use (h5.lua itself requires nn)
local function libs()
  h5 = h5 or require "h5"
  json = json or require "json"
end

local FORMAT, VERSION = "nnsh-checkpoint", 1
local SEAL_BYTES = 512

local function is_module(v) return type(v) == "table" and type(v.named_parameters) == "function" end
local function is_tensor(v) return type(v) == "userdata" and type(v.numel) == "function" end
local function is_optimizer(v)
  return type(v) == "table" and type(v.step) == "function" and type(v.state) == "table" and v.name
end

local function shape_str(t)
  local s = t:size()
  return #s == 0 and "scalar" or table.concat(s, "x")
end

-- --- save ---------------------------------------------------------------------

-- Inside the temporary: in-place writes (no per-call copy), data checksummed.
local CHECKED = {checksum = true}
local function write(file, name, v) h5.write_into(file, name, v, is_tensor(v) and CHECKED or nil) end

local function write_module(file, prefix, m)
  for _, e in ipairs(m:named_parameters()) do
    write(file, prefix .. "/params/" .. e.name, e.param:contiguous())
  end
  for _, e in ipairs(m:named_buffers()) do
    write(file, prefix .. "/buffers/" .. e.name, e.tensor:contiguous())
  end
end

-- Optimizer: its hyper-parameters, and its state tensors in the order of
-- the parameters of the model saved beside it.
local function write_optimizer(file, key, opt, model_key, model)
  local settings = {}
  for k, v in pairs(opt) do
    if (type(v) == "number" or type(v) == "boolean") and k ~= "steps" then settings[k] = v end
  end
  local info = {name = opt.name, settings = settings, steps = opt.steps, model = model_key}
  if model then
    local states = {}
    for i, p in ipairs((model:parameters())) do
      local s = opt.state[p]
      if s then
        local fields = {}
        for f, t in pairs(s) do
          if is_tensor(t) then
            write(file, ("optim/%s/%d/%s"):format(key, i, f), t)
            fields[#fields + 1] = f
          end
        end
        table.sort(fields)
        states[#states + 1] = {param = i, t = s.t, fields = fields}
      end
    end
    info.states = states
  end
  return info
end

local function write_all(file, obj)
  h5.create(file, SEAL_BYTES)
  write(file, "nnsh_checkpoint", {("nnsh checkpoint v%d"):format(VERSION)})
  local specs, values, optims, kind = {}, {}, {}, nil
  if is_module(obj) then
    kind = "model"
    specs.model = obj:spec()
    write_module(file, "model", obj)
  else
    kind = "table"
    local model_key, model
    for k, v in pairs(obj) do
      if type(k) ~= "string" then error(("table keys must be strings, got %s"):format(tostring(k)), 0) end
      if is_module(v) then
        if model then model_key = nil else model_key, model = k, v end
        specs["modules/" .. k] = v:spec()
        write_module(file, "modules/" .. k, v)
      elseif is_tensor(v) then
        write(file, "tensors/" .. k, v:contiguous())
      end
    end
    for k, v in pairs(obj) do
      if is_optimizer(v) then
        optims[k] = write_optimizer(file, k, v, model_key, model_key and model)
      elseif not is_module(v) and not is_tensor(v) then
        if type(v) == "function" or type(v) == "userdata" or type(v) == "thread" then
          error(("cannot save field '%s' (a %s)"):format(k, type(v)), 0)
        end
        values[k] = v
      end
    end
  end
  h5.setattr_into(file, "/", "nnsh_format", FORMAT)
  h5.setattr_into(file, "/", "nnsh_version", VERSION)
  h5.setattr_into(file, "/", "nnsh_kind", kind)
  h5.setattr_into(file, "/", "nnsh_specs", json.encode(specs))
  h5.setattr_into(file, "/", "nnsh_values", json.encode(values))
  h5.setattr_into(file, "/", "nnsh_optim", json.encode(optims))
  nn._seal(file)
end

function nn.save(path, obj)
  if type(path) ~= "string" or path == "" then error("nn.save: argument #1: expected a file name", 2) end
  if not is_module(obj) and type(obj) ~= "table" then
    error("nn.save: argument #2: expected a module or a table, got " .. type(obj), 2)
  end
  libs()
  local temp
  local ok, err = pcall(nn.atomic_write, path, function(tmp)
    temp = tmp
    write_all(tmp, obj)
  end, {mkdir = false})
  if not ok then
    err = tostring(err):gsub("^[^:]*:%d+: ", "")
    if temp then err = err:gsub(temp:gsub("%W", "%%%0"), (path:gsub("%%", "%%%%"))) end
    if err == "interrupted!" then error(err, 0) end
    error(("nn.save: %s: %s"):format(path, err), 2)
  end
  return path
end

-- --- load ---------------------------------------------------------------------

local function build(spec, path)
  if type(spec) ~= "table" or type(spec.type) ~= "string" then
    error(("%s: malformed model description"):format(path), 0)
  end
  local cls = nn[spec.type]
  if type(cls) ~= "table" or not getmetatable(cls) or not getmetatable(cls).__call then
    error(("%s: unknown module type '%s' (is the code that defines it loaded?)"):format(path, spec.type), 0)
  end
  if spec.type == "Sequential" then
    local ms = {}
    for i, s in ipairs(spec.modules or {}) do ms[i] = build(s, path) end
    return nn.Sequential(ms)
  end
  return cls(table.unpack(spec.args or {}))
end

-- Fill m's parameters and buffers from <prefix>/...; every tensor of the
-- model must be in the file with its shape, and the file must have no
-- others for this prefix.
local function read_module(path, prefix, m, listing)
  local expected = {}
  local function fill(kind, name, t)
    local ds = prefix .. "/" .. kind .. "/" .. name
    expected[ds] = true
    local d = listing[ds]
    if not d then
      error(("%s: %s '%s' is missing from the file"):format(path, kind == "params" and "parameter" or "buffer", name), 0)
    end
    local fshape = #d.shape == 0 and "scalar" or table.concat(d.shape, "x")
    if fshape ~= shape_str(t) then
      error(("%s: parameter '%s' has shape %s in the file, the model expects %s"):format(
        path, name, fshape, shape_str(t)), 0)
    end
    t:copy(h5.read(path, ds))
  end
  for _, e in ipairs(m:named_parameters()) do fill("params", e.name, e.param) end
  for _, e in ipairs(m:named_buffers()) do fill("buffers", e.name, e.tensor) end
  local extra = {}
  for name in pairs(listing) do
    if name:sub(1, #prefix + 1) == prefix .. "/" and not expected[name] then extra[#extra + 1] = name end
  end
  if #extra > 0 then
    table.sort(extra)
    error(("%s: the file has %s, which the model does not"):format(path, table.concat(extra, ", ")), 0)
  end
  return m
end

local function read_optimizer(path, key, info, modules)
  local optim = require "optim"
  if type(optim[info.name]) ~= "function" then
    error(("%s: unknown optimizer '%s'"):format(path, tostring(info.name)), 0)
  end
  local settings = {}
  for k, v in pairs(info.settings or {}) do if k ~= "lr0" then settings[k] = v end end
  local lr = settings.lr
  settings.lr = info.settings.lr0 or lr
  local opt = optim[info.name](settings)
  opt.lr, opt.steps = lr, info.steps or 0
  local model = info.model and modules[info.model]
  if model and info.states then
    local params = model:parameters()
    for _, st in ipairs(info.states) do
      local s = {t = st.t}
      for _, f in ipairs(st.fields) do s[f] = h5.read(path, ("optim/%s/%d/%s"):format(key, st.param, f)) end
      opt.state[params[st.param]] = s
    end
  end
  return opt
end

local function load_all(path, into)
  local f = io.open(path, "rb")
  if not f then error(("no such file: %s"):format(path), 0) end
  f:close()
  local sok, serr = pcall(nn._seal_check, path)
  if not sok then error((tostring(serr):gsub("^nn%._seal_check: ", "")), 0) end
  -- One open file for the attributes, the listing and every dataset (a
  -- file that cannot be opened gets the messages of h5.attrs below).
  local hok, hold = pcall(h5.hold, path)
  local _ <close> = hok and hold or nil
  local ok, attrs = pcall(h5.attrs, path)
  if not ok then
    error(("%s is not a readable HDF5 file (truncated or another format?): %s"):format(
      path, tostring(attrs):gsub("^[^:]*:%d+: ", "")), 0)
  end
  if attrs.nnsh_format ~= FORMAT then
    error(("%s is not an nnsh checkpoint (no nnsh_format attribute; write one with nn.save)"):format(path), 0)
  end
  if (attrs.nnsh_version or 0) > VERSION then
    error(("%s is checkpoint version %s; this nnsh reads up to %d"):format(path, tostring(attrs.nnsh_version), VERSION), 0)
  end
  local listing = {}
  for _, d in ipairs(h5.list(path)) do listing[d.name] = d end
  local specs = json.decode(attrs.nnsh_specs or "{}")
  if attrs.nnsh_kind == "model" then
    local m = into
    if m == nil then m = build(specs.model, path) end
    return read_module(path, "model", m, listing)
  end
  if into ~= nil then error(("%s holds a table, not a single model"):format(path), 0) end
  local out = json.decode(attrs.nnsh_values or "{}")
  local modules = {}
  for prefix, spec in pairs(specs) do
    local key = prefix:match("^modules/(.*)$")
    modules[key] = read_module(path, prefix, build(spec, path), listing)
    out[key] = modules[key]
  end
  for name in pairs(listing) do
    local key = name:match("^tensors/(.*)$")
    if key then out[key] = h5.read(path, name) end
  end
  for key, info in pairs(json.decode(attrs.nnsh_optim or "{}")) do
    out[key] = read_optimizer(path, key, info, modules)
  end
  return out
end

function nn.load(path, into)
  if type(path) ~= "string" then error("nn.load: argument #1: expected a file name", 2) end
  if into ~= nil and not is_module(into) then
    error("nn.load: argument #2: expected a module to load the weights into", 2)
  end
  libs()
  local ok, r = pcall(load_all, path, into)
  if not ok then error("nn.load: " .. tostring(r):gsub("^[^:]*:%d+: ", ""), 2) end
  if is_module(r) then r:evaluate() end
  return r
end

nn._doc(nn.save, [[nn.save(path, model_or_table) -> path
HDF5 checkpoint: one dataset per parameter (and buffer), the model's structure as an
attribute, so nn.load rebuilds it without the script.  A table may hold modules,
tensors, an optimizer (its state is saved against the model in the same table) and
plain values (numbers, strings, booleans, tables of those).  Written to a temporary
beside path, then renamed: an interrupted save leaves the previous file intact.  The
file carries a checksum (nn.load refuses a damaged one before parsing it).
  nn.save("models/xor.h5", model)
  nn.save("ckpt.h5", {model = model, optimizer = opt, epoch = 12})]])
nn._doc(nn.load, [[nn.load(path [, model]) -> model or table
Rebuild what nn.save wrote (modules come back in evaluation mode), or with a model,
load the file's weights into it.  Errors name the file and the problem: not a
checkpoint, truncated/unreadable, a missing parameter, a shape that differs.
  model = nn.load("models/xor.h5"); print(model)]])

return nn.save
