-- Layers: forward and backward against double-precision references
-- (tests/lua/ref/layers.lua, rel. error < 1e-4), numerical gradient checks
-- (nn.gradcheck), buffer reuse, printing, and every argument error.
local nn = require "nn"
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local ref = dofile(here .. "ref/layers.lua")

local REL = 1e-4

-- Run forward and backward with a seeded random gradOutput; returns
-- output, gradInput and the gradient tables of the module's parameters.
local function run(m, x, seed)
  nn.seed(seed or 7)
  local y = m:forward(x)
  local dy = nn.zeros(y:size()):uniform_(-1, 1)
  m:zero_grad()
  local dx = m:backward(x, dy)
  local _, grads = m:parameters()
  return y, dx, dy, grads
end

describe("nn.Linear", function()
  it("matches the double reference forward and backward", function()
    nn.seed(1)
    local m = nn.Linear(5, 4)
    m.bias:uniform_(-1, 1)
    local x = nn.randn(3, 5)
    local y, dx, dy, grads = run(m, x)
    local W, b = m.weight:totable(), m.bias:totable()
    assert.is_true(ref.max_rel(y, ref.linear(x:totable(), W, b)) < REL)
    local rdx, rdW, rdb = ref.linear_backward(x:totable(), W, dy:totable())
    assert.is_true(ref.max_rel(dx, rdx) < REL)
    assert.is_true(ref.max_rel(grads[1], rdW) < REL)
    assert.is_true(ref.max_rel(grads[2], rdb) < REL)
  end)
  it("passes a numerical gradient check", function()
    nn.seed(2)
    local r = nn.gradcheck(nn.Linear(4, 3), nn.randn(5, 4))
    assert.is_true(r.ok, tostring(r))
    assert.is_true(r["1.weight"] == nil and r.weight ~= nil)
  end)
  it("accumulates parameter gradients until zero_grad", function()
    nn.seed(3)
    local m, x = nn.Linear(3, 2), nn.randn(4, 3)
    local g = nn.ones(4, 2)
    m:zero_grad(); m:forward(x); m:backward(x, g)
    local once = m.gradWeight:clone()
    m:forward(x); m:backward(x, g)
    assert.is_true(nn.allclose(m.gradWeight, once * 2, 1e-6, 1e-6))
    m:zero_grad()
    assert.equal(0, m.gradWeight:abs():sum())
  end)
  it("reuses its output buffer across calls of the same shape", function()
    local m = nn.Linear(3, 2)
    local a = m:forward(nn.randn(4, 3))
    local id = a:storage_id()
    local b = m:forward(nn.randn(4, 3))
    assert.equal(a, b)
    assert.equal(id, b:storage_id())
  end)
  it("skips the input gradient when told the input is data", function()
    nn.seed(17)
    local m = nn.Sequential{nn.Linear(3, 2), nn.Tanh()}
    local x, g = nn.randn(4, 3), nn.ones(4, 2)
    m:forward(x)
    m:zero_grad()
    m:backward(x, g)
    local dW = m.modules[1].gradWeight:clone()
    m:need_input_grad(false):zero_grad()
    assert.is_nil(m:backward(x, g))
    assert.is_true(nn.allclose(m.modules[1].gradWeight, dW, 0, 0))
    m:need_input_grad(true)
    assert.same({4, 3}, m:backward(x, g):size())
  end)
  it("answers to the Torch7 names zeroGrad, numParameters, needInputGrad", function()
    local m = nn.Sequential{nn.Linear(3, 2), nn.Tanh()}
    local x = nn.randn(4, 3)
    m:forward(x); m:backward(x, nn.ones(4, 2))
    assert.equal(m, m:zeroGrad())
    assert.equal(0, m.modules[1].gradWeight:abs():sum())
    assert.equal(m:num_parameters(), m:numParameters())
    m:needInputGrad(false) -- Sequential's override, reached through the alias
    assert.is_true(m.modules[1]._no_input_grad)
    m:needInputGrad(true)
    assert.is_false(m.modules[1]._no_input_grad)
    local r = nn.LSTM(2, 3)
    r:setInitialState(nn.zeros(1, 3), nn.zeros(1, 3))
    assert.is_not_nil(r.c0)
  end)
  it("takes a single row and no-bias layers", function()
    local m = nn.Linear(3, 2, {bias = false})
    assert.is_nil(m.bias)
    local y = m:forward(nn.ones(3))
    assert.same({2}, y:size())
    assert.equal(6, m:num_parameters())
    assert.equal("nn.Linear(3 -> 2, no bias)  (6 parameters)", tostring(m))
  end)
  it("initializes W Xavier-uniform and b at zero", function()
    nn.seed(4)
    local m = nn.Linear(60, 40)
    local a = math.sqrt(6 / 100)
    assert.is_true(m.weight:max() <= a and m.weight:min() >= -a)
    assert.is_true(m.weight:max() > 0.9 * a)
    assert.equal(0, m.bias:abs():sum())
  end)
  it("names shape errors", function()
    local m = nn.Linear(3, 2)
    assert.error_matches(function() m:forward(nn.ones(4, 5)) end,
      "nn.C.linear_forward: size mismatch, x %(4x5%) · W %(3x2%): x has 5 features, W expects 3")
    assert.error_matches(function() m:forward(nn.ones(2, 2, 3)) end,
      "nn.Linear.forward: input must be %(batch, 3%) or %(3%), got 2x2x3")
    assert.error_matches(function() nn.Linear(0, 2) end,
      "nn.Linear: the number of inputs must be a positive integer, got 0")
    assert.error_matches(function() m:backward(nn.ones(4, 3), nn.ones(4, 5)) end,
      "nn.C.linear_backward: shapes do not fit: x %(4x3%), W %(3x2%), dout %(4x5%); dout must be 4x2")
    assert.error_matches(function() nn.C.linear_forward(nn.zeros(1), nn.ones(2, 3):t(), nn.ones(2, 2)) end,
      "x %(3x2%) must be contiguous")
  end)
end)

