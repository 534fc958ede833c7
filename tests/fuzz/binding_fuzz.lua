-- Random calls of every nn function, tensor method, nn.C kernel, h5
-- function and module method, with arguments drawn from a pool of hostile
-- values (huge and negative integers, NaN, infinities, empty, 0-d,
-- non-contiguous and index tensors, wrong types).  Each call must return
-- or raise a Lua error; a crash or a hang fails tests/lua/fuzz_spec.lua.
--
--   nnsh tests/fuzz/binding_fuzz.lua [calls=6000] [seed=1]
-- Prints "calls N errors N functions N".  NNSH_FUZZ_TRACE=1 prints each
-- call before making it (to find the one that crashed).
local nn = require "nn"
local h5 = require "h5"
local optim = require "optim"

local ncalls = tonumber(arg and arg[1]) or 6000
local seed = tonumber(arg and arg[2]) or 1
local trace = os.getenv("NNSH_FUZZ_TRACE") == "1"
local work = os.tmpname()
os.remove(work)
assert(os.execute("mkdir -p '" .. work .. "'"))

local state = seed * 6364136223846793005 + 1442695040888963407
local function rand(n)
  state = state * 6364136223846793005 + 1442695040888963407
  return ((state >> 33) % n) + 1
end

-- --- what to call ----------------------------------------------------------------
-- Left out: nn.fit (a training loop: valid random arguments could train for
-- long), nn.config and threads (change BLAS settings for later calls),
-- nn.catch_interrupt (changes Ctrl-C handling of the whole run).
-- nn.class would register random classes over nn's own names.
local SKIP = {fit = true, config = true, catch_interrupt = true, help = true, sweep = true,
              class = true}
local targets = {}
local only = os.getenv("NNSH_FUZZ_ONLY") -- one function's name, to find a culprit
local function add(name, f, self_kind)
  if type(f) == "function" and (not only or name == only) then targets[#targets + 1] = {name = name, f = f, self = self_kind} end
end
for k, v in pairs(nn) do if not SKIP[k] then add("nn." .. k, v) end end
for k, v in pairs(nn.C or {}) do add("nn.C." .. k, v) end
for k, v in pairs(nn.init or {}) do add("nn.init." .. k, v) end
for k, v in pairs(h5) do add("h5." .. k, v) end
for k, v in pairs(optim) do if type(v) == "function" then add("optim." .. k, v) end end
local methods = getmetatable(nn.zeros(1)).__methods
for k, v in pairs(methods) do add("Tensor:" .. k, v, "tensor") end
-- pairs() order changes from run to run (string hashes are seeded): sort,
-- so that a seed names one sequence of calls.
table.sort(targets, function(a, b) return a.name < b.name end)

-- --- the argument pool -------------------------------------------------------------------
local S = work .. "/f.h5"
local function tensors()
  local t = {
    nn.zeros(0), nn.zeros(0, 3), nn.zeros(3, 0), nn.rand(1), nn.rand(3), nn.rand(3, 4),
    nn.rand(4, 3), nn.rand(2, 3, 4), nn.rand(2, 2, 2, 2), nn.randn(5, 5):t(),
    nn.rand(6, 4):narrow(1, 2, 3), nn.full(0 / 0, 2, 2), nn.full(1 / 0, 3),
    nn.index {1, 2, 3}, nn.index {{1, 2}, {3, 1}}, nn.IndexTensor(4), nn.rand(3, 4):select(1, 2),
    nn.rand(1, 1), nn.rand(2, 3):view(6),
  }
  return t
end
local pool_tensors = tensors()
local POOL = {
  0, 1, 2, 3, 4, 7, -1, -2, 1 << 31, (1 << 32) + 1, 1 << 62, math.maxinteger, math.mininteger,
  0.5, -0.5, 1e3, 1e300, -1e300, 0 / 0, 1 / 0, -1 / 0, 2.0, 3.0,
  true, false, "", "x", "float", "index", "sum", S, work .. "/g/h.h5", "/", "nnsh_checkpoint",
  {}, {1, 2}, {2, 3}, {{1, 2}, {3}}, {-1, 3}, {1 << 40, 1 << 40}, {lr = 0.1}, {as = "index"},
  {compress = 3}, {"a", "b"}, {0 / 0},
  function() return 1 end, function() error("from the pool") end,
  nn.Linear(3, 4), nn.Sequential {nn.Linear(4, 3), nn.Tanh()}, nn.Embedding(5, 3),
  nn.BatchNorm(4), nn.LSTM(3, 4), nn.Dropout(0.5), nn.ReLU(), nn.MSECriterion and nn.MSECriterion() or 0,
}
local function arg_value()
  if rand(3) == 1 then return pool_tensors[rand(#pool_tensors)] end
  local r = rand(#POOL + 1)
  if r > #POOL then return nil end
  return POOL[r]
end

-- Keep the run quiet and in the work directory: printing results of random
-- calls would only flood the log.
local real_print, real_write = print, io.write
local function mute() print = function() end; io.write = function() return io.stdout end end
local function unmute() print, io.write = real_print, real_write end

-- Calls may still replace fields of nn (a module's methods, nn.C...):
-- put them back after each call so the run keeps testing nnsh itself.
local original = {}
for k, v in pairs(nn) do original[k] = v end
local function restore()
  for k, v in pairs(original) do if rawget(nn, k) ~= v then rawset(nn, k, v) end end
end

local calls, errors, used = 0, 0, {}
for i = 1, ncalls do
  local t = targets[rand(#targets)]
  local args, n = {}, rand(6) - 1
  if t.self == "tensor" then args[1] = pool_tensors[rand(#pool_tensors)] end
  for k = #args + 1, #args + n do args[k] = arg_value() end
  local nargs = t.self and n + 1 or n
  if trace then io.stderr:write(("%d %s(%d args)\n"):format(i, t.name, nargs)) end
  mute()
  local t0 = nn.clock()
  local ok, err = pcall(t.f, table.unpack(args, 1, nargs))
  if os.getenv("NNSH_FUZZ_SLOW") and nn.clock() - t0 > tonumber(os.getenv("NNSH_FUZZ_SLOW")) then io.stderr:write(("slow %.2f s: %s %s %s %s\n"):format(nn.clock() - t0, t.name, tostring(args[1]):sub(1, 30), tostring(args[2]):sub(1,30), tostring(args[3]):sub(1,30))) end
  unmute()
  restore()
  calls = calls + 1
  used[t.name] = true
  if not ok then
    errors = errors + 1
    if type(err) ~= "string" and not (type(err) == "table" and getmetatable(err)) then
      error(("%s raised a %s, not a message"):format(t.name, type(err)))
    end
  end
  -- Calls may modify pool tensors in place (fill with NaN, resize): renew
  -- them now and then so later calls still see the intended shapes.
  if i % 200 == 0 then pool_tensors = tensors(); nn.catch_interrupt(false) end
end
local nused = 0
for _ in pairs(used) do nused = nused + 1 end
os.execute("rm -rf '" .. work .. "'")
print(("calls %d errors %d functions %d"):format(calls, errors, nused))
