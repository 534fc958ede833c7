-- Loss functions (criteria):
--   loss = crit:forward(input, target)       -- a number (the mean loss)
--   gradInput = crit:backward(input, target) -- d loss / d input
-- The kernels compute the loss and its gradient in one pass, so forward
-- fills gradInput too and backward returns it when called with the same
-- input and target (the usual forward-then-backward order); otherwise it
-- recomputes.  crit:loss(input, target) evaluates without the gradient.
--
--   nn.CrossEntropyLoss()   softmax + cross-entropy on raw scores, fused and
--                           stable; targets: index tensor of classes (1-based)
--   nn.MSELoss()            mean over ALL elements of (input - target)^2
--   nn.BCEWithLogitsLoss()  binary cross-entropy of sigmoid(input), stable
--   nn.SVMLoss([margin=1])  multiclass hinge (alias nn.MultiMarginLoss)
local nn = require "nn"
local C = nn.C
local doc = nn._doc

local Criterion = {}
Criterion.__index = Criterion
nn.Criterion = Criterion

local function criterion_class(name, kernel, labels)
  local cls = setmetatable({}, {__index = Criterion,
    __call = function(c, ...)
      local self = setmetatable({gradInput = nn.zeros(0), __typename = name,
                                 _args = table.pack(...)}, c)
      self:__init(...)
      return self
    end})
  cls.__index = cls
  cls.__typename = name
  cls.__tostring = doc(function(self) return self:describe() end, "tostring(crit): nn." .. name .. "'s description")
  cls._kernel = kernel
  cls._labels = labels
  nn[name] = cls
  return cls
end

function Criterion:__init() end
function Criterion:describe() return "nn." .. self.__typename .. "()" end

local function check_target(self, target, fname)
  local want = self._labels and "index" or "float32"
  if type(target) ~= "userdata" or target:type() ~= want then
    local got = type(target) == "userdata" and (target:type() == "index" and "an index tensor" or "a float tensor")
      or type(target)
    if self._labels then
      error(("nn.%s.%s: target must be an index tensor of class numbers (1-based), got %s" ..
        " (for one-hot rows use y:argmax(2))"):format(self.__typename, fname, got), 3)
    end
    error(("nn.%s.%s: target must be a float tensor, got %s"):format(self.__typename, fname, got), 3)
  end
end

-- Returns the loss (and, for classification, the number of rows whose
-- label has the top score).
function Criterion:_run(grad, input, target)
  return self._kernel(grad, nn._contig(input), nn._contig(target), self.margin)
end

function Criterion:forward(input, target)
  check_target(self, target, "forward")
  local loss, ncorrect = self:_run(self.gradInput, input, target)
  self.output, self.ncorrect = loss, ncorrect
  self._input, self._target = input, target
  return loss
end

function Criterion:backward(input, target)
  if input ~= self._input or target ~= self._target then self:forward(input, target) end
  return self.gradInput
end

function Criterion:loss(input, target)
  check_target(self, target, "loss")
  return self:_run(nil, input, target)
end

doc(Criterion.forward, "crit:forward(input, target) -> mean loss (also fills crit.gradInput)")
doc(Criterion.backward, "crit:backward(input, target) -> gradient of the loss w.r.t. input")
doc(Criterion.loss, "crit:loss(input, target) -> mean loss without the gradient (evaluation)")
doc(Criterion.describe, "crit:describe() -> one-line description")

local CE = criterion_class("CrossEntropyLoss", C.crossentropy_loss, true)
doc(CE, [[nn.CrossEntropyLoss() -> criterion: softmax + cross-entropy, fused and stable
loss = -(1/B) sum_b log softmax(scores_b)[y_b]; scores (B, classes) raw (no SoftMax layer),
y an index tensor of B class numbers.  crit.ncorrect: rows whose label has the top score (first on ties).
  crit = nn.CrossEntropyLoss(); l = crit:forward(scores, y); g = crit:backward(scores, y)]])

local MSE = criterion_class("MSELoss", C.mse_loss, false)
doc(MSE, [[nn.MSELoss() -> criterion: loss = mean over ALL elements of (input - target)^2
(PyTorch's default; the course's 1/(2N) sum_m ||d-o||^2 is this times features/2).
gradInput = 2 (input - target) / numel.]])

local BCE = criterion_class("BCEWithLogitsLoss", C.bce_logits_loss, false)
doc(BCE, [[nn.BCEWithLogitsLoss() -> criterion: binary cross-entropy of sigmoid(input)
against targets in [0, 1], mean over all elements, computed stably from the logits.]])

local SVM = criterion_class("SVMLoss", C.svm_loss, true)
function SVM:__init(margin)
  self.margin = margin or 1
  nn._check_number("nn.SVMLoss", "margin", self.margin, nil, nil, nil, 3)
end
function SVM:describe() return ("nn.SVMLoss(margin=%g)"):format(self.margin) end
doc(SVM.__init, "nn.SVMLoss([margin=1]) constructor")
doc(SVM.describe, "crit:describe() -> 'nn.SVMLoss(margin=...)'")
nn.MultiMarginLoss = SVM
doc(SVM, [[nn.SVMLoss([margin=1]) -> criterion: multiclass hinge loss (CS231n's convention)
loss = (1/B) sum_b sum_{c ~= y_b} max(0, s_c - s_y + margin).  Alias nn.MultiMarginLoss
(note: PyTorch's MultiMarginLoss also divides by the number of classes).]])

function Criterion:spec()
  local args = {}
  for i = 1, (self._args and self._args.n or 0) do args[i] = self._args[i] end
  return {type = self.__typename, args = args}
end
doc(Criterion.spec, "crit:spec() -> constructor description {type=, args=}")
doc(Criterion.__init, "constructor hook (call the class: nn.MSELoss())")
doc(Criterion._run, "crit:_run(grad|nil, input, target) -> loss [, ncorrect]: the kernel call")

return Criterion
