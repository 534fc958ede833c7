-- nn.Module: the base of every layer, and nn.class to declare new ones.
--
-- The API follows Torch's nn, with snake_case names (as PyTorch):
--   y = m:forward(x)             -- output (a buffer reused across calls)
--   dx = m:backward(x, dy)       -- gradient w.r.t. x; ACCUMULATES the
--                                -- parameter gradients (call zero_grad first)
--   params, grads = m:parameters()
--   m:zero_grad(); m:training(); m:evaluate()
--   print(m)                     -- structure and parameter counts
-- Torch7's camelCase names stay as aliases: zeroGrad, numParameters,
-- needInputGrad (and setInitialState on the recurrent layers).  An alias
-- calls the snake_case method, so a class overriding that one needs
-- nothing more.
--
-- Buffers: each module owns m.output and m.gradInput and the kernels resize
-- them in place, so repeated mini-batches of one shape allocate nothing.
-- The returned tensors are overwritten by the next call: clone() to keep one.
--
-- A layer declares its trainable tensors with m:_param("weight", t), which
-- also creates the gradient m.gradWeight (Torch's naming), and its
-- non-trainable state (BatchNorm's running statistics) with
-- m:_buffer("running_mean", t); parameters(), zero_grad, nn.save/nn.load and
-- nn.fit's best-weights snapshot all go through these two lists.
local nn = require "nn"

local function doc(v, text)
  if nn.setdoc then nn.setdoc(v, text) end
  return v
end
nn._doc = doc

local Module = {}
Module.__index = Module
Module.__typename = "Module"
nn.Module = Module

local STANDARD_DOCS = {
  __init = "nn.%s(...) constructor: call the class to make a module",
  forward = "m:forward(x) -> output of nn.%s (a buffer reused by the next call)",
  backward = "m:backward(x, gradOutput) -> gradInput of nn.%s; accumulates parameter gradients",
  describe = "m:describe() -> one-line description of the nn.%s",
  __tostring = "tostring(m): the nn.%s with its parameter count",
  __len = "#m: number of modules in the nn.%s",
  add = "m:add(module) -> m, with module appended to the nn.%s",
  training = "m:training() -> m in training mode (nn.%s)",
  evaluate = "m:evaluate() -> m in evaluation mode (nn.%s)",
  named_parameters = "m:named_parameters() -> list of {name=, param=, grad=} of the nn.%s",
  named_buffers = "m:named_buffers() -> list of {name=, tensor=}: non-trainable state of the nn.%s",
  parameters = "m:parameters() -> params, grads: two lists of tensors of the nn.%s",
  zero_grad = "m:zero_grad() -> m, with the gradients of the nn.%s set to zero",
  spec = "m:spec() -> constructor description of the nn.%s (what nn.save stores)",
  need_input_grad = "m:need_input_grad(flag) -> m; false lets backward of the nn.%s skip the input gradient",
}

-- nn.class("Linear", nn.Module) -> class table.  Calling the class builds an
-- instance: nn.Linear(3, 4) runs Linear.__init(self, 3, 4) and records the
-- arguments, which m:spec() returns so nn.save can rebuild the model.
function nn.class(name, parent)
  parent = parent or Module
  local cls = {}
  cls.__index = cls
  cls.__typename = name
  -- Metamethods are not inherited through __index: copy them.
  for _, mm in ipairs{"__tostring", "__len", "__call"} do
    if rawget(parent, mm) and mm ~= "__call" then cls[mm] = parent[mm] end
  end
  setmetatable(cls, {
    __index = parent,
    -- Methods defined on the class get a one-line docstring for help()
    -- when they are one of the standard ones and have none.
    __newindex = function(c, k, v)
      rawset(c, k, v)
      if type(v) == "function" and STANDARD_DOCS[k] and nn.doc and not nn.doc(v) then
        doc(v, STANDARD_DOCS[k]:format(name))
      end
    end,
    __call = function(c, ...)
      local self = setmetatable({}, c)
      self._args = table.pack(...)
      self:__init(...)
      return self
    end,
    __tostring = function() return "nn." .. name .. " (class)" end,
  })
  nn[name] = cls
  return cls, parent
end
doc(nn.class, [[nn.class(name, parent=nn.Module) -> class
Declare a module class; instances are made by calling it.  Implement
__init(self, ...), forward(self, x), backward(self, x, gradOutput) and, for a
readable print, describe(self).
  local Scale = nn.class("Scale")
  function Scale:__init(k) nn.Module.__init(self); self.k = k end
  function Scale:forward(x) self.output = x * self.k; return self.output end
  function Scale:backward(x, g) self.gradInput = g * self.k; return self.gradInput end]])

function Module:__init()
  self.output = nn.zeros(0)
  self.gradInput = nn.zeros(0)
  self.train = true
  self._pnames = {}
  self._bnames = {}
end

local function grad_name(name)
  return "grad" .. name:sub(1, 1):upper() .. name:sub(2)
end

-- Declare a trainable parameter (and its zeroed gradient).
function Module:_param(name, t)
  self[name] = t
  self[grad_name(name)] = nn.zeros(t:size())
  self._pnames[#self._pnames + 1] = name
  return t
end

-- Declare non-trainable state saved with the model.
function Module:_buffer(name, t)
  self[name] = t
  self._bnames[#self._bnames + 1] = name
  return t
end

function Module:forward()
  error(("nn.%s: forward is not implemented"):format(self.__typename), 2)
end

function Module:backward()
  error(("nn.%s: backward is not implemented"):format(self.__typename), 2)
end

-- Named parameters: list of {name=, param=, grad=}; names are prefixed
-- with the module's position in its containers ("3.weight").
function Module:named_parameters(prefix, out)
  out = out or {}
  prefix = prefix or ""
  for _, n in ipairs(self._pnames) do
    out[#out + 1] = {name = prefix .. n, param = self[n], grad = self[grad_name(n)]}
  end
  return out
end

function Module:named_buffers(prefix, out)
  out = out or {}
  prefix = prefix or ""
  for _, n in ipairs(self._bnames) do out[#out + 1] = {name = prefix .. n, tensor = self[n]} end
  return out
end

function Module:parameters()
  local params, grads = {}, {}
  for i, e in ipairs(self:named_parameters()) do params[i], grads[i] = e.param, e.grad end
  return params, grads
end

function Module:num_parameters()
  local n = 0
  for _, p in ipairs((self:parameters())) do n = n + p:numel() end
  return n
end

function Module:zero_grad()
  for _, e in ipairs(self:named_parameters()) do e.grad:zero() end
  return self
end

-- m:need_input_grad(false): the input is data, not something to train, so
-- backward may skip its gradient (nn.Linear then saves one of its three
-- matrix products).  backward returns nil for the skipped gradient.
-- nn.fit sets this while it trains on float inputs.
function Module:need_input_grad(flag)
  self._no_input_grad = flag == false
  return self
end

function Module:training()
  self.train = true
  return self
end

function Module:evaluate()
  self.train = false
  return self
end

-- The constructor description nn.save stores: {type=, args={...}}.
function Module:spec()
  local args = {}
  for i = 1, (self._args and self._args.n or 0) do args[i] = self._args[i] end
  return {type = self.__typename, args = args}
end

function Module:describe()
  return "nn." .. self.__typename
end

-- Parameters and gradients of a model, each tensor once.
local function unique_parameters(m)
  local params, grads, seen = {}, {}, {}
  for _, e in ipairs(m:named_parameters()) do
    local first = seen[e.param]
    if first then
      if first.grad ~= e.grad then
        error(("%s and %s share a weight but not its gradient: share both " ..
               "(e.g. b.gradWeight = a.gradWeight)"):format(first.name, e.name), 3)
      end
    else
      seen[e.param] = e
      params[#params + 1], grads[#grads + 1] = e.param, e.grad
    end
  end
  return params, grads
end

local function same(a, b)
  if #a ~= #b then return false end
  for i = 1, #a do if a[i] ~= b[i] then return false end end
  return true
end

-- All parameters in one block (lua/nn/flat.lua): here, not in flat.lua, so
-- that every module has it however nn's parts were loaded.
function Module:flat_parameters()
  local params, grads = unique_parameters(self)
  local f = self._flat
  if not (f and same(f.params, params) and same(f.grads, grads)
          and nn.C.flat_is_packed(f.P, params) and nn.C.flat_is_packed(f.G, grads)) then
    f = {params = params, grads = grads, P = nn.flatten(params), G = nn.flatten(grads)}
    self._flat = f
  end
  return f.P, f.G
end

doc(Module.flat_parameters, [[m:flat_parameters() -> P, G
All parameters of m in one contiguous block P and their gradients in G (each tensor of
m a view into them); made on first call, remade when m's parameters changed.
  local m = nn.Linear(3, 2); local P, G = m:flat_parameters(); print(P:numel())   -- 8]])

-- 12345678 -> "12,345,678"
local function thousands(n)
  local s = tostring(math.tointeger(n) or n)
  return (s:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", ""))
end
nn._thousands = thousands

function Module:__tostring()
  local n = self:num_parameters()
  if n == 0 then return self:describe() end
  return ("%s  (%s parameters)"):format(self:describe(), thousands(n))
end

-- x made contiguous for the kernels (a no-op, no allocation, when it is).
function nn._contig(x)
  if x:is_contiguous() then return x end
  return x:contiguous()
end

-- Argument checks for constructors: positive sizes, through the bindings'
-- own check (nn._check_int), so integral floats (1e5) are accepted here as
-- by nn.zeros and too large sizes are refused with the same words.  Returns
-- the size as a Lua integer.  Called from a constructor (__init), so the
-- error points at level 4: the line that called nn.Linear(...).
function nn._check_size(fname, what, v, lo, hi)
  local ok, r = pcall(nn._check_int, v, "nn." .. fname, what, lo, hi)
  if not ok then error(r, 4) end
  return r
end

-- Torch7 aliases (see the header): each forwards to the snake_case method,
-- so overrides in subclasses apply to both names.
local ALIASES = {zeroGrad = "zero_grad", numParameters = "num_parameters",
                 needInputGrad = "need_input_grad"}
nn._ALIASES = ALIASES
for alias, name in pairs(ALIASES) do
  Module[alias] = function(self, ...) return self[name](self, ...) end
  doc(Module[alias], ("m:%s(...): Torch7 name of m:%s(...)"):format(alias, name))
end

-- Argument checks for hyper-parameters: a finite number within [lo, hi]
-- (bounds "()" "[)" "(]" "[]" say which ends are open; nil = unbounded).
-- NaN and infinities are always refused.  fname is the public name
-- ("nn.Dropout", "optim.sgd"); level as error's, from the caller's view.
function nn._check_number(fname, what, v, lo, hi, bounds, level)
  bounds = bounds or "[]"
  local lo_open, hi_open = bounds:sub(1, 1) == "(", bounds:sub(2, 2) == ")"
  local ok = type(v) == "number" and v == v and v ~= math.huge and v ~= -math.huge
  if ok and lo then ok = v > lo or (not lo_open and v == lo) end
  if ok and hi then ok = v < hi or (not hi_open and v == hi) end
  if ok then return v end
  local range
  if lo and hi then
    range = ("a number in %s%g, %g%s"):format(lo_open and "(" or "[", lo, hi, hi_open and ")" or "]")
  elseif lo then range = ("a finite number %s %g"):format(lo_open and ">" or ">=", lo)
  elseif hi then range = ("a finite number %s %g"):format(hi_open and "<" or "<=", hi)
  else range = "a finite number" end
  local got = type(v) ~= "number" and type(v) or v ~= v and "NaN" or ("%g"):format(v)
  error(("%s: %s must be %s, got %s"):format(fname, what, range, got), (level or 2) + 1)
end

for k, text in pairs(STANDARD_DOCS) do
  if type(Module[k]) == "function" then doc(Module[k], text:format("Module")) end
end
doc(Module.num_parameters, "m:num_parameters() -> number of trainable values")
doc(Module._param, "m:_param(name, t): declare trainable tensor t (and its gradient m.grad<Name>)")
doc(Module._buffer, "m:_buffer(name, t): declare non-trainable state t saved with the model")

if nn.C then
  doc(nn.C, [[nn.C: the C kernels under the modules, on tensors (result first, resized and
reused; backward overwrites the input gradient and accumulates parameter gradients).
For new layers and benchmarks; models are built from nn.Linear, nn.Sequential, ...
  nn.C.linear_forward(out, x, W, b)   nn.C.crossentropy_loss(dlogits, logits, labels)
  nn.C.gather_rows(out, src, perm, start, len)   help(nn.C.sgd_step)]])
end

doc(Module, [[nn.Module: base of every layer.
  y = m:forward(x)                 output (buffer reused across calls)
  dx = m:backward(x, dy)           input gradient; accumulates parameter gradients
  params, grads = m:parameters()   lists of tensors (same order)
  m:zero_grad()  m:training()  m:evaluate()  m:num_parameters()  print(m)
  m:need_input_grad(false)         backward may skip the input gradient (data input)
Torch7 aliases: m:zeroGrad(), m:numParameters(), m:needInputGrad(flag).
Layers: nn.Linear, nn.Embedding, nn.View, nn.Flatten, nn.Sigmoid, nn.Tanh, nn.ReLU,
nn.LeakyReLU, nn.SoftMax, nn.Dropout, nn.BatchNorm, nn.BatchNorm2d, nn.LayerNorm,
nn.GroupNorm, nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d; container nn.Sequential.
New layers: help(nn.class).]])

return Module