describe("nn.Embedding", function()
  it("looks up rows and scatter-adds gradients of repeated words", function()
    nn.seed(5)
    local m = nn.Embedding(6, 4)
    local idx = nn.index{{2, 5, 2}, {6, 2, 1}}
    local y, _, dy, grads = run(m, idx)
    assert.same({2, 3, 4}, y:size())
    local flat = {2, 5, 2, 6, 2, 1}
    assert.is_true(ref.max_rel(y:view(6, 4), ref.embedding(flat, m.weight:totable())) < REL)
    local rdW = ref.embedding_backward(flat, 6, dy:view(6, 4):totable())
    assert.is_true(ref.max_rel(grads[1], rdW) < REL)
    -- word 2 appears three times: its row gets the three gradient rows
    local d = dy:view(6, 4)
    assert.is_true(nn.allclose(grads[1][2], d[1] + d[3] + d[5], 1e-6, 1e-6))
    assert.equal(0, grads[1][3]:abs():sum())
  end)
  it("feeds View into Linear as concatenated context vectors", function()
    nn.seed(6)
    local m = nn.Sequential{nn.Embedding(10, 3), nn.View(-1, 6), nn.Linear(6, 2)}
    local y = m:forward(nn.index{{1, 2}, {3, 4}, {5, 6}})
    assert.same({3, 2}, y:size())
    local r = nn.gradcheck(m, nn.index{{1, 2}, {3, 1}, {1, 6}})
    assert.is_true(r.ok, tostring(r))
  end)
  it("rejects bad indices and float input", function()
    local m = nn.Embedding(4, 2)
    assert.error_matches(function() m:forward(nn.index{1, 5}) end,
      "nn.C.embedding_forward: index 5 %(element 2%) is outside 1..4, the rows of the table")
    assert.error_matches(function() m:forward(nn.ones(2)) end,
      "nn.Embedding.forward: input must be an index tensor %(nn.index{...}%), got a float tensor")
  end)
end)

