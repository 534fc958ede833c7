-- Double-precision references of the layer and loss formulas, in plain Lua
-- (Lua numbers are doubles).  Matrices are tables of rows; vectors plain
-- lists.  The specs run a module on float32 tensors and compare its forward
-- and backward with these on the same values (relative error < 1e-4).
local ref = {}

local function zeros(r, c)
  local m = {}
  for i = 1, r do
    m[i] = {}
    for j = 1, c do m[i][j] = 0 end
  end
  return m
end
ref.zeros = zeros

local function sigmoid(v) return 1 / (1 + math.exp(-v)) end

-- Apply f elementwise to a matrix.
local function map(x, f)
  local y = {}
  for i, row in ipairs(x) do
    y[i] = {}
    for j, v in ipairs(row) do y[i][j] = f(v, i, j) end
  end
  return y
end
ref.map = map

-- --- linear: y = x W + b, W (in, out) ----------------------------------------

function ref.linear(x, W, b)
  local B, C, O = #x, #W, #W[1]
  local y = zeros(B, O)
  for n = 1, B do
    for o = 1, O do
      local s = b and b[o] or 0
      for c = 1, C do s = s + x[n][c] * W[c][o] end
      y[n][o] = s
    end
  end
  return y
end

function ref.linear_backward(x, W, dy)
  local B, C, O = #x, #W, #W[1]
  local dx, dW, db = zeros(B, C), zeros(C, O), {}
  for o = 1, O do db[o] = 0 end
  for n = 1, B do
    for c = 1, C do
      local s = 0
      for o = 1, O do s = s + dy[n][o] * W[c][o] end
      dx[n][c] = s
    end
    for o = 1, O do
      db[o] = db[o] + dy[n][o]
      for c = 1, C do dW[c][o] = dW[c][o] + x[n][c] * dy[n][o] end
    end
  end
  return dx, dW, db
end

-- --- embedding: rows of W by (1-based) index -----------------------------------

function ref.embedding(idx, W)
  local y = {}
  for n, i in ipairs(idx) do
    y[n] = {}
    for d = 1, #W[1] do y[n][d] = W[i][d] end
  end
  return y
end

