-- nn.Dropout(p): inverted dropout.  Training: each element is zeroed with
-- probability p and the survivors scaled by 1/(1-p), the mask drawn from
-- the global generator (nn.seed).  Evaluation: the identity.
local nn = require "nn"
local C = nn.C

local Dropout = nn.class("Dropout")

function Dropout:__init(p)
  nn.Module.__init(self)
  p = p or 0.5
  nn._check_number("nn.Dropout", "p", p, 0, 1, "[)", 3)
  self.p = p
  self.mask = nn.zeros(0)
end

function Dropout:forward(x)
  if not self.train or self.p == 0 then
    self._identity = true
    return x
  end
  self._identity = false
  return C.dropout_forward(self.output, self.mask, nn._contig(x), self.p)
end

function Dropout:backward(x, gradOutput)
  if self._identity then return gradOutput end
  return C.dropout_backward(self.gradInput, nn._contig(gradOutput), self.mask)
end

function Dropout:describe() return ("nn.Dropout(%g)"):format(self.p) end

nn._doc(Dropout, [[nn.Dropout([p=0.5]) -> module: inverted dropout
Training: zero each element with probability p, scale the rest by 1/(1-p).
Evaluation (m:evaluate()): the identity.  Seeded by nn.seed.]])

return Dropout
