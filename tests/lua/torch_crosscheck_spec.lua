-- nnsh against the PyTorch reference models of bench/torch, step for step:
-- identical initial weights, one mini-batch, two SGD-with-momentum steps;
-- the losses, the gradients of both steps and the parameters after them
-- must agree within float32 tolerance.
--
-- Two sources of PyTorch's numbers:
--   * recorded: tests/fixtures/torch_golden.h5 (made by
--     tests/fixtures/make_torch_golden.py from bench/torch/crosscheck.py,
--     initial weights stored in the file), checked in every run;
--   * live: bench/torch/crosscheck.py run now on weights from nnsh's own
--     initializers, at the full sizes; only where /usr/bin/python3 can import
--     torch and h5py (Debian python3-torch, python3-h5py; `bench/run
--     --install`), skipped with the reason printed otherwise.
--
-- Tolerances.  Both sides compute in float32 and differ only in summation
-- order; the errors seen are below 1.2e-6 of a tensor's largest entry for
-- the gradients and parameters, 2e-4 of the update, 1.3e-7 relative for the
-- losses (see TOL).  The tolerances are 5-20x those, and tight enough that
-- each of these fails the recorded check: a learning rate 1% off, a momentum
-- of 0.84 instead of 0.85, one gradient entry off by 1e-4 of the largest.
local nn = require "nn"
local h5 = require "h5"
local optim = require "optim"

local PY = os.getenv("NNSH_TORCH_PYTHON") or "/usr/bin/python3"
local SCRIPT = "bench/torch/crosscheck.py"
local GOLDEN = "tests/fixtures/torch_golden.h5"

-- Each a relative error: |nnsh - torch| over the largest |torch| entry of the
-- tensor (loss: of the loss).
local TOL = {
  loss = 3e-6,   -- seen <= 1.3e-7
  grad = 2e-5,   -- seen <= 1.2e-6 (live trigram), 6.1e-7 (recorded)
  param = 1e-5,  -- seen <= 7.4e-7: the weights dominate; `update` tests the step
  update = 1e-3, -- seen <= 2e-4 (live trigram), 1.1e-5 (recorded): after - before
}

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

-- Set the model's parameters to the tensors stored at prefix .. name.
local function load_params(model, names, file, prefix)
  local params = model:parameters()
  assert.equal(#names, #params, "number of parameters")
  for i, name in ipairs(names) do
    local t = h5.read(file, prefix .. name)
    assert.same(t:size(), params[i]:size(), "shape of " .. name)
    params[i]:copy(t)
  end
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

-- Compares r (of two_steps) with PyTorch's results at prefix in file;
-- returns the worst relative error of each kind.
local function compare(names, model, r, file, prefix)
  prefix = prefix or ""
  local params = model:parameters()
  local worst = {loss = 0, grad = 0, param = 0, update = 0}
  local function note(kind, e) worst[kind] = math.max(worst[kind], e) end
  for step = 1, 2 do
    local want = h5.read(file, prefix .. "loss" .. step):item()
    local got = r["loss" .. step]
    local e = math.abs(got - want) / math.abs(want)
    assert(e <= TOL.loss, ("loss%d: nnsh %.9g, torch %.9g"):format(step, got, want))
    note("loss", e)
    for i, name in ipairs(names) do
      local key = ("grad%d/%s"):format(step, name)
      note("grad", assert_close(key, r.grad[step][i], h5.read(file, prefix .. key), TOL.grad))
    end
  end
  -- The updates themselves (parameter after - before), which are small
  -- next to the weights: a wrong momentum or learning rate shows here.
  for i, name in ipairs(names) do
    local want = h5.read(file, prefix .. "param/" .. name)
    note("param", assert_close("param/" .. name, params[i], want, TOL.param))
    note("update", assert_close("update/" .. name, params[i] - r.initial[i], want - r.initial[i],
                                TOL.update))
  end
  return worst
end

local function report(what, r, worst)
  print(("%s: loss %.6f -> %.6f, worst relative error: loss %.2g, gradient %.2g, parameter %.2g, update %.2g")
        :format(what, r.loss1, r.loss2, worst.loss, worst.grad, worst.param, worst.update))
end

local TRIGRAM_NAMES = {"R", "W1", "b1", "W2", "b2"}
local LSTM_NAMES = {"wx", "wh", "b", "fc1_w", "fc1_b", "fc2_w", "fc2_b", "fc3_w", "fc3_b"}

local function lstm_classifier(D, H, mlp, C)
  local layers = {nn.LSTM(D, H)}
  local prev = H
  for _, n in ipairs(mlp) do
    layers[#layers + 1] = nn.Linear(prev, n)
    layers[#layers + 1] = nn.ReLU()
    prev = n
  end
  layers[#layers + 1] = nn.Linear(prev, C)
  return nn.Sequential(layers)
end

describe("nnsh against recorded PyTorch results (" .. GOLDEN .. ")", function()
  it("trigram (250,16,32), 100 samples: losses, gradients of R W1 b1 W2 b2, updated weights", function()
    local tg = require "trigram"
    local model = tg.build(250, 16, 32)
    load_params(model, TRIGRAM_NAMES, GOLDEN, "trigram/init/")
    local hp = h5.attrs(GOLDEN, "trigram")
    local r = two_steps(model, nn.CrossEntropyLoss(), h5.read(GOLDEN, "trigram/x"),
                        h5.read(GOLDEN, "trigram/d"), hp.lr, hp.momentum)
    report("trigram (recorded)", r, compare(TRIGRAM_NAMES, model, r, GOLDEN, "trigram/"))
  end)

  it("LSTM 32 + MLP 16-8-6 over 150 steps: losses, gradients, updated weights", function()
    local model = lstm_classifier(3, 32, {16, 8}, 6)
    load_params(model, LSTM_NAMES, GOLDEN, "lstm/init/")
    local hp = h5.attrs(GOLDEN, "lstm")
    local r = two_steps(model, nn.CrossEntropyLoss(), h5.read(GOLDEN, "lstm/x"),
                        h5.read(GOLDEN, "lstm/y"), hp.lr, hp.momentum)
    report("LSTM (recorded)", r, compare(LSTM_NAMES, model, r, GOLDEN, "lstm/"))
  end)
end)

describe("PyTorch cross-check, live (bench/torch, one batch, two SGD steps)", function()
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
    local names = TRIGRAM_NAMES
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
    report("trigram (live)", r, compare(names, model, r, out))
  end)

  it("LSTM 128 + MLP 64-32-6 over 150 steps: loss, gradients, updated weights", function()
    nn.seed(20240502)
    local model = lstm_classifier(3, 128, {64, 32}, 6)
    local X = h5.read("data/data3.h5", "trX"):narrow(1, 1, 32):contiguous()
    local Y = h5.read("data/data3.h5", "trY"):narrow(1, 1, 32)
    local y = Y:argmax(2):contiguous():view(-1)
    local params = model:parameters()
    local names = LSTM_NAMES
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
    report("LSTM (live)", r, compare(names, model, r, out))
  end)
end)
