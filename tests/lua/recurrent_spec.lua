-- Recurrent cells (src/core/rnn.c, lstm.c, gru.c through nn.C.recurrent and
-- the modules nn.RNN, nn.LSTM, nn.GRU) against a reference implementation
-- of the same equations in plain Lua: Lua numbers are doubles, so the
-- reference forward is exact to ~1e-15 and its central differences give
-- gradients to ~1e-9, against which the float32 kernels must agree to a
-- relative error below 1e-4.
local nn = require "nn"

-- Reference -----------------------------------------------------------------

local function sigm(v) return 1 / (1 + math.exp(-v)) end
local function tanh(v)
  local e = math.exp(-2 * math.abs(v))
  local r = (1 - e) / (1 + e)
  return v < 0 and -r or r
end

local GATES = {rnn = 1, lstm = 4, gru = 3}

-- P: {wx[D][G], wh[H][G], b[G], bhn[H] (gru), x[B][T][D], h0[B][H]?, c0?}
-- Returns out[B][T][H] when all, else out[B][H].
local function ref_forward(cell, P, all)
  local B, T, D, H = #P.x, #P.x[1], #P.x[1][1], #P.wh
  local G = GATES[cell] * H
  local out = {}
  for s = 1, B do
    local h, c = {}, {}
    for j = 1, H do
      h[j] = P.h0 and P.h0[s][j] or 0
      c[j] = P.c0 and P.c0[s][j] or 0
    end
    local seq = {}
    for t = 1, T do
      local ax, ah = {}, {}
      for g = 1, G do
        local a = P.b[g]
        for i = 1, D do a = a + P.x[s][t][i] * P.wx[i][g] end
        local r = 0
        for i = 1, H do r = r + h[i] * P.wh[i][g] end
        ax[g], ah[g] = a, r
      end
      local hn = {}
      for j = 1, H do
        if cell == "rnn" then
          hn[j] = tanh(ax[j] + ah[j])
        elseif cell == "lstm" then
          local i = sigm(ax[j] + ah[j])
          local f = sigm(ax[H + j] + ah[H + j])
          local u = tanh(ax[2 * H + j] + ah[2 * H + j])
          local o = sigm(ax[3 * H + j] + ah[3 * H + j])
          c[j] = f * c[j] + i * u
          hn[j] = o * tanh(c[j])
        else -- gru, reset gate after the recurrent product
          local z = sigm(ax[j] + ah[j])
          local r = sigm(ax[H + j] + ah[H + j])
          local n = tanh(ax[2 * H + j] + r * (ah[2 * H + j] + P.bhn[j]))
          hn[j] = (1 - z) * h[j] + z * n
        end
      end
      h = hn
      seq[t] = h
    end
    out[s] = all and seq or h
  end
  return out
end

