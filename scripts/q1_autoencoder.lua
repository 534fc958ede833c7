-- Q1: a sparse tied-weight autoencoder on 16x16 natural image patches
-- (EXPERIMENTS.md, data/data1.h5).
--   part a  200 random patches in RGB and preprocessed gray (two grids)
--   part b  training: one line per epoch with J and its three terms
--   part c  loss curves, the first-layer features as an image grid, and a
--           few patches next to their reconstructions
-- Everything is written into --out; --json FILE adds the numbers.
--   nnsh scripts/q1_autoencoder.lua [--lhid 64] [--lambda 5e-4] [--epochs 200] ...
local nn = require "nn"
local cli = require "cli"
local json = require "json"
local q1 = require "q1"

local d = q1.defaults
local spec = {
  usage = "nnsh scripts/q1_autoencoder.lua [options]",
  {"lhid", d.lhid, "hidden units"},
  {"lambda", d.lambda, "Tykhonov weight (J term lambda * sum W^2, tied weights)"},
  {"beta", d.beta, "sparsity weight"},
  {"rho", d.rho, "target mean activation"},
  {"lr", d.lr, "learning rate"},
  {"momentum", d.momentum, "momentum"},
  {"batch", d.batch, "mini-batch size"},
  {"epochs", d.epochs, "epochs"},
  {"seed", d.seed, "random seed"},
  {"data", d.data, "HDF5 file with the `data` patches"},
  {"out", d.out, "output directory for the pictures"},
  {"json", nil, "write the results to FILE", type = "string"},
  {"quiet", false, "no per-epoch lines"},
}
local opt = cli.parse(arg or {}, spec)
if opt.lhid < 1 or opt.lhid ~= math.floor(opt.lhid) then
  cli.fail(spec, "--lhid must be a positive integer, got %s", opt.lhid)
end
opt.lhid = math.tointeger(opt.lhid)
opt.batch = math.tointeger(opt.batch)
opt.epochs = math.tointeger(opt.epochs)
if not opt.batch or opt.batch < 1 then cli.fail(spec, "--batch must be a positive integer") end
require("ae").check({lambda = opt.lambda, beta = opt.beta, rho = opt.rho}, "q1_autoencoder")
if not opt.epochs or opt.epochs < 0 then cli.fail(spec, "--epochs must be an integer >= 0") end

print(string.format("Q1 autoencoder: Lhid %d, lambda %g, beta %g, rho %g, lr %g, momentum %g, " ..
                    "batch %d, %d epochs, seed %d", opt.lhid, opt.lambda, opt.beta, opt.rho,
                    opt.lr, opt.momentum, opt.batch, opt.epochs, opt.seed))
local rgb, x, sigma = q1.load(opt.data)
print(string.format("data: %d patches of %dx%dx%d; preprocessed to %dx%d gray, sigma %.4f",
                    rgb:size(1), rgb:size(2), rgb:size(3), rgb:size(4), x:size(1), x:size(2),
                    sigma))
print("part a:")
q1.part_a(rgb, x, opt.out, opt.seed)
print("parts b, c:")
local r = q1.run{lhid = opt.lhid, lambda = opt.lambda, beta = opt.beta, rho = opt.rho,
                 lr = opt.lr, momentum = opt.momentum, batch = opt.batch, epochs = opt.epochs,
                 seed = opt.seed, out = opt.out, x = x, quiet = opt.quiet}
print(string.format("final (whole data set): J %.5f = mse %.5f + tykhonov %.5f + kl %.5f; " ..
                    "mean hidden activation %.4f; %.3f s/epoch (%s)", r.J, r.mse, r.tykhonov,
                    r.kl, r.mean_act, r.sec_per_epoch, r.optimizer))
if opt.json then
  r.sigma = sigma
  nn.image_c.mkdirs(opt.json)
  json.write(opt.json, r)
  print("wrote " .. opt.json)
end
cli.finish(r, ("training (in epoch %s)"):format(r.interrupted_epoch))