describe("pointwise activations", function()
  local cases = {
    {"Sigmoid", nn.Sigmoid, ref.act.sigmoid},
    {"Tanh", nn.Tanh, ref.act.tanh},
    {"ReLU", nn.ReLU, ref.act.relu},
    {"LeakyReLU", function() return nn.LeakyReLU(0.1) end, ref.act.leaky},
  }
  for _, c in ipairs(cases) do
    it(c[1] .. " matches the reference and a numerical check", function()
      nn.seed(8)
      -- inputs away from ReLU's kink, both signs
      local signs = {}
      for i = 1, 4 do
        signs[i] = {}
        for j = 1, 5 do signs[i][j] = (i + j) % 2 == 0 and 1 or -1 end
      end
      local x = (nn.rand(4, 5) * 2 + 0.1) * nn.tensor(signs)
      local m = c[2]()
      local y, dx, dy = run(m, x)
      local xt = x:totable()
      assert.is_true(ref.max_rel(y, ref.map(xt, c[3].f)) < REL)
      local dyt = dy:totable()
      assert.is_true(ref.max_rel(dx, ref.map(xt, function(v, i, j) return dyt[i][j] * c[3].df(v) end)) < REL)
      local r = nn.gradcheck(m, x)
      assert.is_true(r.ok, tostring(r))
    end)
  end
  it("SoftMax matches the reference and a numerical check", function()
    nn.seed(9)
    local x = nn.randn(3, 6) * 2
    local m = nn.SoftMax()
    local y, dx, dy = run(m, x)
    assert.is_true(ref.max_rel(y, ref.softmax(x:totable())) < REL)
    assert.is_true(ref.max_rel(dx, ref.softmax_backward(x:totable(), dy:totable())) < REL)
    assert.is_true(nn.gradcheck(m, x).ok)
    -- rows sum to one even for huge scores
    local big = m:forward(nn.tensor{{1000, 1001, 1002}})
    assert.is_true(math.abs(big:sum() - 1) < 1e-6)
  end)
  it("print their names", function()
    assert.equal("nn.Sigmoid", tostring(nn.Sigmoid()))
    assert.equal("nn.LeakyReLU(0.2)", tostring(nn.LeakyReLU(0.2)))
    assert.error_matches(function() nn.LeakyReLU("x") end, "nn.LeakyReLU: slope must be a finite number, got string")
  end)
end)

describe("nn.Dropout", function()
  it("drops with probability p, rescales the rest, and is seeded", function()
    local m = nn.Dropout(0.25)
    nn.seed(10)
    local x = nn.ones(200, 50)
    local y = m:forward(x):clone()
    local kept = y:clamp(0, 1):sum() -- entries are 0 or 4/3
    assert.is_true(math.abs(kept / 10000 - 0.75) < 0.02)
    assert.is_true(math.abs(y:max() - 1 / 0.75) < 1e-6)
    nn.seed(10)
    assert.is_true(nn.allclose(m:forward(x), y, 0, 0))
    local g = m:backward(x, nn.ones(200, 50))
    assert.is_true(nn.allclose(g, y, 0, 0))
  end)
  it("is the identity in evaluation mode", function()
    local m = nn.Dropout(0.5):evaluate()
    local x = nn.randn(3, 4)
    assert.equal(x, m:forward(x))
    assert.is_true(nn.gradcheck(nn.Dropout(0.3), nn.randn(4, 5), {seed = 11}).ok)
  end)
  it("checks p", function()
    assert.error_matches(function() nn.Dropout(1) end, "nn.Dropout: p must be a number in %[0, 1%), got 1")
  end)
end)