function ref.embedding_backward(idx, V, dy)
  local dW = zeros(V, #dy[1])
  for n, i in ipairs(idx) do
    for d = 1, #dy[n] do dW[i][d] = dW[i][d] + dy[n][d] end
  end
  return dW
end

-- --- activations ---------------------------------------------------------------

ref.act = {
  sigmoid = {f = sigmoid, df = function(v) local s = sigmoid(v); return s * (1 - s) end},
  tanh = {f = math.tanh, df = function(v) local t = math.tanh(v); return 1 - t * t end},
  relu = {f = function(v) return v > 0 and v or 0 end, df = function(v) return v > 0 and 1 or 0 end},
  leaky = {f = function(v) return v > 0 and v or 0.1 * v end,
           df = function(v) return v > 0 and 1 or 0.1 end},
}

function ref.softmax(x)
  return map(x, function(_, i, j)
    local m = -math.huge
    for _, v in ipairs(x[i]) do m = math.max(m, v) end
    local s = 0
    for _, v in ipairs(x[i]) do s = s + math.exp(v - m) end
    return math.exp(x[i][j] - m) / s
  end)
end

function ref.softmax_backward(x, dy)
  local y = ref.softmax(x)
  return map(y, function(v, i, j)
    local dot = 0
    for k = 1, #y[i] do dot = dot + dy[i][k] * y[i][k] end
    return v * (dy[i][j] - dot)
  end)
end

-- --- batch norm over rows (N, C), training mode --------------------------------

local function col_stats(x)
  local N, C = #x, #x[1]
  local mean, var = {}, {}
  for c = 1, C do
    local s = 0
    for n = 1, N do s = s + x[n][c] end
    mean[c] = s / N
    local q = 0
    for n = 1, N do q = q + (x[n][c] - mean[c]) ^ 2 end
    var[c] = q / N
  end
  return mean, var
end

function ref.batchnorm(x, g, b, eps)
  local mean, var = col_stats(x)
  return map(x, function(v, _, c) return g[c] * (v - mean[c]) / math.sqrt(var[c] + eps) + b[c] end),
    mean, var
end

-- Training-mode gradient, derived by the chain rule through mean and var.
function ref.batchnorm_backward(x, g, dy, eps)
  local N, C = #x, #x[1]
  local mean, var = col_stats(x)
  local dx, dg, db = zeros(N, C), {}, {}
  for c = 1, C do
    local r = 1 / math.sqrt(var[c] + eps)
    local sdy, sdyx = 0, 0
    for n = 1, N do
      local xhat = (x[n][c] - mean[c]) * r
      sdy = sdy + dy[n][c]
      sdyx = sdyx + dy[n][c] * xhat
    end
    dg[c], db[c] = sdyx, sdy
    for n = 1, N do
      local xhat = (x[n][c] - mean[c]) * r
      dx[n][c] = g[c] * r / N * (N * dy[n][c] - sdy - xhat * sdyx)
    end
  end
  return dx, dg, db
end

-- --- layer norm over each row --------------------------------------------------

function ref.layernorm(x, w, b, eps)
  return map(x, function(v, i, j)
    local row, C = x[i], #x[i]
    local m, q = 0, 0
    for _, u in ipairs(row) do m = m + u end
    m = m / C
    for _, u in ipairs(row) do q = q + (u - m) ^ 2 end
    return (v - m) / math.sqrt(q / C + eps) * w[j] + b[j]
  end)
end

function ref.layernorm_backward(x, w, dy, eps)
  local B, C = #x, #x[1]
  local dx, dw, db = zeros(B, C), {}, {}
  for j = 1, C do dw[j], db[j] = 0, 0 end
  for i = 1, B do
    local m, q = 0, 0
    for _, u in ipairs(x[i]) do m = m + u end
    m = m / C
    for _, u in ipairs(x[i]) do q = q + (u - m) ^ 2 end
    local r = 1 / math.sqrt(q / C + eps)
    local sg, sgx = 0, 0
    for j = 1, C do
      local xhat, gj = (x[i][j] - m) * r, dy[i][j] * w[j]
      sg, sgx = sg + gj, sgx + gj * xhat
      dw[j] = dw[j] + dy[i][j] * xhat
      db[j] = db[j] + dy[i][j]
    end
    for j = 1, C do
      local xhat = (x[i][j] - m) * r
      dx[i][j] = r * (dy[i][j] * w[j] - sg / C - xhat * sgx / C)
    end
  end
  return dx, dw, db
end

-- --- losses (mean loss and its gradient) -----------------------------------------

function ref.crossentropy(x, y)
  local B = #x
  local p = ref.softmax(x)
  local loss = 0
  local d = map(p, function(v, i, j) return (v - (j == y[i] and 1 or 0)) / B end)
  for i = 1, B do loss = loss - math.log(p[i][y[i]]) end
  return loss / B, d
end

function ref.mse(x, t)
  local n, s = #x * #x[1], 0
  local d = map(x, function(v, i, j)
    s = s + (v - t[i][j]) ^ 2
    return 2 * (v - t[i][j]) / n
  end)
  return s / n, d
end

function ref.bce_logits(x, t)
  local n, s = #x * #x[1], 0
  local d = map(x, function(v, i, j)
    local p = sigmoid(v)
    s = s - (t[i][j] * math.log(p) + (1 - t[i][j]) * math.log(1 - p))
    return (p - t[i][j]) / n
  end)
  return s / n, d
end

function ref.svm(x, y, margin)
  local B, s = #x, 0
  local d = zeros(B, #x[1])
  for i = 1, B do
    for j = 1, #x[i] do
      if j ~= y[i] then
        local h = x[i][j] - x[i][y[i]] + margin
        if h > 0 then
          s = s + h
          d[i][j] = d[i][j] + 1 / B
          d[i][y[i]] = d[i][y[i]] - 1 / B
        end
      end
    end
  end
  return s / B, d
end

-- --- comparison --------------------------------------------------------------------

-- Flatten a tensor or nested table into a list of numbers.
local function flat(v, out)
  out = out or {}
  if type(v) == "userdata" then v = v:totable() end
  if type(v) == "number" then out[#out + 1] = v; return out end
  for _, e in ipairs(v) do flat(e, out) end
  return out
end
ref.flat = flat

-- Max over elements of |a - b| / max(|b|, 1e-3 * max|b|): relative error of
-- each element, with a floor so that elements near zero (where float32
-- rounding of a sum is large relative to the value) are judged against
-- the scale of the whole tensor.  a, b: tensors or nested tables.
function ref.max_rel(a, b)
  local fa, fb = flat(a), flat(b)
  assert(#fa == #fb, ("element count mismatch: %d vs %d"):format(#fa, #fb))
  local scale = 0
  for _, v in ipairs(fb) do scale = math.max(scale, math.abs(v)) end
  local floor = math.max(1e-3 * scale, 1e-30)
  local worst = 0
  for i = 1, #fa do
    worst = math.max(worst, math.abs(fa[i] - fb[i]) / math.max(math.abs(fb[i]), floor))
  end
  return worst
end

return ref
