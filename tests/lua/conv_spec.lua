-- Convolutional layers: nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d, nn.GroupNorm,
-- nn.BatchNorm2d, nn.Flatten, nn.LeakyReLU on images.  Forward and backward
-- against the double-precision references (tests/lua/ref/conv.lua, rel.
-- error < 1e-4), numerical gradient checks, the im2col path equal to the
-- direct loops on odd shapes, shape errors, buffer reuse, save/load.
local nn = require "nn"
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local ref = dofile(here .. "ref/conv.lua")
local lref = dofile(here .. "ref/layers.lua")

local REL = 1e-4
local max_rel = lref.max_rel

-- forward, then backward with a seeded random gradOutput.
local function run(m, x, seed)
  nn.seed(seed or 7)
  local y = m:forward(x)
  local dy = nn.zeros(y:size()):uniform_(-1, 1)
  m:zero_grad()
  local dx = m:backward(x, dy)
  return y, dx, dy
end

-- Distinct values 0.1 apart in random order, none within 0.05 of zero: no
-- ties or kinks within the step of the numerical check, so max pooling's
-- arg-max and ReLU's side are stable under perturbation.
local function separated(...)
  local n = 1
  for _, d in ipairs{...} do n = n * d end
  return ((nn.randperm(n):float() - n / 2 - 0.5) * 0.1):view(...):contiguous()
end

local dir = os.tmpname()
os.remove(dir)
os.execute("mkdir -p '" .. dir .. "'")

