-- The flat parameter block (lua/nn/flat.lua) and the one training step
-- (lua/nn/step.lua): the block really is one contiguous tensor whose views
-- are the model's own parameter objects; the one-call step gives the same
-- numbers as the optimizer stepping tensor by tensor; sharing, modules added
-- later, checkpoints and optimizer state survive.
local nn = require "nn"
local optim = require "optim"
local tg = require "trigram"

local function tmpname(suffix) return os.tmpname() .. suffix end

local function mlp(seed)
  nn.seed(seed)
  return nn.Sequential{nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 3)}
end

-- The same steps written out tensor by tensor (what nn.fit did before the
-- flat block), for comparison.
local function per_tensor_steps(model, opt, x, y, n, clip)
  local crit = nn.CrossEntropyLoss()
  local params, grads = model:parameters()
  for _ = 1, n do
    for i = 1, #grads do grads[i]:zero() end
    local out = model:forward(x)
    crit:forward(out, y)
    model:backward(x, crit:backward(out, y))
    if clip then nn.clip_grad_norm(grads, clip) end
    opt:step(params, grads)
  end
end

local function flat_steps(model, opt, x, y, n, clip)
  local step = nn.training_step{model = model, loss = nn.CrossEntropyLoss(), optimizer = opt, clip = clip}
  for _ = 1, n do step(x, y) end
end

local function same_params(a, b, tol)
  local pa, pb = a:parameters(), b:parameters()
  for i = 1, #pa do
    if not nn.allclose(pa[i], pb[i], 0, tol or 0) then return false, i end
  end
  return true
end

