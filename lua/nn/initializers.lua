-- nn.init: weight initializers.  Each fills a tensor in place from the
-- global generator (so nn.seed(n) makes it reproducible) and returns it.
-- Fans are those of nn.Linear's (in, out) weight: fan_in = size(1),
-- fan_out = size(2).
local nn = require "nn"
local doc = nn._doc

local init = {}
nn.init = init

local function fans(t, fname)
  if t:dim() ~= 2 then
    error(("nn.init.%s: needs a 2-d (in, out) weight, got a %d-d tensor"):format(fname, t:dim()), 3)
  end
  return t:size(1), t:size(2)
end

function init.xavier_uniform(t, gain)
  local fin, fout = fans(t, "xavier_uniform")
  nn._check_number("nn.init.xavier_uniform", "gain", gain or 1, 0, nil, "(]", 2)
  local a = (gain or 1) * math.sqrt(6 / (fin + fout))
  return t:uniform_(-a, a)
end
doc(init.xavier_uniform, [[nn.init.xavier_uniform(W [, gain=1]) -> W
Uniform in +-gain*sqrt(6/(fan_in+fan_out)) (Glorot & Bengio 2010), W (in, out).
  nn.init.xavier_uniform(nn.zeros(96, 256))]])

function init.he(t)
  local fin = fans(t, "he")
  return t:normal_(0, math.sqrt(2 / fin))
end
doc(init.he, [[nn.init.he(W) -> W
Normal N(0, 2/fan_in) (He et al. 2015), for layers followed by ReLU.]])

function init.normal(t, std, mean)
  nn._check_number("nn.init.normal", "std", std or 1, 0, nil, "[]", 2)
  nn._check_number("nn.init.normal", "mean", mean or 0, nil, nil, nil, 2)
  return t:normal_(mean or 0, std or 1)
end
doc(init.normal, [[nn.init.normal(t [, std=1, mean=0]) -> t filled with N(mean, std^2).
  nn.init.normal(layer.weight, 0.01)]])

function init.uniform(t, lo, hi)
  nn._check_number("nn.init.uniform", "lo", lo or 0, nil, nil, nil, 2)
  nn._check_number("nn.init.uniform", "hi", hi or 1, lo or 0, nil, "[]", 2)
  return t:uniform_(lo or 0, hi or 1)
end
doc(init.uniform, "nn.init.uniform(t [, lo=0, hi=1]) -> t filled uniformly in [lo, hi).")

function init.zeros(t) return t:zero() end
doc(init.zeros, "nn.init.zeros(t) -> t filled with 0.")

function init.constant(t, v)
  nn._check_number("nn.init.constant", "v", v, nil, nil, nil, 2)
  return t:fill(v)
end
doc(init.constant, "nn.init.constant(t, v) -> t filled with v.")

doc(init, [[nn.init: initializers (in place, seeded by nn.seed):
  xavier_uniform(W [, gain])  he(W)  normal(t, std, mean)  uniform(t, lo, hi)  zeros(t)  constant(t, v)]])

return init