describe("nn.Conv2d", function()
  -- batch 1, cin 3, non-square 7x5 input, 3x2 kernel, stride 2, pad 1
  local cases = {
    {n = 1, cin = 3, h = 7, w = 5, cout = 4, k = {3, 2}, stride = 2, pad = 1},
    {n = 2, cin = 2, h = 6, w = 9, cout = 3, k = 3, stride = {1, 2}, pad = {0, 1}},
    {n = 2, cin = 4, h = 3, w = 4, cout = 2, k = 1},
  }
  for i, c in ipairs(cases) do
    it(("matches the double reference, fast and direct (case %d)"):format(i), function()
      for _, direct in ipairs{false, true} do
        nn.seed(20 + i)
        local m = nn.Conv2d(c.cin, c.cout, c.k, {stride = c.stride, pad = c.pad, direct = direct})
        local x = nn.randn(c.n, c.cin, c.h, c.w)
        local y, dx, dy = run(m, x)
        local sh, sw, ph, pw = m.sh, m.sw, m.ph, m.pw
        local ry = ref.conv2d(x:totable(), m.weight:totable(), m.bias:totable(), sh, sw, ph, pw)
        assert.is_true(max_rel(y, ry) < REL)
        local rdx, rdW, rdb = ref.conv2d_backward(x:totable(), m.weight:totable(), dy:totable(),
          sh, sw, ph, pw)
        assert.is_true(max_rel(dx, rdx) < REL)
        assert.is_true(max_rel(m.gradWeight, rdW) < REL)
        assert.is_true(max_rel(m.gradBias, rdb) < REL)
      end
    end)
  end
  it("computes the same with im2col as with the direct loops", function()
    nn.seed(30)
    local fast = nn.Conv2d(3, 5, 3, {stride = 2, pad = 1})
    local slow = nn.Conv2d(3, 5, 3, {stride = 2, pad = 1, direct = true})
    slow.weight:copy(fast.weight)
    slow.bias:copy(fast.bias)
    local x = nn.randn(1, 3, 9, 6)
    local y1, dx1 = run(fast, x)
    local y2, dx2 = run(slow, x)
    assert.same({1, 5, 5, 3}, y1:size())
    assert.is_true(nn.allclose(y1, y2, 1e-5, 1e-5))
    assert.is_true(nn.allclose(dx1, dx2, 1e-5, 1e-5))
    assert.is_true(nn.allclose(fast.gradWeight, slow.gradWeight, 1e-5, 1e-5))
    assert.is_true(nn.allclose(fast.gradBias, slow.gradBias, 1e-5, 1e-5))
  end)
  it("passes a numerical gradient check", function()
    nn.seed(31)
    local r = nn.gradcheck(nn.Conv2d(2, 3, 3, {stride = 2, pad = 1}), nn.randn(2, 2, 5, 4))
    assert.is_true(r.ok, tostring(r))
    r = nn.gradcheck(nn.Conv2d(2, 2, {2, 3}, {bias = false}), nn.randn(1, 2, 4, 5))
    assert.is_true(r.ok, tostring(r))
  end)
  it("takes a single (C, H, W) image", function()
    nn.seed(32)
    local m = nn.Conv2d(2, 3, 3, {pad = 1})
    local x = nn.randn(2, 4, 5)
    local y = m:forward(x)
    assert.same({3, 4, 5}, y:size())
    assert.same({2, 4, 5}, m:backward(x, nn.ones(3, 4, 5)):size())
  end)
  it("reuses its output and workspace across batches of one shape", function()
    local m = nn.Conv2d(1, 4, 3, {pad = 1})
    local a = m:forward(nn.randn(8, 1, 6, 6))
    local id, ws = a:storage_id(), m._ws:storage_id()
    m:backward(nn.randn(8, 1, 6, 6), nn.ones(8, 4, 6, 6))
    local b = m:forward(nn.randn(8, 1, 6, 6))
    assert.equal(id, b:storage_id())
    assert.equal(ws, m._ws:storage_id())
  end)
  it("skips the input gradient when the input is data", function()
    nn.seed(33)
    local m = nn.Conv2d(1, 2, 3)
    local x, g = nn.randn(2, 1, 5, 5), nn.ones(2, 2, 3, 3)
    m:forward(x)
    m:zero_grad()
    m:backward(x, g)
    local dW = m.gradWeight:clone()
    m:need_input_grad(false):zero_grad()
    assert.is_nil(m:backward(x, g))
    assert.is_true(nn.allclose(m.gradWeight, dW, 0, 0))
  end)
  it("initializes like PyTorch and prints its geometry", function()
    nn.seed(34)
    local m = nn.Conv2d(4, 8, 3, {stride = 2, pad = 1})
    local a = 1 / math.sqrt(4 * 9)
    assert.same({8, 4, 3, 3}, m.weight:size())
    assert.is_true(m.weight:abs():max() <= a and m.weight:abs():max() > 0.9 * a)
    assert.is_true(m.bias:abs():max() <= a)
    assert.equal("nn.Conv2d(4 -> 8, 3, stride 2, pad 1)  (296 parameters)", tostring(m))
    assert.equal("nn.Conv2d(1 -> 2, 3x5, no bias)  (30 parameters)", tostring(nn.Conv2d(1, 2, {3, 5}, {bias = false})))
  end)
  it("names the layer and the shapes in its errors", function()
    local m = nn.Conv2d(3, 4, 7)
    assert.error_matches(function() m:forward(nn.ones(2, 1, 28, 28)) end,
      "nn.Conv2d%(3 %-> 4, 7%).forward: input 2x1x28x28 has 1 channels, the layer expects 3", 1, false)
    assert.error_matches(function() m:forward(nn.ones(2, 3, 5, 9)) end,
      "nn.Conv2d%(3 %-> 4, 7%).forward: kernel 7x7 is larger than the padded input 5x9 %(input 2x3x5x9, pad 0%)")
    assert.error_matches(function() m:forward(nn.ones(3, 28)) end,
      "input must be %(N, 3, H, W%) or %(3, H, W%), got 3x28")
    assert.error_matches(function() nn.Conv2d(1, 2, 0) end,
      "nn.Conv2d: the kernel size must be a positive integer or a pair {h, w} of them, got 0")
    assert.error_matches(function() nn.Conv2d(1, 2, 3, {pad = -1}) end,
      "nn.Conv2d: pad must be a non%-negative integer")
    assert.error_matches(function()
      nn.C.conv2d_forward(nn.zeros(0), nn.zeros(0), nn.ones(1, 2, 5, 5), nn.ones(3, 1, 3, 3), nil, 1, 1, 0, 0)
    end, "nn.C.conv2d_forward: channel mismatch: x %(1x2x5x5%) has 2 channels, W %(3x1x3x3%) expects 1")
    assert.error_matches(function()
      nn.C.conv2d_backward(nil, nn.zeros(3, 1, 3, 3), nil, nn.zeros(0), nn.ones(1, 2, 3, 3),
        nn.ones(1, 1, 5, 5), nn.ones(3, 1, 3, 3), 1, 1, 0, 0)
    end, "dout must be 1x3x3x3 %(the output's shape%), got 1x2x3x3")
  end)
end)