describe("nn.BatchNorm", function()
  it("matches the reference in training mode", function()
    nn.seed(12)
    local m = nn.BatchNorm(4)
    m.weight:uniform_(0.5, 1.5)
    m.bias:uniform_(-1, 1)
    local x = nn.randn(6, 4) * 2 + 1
    local y, dx, dy, grads = run(m, x)
    local g, b = m.weight:totable(), m.bias:totable()
    assert.is_true(ref.max_rel(y, (ref.batchnorm(x:totable(), g, b, 1e-5))) < REL)
    local rdx, rdg, rdb = ref.batchnorm_backward(x:totable(), g, dy:totable(), 1e-5)
    assert.is_true(ref.max_rel(dx, rdx) < REL)
    assert.is_true(ref.max_rel(grads[1], rdg) < REL)
    assert.is_true(ref.max_rel(grads[2], rdb) < REL)
    assert.is_true(nn.gradcheck(m, x).ok)
  end)
  it("tracks running statistics and uses them in evaluation mode", function()
    local m = nn.BatchNorm(1, {momentum = 0.5})
    m:forward(nn.tensor{{1}, {2}, {3}})
    -- running mean 0.5*0 + 0.5*2 = 1; running var 0.5*1 + 0.5*1 (unbiased) = 1
    assert.is_true(math.abs(m.running_mean[1] - 1) < 1e-6)
    assert.is_true(math.abs(m.running_var[1] - 1) < 1e-6)
    m:evaluate()
    local y = m:forward(nn.tensor{{3}})
    assert.is_true(math.abs(y[1][1] - 2 / math.sqrt(1 + 1e-5)) < 1e-5)
    assert.is_true(nn.gradcheck(m, nn.randn(4, 1)).ok)
  end)
  it("normalizes channels of (N, C, H, W) input", function()
    nn.seed(13)
    local m = nn.BatchNorm(2)
    local y = m:forward(nn.randn(3, 2, 2, 2) * 3 + 2)
    local c1 = y:select(2, 1)
    assert.is_true(math.abs(c1:mean()) < 1e-5)
    assert.is_true(math.abs(c1:var() * 11 / 12 - 1) < 1e-3)
  end)
  it("names its errors", function()
    local m = nn.BatchNorm(3)
    assert.error_matches(function() m:forward(nn.ones(4, 2)) end,
      "nn.C.batchnorm_forward: gamma must be a vector of 2 %(one per feature%), got 3")
    assert.error_matches(function() m:forward(nn.ones(1, 3)) end,
      "training mode needs more than one value per feature")
  end)
end)

describe("nn.LayerNorm", function()
  it("matches the reference and a numerical check", function()
    nn.seed(14)
    local m = nn.LayerNorm(5)
    m.weight:uniform_(0.5, 1.5)
    m.bias:uniform_(-1, 1)
    local x = nn.randn(3, 5) * 2
    local y, dx, dy, grads = run(m, x)
    local w, b = m.weight:totable(), m.bias:totable()
    assert.is_true(ref.max_rel(y, ref.layernorm(x:totable(), w, b, 1e-5)) < REL)
    local rdx, rdw, rdb = ref.layernorm_backward(x:totable(), w, dy:totable(), 1e-5)
    assert.is_true(ref.max_rel(dx, rdx) < REL)
    assert.is_true(ref.max_rel(grads[1], rdw) < REL)
    assert.is_true(ref.max_rel(grads[2], rdb) < REL)
    assert.is_true(nn.gradcheck(m, x).ok)
  end)
end)

