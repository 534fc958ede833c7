-- nn.metrics: accuracy, confusion matrix, per-class precision and recall.
--
--   nn.metrics.accuracy(scores, y)            fraction of rows whose argmax is y
--   cm = nn.metrics.confusion(scores, y [, C]) (C,C) tensor: rows true, columns predicted
--   pr = nn.metrics.precision_recall(cm)      {precision={}, recall={}, f1={}, support={}}
--   print(nn.metrics.report(cm, names))       a table with one line per class
-- scores: (B, C) float (argmax taken per row) or an index tensor of predicted
-- classes; y: an index tensor of true classes (1-based).
local nn = require "nn"
local C = nn.C

local metrics = {}
nn.metrics = metrics

local function check(scores, y, fname)
  if type(y) ~= "userdata" or y:type() ~= "index" then
    error(("nn.metrics.%s: labels must be an index tensor of classes"):format(fname), 3)
  end
  if type(scores) ~= "userdata" then
    error(("nn.metrics.%s: expected scores (B,C) or predicted classes, got %s"):format(fname, type(scores)), 3)
  end
  if scores:size(1) ~= y:size(1) then
    error(("nn.metrics.%s: %d predictions for %d labels"):format(fname, scores:size(1), y:size(1)), 3)
  end
end

-- Predicted classes as a Lua list (for index-tensor predictions).
local function pred_list(p) return p:view(-1):totable() end

function metrics.accuracy(scores, y)
  check(scores, y, "accuracy")
  local n = y:size(1)
  if n == 0 then return 0 end
  if scores:type() == "index" then
    local p, t, ok = pred_list(scores), y:totable(), 0
    for i = 1, n do if p[i] == t[i] then ok = ok + 1 end end
    return ok / n
  end
  return C.count_correct(nn._contig(scores), nn._contig(y)) / n
end

function metrics.confusion(scores, y, nclasses)
  check(scores, y, "confusion")
  if scores:type() == "index" then
    local p, t = pred_list(scores), y:totable()
    local K = nclasses or 0
    if not nclasses then for i = 1, #t do K = math.max(K, t[i], p[i]) end end
    local cm = nn.zeros(K, K)
    local rows = cm:totable()
    for i = 1, #t do
      if t[i] > K or p[i] > K then
        error(("nn.metrics.confusion: class %d outside 1..%d"):format(math.max(t[i], p[i]), K), 2)
      end
      rows[t[i]][p[i]] = rows[t[i]][p[i]] + 1
    end
    return nn.tensor(rows)
  end
  local K = scores:size(2)
  if nclasses and nclasses ~= K then
    error(("nn.metrics.confusion: scores have %d classes, nclasses is %d"):format(K, nclasses), 2)
  end
  return C.confusion_add(nn.zeros(K, K), nn._contig(scores), nn._contig(y))
end

function metrics.precision_recall(cm)
  local rows = cm:totable()
  local K = #rows
  local r = {precision = {}, recall = {}, f1 = {}, support = {}}
  local correct, total = 0, 0
  for k = 1, K do
    local tp, predicted, actual = rows[k][k], 0, 0
    for j = 1, K do
      predicted = predicted + rows[j][k]
      actual = actual + rows[k][j]
    end
    -- A class never predicted (or absent) gets 0, not NaN.
    r.precision[k] = predicted > 0 and tp / predicted or 0
    r.recall[k] = actual > 0 and tp / actual or 0
    local s = r.precision[k] + r.recall[k]
    r.f1[k] = s > 0 and 2 * r.precision[k] * r.recall[k] / s or 0
    r.support[k] = math.tointeger(actual) or actual
    correct, total = correct + tp, total + actual
  end
  r.accuracy = total > 0 and correct / total or 0
  return r
end

function metrics.report(cm, names)
  local r = metrics.precision_recall(cm)
  local w = 5
  for k = 1, #r.recall do w = math.max(w, #tostring(names and names[k] or k)) end
  local lines = {("%-" .. w .. "s  precision  recall     f1  support"):format("class")}
  for k = 1, #r.recall do
    lines[#lines + 1] = ("%-" .. w .. "s  %9.3f  %6.3f  %5.3f  %7d"):format(
      tostring(names and names[k] or k), r.precision[k], r.recall[k], r.f1[k], r.support[k])
  end
  lines[#lines + 1] = ("accuracy %.4f"):format(r.accuracy)
  return table.concat(lines, "\n")
end

-- Mean loss and accuracy of a model on (x, y) in evaluation mode, in batches.
function nn.evaluate(model, loss, x, y, batch)
  local classes = y:type() == "index" and y:dim() == 1
  return nn._evaluate(model, loss, x, y, batch or 1000, classes)
end

local doc = nn._doc
doc(metrics, [[nn.metrics: accuracy(scores, y), confusion(scores, y [, C]), precision_recall(cm),
report(cm [, names]).  scores (B,C) or predicted classes; y an index tensor.]])
doc(metrics.accuracy, "nn.metrics.accuracy(scores, y) -> fraction of rows whose argmax (or predicted class) is y.")
doc(metrics.confusion, [[nn.metrics.confusion(scores, y [, nclasses]) -> (C,C) tensor of counts
Row = true class, column = predicted class.  print(cm) or plot.confusion(cm, names).]])
doc(metrics.precision_recall, [[nn.metrics.precision_recall(cm) -> {precision={}, recall={}, f1={},
support={}, accuracy=} per class (0 for a class never predicted / absent).]])
doc(metrics.report, "nn.metrics.report(cm [, names]) -> text table of per-class precision, recall, f1, support.")
doc(nn.evaluate, [[nn.evaluate(model, loss, x, y [, batch=1000]) -> mean loss, accuracy (nil unless y
holds classes), in evaluation mode.
  local ce, acc = nn.evaluate(model, nn.CrossEntropyLoss(), testx, testy)]])

return metrics
