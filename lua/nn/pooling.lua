-- nn.MaxPool2d(k [, stride=k [, pad=0]]) and nn.AvgPool2d(...): pooling over
-- each channel of (N, C, H, W) batches, PyTorch's conventions
-- (src/core/pool2d.h): (N, C, H, W) -> (N, C, (H+2p-k)//s + 1, (W+2p-k)//s + 1),
-- floor mode.  Max: the padding never wins; the gradient goes to each
-- window's arg-max (the first one on ties).  Avg: mean of the window,
-- padding counted as zeros (divisor k*k).  k, stride, pad: a number or {h, w}.
local nn = require "nn"
local C = nn.C
local pair, hw = nn._pair, nn._hw

local function pool_class(name, fwd, bwd)
  local cls = nn.class(name)

  function cls:__init(k, stride, pad)
    nn.Module.__init(self)
    local fname = "nn." .. name
    self.kh, self.kw = pair(k, fname .. ": the window size", false, 4)
    self.sh, self.sw = pair(stride or k, fname .. ": stride", false, 4)
    self.ph, self.pw = pair(pad or 0, fname .. ": pad", true, 4)
    if 2 * self.ph > self.kh or 2 * self.pw > self.kw then
      error(("%s: pad %s must be at most half the window %s"):format(fname, hw(self.ph, self.pw),
        hw(self.kh, self.kw)), 4)
    end
    if name == "MaxPool2d" then self._argmax = nn.IndexTensor(0) end
  end

  function cls:describe()
    local s = ("nn.%s(%s"):format(name, hw(self.kh, self.kw))
    if self.sh ~= self.kh or self.sw ~= self.kw then s = s .. ", stride " .. hw(self.sh, self.sw) end
    if self.ph ~= 0 or self.pw ~= 0 then s = s .. ", pad " .. hw(self.ph, self.pw) end
    return s .. ")"
  end

  local function check(self, x, fname)
    if x:dim() ~= 4 then
      error(("%s.%s: input must be (N, C, H, W), got %s"):format(self:describe(), fname,
        table.concat(x:size(), "x")), 3)
    end
    local hp, wp = x:size(3) + 2 * self.ph, x:size(4) + 2 * self.pw
    if self.kh > hp or self.kw > wp then
      error(("%s.%s: window %dx%d is larger than the padded input %dx%d (input %s)"):format(
        self:describe(), fname, self.kh, self.kw, hp, wp, table.concat(x:size(), "x")), 3)
    end
    return x
  end

  function cls:forward(x)
    x = check(self, nn._contig(x), "forward")
    return fwd(self, x)
  end

  function cls:backward(x, gradOutput)
    x = check(self, nn._contig(x), "backward")
    return bwd(self, x, nn._contig(gradOutput))
  end
  return cls
end

local MaxPool2d = pool_class("MaxPool2d",
  function(self, x)
    return C.maxpool2d_forward(self.output, self._argmax, x, self.kh, self.kw, self.sh, self.sw,
      self.ph, self.pw)
  end,
  function(self, x, g)
    return C.maxpool2d_backward(self.gradInput, g, self._argmax, x, self.kh, self.kw, self.sh,
      self.sw, self.ph, self.pw)
  end)
nn._doc(MaxPool2d, [=[nn.MaxPool2d(k [, stride=k [, pad=0]]) -> module
Max over k x k windows of each channel: (N, C, H, W) -> (N, C, (H+2pad-k)//stride+1, ...).
The gradient goes to each window's maximum (the first one on ties).
  nn.MaxPool2d(2):forward(nn.randn(8, 32, 28, 28))   -- 8x32x14x14]=])

local AvgPool2d = pool_class("AvgPool2d",
  function(self, x)
    return C.avgpool2d_forward(self.output, x, self.kh, self.kw, self.sh, self.sw, self.ph, self.pw)
  end,
  function(self, x, g)
    return C.avgpool2d_backward(self.gradInput, g, x, self.kh, self.kw, self.sh, self.sw,
      self.ph, self.pw)
  end)
nn._doc(AvgPool2d, [=[nn.AvgPool2d(k [, stride=k [, pad=0]]) -> module
Mean over k x k windows of each channel (padding counts as zeros, divisor k*k).
  nn.AvgPool2d(3, 2, 1):forward(nn.randn(8, 32, 28, 28))   -- 8x32x14x14]=])

return true
