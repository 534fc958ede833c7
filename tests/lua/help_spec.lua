-- help(): docstrings through nn.doc / nn.setdoc, lookup by value and by
-- dotted name, listings of tables, pointers to the Lua manual; error paths.
local nn = require "nn"
local help = require "help"

-- Everything help prints goes through io.write to the default output.
local function captured(...)
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  io.output(f)
  local ok, err = pcall(help, ...)
  io.output(io.stdout)
  f:close()
  local text = assert(io.open(path)):read("a")
  os.remove(path)
  assert(ok, err)
  return text
end

describe("nn.doc / nn.setdoc", function()
  it("returns the docstring of a C function registered with one", function()
    assert.matches("^nn%.doc%(f%) %-> string or nil\n", nn.doc(nn.doc))
  end)

  it("attaches text to a Lua function and returns the function", function()
    local function f() end
    assert.is_nil(nn.doc(f))
    assert.equals(f, nn.setdoc(f, "f() -> nothing\nDoes nothing."))
    assert.equals("f() -> nothing\nDoes nothing.", nn.doc(f))
  end)

  it("does not keep a documented function alive", function()
    local weak = setmetatable({}, {__mode = "v"})
    weak[1] = function() end
    nn.setdoc(weak[1], "temporary")
    collectgarbage()
    collectgarbage()
    assert.is_nil(weak[1])
  end)

  it("rejects values that cannot carry a doc, naming the function", function()
    assert.has_error(function() nn.setdoc(1, "x") end,
      "nn.setdoc: argument #1: expected a function or table, got number")
    assert.error_matches(function() nn.setdoc(function() end, 2) end,
      "nn.setdoc: argument #2: expected the doc text %(a string%), got number")
    assert.error_matches(function() nn.doc() end, "bad argument #1 to 'doc'")
  end)
end)

describe("help", function()
  it("without arguments prints the overview", function()
    local out = captured()
    assert.matches("%?name, help%(name%)", out)
    assert.matches("Ctrl%-C", out)
  end)

  it("prints the docstring of a function given by value or by name", function()
    assert.equals(nn.doc(nn.setdoc) .. "\n", captured(nn.setdoc))
    assert.equals(nn.doc(nn.setdoc) .. "\n", captured("nn.setdoc"))
  end)

  it("lists a table's documented functions by their first doc line", function()
    local t = {
      double = nn.setdoc(function(x) return 2 * x end, "t.double(x) -> number\nTwice x."),
      half = nn.setdoc(function(x) return x / 2 end, "Half of x."),
      plain = function() end,
      sub = {},
    }
    _G.help_spec_t = t
    local out = captured("help_spec_t")
    _G.help_spec_t = nil
    assert.matches("  t%.double%(x%) %-> number\n", out)
    assert.not_matches("Twice x", out)
    assert.matches("  help_spec_t%.half  %-%- Half of x%.\n", out)
    assert.matches("Undocumented: help_spec_t%.plain\n", out)
    assert.matches("Tables: help_spec_t%.sub\n", out)
  end)

  it("lists nn's functions", function()
    assert.matches("\n  nn%.doc%(f%) %-> string or nil\n", "\n" .. captured(nn))
  end)

  it("points at the Lua manual for standard functions", function()
    assert.matches("manual%.html#pdf%-string%.upper", captured(string.upper))
    assert.matches("manual%.html#pdf%-string%.upper", captured("string.upper"))
    assert.matches("manual%.html#pdf%-print", captured(print))
  end)

  it("says where an undocumented Lua function is defined", function()
    local function f() end
    local line = debug.getinfo(f, "S").linedefined
    assert.matches("Lua function defined at .*help_spec%.lua:" .. line .. ", no documentation",
                   captured(f))
  end)

  it("shows the methods of an object and a method by name", function()
    if not nn.zeros then return pending("nn.zeros not bound yet") end
    _G.help_spec_x = nn.zeros(2, 2)
    local list = captured("help_spec_x")
    local one = captured("help_spec_x:numel")
    _G.help_spec_x = nil
    assert.matches("Methods:", list)
    assert.matches("numel", list)
    local mt = getmetatable(nn.zeros(1))
    local methods = type(mt.__methods) == "table" and mt.__methods or mt.__index
    assert.equals((nn.doc(methods.numel) or "") ~= "", one:find("no documentation") == nil)
  end)

  it("describes other values by type", function()
    _G.help_spec_n = 3
    local out = captured("help_spec_n")
    _G.help_spec_n = nil
    assert.equals("help_spec_n: number 3\n", out)
  end)

  it("reports names that do not resolve and non-names", function()
    assert.equals("help: no such name: nn.no_such_thing\n", captured("nn.no_such_thing"))
    assert.equals("help: no such name: no_such_global\n", captured("no_such_global.x"))
    assert.equals("help: '1+1' is not a name (try help(value) instead)\n", captured("1+1"))
    assert.matches("^help: got nil", captured(nil))
  end)

  it("documents itself", function()
    assert.matches("^help%(%[x%]%)", nn.doc(help))
  end)
end)
