-- HDF5 fuzzing: mutated copies of the project's own files (the course data,
-- an h5py fixture, files and checkpoints nnsh writes) are read through every
-- h5 entry point and nn.load.  Each call must return or raise a Lua error;
-- the process must not crash or hang (libhdf5's own crashes and hangs are
-- caught by the guard, src/core/h5io_guard.c, and counted).
--
--   nnsh tests/fuzz/h5_fuzz.lua [files=300] [seed=1] [workdir]
-- Deterministic: the same seed makes the same files.  NNSH_FUZZ_TRACE=1
-- names each file on stderr before reading it and keeps a copy of the
-- current one as <workdir>.last.  Prints one summary
-- line "files N calls N errors N guard_crashes N guard_hangs N damaged N".
-- tests/lua/fuzz_spec.lua runs it (longer with NNSH_FUZZ_LONG=1).
local nn = require "nn"
local h5 = require "h5"

local nfiles = tonumber(arg and arg[1]) or 300
local seed = tonumber(arg and arg[2]) or 1
local work = arg and arg[3]
if not work then
  work = os.tmpname()
  os.remove(work)
end
assert(os.execute("mkdir -p '" .. work .. "'"))

local function slurp(p)
  local f = io.open(p, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end
local function spit(p, s)
  local f = assert(io.open(p, "wb"))
  f:write(s)
  f:close()
end

-- Our own generator (PCG-like LCG on 64-bit integers): same seed, same files.
local state = seed * 6364136223846793005 + 1442695040888963407
local function rand(n) -- 1..n
  state = state * 6364136223846793005 + 1442695040888963407
  return ((state >> 33) % n) + 1
end

-- --- base files ---------------------------------------------------------------
local root = os.getenv("NNSH_SOURCE_DIR") or "."
local bases = {}
local function add_base(name, bytes, weight)
  if bytes and #bytes > 0 then bases[#bases + 1] = {name = name, bytes = bytes, weight = weight} end
end
add_base("h5py_types", slurp(root .. "/tests/fixtures/h5py_types.h5"), 6)
do -- files nnsh writes: a sealed checkpoint, an unsealed one, plain data
  nn.seed(3)
  local m = nn.Sequential {nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3)}
  local opt = require("optim").adam {lr = 0.01}
  nn.save(work .. "/base_ckpt.h5", {model = m, optimizer = opt, epoch = 2, history = {1, 2}})
  local sealed = slurp(work .. "/base_ckpt.h5")
  add_base("checkpoint", sealed, 6)
  add_base("checkpoint_unsealed", ("\0"):rep(512) .. sealed:sub(513), 6)
  h5.write(work .. "/base_plain.h5", "x", nn.rand(7, 5))
  h5.write(work .. "/base_plain.h5", "idx", nn.index {1, 2, 3})
  h5.write(work .. "/base_plain.h5", "words", {"a", "bb", "ccc"})
  h5.write(work .. "/base_plain.h5", "z/deep", nn.rand(20, 20), {compress = 4, checksum = true})
  h5.setattr(work .. "/base_plain.h5", nil, "note", "fuzz base")
  add_base("nnsh_plain", slurp(work .. "/base_plain.h5"), 6)
end
-- The course data (h5py format): large, so only in long runs.
if os.getenv("NNSH_FUZZ_LONG") == "1" then
  for _, d in ipairs {"data2", "data4"} do add_base(d, slurp(root .. "/data/" .. d .. ".h5"), 1) end
end

-- --- mutations -------------------------------------------------------------------
local HOSTILE = {0, 1, 0x7f, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff,
                 1 << 32, 1 << 40, 1 << 62, math.maxinteger, -1}

