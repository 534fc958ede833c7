-- nnsh.pretty: how the REPL shows values.
local pretty = require "nnsh.pretty"
local fmt = pretty.format

describe("pretty.format", function()
  it("prints scalars as Lua literals", function()
    assert.equals("42", fmt(42))
    assert.equals("0.5", fmt(0.5))
    assert.equals("true", fmt(true))
    assert.equals("nil", fmt(nil))
    assert.equals('"a\\"b\\n\\0010"', fmt('a"b\n\0010'))
  end)

  it("prints the array part without keys and other keys sorted", function()
    assert.equals('{10, 20, a = 1, b = {}, ["end"] = 3, ["not id"] = 2, [true] = 4}',
                  fmt({10, 20, b = {}, a = 1, ["not id"] = 2, ["end"] = 3, [true] = 4}))
    assert.equals("{[-1] = 1, [2] = 2, [3.5] = 3}", fmt({[3.5] = 3, [2] = 2, [-1] = 1}))
    assert.equals("{}", fmt({}))
  end)

  it("breaks a long table over indented lines", function()
    local t = {name = ("x"):rep(50), inner = {values = {1, 2, 3}, label = ("y"):rep(60)}}
    assert.equals(table.concat({
      "{",
      "  inner = {",
      '    label = "' .. ("y"):rep(60) .. '",',
      "    values = {1, 2, 3}",
      "  },",
      '  name = "' .. ("x"):rep(50) .. '"',
      "}"}, "\n"), fmt(t))
  end)

  it("limits depth, length and string size", function()
    assert.equals("{{{{{...}}}}}", fmt({{{{{{1}}}}}}))
    assert.equals("{{...}}", fmt({{{1}}}, {depth = 1}))
    local big = {}
    for i = 1, 100 do big[i] = i end
    local s = fmt(big, {width = 1000})
    assert.matches("^{1, 2, 3, .*, 40, %.%.%.%(60 more%)}$", s)
    assert.matches('^{"' .. ("z"):rep(200) .. '"%.%.%.%(1000 chars%)}$', fmt({("z"):rep(1000)}, {width = 1000}))
  end)

  it("marks cycles instead of recursing", function()
    local t = {}
    t.self = t
    assert.matches("^{self = <cycle table: 0x%x+>}$", fmt(t))
  end)

  it("uses __tostring when there is one", function()
    local v = setmetatable({}, {__tostring = function() return "<thing>" end})
    assert.equals("{<thing>}", fmt({v}))
    assert.equals("<thing>", fmt(v))
  end)
end)

describe("pretty.show", function()
  it("joins results with tabs and prints top-level strings raw", function()
    assert.equals('hi\t1\t{"hi"}\tnil', pretty.show("hi", 1, {"hi"}, nil))
    assert.equals("", pretty.show())
  end)
end)