describe("pooling", function()
  it("MaxPool2d matches the reference and routes gradients to the arg-max", function()
    nn.seed(40)
    -- 2x2 on an even plane takes the tiled path of src/core/pool2d.c
    for _, c in ipairs{{k = 2}, {k = 2, h = 8}, {k = 3, s = 2, p = 1}, {k = {2, 3}, s = {1, 2}}} do
      local m = nn.MaxPool2d(c.k, c.s, c.p)
      local x = separated(2, 3, c.h or 7, 6)
      local y, dx, dy = run(m, x)
      local ry, rdx = ref.pool2d("max", x:totable(), dy:totable(), m.kh, m.kw, m.sh, m.sw, m.ph, m.pw)
      assert.is_true(max_rel(y, ry) < REL)
      assert.is_true(max_rel(dx, rdx) < REL)
      assert.is_true(nn.gradcheck(m, x).ok)
    end
  end)
  it("MaxPool2d gives a tie to the first maximum", function()
    local m = nn.MaxPool2d(2)
    local x = nn.tensor{{{{1, 3}, {3, 0}}}}
    m:forward(x)
    local g = m:backward(x, nn.ones(1, 1, 1, 1))
    assert.same({{{{0, 1}, {0, 0}}}}, g:totable())
  end)
  it("AvgPool2d matches the reference and a numerical check", function()
    nn.seed(41)
    for _, c in ipairs{{k = 2}, {k = 3, s = 2, p = 1}} do
      local m = nn.AvgPool2d(c.k, c.s, c.p)
      local x = nn.randn(2, 2, 5, 7)
      local y, dx, dy = run(m, x)
      local ry, rdx = ref.pool2d("avg", x:totable(), dy:totable(), m.kh, m.kw, m.sh, m.sw, m.ph, m.pw)
      assert.is_true(max_rel(y, ry) < REL)
      assert.is_true(max_rel(dx, rdx) < REL)
      assert.is_true(nn.gradcheck(m, x).ok)
    end
  end)
  it("names its errors", function()
    assert.error_matches(function() nn.MaxPool2d(2):forward(nn.ones(4, 4)) end,
      "nn.MaxPool2d%(2%).forward: input must be %(N, C, H, W%), got 4x4")
    assert.error_matches(function() nn.AvgPool2d(5):forward(nn.ones(1, 1, 4, 6)) end,
      "nn.AvgPool2d%(5%).forward: window 5x5 is larger than the padded input 4x6 %(input 1x1x4x6%)")
    assert.error_matches(function() nn.MaxPool2d(2, 2, 2) end,
      "nn.MaxPool2d: pad 2 must be at most half the window 2")
    assert.equal("nn.MaxPool2d(3, stride 2, pad 1)", tostring(nn.MaxPool2d(3, 2, 1)))
  end)
end)

describe("nn.GroupNorm", function()
  it("matches the reference (derived through mean and variance) and a numerical check", function()
    nn.seed(50)
    for _, G in ipairs{1, 2, 6} do
      local m = nn.GroupNorm(G, 6)
      m.weight:uniform_(0.5, 1.5)
      m.bias:uniform_(-1, 1)
      local x = nn.randn(2, 6, 3, 2) * 2 + 1
      local y, dx, dy = run(m, x)
      local ry, rdx, rdg, rdb = ref.groupnorm(x:totable(), G, m.weight:totable(), m.bias:totable(),
        1e-5, dy:totable())
      assert.is_true(max_rel(y, ry) < REL)
      assert.is_true(max_rel(dx, rdx) < REL)
      assert.is_true(max_rel(m.gradWeight, rdg) < REL)
      assert.is_true(max_rel(m.gradBias, rdb) < REL)
      local r = nn.gradcheck(m, x)
      assert.is_true(r.ok, tostring(r))
    end
  end)
  it("is the same in evaluation mode and names its errors", function()
    nn.seed(51)
    local m = nn.GroupNorm(2, 4)
    local x = nn.randn(3, 4, 2, 2)
    local y = m:forward(x):clone()
    m:evaluate()
    assert.is_true(nn.allclose(m:forward(x), y, 0, 0))
    assert.error_matches(function() nn.GroupNorm(3, 4) end,
      "nn.GroupNorm: 4 channels cannot be split into 3 groups")
    assert.error_matches(function() m:forward(nn.ones(2, 3, 2, 2)) end,
      "nn.GroupNorm%(2 groups, 4 channels, eps=1e%-05%).forward: input must be %(N, 4, ...%), got 2x3x2x2")
  end)
end)

