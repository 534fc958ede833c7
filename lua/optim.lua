-- optim: parameter update rules.  The arithmetic is C (src/core/optim.c),
-- in place over each parameter; this module keeps the per-parameter state
-- (velocity, moment estimates) and the hyper-parameters.
--
--   local opt = optim.sgd{lr = 0.15, momentum = 0.85}
--   local params, grads = model:parameters()
--   ... forward, backward ...
--   opt:step(params, grads)
--
--   optim.sgd{lr=, momentum=0, nesterov=false, weight_decay=0}
--   optim.rmsprop{lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0}
--   optim.adam{lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0}
--
-- Learning-rate schedule: schedule = function(epoch, lr0) -> lr, applied by
-- opt:set_epoch(epoch) (nn.fit calls it before every epoch), e.g.
--   optim.sgd{lr = 0.1, schedule = optim.step_decay(10, 0.5)}
local nn = require "nn"
local C = nn.C

local optim = {}

local function doc(v, text)
  if nn.setdoc then nn.setdoc(v, text) end
  return v
end

local Optimizer = {}
Optimizer.__index = Optimizer

-- checks: field -> {lo, hi, bounds} for nn._check_number (NaN, infinities
-- and values out of the range are refused, naming the setting and range).
local function new(name, opts, defaults, checks)
  if type(opts) ~= "table" then
    error(("optim.%s: expected a table of settings, e.g. optim.%s{lr = 0.1}"):format(name, name), 3)
  end
  local self = setmetatable({name = name, state = setmetatable({}, {__mode = "k"})}, Optimizer)
  for k, v in pairs(defaults) do self[k] = v end
  for k, v in pairs(opts) do
    if defaults[k] == nil and k ~= "lr" and k ~= "schedule" then
      error(("optim.%s: unknown setting '%s'"):format(name, tostring(k)), 3)
    end
    self[k] = v
  end
  if self.lr == nil then error(("optim.%s: the learning rate lr is required"):format(name), 3) end
  nn._check_number("optim." .. name, "lr", self.lr, 0, nil, "(]", 3)
  local fields = {}
  for field in pairs(checks) do fields[#fields + 1] = field end
  table.sort(fields) -- the same message whatever the table order
  for _, field in ipairs(fields) do
    local c = checks[field]
    nn._check_number("optim." .. name, field, self[field], c[1], c[2], c[3], 3)
  end
  if self.schedule ~= nil and type(self.schedule) ~= "function" then
    error(("optim.%s: schedule must be a function(epoch, lr0) -> lr"):format(name), 3)
  end
  self.lr0 = self.lr
  self.steps = 0
  return self
end

-- Apply the schedule for this (1-based) epoch.
function Optimizer:set_epoch(epoch)
  if self.schedule then
    local lr = self.schedule(epoch, self.lr0)
    if type(lr) ~= "number" or not (lr >= 0 and lr < math.huge) then
      error(("optim.%s: the schedule returned %s for epoch %d; expected a finite number >= 0"):format(
        self.name, tostring(lr), epoch), 2)
    end
    self.lr = lr
  end
  return self.lr
end

local function check_lists(self, params, grads)
  if type(params) ~= "table" or type(grads) ~= "table" then
    error(("optim.%s:step: expected step(params, grads), two lists of tensors " ..
           "(params, grads = model:parameters())"):format(self.name), 3)
  end
  if #params ~= #grads then
    error(("optim.%s:step: %d parameters but %d gradients"):format(self.name, #params, #grads), 3)
  end
end

-- The state table of parameter p, its buffers created on first use.
-- For a flat block (nn.flatten, m:flat_parameters) each buffer is one block
-- too, packed from the state its member tensors already have (from a
-- checkpoint, or earlier steps tensor by tensor) so nothing is lost, and
-- every member's state becomes a view of it: checkpoints keep writing the
-- state per parameter, and its step count t is the block's.
local function state_of(self, p, fields)
  local s = self.state[p]
  if s then return s end
  s = {t = 0}
  local members = nn.flat_members(p)
  if not members then
    for _, f in ipairs(fields) do s[f] = nn.zeros(p:size()) end
  else
    local views = {}
    for i, m in ipairs(members) do
      local old = self.state[m]
      if old then s.t = math.max(s.t, old.t or 0) end
      views[i] = setmetatable({}, {__index = s})
    end
    for _, f in ipairs(fields) do
      local list = {}
      for i, m in ipairs(members) do
        local old = self.state[m] and self.state[m][f]
        list[i] = (old and old:numel() == m:numel()) and old:contiguous() or nn.zeros(m:size())
        rawset(views[i], f, list[i])
      end
      s[f] = nn.flatten(list)
    end
    for i, m in ipairs(members) do self.state[m] = views[i] end
  end
  self.state[p] = s
  return s
end

function Optimizer:step(params, grads)
  check_lists(self, params, grads)
  self.steps = self.steps + 1
  self:_update(params, grads)
end

function Optimizer:__tostring()
  local keys = {}
  for k, v in pairs(self) do
    if type(v) == "number" or type(v) == "boolean" then keys[#keys + 1] = k end
  end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do
    if k ~= "lr0" and k ~= "steps" then parts[#parts + 1] = ("%s=%s"):format(k, tostring(self[k])) end
  end
  return ("optim.%s{%s}"):format(self.name, table.concat(parts, ", "))
end

-- --- SGD -------------------------------------------------------------------

local SGD_FIELDS, NO_FIELDS = {"v"}, {}

function optim.sgd(opts)
  local self = new("sgd", opts, {momentum = 0, nesterov = false, weight_decay = 0},
                   {momentum = {0, 1, "[)"}, weight_decay = {0}})
  if self.nesterov and self.momentum == 0 then
    error("optim.sgd: nesterov needs momentum > 0", 2)
  end
  self._update = function(o, params, grads)
    local fields = o.momentum ~= 0 and SGD_FIELDS or NO_FIELDS
    for i = 1, #params do
      local p = params[i]
      local s = state_of(o, p, fields)
      C.sgd_step(p, grads[i], s.v, o.lr, o.momentum, o.weight_decay, o.nesterov)
    end
  end
  return self
end
doc(optim.sgd, [[optim.sgd{lr=, momentum=0, nesterov=false, weight_decay=0, schedule=} -> optimizer
Stochastic gradient descent with momentum (classic or Nesterov) and L2 weight decay:
  g = grad + weight_decay*p;  v = momentum*v + g;  p -= lr * v   (Nesterov: lr*(g + momentum*v))
With a constant lr this is the classic v = mu*v - lr*g; p += v.
  opt = optim.sgd{lr = 0.15, momentum = 0.85}; opt:step(model:parameters())]])

-- --- RMSProp ---------------------------------------------------------------

local RMS_FIELDS = {"sq"}

function optim.rmsprop(opts)
  local self = new("rmsprop", opts, {lr = 0.01, alpha = 0.99, eps = 1e-8, weight_decay = 0},
                   {alpha = {0, 1, "[]"}, eps = {0}, weight_decay = {0}})
  self._update = function(o, params, grads)
    for i = 1, #params do
      local s = state_of(o, params[i], RMS_FIELDS)
      C.rmsprop_step(params[i], grads[i], s.sq, o.lr, o.alpha, o.eps, o.weight_decay)
    end
  end
  return self
end
doc(optim.rmsprop, [[optim.rmsprop{lr=0.01, alpha=0.99, eps=1e-8, weight_decay=0} -> optimizer
  sq = alpha*sq + (1-alpha)*g^2;  p -= lr * g / (sqrt(sq) + eps)]])

-- --- Adam ------------------------------------------------------------------

local ADAM_FIELDS = {"m", "v"}

function optim.adam(opts)
  local self = new("adam", opts,
                   {lr = 0.001, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0},
                   {beta1 = {0, 1, "[)"}, beta2 = {0, 1, "[)"}, eps = {0}, weight_decay = {0}})
  self._update = function(o, params, grads)
    for i = 1, #params do
      local s = state_of(o, params[i], ADAM_FIELDS)
      s.t = s.t + 1
      C.adam_step(params[i], grads[i], s.m, s.v, o.lr, o.beta1, o.beta2, o.eps,
                  o.weight_decay, s.t)
    end
  end
  return self
end
doc(optim.adam, [[optim.adam{lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0} -> optimizer
Adam with bias correction (t counts this parameter's steps from 1):
  m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2
  p -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps)]])

-- --- schedules ---------------------------------------------------------------

function optim.step_decay(every, factor)
  if not (type(every) == "number" and every >= 1 and every < math.huge and every == math.floor(every)) then
    error(("optim.step_decay: every must be a whole number of epochs >= 1, got %s"):format(
      every ~= every and "NaN" or tostring(every)), 2)
  end
  nn._check_number("optim.step_decay", "factor", factor, 0, 1, "(]", 2)
  return function(epoch, lr0) return lr0 * factor ^ ((epoch - 1) // every) end
end
doc(optim.step_decay, [[optim.step_decay(every, factor) -> schedule
lr = lr0 * factor^floor((epoch-1)/every).  optim.sgd{lr=0.1, schedule=optim.step_decay(10, 0.5)}]])

function optim.exp_decay(gamma)
  nn._check_number("optim.exp_decay", "gamma", gamma, 0, 1, "(]", 2)
  return function(epoch, lr0) return lr0 * gamma ^ (epoch - 1) end
end
doc(optim.exp_decay, "optim.exp_decay(gamma) -> schedule: lr = lr0 * gamma^(epoch-1).")

doc(optim, [[optim: update rules, used as opt:step(params, grads).
  optim.sgd{lr=, momentum=, nesterov=, weight_decay=}  optim.rmsprop{...}  optim.adam{...}
  schedules: optim.step_decay(every, factor), optim.exp_decay(gamma), or any
  function(epoch, lr0) -> lr passed as schedule=.]])

optim.Optimizer = Optimizer
return optim
