--- h5: HDF5 files.  Datasets come back as tensors or tables of strings,
-- attributes as Lua values; writing creates files, groups and replaces
-- datasets.  The work is done in C (nn.h5_c, src/core/h5io.h); this module
-- makes errors point at the caller's line, prints listings readably and adds
-- h5.load and h5.exists.
--
--   h5.list(path)                      datasets: {name=, shape=, type=}, sorted
--   h5.read(path, name [, {as=}])      tensor, or table of strings
--   h5.write(path, name, value [, {compress=}])
--   h5.attrs(path [, objname])         table of attributes
--   h5.setattr(path, objname, key, value)
--   h5.load(path [, {as=}])            every dataset: {name = value, ...}
--   h5.exists(path, name)              is there a dataset `name`?
--   h5.write_into / h5.setattr_into    in place, for a file being written
--                                      inside nn.atomic_write (nn.save)
--   h5.create(path [, userblock])      empty file, latest format
--   h5.hold(path) -> handle            reads reuse one open file until released
--
-- h5.write and h5.setattr change a copy that replaces the file once
-- complete.  Files nnsh did not write are first read by a forked child
-- (the crash guard, src/core/h5io_guard.c), so a file that crashes libhdf5
-- is an error naming it.
--
-- Index convention: int32/int64 datasets are read as index tensors; their
-- values are 1-based in the file and in Lua (C stores value-1).  uint8 and
-- other 8/16-bit integers (pixels, one-hot labels) are read as float; pass
-- {as="index"} or {as="float"} to choose.
local nn = require "nn"

local c = nn.h5_c
local h5 = {}

-- Call f with the arguments; on error, re-raise at the caller's line.
local function lift(f)
  local function w(...)
    local r = table.pack(pcall(f, ...))
    if not r[1] then error(r[2], 2) end
    return table.unpack(r, 2, r.n)
  end
  if nn.doc(f) then nn.setdoc(w, nn.doc(f)) end
  return w
end

h5.read = lift(c.read)
h5.attrs = lift(c.attrs)
h5.open_ids = c.open_ids
h5.hold = lift(c.hold)

-- A change to a file is made to a copy that is renamed over it once
-- complete (nn.atomic_write), so a full disk, an error or Ctrl-C never
-- leaves a stub or a half-changed file.  Messages name the file the user
-- gave, not the temporary.
local function atomic(f, fname, mkdir)
  local function w(path, ...)
    if type(path) ~= "string" or path == "" then return f(path, ...) end
    local args = table.pack(...)
    return nn.atomic_write(path, function(tmp)
      -- Called through pcall, so that the C errors carry no position here.
      local ok, err = pcall(c.copy, path, tmp)
      if ok then ok, err = pcall(f, tmp, table.unpack(args, 1, args.n)) end
      if not ok then
        local msg = tostring(err):gsub(tmp:gsub("%W", "%%%0"), (path:gsub("%%", "%%%%")))
        error((msg:gsub("^h5%.copy:", fname .. ":")), 0)
      end
    end, {mkdir = mkdir})
  end
  return w
end

h5.write = lift(atomic(c.write, "h5.write", true)) -- creates missing directories
h5.setattr = lift(atomic(c.setattr, "h5.setattr", false)) -- the file must exist
nn.setdoc(h5.write, nn.doc(c.write))
nn.setdoc(h5.setattr, nn.doc(c.setattr))
-- In-place versions, for code that already writes into its own temporary
-- (nn.save): each call would otherwise copy the file again.
h5.write_into = lift(c.write)
h5.setattr_into = lift(c.setattr)
nn.setdoc(h5.write_into, [[
h5.write_into(path, name, value [, opts])
h5.write without the atomic copy: for a file that is itself a temporary
being written inside nn.atomic_write (nn.save writes its checkpoint so).
Example:
  nn.atomic_write("out/two.h5", function(tmp)
    h5.write_into(tmp, "a", nn.ones(2))
    h5.write_into(tmp, "b", nn.zeros(3))
  end)]])
