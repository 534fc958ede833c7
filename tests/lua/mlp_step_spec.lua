-- The fused embedding-MLP step of nn.training_step (lua/nn/mlp_step.lua,
-- src/core/mlp_step.h): the same training as the modules one by one
-- (m:fuse(false)) within float rounding, over several steps; the outputs
-- nn.fit and the user read afterwards; the same bits at one and two
-- threads; and the module path for everything outside the pattern.
local nn = require "nn"
local optim = require "optim"

local function build(opts)
  opts = opts or {}
  nn.seed(opts.seed or 7)
  local V, D, T, H, O = opts.V or 40, opts.D or 6, opts.T or 3, opts.H or 24, opts.O or 30
  local m = nn.Sequential{
    nn.Embedding(V, D),
    opts.flatten and nn.Flatten() or nn.View(-1, T * D),
    nn.Linear(T * D, H, {bias = opts.bias}),
    (opts.act or nn.Sigmoid)(),
    nn.Linear(H, O, {bias = opts.bias}),
  }
  for _, p in ipairs((m:parameters())) do p:normal_(0, 0.3) end
  return m
end

local function batch(B, T, V, O)
  local xs, ys = {}, {}
  for r = 1, B do
    xs[r] = {}
    for t = 1, T do xs[r][t] = nn.randint(V) end
    ys[r] = nn.randint(O)
  end
  return nn.index(xs), nn.index(ys)
end

local function trainer(m, crit)
  return nn.training_step{model = m, loss = crit or nn.CrossEntropyLoss(),
                          optimizer = optim.sgd{lr = 0.2, momentum = 0.9}}
end

-- Did the last step run the fused kernel?  It leaves the layers' input
-- gradients unwritten (the kernel keeps them in its workspace).
local function ran_fused(m) return m.modules[5].gradInput:numel() == 0 end

local function max_diff(a, b) return (a - b):abs():max() end

describe("fused embedding-MLP training step", function()
  local threads
  before_each(function() threads = nn.config().threads end)
  after_each(function() nn.config{pair = true, threads = threads} end)

  for _, case in ipairs{
    {name = "sigmoid, View", act = nn.Sigmoid},
    {name = "tanh, Flatten", act = nn.Tanh, flatten = true},
    {name = "ReLU, no biases", act = nn.ReLU, bias = false},
    {name = "two ids per row, odd batch", act = nn.Sigmoid, T = 2, B = 9},
  } do
    it("trains as the modules one by one: " .. case.name, function()
      local fused, plain = build(case), build(case)
      plain:fuse(false)
      local cf, cp = nn.CrossEntropyLoss(), nn.CrossEntropyLoss()
      local sf, sp = trainer(fused, cf), trainer(plain, cp)
      nn.seed(11)
      for _ = 1, 8 do
        local x, y = batch(case.B or 32, case.T or 3, 40, 30)
        local lf, of = sf(x, y)
        local lp, op = sp(x, y)
        assert.is_true(ran_fused(fused))
        assert.is_false(ran_fused(plain))
        -- the loss of the same weights: equal up to the drift of the weights
        assert.is_true(math.abs(lf - lp) <= 1e-5 * lp, ("%.9g vs %.9g"):format(lf, lp))
        assert.equal(cp.ncorrect, cf.ncorrect)
        assert.equal(of, fused.output)
        assert.equal(fused.modules[5].output, of)
        assert.is_true(max_diff(of, op) < 1e-4)
        assert.is_true(max_diff(fused.modules[4].output, plain.modules[4].output) < 1e-5)
        assert.is_true(max_diff(fused.modules[2].output, plain.modules[2].output) < 1e-5)
        assert.same(plain.modules[2].output:size(), fused.modules[2].output:size())
        assert.equal(lf, cf.output)
      end
      local pf, pp = fused:flat_parameters(), plain:flat_parameters()
      assert.is_true(max_diff(pf, pp) < 1e-5, tostring(max_diff(pf, pp)))
      -- the gradients of the last step
      local _, gf = fused:flat_parameters()
      local _, gp = plain:flat_parameters()
      assert.is_true(max_diff(gf, gp) <= 1e-4 * gp:abs():max())
    end)
  end

  it("gives the same bits at one and two threads (the pair on)", function()
    local runs = {}
    for r, threads in ipairs{1, 2, 2} do
      nn.config{threads = threads, pair = true}
      local m = build{act = nn.Tanh}
      local step = trainer(m)
      nn.seed(3)
      local losses = {}
      for i = 1, 5 do losses[i] = step(batch(64, 3, 40, 30)) end
      assert.is_true(ran_fused(m))
      runs[r] = {losses = losses, P = m:flat_parameters():clone()}
    end
    for r = 2, 3 do
      assert.same(runs[1].losses, runs[r].losses)
      assert.equal(0, max_diff(runs[1].P, runs[r].P))
    end
  end)

  it("steps back to the modules when the model stops matching, and fits", function()
    local m = build()
    local step = trainer(m)
    nn.seed(5)
    local x, y = batch(16, 3, 40, 30)
    step(x, y)
    assert.is_true(ran_fused(m))
    m:fuse(false)
    step(x, y)
    assert.is_false(ran_fused(m))
    m:fuse(true)
    m.modules[5].gradInput = nn.zeros(0)
    step(x, y)
    assert.is_true(ran_fused(m))
    -- a float input, a sixth module, another loss: the modules
    local other = nn.Sequential{nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3)}
    local l = trainer(other)(nn.randn(6, 4), nn.index{1, 2, 3, 1, 2, 3})
    assert.is_true(l > 0)
    local six = build()
    six:add(nn.ReLU())
    trainer(six)(x, y)
    assert.is_true(six.modules[5].gradInput:numel() > 0)
    local mse = build{O = 30}
    local target = nn.zeros(16, 30)
    nn.training_step{model = mse, loss = nn.MSELoss(), optimizer = optim.sgd{lr = 0.1}}(x, target)
    assert.is_false(ran_fused(mse))
    -- OpenBLAS's own threads (the pair off at two threads): the modules
    nn.config{pair = false, threads = 2}
    local m2 = build()
    trainer(m2)(x, y)
    assert.is_false(ran_fused(m2))
  end)

  it("trains through nn.fit as the modules do", function()
    nn.seed(9)
    local x, y = batch(300, 3, 40, 30)
    local hists = {}
    for k, fuse in ipairs{true, false} do
      local m = build()
      m:fuse(fuse)
      hists[k] = nn.fit{model = m, loss = nn.CrossEntropyLoss(), optimizer = optim.sgd{lr = 0.3, momentum = 0.5},
                        x = x, y = y, val = {x = x, y = y}, batch = 50, epochs = 3, seed = 1, quiet = true}
    end
    for e = 1, 3 do
      assert.is_true(math.abs(hists[1].train_loss[e] - hists[2].train_loss[e]) < 1e-5)
      assert.is_true(math.abs(hists[1].val_loss[e] - hists[2].val_loss[e]) < 1e-5)
      assert.equal(hists[2].train_acc[e], hists[1].train_acc[e])
    end
    assert.is_true(hists[1].train_loss[3] < hists[1].train_loss[1])
  end)
end)
