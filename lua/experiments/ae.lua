--- ae: the sparse tied-weight autoencoder of Q1 (EXPERIMENTS.md).
--
-- Preprocessing of RGB patches (part a), each step a function of its own:
--   ae.gray(rgb)             (N,3,H,W) -> (N,H,W), Y = 0.2126 R + 0.7152 G + 0.0722 B
--   ae.remove_mean(x)        subtract each patch's own mean (x: (N,...)), new tensor
--   ae.clip_scale(x [,k=3, lo=0.1, hi=0.9]) -> y, sigma
--                            clip to ±k·sigma, sigma = std over ALL values of x
--                            (unbiased, n-1, as MATLAB's std), then map
--                            [-k·sigma, k·sigma] linearly to [lo, hi]
--   ae.preprocess(rgb)       -> (N, H*W) in [0.1, 0.9], sigma: the three in order
--
-- The network (part b): W (Lhid,Lin), b1 (Lhid), b2 (Lin), h = σ(W x + b1),
-- o = σ(Wᵀ h + b2).  Parameters travel as We = {W=, b1=, b2=}.
--   ae.init(Lin, Lhid)       -> We, all entries uniform in ±sqrt(6/(Lin+Lhid))
--   ae.cost(We, data, params [, grads]) -> J, terms, grads
--       data (N,Lin) one patch per row; params {lambda=, beta=, rho=} (Lin/Lhid
--       are taken from W and checked when given); terms = {J, mse, tykhonov,
--       kl, mean_act}; grads = {W=, b1=, b2=} written into the given tensors
--       (preallocate them with ae.grads(We) in a loop) or new ones.
--       One fused C pass (src/core/autoencoder.c); the formulas are in
--       src/core/autoencoder.h.
--   ae.forward(We, data)     -> H (N,Lhid), O (N,Lin)
--   ae.train(We, data, opts) -> history   mini-batch SGD with momentum, see below
local nn = require "nn"

local ae = {}

ae.LUMA = {0.2126, 0.7152, 0.0722}

-- Defaults of Q1's training (lambda from EXPERIMENTS.md; beta, rho, lr and
-- epochs chosen by looking at the features: see docs/q1.md).
ae.defaults = {lambda = 5e-4, beta = 0.5, rho = 0.05, lr = 0.05, momentum = 0.9, batch = 32,
               epochs = 200}

-- Errors are raised without a position; the public functions (wrapped at
-- the end of this file) re-raise them at the caller's line.
local function fail(fname, fmt, ...)
  error(fname .. ": " .. string.format(fmt, ...), 0)
end

local function shape(t) return table.concat(t:size(), "x") end

local function checktensor(t, fname, what)
  if type(t) ~= "userdata" or not t.size then
    fail(fname, "%s must be a tensor, got %s", what, type(t))
  end
end

function ae.gray(rgb)
  checktensor(rgb, "ae.gray", "rgb")
  if rgb:dim() ~= 4 or rgb:size(2) ~= 3 then
    fail("ae.gray", "expected (N,3,H,W) RGB patches, got %s", shape(rgb))
  end
  local y = rgb:select(2, 1):mul(ae.LUMA[1])
  y:axpy_(ae.LUMA[2], rgb:select(2, 2))
  y:axpy_(ae.LUMA[3], rgb:select(2, 3))
  return y
end

function ae.remove_mean(x)
  checktensor(x, "ae.remove_mean", "x")
  if x:dim() < 2 then fail("ae.remove_mean", "expected (N,...) patches, got %s", shape(x)) end
  local size = x:size()
  local flat = x:contiguous():view(size[1], -1)
  -- (D,N) minus the length-N vector of means broadcasts over rows.
  local centered = flat:t():sub(flat:mean(2)):t():contiguous()
  return centered:view(table.unpack(size))
end

function ae.clip_scale(x, k, lo, hi)
  checktensor(x, "ae.clip_scale", "x")
  k, lo, hi = k or 3, lo or 0.1, hi or 0.9
  if not (k > 0 and lo < hi) then
    fail("ae.clip_scale", "need k > 0 and lo < hi, got k=%s lo=%s hi=%s", k, lo, hi)
  end
  if x:numel() < 2 then fail("ae.clip_scale", "need at least 2 values, got %d", x:numel()) end
  local sigma = x:std()
  if not (sigma > 0) then
    fail("ae.clip_scale", "all values are equal (sigma = %s): nothing to scale", sigma)
  end
  local c = k * sigma
  -- [-c, c] -> [lo, hi]: y = lo + (v + c) * (hi - lo) / (2c)
  local y = x:clamp(-c, c)
  y:mul_((hi - lo) / (2 * c)):add_(lo + (hi - lo) / 2)
  return y, sigma
end

function ae.preprocess(rgb)
  local g = ae.gray(rgb)
  local n = g:size(1)
  local y, sigma = ae.clip_scale(ae.remove_mean(g))
  return y:view(n, -1), sigma
end

-- --- network -----------------------------------------------------------------

