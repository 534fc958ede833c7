-- One picture of each kind nnsh draws, written into out/pictures/:
--   loss.png       plot.lines: two loss curves (log y)
--   sweep.png      plot.grid: four small plots in one figure
--   gabor.png      image.grid: 24 Gabor-like 16x16 filters, each normalized
--   rgb.png        image.grid: RGB tiles
--   confusion.png  plot.confusion: a 6-class confusion heatmap with counts
-- and the loss curves once more as text in the terminal (plot.term).
-- The data are synthetic (seeded), so the script runs without data files:
--   nnsh scripts/examples/pictures.lua [--out out/pictures]
local nn = require "nn"
local plot = require "plot"
local image = require "image"
local cli = require "cli"

local opt = cli.parse(arg or {}, {
  usage = "nnsh scripts/examples/pictures.lua [options]",
  {"out", "out/pictures", "output directory"},
  {"seed", 1, "random seed"},
})
nn.seed(opt.seed)
math.randomseed(opt.seed)

-- Loss curves: exponential decays with a little noise.
local train, val, noise = {}, {}, nn.randn(2, 60):totable()
for e = 1, 60 do
  train[e] = 0.05 + 2.0 * math.exp(-e / 9) * (1 + 0.05 * noise[1][e])
  val[e] = 0.12 + 2.1 * math.exp(-e / 11) * (1 + 0.05 * noise[2][e])
end
plot.lines{{name = "train", y = train}, {name = "validation", y = val},
           title = "loss per epoch", xlabel = "epoch", ylabel = "loss", logy = true,
           path = opt.out .. "/loss.png"}

-- A grid of plots, as a sweep would draw it.
local panels = {}
for i, tau in ipairs{4, 8, 16, 32} do
  local y = {}
  for e = 1, 60 do y[e] = math.exp(-e / tau) end
  panels[i] = {{name = "tau " .. tau, y = y}, title = "run " .. i, xlabel = "epoch"}
end
panels.title = "four runs"
panels.path = opt.out .. "/sweep.png"
plot.grid(panels)

-- Gabor filters: oriented sinusoids under a Gaussian window, placed off centre.
local n, size = 24, 16
local g = nn.zeros(n, size, size)
for k = 1, n do
  local theta = math.pi * (k - 1) / 8
  local cx, cy = 5 + 6 * math.random(), 5 + 6 * math.random()
  local lambda, sigma = 4 + 3 * ((k - 1) % 3), 2.5
  local tile = g[k]
  for y = 1, size do
    local row = tile[y]
    for x = 1, size do
      local dx, dy = x - cx, y - cy
      local u = dx * math.cos(theta) + dy * math.sin(theta)
      row[x] = math.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)) *
               math.cos(2 * math.pi * u / lambda)
    end
  end
end
image.grid(g, {rows = 4, normalize = "each", pad = 1, scale = 4, padvalue = 0.25,
               path = opt.out .. "/gabor.png"})

-- RGB tiles: colour ramps.
local rgb = nn.zeros(6, 3, 8, 8)
for k = 1, 6 do
  for c = 1, 3 do
    local ch = rgb[k][c]
    for y = 1, 8 do
      for x = 1, 8 do
        ch[y][x] = (c == (k - 1) % 3 + 1) and x / 8 or (c == k % 3 + 1 and y / 8 or 0.1)
      end
    end
  end
end
image.grid(rgb, {rows = 2, pad = 2, scale = 8, padvalue = 1, path = opt.out .. "/rgb.png"})

-- Confusion matrix of a made-up 6-class classifier.
local classes = {"downstairs", "laying", "sitting", "standing", "upstairs", "walking"}
local cm = {
  {71, 0, 0, 1, 14, 14}, {0, 96, 3, 1, 0, 0}, {0, 2, 78, 19, 0, 1},
  {0, 0, 15, 84, 0, 1}, {12, 0, 0, 1, 75, 12}, {6, 0, 0, 0, 9, 85}}
plot.confusion(cm, classes, {title = "test set (synthetic)", path = opt.out .. "/confusion.png"})

plot.term{{name = "train", y = train}, {name = "validation", y = val}, title = "loss per epoch"}