describe("nn.BatchNorm2d", function()
  it("normalizes per channel over N, H, W in training mode (reference and numerical)", function()
    nn.seed(60)
    local m = nn.BatchNorm2d(3)
    m.weight:uniform_(0.5, 1.5)
    m.bias:uniform_(-1, 1)
    local x = nn.randn(2, 3, 3, 2) * 2 + 1
    local y, dx, dy = run(m, x)
    local g, b = m.weight:totable(), m.bias:totable()
    local rows = ref.to_rows(x:totable())
    local ry = lref.batchnorm(rows, g, b, 1e-5)
    local rdx, rdg, rdb = lref.batchnorm_backward(rows, g, ref.to_rows(dy:totable()), 1e-5)
    assert.is_true(max_rel(y, ref.from_rows(ry, 2, 3, 3, 2)) < REL)
    assert.is_true(max_rel(dx, ref.from_rows(rdx, 2, 3, 3, 2)) < REL)
    assert.is_true(max_rel(m.gradWeight, rdg) < REL)
    assert.is_true(max_rel(m.gradBias, rdb) < REL)
    assert.is_true(nn.gradcheck(m, x).ok)
  end)
  it("updates running statistics as PyTorch and uses them in evaluation mode", function()
    nn.seed(61)
    local m = nn.BatchNorm2d(2, {momentum = 0.25})
    local x = nn.randn(3, 2, 2, 2) * 3 + 1
    m:forward(x)
    local rows = ref.to_rows(x:totable())
    local _, mean, var = lref.batchnorm(rows, {1, 1}, {0, 0}, 1e-5)
    local M = #rows
    for c = 1, 2 do
      assert.is_true(math.abs(m.running_mean[c] - 0.25 * mean[c]) < 1e-5)
      assert.is_true(math.abs(m.running_var[c] - (0.75 + 0.25 * var[c] * M / (M - 1))) < 1e-4)
    end
    m:evaluate()
    local x2 = nn.randn(2, 2, 3, 1)
    local y = m:forward(x2)
    local want = {}
    for c = 1, 2 do
      want[c] = (x2:select(2, c) - m.running_mean[c]) / math.sqrt(m.running_var[c] + 1e-5)
    end
    assert.is_true(nn.allclose(y:select(2, 1), want[1], 1e-5, 1e-5))
    assert.is_true(nn.allclose(y:select(2, 2), want[2], 1e-5, 1e-5))
    local r = nn.gradcheck(m, x2)
    assert.is_true(r.ok, tostring(r))
  end)
  it("wants (N, C, H, W)", function()
    assert.error_matches(function() nn.BatchNorm2d(3):forward(nn.ones(4, 3)) end,
      "nn.BatchNorm2d%(3%).forward: input must be %(N, 3, H, W%), got 4x3")
  end)
end)

describe("nn.Flatten and nn.LeakyReLU on images", function()
  it("Flatten views (N, C, H, W) as (N, C*H*W) and back", function()
    local f = nn.Flatten()
    local x = nn.randn(2, 3, 4, 5)
    local y = f:forward(x)
    assert.same({2, 60}, y:size())
    assert.equal(x:storage_id(), y:storage_id())
    assert.same({2, 3, 4, 5}, f:backward(x, nn.ones(2, 60)):size())
  end)
  it("LeakyReLU works elementwise on 4-d input", function()
    nn.seed(70)
    local x = separated(2, 2, 3, 3)
    local m = nn.LeakyReLU(0.2)
    local y, dx, dy = run(m, x)
    local fx, fy, fdx, fdy = lref.flat(x), lref.flat(y), lref.flat(dx), lref.flat(dy)
    for i = 1, #fx do
      local s = fx[i] > 0 and 1 or 0.2
      assert.is_true(math.abs(fy[i] - s * fx[i]) <= 1e-6 * math.abs(fx[i]))
      assert.is_true(math.abs(fdx[i] - s * fdy[i]) <= 1e-6)
    end
    assert.is_true(nn.gradcheck(m, x).ok)
  end)
end)