function ae.init(Lin, Lhid)
  if math.type(Lin) ~= "integer" or math.type(Lhid) ~= "integer" or Lin < 1 or Lhid < 1 then
    fail("ae.init", "Lin and Lhid must be positive integers, got %s and %s", tostring(Lin),
         tostring(Lhid))
  end
  local w0 = math.sqrt(6 / (Lin + Lhid))
  local function u(...) return nn.rand(...):mul_(2 * w0):add_(-w0) end
  return {W = u(Lhid, Lin), b1 = u(Lhid), b2 = u(Lin)}
end

function ae.grads(We)
  return {W = nn.zeros(We.W:size(1), We.W:size(2)), b1 = nn.zeros(We.b1:size(1)),
          b2 = nn.zeros(We.b2:size(1))}
end

local function checkWe(We, fname)
  if type(We) ~= "table" or not We.W or not We.b1 or not We.b2 then
    fail(fname, "We must be a table {W=, b1=, b2=}, got %s", type(We))
  end
end

local function checkparams(p, We, fname)
  if type(p) ~= "table" then fail(fname, "params must be a table {lambda=, beta=, rho=}, got %s", type(p)) end
  for _, k in ipairs{"lambda", "beta", "rho"} do
    if type(p[k]) ~= "number" then fail(fname, "params.%s must be a number, got %s", k, type(p[k])) end
  end
  if not (p.lambda >= 0) then fail(fname, "lambda must be >= 0, got %s", p.lambda) end
  if not (p.beta >= 0) then fail(fname, "beta must be >= 0, got %s", p.beta) end
  if not (p.rho > 0 and p.rho < 1) then fail(fname, "rho must be in (0,1), got %s", p.rho) end
  if not We then return end
  local Lhid, Lin = We.W:size(1), We.W:size(2)
  if p.Lin and p.Lin ~= Lin then fail(fname, "params.Lin = %d but W is %dx%d", p.Lin, Lhid, Lin) end
  if p.Lhid and p.Lhid ~= Lhid then fail(fname, "params.Lhid = %d but W is %dx%d", p.Lhid, Lhid, Lin) end
end

--- ae.check(params [, fname]): raise unless lambda >= 0, beta >= 0, 0 < rho < 1.
function ae.check(params, fname)
  checkparams(params, nil, fname or "ae.check")
end

function ae.cost(We, data, params, grads)
  checkWe(We, "ae.cost")
  checkparams(params, We, "ae.cost")
  grads = grads or ae.grads(We)
  local J, mse, tyk, kl, act = nn.ae_c.cost(We.W, We.b1, We.b2, data, params.lambda,
                                            params.beta, params.rho, grads.W, grads.b1, grads.b2)
  return J, {J = J, mse = mse, tykhonov = tyk, kl = kl, mean_act = act}, grads
end

function ae.forward(We, data)
  checkWe(We, "ae.forward")
  return nn.ae_c.forward(We.W, We.b1, We.b2, data)
end

-- --- training ------------------------------------------------------------------

-- Wall-clock seconds (os.clock is CPU time, summed over BLAS threads).
local function wallclock() return nn.clock() end

