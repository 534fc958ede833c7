-- nn.metrics: accuracy, confusion matrix, per-class precision and recall.
--
--   nn.metrics.accuracy(scores, y [, opts])            fraction of rows predicted right
--   cm = nn.metrics.confusion(scores, y [, C | opts])  (C,C) tensor: rows true, columns predicted
--   pr = nn.metrics.precision_recall(cm)      {precision={}, recall={}, f1={}, support={}}
--   print(nn.metrics.report(cm, names))       a table with one line per class
-- Multi-class: scores (B, C) float (argmax taken per row) or an index tensor
-- of predicted classes; y an index tensor of true classes (1-based).
--
-- Binary: one score per row, scores (B) or (B, 1).  The true class of a row
-- is positive when its label is > 0: float labels coded 0/1 or -1/+1 (any
-- other value is an error), or index labels 1/2 (2 positive).  A row is
-- predicted positive when its score is above a threshold:
--   opts.threshold (or a number as third argument), else the midpoint of the
--   label coding: 0 for -1/+1 labels (the sign of a tanh output), 0.5 for
--   0/1 or 1/2 labels (a probability, e.g. a sigmoid output).
-- nn.fit and nn.evaluate pick the threshold from the loss: 0 for
-- nn.BCEWithLogitsLoss (the output is a logit), else that midpoint.
-- The binary confusion matrix is 2x2 with the negative class first.
local nn = require "nn"
local C = nn.C

local metrics = {}
nn.metrics = metrics

local function check(scores, y, fname)
  if type(y) ~= "userdata" or y:type() ~= "index" then
    error(("nn.metrics.%s: labels must be an index tensor of classes (or, with one score per "
           .. "row, 0/1 or -1/+1 floats)"):format(fname), 3)
  end
  if type(scores) ~= "userdata" then
    error(("nn.metrics.%s: expected scores (B,C) or predicted classes, got %s"):format(fname, type(scores)), 3)
  end
  if scores:size(1) ~= y:size(1) then
    error(("nn.metrics.%s: %d predictions for %d labels"):format(fname, scores:size(1), y:size(1)), 3)
  end
end

-- --- binary classification (one score per row) ---------------------------------

local function is_tensor(t) return type(t) == "userdata" and type(t.numel) == "function" end

-- One score per row: (B) or (B,1) float.
local function single_output(scores)
  return is_tensor(scores) and scores:type() == "float32" and scores:dim() >= 1
    and scores:dim() <= 2 and scores:numel() == scores:size(1)
end

-- The label coding of y ("pm1", "01" or "12"), or nil and why not.
local function label_coding(y)
  if not is_tensor(y) or y:dim() < 1 or y:numel() ~= y:size(1) then
    return nil, "labels must be one per row, (B) or (B,1)"
  end
  local v = y:view(-1)
  if v:numel() == 0 then return nil, "no labels" end
  if y:type() == "index" then
    if v:max() <= 2 then return "12" end
    return nil, "index labels of a binary problem must be 1 or 2"
  end
  local ones = v:eq(1)
  if (ones + v:eq(0)):min() == 1 then return "01" end
  if (ones + v:eq(-1)):min() == 1 then return "pm1" end
  return nil, "float labels of a binary problem must all be 0/1 or all -1/+1"
end

local midpoint = {pm1 = 0, ["01"] = 0.5, ["12"] = 0.5}

-- Float 0/1 vector: true class positive.
local function positives(y, coding)
  local v = y:view(-1)
  if coding == "12" then return v:eq(2) end
  return v:gt(0)
end

local function binary_args(scores, y, opts, fname)
  if not single_output(scores) then
    error(("nn.metrics.%s: binary labels need one float score per row, (B) or (B,1)"):format(fname), 3)
  end
  local coding, why = label_coding(y)
  if not coding then error(("nn.metrics.%s: %s"):format(fname, why), 3) end
  if scores:size(1) ~= y:size(1) then
    error(("nn.metrics.%s: %d predictions for %d labels"):format(fname, scores:size(1), y:size(1)), 3)
  end
  local th = type(opts) == "number" and opts or type(opts) == "table" and opts.threshold or nil
  if th ~= nil and type(th) ~= "number" then
    error(("nn.metrics.%s: threshold must be a number, got %s"):format(fname, type(th)), 3)
  end
  return scores:contiguous():view(-1):gt(th or midpoint[coding]), positives(y:contiguous(), coding)
end

-- A binary problem: float labels, or index labels 1/2 against one score per row.
local function is_binary(scores, y)
  if not is_tensor(y) then return false end
  if y:type() == "float32" then return true end
  return single_output(scores)
end

function metrics.binary_threshold(loss, y)
  if type(loss) == "table" and loss.__typename == "BCEWithLogitsLoss" then return 0 end
  local coding = label_coding(y)
  return coding and midpoint[coding] or nil
end

