-- nn.fit's argument checks: every error names the argument and says what
-- it must be, at the caller's line.
local nn = require "nn"

local function fail(msg, ...) error("nn.fit: " .. msg:format(...), 3) end

local function is_tensor(t) return type(t) == "userdata" and type(t.numel) == "function" end

return function(a)
  if type(a) ~= "table" then fail("expected a table of arguments, nn.fit{model=, loss=, ...}") end
  local known = {model = 1, loss = 1, optimizer = 1, x = 1, y = 1, val = 1, batch = 1,
                 epochs = 1, seed = 1, patience = 1, clip = 1, on_epoch = 1, quiet = 1,
                 json = 1, shuffle = 1, accuracy = 1, progress = 1, eval_batch = 1}
  for k in pairs(a) do
    if not known[k] then fail("unknown argument '%s'", tostring(k)) end
  end
  if type(a.model) ~= "table" or type(a.model.forward) ~= "function" then
    fail("model= must be a module (e.g. nn.Sequential{...})")
  end
  if type(a.loss) ~= "table" or type(a.loss.forward) ~= "function" then
    fail("loss= must be a criterion (e.g. nn.CrossEntropyLoss())")
  end
  if type(a.optimizer) ~= "table" or type(a.optimizer.step) ~= "function" then
    fail("optimizer= must be an optimizer (e.g. optim.sgd{lr = 0.1})")
  end
  if not is_tensor(a.x) or not is_tensor(a.y) then fail("x= and y= must be tensors") end
  if a.x:dim() < 1 or a.y:dim() < 1 or a.x:size(1) ~= a.y:size(1) then
    fail("x and y must have the same number of rows (got %d and %d)",
         a.x:dim() > 0 and a.x:size(1) or 0, a.y:dim() > 0 and a.y:size(1) or 0)
  end
  if a.x:size(1) == 0 then fail("the training set is empty") end
  if a.val ~= nil then
    if type(a.val) ~= "table" or not is_tensor(a.val.x) or not is_tensor(a.val.y) then
      fail("val= must be {x = tensor, y = tensor}")
    end
    if a.val.x:size(1) ~= a.val.y:size(1) or a.val.x:size(1) == 0 then
      fail("val.x and val.y must have the same, non-zero number of rows")
    end
  end
  local function posint(name, v)
    if v ~= nil and (math.type(v) ~= "integer" or v < 1) then
      fail("%s= must be a positive integer, got %s", name, tostring(v))
    end
  end
  posint("batch", a.batch)
  posint("epochs", a.epochs)
  posint("patience", a.patience)
  posint("eval_batch", a.eval_batch)
  if a.clip ~= nil then nn._check_number("nn.fit", "clip=", a.clip, 0, nil, "(]", 3) end
  if a.on_epoch ~= nil and type(a.on_epoch) ~= "function" then fail("on_epoch= must be a function") end
  if a.accuracy ~= nil and type(a.accuracy) ~= "function" then
    fail("accuracy= must be a function(output, target) -> number of correct rows")
  end
end

