-- nn.gradcheck: compare analytic gradients with central differences.
--
--   report = nn.gradcheck(module, x [, opts])
--   report = nn.gradcheck(criterion, {input, target} [, opts])
--   report = nn.gradcheck(f, {x1, x2, ...} [, opts])
--       f(x1, x2, ...) -> loss (a number), {dx1, dx2, ...}
--
-- For a module the objective is f = sum(forward(x) .* R) with a fixed
-- random R, so backward(x, R) is its analytic gradient; every parameter
-- and the input (unless it is an index tensor) are checked.  For a
-- criterion the objective is the loss and the input is checked.
--
-- The report maps each checked tensor ("input", "1.weight", ...) to
-- {max_rel=, max_abs=, n=}; report.max_rel is the worst of all and
-- report.ok says whether it is below opts.tol.  Relative error of an
-- element: |a - n| / max(|a|, |n|, floor).  The core is float32: with the
-- default step eps = 1e-2 (on O(1) values) expect errors around 1e-3, so
-- tol defaults to 1e-2; the double-precision references of the specs
-- (tests/lua/ref) are the precise check.
local nn = require "nn"

local function dot(a, b)
  -- sum(a .* b) accumulated in double on the Lua side.
  local fa, fb = a:contiguous():view(-1), b:contiguous():view(-1)
  local s = 0.0
  for i = 1, fa:numel() do s = s + fa[i] * fb[i] end
  return s
end

local function check_tensor(name, t, analytic, objective, opts, report)
  local flat = t:view(-1)
  local ga = analytic:contiguous():view(-1)
  if ga:numel() ~= flat:numel() then
    error(("nn.gradcheck: the gradient of %s has %d elements, the tensor %d"):format(
      name, ga:numel(), flat:numel()), 3)
  end
  local eps, floor = opts.eps, opts.floor
  local max_rel, max_abs = 0, 0
  local n = flat:numel()
  local stride = 1
  if opts.max_elements and n > opts.max_elements then stride = n // opts.max_elements end
  for i = 1, n, stride do
    local keep = flat[i]
    flat[i] = keep + eps
    local fp = objective()
    flat[i] = keep - eps
    local fm = objective()
    flat[i] = keep
    local num = (fp - fm) / (2 * eps)
    local a = ga[i]
    local abs = math.abs(a - num)
    local rel = abs / math.max(math.abs(a), math.abs(num), floor)
    if rel > max_rel then max_rel = rel end
    if abs > max_abs then max_abs = abs end
  end
  report[name] = {max_rel = max_rel, max_abs = max_abs, n = n}
  report.names[#report.names + 1] = name
  if max_rel > report.max_rel then report.max_rel = max_rel end
end

local Report = {}
Report.__index = Report
Report.__tostring = function(r)
  local lines = {("gradcheck: max relative error %.3g (%s, tol %g)"):format(
    r.max_rel, r.ok and "ok" or "FAILED", r.tol)}
  for _, name in ipairs(r.names) do
    local e = r[name]
    lines[#lines + 1] = ("  %-14s rel %.3g  abs %.3g  (%d elements)"):format(name, e.max_rel, e.max_abs, e.n)
  end
  return table.concat(lines, "\n")
end

local function is_tensor(t) return type(t) == "userdata" and type(t.numel) == "function" end

function nn.gradcheck(target, inputs, opts)
  opts = opts or {}
  local o = {eps = opts.eps or 1e-2, floor = opts.floor or 1e-3, tol = opts.tol or 1e-2,
             max_elements = opts.max_elements}
  local report = setmetatable({names = {}, max_rel = 0, tol = o.tol}, Report)
  -- With a seed, every forward pass starts from it, so random layers
  -- (dropout) draw the same mask each time.
  local reseed = opts.seed and function() nn.seed(opts.seed) end or function() end

  if type(target) == "table" and type(target.parameters) == "function" then
    -- a module
    local m, x = target, inputs
    if not is_tensor(x) then error("nn.gradcheck: a module needs an input tensor", 2) end
    reseed()
    local out = m:forward(x)
    local R = nn.zeros(out:size()):uniform_(-1, 1)
    local objective = function() reseed(); return dot(m:forward(x), R) end
    m:zero_grad()
    reseed()
    m:forward(x)
    local dx = m:backward(x, R)
    if x:type() ~= "index" and dx then check_tensor("input", x, dx:clone(), objective, o, report) end
    for _, e in ipairs(m:named_parameters()) do
      check_tensor(e.name, e.param, e.grad:clone(), objective, o, report)
    end
  elseif type(target) == "table" and type(target.backward) == "function" then
    -- a criterion: inputs = {input, target}
    if type(inputs) ~= "table" or not is_tensor(inputs[1]) then
      error("nn.gradcheck: a criterion needs {input, target}", 2)
    end
    local x, y = inputs[1], inputs[2]
    target:forward(x, y)
    local g = target:backward(x, y):clone()
    check_tensor("input", x, g, function() return target:loss(x, y) end, o, report)
  elseif type(target) == "function" then
    if type(inputs) ~= "table" then error("nn.gradcheck: a function needs a list of inputs", 2) end
    local _, grads = target(table.unpack(inputs))
    if type(grads) ~= "table" then
      error("nn.gradcheck: the function must return loss, {gradients of the inputs}", 2)
    end
    local saved = {}
    for i, g in ipairs(grads) do saved[i] = g:clone() end
    local objective = function() return (target(table.unpack(inputs))) end
    for i, x in ipairs(inputs) do
      if saved[i] then check_tensor("input " .. i, x, saved[i], objective, o, report) end
    end
  else
    error("nn.gradcheck: expected a module, a criterion or a function, got " .. type(target), 2)
  end
  report.ok = report.max_rel <= o.tol
  return report
end

nn._doc(nn.gradcheck, [[nn.gradcheck(module, x [, opts]) -> report
nn.gradcheck(criterion, {input, target} [, opts]) -> report
nn.gradcheck(f, {x1, ...} [, opts]) -> report     f(x1, ...) -> loss, {dx1, ...}
Central differences on every parameter and the input, against the analytic backward.
opts: eps=1e-2 (step), tol=1e-2, floor=1e-3 (relative-error denominator floor),
      seed= (re-seeds before every forward: fixed dropout masks), max_elements= (check at most about this many elements per tensor).
report.max_rel, report.ok, report["1.weight"] = {max_rel=, max_abs=, n=}; print(report).
  print(nn.gradcheck(nn.Linear(3, 2), nn.randn(4, 3)))]])

return nn.gradcheck
