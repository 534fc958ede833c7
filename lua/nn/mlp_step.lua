-- The fused training step of an embedding MLP classifier, for
-- nn.training_step (lua/nn/step.lua):
--
--   nn.Sequential{nn.Embedding(V, D), nn.View(-1, T*D) | nn.Flatten(),
--                 nn.Linear(T*D, H), nn.Sigmoid() | nn.Tanh() | nn.ReLU(),
--                 nn.Linear(H, O)}  with  nn.CrossEntropyLoss()
--
-- (the Q2 trigram model) on an (B, T) index input goes forward, through the
-- loss and backward in one C call (src/core/mlp_step.h): the two halves of
-- the batch on the two cores, one hand-off per step.  Same losses and
-- forward values as the modules one by one; the gradients differ by float
-- rounding (each half's sum over its rows is added to the other's), and
-- are bitwise the same with one or two threads.
--
-- Afterwards the modules' outputs, the model's output and the criterion's
-- output and ncorrect are what the module path leaves (nn.fit counts
-- accuracy from them); the modules' and the criterion's gradInput buffers
-- are not written (the kernel keeps those in its workspace).
-- m:fuse(false) turns it off, as for the convolution sandwich.
local nn = require "nn"
local C = nn.C

local ACT = {[nn.Sigmoid] = "sigmoid", [nn.Tanh] = "tanh", [nn.ReLU] = "relu"}

-- The model's modules when the pattern holds for this input, else nil.
local function match(model, loss, x, y)
  if getmetatable(model) ~= nn.Sequential or model._nofuse
    or getmetatable(loss) ~= nn.CrossEntropyLoss then return nil end
  local ms = model.modules
  if #ms ~= 5 then return nil end
  local e, v, l1, a, l2 = ms[1], ms[2], ms[3], ms[4], ms[5]
  local act = ACT[getmetatable(a)]
  if not act or getmetatable(e) ~= nn.Embedding or getmetatable(l1) ~= nn.Linear
    or getmetatable(l2) ~= nn.Linear then return nil end
  if type(x) ~= "userdata" or x:type() ~= "index" or x:dim() ~= 2
    or type(y) ~= "userdata" or y:type() ~= "index" or y:dim() ~= 1 then return nil end
  local B, T = x:size(1), x:size(2)
  if B < 1 or y:size(1) ~= B then return nil end
  local TD = T * e.D
  local vm = getmetatable(v)
  if vm == nn.View then
    local d = v.dims
    if #d ~= 2 or d[2] ~= TD or (d[1] ~= -1 and d[1] ~= B) then return nil end
  elseif vm ~= nn.Flatten then
    return nil
  end
  if l1.nin ~= TD or l2.nin ~= l1.nout or (l1.bias == nil) ~= (l1.gradBias == nil)
    or (l2.bias == nil) ~= (l2.gradBias == nil) then return nil end
  return e, v, l1, a, l2, act
end

-- Do the five gradients make up the whole block G, each once?  Then the
-- kernel writes them instead of adding to zeros.  (No table per call: this
-- runs at every step.)
local function covers(G, e, l1, l2)
  local a, b, c, d, f = e.gradWeight, l1.gradWeight, l1.gradBias, l2.gradWeight, l2.gradBias
  if a == b or a == d or b == d or (c and (c == f or c == a or c == b or c == d))
    or (f and (f == a or f == b or f == d)) then return false end
  return a:numel() + b:numel() + d:numel() + (c and c:numel() or 0) + (f and f:numel() or 0)
    == G:numel()
end

-- nn._mlp_step(model, loss, G, zero) -> step(x, y) -> loss, output, or nil
-- when model and loss are not of the pattern (checked again at every call,
-- since a model can be changed or m:fuse(false) set between steps; then the
-- step returns nil, having changed nothing, and the caller runs the
-- modules).  G: the block of the model's gradients; zero() zeroes them.
-- The step leaves this batch's gradients in them.
function nn._mlp_step(model, loss, G, zero)
  if getmetatable(model) ~= nn.Sequential or getmetatable(loss) ~= nn.CrossEntropyLoss then
    return nil
  end
  local ws = nn.zeros(0) -- grown by the kernel to the batch's size
  return function(x, y)
    if not C.mlp_step_pays() then return nil end -- under OpenBLAS's own threads
    local e, v, l1, a, l2, act = match(model, loss, x, y)
    if not e then return nil end
    x, y = nn._contig(x), nn._contig(y)
    local overwrite = G ~= nil and covers(G, e, l1, l2)
    if not overwrite then zero() end
    local l, ncorrect = C.mlp_step(ws, x, y, act, e.weight, e.gradWeight,
      l1.weight, l1.bias, l1.gradWeight, l1.gradBias,
      l2.weight, l2.bias, l2.gradWeight, l2.gradBias,
      e.output, l1.output, a.output, l2.output, overwrite)
    v:forward(e.output)
    local out = l2.output
    model.output, model._fused, model.gradInput = out, nil, nil
    loss.output, loss.ncorrect, loss._input, loss._target = l, ncorrect, out, y
    return l, out
  end
end

return nn._mlp_step
