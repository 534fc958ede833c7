-- Optimizers against values computed by hand from their update formulas,
-- per-parameter state, schedules, gradient clipping and argument errors.
local nn = require "nn"
local optim = require "optim"

local function near(a, b, tol) return math.abs(a - b) <= (tol or 2e-6) * (1 + math.abs(b)) end

-- Three steps on one scalar parameter p = 1 with the given gradients.
local function steps(opt, gs)
  local p, g = nn.tensor{1}, nn.tensor{0}
  local out = {}
  for i, v in ipairs(gs) do
    g[1] = v
    opt:step({p}, {g})
    out[i] = p[1]
  end
  return out
end

describe("optim.sgd", function()
  it("plain SGD: p -= lr*g", function()
    local r = steps(optim.sgd{lr = 0.5}, {1, -2})
    assert.is_true(near(r[1], 0.5) and near(r[2], 1.5))
  end)
  it("momentum with weight decay (hand values)", function()
    -- lr .1, mu .9, wd .01, grads 1, 1, -2 (see tests/c/test_optim.c):
    -- g = 1.01, v = 1.01, p = 0.899; g = 1.00899, v = 1.91799, p = 0.707201;
    -- g = -1.99292799, v = -0.26673699, p = 0.733874699
    local r = steps(optim.sgd{lr = 0.1, momentum = 0.9, weight_decay = 0.01}, {1, 1, -2})
    assert.is_true(near(r[1], 0.899) and near(r[2], 0.707201) and near(r[3], 0.733874699))
  end)
  it("Nesterov steps along g + mu*v", function()
    local r = steps(optim.sgd{lr = 0.1, momentum = 0.9, weight_decay = 0.01, nesterov = true}, {1, 1, -2})
    assert.is_true(near(r[1], 0.8081) and near(r[2], 0.53475461) and near(r[3], 0.758455015241))
  end)
  it("keeps one velocity per parameter", function()
    local opt = optim.sgd{lr = 1, momentum = 0.5}
    local a, b = nn.tensor{0}, nn.tensor{0, 0}
    opt:step({a, b}, {nn.tensor{1}, nn.tensor{2, 2}})
    opt:step({a, b}, {nn.tensor{1}, nn.tensor{2, 2}})
    -- a: v = 1 then 1.5 -> -2.5; b: v = 2 then 3 -> -5
    assert.same({-2.5}, a:totable())
    assert.same({-5, -5}, b:totable())
    assert.equal(2, opt.steps)
  end)
end)

describe("optim.rmsprop", function()
  it("matches hand values", function()
    -- alpha .9, lr .01: sq = .1 -> p = 1 - .01/sqrt(.1); sq = .115 -> p += .005/sqrt(.115)
    local r = steps(optim.rmsprop{lr = 0.01, alpha = 0.9}, {1, -0.5})
    assert.is_true(near(r[1], 1 - 0.01 / math.sqrt(0.1)))
    assert.is_true(near(r[2], r[1] + 0.005 / math.sqrt(0.115)))
  end)
end)

describe("optim.adam", function()
  it("applies bias correction over three steps (hand values)", function()
    -- lr .1, b1 .9, b2 .999, grads .5, -.25, 1:
    -- t=1: m .05, v .00025, m^ .5, v^ .25 -> p = 1 - .1 = .9
    -- t=2: m .02, v .00031225, m^ .02/.19, v^ .00031225/.001999 -> p = .8733663
    -- t=3: m .118, v .00131193775, m^ .118/.271, v^ .00131193775/.002997001 -> p = .8075551
    local r = steps(optim.adam{lr = 0.1}, {0.5, -0.25, 1})
    assert.is_true(near(r[1], 0.9))
    assert.is_true(near(r[2], 0.8733662987))
    assert.is_true(near(r[3], 0.8075551397))
  end)
  it("counts steps per parameter", function()
    local opt = optim.adam{lr = 0.1}
    local a, b = nn.tensor{1}, nn.tensor{1}
    opt:step({a}, {nn.tensor{0.5}})
    opt:step({a, b}, {nn.tensor{0.5}, nn.tensor{0.5}})
    -- b's first step is a first step: exactly lr
    assert.is_true(near(b[1], 0.9))
    assert.equal(2, opt.state[a].t)
    assert.equal(1, opt.state[b].t)
  end)
end)

describe("schedules", function()
  it("set the learning rate per epoch", function()
    local opt = optim.sgd{lr = 0.8, schedule = optim.step_decay(2, 0.5)}
    local lrs = {}
    for e = 1, 5 do lrs[e] = opt:set_epoch(e) end
    assert.same({0.8, 0.8, 0.4, 0.4, 0.2}, lrs)
    local ex = optim.sgd{lr = 1, schedule = optim.exp_decay(0.5)}
    assert.equal(0.25, ex:set_epoch(3))
    local custom = optim.adam{lr = 1, schedule = function(e, lr0) return lr0 / e end}
    assert.equal(0.25, custom:set_epoch(4))
    local bad = optim.sgd{lr = 1, schedule = function() return "x" end}
    assert.error_matches(function() bad:set_epoch(1) end,
      "optim.sgd: the schedule returned x for epoch 1; expected a finite number >= 0")
  end)
end)

