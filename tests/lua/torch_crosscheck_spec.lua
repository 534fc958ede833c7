-- nnsh against the PyTorch reference models of bench/torch, step for step:
-- identical initial weights (exported from nnsh through HDF5, read by h5py),
-- one mini-batch, two SGD-with-momentum steps; the losses, the gradients of
-- both steps and the parameters after them must agree within float32
-- tolerance.  Optional: runs only when /usr/bin/python3 can import torch and
-- h5py (Debian python3-torch, python3-h5py; `bench/run --install`), and is
-- skipped with the reason printed otherwise, so CI without torch passes.
local nn = require "nn"
local h5 = require "h5"
local optim = require "optim"

local PY = os.getenv("NNSH_TORCH_PYTHON") or "/usr/bin/python3"
local SCRIPT = "bench/torch/crosscheck.py"

local function torch_missing()
  local f = io.open(PY, "r")
  if not f then return PY .. " does not exist" end
  f:close()
  if not os.execute(PY .. " -c 'import torch, h5py' >/dev/null 2>&1") then
    return PY .. " cannot import torch and h5py (apt-get install python3-torch python3-h5py, or bench/run --install)"
  end
end

local function max_abs(t)
  return t:abs():max()
end

-- Relative to the tensor's scale: float32 sums over a few hundred terms in
-- a different order differ by ~1e-6 of the largest entry.
local function assert_close(name, got, want, tol)
  assert.same(want:size(), got:size(), name .. ": shape")
  local scale = math.max(max_abs(want), 1e-30)
  local err = nn.max_abs_diff(got, want) / scale
  assert(err < tol, ("%s: max |nnsh - torch| / max |torch| = %.3g (tolerance %g)"):format(name, err, tol))
  return err
end

-- Runs the PyTorch side on IN, returns the path of its results.
local function run_torch(model, input)
  local out = os.tmpname()
  local cmd = ("PYTHONDONTWRITEBYTECODE=1 OPENBLAS_NUM_THREADS=1 %s %s %s %s %s 2>&1"):format(
    PY, SCRIPT, model, input, out)
  local p = io.popen(cmd)
  local log = p:read("a")
  local ok = p:close()
  assert(ok, "crosscheck.py failed:\n" .. log)
  return out
end

-- nnsh's two steps; returns {loss1, loss2, grad = {{..}, {..}}, initial = {..}}.
local function two_steps(model, crit, x, y, lr, momentum)
  local params, grads = model:parameters()
  local sgd = optim.sgd{lr = lr, momentum = momentum}
  local r = {grad = {}, initial = {}}
  for i, p in ipairs(params) do r.initial[i] = p:clone() end
  for step = 1, 2 do
    for _, g in ipairs(grads) do g:zero() end
    local out = model:forward(x)
    r["loss" .. step] = crit:forward(out, y)
    model:backward(x, crit:backward(out, y))
    r.grad[step] = {}
    for i, g in ipairs(grads) do r.grad[step][i] = g:clone() end
    sgd:step(params, grads)
  end
  return r
end

local function compare(names, model, r, outfile)
  local params = model:parameters()
  local worst = 0
  for step = 1, 2 do
    local want = h5.read(outfile, "loss" .. step):item()
    local got = r["loss" .. step]
    assert(math.abs(got - want) <= 1e-5 * math.abs(want),
           ("loss%d: nnsh %.9g, torch %.9g"):format(step, got, want))
    for i, name in ipairs(names) do
      local e = assert_close(("grad%d/%s"):format(step, name), r.grad[step][i],
                             h5.read(outfile, ("grad%d/%s"):format(step, name)), 1e-4)
      worst = math.max(worst, e)
    end
  end
  -- The updates themselves (parameter after - before), which are small
  -- next to the weights: a wrong momentum or learning rate shows here.
  for i, name in ipairs(names) do
    local want = h5.read(outfile, "param/" .. name)
    assert_close("param/" .. name, params[i], want, 1e-5)
    assert_close("update/" .. name, params[i] - r.initial[i], want - r.initial[i], 1e-3)
  end
  return worst
end

describe("PyTorch cross-check (bench/torch, one batch, two SGD steps)", function()
  local reason = torch_missing()
  if reason then
    print("torch_crosscheck_spec: skipped: " .. reason)
    pending("skipped: " .. reason)
    return
  end

  local files = {}
  after_each(function()
    for _, f in ipairs(files) do os.remove(f) end
    files = {}
  end)

  it("trigram (32,256): loss, gradients of R W1 b1 W2 b2, updated weights", function()
    local tg = require "trigram"
    nn.seed(20240501)
    local model = tg.build(250, 32, 256)
    local x = h5.read("data/data2.h5", "trainx"):narrow(1, 1, 200):contiguous()
    local d = h5.read("data/data2.h5", "traind"):narrow(1, 1, 200):contiguous()
    local params = model:parameters()
    local names = {"R", "W1", "b1", "W2", "b2"}
    local shapes = {{250, 32}, {96, 256}, {256}, {256, 250}, {250}}
    local input = os.tmpname()
    os.remove(input) -- h5.write creates it; it refuses to overwrite a non-HDF5 file
    files[#files + 1] = input
    for i, name in ipairs(names) do
      assert.same(shapes[i], params[i]:size(), "parameter order of tg.build")
      h5.write(input, name, params[i])
    end
    h5.write(input, "x", x)
    h5.write(input, "d", d)
    h5.setattr(input, "/", "lr", 0.15)
    h5.setattr(input, "/", "momentum", 0.85)
    local r = two_steps(model, nn.CrossEntropyLoss(), x, d, 0.15, 0.85)
    local out = run_torch("trigram", input)
    files[#files + 1] = out
    local worst = compare(names, model, r, out)
    print(("trigram cross-check: loss %.6f -> %.6f, worst gradient error %.2g"):format(r.loss1, r.loss2, worst))
  end)

  it("LSTM 128 + MLP 64-32-6 over 150 steps: loss, gradients, updated weights", function()
    if not nn.LSTM then
      pending("nn.LSTM does not exist yet")
      return
    end
    nn.seed(20240502)
    local model = nn.Sequential{nn.LSTM(3, 128), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU(),
                                nn.Linear(32, 6)}
    local X = h5.read("data/data3.h5", "trX"):narrow(1, 1, 32):contiguous()
    local Y = h5.read("data/data3.h5", "trY"):narrow(1, 1, 32)
    local y = Y:argmax(2):contiguous():view(-1)
    local params = model:parameters()
    local names = {"wx", "wh", "b", "fc1_w", "fc1_b", "fc2_w", "fc2_b", "fc3_w", "fc3_b"}
    local shapes = {{3, 512}, {128, 512}, {512}, {128, 64}, {64}, {64, 32}, {32}, {32, 6}, {6}}
    local input = os.tmpname()
    os.remove(input) -- h5.write creates it; it refuses to overwrite a non-HDF5 file
    files[#files + 1] = input
    for i, name in ipairs(names) do
      assert.same(shapes[i], params[i]:size(), "parameter order of the LSTM classifier")
      h5.write(input, name, params[i])
    end
    h5.write(input, "x", X)
    h5.write(input, "y", y)
    h5.setattr(input, "/", "lr", 0.1)
    h5.setattr(input, "/", "momentum", 0.85)
    local r = two_steps(model, nn.CrossEntropyLoss(), X, y, 0.1, 0.85)
    local out = run_torch("lstm", input)
    files[#files + 1] = out
    local worst = compare(names, model, r, out)
    print(("LSTM cross-check: loss %.6f -> %.6f, worst gradient error %.2g"):format(r.loss1, r.loss2, worst))
  end)
end)
