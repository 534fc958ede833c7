-- Q1 autoencoder: preprocessing on hand-made inputs, the fused cost and
-- gradients against a double-precision Lua reference and central
-- differences, training lowers J, and the error messages.
local nn = require "nn"
local ae = require "ae"

local function close(a, b, tol)
  return math.abs(a - b) <= (tol or 1e-6) * (1 + math.abs(b))
end

-- ||a-b|| / ||b|| over two flat Lua arrays.
local function relerr(a, b)
  local num, den = 0, 0
  for i = 1, #b do
    num = num + (a[i] - b[i]) ^ 2
    den = den + b[i] ^ 2
  end
  return math.sqrt(num) / math.sqrt(den)
end

local function flat(t)
  local out = {}
  local function walk(v)
    if type(v) == "table" then for _, x in ipairs(v) do walk(x) end else out[#out + 1] = v end
  end
  walk(type(t) == "table" and t or t:totable())
  return out
end

describe("ae preprocessing", function()
  it("converts RGB to luminosity gray", function()
    -- one patch of 1x2 pixels: (R,G,B) = (1,0,0) and (0.5,1,0.25)
    local rgb = nn.tensor{{{{1, 0.5}}, {{0, 1}}, {{0, 0.25}}}}
    local g = ae.gray(rgb)
    assert.same({1, 1, 2}, g:size())
    assert.is_true(close(g[1][1][1], 0.2126, 1e-6))
    assert.is_true(close(g[1][1][2], 0.2126 * 0.5 + 0.7152 + 0.0722 * 0.25, 1e-6))
  end)

  it("removes each patch's own mean", function()
    local c = ae.remove_mean(nn.tensor{{1, 2, 3}, {10, 20, 30}})
    assert.same({{-1, 0, 1}, {-10, 0, 10}}, c:totable())
    local c3 = ae.remove_mean(nn.tensor{{{1, 3}, {5, 7}}, {{0, 0}, {0, 4}}})
    assert.same({2, 2, 2}, c3:size())
    assert.same({{{-3, -1}, {1, 3}}, {{-1, -1}, {-1, 3}}}, c3:totable())
  end)

  it("clips to ±3 sigma and maps to [0.1, 0.9]", function()
    -- nine zeros and a 10: mean 1, unbiased variance (9*1 + 81)/9 = 10
    local y, sigma = ae.clip_scale(nn.tensor{0, 0, 0, 0, 0, 0, 0, 0, 0, 10})
    assert.is_true(close(sigma, math.sqrt(10), 1e-6))
    assert.is_true(close(y[1], 0.5, 1e-6))  -- 0 is the middle of [-3s, 3s]
    assert.is_true(close(y[10], 0.9, 1e-6)) -- 10 > 3s = 9.49 is clipped to the top
    local z = ae.clip_scale(nn.tensor{-3, -1, 1, 3}) -- sigma = sqrt(20/3), no clipping
    local s = math.sqrt(20 / 3)
    for i, v in ipairs{-3, -1, 1, 3} do
      assert.is_true(close(z[i], 0.1 + 0.8 * (v + 3 * s) / (6 * s), 1e-6))
    end
  end)

  it("chains the three steps in ae.preprocess", function()
    nn.seed(3)
    local rgb = nn.rand(4, 3, 2, 3)
    local x, sigma = ae.preprocess(rgb)
    assert.same({4, 6}, x:size())
    -- the same computation in plain Lua doubles
    local r = rgb:totable()
    local g, all = {}, {}
    for n = 1, 4 do
      g[n] = {}
      local mean = 0
      for i = 1, 2 do
        for j = 1, 3 do
          local v = 0.2126 * r[n][1][i][j] + 0.7152 * r[n][2][i][j] + 0.0722 * r[n][3][i][j]
          g[n][#g[n] + 1] = v
          mean = mean + v / 6
        end
      end
      for k = 1, 6 do g[n][k] = g[n][k] - mean; all[#all + 1] = g[n][k] end
    end
    local m, ss = 0, 0
    for _, v in ipairs(all) do m = m + v / #all end
    for _, v in ipairs(all) do ss = ss + (v - m) ^ 2 end
    local sd = math.sqrt(ss / (#all - 1))
    assert.is_true(close(sigma, sd, 1e-5))
    for n = 1, 4 do
      for k = 1, 6 do
        local v = math.max(-3 * sd, math.min(3 * sd, g[n][k]))
        assert.is_true(close(x[n][k], 0.1 + 0.8 * (v + 3 * sd) / (6 * sd), 1e-5))
      end
    end
    assert.is_true(x:min() >= 0.1 - 1e-6 and x:max() <= 0.9 + 1e-6)
  end)

  it("names bad input", function()
    assert.has_error(function() ae.gray(nn.rand(2, 4, 3, 3)) end,
      "ae.gray: expected (N,3,H,W) RGB patches, got 2x4x3x3")
    assert.has_error(function() ae.clip_scale(nn.full(0.5, 4)) end,
      "ae.clip_scale: all values are equal (sigma = 0.0): nothing to scale")
    assert.has_error(function() ae.remove_mean(nn.rand(5)) end,
      "ae.remove_mean: expected (N,...) patches, got 5")
  end)
end)

-- Double-precision reference of the cost and gradients (EXPERIMENTS.md).
local function reference(W, b1, b2, X, p)
  local Lhid, Lin, N = #W, #W[1], #X
  local H, O, rh = {}, {}, {}
  for b = 1, Lhid do rh[b] = 0 end
  for m = 1, N do
    H[m], O[m] = {}, {}
    for b = 1, Lhid do
      local z = b1[b]
      for i = 1, Lin do z = z + W[b][i] * X[m][i] end
      H[m][b] = 1 / (1 + math.exp(-z))
      rh[b] = rh[b] + H[m][b] / N
    end
    for i = 1, Lin do
      local z = b2[i]
      for b = 1, Lhid do z = z + W[b][i] * H[m][b] end
      O[m][i] = 1 / (1 + math.exp(-z))
    end
  end
  local mse, w2, kl = 0, 0, 0
  for m = 1, N do for i = 1, Lin do mse = mse + (X[m][i] - O[m][i]) ^ 2 end end
  for b = 1, Lhid do for i = 1, Lin do w2 = w2 + W[b][i] ^ 2 end end
  local rho = p.rho
  for b = 1, Lhid do
    kl = kl + rho * math.log(rho / rh[b]) + (1 - rho) * math.log((1 - rho) / (1 - rh[b]))
  end
  local t = {mse = mse / (2 * N), tykhonov = p.lambda * w2, kl = p.beta * kl}
  t.J = t.mse + t.tykhonov + t.kl
  local dW, db1, db2 = {}, {}, {}
  for b = 1, Lhid do
    dW[b], db1[b] = {}, 0
    for i = 1, Lin do dW[b][i] = 2 * p.lambda * W[b][i] end
  end
  for i = 1, Lin do db2[i] = 0 end
  for m = 1, N do
    local dout, dhid = {}, {}
    for i = 1, Lin do dout[i] = (O[m][i] - X[m][i]) * O[m][i] * (1 - O[m][i]) / N end
    for b = 1, Lhid do
      local s = p.beta / N * (-rho / rh[b] + (1 - rho) / (1 - rh[b]))
      for i = 1, Lin do s = s + W[b][i] * dout[i] end
      dhid[b] = s * H[m][b] * (1 - H[m][b])
    end
    for b = 1, Lhid do
      db1[b] = db1[b] + dhid[b]
      for i = 1, Lin do dW[b][i] = dW[b][i] + dhid[b] * X[m][i] + H[m][b] * dout[i] end
    end
    for i = 1, Lin do db2[i] = db2[i] + dout[i] end
  end
  return t, dW, db1, db2
end

describe("ae.cost", function()
  local p = {lambda = 1e-3, beta = 2.2, rho = 0.1}
  local We, X
  before_each(function()
    nn.seed(7)
    We = ae.init(12, 5)
    X = nn.rand(9, 12):mul_(0.8):add_(0.1)
  end)

  it("matches a double-precision reference (rel. error < 1e-4)", function()
    local J, t, g = ae.cost(We, X, p)
    local rt, dW, db1, db2 = reference(We.W:totable(), We.b1:totable(), We.b2:totable(),
                                       X:totable(), p)
    assert.is_true(close(J, rt.J, 1e-5))
    assert.equal(J, t.J)
    for _, k in ipairs{"mse", "tykhonov", "kl"} do
      assert.is_true(close(t[k], rt[k], 1e-5), k)
    end
    assert.is_true(relerr(flat(g.W), flat(dW)) < 1e-4)
    assert.is_true(relerr(flat(g.b1), db1) < 1e-4)
    assert.is_true(relerr(flat(g.b2), db2) < 1e-4)
    local H = ae.forward(We, X)
    assert.is_true(close(t.mean_act, H:mean(), 1e-5))
  end)

  it("passes a float32 central-difference check (rel. error < 1e-2)", function()
    local _, _, g = ae.cost(We, X, p)
    for _, name in ipairs{"W", "b1", "b2"} do
      local param = We[name]:view(-1)
      local analytic = flat(g[name])
      local numeric = {}
      for k = 1, param:numel() do
        local keep = param[k]
        param[k] = keep + 1e-2
        local jp = ae.cost(We, X, p)
        param[k] = keep - 1e-2
        local jm = ae.cost(We, X, p)
        param[k] = keep
        numeric[k] = (jp - jm) / 2e-2
      end
      assert.is_true(relerr(analytic, numeric) < 1e-2, name)
    end
  end)

  it("writes into preallocated gradients", function()
    local g = ae.grads(We)
    local _, _, g2 = ae.cost(We, X, p, g)
    assert.equal(g, g2)
    assert.is_true(g.W:abs():sum() > 0)
  end)

  it("names bad arguments", function()
    assert.has_error(function() ae.cost(We, nn.rand(3, 11), p) end,
      "ae.cost: data must be N x 12 (one patch per row, Lin = W's columns), got 3x11")
    assert.has_error(function() ae.cost(We, X, {lambda = 0, beta = 1, rho = 1}) end,
      "ae.cost: rho must be in (0,1), got 1")
    assert.has_error(function() ae.cost(We, X, {lambda = 0, beta = 1}) end,
      "ae.cost: params.rho must be a number, got nil")
    assert.has_error(function() ae.cost({W = We.W}, X, p) end,
      "ae.cost: We must be a table {W=, b1=, b2=}, got table")
    assert.has_error(function() ae.cost(We, X, {lambda = 0, beta = 1, rho = 0.1, Lhid = 6}) end,
      "ae.cost: params.Lhid = 6 but W is 5x12")
    assert.has_error(function()
      ae.cost({W = We.W, b1 = nn.zeros(4), b2 = We.b2}, X, p)
    end, "ae.cost: b1 must be a vector of 5, got 4")
    assert.has_error(function() ae.init(0, 3) end,
      "ae.init: Lin and Lhid must be positive integers, got 0 and 3")
  end)
end)

describe("ae.train", function()
  it("lowers J in 3 epochs on 1,000 patches", function()
    local h5 = require "h5"
    local rgb = h5.read("data/data1.h5", "data"):narrow(1, 1, 1000)
    local x = ae.preprocess(rgb)
    nn.seed(1)
    local We = ae.init(256, 64)
    local p = {lambda = 5e-4, beta = 0.5, rho = 0.05}
    local J0 = ae.cost(We, x, p)
    local seen = 0
    local hist = ae.train(We, x, {lambda = p.lambda, beta = p.beta, rho = p.rho, lr = 0.05,
                                  momentum = 0.9, batch = 32, epochs = 3,
                                  on_epoch = function() seen = seen + 1 end})
    local J3 = ae.cost(We, x, p)
    assert.equal(3, #hist)
    assert.equal(3, seen)
    assert.is_true(hist[3].J < hist[1].J)
    assert.is_true(J3 < 0.8 * J0, ("J %g -> %g"):format(J0, J3))
    for _, r in ipairs(hist) do
      assert.is_true(close(r.J, r.mse + r.tykhonov + r.kl, 1e-9))
    end
  end)

  it("is reproducible from the seed", function()
    local x = nn.rand(100, 16)
    local function once()
      nn.seed(5)
      local We = ae.init(16, 4)
      ae.train(We, x, {epochs = 2, batch = 10})
      return We.W:totable()
    end
    assert.same(once(), once())
  end)
end)
