-- nn.Embedding(V, D): rows of a (V, D) table looked up by an index tensor.
-- Input: an index tensor of any shape S (1-based word numbers); output
-- S x D, e.g. (N, 3) contexts -> (N, 3, D), which nn.View(-1, 3*D) turns
-- into the concatenation.  Backward scatter-adds into gradWeight, so a
-- word used several times in a batch collects every contribution.
local nn = require "nn"
local C = nn.C

local Embedding = nn.class("Embedding")

function Embedding:__init(V, D)
  nn.Module.__init(self)
  V = nn._check_size("Embedding", "the vocabulary size", V)
  D = nn._check_size("Embedding", "the embedding size", D)
  self.V, self.D = V, D
  self:_param("weight", nn.init.normal(nn.zeros(V, D), 1))
  self.gradInput = nil -- indices have no gradient
end

local function check_input(x, fname)
  if type(x) ~= "userdata" or x:type() ~= "index" then
    error(("nn.Embedding.%s: input must be an index tensor (nn.index{...}), got %s"):format(
      fname, type(x) == "userdata" and "a float tensor" or type(x)), 3)
  end
end

function Embedding:forward(x)
  check_input(x, "forward")
  return C.embedding_forward(self.output, nn._contig(x), self.weight)
end

function Embedding:backward(x, gradOutput)
  check_input(x, "backward")
  C.embedding_backward(self.gradWeight, nn._contig(gradOutput), nn._contig(x))
  return nil
end

function Embedding:describe()
  return ("nn.Embedding(%d, %d)"):format(self.V, self.D)
end

nn._doc(Embedding, [[nn.Embedding(V, D) -> module: row lookup in a (V, D) table
Input: index tensor of any shape S (values 1..V); output: S x D.
backward accumulates into gradWeight (repeated words add up); no input gradient.
Init N(0, 1).
  m = nn.Embedding(250, 32); e = m:forward(nn.index{{1, 5, 7}})   -- 1x3x32]])

return Embedding
