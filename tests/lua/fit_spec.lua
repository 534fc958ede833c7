-- nn.fit: it learns (XOR, linear regression), stops early and restores the
-- best epoch, stops on Ctrl-C (through the interrupt contract), reports in
-- JSON lines, and checks its arguments.
local nn = require "nn"
local optim = require "optim"
local json = require "json"

local function xor_data()
  return nn.tensor{{0, 0}, {0, 1}, {1, 0}, {1, 1}}, nn.index{1, 2, 2, 1}
end

-- Parameters as a list of plain tables (a snapshot).
local function snapshot(model)
  local s = {}
  for i, p in ipairs((model:parameters())) do s[i] = p:totable() end
  return s
end

describe("nn.fit", function()
  it("fits XOR with a small MLP", function()
    nn.seed(1)
    local x, y = xor_data()
    local model = nn.Sequential{nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2)}
    local h = nn.fit{model = model, loss = nn.CrossEntropyLoss(),
                     optimizer = optim.sgd{lr = 0.5, momentum = 0.9},
                     x = x, y = y, batch = 4, epochs = 300, seed = 1, quiet = true}
    assert.equal(300, h.epochs)
    assert.is_true(h.train_loss[300] < 0.01, "final loss " .. h.train_loss[300])
    assert.equal(1, h.train_acc[300])
    assert.equal(1, nn.metrics.accuracy(model:forward(x), y))
    assert.equal(300, #h.seconds)
  end)

  it("drives a linear regression to near-zero loss", function()
    nn.seed(2)
    local x = nn.randn(200, 3)
    local w, b = nn.tensor{{1.5}, {-2}, {0.5}}, 0.3
    local y = nn.mm(x, w) + b
    local model = nn.Linear(3, 1)
    local h = nn.fit{model = model, loss = nn.MSELoss(), optimizer = optim.sgd{lr = 0.1},
                     x = x, y = y, batch = 20, epochs = 60, seed = 2, quiet = true}
    assert.is_true(h.train_loss[60] < 1e-8, "final loss " .. h.train_loss[60])
    assert.is_true(nn.allclose(model.weight, w, 0, 1e-3))
    assert.is_true(math.abs(model.bias[1] - b) < 1e-3)
    assert.is_nil(h.train_acc[1]) -- no classes, no accuracy
    assert.is_falsy(model._no_input_grad) -- fit skipped dx while training only
  end)

  it("stops early and restores the weights of the best epoch", function()
    nn.seed(3)
    local x, y = nn.randn(64, 4), nn.index{}
    local labels = {}
    for i = 1, 64 do labels[i] = (i % 3) + 1 end
    y = nn.index(labels)
    local model = nn.Sequential{nn.Linear(4, 3)}
    -- An optimizer that learns for 3 epochs, then wrecks the weights, so the
    -- validation loss is best at epoch 3 and worse afterwards.
    local sgd = optim.sgd{lr = 0.05}
    local opt = {epoch = 0, lr = 0.05}
    function opt:set_epoch(e) self.epoch = e end
    function opt:step(params, grads)
      if self.epoch <= 3 then return sgd:step(params, grads) end
      for _, p in ipairs(params) do p:add_(0.1) end
    end
    local at_epoch = {}
    local h = nn.fit{model = model, loss = nn.CrossEntropyLoss(), optimizer = opt,
                     x = x, y = y, val = {x = x, y = y}, batch = 16, epochs = 20,
                     patience = 2, quiet = true,
                     on_epoch = function(e) at_epoch[e] = snapshot(model) end}
    assert.equal(3, h.best_epoch)
    assert.is_true(h.stopped_early)
    assert.equal(5, h.epochs)
    assert.is_true(h.restored)
    assert.same(at_epoch[3], snapshot(model))
    local vl = nn.evaluate(model, nn.CrossEntropyLoss(), x, y)
    assert.is_true(math.abs(vl - h.val_loss[3]) < 1e-6)
    assert.equal(h.val_loss[3], h.best_loss)
  end)

  it("stops after the current mini-batch on Ctrl-C and restores the best weights", function()
    local real_catch, real_interrupted = nn.catch_interrupt, nn.interrupted
    local depth, calls = 0, 0
    nn.catch_interrupt = function(on) depth = depth + (on and 1 or -1); return depth end
    -- "Ctrl-C" during the 3rd epoch: 4 mini-batches per epoch, the 11th check
    nn.interrupted = function() calls = calls + 1; return calls == 11 end
    local ok, err = pcall(function()
      nn.seed(4)
      local x, y = xor_data()
      local model = nn.Sequential{nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2)}
      local at_epoch = {}
      local h = nn.fit{model = model, loss = nn.CrossEntropyLoss(), optimizer = optim.sgd{lr = 0.1},
                       x = x, y = y, val = {x = x, y = y}, batch = 1, epochs = 10, quiet = true,
                       on_epoch = function(e) at_epoch[e] = snapshot(model) end}
      assert.is_true(h.interrupted)
      assert.equal(2, h.epochs)
      assert.equal(11, calls)
      assert.same(at_epoch[h.best_epoch], snapshot(model))
      assert.equal(0, depth)
    end)
    nn.catch_interrupt, nn.interrupted = real_catch, real_interrupted
    assert(ok, err)
  end)

  it("turns interrupt catching off when an epoch fails, and re-raises", function()
    local real_catch, real_interrupted = nn.catch_interrupt, nn.interrupted
    local depth = 0
    nn.catch_interrupt = function(on) depth = depth + (on and 1 or -1); return depth end
    nn.interrupted = function() return false end
    local x, y = xor_data()
    local ok, err = pcall(nn.fit, {model = nn.Linear(2, 2), loss = nn.CrossEntropyLoss(),
      optimizer = optim.sgd{lr = 0.1}, x = x, y = y, epochs = 3, quiet = true,
      on_epoch = function() error("boom in on_epoch") end})
    nn.catch_interrupt, nn.interrupted = real_catch, real_interrupted
    assert.is_false(ok)
    assert.truthy(tostring(err):find("boom in on_epoch", 1, true))
    assert.equal(0, depth)
  end)

  it("works without the interrupt functions (stock lua)", function()
    local real_catch, real_interrupted = nn.catch_interrupt, nn.interrupted
    nn.catch_interrupt, nn.interrupted = nil, nil
    local x, y = xor_data()
    local ok, h = pcall(nn.fit, {model = nn.Linear(2, 2), loss = nn.CrossEntropyLoss(),
      optimizer = optim.sgd{lr = 0.1}, x = x, y = y, epochs = 2, quiet = true})
    nn.catch_interrupt, nn.interrupted = real_catch, real_interrupted
    assert.is_true(ok, tostring(h))
    assert.equal(2, h.epochs)
  end)

  it("writes JSON lines and takes an accuracy function", function()
    local path = os.tmpname()
    nn.seed(5)
    local x = nn.randn(40, 2)
    local y = nn.zeros(40, 1)
    for i = 1, 40 do y[i][1] = x[i][1] > 0 and 1 or -1 end
    local sign_correct = function(out, t)
      local n = 0
      for i = 1, out:size(1) do if (out[i][1] > 0) == (t[i][1] > 0) then n = n + 1 end end
      return n
    end
    local h = nn.fit{model = nn.Sequential{nn.Linear(2, 1), nn.Tanh()}, loss = nn.MSELoss(),
                     optimizer = optim.sgd{lr = 0.1}, x = x, y = y, val = {x = x, y = y},
                     batch = 8, epochs = 4, json = path, quiet = true, accuracy = sign_correct}
    local lines = {}
    for l in io.lines(path) do lines[#lines + 1] = json.decode(l) end
    os.remove(path)
    assert.equal(4, #lines)
    assert.equal(3, lines[3].epoch)
    assert.is_true(math.abs(lines[4].val_loss - h.val_loss[4]) < 1e-6)
    assert.is_true(h.val_acc[4] > 0.5 and h.val_acc[4] <= 1)
    assert.is_number(lines[1].train_acc)
  end)

  it("prints one line per epoch", function()
    local out = {}
    local real_print = print
    _G.print = function(...) out[#out + 1] = table.concat({...}, "\t") end
    local x, y = xor_data()
    local ok, err = pcall(nn.fit, {model = nn.Linear(2, 2), loss = nn.CrossEntropyLoss(),
      optimizer = optim.sgd{lr = 0.1}, x = x, y = y, val = {x = x, y = y}, epochs = 2,
      progress = false})
    _G.print = real_print
    assert(ok, err)
    assert.truthy(out[1]:find("nn.fit: 4 samples, batch 32 (1 steps/epoch), up to 2 epochs", 1, true))
    assert.truthy(out[2]:match("^epoch 1/2  train %d%.%d+  acc %d%.%d+  | val %d%.%d+  acc %d%.%d+  | %d+%.%d+ s  ETA"))
  end)

  -- Capture what nn.fit prints and writes to stderr.
  local function capture(fn)
    local out, err = {}, {}
    local real_print, real_stderr = print, io.stderr
    _G.print = function(...) out[#out + 1] = table.concat({...}, "\t") end
    io.stderr = {write = function(_, ...) err[#err + 1] = table.concat({...}) end}
    local ok, r = pcall(fn)
    _G.print, io.stderr = real_print, real_stderr
    assert(ok, r)
    return r, table.concat(out, "\n"), table.concat(err)
  end

  it("survives NaN in the validation set with patience, flags it and keeps the history", function()
    nn.seed(6)
    local x, y = xor_data()
    local vx = x:clone()
    vx[2][1] = 0 / 0
    local model = nn.Sequential{nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2)}
    local h, out = capture(function()
      return nn.fit{model = model, loss = nn.CrossEntropyLoss(), optimizer = optim.sgd{lr = 0.1},
                    x = x, y = y, val = {x = vx, y = y}, epochs = 10, patience = 2, progress = false}
    end)
    assert.equal(2, h.epochs)
    assert.is_true(h.stopped_early)
    assert.is_nil(h.best_epoch)
    assert.is_true(h.val_loss[1] ~= h.val_loss[1])
    assert.is_number(h.train_loss[2])
    assert.is_falsy(h.diverged) -- the weights are fine; the data is not
    assert.truthy(out:find("| val NaN(!)", 1, true))
    assert.truthy(out:find("epoch 1: the validation loss is NaN(!): does the validation set hold NaN or Inf?", 1, true))
    assert.truthy(out:find("no improvement for 2 epochs; no epoch had a finite loss", 1, true))
    assert.is_false(out:find("-nan", 1, true) ~= nil)
  end)

  it("restores the initial weights when the first epoch diverges, and says so when quiet", function()
    nn.seed(7)
    local x = nn.randn(64, 3)
    local y = nn.mm(x, nn.tensor{{1}, {2}, {3}}) * 1e3
    local model = nn.Linear(3, 1)
    local w0 = model.weight:clone()
    local h, out, err = capture(function()
      return nn.fit{model = model, loss = nn.MSELoss(), optimizer = optim.sgd{lr = 1e6},
                    x = x, y = y, batch = 8, epochs = 5, quiet = true}
    end)
    assert.is_true(h.diverged)
    assert.equal(1, h.diverged_at.epoch)
    assert.equal(0, h.restored_epoch)
    assert.is_true(h.restored)
    assert.equal(0, h.epochs)
    assert.is_true(nn.allclose(model.weight, w0, 0, 0))
    assert.equal(0, model.bias[1])
    assert.equal("", out)
    assert.truthy(err:find("nn.fit: diverged: the training loss was .* at epoch 1, step %d+; " ..
      "restored the initial weights, the model is untrained %(try a smaller lr or clip="))
  end)

  it("restores the best epoch when a later epoch diverges, and records it in JSON", function()
    nn.seed(8)
    local x, y = xor_data()
    local model = nn.Sequential{nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 2)}
    local sgd = optim.sgd{lr = 0.1}
    local opt = {epoch = 0, lr = 0.1}
    function opt:set_epoch(e) self.epoch = e end
    function opt:step(params, grads)
      if self.epoch < 3 then return sgd:step(params, grads) end
      params[1]:fill(0 / 0) -- epoch 3 breaks the weights
    end
    local at = {}
    local path = os.tmpname()
    local h = capture(function()
      return nn.fit{model = model, loss = nn.CrossEntropyLoss(), optimizer = opt, x = x, y = y,
                    batch = 4, epochs = 10, json = path, quiet = true,
                    on_epoch = function(e) at[e] = snapshot(model) end}
    end)
    local lines = {}
    for l in io.lines(path) do lines[#lines + 1] = json.decode(l) end
    os.remove(path)
    assert.is_true(h.diverged)
    assert.equal(2, h.epochs)
    assert.equal(2, h.restored_epoch)
    assert.same(at[2], snapshot(model))
    assert.equal("diverged", lines[#lines].event)
    assert.equal(2, lines[#lines].restored_epoch)
  end)

  it("checks its arguments", function()
    local x, y = xor_data()
    local base = {model = nn.Linear(2, 2), loss = nn.CrossEntropyLoss(), optimizer = optim.sgd{lr = 0.1},
                  x = x, y = y, quiet = true}
    local function with(k, v)
      local a = {}
      for kk, vv in pairs(base) do a[kk] = vv end
      a[k] = v
      return a
    end
    assert.error_matches(function() nn.fit(with("batch", 0)) end, "nn.fit: batch= must be a positive integer, got 0")
    assert.error_matches(function() nn.fit(with("y", nn.index{1, 2})) end,
      "nn.fit: x and y must have the same number of rows %(got 4 and 2%)")
    assert.error_matches(function() nn.fit(with("epoch", 3)) end, "nn.fit: unknown argument 'epoch'")
    assert.error_matches(function() nn.fit(with("model", 5)) end, "nn.fit: model= must be a module")
    assert.error_matches(function() nn.fit(with("val", {x = x})) end, "nn.fit: val= must be {x = tensor, y = tensor}")
    assert.error_matches(function() nn.fit(with("clip", 0 / 0)) end, "nn.fit: clip= must be a finite number > 0, got NaN")
  end)
end)