nn.setdoc(h5.setattr_into, [[
h5.setattr_into(path, objname, key, value)
h5.setattr without the atomic copy, for a temporary inside nn.atomic_write.
Example:
  nn.atomic_write("out/tagged.h5", function(tmp)
    h5.write_into(tmp, "x", nn.ones(2))
    h5.setattr_into(tmp, "x", "note", "made in one piece")
  end)]])
h5.create = lift(c.create)

-- --- listings that print readably --------------------------------------

local function shape_string(shape)
  if #shape == 0 then return "scalar" end
  local parts = {}
  for i, n in ipairs(shape) do parts[i] = tostring(n) end
  return table.concat(parts, "x")
end

local Dataset = {__name = "h5.dataset"}
Dataset.__tostring = function(d)
  return ("%s  %s  %s"):format(d.name, d.type, shape_string(d.shape))
end

local List = {__name = "h5.list"}
List.__tostring = function(l)
  local wn, wt = 4, 4
  for _, d in ipairs(l) do
    wn, wt = math.max(wn, #d.name), math.max(wt, #d.type)
  end
  local lines = {("%d dataset%s"):format(#l, #l == 1 and "" or "s")}
  for _, d in ipairs(l) do
    lines[#lines + 1] = ("  %-" .. wn .. "s  %-" .. wt .. "s  %s"):format(
      d.name, d.type, shape_string(d.shape))
  end
  return table.concat(lines, "\n")
end

function h5.list(path)
  local ok, l = pcall(c.list, path)
  if not ok then error(l, 2) end
  for _, d in ipairs(l) do setmetatable(d, Dataset) end
  return setmetatable(l, List)
end
nn.setdoc(h5.list, nn.doc(c.list))

-- --- helpers ------------------------------------------------------------------

-- Types h5.read reads (the others are listed but skipped by h5.load).
local readable = {string = true}
for _, b in ipairs {8, 16, 32, 64} do
  readable["int" .. b], readable["uint" .. b] = true, true
end
readable.float16, readable.float32, readable.float64 = true, true, true

function h5.load(path, opts)
  local ok, l = pcall(c.list, path)
  if not ok then error((l:gsub("^h5%.list:", "h5.load:")), 2) end
  local out = {}
  for _, d in ipairs(l) do
    if readable[d.type] then
      local o = d.type ~= "string" and opts or nil
      local okr, v = pcall(c.read, path, d.name, o)
      if not okr then error((v:gsub("^h5%.read:", "h5.load:")), 2) end
      out[d.name] = v
    end
  end
  return out
end
nn.setdoc(h5.load, [[
h5.load(path [, {as="index"|"float"}]) -> {name = tensor or strings, ...}
Read every dataset of a file into a table keyed by dataset name (paths
like "model/layer1/weight" for nested ones), with h5.read's type rules;
the options apply to the numeric datasets.  Datasets of types h5.read
cannot read (compound, enum, ...) are skipped; h5.list shows them.
Example: local d = h5.load("data/data2.h5")
         print(d.trainx:size(1), #d.words)   --> 372550  250]])

function h5.exists(path, name)
  if type(name) ~= "string" then
    error("h5.exists: argument #2: expected a dataset name (a string), got " .. type(name), 2)
  end
  local ok, l = pcall(c.list, path)
  if not ok then error((l:gsub("^h5%.list:", "h5.exists:")), 2) end
  name = name:gsub("^/+", "")
  for _, d in ipairs(l) do
    if d.name == name then return true end
  end
  return false
end
nn.setdoc(h5.exists, [[
h5.exists(path, name) -> boolean
Whether the file has a dataset of that name (a missing or unreadable file
is an error, not false).
Example: if h5.exists("out/ckpt.h5", "optim/step") then ... end]])

nn.setdoc(h5, [[
h5: HDF5 files.  h5.list, h5.read, h5.write, h5.attrs, h5.setattr, h5.load,
h5.exists; help(h5.read) for each.  int32/int64 datasets read as index
tensors (1-based values, as in the file), 8/16-bit integers and floats as
float tensors, strings as tables of strings.
Example: h5.list("data/data2.h5")]])

-- The shell's help examples for h5 (nnsh.doc_examples leaves h5 alone
-- until it is loaded, since loading it loads HDF5).
local attach_examples = package.loaded["nnsh.doc_examples.attach"]
if attach_examples then attach_examples("h5", h5) end

return h5