-- Flatten nested tables in row-major order (the tensor layout).
local function flat(t, acc)
  acc = acc or {}
  if type(t) == "number" then
    acc[#acc + 1] = t
  else
    for _, v in ipairs(t) do flat(v, acc) end
  end
  return acc
end

-- Every number of a nested table, as {table, key} slots for perturbation.
local function slots(t, acc)
  acc = acc or {}
  for k, v in ipairs(t) do
    if type(v) == "number" then acc[#acc + 1] = {t, k} else slots(v, acc) end
  end
  return acc
end

local function loss_of(out, w)
  local o, s = flat(out), 0
  for i = 1, #o do s = s + o[i] * w[i] end
  return s
end

local function relerr(a, b)
  local num, na, nb = 0, 0, 0
  for i = 1, #a do
    num = num + (a[i] - b[i]) ^ 2
    na, nb = na + a[i] ^ 2, nb + b[i] ^ 2
  end
  local den = math.sqrt(math.max(na, nb))
  return den > 0 and math.sqrt(num) / den or math.sqrt(num)
end

-- Random problem with values exactly representable in float32 (they come
-- from float tensors), so kernel and reference see the same numbers.
local function problem(cell, B, T, D, H, states)
  local G = GATES[cell] * H
  local T_ = {
    wx = nn.rand(D, G) * 1.6 - 0.8, wh = nn.rand(H, G) * 1.2 - 0.6,
    b = nn.rand(G) * 0.8 - 0.4, x = nn.randn(B, T, D),
  }
  if cell == "gru" then T_.bhn = nn.rand(H) * 0.8 - 0.4 end
  if states then
    T_.h0 = nn.rand(B, H) - 0.5
    if cell == "lstm" then T_.c0 = nn.rand(B, H) * 2 - 1 end
  end
  local P = {}
  for k, v in pairs(T_) do P[k] = v:totable() end
  return T_, P
end

local function check_cell(cell, all, states)
  nn.seed(42)
  local B, T, D, H = 2, 6, 3, 4
  local Tt, P = problem(cell, B, T, D, H, states)
  local ws = nn.C.recurrent(cell, D, H)
  local p = {wx = Tt.wx, wh = Tt.wh, b = Tt.b, bhn = Tt.bhn}
  local out = ws:forward(Tt.x, p, {all = all, h0 = Tt.h0, c0 = Tt.c0})
  local ref = ref_forward(cell, P, all)
  local o, r = flat(out:totable()), flat(ref)
  assert.are.equal(#r, #o)
  local maxdiff = 0
  for i = 1, #o do maxdiff = math.max(maxdiff, math.abs(o[i] - r[i])) end
  assert.is_true(maxdiff < 1e-5, ("forward max diff %g"):format(maxdiff))

  local w = flat((nn.rand(table.unpack(out:size())) - 0.5):totable())
  local g = {}
  for k, v in pairs(p) do g[k] = nn.zeros(table.unpack(v:size())) end
  local dout = nn.tensor(w):view(table.unpack(out:size()))
  local dx, dh0, dc0 = ws:backward(dout, p, g)
  local analytic = {wx = g.wx, wh = g.wh, b = g.b, bhn = g.bhn, x = dx,
                    h0 = dh0, c0 = dc0}
  local worst = 0
  for name, tab in pairs(P) do
    local a = analytic[name]
    assert.is_not_nil(a, name)
    local num, eps = {}, 1e-6
    for i, slot in ipairs(slots(tab)) do
      local keep = slot[1][slot[2]]
      slot[1][slot[2]] = keep + eps
      local lp = loss_of(ref_forward(cell, P, all), w)
      slot[1][slot[2]] = keep - eps
      local lm = loss_of(ref_forward(cell, P, all), w)
      slot[1][slot[2]] = keep
      num[i] = (lp - lm) / (2 * eps)
    end
    local e = relerr(flat(a:totable()), num)
    assert.is_true(e < 1e-4, ("%s d%s rel.err %g"):format(cell, name, e))
    worst = math.max(worst, e)
  end
  return worst
end

describe("recurrent kernels against a double-precision Lua reference", function()
  for _, cell in ipairs{"rnn", "lstm", "gru"} do
    for _, cfg in ipairs{{false, false}, {true, false}, {false, true}, {true, true}} do
      local all, states = cfg[1], cfg[2]
      it(("%s, T=6, %s state%s"):format(cell, all and "every" or "last",
         states and ", given initial state" or ""), function()
        check_cell(cell, all, states)
      end)
    end
  end
end)

describe("recurrent kernels on a hand-computed 2-step example", function()
  -- B=1, D=1, H=1, x = (1, -2); values worked out in tests/c/test_*.c.
  local x = nn.tensor{{{1}, {-2}}}
  it("tanh RNN", function()
    local ws = nn.C.recurrent("rnn", 1, 1)
    local h = ws:forward(nn.tensor{{1}, {2}}:view(1, 2, 1),
      {wx = nn.tensor{{0.5}}, wh = nn.tensor{{-1}}, b = nn.tensor{0.1}}, {all = true})
    assert.is_true(math.abs(h[1][1][1] - 0.53704957) < 1e-6)
    assert.is_true(math.abs(h[1][2][1] - 0.51016325) < 1e-6)
  end)
  it("LSTM", function()
    local ws = nn.C.recurrent("lstm", 1, 1)
    local h = ws:forward(x, {wx = nn.tensor{{0.5, -0.5, 1, 0.25}},
      wh = nn.tensor{{0.1, 0.2, -0.3, 0.4}}, b = nn.tensor{0, 0.5, 0, -0.1}}, {all = true})
    assert.is_true(math.abs(h[1][1][1] - 0.23726184) < 1e-6)
    assert.is_true(math.abs(h[1][2][1] - 0.04709995) < 1e-6)
  end)
  it("GRU", function()
    local ws = nn.C.recurrent("gru", 1, 1)
    local h = ws:forward(x, {wx = nn.tensor{{0.5, -0.5, 1}}, wh = nn.tensor{{0.1, 0.2, -0.3}},
      b = nn.tensor{0, 0.5, 0.1}, bhn = nn.tensor{0.2}})
    assert.is_true(math.abs(h[1][1] - 0.10787085) < 1e-6)
  end)
end)

describe("nn.C.recurrent argument checks", function()
  local ws = nn.C.recurrent("lstm", 3, 4)
  local p = {wx = nn.zeros(3, 16), wh = nn.zeros(4, 16), b = nn.zeros(16)}
  it("rejects unknown cells and bad sizes", function()
    assert.has_error(function() nn.C.recurrent("tree", 3, 4) end)
    assert.has_error(function() nn.C.recurrent("rnn", 0, 4) end,
      "nn.C.recurrent: need 1 <= nin <= 2^20 and 1 <= nhid <= 2^16, got 0, 4")
  end)
  it("backward before forward", function()
    assert.has_error(function()
      ws:backward(nn.zeros(2, 4), p, p)
    end, "nn.LSTM:backward: backward before any forward")
  end)
  it("input rank and feature size", function()
    assert.has_error(function() ws:forward(nn.zeros(2, 5), p) end,
      "nn.LSTM:forward: input must be 3-d (batch, time, features) = (B,T,3), got 2x5")
    assert.has_error(function() ws:forward(nn.zeros(2, 5, 4), p) end,
      "nn.LSTM:forward: input has 4 features per step, the layer expects 3 (input 2x5x4)")
  end)
  it("weight shapes", function()
    assert.has_error(function()
      ws:forward(nn.zeros(2, 5, 3), {wx = nn.zeros(16, 3), wh = p.wh, b = p.b})
    end, "nn.LSTM:forward: params.wx must be 3x16, got 16x3")
    assert.has_error(function()
      nn.C.recurrent("gru", 3, 4):forward(nn.zeros(2, 5, 3),
        {wx = nn.zeros(3, 12), wh = nn.zeros(4, 12), b = nn.zeros(12)})
    end, "nn.GRU:forward: params.bhn must be a tensor, got nil")
  end)
  it("initial states", function()
    assert.has_error(function() ws:forward(nn.zeros(2, 5, 3), p, {h0 = nn.zeros(3, 4)}) end,
      "nn.LSTM:forward: opts.h0 must be 2x4, got 3x4")
    assert.has_error(function()
      nn.C.recurrent("rnn", 3, 4):forward(nn.zeros(2, 5, 3),
        {wx = nn.zeros(3, 4), wh = nn.zeros(4, 4), b = nn.zeros(4)}, {c0 = nn.zeros(2, 4)})
    end, "nn.RNN:forward: opts.c0: only the LSTM has a cell state")
  end)
  it("gradient shape follows the last forward", function()
    ws:forward(nn.zeros(2, 5, 3), p, {all = true})
    assert.has_error(function() ws:backward(nn.zeros(2, 4), p, p) end,
      "nn.LSTM:backward: gradOutput (B,T,H) must be 2x5x4, got 2x4")
  end)
  it("non-contiguous input gives the same result as its copy", function()
    nn.seed(3)
    local q = {wx = nn.randn(3, 16), wh = nn.randn(4, 16), b = nn.randn(16)}
    local big = nn.randn(5, 2, 3):transpose(1, 2) -- (2,5,3) view, not contiguous
    local a = ws:forward(big, q):clone()
    local b = ws:forward(big:contiguous(), q)
    assert.are.equal(0, nn.max_abs_diff(a, b))
  end)
end)

-- Modules ---------------------------------------------------------------------

describe("nn.RNN, nn.LSTM, nn.GRU modules", function()
  local optim = require "optim"

  -- Sign of the sum of a sequence of T uniform(-1,1) values; sums within
  -- 0.5 of zero are left out so that the classes have a margin.
  local function sign_task(N, T)
    local rows, lab = {}, {}
    while #rows < N do
      local x = nn.rand(T, 1) * 2 - 1
      local s = x:sum()
      if math.abs(s) > 0.5 then
        rows[#rows + 1] = x:totable()
        lab[#lab + 1] = s > 0 and 2 or 1
      end
    end
    return nn.tensor(rows), nn.index(lab)
  end

  local function accuracy(model, x, y)
    model:evaluate()
    local pred, want = model:forward(x):argmax(2):totable(), y:totable()
    model:training()
    local ok = 0
    for i = 1, #want do
      if (type(pred[i]) == "table" and pred[i][1] or pred[i]) == want[i] then ok = ok + 1 end
    end
    return ok / #want
  end

  for _, cell in ipairs{"RNN", "LSTM", "GRU"} do
    it(cell .. " learns the sign of a sequence's sum (> 95% on fresh sequences)", function()
      nn.seed(1)
      local x, y = sign_task(512, 10)
      local xt, yt = sign_task(512, 10)
      local model = nn.Sequential{nn[cell](1, 16), nn.Linear(16, 2)}
      local crit = nn.CrossEntropyLoss()
      local opt = optim.adam{lr = 0.02}
      local params, grads = model:parameters()
      assert.is_true(accuracy(model, xt, yt) < 0.9)
      for _ = 1, 30 do
        local perm = nn.randperm(512)
        for s = 1, 512, 32 do
          local idx = perm:narrow(1, s, 32)
          local xb, yb = x:index_select(idx), y:index_select(idx)
          model:zero_grad()
          local out = model:forward(xb)
          crit:forward(out, yb)
          model:backward(xb, crit:backward(out, yb))
          opt:step(params, grads)
        end
      end
      assert.is_true(accuracy(model, xt, yt) > 0.95)
    end)
  end

  it("composes with nn.fit, gradient clipping, SGD and nn.save/nn.load", function()
    nn.seed(2)
    local x, y = sign_task(512, 10)
    local xt, yt = sign_task(256, 10)
    local model = nn.Sequential{nn.LSTM(1, 16), nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 2)}
    local hist = nn.fit{model = model, loss = nn.CrossEntropyLoss(),
      optimizer = optim.sgd{lr = 0.1, momentum = 0.9}, x = x, y = y, val = {x = xt, y = yt},
      batch = 32, epochs = 40, clip = 1, seed = 2, quiet = true}
    assert.is_true(accuracy(model, xt, yt) > 0.95)
    assert.is_true(hist.val_acc[hist.best_epoch] > 0.95)
    local path = os.tmpname() .. ".h5"
    nn.save(path, model)
    local again = nn.load(path)
    os.remove(path)
    model:evaluate(); again:evaluate()
    assert.are.equal(0, nn.max_abs_diff(model:forward(xt), again:forward(xt)))
  end)

  it("lists its parameters and prints its shape", function()
    local m = nn.GRU(3, 8)
    local params, grads = m:parameters()
    assert.are.equal(4, #params)
    assert.are.same({3, 24}, params[1]:size())
    assert.are.same({8, 24}, params[2]:size())
    assert.are.same({24}, params[3]:size())
    assert.are.same({8}, params[4]:size())
    assert.are.equal(#params, #grads)
    assert.are.equal(3 * 24 + 8 * 24 + 24 + 8, m:num_parameters())
    assert.are.equal("nn.LSTM(3 -> 8, all states)  (384 parameters)",
      tostring(nn.LSTM(3, 8, {all = true})))
  end)

  it("uses Xavier-uniform ranges per gate block and zero biases", function()
    nn.seed(5)
    local m = nn.LSTM(3, 50)
    local ax, ah = math.sqrt(6 / 53), math.sqrt(6 / 100)
    assert.is_true(m.wx:abs():max() <= ax and m.wx:abs():max() > 0.9 * ax)
    assert.is_true(m.wh:abs():max() <= ah and m.wh:abs():max() > 0.9 * ah)
    assert.are.equal(0, m.b:abs():max())
  end)

  it("runs the kernel with the given initial state and returns its gradient", function()
    nn.seed(7)
    local m = nn.LSTM(2, 3)
    local x, h0, c0 = nn.randn(4, 5, 2), nn.randn(4, 3), nn.randn(4, 3)
    local zero_state = m:forward(x):clone()
    m:set_initial_state(h0, c0)
    local y = m:forward(x):clone()
    local ws = nn.C.recurrent("lstm", 2, 3)
    local want = ws:forward(x, {wx = m.wx, wh = m.wh, b = m.b}, {h0 = h0, c0 = c0})
    assert.are.equal(0, nn.max_abs_diff(y, want))
    assert.is_true(nn.max_abs_diff(y, zero_state) > 1e-3)
    m:backward(x, nn.ones(4, 3))
    assert.are.same({4, 3}, m.gradH0:size())
    assert.are.same({4, 3}, m.gradC0:size())
    m:reset()
    assert.are.equal(0, nn.max_abs_diff(m:forward(x), zero_state))
    assert.has_error(function() nn.GRU(2, 3):set_initial_state(h0, c0) end,
      "nn.GRU:set_initial_state: only the LSTM has a cell state c0")
  end)

  it("evaluates large batches in chunks with the same result", function()
    nn.seed(9)
    local m = nn.GRU(3, 6, {all = true})
    local x = nn.randn(300, 7, 3)
    local full = m:forward(x):clone()
    m:evaluate()
    local chunked = m:forward(x)
    assert.is_true(nn.max_abs_diff(full, chunked) < 1e-6)
    assert.has_error(function() m:backward(x, chunked) end,
      "nn.GRU:backward: the last forward ran in evaluation mode on 300 > 128 sequences, " ..
      "in chunks, and kept no state; call m:training() before forward")
  end)

  it("gives clear errors for wrong input rank or feature size", function()
    local m = nn.LSTM(3, 4)
    assert.has_error(function() m:forward(nn.zeros(2, 3)) end,
      "nn.LSTM:forward: input must be 3-d (batch, time, features) = (B,T,3), got 2x3")
    assert.has_error(function() m:forward(nn.zeros(2, 5, 3, 1)) end,
      "nn.LSTM:forward: input must be 3-d (batch, time, features) = (B,T,3), got 2x5x3x1")
    assert.has_error(function() m:forward(nn.zeros(2, 5, 2)) end,
      "nn.LSTM:forward: input has 2 features per step, the layer expects 3 (input 2x5x2)")
    assert.has_error(function() nn.RNN(3, 0) end,
      "nn.RNN: the number of hidden units must be a positive integer, got 0")
    assert.has_error(function() nn.GRU(3, 4, 5) end,
      "nn.GRU: options must be a table like {all=true}, got number")
  end)
end)
