--- q1: the Q1 experiment as library functions, shared by
-- scripts/q1_autoencoder.lua (one run) and scripts/q1_sweep.lua (nine).
--
--   q1.load(path)                -> rgb (N,3,16,16), x (N,256) preprocessed, sigma
--   q1.part_a(rgb, x, out, seed) -> writes patches_rgb.png, patches_gray.png
--   q1.run(opts)                 -> result table (see below); trains and draws
--
-- q1.run options (defaults in q1.defaults): lhid, lambda, beta, rho, lr,
-- momentum, batch, epochs, seed, data, out, part_a (draw part a too),
-- quiet (no per-epoch lines), x (preprocessed data, else loaded from data).
-- Files written into out: loss.png (J and its three terms per epoch),
-- features.png (the Lhid first-layer weight vectors as 16x16 tiles, each
-- normalized to its own min/max), reconstruction.png (patches above, their
-- reconstructions below).
-- The result: the options, final J and its terms and the mean hidden
-- activation over the whole data set after training, sec_per_epoch (mean
-- wall time of an epoch), history (per-epoch arrays), files.
local nn = require "nn"
local ae = require "ae"
local image = require "image"
local plot = require "plot"

local q1 = {}

q1.defaults = {lhid = 64, lambda = ae.defaults.lambda, beta = ae.defaults.beta,
               rho = ae.defaults.rho, lr = ae.defaults.lr, momentum = ae.defaults.momentum,
               batch = ae.defaults.batch, epochs = ae.defaults.epochs, seed = 1,
               data = require("nnsh.paths").file("data", "data1.h5"), out = "out/q1"}

function q1.load(path)
  local h5 = require "h5"
  local rgb = h5.read(path or q1.defaults.data, "data")
  local x, sigma = ae.preprocess(rgb)
  return rgb, x, sigma
end

-- n distinct random rows (seeded by the caller through nn.seed).
local function pick(n, total)
  return nn.randperm(total):narrow(1, 1, math.min(n, total))
end

--- Part a: the same 200 random patches in RGB and preprocessed gray.
function q1.part_a(rgb, x, out, seed, quiet)
  nn.seed(seed or 1)
  local idx = pick(200, rgb:size(1))
  local side = math.floor(math.sqrt(x:size(2)) + 0.5)
  local a = image.grid(nn.index_select(rgb, idx), {rows = 10, cols = 20, pad = 1, scale = 3,
                       padvalue = 1, path = out .. "/patches_rgb.png", quiet = quiet})
  -- Preprocessed values are in [0.1, 0.9]: shown as they are (no per-tile
  -- stretch) so that contrast differences between patches stay visible.
  local b = image.grid(nn.index_select(x, idx):view(idx:size(1), side, side),
                       {rows = 10, cols = 20, pad = 1, scale = 3, padvalue = 1,
                        path = out .. "/patches_gray.png", quiet = quiet})
  return a, b
end

local function fmt_epoch(r)
  return string.format("%5d  %9.5f  %9.5f  %9.5f  %9.5f  %8.4f  %7.3f", r.epoch, r.J, r.mse,
                       r.tykhonov, r.kl, r.mean_act, r.seconds)
end
q1.epoch_header = string.format("%5s  %9s  %9s  %9s  %9s  %8s  %7s", "epoch", "J", "mse",
                                "tykhonov", "kl", "mean_act", "s")

function q1.pictures(We, x, history, out, title, seed, quiet)
  local lhid, lin = We.W:size(1), We.W:size(2)
  local side = math.floor(math.sqrt(lin) + 0.5)
  local files = {}
  local series = {}
  for _, key in ipairs{"J", "mse", "tykhonov", "kl"} do
    local y = {}
    for e, r in ipairs(history) do y[e] = math.max(r[key], 1e-12) end
    series[#series + 1] = {name = key, y = y}
  end
  series.title = title
  series.xlabel = "epoch"
  series.ylabel = "cost (mean over the epoch's mini-batches)"
  series.logy = true
  series.path = out .. "/loss.png"
  series.quiet = quiet
  if #history > 0 then files.loss = plot.lines(series) end
  files.features = image.grid(We.W:view(lhid, side, side),
                              {normalize = "each", pad = 1, scale = 4, padvalue = 0.25,
                               path = out .. "/features.png", quiet = quiet})
  nn.seed((seed or 1) + 1000)
  local n = 12
  local idx = pick(n, x:size(1))
  local orig = nn.index_select(x, idx)
  local _, rec = ae.forward(We, orig)
  local both = nn.zeros(2 * n, lin)
  both:narrow(1, 1, n):copy(orig)
  both:narrow(1, n + 1, n):copy(rec)
  files.reconstruction = image.grid(both:view(2 * n, side, side),
                                    {rows = 2, pad = 1, scale = 4, padvalue = 1,
                                     path = out .. "/reconstruction.png", quiet = quiet})
  return files
end

function q1.run(opts)
  local o = {}
  for k, v in pairs(q1.defaults) do o[k] = v end
  for k, v in pairs(opts or {}) do o[k] = v end
  local x = o.x
  local rgb
  if not x then rgb, x = q1.load(o.data) end
  if o.part_a then
    if not rgb then rgb = require("h5").read(o.data, "data") end
    q1.part_a(rgb, x, o.out, o.seed, o.quiet_files)
  end
  nn.seed(o.seed)
  local We = ae.init(x:size(2), o.lhid)
  if not o.quiet then print(q1.epoch_header) end
  local history = ae.train(We, x, {lambda = o.lambda, beta = o.beta, rho = o.rho, lr = o.lr,
                                   momentum = o.momentum, batch = o.batch, epochs = o.epochs,
                                   on_epoch = function(r)
                                     if not o.quiet then
                                       print(fmt_epoch(r))
                                       io.stdout:flush()
                                     end
                                   end})
  local _, final = ae.cost(We, x, {lambda = o.lambda, beta = o.beta, rho = o.rho})
  local secs = 0
  for _, r in ipairs(history) do secs = secs + r.seconds end
  local title = string.format("Lhid %d, lambda %g, beta %g, rho %g", o.lhid, o.lambda, o.beta,
                              o.rho)
  local files = q1.pictures(We, x, history, o.out, title, o.seed, o.quiet_files)
  local hist = {J = {}, mse = {}, tykhonov = {}, kl = {}, mean_act = {}, seconds = {}}
  for e, r in ipairs(history) do
    for k, t in pairs(hist) do t[e] = r[k] end
  end
  return {
    lhid = o.lhid, lambda = o.lambda, beta = o.beta, rho = o.rho, lr = o.lr,
    momentum = o.momentum, batch = o.batch, epochs = o.epochs, seed = o.seed,
    J = final.J, mse = final.mse, tykhonov = final.tykhonov, kl = final.kl,
    mean_act = final.mean_act,
    sec_per_epoch = #history > 0 and secs / #history or 0,
    optimizer = history.optimizer,
    interrupted = history.interrupted, interrupted_epoch = history.interrupted_epoch,
    history = hist, files = files,
  }, We
end

return q1
