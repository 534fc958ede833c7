-- Binary classification metrics: nn.metrics.accuracy / confusion with one
-- score per row and float labels (0/1, -1/+1) or index labels 1/2, the
-- threshold rules, and accuracy reported by nn.fit / nn.evaluate for a
-- single-output model (MSE with tanh, BCE with logits, sigmoid + MSE).
local nn = require "nn"
local optim = require "optim"

describe("nn.metrics, binary", function()
  -- scores and labels chosen so that each threshold gives a different count
  local s = nn.tensor{{-2}, {-0.2}, {0.3}, {0.7}, {2}}
  local pm = nn.tensor{{-1}, {1}, {-1}, {1}, {1}}
  local zo = nn.tensor{0, 1, 0, 1, 1}

  it("thresholds -1/+1 labels at 0 (sign of a tanh output)", function()
    -- predicted + for 0.3, 0.7, 2: rows 1, 4, 5 right
    assert.equal(3 / 5, nn.metrics.accuracy(s, pm))
    assert.equal(3 / 5, nn.metrics.accuracy(s:view(-1), pm:view(-1)))
  end)
  it("thresholds 0/1 labels at 0.5 (probabilities) unless told", function()
    -- predicted + for 0.7, 2: rows 1, 3, 4, 5 right
    assert.near(4 / 5, nn.metrics.accuracy(s, zo), 1e-7)
    assert.near(3 / 5, nn.metrics.accuracy(s, zo, {threshold = 0}), 1e-7)
    assert.near(3 / 5, nn.metrics.accuracy(s, zo, 0), 1e-7)
    assert.near(3 / 5, nn.metrics.accuracy(s, zo, 1), 1e-7) -- only 2 is +: rows 1, 3, 5
  end)
  it("takes index labels 1/2 with one score per row (2 positive)", function()
    assert.near(4 / 5, nn.metrics.accuracy(s, nn.index{1, 2, 1, 2, 2}), 1e-7)
  end)
  it("gives a 2x2 confusion matrix, negative class first", function()
    -- threshold 0: pred - - + + +, truth - + - + +  -> TN 1, FP 1, FN 1, TP 2
    assert.same({{1, 1}, {1, 2}}, nn.metrics.confusion(s, pm):totable())
    assert.same({{2, 0}, {1, 2}}, nn.metrics.confusion(s, zo):totable())
    assert.same({{1, 1}, {1, 2}}, nn.metrics.confusion(s, zo, {threshold = 0}):totable())
    local r = nn.metrics.precision_recall(nn.metrics.confusion(s, pm))
    assert.near(2 / 3, r.precision[2], 1e-7)
  end)
  it("rejects labels that are not a binary coding, and several scores", function()
    assert.error_matches(function() nn.metrics.accuracy(s, nn.tensor{0, 1, 2, 0, 1}) end,
      "must all be 0/1 or all %-1/%+1")
    assert.error_matches(function() nn.metrics.accuracy(nn.zeros(5, 2), zo) end,
      "binary labels need one float score per row")
    assert.error_matches(function() nn.metrics.accuracy(s, nn.tensor{0, 1}) end, "5 predictions for 2 labels")
    assert.error_matches(function() nn.metrics.accuracy(s, zo, {threshold = "x"}) end, "threshold must be a number")
    assert.error_matches(function() nn.metrics.confusion(s, zo, 3) end, "a binary problem has 2 classes")
    assert.error_matches(function() nn.metrics.accuracy(s, nn.index{1, 2, 3, 1, 1}) end, "must be 1 or 2")
  end)
  it("keeps multi-class accuracy on index predictions", function()
    assert.equal(2 / 3, nn.metrics.accuracy(nn.index{1, 3, 2}, nn.index{1, 3, 3}))
  end)
  it("chooses the threshold nn.fit uses from the loss", function()
    assert.equal(0, nn.metrics.binary_threshold(nn.BCEWithLogitsLoss(), zo))
    assert.equal(0.5, nn.metrics.binary_threshold(nn.MSELoss(), zo))
    assert.equal(0, nn.metrics.binary_threshold(nn.MSELoss(), pm))
    assert.is_nil(nn.metrics.binary_counter(nn.MSELoss(), nn.tensor{0.5, 2}))
  end)
end)

-- Two separable blobs in 2-d; labels in the coding of each case.
local function blobs(n, coding)
  nn.seed(3)
  local x = nn.randn(n, 2)
  local pos = x:narrow(2, 1, 1):add(x:narrow(2, 2, 1)):gt(0) -- (n,1) float 0/1
  x:add_(nn.where(pos, 1.5, -1.5)) -- push the classes apart
  local y = coding == "pm1" and pos * 2 - 1 or pos
  return x, y
end

describe("nn.fit and nn.evaluate with one output", function()
  local cases = {
    {"tanh output, -1/+1 labels, MSE", "pm1", function() return nn.Sequential{nn.Linear(2, 1), nn.Tanh()} end,
     nn.MSELoss},
    {"logit output, 0/1 labels, BCE with logits", "01", function() return nn.Linear(2, 1) end,
     nn.BCEWithLogitsLoss},
    {"sigmoid output, 0/1 labels, MSE", "01", function() return nn.Sequential{nn.Linear(2, 1), nn.Sigmoid()} end,
     nn.MSELoss},
  }
  for _, c in ipairs(cases) do
    it("report accuracy: " .. c[1], function()
      local x, y = blobs(400, c[2])
      nn.seed(1)
      local m = c[3]()
      local h = nn.fit{model = m, loss = c[4](), optimizer = optim.sgd{lr = 0.5}, x = x, y = y,
                       val = {x = x, y = y}, batch = 20, epochs = 15, seed = 1, quiet = true}
      assert.is_number(h.train_acc[15])
      assert.is_number(h.val_acc[15])
      assert.is_true(h.val_acc[15] > 0.95, "val accuracy " .. tostring(h.val_acc[15]))
      local _, acc = nn.evaluate(m, c[4](), x, y)
      -- the same rule by hand: threshold 0 for tanh and logits, 0.5 for the sigmoid
      local th = c[2] == "pm1" and 0 or (c[4] == nn.BCEWithLogitsLoss and 0 or 0.5)
      local out = m:forward(x)
      local by_hand = out:gt(th):eq(y:gt(0)):mean()
      assert.near(by_hand, acc, 1e-6)
      assert.near(acc, h.val_acc[15], 1e-6)
    end)
  end
  it("an untrained logit model scores what its threshold says (not 0.5 for logits)", function()
    local x, y = blobs(100, "01")
    nn.seed(5)
    local m = nn.Linear(2, 1)
    local _, acc = nn.evaluate(m, nn.BCEWithLogitsLoss(), x, y)
    assert.near(m:forward(x):gt(0):eq(y):mean(), acc, 1e-6)
  end)
end)
