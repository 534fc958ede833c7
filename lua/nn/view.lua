-- nn.View(d1, d2, ...): reshape without copying (one dim may be -1);
-- nn.Reshape is the same module under Torch's other name.
local nn = require "nn"
local C = nn.C

local View = nn.class("View")

function View:__init(...)
  nn.Module.__init(self)
  local dims = {...}
  if type(dims[1]) == "table" then dims = dims[1] end
  if #dims == 0 then error("nn.View: give the new shape, e.g. nn.View(-1, 96)", 3) end
  local free = 0
  local checked = {}
  for i, d in ipairs(dims) do
    local ok = pcall(nn._check_int, d, "nn.View", "", -1)
    if not ok or d == 0 then
      error(("nn.View: dimension %d must be a positive integer or -1, got %s"):format(i, tostring(d)), 3)
    end
    checked[i] = math.tointeger(d)
    if d == -1 then free = free + 1 end
  end
  dims = checked
  if free > 1 then error("nn.View: at most one dimension can be -1", 3) end
  self.dims = dims
  self._insize = {}
end

function View:forward(x)
  x = nn._contig(x)
  if self.output:type() ~= x:type() then
    self.output = x:view(self.dims) -- an index input (e.g. before an Embedding)
  else
    C.view(self.output, x, self.dims)
  end
  -- Remember the input shape for backward without allocating a table.
  local s = self._insize
  for d = 1, x:dim() do s[d] = x:size(d) end
  for d = x:dim() + 1, #s do s[d] = nil end
  return self.output
end

function View:backward(x, gradOutput)
  C.view(self.gradInput, nn._contig(gradOutput), self._insize)
  return self.gradInput
end

function View:describe()
  return ("nn.View(%s)"):format(table.concat(self.dims, ", "))
end

nn.Reshape = View

-- nn.Flatten(): (N, d2, d3, ...) -> (N, d2*d3*...), a view (PyTorch's
-- nn.Flatten with start_dim 2): between convolutional and Linear layers.
local Flatten = nn.class("Flatten")

function Flatten:__init()
  nn.Module.__init(self)
  self._dims = {0, -1}
  self._insize = {}
end

function Flatten:forward(x)
  x = nn._contig(x)
  if x:dim() < 1 then error("nn.Flatten.forward: input must have a batch dimension, got a scalar", 2) end
  self._dims[1] = x:size(1)
  C.view(self.output, x, self._dims)
  local s = self._insize
  for d = 1, x:dim() do s[d] = x:size(d) end
  for d = x:dim() + 1, #s do s[d] = nil end
  return self.output
end

Flatten.backward = View.backward

nn._doc(Flatten, [[nn.Flatten() -> module: (N, d2, d3, ...) -> (N, d2*d3*...) without copying.
  nn.Sequential{nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8*26*26, 10)}]])

nn._doc(View, [[nn.View(d1, d2, ...) -> module: the input viewed with another shape
(no copy; one dim may be -1).  nn.Reshape is the same.
  nn.Sequential{nn.Embedding(250, 32), nn.View(-1, 96), nn.Linear(96, 256)}]])

return View