--- ae.train(We, data, opts) -> history
-- opts: lambda, beta, rho (the cost), lr, momentum, batch, epochs (defaults
-- in ae.defaults), on_epoch=function(rec) end (called after every epoch).
-- Each epoch visits data (N,Lin) in a fresh random order (global seeded
-- generator: call nn.seed first).  history[e] = {epoch, J, mse, tykhonov,
-- kl, mean_act, seconds}: averages over the epoch's mini-batches, weighted by
-- batch size.  Mini-batches are gathered into preallocated buffers.
-- Ctrl-C: history.interrupted = true after the current mini-batch.
function ae.train(We, data, opts)
  checkWe(We, "ae.train")
  opts = opts or {}
  local d = ae.defaults
  local p = {lambda = opts.lambda or d.lambda, beta = opts.beta or d.beta, rho = opts.rho or d.rho}
  checkparams(p, We, "ae.train")
  local lr, momentum = opts.lr or d.lr, opts.momentum or d.momentum
  local batch, epochs = opts.batch or d.batch, opts.epochs or d.epochs
  if math.type(batch) ~= "integer" or batch < 1 then fail("ae.train", "batch must be a positive integer, got %s", tostring(batch)) end
  if math.type(epochs) ~= "integer" or epochs < 0 then fail("ae.train", "epochs must be an integer >= 0, got %s", tostring(epochs)) end
  checktensor(data, "ae.train", "data")
  local N, Lin = data:size(1), data:size(2)
  if data:dim() ~= 2 or Lin ~= We.W:size(2) then
    fail("ae.train", "data must be N x %d, got %s", We.W:size(2), shape(data))
  end
  local grads = ae.grads(We)
  local full = nn.zeros(batch, Lin)
  local rest = N % batch > 0 and nn.zeros(N % batch, Lin) or nil
  local cost = nn.ae_c.cost
  -- One mini-batch of rows perm[s..s+n-1] into a preallocated buffer.
  local gather = nn.C and nn.C.gather_rows or function(out, src, perm, s, n)
    return nn.index_select(src, perm:narrow(1, s, n), out)
  end
  local W, b1, b2, gW, gb1, gb2 = We.W, We.b1, We.b2, grads.W, grads.b1, grads.b2
  local lambda, beta, rho = p.lambda, p.beta, p.rho
  -- nn.fit's step with the fused cost as objective (it writes the gradients;
  -- W, b1, b2 and their gradients become views of two flat blocks).
  local mse, tyk, kl, act, epoch
  local step = nn.training_step{params = {W, b1, b2}, grads = {gW, gb1, gb2},
    optimizer = require("optim").sgd{lr = lr, momentum = momentum},
    objective = function(xb)
      local J
      J, mse, tyk, kl, act = cost(W, b1, b2, xb, lambda, beta, rho, gW, gb1, gb2)
      if J ~= J then fail("ae.train", "the cost became NaN in epoch %d (lower lr?)", epoch) end
      return J
    end}
  local history = {optimizer = "optim.sgd", interrupted = false}
  -- Ctrl-C stops after the current mini-batch, as in nn.fit: the weights
  -- trained so far stay, the partial epoch is not recorded, and the caller
  -- sees history.interrupted (scripts then save and exit 130).
  local can_catch = type(nn.catch_interrupt) == "function"
  if can_catch then nn.catch_interrupt(true) end
  local _ <close> = setmetatable({}, {__close = function(_, err)
    if can_catch then
      nn.catch_interrupt(false)
      if err ~= nil then nn.interrupted() end
    end
  end})
  for e = 1, epochs do
    epoch = e
    local t0 = wallclock()
    local perm = nn.randperm(N)
    local sJ, sm, st, sk, sa = 0, 0, 0, 0, 0
    for s = 1, N, batch do
      local n = math.min(batch, N - s + 1)
      local xb = n == batch and full or rest
      gather(xb, data, perm, s, n)
      local J = step(xb)
      sJ, sm, st, sk, sa = sJ + n * J, sm + n * mse, st + n * tyk, sk + n * kl, sa + n * act
      if can_catch and nn.interrupted() then
        history.interrupted, history.interrupted_epoch = true, epoch
        return history
      end
    end
    local rec = {epoch = epoch, J = sJ / N, mse = sm / N, tykhonov = st / N, kl = sk / N,
                 mean_act = sa / N, seconds = wallclock() - t0}
    history[epoch] = rec
    if opts.on_epoch then opts.on_epoch(rec) end
  end
  return history
end

for _, name in ipairs{"gray", "remove_mean", "clip_scale", "preprocess", "init", "grads",
                      "check", "cost", "forward", "train"} do
  local f = ae[name]
  ae[name] = function(...)
    local r = table.pack(pcall(f, ...))
    if not r[1] then
      local msg = r[2]
      -- Drop positions inside this file (C errors and inner calls carry them).
      if type(msg) == "string" then
        repeat
          local n
          msg, n = msg:gsub("^[^\n]-ae%.lua:%d+: ", "", 1)
        until n == 0
      end
      error(msg, 2)
    end
    return table.unpack(r, 2, r.n)
  end
end

if nn.setdoc then
  nn.setdoc(ae.cost, [[
ae.cost(We, data, params [, grads]) -> J, terms, grads
Sparse tied-weight autoencoder cost (the course's aeCost) and its gradients in
one fused C pass. We = {W=(Lhid,Lin), b1=(Lhid), b2=(Lin)}, data (N,Lin),
params = {lambda=, beta=, rho= [, Lin=, Lhid=]}. terms = {J, mse, tykhonov,
kl, mean_act}; grads = {W=, b1=, b2=} (written into the given tensors).
  local We = ae.init(256, 64)
  local J, terms, g = ae.cost(We, x, {lambda=5e-4, beta=0.5, rho=0.05})]])
  nn.setdoc(ae.preprocess, [[
ae.preprocess(rgb) -> (N, H*W) tensor in [0.1, 0.9], sigma
Q1 preprocessing of (N,3,H,W) RGB patches: luminosity gray, per-patch mean
removal, clip to ±3 sigma (std over all values), map to [0.1, 0.9].]])
  nn.setdoc(ae.train, [[
ae.train(We, data, {lambda=5e-4, beta=0.5, rho=0.05, lr=0.05, momentum=0.9,
                    batch=32, epochs=200, on_epoch=fn}) -> history
Mini-batch momentum SGD on the autoencoder; history[e] = {epoch, J, mse,
tykhonov, kl, mean_act, seconds} (averages over the epoch's batches).
Ctrl-C stops after the current mini-batch and keeps the weights trained so
far; history.interrupted is then true (history.interrupted_epoch says where).]])
  nn.setdoc(ae.init, [[
ae.init(Lin, Lhid) -> {W=, b1=, b2=} uniform in ±sqrt(6/(Lin+Lhid)) (seeded).]])
  nn.setdoc(ae.forward, [[
ae.forward(We, data) -> H (N,Lhid) hidden activations, O (N,Lin) reconstructions.]])
end

return ae
