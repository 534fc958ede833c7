-- Criteria: losses and gradients against double-precision references
-- (rel. error < 1e-4), numerical checks, hand values and error messages.
local nn = require "nn"
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local ref = dofile(here .. "ref/layers.lua")

local REL = 1e-4

local function rel(a, b) return math.abs(a - b) / math.max(math.abs(b), 1e-12) end

describe("nn.CrossEntropyLoss", function()
  it("matches the reference loss and gradient", function()
    nn.seed(1)
    local x, y = nn.randn(5, 7) * 3, nn.index{1, 7, 3, 3, 5}
    local crit = nn.CrossEntropyLoss()
    local l = crit:forward(x, y)
    local g = crit:backward(x, y)
    local rl, rg = ref.crossentropy(x:totable(), y:totable())
    assert.is_true(rel(l, rl) < REL)
    assert.is_true(ref.max_rel(g, rg) < REL)
    assert.is_true(nn.gradcheck(crit, {x, y}).ok)
  end)
  it("is stable for huge scores and counts correct rows", function()
    local crit = nn.CrossEntropyLoss()
    local l = crit:forward(nn.tensor{{1e4, 1e4 + 1, 1e4 + 2}, {0, 0, 50}}, nn.index{3, 3})
    local expect = (math.log(1 + math.exp(-1) + math.exp(-2)) + math.log(1 + 2 * math.exp(-50))) / 2
    assert.is_true(math.abs(l - expect) < 1e-6)
    assert.equal(2, crit.ncorrect)
    assert.equal(math.log(4), crit:forward(nn.zeros(3, 4), nn.index{1, 2, 4}))
    assert.equal(1, crit.ncorrect) -- equal scores: only class 1 (the first) is a hit
  end)
  it("recomputes the gradient when backward gets another input", function()
    local crit = nn.CrossEntropyLoss()
    local a, b, y = nn.randn(2, 3), nn.randn(2, 3), nn.index{1, 2}
    crit:forward(a, y)
    local gb = crit:backward(b, y):clone()
    local _, rg = ref.crossentropy(b:totable(), y:totable())
    assert.is_true(ref.max_rel(gb, rg) < REL)
    -- loss() evaluates without touching the gradient buffer
    local la, nc = crit:loss(a, y)
    assert.is_true(rel(la, (ref.crossentropy(a:totable(), y:totable()))) < REL)
    assert.is_true(math.type(nc) == "integer")
    assert.is_true(nn.allclose(crit.gradInput, gb, 0, 0))
  end)
  it("names bad targets", function()
    local crit = nn.CrossEntropyLoss()
    assert.error_matches(function() crit:forward(nn.ones(2, 3), nn.index{1, 4}) end,
      "nn.C.crossentropy_loss: class label 4 %(row 2%) is outside 1..3")
    assert.error_matches(function() crit:forward(nn.ones(2, 3), nn.ones(2)) end,
      "nn.CrossEntropyLoss.forward: target must be an index tensor of class numbers %(1%-based%), got a float tensor")
    assert.error_matches(function() crit:forward(nn.ones(2, 3), nn.index{1, 2, 3}) end,
      "labels must be an index tensor of 2 class numbers %(one per row of the 2x3 scores%), got 3")
    assert.error_matches(function() crit:forward(nn.ones(6), nn.index{1}) end,
      "scores must be %(batch, classes%), got 6")
  end)
end)

describe("nn.MSELoss", function()
  it("is the mean over all elements", function()
    local crit = nn.MSELoss()
    assert.equal(2.5, crit:forward(nn.tensor{{1, 2}}, nn.tensor{{0, 4}}))
    assert.same({{1, -2}}, crit:backward(nn.tensor{{1, 2}}, nn.tensor{{0, 4}}):totable())
    nn.seed(2)
    local x, t = nn.randn(4, 3), nn.randn(4, 3)
    local rl, rg = ref.mse(x:totable(), t:totable())
    assert.is_true(rel(crit:forward(x, t), rl) < REL)
    assert.is_true(ref.max_rel(crit:backward(x, t), rg) < REL)
    assert.is_true(nn.gradcheck(crit, {x, t}).ok)
  end)
  it("needs matching shapes and a float target", function()
    assert.error_matches(function() nn.MSELoss():forward(nn.ones(2, 2), nn.ones(4)) end,
      "nn.C.mse_loss: input %(2x2%) and target %(4%) must have the same shape")
    assert.error_matches(function() nn.MSELoss():forward(nn.ones(2), nn.index{1, 1}) end,
      "nn.MSELoss.forward: target must be a float tensor, got an index tensor")
  end)
end)

describe("nn.BCEWithLogitsLoss", function()
  it("matches the reference and does not overflow", function()
    nn.seed(3)
    local x, t = nn.randn(3, 4) * 3, nn.rand(3, 4)
    local crit = nn.BCEWithLogitsLoss()
    local rl, rg = ref.bce_logits(x:totable(), t:totable())
    assert.is_true(rel(crit:forward(x, t), rl) < REL)
    assert.is_true(ref.max_rel(crit:backward(x, t), rg) < REL)
    assert.is_true(nn.gradcheck(crit, {x, t}).ok)
    local big = crit:forward(nn.tensor{{-200, 200}}, nn.tensor{{1, 0}})
    assert.is_true(math.abs(big - 200) < 1e-3)
  end)
end)

describe("nn.SVMLoss", function()
  it("matches the reference (CS231n convention)", function()
    local crit = nn.SVMLoss()
    -- CS231n's worked example: scores (3.2, 5.1, -1.7), true class 1 -> 2.9
    assert.is_true(math.abs(crit:forward(nn.tensor{{3.2, 5.1, -1.7}}, nn.index{1}) - 2.9) < 1e-5)
    -- scores on a grid away from the hinges
    local rows = {}
    for i = 1, 4 do
      rows[i] = {}
      for j = 1, 5 do rows[i][j] = ((i * 7 + j * 3) % 11) * 0.37 - 2 end
    end
    local x, y = nn.tensor(rows), nn.index{2, 5, 1, 3}
    local rl, rg = ref.svm(x:totable(), y:totable(), 1)
    assert.is_true(rel(crit:forward(x, y), rl) < REL)
    assert.is_true(ref.max_rel(crit:backward(x, y), rg) < REL)
    assert.is_true(nn.gradcheck(crit, {x, y}, {eps = 1e-3}).ok)
    assert.equal(nn.MultiMarginLoss, nn.SVMLoss)
    assert.equal("nn.SVMLoss(margin=0.5)", tostring(nn.SVMLoss(0.5)))
  end)
end)

describe("nn.gradcheck on functions", function()
  it("checks a function returning the loss and the input gradients", function()
    local f = function(a, b)
      local l = (a * b):sum()
      return l, {b:clone(), a:clone()}
    end
    local r = nn.gradcheck(f, {nn.randn(3), nn.randn(3)})
    assert.is_true(r.ok, tostring(r))
    local wrong = function(a) return (a * a):sum(), {a:clone()} end -- true gradient is 2a
    assert.is_false(nn.gradcheck(wrong, {nn.ones(3)}).ok)
    assert.error_matches(function() nn.gradcheck(5, {}) end,
      "nn.gradcheck: expected a module, a criterion or a function, got number")
  end)
end)
