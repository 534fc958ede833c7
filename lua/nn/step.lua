-- nn.training_step{...} -> step: one training step, the same for nn.fit
-- and the bench workloads (bench/q1, q2, q4, lua/experiments/q3.lua).
--
--   local step = nn.training_step{model = m, loss = nn.CrossEntropyLoss(),
--                                 optimizer = optim.sgd{lr = 0.1}, clip = 5}
--   local l, out = step(xb, yb)   -- zero G, forward, loss, backward, clip, step
--
-- With m's parameters in one flat block (m:flat_parameters()), zeroing the
-- gradients, clipping their norm and the optimizer step are one C call each
-- per step, whatever the number of tensors.  A model without
-- flat_parameters (a table with forward/backward/parameters) gets the same
-- step over its lists.
--
-- For a fused cost that computes its own gradients (the autoencoder's
-- ae.cost), give the tensors and the function instead of model and loss:
--   nn.training_step{params = {W, b1, b2}, grads = {gW, gb1, gb2},
--                    objective = function(x, y) ... return loss end, optimizer = opt}
-- (the tensors are packed into one block the same way).
-- A model of the embedding-MLP pattern with nn.CrossEntropyLoss (the Q2
-- trigram model: lua/nn/mlp_step.lua) runs forward, loss and backward as
-- one fused C call, the two halves of the batch on two cores; any other
-- model, or m:fuse(false), runs module by module.
local nn = require "nn"
local mlp_step = require "nn.mlp_step"

local function fail(msg, ...) error("nn.training_step: " .. msg:format(...), 3) end

local function check(a)
  if type(a) ~= "table" then fail("expected a table {model=, loss=, optimizer=, [clip=]}") end
  if type(a.optimizer) ~= "table" or type(a.optimizer.step) ~= "function" then
    fail("optimizer= must be an optimizer (e.g. optim.sgd{lr = 0.1})")
  end
  if a.clip ~= nil then nn._check_number("nn.training_step", "clip", a.clip, 0, nil, "(]", 3) end
  if a.objective ~= nil then
    if type(a.objective) ~= "function" or type(a.params) ~= "table" or type(a.grads) ~= "table" then
      fail("objective= needs params= and grads= (lists of tensors) and must be a function(x, y) -> loss")
    end
  elseif type(a.model) ~= "table" or type(a.loss) ~= "table" then
    fail("model= and loss= must be a module and a criterion")
  end
end

function nn.training_step(a)
  check(a)
  local model, loss, opt, clip, objective = a.model, a.loss, a.optimizer, a.clip, a.objective
  local params, grads
  if objective then
    params, grads = {nn.flatten(a.params)}, {nn.flatten(a.grads)}
  elseif type(model.flat_parameters) == "function" then
    local P, G = model:flat_parameters()
    params, grads = {P}, {G}
  else
    params, grads = model:parameters()
  end
  if #params == 1 and params[1]:numel() == 0 then params, grads = {}, {} end -- nothing to train
  local G = grads[1]
  local function zero()
    if #grads == 1 then G:zero() else for i = 1, #grads do grads[i]:zero() end end
  end
  -- sets the gradients itself (no zero() when it can overwrite them)
  local fused = not objective and mlp_step(model, loss, #grads == 1 and G or nil, zero)
  -- The step returns no gradient for its input, so for float data the
  -- first layer skips dX (as nn.fit did alone before; a dense first
  -- layer's dX costs as much as its dW).  The model's own setting is back
  -- after every step, also after an error.
  local can_skip = not objective and type(model.need_input_grad) == "function"
  local restore = setmetatable({}, {__close = function() model:need_input_grad(true) end})
  return function(x, y)
    local l, out
    if fused then l, out = fused(x, y) end -- nil: not of the fused pattern now
    if l == nil then
      zero()
      if objective then
        l = objective(x, y)
      else
        out = model:forward(x)
        l = loss:forward(out, y)
        local first = model.modules and model.modules[1]
        local skip = can_skip and not model._no_input_grad and not (first and first._no_input_grad)
                     and x:type() ~= "index"
        if skip then model:need_input_grad(false) end
        local _ <close> = skip and restore or nil
        model:backward(x, loss:backward(out, y))
      end
    end
    if clip then nn.clip_grad_norm(grads, clip) end
    opt:step(params, grads)
    return l, out
  end, params, grads
end

nn._doc(nn.training_step, [[nn.training_step{model=, loss=, optimizer=, [clip=]} -> step, params, grads
step(x, y) -> loss, output: zero the gradients, forward, loss, backward, clip the global
gradient norm to clip (if given), optimizer step.  No gradient is computed for a float
input x (the model's need_input_grad setting is restored after the step).  The model's parameters are packed
into one flat block (m:flat_parameters()), so each of zero, clip and step is one C call;
params and grads are the lists the step uses ({P} and {G}).  nn.fit uses it.
An nn.Sequential{Embedding, View|Flatten, Linear, Sigmoid|Tanh|ReLU, Linear} with
nn.CrossEntropyLoss (the trigram model) runs as one fused kernel, the two halves of
the batch on two cores (gradients equal to float rounding); m:fuse(false) turns it off.
For a fused cost: nn.training_step{params=, grads=, objective=function(x, y) -> loss, optimizer=}.
  local m, opt = nn.Linear(3, 1), require("optim").sgd{lr = 0.02}
  local step = nn.training_step{model = m, loss = nn.MSELoss(), optimizer = opt}
  local l = step(nn.randn(8, 3), nn.randn(8, 1))]])

return nn.training_step
