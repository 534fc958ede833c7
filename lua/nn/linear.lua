-- nn.Linear(in, out [, {bias=true}]): y = x·W + b over a batch of rows.
--
-- W is stored (in, out) — the forward pass is one sgemm with no transpose
-- (src/core/linear.h).  Default init: W Xavier-uniform, b zero.
-- Input (B, in) or a single row (in).
local nn = require "nn"
local C = nn.C

local Linear = nn.class("Linear")

function Linear:__init(nin, nout, opts)
  nn.Module.__init(self)
  nin = nn._check_size("Linear", "the number of inputs", nin)
  nout = nn._check_size("Linear", "the number of outputs", nout)
  opts = opts or {}
  self.nin, self.nout = nin, nout
  self:_param("weight", nn.init.xavier_uniform(nn.zeros(nin, nout)))
  if opts.bias ~= false then self:_param("bias", nn.zeros(nout)) end
end

-- A single row (in) is handled as a (1, in) batch.
local function as_batch(self, x, fname)
  if x:dim() == 1 then return x:view(1, -1), true end
  if x:dim() ~= 2 then
    error(("nn.Linear.%s: input must be (batch, %d) or (%d), got %s"):format(
      fname, self.nin, self.nin, table.concat(x:size(), "x")), 3)
  end
  return x, false
end

function Linear:forward(x)
  local xb, single = as_batch(self, nn._contig(x), "forward")
  C.linear_forward(self.output, xb, self.weight, self.bias)
  if single then return self.output:view(-1) end
  return self.output
end

function Linear:backward(x, gradOutput)
  local xb, single = as_batch(self, nn._contig(x), "backward")
  local g = nn._contig(gradOutput)
  if single then g = g:view(1, -1) end
  if self._no_input_grad then
    C.linear_backward(nil, self.gradWeight, self.gradBias, g, xb, self.weight)
    return nil
  end
  C.linear_backward(self.gradInput, self.gradWeight, self.gradBias, g, xb, self.weight)
  if single then return self.gradInput:view(-1) end
  return self.gradInput
end

function Linear:describe()
  return ("nn.Linear(%d -> %d%s)"):format(self.nin, self.nout, self.bias and "" or ", no bias")
end

nn._doc(Linear, [[nn.Linear(in, out [, {bias=false}]) -> module: y = x·W + b
x (batch, in) -> y (batch, out).  W is (in, out), Xavier-uniform; b zeros.
Fields: weight, bias, gradWeight, gradBias.
  m = nn.Linear(96, 256); y = m:forward(nn.randn(200, 96))]])

return Linear