function metrics.binary_counter(loss, y)
  if not is_tensor(y) or y:type() ~= "float32" then return nil end
  local coding = label_coding(y)
  if not coding then return nil end
  local th = metrics.binary_threshold(loss, y)
  return function(out, yb)
    if not single_output(out) then return 0 / 0 end -- several outputs: not a binary classifier
    local pred = out:contiguous():view(-1):gt(th)
    return pred:eq(positives(yb:contiguous(), coding)):sum()
  end
end

-- Predicted classes as a Lua list (for index-tensor predictions).
local function pred_list(p) return p:view(-1):totable() end

function metrics.accuracy(scores, y, opts)
  if is_binary(scores, y) then
    local pred, truth = binary_args(scores, y, opts, "accuracy")
    return pred:eq(truth):mean()
  end
  check(scores, y, "accuracy")
  local n = y:size(1)
  if n == 0 then return 0 end
  if scores:type() == "index" then
    return scores:view(-1):eq(y:view(-1)):mean()
  end
  return C.count_correct(nn._contig(scores), nn._contig(y)) / n
end

function metrics.confusion(scores, y, nclasses)
  if is_binary(scores, y) then
    local pred, truth = binary_args(scores, y, type(nclasses) == "table" and nclasses or nil,
                                    "confusion")
    if nclasses ~= nil and type(nclasses) ~= "table" and nclasses ~= 2 then
      error(("nn.metrics.confusion: a binary problem has 2 classes, nclasses is %s"):format(
        tostring(nclasses)), 2)
    end
    local tp = (pred * truth):sum()
    local p, t = pred:sum(), truth:sum()
    local n = pred:numel()
    return nn.tensor{{n - p - t + tp, p - tp}, {t - tp, tp}}
  end
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
-- Accuracy: y an index tensor of classes, or binary labels (see above).
function nn.evaluate(model, loss, x, y, batch)
  local classes = y:type() == "index" and y:dim() == 1
  local binary = not classes and metrics.binary_counter(loss, y) or nil
  return nn._evaluate(model, loss, x, y, batch or 1000, classes, binary)
end

local doc = nn._doc
doc(metrics, [[nn.metrics: accuracy(scores, y), confusion(scores, y [, C]), precision_recall(cm),
report(cm [, names]), binary_threshold(loss, y), binary_counter(loss, y).
scores (B,C) or predicted classes with y an index tensor; or one score per row with
binary labels (float 0/1 or -1/+1).]])
doc(metrics.accuracy, [[nn.metrics.accuracy(scores, y [, threshold | {threshold=}]) -> fraction right
Multi-class: scores (B,C) (argmax per row) or predicted classes, y an index tensor.
Binary, one score per row (B) or (B,1): y float 0/1 or -1/+1 (or index 1/2); a row is
predicted positive when its score > threshold, by default the labels' midpoint
(0 for -1/+1: the sign of a tanh output; 0.5 for 0/1: a probability); pass 0 for logits.
  nn.metrics.accuracy(model:forward(x), y)          -- tanh output, -1/+1 labels
  nn.metrics.accuracy(logits, y01, {threshold = 0})  -- BCE-with-logits output]])
doc(metrics.confusion, [[nn.metrics.confusion(scores, y [, nclasses | {threshold=}]) -> (C,C) tensor of counts
Row = true class, column = predicted class.  print(cm) or plot.confusion(cm, names).
Binary labels (see accuracy): 2x2, negative class first.
  nn.metrics.confusion(out, y)   -- {{TN, FP}, {FN, TP}} for one score per row]])
doc(metrics.binary_threshold, [[nn.metrics.binary_threshold(loss, y) -> threshold or nil
The decision threshold nn.fit/nn.evaluate use for one output per row: 0 for
nn.BCEWithLogitsLoss, else the midpoint of y's coding (0 for -1/+1, 0.5 for 0/1).
  nn.metrics.binary_threshold(nn.MSELoss(), y)   -- 0 for -1/+1 labels]])
doc(metrics.binary_counter, [[nn.metrics.binary_counter(loss, y) -> function(out, yb) -> correct rows, or nil
nil unless y holds binary float labels; nn.fit's default accuracy for them.
  local count = nn.metrics.binary_counter(nn.MSELoss(), y)]])
doc(metrics.precision_recall, [[nn.metrics.precision_recall(cm) -> {precision={}, recall={}, f1={},
support={}, accuracy=} per class (0 for a class never predicted / absent).]])
doc(metrics.report, "nn.metrics.report(cm [, names]) -> text table of per-class precision, recall, f1, support.")
doc(nn.evaluate, [[nn.evaluate(model, loss, x, y [, batch=1000]) -> mean loss, accuracy (nil unless y
holds classes or binary labels, see nn.metrics.accuracy), in evaluation mode.
  local ce, acc = nn.evaluate(model, nn.CrossEntropyLoss(), testx, testy)]])

return metrics
