-- nn.Sequential{m1, m2, ...}: modules applied in order.
local nn = require "nn"

local Sequential = nn.class("Sequential")

function Sequential:__init(modules)
  nn.Module.__init(self)
  self.modules = {}
  if modules ~= nil and type(modules) ~= "table" then
    error("nn.Sequential: expected a list of modules, e.g. nn.Sequential{nn.Linear(2, 3), nn.Tanh()}", 3)
  end
  for i, m in ipairs(modules or {}) do self:add(m, i) end
  self.output = nil
  self.gradInput = nil
end

function Sequential:add(m, pos)
  if type(m) ~= "table" or type(m.forward) ~= "function" then
    error(("nn.Sequential: element %s is not a module (got %s)"):format(
      tostring(pos or #self.modules + 1), type(m)), 3)
  end
  self.modules[#self.modules + 1] = m
  return self
end

-- Runs nn.Conv2d, nn.ReLU, nn.MaxPool2d(2) go through one kernel
-- (src/core/conv_relu_pool.h): same values, a fraction of the memory
-- traffic, both cores.  The pooling module's output is the run's output;
-- the Conv2d's and ReLU's outputs are then not computed (left as they were).
-- m:fuse(false) runs every module on its own.
local function sandwich(ms, i, x)
  local c, r, p = ms[i], ms[i + 1], ms[i + 2]
  return p ~= nil and getmetatable(c) == nn.Conv2d and getmetatable(r) == nn.ReLU
    and getmetatable(p) == nn.MaxPool2d and c:_fusible(x, p)
end

function Sequential:fuse(on)
  self._nofuse = on == false
  return self
end

function Sequential:forward(x)
  local ms, fused = self.modules, nil
  local i = 1
  while i <= #ms do
    if not self._nofuse and sandwich(ms, i, x) then
      x = ms[i]:_fused_forward(x, ms[i + 2])
      fused = fused or {}
      fused[i + 2] = true
      i = i + 3
    else
      x = ms[i]:forward(x)
      i = i + 1
    end
  end
  self._fused = fused
  self.output = x
  return x
end

function Sequential:backward(x, gradOutput)
  local ms, fused = self.modules, self._fused
  local i = #ms
  while i >= 1 do
    if fused and fused[i] then
      gradOutput = ms[i - 2]:_fused_backward(i > 3 and ms[i - 3].output or x, gradOutput)
      i = i - 3
    else
      gradOutput = ms[i]:backward(i > 1 and ms[i - 1].output or x, gradOutput)
      i = i - 1
    end
  end
  self.gradInput = gradOutput
  return gradOutput
end

function Sequential:named_parameters(prefix, out)
  out = out or {}
  prefix = prefix or ""
  for i, m in ipairs(self.modules) do m:named_parameters(prefix .. i .. ".", out) end
  return out
end

function Sequential:named_buffers(prefix, out)
  out = out or {}
  prefix = prefix or ""
  for i, m in ipairs(self.modules) do m:named_buffers(prefix .. i .. ".", out) end
  return out
end

-- Only the first module sees the container's input.
function Sequential:need_input_grad(flag)
  self._no_input_grad = flag == false
  if self.modules[1] then self.modules[1]:need_input_grad(flag) end
  return self
end

function Sequential:training()
  self.train = true
  for _, m in ipairs(self.modules) do m:training() end
  return self
end

function Sequential:evaluate()
  self.train = false
  for _, m in ipairs(self.modules) do m:evaluate() end
  return self
end

function Sequential:spec()
  local ms = {}
  for i, m in ipairs(self.modules) do ms[i] = m:spec() end
  return {type = "Sequential", modules = ms}
end

function Sequential:__len() return #self.modules end

function Sequential:__tostring()
  local lines = {("nn.Sequential {  (%s parameters)"):format(nn._thousands(self:num_parameters()))}
  for i, m in ipairs(self.modules) do
    local s = tostring(m):gsub("\n", "\n    ")
    lines[#lines + 1] = ("  (%d) %s"):format(i, s)
  end
  lines[#lines + 1] = "}"
  return table.concat(lines, "\n")
end

nn._doc(Sequential.__tostring, "tostring(m): the nn.Sequential's modules with their parameter counts")
nn._doc(Sequential, [[nn.Sequential{m1, m2, ...} -> module applying m1, m2, ... in order
  model = nn.Sequential{nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1)}
  model:add(nn.Sigmoid()); model.modules[1].weight; #model  --> 4]])

return Sequential