local function flip_bits(s, k, limit)
  for _ = 1, k do
    local i = rand(math.min(#s, limit))
    s = s:sub(1, i - 1) .. string.char(s:byte(i) ~ (1 << (rand(8) - 1))) .. s:sub(i + 1)
  end
  return s
end

local function set_word(s, pos, width, v)
  if pos + width - 1 > #s then return s end
  local packed = string.pack("<i8", v):sub(1, width)
  return s:sub(1, pos - 1) .. packed .. s:sub(pos + width)
end

local function mutate(s)
  local kind = rand(6)
  local meta = math.min(#s, 8192) -- headers live near the start of small files
  if kind == 1 then
    return "bitflip", flip_bits(s, rand(8), meta)
  elseif kind == 2 then
    return "bitflip_any", flip_bits(s, rand(4), #s)
  elseif kind == 3 then
    return "truncate", s:sub(1, rand(#s) - 1)
  elseif kind == 4 then -- a hostile value in an aligned header word
    local width = ({1, 2, 4, 8})[rand(4)]
    local pos = (rand(meta // width) - 1) * width + 1
    return "hostile_field", set_word(s, pos, width, HOSTILE[rand(#HOSTILE)])
  elseif kind == 5 then -- several hostile words
    for _ = 1, rand(4) do
      local width = ({2, 4, 8})[rand(3)]
      s = set_word(s, (rand(meta // width) - 1) * width + 1, width, HOSTILE[rand(#HOSTILE)])
    end
    return "hostile_fields", s
  else -- a block zeroed or duplicated
    local at, len = rand(meta), rand(256)
    if rand(2) == 1 then
      return "zero_block", s:sub(1, at - 1) .. ("\0"):rep(math.min(len, #s - at + 1)) .. s:sub(at + len)
    end
    return "dup_block", s:sub(1, at - 1) .. s:sub(at, at + len - 1) .. s:sub(at)
  end
end

-- --- reading ------------------------------------------------------------------------
-- Per call: calls, errors; per file: guard_crashes (files on which libhdf5
-- crashed in the guard's child), guard_hangs, damaged (sealed checkpoints
-- refused by their checksum).
local counts = {files = 0, calls = 0, errors = 0, guard_crashes = 0, guard_hangs = 0, damaged = 0}
local seen = {}
local function call(f, ...)
  counts.calls = counts.calls + 1
  local ok, err = pcall(f, ...)
  if not ok then
    assert(type(err) == "string", "a non-string error: " .. tostring(err))
    counts.errors = counts.errors + 1
    if err:find("libhdf5 crashed", 1, true) then seen.guard_crashes = true end
    if err:find("libhdf5 did not finish", 1, true) then seen.guard_hangs = true end
    if err:find("is damaged", 1, true) then seen.damaged = true end
    return nil
  end
  return err
end

local function exercise(p)
  local l = call(h5.list, p)
  call(h5.attrs, p)
  if l then
    for i, d in ipairs(l) do
      if i > 12 then break end
      call(h5.read, p, d.name)
      call(h5.read, p, d.name, {as = "float"})
      call(h5.attrs, p, d.name)
    end
  end
  call(h5.load, p)
  call(nn.load, p)
  call(h5.write, p, "fuzz/added", nn.ones(2)) -- writes go to a copy
end

local weight_total = 0
for _, b in ipairs(bases) do weight_total = weight_total + b.weight end
for i = 1, nfiles do
  local pick, r = nil, rand(weight_total)
  for _, b in ipairs(bases) do
    r = r - b.weight
    if r <= 0 then pick = b break end
  end
  local kind, bytes = mutate(pick.bytes)
  local p = ("%s/%04d_%s_%s.h5"):format(work, i, pick.name, kind)
  spit(p, bytes)
  counts.files = counts.files + 1
  seen = {}
  if os.getenv("NNSH_FUZZ_TRACE") == "1" then -- to find the file of a crash
    io.stderr:write(p, "\n")
    io.stderr:flush()
    os.execute(("cp '%s' '%s.last'"):format(p, work))
  end
  exercise(p)
  for k in pairs(seen) do counts[k] = counts[k] + 1 end
  local keep = os.getenv("NNSH_FUZZ_KEEP") -- a directory for the files libhdf5 fails on
  if keep and (seen.guard_crashes or seen.guard_hangs) then
    os.execute(("mkdir -p '%s' && cp '%s' '%s/'"):format(keep, p, keep))
  end
  os.remove(p)
end
os.execute("rm -rf '" .. work .. "'")
print(("files %d calls %d errors %d guard_crashes %d guard_hangs %d damaged %d"):format(
  counts.files, counts.calls, counts.errors, counts.guard_crashes, counts.guard_hangs, counts.damaged))
