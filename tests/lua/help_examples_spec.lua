-- Every public function and method has help with an example, and every
-- example runs (issue 15, items 6 and 10): the example is the docstring's
-- last block of lines indented by two spaces (nnsh.docex).  Examples run
-- from the repository root, each in a fresh environment over _G with the
-- shell's modules as globals; files they write go to out/ (git-ignored).
local nn = require "nn"
require "help" -- attaches the examples of nnsh.doc_examples
local docex = require "nnsh.docex"
local tg = require "trigram"

local modules = {nn = nn, h5 = require "h5", optim = require "optim", plot = require "plot",
                 image = require "image", tg = tg, json = require "json",
                 fashion_mnist = require "fashion_mnist"}
local has_gnuplot = os.execute("command -v gnuplot >/dev/null 2>&1")

-- name -> function for the public API: module functions, classes (callable
-- tables), class methods, tensor methods, the trigram model's methods.
local function public_api()
  local api = {}
  local function add(prefix, t, sep)
    for k, v in pairs(t) do
      if type(k) == "string" and not k:match("^_") then
        local mt = getmetatable(v)
        local callable = type(v) == "function" or
          (type(v) == "table" and type(mt) == "table" and mt.__call ~= nil)
        if callable then api[prefix .. sep .. k] = v end
      end
    end
  end
  for name, m in pairs(modules) do add(name, m, ".") end
  add("t", getmetatable(nn.zeros(1)).__methods, ":")
  add("m", getmetatable(tg.load()).__index, ":")
  add("module", nn.Module, ":")
  -- nn.C is the raw C layer behind the modules, not the user's API
  -- (and classes other specs define for their own tests, e.g. nn.TestCkptCustom)
  for k in pairs(api) do if k:match("^nn%.C%.") or k:match("^nn%.Test") then api[k] = nil end end
  return api
end

describe("help", function()
  local api = public_api()
  local names = {}
  for k in pairs(api) do names[#names + 1] = k end
  table.sort(names)

  it("documents every public function and method with an example", function()
    local missing = {}
    for _, name in ipairs(names) do
      local d = nn.doc(api[name])
      if not d then missing[#missing + 1] = name .. " (no help)"
      elseif not docex.example(d) then missing[#missing + 1] = name .. " (no example)" end
    end
    assert.is_true(#names > 150, "API found: " .. #names)
    assert.same({}, missing)
  end)

  it("runs every example", function()
    local failed = {}
    for _, name in ipairs(names) do
      local code = docex.example(nn.doc(api[name]))
      local uses_gnuplot = code and code:match("plot%.") and not code:match("plot%.script")
      if code and (has_gnuplot or not uses_gnuplot) then
        local env = setmetatable({}, {__index = _G})
        for k, v in pairs(modules) do env[k] = v end
        local chunk, err = load(code, "=" .. name, "t", env)
        local ok = chunk ~= nil
        -- (what the examples print is not checked, only that they run)
        local p, w = _G.print, io.write
        _G.print, io.write = function() end, function() end
        if ok then ok, err = pcall(chunk) end
        _G.print, io.write = p, w
        if not ok then failed[#failed + 1] = ("%s: %s\n    %s"):format(name, tostring(err), code) end
      end
    end
    assert.same({}, failed)
  end)

  it("finds the example of a docstring", function()
    assert.equal("f(1)\n  more", docex.example("f(x) -> y\ntext\n  f(1)\n    more\n"))
    assert.is_nil(docex.example("f(x) -> y\ntext only"))
  end)
end)
