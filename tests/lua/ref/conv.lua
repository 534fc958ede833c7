-- Double-precision references of the convolutional layers, in plain Lua:
-- 4-d tensors are nested tables x[n][c][h][w] (1-based), written straight
-- from the equations of src/core/conv2d.h, pool2d.h and groupnorm.h.
local ref = {}

local function zeros4(N, C, H, W)
  local t = {}
  for n = 1, N do
    t[n] = {}
    for c = 1, C do
      t[n][c] = {}
      for h = 1, H do
        t[n][c][h] = {}
        for w = 1, W do t[n][c][h][w] = 0 end
      end
    end
  end
  return t
end
ref.zeros4 = zeros4

local function dims(x) return #x, #x[1], #x[1][1], #x[1][1][1] end

-- out[n,o,i,j] = b[o] + Σ W[o,c,u,v] x[n,c,(i-1)s-p+u, (j-1)s-p+v] (zero outside)
function ref.conv2d(x, W, b, sh, sw, ph, pw)
  local N, Cin, H, Wd = dims(x)
  local O, KH, KW = #W, #W[1][1], #W[1][1][1]
  local OH, OW = (H + 2 * ph - KH) // sh + 1, (Wd + 2 * pw - KW) // sw + 1
  local y = zeros4(N, O, OH, OW)
  for n = 1, N do for o = 1, O do for i = 1, OH do for j = 1, OW do
    local s = b and b[o] or 0
    for c = 1, Cin do for u = 1, KH do for v = 1, KW do
      local r, q = (i - 1) * sh - ph + u, (j - 1) * sw - pw + v
      if r >= 1 and r <= H and q >= 1 and q <= Wd then s = s + W[o][c][u][v] * x[n][c][r][q] end
    end end end
    y[n][o][i][j] = s
  end end end end
  return y
end

function ref.conv2d_backward(x, W, dy, sh, sw, ph, pw)
  local N, Cin, H, Wd = dims(x)
  local O, KH, KW = #W, #W[1][1], #W[1][1][1]
  local OH, OW = #dy[1][1], #dy[1][1][1]
  local dx, dW, db = zeros4(N, Cin, H, Wd), zeros4(O, Cin, KH, KW), {}
  for o = 1, O do db[o] = 0 end
  for n = 1, N do for o = 1, O do for i = 1, OH do for j = 1, OW do
    local d = dy[n][o][i][j]
    db[o] = db[o] + d
    for c = 1, Cin do for u = 1, KH do for v = 1, KW do
      local r, q = (i - 1) * sh - ph + u, (j - 1) * sw - pw + v
      if r >= 1 and r <= H and q >= 1 and q <= Wd then
        dx[n][c][r][q] = dx[n][c][r][q] + d * W[o][c][u][v]
        dW[o][c][u][v] = dW[o][c][u][v] + d * x[n][c][r][q]
      end
    end end end
  end end end end
  return dx, dW, db
end

-- Pooling: mode "max" (gradient to the first maximum) or "avg" (padding
-- counts as zeros, divisor k*k).  Returns y and dx for the given dy.
function ref.pool2d(mode, x, dy, kh, kw, sh, sw, ph, pw)
  local N, C, H, W = dims(x)
  local OH, OW = (H + 2 * ph - kh) // sh + 1, (W + 2 * pw - kw) // sw + 1
  local y, dx = zeros4(N, C, OH, OW), zeros4(N, C, H, W)
  for n = 1, N do for c = 1, C do for i = 1, OH do for j = 1, OW do
    local best, br, bq, s = -math.huge, nil, nil, 0
    for u = 1, kh do for v = 1, kw do
      local r, q = (i - 1) * sh - ph + u, (j - 1) * sw - pw + v
      if r >= 1 and r <= H and q >= 1 and q <= W then
        local val = x[n][c][r][q]
        s = s + val
        if val > best then best, br, bq = val, r, q end
      end
    end end
    if mode == "max" then
      y[n][c][i][j] = best
      if dy then dx[n][c][br][bq] = dx[n][c][br][bq] + dy[n][c][i][j] end
    else
      y[n][c][i][j] = s / (kh * kw)
      if dy then
        for u = 1, kh do for v = 1, kw do
          local r, q = (i - 1) * sh - ph + u, (j - 1) * sw - pw + v
          if r >= 1 and r <= H and q >= 1 and q <= W then
            dx[n][c][r][q] = dx[n][c][r][q] + dy[n][c][i][j] / (kh * kw)
          end
        end end
      end
    end
  end end end end
  return y, dx
end

-- Group norm of x (N,C,H,W): returns y; with dy also dx, dgamma, dbeta,
-- the backward derived step by step through the group mean and variance
-- (the computational graph x -> mu, var -> x̂ -> y), not the closed form
-- the kernel uses.
function ref.groupnorm(x, G, gamma, beta, eps, dy)
  local N, C, H, W = dims(x)
  local CG = C // G
  local M = CG * H * W
  local y, dx = zeros4(N, C, H, W), zeros4(N, C, H, W)
  local dg, db = {}, {}
  for c = 1, C do dg[c], db[c] = 0, 0 end
  local function each(n, g, f)
    for c = (g - 1) * CG + 1, g * CG do for h = 1, H do for w = 1, W do f(c, h, w, x[n][c][h][w]) end end end
  end
  for n = 1, N do for g = 1, G do
    local mu, var = 0, 0
    each(n, g, function(_, _, _, v) mu = mu + v end)
    mu = mu / M
    each(n, g, function(_, _, _, v) var = var + (v - mu) ^ 2 end)
    var = var / M
    local r = 1 / math.sqrt(var + eps)
    each(n, g, function(c, h, w, v) y[n][c][h][w] = gamma[c] * (v - mu) * r + beta[c] end)
    if dy then
      -- dL/dx̂, then dL/dvar and dL/dmu, then dL/dx
      local dvar, dmu = 0, 0
      each(n, g, function(c, h, w, v)
        local dxh = dy[n][c][h][w] * gamma[c]
        dvar = dvar + dxh * (v - mu) * -0.5 * r ^ 3
        dmu = dmu - dxh * r
        dg[c] = dg[c] + dy[n][c][h][w] * (v - mu) * r
        db[c] = db[c] + dy[n][c][h][w]
      end)
      local sdev = 0
      each(n, g, function(_, _, _, v) sdev = sdev + (v - mu) end)
      dmu = dmu + dvar * -2 * sdev / M
      each(n, g, function(c, h, w, v)
        dx[n][c][h][w] = dy[n][c][h][w] * gamma[c] * r + dvar * 2 * (v - mu) / M + dmu / M
      end)
    end
  end end
  return y, dx, dg, db
end

-- (N,C,H,W) nested table <-> rows (N*H*W, C), for spatial batch norm
-- through the row reference of tests/lua/ref/layers.lua.
function ref.to_rows(x)
  local N, C, H, W = dims(x)
  local rows = {}
  for n = 1, N do for h = 1, H do for w = 1, W do
    local row = {}
    for c = 1, C do row[c] = x[n][c][h][w] end
    rows[#rows + 1] = row
  end end end
  return rows
end

function ref.from_rows(rows, N, C, H, W)
  local x, k = zeros4(N, C, H, W), 0
  for n = 1, N do for h = 1, H do for w = 1, W do
    k = k + 1
    for c = 1, C do x[n][c][h][w] = rows[k][c] end
  end end end
  return x
end

return ref
