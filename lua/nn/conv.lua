-- nn.Conv2d(cin, cout, k [, {stride=1, pad=0, bias=true}]): 2-d convolution
-- over (N, Cin, H, W) batches, PyTorch's conventions (src/core/conv2d.h):
--   weight (cout, cin, kh, kw), bias (cout), zero padding,
--   out[n,o,i,j] = bias[o] + Σ_{c,u,v} weight[o,c,u,v] * x[n,c, i*sh-ph+u, j*sw-pw+v]
--   (N, cin, H, W) -> (N, cout, (H+2ph-kh)//sh + 1, (W+2pw-kw)//sw + 1).
-- k, stride and pad are a number or a pair {h, w}.  Init as PyTorch:
-- weight and bias uniform in +-1/sqrt(cin*kh*kw).
-- Training runs im2col + one sgemm per sample (the workspace is kept on the
-- module, so a repeated batch shape allocates nothing); {direct=true}
-- selects the reference loops instead (slow; for checking).
local nn = require "nn"
local C = nn.C

local Conv2d = nn.class("Conv2d")

-- A number or {h, w} of positive (or, with zero_ok, non-negative) integers.
local function pair(v, what, zero_ok, level)
  local h, w = v, v
  if type(v) == "table" then h, w = v[1], v[2] end
  local lo = zero_ok and 0 or 1
  if math.type(h) ~= "integer" or math.type(w) ~= "integer" or h < lo or w < lo then
    error(("%s must be %s integer or a pair {h, w} of them, got %s"):format(what,
      zero_ok and "a non-negative" or "a positive",
      type(v) == "table" and ("{%s}"):format(table.concat(v, ", ")) or tostring(v)), level + 1)
  end
  return h, w
end
nn._pair = pair

local function hw(h, w) return h == w and tostring(h) or ("%dx%d"):format(h, w) end
nn._hw = hw

function Conv2d:__init(cin, cout, k, opts)
  nn.Module.__init(self)
  nn._check_size("Conv2d", "the number of input channels", cin)
  nn._check_size("Conv2d", "the number of output channels", cout)
  opts = opts or {}
  if type(opts) ~= "table" then
    error(("nn.Conv2d: options must be a table {stride=, pad=, bias=}, got %s"):format(type(opts)), 3)
  end
  self.cin, self.cout = cin, cout
  self.kh, self.kw = pair(k, "nn.Conv2d: the kernel size", false, 3)
  self.sh, self.sw = pair(opts.stride or 1, "nn.Conv2d: stride", false, 3)
  self.ph, self.pw = pair(opts.pad or opts.padding or 0, "nn.Conv2d: pad", true, 3)
  self.direct = opts.direct == true
  local a = 1 / math.sqrt(cin * self.kh * self.kw)
  self:_param("weight", nn.zeros(cout, cin, self.kh, self.kw):uniform_(-a, a))
  if opts.bias ~= false then self:_param("bias", nn.zeros(cout):uniform_(-a, a)) end
  self._ws = nn.zeros(0)
end

function Conv2d:describe()
  local s = ("nn.Conv2d(%d -> %d, %s"):format(self.cin, self.cout, hw(self.kh, self.kw))
  if self.sh ~= 1 or self.sw ~= 1 then s = s .. ", stride " .. hw(self.sh, self.sw) end
  if self.ph ~= 0 or self.pw ~= 0 then s = s .. ", pad " .. hw(self.ph, self.pw) end
  if not self.bias then s = s .. ", no bias" end
  if self.direct then s = s .. ", direct" end
  return s .. ")"
end

-- The input as a (N, cin, H, W) batch (a single (cin, H, W) image is a
-- batch of one); shape errors name the layer and the shapes.
local function as_batch(self, x, fname)
  local d = x:dim()
  local single = d == 3
  if single then x = x:view(1, x:size(1), x:size(2), x:size(3)) end
  if x:dim() ~= 4 then
    error(("%s.%s: input must be (N, %d, H, W) or (%d, H, W), got %s"):format(self:describe(),
      fname, self.cin, self.cin, table.concat(x:size(), "x")), 3)
  end
  if x:size(2) ~= self.cin then
    error(("%s.%s: input %s has %d channels, the layer expects %d"):format(self:describe(), fname,
      table.concat(x:size(), "x"), x:size(2), self.cin), 3)
  end
  local hp, wp = x:size(3) + 2 * self.ph, x:size(4) + 2 * self.pw
  if self.kh > hp or self.kw > wp then
    error(("%s.%s: kernel %dx%d is larger than the padded input %dx%d (input %s, pad %s)"):format(
      self:describe(), fname, self.kh, self.kw, hp, wp, table.concat(x:size(), "x"),
      hw(self.ph, self.pw)), 3)
  end
  return x, single
end

local function unbatch(t) return t:view(t:size(2), t:size(3), t:size(4)) end

function Conv2d:forward(x)
  local xb, single = as_batch(self, nn._contig(x), "forward")
  if self.direct then
    C.conv2d_forward_direct(self.output, xb, self.weight, self.bias, self.sh, self.sw, self.ph, self.pw)
  else
    C.conv2d_forward(self.output, self._ws, xb, self.weight, self.bias, self.sh, self.sw, self.ph, self.pw)
  end
  if single then return unbatch(self.output) end
  return self.output
end

function Conv2d:backward(x, gradOutput)
  local xb, single = as_batch(self, nn._contig(x), "backward")
  local g = nn._contig(gradOutput)
  if single then g = g:view(1, g:size(1), g:size(2), g:size(3)) end
  local dx = (not self._no_input_grad) and self.gradInput or nil
  if self.direct then
    C.conv2d_backward_direct(dx, self.gradWeight, self.gradBias, g, xb, self.weight,
      self.sh, self.sw, self.ph, self.pw)
  else
    C.conv2d_backward(dx, self.gradWeight, self.gradBias, self._ws, g, xb, self.weight,
      self.sh, self.sw, self.ph, self.pw)
  end
  if not dx then return nil end
  if single then return unbatch(self.gradInput) end
  return self.gradInput
end

-- The conv - ReLU - 2x2 max pool sandwich in one kernel
-- (src/core/conv_relu_pool.h); nn.Sequential calls these for such a run of
-- modules.  Can this layer, followed by ReLU and `pool`, take input x?
function Conv2d:_fusible(x, pool)
  if self.direct or pool.kh ~= 2 or pool.kw ~= 2 or pool.sh ~= 2 or pool.sw ~= 2
      or pool.ph ~= 0 or pool.pw ~= 0 or x:dim() ~= 4 or x:size(2) ~= self.cin then
    return false
  end
  local hp, wp = x:size(3) + 2 * self.ph, x:size(4) + 2 * self.pw
  if self.kh > hp or self.kw > wp then return false end
  return ((hp - self.kh) // self.sh + 1) % 2 == 0 and ((wp - self.kw) // self.sw + 1) % 2 == 0
end

function Conv2d:_fused_forward(x, pool)
  self._fws = self._fws or nn.zeros(0)
  return C.conv_relu_pool_forward(pool.output, self._fws, nn._contig(x), self.weight, self.bias,
    self.sh, self.sw, self.ph, self.pw)
end

function Conv2d:_fused_backward(x, gradOutput)
  local dx = (not self._no_input_grad) and self.gradInput or nil
  C.conv_relu_pool_backward(dx, self.gradWeight, self.gradBias, self._fws, nn._contig(gradOutput),
    nn._contig(x), self.weight, self.sh, self.sw, self.ph, self.pw)
  return dx
end

nn._doc(Conv2d, [[nn.Conv2d(cin, cout, k [, {stride=1, pad=0, bias=true}]) -> module
2-d convolution (PyTorch's): x (N, cin, H, W) -> (N, cout, OH, OW),
OH = (H + 2*pad - kh)//stride + 1.  k, stride, pad: a number or {h, w}.
weight (cout, cin, kh, kw), bias (cout); both uniform in +-1/sqrt(cin*kh*kw).
Fields: weight, bias, gradWeight, gradBias.
  m = nn.Conv2d(1, 32, 7, {pad = 3}); y = m:forward(nn.randn(8, 1, 28, 28))  -- 8x32x28x28]])

return Conv2d