describe("flat parameter block", function()
  it("is one contiguous tensor whose views are the model's own parameter objects", function()
    local m = mlp(1)
    local W1 = m.modules[1].weight -- a reference taken before flattening
    local before = {}
    for i, p in ipairs((m:parameters())) do before[i] = p:clone() end
    local P, G = m:flat_parameters()
    assert.equal(m:num_parameters(), P:numel())
    assert.equal(P:numel(), G:numel())
    assert.is_true(P:is_contiguous() and G:is_contiguous() and P:dim() == 1)
    assert.equal(W1, m.modules[1].weight) -- same object, now a view
    local params, grads = m:parameters()
    local off = 1
    for i, p in ipairs(params) do
      assert.is_true(nn.allclose(p, before[i], 0, 0)) -- values kept
      local n = p:numel()
      -- its range of P holds its values, in order, end to end
      assert.is_true(nn.allclose(P:narrow(1, off, n), p:contiguous():view(-1), 0, 0))
      grads[i]:fill(i)
      assert.equal(i * n, G:narrow(1, off, n):sum())
      off = off + n
    end
    assert.equal(P:numel() + 1, off)
    P:fill(0.5) -- a write through the block reaches every module
    assert.equal(0.5, W1[1][1])
    assert.equal(0.5, m.modules[3].bias[3])
    local P2, G2 = m:flat_parameters()
    assert.equal(P, P2) -- reused while it matches
    assert.equal(G, G2)
  end)

  it("repacks when a module is added, keeping the values", function()
    local m = mlp(2)
    local P = m:flat_parameters()
    P:fill(1)
    m:add(nn.Linear(3, 2))
    local P2 = m:flat_parameters()
    assert.are_not.equal(P, P2)
    assert.equal(m:num_parameters(), P2:numel())
    assert.equal(5 * 7 + 7 + 7 * 3 + 3, P2:narrow(1, 1, 5 * 7 + 7 + 7 * 3 + 3):sum())
    assert.is_true(nn.allclose(P2:narrow(1, 67, 6), m.modules[4].weight:view(-1), 0, 0))
  end)

  it("packs a module used twice once, and refuses a weight shared without its gradient", function()
    nn.seed(3)
    local lin = nn.Linear(4, 4)
    local m = nn.Sequential{lin, nn.Tanh(), lin}
    assert.equal(2 * 20, m:num_parameters()) -- counted per use, as before
    local P = m:flat_parameters()
    assert.equal(20, P:numel())
    local a, b = nn.Linear(2, 2), nn.Linear(2, 2)
    b.weight = a.weight
    local bad = nn.Sequential{a, b}
    assert.error_matches(function() bad:flat_parameters() end,
      "1.weight and 2.weight share a weight but not its gradient")
  end)

  it("keeps the trigram embedding one parameter used by the three positions", function()
    nn.seed(4)
    local model = tg.build(10, 3, 4, 0.5)
    local P, G = model:flat_parameters()
    assert.equal(10 * 3 + 9 * 4 + 4 + 4 * 10 + 10, P:numel())
    local x = nn.index{{4, 2, 4}}
    model:forward(x)
    G:zero()
    model:backward(x, nn.ones(1, 10))
    local gcat = model.modules[2].gradInput:view(3, 3)
    local dE = G:narrow(1, 1, 30):view(10, 3) -- the embedding's range of G
    for d = 1, 3 do assert.is_true(math.abs(dE[4][d] - (gcat[1][d] + gcat[3][d])) < 1e-6) end
  end)

  it("one-call steps equal per-tensor steps for every optimizer", function()
    local x, y = nn.randn(16, 5), nn.index{1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1}
    local settings = {
      function() return optim.sgd{lr = 0.1} end,
      function() return optim.sgd{lr = 0.1, momentum = 0.9, weight_decay = 0.01} end,
      function() return optim.sgd{lr = 0.1, momentum = 0.9, nesterov = true} end,
      function() return optim.rmsprop{lr = 0.01, weight_decay = 0.001} end,
      function() return optim.adam{lr = 0.01, weight_decay = 0.001} end,
    }
    for k, make in ipairs(settings) do
      local a, b = mlp(5), mlp(5)
      per_tensor_steps(a, make(), x, y, 5)
      flat_steps(b, make(), x, y, 5)
      local ok, i = same_params(a, b)
      assert.is_true(ok, ("optimizer %d: parameter %s differs"):format(k, tostring(i)))
    end
    -- Clipping sums the squares in another order: equal within float rounding.
    local a, b = mlp(6), mlp(6)
    per_tensor_steps(a, optim.sgd{lr = 0.5, momentum = 0.9}, x, y, 5, 0.05)
    flat_steps(b, optim.sgd{lr = 0.5, momentum = 0.9}, x, y, 5, 0.05)
    assert.is_true(same_params(a, b, 1e-6))
  end)

  it("makes one optimizer call per step for the trigram model and the LSTM classifier", function()
    local real = nn.C.sgd_step
    local calls = 0
    nn.C.sgd_step = function(...) calls = calls + 1; return real(...) end
    local ok, err = pcall(function()
      nn.seed(7)
      local tri = tg.build(10, 3, 4)
      local step = nn.training_step{model = tri, loss = nn.CrossEntropyLoss(),
                                    optimizer = optim.sgd{lr = 0.1, momentum = 0.9}, clip = 1}
      step(nn.index{{1, 2, 3}, {4, 5, 6}}, nn.index{7, 8})
      assert.equal(1, calls) -- was 5, one per tensor
      local lstm = require("q3").build("lstm", {hidden = 4, mlp = {3}})
      assert.equal(3 + 2 + 2, #(lstm:parameters()))
      step = nn.training_step{model = lstm, loss = nn.CrossEntropyLoss(), optimizer = optim.sgd{lr = 0.1}}
      step(nn.randn(2, 5, 3), nn.index{1, 6})
      assert.equal(2, calls)
    end)
    nn.C.sgd_step = real
    assert(ok, err)
  end)

  it("survives nn.save/nn.load, and optimizer state resumes across a checkpoint", function()
    local x, y = nn.randn(8, 5), nn.index{1, 2, 3, 1, 2, 3, 1, 2}
    local m = mlp(8)
    local opt = optim.adam{lr = 0.01}
    flat_steps(m, opt, x, y, 3)
    local path = tmpname(".h5")
    nn.save(path, {model = m, optimizer = opt})
    local c = nn.load(path)
    assert.is_true(same_params(m, c.model))
    assert.equal(3, c.optimizer.state[c.model.modules[1].weight].t)
    -- One more step on both: the loaded optimizer state is packed into the
    -- new block, so the numbers agree.
    c.model:training()
    flat_steps(m, opt, x, y, 1)
    flat_steps(c.model, c.optimizer, x, y, 1)
    assert.is_true(same_params(m, c.model))
    -- Loading into a flattened model copies into its views: still packed.
    local P = m:flat_parameters()
    nn.save(path, m)
    P:zero()
    nn.load(path, m)
    assert.is_true(same_params(m, c.model))
    assert.equal(P, (m:flat_parameters()))
    assert.is_true(nn.C.flat_is_packed(P, (m:parameters())))
    os.remove(path)
  end)

  it("packs any list with nn.flatten, and the fused-cost step uses it", function()
    local a, b = nn.tensor{1, 2}, nn.tensor{{3}, {4}}
    local F = nn.flatten{a, b}
    assert.same({1, 2, 3, 4}, F:totable())
    assert.same({2, 1}, b:size())
    F:zero()
    assert.equal(0, b[2][1])
    assert.error_matches(function() nn.flatten{a, a:view(2, 1)} end, "nn.flatten: tensors 1 and 2 share memory")
    -- minimize (w - 3)^2 with a hand-written objective
    local w, g = nn.tensor{0}, nn.tensor{0}
    local step = nn.training_step{params = {w}, grads = {g}, optimizer = optim.sgd{lr = 0.25},
      objective = function() g[1] = 2 * (w[1] - 3); return (w[1] - 3) ^ 2 end}
    for _ = 1, 20 do step() end
    assert.is_true(math.abs(w[1] - 3) < 1e-4)
  end)

  it("computes no gradient for float input data, and gives the model its setting back", function()
    local m = mlp(3)
    local calls = 0
    local first = m.modules[1]
    local backward = first.backward
    first.backward = function(self, x, g)
      calls = calls + 1
      assert.is_true(self._no_input_grad) -- dX is skipped inside the step
      return backward(self, x, g)
    end
    local step = nn.training_step{model = m, loss = nn.CrossEntropyLoss(), optimizer = optim.sgd{lr = 0.1}}
    local x, y = nn.randn(4, 5), nn.index{1, 2, 3, 1}
    step(x, y)
    assert.equal(1, calls)
    first.backward = backward
    assert.is_falsy(m._no_input_grad)
    assert.is_falsy(first._no_input_grad)
    local out = m:forward(x)
    assert.same({4, 5}, m:backward(x, nn.ones(out:size(1), out:size(2))):size())
    -- restored after an error inside backward too
    first.backward = function() error("boom", 0) end
    assert.has_error(function() step(x, y) end, "boom")
    first.backward = backward
    assert.is_falsy(m._no_input_grad)
    assert.is_falsy(first._no_input_grad)
    -- a setting the user made stays as it is
    first:need_input_grad(false)
    step(x, y)
    assert.is_true(first._no_input_grad)
  end)
end)
