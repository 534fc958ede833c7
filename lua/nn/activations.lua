-- Pointwise activations and softmax: nn.Sigmoid, nn.Tanh, nn.ReLU,
-- nn.LeakyReLU(slope), nn.SoftMax (over the last dimension).
-- No parameters; outputs and input gradients reuse their buffers.
local nn = require "nn"
local C = nn.C
local doc = nn._doc

-- A class whose backward uses the forward OUTPUT (sigmoid, tanh, softmax).
local function from_output(name, fwd, bwd, text)
  local cls = nn.class(name)
  function cls:__init() nn.Module.__init(self) end
  function cls:forward(x) return fwd(self.output, nn._contig(x)) end
  function cls:backward(x, gradOutput)
    return bwd(self.gradInput, nn._contig(gradOutput), self.output)
  end
  doc(cls, text)
  return cls
end

from_output("Sigmoid", C.sigmoid_forward, C.sigmoid_backward,
  "nn.Sigmoid() -> module: y = 1/(1+e^-x) elementwise.")
from_output("Tanh", C.tanh_forward, C.tanh_backward,
  "nn.Tanh() -> module: y = tanh(x) elementwise.")
from_output("SoftMax", C.softmax_forward, C.softmax_backward,
  "nn.SoftMax() -> module: softmax over the last dimension (rows of a batch).\n" ..
  "To train a classifier use nn.CrossEntropyLoss on the raw scores instead (fused, stable).")

local ReLU = nn.class("ReLU")
function ReLU:__init() nn.Module.__init(self) end
function ReLU:forward(x) return C.relu_forward(self.output, nn._contig(x)) end
function ReLU:backward(x, gradOutput)
  return C.relu_backward(self.gradInput, nn._contig(gradOutput), nn._contig(x))
end
doc(ReLU, "nn.ReLU() -> module: y = max(x, 0) elementwise.")

local LeakyReLU = nn.class("LeakyReLU")
function LeakyReLU:__init(slope)
  nn.Module.__init(self)
  self.slope = slope or 0.01
  nn._check_number("nn.LeakyReLU", "slope", self.slope, nil, nil, nil, 3)
end
function LeakyReLU:forward(x) return C.leaky_relu_forward(self.output, nn._contig(x), self.slope) end
function LeakyReLU:backward(x, gradOutput)
  return C.leaky_relu_backward(self.gradInput, nn._contig(gradOutput), nn._contig(x), self.slope)
end
function LeakyReLU:describe() return ("nn.LeakyReLU(%g)"):format(self.slope) end
doc(LeakyReLU, "nn.LeakyReLU([slope=0.01]) -> module: y = x if x > 0 else slope*x.")

return true
