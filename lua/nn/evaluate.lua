-- Mean loss and accuracy of a model over (x, y), in evaluation mode, in
-- batches: nn.fit's validation pass, nn.evaluate (lua/nn/metrics.lua) and
-- the experiments' test scores.  Accuracy: the criterion's count of correct
-- rows when it has one (the cross-entropy kernel returns it with the loss),
-- else count_correct on the scores; nil unless `classes` or `accuracy`
-- (a function(output, target) -> number of correct rows).
local nn = require "nn"
local C = nn.C

local function evaluate(model, loss, x, y, batch, classes, accuracy)
  model:evaluate()
  local n = x:size(1)
  local total, correct = 0, 0
  for s = 1, n, batch do
    local len = math.min(batch, n - s + 1)
    local xb, yb = x:narrow(1, s, len), y:narrow(1, s, len)
    local out = model:forward(xb)
    local l, nc
    if loss.loss then l, nc = loss:loss(out, yb)
    else l = loss:forward(out, yb); nc = loss.ncorrect end
    total = total + l * len
    if accuracy then correct = correct + accuracy(out, yb)
    elseif classes then correct = correct + (nc or C.count_correct(nn._contig(out), yb)) end
  end
  model:training()
  return total / n, (classes or accuracy) and correct / n or nil
end
nn._evaluate = evaluate

return evaluate