describe("the course's sandwich compositions", function()
  it("conv-relu-pool and affine-relu stack into the three-layer ConvNet", function()
    nn.seed(80)
    local conv_relu_pool = function(cin, cout, k)
      return nn.Conv2d(cin, cout, k, {pad = k // 2}), nn.ReLU(), nn.MaxPool2d(2)
    end
    local c1, c2, c3 = conv_relu_pool(1, 3, 3)
    local m = nn.Sequential{c1, c2, c3, nn.Flatten(), nn.Linear(3 * 3 * 3, 5), nn.ReLU(), nn.Linear(5, 4)}
    local x = nn.randn(2, 1, 6, 6)
    local y = m:forward(x)
    assert.same({2, 4}, y:size())
    -- the container is exactly the layers applied in turn
    local h = x
    for _, layer in ipairs(m.modules) do h = layer:forward(h) end
    assert.is_true(nn.allclose(y, h, 0, 0))
    -- gradients through the stack, with smooth stand-ins for ReLU and max
    -- (their kinks make central differences unreliable; each is checked alone above)
    local smooth = nn.Sequential{nn.Conv2d(1, 3, 3, {pad = 1}), nn.Tanh(), nn.AvgPool2d(2),
      nn.Flatten(), nn.Linear(27, 5), nn.Tanh(), nn.Linear(5, 4)}
    local r = nn.gradcheck(smooth, x)
    assert.is_true(r.ok, tostring(r))
  end)
end)

describe("save and load", function()
  it("round-trip every convolutional layer", function()
    nn.seed(90)
    local m = nn.Sequential{
      nn.Conv2d(2, 4, {3, 2}, {stride = 2, pad = {1, 0}}), nn.BatchNorm2d(4), nn.LeakyReLU(0.1),
      nn.Conv2d(4, 4, 1, {bias = false}), nn.GroupNorm(2, 4), nn.MaxPool2d(2, 1),
      nn.AvgPool2d(2, 1, 1), nn.Flatten(), nn.Linear(4 * 4 * 3, 3)}
    local x = nn.randn(3, 2, 7, 7)
    for _ = 1, 3 do m:forward(x) end -- non-trivial running statistics
    m:evaluate()
    local y = m:forward(x):clone()
    assert.same({3, 3}, y:size())
    local path = dir .. "/conv.h5"
    nn.save(path, m)
    local m2 = nn.load(path)
    assert.equal(tostring(m), tostring(m2))
    assert.is_true(nn.allclose(m2:forward(x), y, 0, 0))
    os.remove(path)
  end)
end)

describe("conv - ReLU - max pool in an nn.Sequential", function()
  -- Two copies of a net with the sandwich in the middle (so the fused run
  -- also passes an input gradient back) and one at the start.
  local function net()
    nn.seed(11)
    return nn.Sequential{
      nn.Conv2d(2, 4, 3, {pad = 1}), nn.ReLU(), nn.MaxPool2d(2),
      nn.Conv2d(4, 3, 3, {pad = 1}), nn.ReLU(), nn.MaxPool2d(2),
      nn.Flatten(), nn.Linear(3 * 3 * 2, 5)}
  end

  it("runs fused and gives the values and gradients of the modules apart", function()
    local a, b = net(), net():fuse(false)
    nn.seed(5)
    local x = nn.randn(7, 2, 12, 8)
    local ya, yb = a:forward(x), b:forward(x)
    assert.is_true(a._fused ~= nil and a._fused[3] and a._fused[6])
    assert.is_nil(b._fused)
    assert.are.equal(0, (ya - yb):abs():max()) -- forward bitwise the same
    local dy = nn.randn(7, 5)
    a:zero_grad(); b:zero_grad()
    local dxa, dxb = a:backward(x, dy), b:backward(x, dy)
    assert.is_true(max_rel(dxa, dxb) < REL)
    local pa, ga = a:parameters()
    local _, gb = b:parameters()
    for i = 1, #pa do assert.is_true(max_rel(ga[i], gb[i]) < REL) end
  end)

  it("falls back to the modules apart when the pooling does not tile", function()
    local a, b = net(), net():fuse(false)
    nn.seed(5)
    local x = nn.randn(2, 2, 13, 8) -- 13 rows: the first pool drops one, the second tiles
    local ya, yb = a:forward(x), b:forward(x)
    assert.is_true(a._fused ~= nil and not a._fused[3] and a._fused[6])
    assert.are.same({2, 5}, ya:size())
    assert.are.equal(0, (ya - yb):abs():max())
  end)
end)