describe("nn.View and nn.Sequential", function()
  it("views without copying and passes gradients back in the input shape", function()
    local v = nn.View(-1, 6)
    local x = nn.randn(2, 3, 2)
    local y = v:forward(x)
    assert.same({2, 6}, y:size())
    assert.equal(x:storage_id(), y:storage_id())
    local g = v:backward(x, nn.ones(2, 6))
    assert.same({2, 3, 2}, g:size())
    assert.equal(nn.Reshape, nn.View)
    assert.error_matches(function() nn.View(-1, -1) end, "nn.View: at most one dimension can be %-1")
  end)
  it("chains modules, collects parameters and prints the structure", function()
    nn.seed(15)
    local m = nn.Sequential{nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3)}
    assert.equal(3, #m)
    local params, grads = m:parameters()
    assert.equal(4, #params)
    assert.equal(4, #grads)
    assert.equal(4 * 8 + 8 + 8 * 3 + 3, m:num_parameters())
    local names = {}
    for _, e in ipairs(m:named_parameters()) do names[#names + 1] = e.name end
    assert.same({"1.weight", "1.bias", "3.weight", "3.bias"}, names)
    assert.equal(table.concat({
      "nn.Sequential {  (67 parameters)",
      "  (1) nn.Linear(4 -> 8)  (40 parameters)",
      "  (2) nn.Tanh",
      "  (3) nn.Linear(8 -> 3)  (27 parameters)",
      "}"}, "\n"), tostring(m))
    local r = nn.gradcheck(m, nn.randn(5, 4))
    assert.is_true(r.ok, tostring(r))
    m:evaluate()
    assert.is_false(m.modules[1].train)
    m:training()
    assert.is_true(m.modules[3].train)
    assert.error_matches(function() nn.Sequential{nn.Tanh(), 5} end,
      "nn.Sequential: element 2 is not a module %(got number%)")
  end)
end)

describe("nn.class", function()
  it("makes new modules that work with containers and gradcheck", function()
    local Scale = nn.class("TestScale")
    function Scale:__init(k) nn.Module.__init(self); self.k = k end
    function Scale:forward(x) self.output = x * self.k; return self.output end
    function Scale:backward(_, g) self.gradInput = g * self.k; return self.gradInput end
    local m = nn.Sequential{nn.Linear(2, 2), nn.TestScale(3)}
    assert.is_true(nn.gradcheck(m, nn.randn(3, 2)).ok)
    assert.equal("nn.TestScale", tostring(nn.TestScale(1)))
    assert.same({type = "TestScale", args = {3}}, nn.TestScale(3):spec())
  end)
end)

describe("nn.init", function()
  it("is seeded and fills in place", function()
    nn.seed(16)
    local a = nn.init.normal(nn.zeros(3, 3), 0.01)
    nn.seed(16)
    local b = nn.init.normal(nn.zeros(3, 3), 0.01)
    assert.is_true(nn.allclose(a, b, 0, 0))
    assert.is_true(a:abs():max() < 0.06)
    local w = nn.init.xavier_uniform(nn.zeros(10, 20))
    assert.is_true(w:abs():max() <= math.sqrt(6 / 30))
    local h = nn.init.he(nn.zeros(200, 100))
    assert.is_true(math.abs(h:std() - math.sqrt(2 / 200)) < 0.005)
    assert.equal(0, nn.init.zeros(nn.ones(2)):sum())
    assert.error_matches(function() nn.init.he(nn.zeros(3)) end,
      "nn.init.he: needs a 2%-d %(in, out%) weight, got a 1%-d tensor")
  end)
end)

describe("hyper-parameters of layers, criteria and initializers", function()
  local nan, inf = 0 / 0, math.huge
  it("reject NaN, infinities and out-of-range values, naming the parameter and range", function()
    local t = nn.zeros(3, 4)
    local cases = {
      {function() nn.Dropout(nan) end, "nn.Dropout: p must be a number in %[0, 1%), got NaN"},
      {function() nn.Dropout(-0.1) end, "nn.Dropout: p must be a number in %[0, 1%), got %-0.1"},
      {function() nn.LeakyReLU(nan) end, "nn.LeakyReLU: slope must be a finite number, got NaN"},
      {function() nn.BatchNorm(3, {eps = 0}) end, "nn.BatchNorm: eps must be a finite number > 0, got 0"},
      {function() nn.BatchNorm(3, {momentum = inf}) end, "nn.BatchNorm: momentum must be a number in %[0, 1%], got inf"},
      {function() nn.LayerNorm(3, {eps = nan}) end, "nn.LayerNorm: eps must be a finite number > 0, got NaN"},
      {function() nn.SVMLoss(inf) end, "nn.SVMLoss: margin must be a finite number, got inf"},
      {function() nn.init.uniform(t, nan, 1) end, "nn.init.uniform: lo must be a finite number, got NaN"},
      {function() nn.init.uniform(t, 0, inf) end, "nn.init.uniform: hi must be a finite number >= 0, got inf"},
      {function() nn.init.uniform(t, 2, 1) end, "nn.init.uniform: hi must be a finite number >= 2, got 1"},
      {function() nn.init.normal(t, -1) end, "nn.init.normal: std must be a finite number >= 0, got %-1"},
      {function() nn.init.normal(t, 1, nan) end, "nn.init.normal: mean must be a finite number, got NaN"},
      {function() nn.init.xavier_uniform(t, 0) end, "nn.init.xavier_uniform: gain must be a finite number > 0, got 0"},
      {function() nn.init.constant(t, nan) end, "nn.init.constant: v must be a finite number, got NaN"},
    }
    for _, c in ipairs(cases) do assert.error_matches(c[1], c[2]) end
  end)
  it("accept the edges of their ranges", function()
    assert.equal(0, nn.Dropout(0).p)
    assert.is_table(nn.BatchNorm(2, {momentum = 1}))
    local t = nn.init.uniform(nn.zeros(2, 2), 1, 1)
    assert.equal(4, t:sum())
  end)
end)