describe("nn.clip_grad_norm", function()
  it("scales the list when its global norm exceeds the limit", function()
    local a, b = nn.tensor{3, 4}, nn.tensor{12}
    assert.equal(13, nn.clip_grad_norm({a, b}, 26))
    assert.same({3, 4}, a:totable())
    assert.equal(13, nn.clip_grad_norm({a, b}, 6.5))
    assert.is_true(near(a[1], 1.5) and near(a[2], 2) and near(b[1], 6))
    assert.is_true(near(nn.clip_grad_norm(a, 100), 2.5))
    assert.error_matches(function() nn.clip_grad_norm({a, 5}, 1) end,
      "nn.clip_grad_norm: element 2 of the list is not a float tensor")
    assert.error_matches(function() nn.clip_grad_norm({a}, 0) end, "max_norm must be > 0, got 0")
  end)
end)

describe("hyper-parameters", function()
  local nan, inf = 0 / 0, math.huge
  -- Each call must fail with a message naming the parameter and its range.
  local cases = {
    {function() optim.sgd{lr = nan} end, "optim.sgd: lr must be a finite number > 0, got NaN"},
    {function() optim.sgd{lr = inf} end, "optim.sgd: lr must be a finite number > 0, got inf"},
    {function() optim.sgd{lr = 0} end, "optim.sgd: lr must be a finite number > 0, got 0"},
    {function() optim.sgd{lr = 0.1, momentum = nan} end, "optim.sgd: momentum must be a number in %[0, 1%), got NaN"},
    {function() optim.sgd{lr = 0.1, momentum = 1} end, "optim.sgd: momentum must be a number in %[0, 1%), got 1"},
    {function() optim.sgd{lr = 0.1, weight_decay = -inf} end,
     "optim.sgd: weight_decay must be a finite number >= 0, got %-inf"},
    {function() optim.rmsprop{alpha = 1.5} end, "optim.rmsprop: alpha must be a number in %[0, 1%], got 1.5"},
    {function() optim.rmsprop{eps = nan} end, "optim.rmsprop: eps must be a finite number >= 0, got NaN"},
    {function() optim.adam{beta2 = nan} end, "optim.adam: beta2 must be a number in %[0, 1%), got NaN"},
    {function() optim.adam{lr = inf} end, "optim.adam: lr must be a finite number > 0, got inf"},
    {function() optim.exp_decay(nan) end, "optim.exp_decay: gamma must be a number in %(0, 1%], got NaN"},
    {function() optim.exp_decay(0) end, "optim.exp_decay: gamma must be a number in %(0, 1%], got 0"},
    {function() optim.step_decay(-1, 0.5) end,
     "optim.step_decay: every must be a whole number of epochs >= 1, got %-1"},
    {function() optim.step_decay(2.5, 0.5) end,
     "optim.step_decay: every must be a whole number of epochs >= 1, got 2.5"},
    {function() optim.step_decay(nan, 0.5) end,
     "optim.step_decay: every must be a whole number of epochs >= 1, got NaN"},
    {function() optim.step_decay(2, inf) end, "optim.step_decay: factor must be a number in %(0, 1%], got inf"},
    {function() nn.clip_grad_norm(nn.ones(2), inf) end, "max_norm must be > 0, got inf"},
  }
  it("reject NaN, infinities and out-of-range values, naming the parameter and range", function()
    for _, c in ipairs(cases) do assert.error_matches(c[1], c[2]) end
  end)
  it("accept the edges of their ranges", function()
    assert.is_table(optim.sgd{lr = 1e-9, momentum = 0, weight_decay = 0})
    assert.is_table(optim.rmsprop{alpha = 1, eps = 0})
    assert.is_function(optim.exp_decay(1))
    assert.is_function(optim.step_decay(1, 1))
    assert.is_function(optim.step_decay(3.0, 0.1)) -- a whole float is a whole number
    local bad = optim.sgd{lr = 1, schedule = function() return 0 / 0 end}
    assert.error_matches(function() bad:set_epoch(1) end, "the schedule returned .*nan for epoch 1")
  end)
end)

describe("optimizer arguments", function()
  it("are checked with messages", function()
    assert.error_matches(function() optim.sgd{momentum = 0.9} end, "optim.sgd: the learning rate lr is required")
    assert.error_matches(function() optim.sgd{lr = 0.1, momentun = 0.9} end, "optim.sgd: unknown setting 'momentun'")
    assert.error_matches(function() optim.sgd{lr = -1} end, "optim.sgd: lr must be a finite number > 0, got %-1")
    assert.error_matches(function() optim.sgd{lr = 0.1, nesterov = true} end, "optim.sgd: nesterov needs momentum > 0")
    assert.error_matches(function() optim.adam{beta1 = 1} end, "optim.adam: beta1 must be a number in %[0, 1%), got 1")
    assert.error_matches(function() optim.sgd(0.1) end, "optim.sgd: expected a table of settings")
    local opt = optim.sgd{lr = 0.1}
    assert.error_matches(function() opt:step({nn.ones(2)}, {}) end, "optim.sgd:step: 1 parameters but 0 gradients")
    assert.error_matches(function() opt:step({nn.ones(2)}, {nn.ones(3)}) end,
      "nn.C.sgd_step: grad %(3%) and the parameter %(2%) must have the same shape")
    assert.equal("optim.sgd{lr=0.1, momentum=0, nesterov=false, weight_decay=0}", tostring(opt))
  end)
end)
