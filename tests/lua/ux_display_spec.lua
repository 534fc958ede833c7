-- What the REPL shows (issue 15, items 4, 5, 7, 8, 9): one rendering of a
-- plot or a written picture, tables of tensors one line per entry, labelled
-- axes on short log ranges, single points as markers, whole-number epoch
-- ticks, image.grid's "auto" normalization of raw 0..255 pixels.
local nn = require "nn"
local plot = require "plot"
local image = require "image"
local pretty = require "nnsh.pretty"
local echo = require "nnsh.echo"

local tmp = os.tmpname()
os.remove(tmp)
teardown(function() os.execute("rm -rf '" .. tmp .. "'") end)

local has_gnuplot = os.execute("command -v gnuplot >/dev/null 2>&1")

-- Everything io.write/print writes while fn runs, and fn's results.
local function captured(fn)
  local parts, w, p = {}, io.write, _G.print
  io.write = function(...) for _, s in ipairs{...} do parts[#parts + 1] = tostring(s) end end
  _G.print = function(...)
    local t = table.pack(...)
    for i = 1, t.n do parts[#parts + 1] = tostring(t[i]) .. (i < t.n and "\t" or "") end
    parts[#parts + 1] = "\n"
  end
  local r = table.pack(pcall(fn))
  io.write, _G.print = w, p
  assert(r[1], r[2])
  return table.concat(parts), table.unpack(r, 2, r.n)
end

describe("one rendering each (item 4)", function()
  before_each(echo.clear)
  it("image.grid with a path prints one line; the REPL echo of its results is empty", function()
    local out, path, w, h = captured(function()
      return image.grid(nn.rand(4, 8, 8), {path = tmp .. "/g.png"})
    end)
    assert.equal(("wrote %s/g.png (19x19)\n"):format(tmp), out)
    assert.equal(tmp .. "/g.png", path)
    assert.equal(19, w)
    assert.equal(19, h)
    assert.is_nil(pretty.show(path, w, h))
    -- other values still print
    assert.equal("1", pretty.show(1))
    -- quiet: nothing printed, so the REPL shows the results
    echo.clear()
    local out2, p2 = captured(function()
      return image.grid(nn.rand(4, 8, 8), {path = tmp .. "/q.png", quiet = true})
    end)
    assert.equal("", out2)
    assert.is_not_nil(pretty.show(p2, 19, 19))
  end)
  it("plot.term prints the plot once and plot.lines prints 'wrote' once", function()
    if not has_gnuplot then pending("gnuplot not installed") return end
    local out, text = captured(function() return plot.term{{name = "a", y = {3, 2, 1}}} end)
    assert.equal(out, text)
    assert.is_nil(pretty.show(text))
    local out2, path = captured(function()
      return plot.lines{{name = "a", y = {3, 2, 1}}, path = tmp .. "/l.png"}
    end)
    assert.equal("wrote " .. tmp .. "/l.png\n", out2)
    assert.is_nil(pretty.show(path))
  end)
end)

describe("tables of tensors (item 5)", function()
  it("print one line per entry with type, shape and range or values", function()
    local s = pretty.format{ims = nn.full(255, 1000, 32, 32), lbl = nn.tensor{0, 1, 1},
                            idx = nn.index{1, 2}}
    local lines = {}
    for l in s:gmatch("[^\n]+") do lines[#lines + 1] = l end
    assert.same({"{", "  idx = <index 2  {1, 2}>,", "  ims = <float32 1000x32x32  range [255, 255]>,",
                 "  lbl = <float32 3  {0, 1, 1}>", "}"}, lines)
  end)
  it("prints data4 in a handful of lines", function()
    local h5 = require "h5"
    local d = h5.load("data/data4.h5")
    local n = select(2, pretty.format(d):gsub("\n", "")) + 1
    assert.is_true(n <= 6, "lines: " .. n)
    assert.matches("trainims = <float32 1900x32x32  range %[0, 255%]>", pretty.format(d))
  end)
end)

describe("plot axes (items 7, 8)", function()
  local function ytics(script) return script:match("set ytics %(([^)]*)%)") end
  it("labels a log axis whose data stay within a decade", function()
    local s = plot.script("lines", {{name = "a", y = {1.9, 1.5, 1.3, 1.2}}, logy = true})
    local tics = {}
    for v in (ytics(s) or ""):gmatch("[^, ]+") do tics[#tics + 1] = tonumber(v) end
    assert.is_true(#tics >= 3, "ytics: " .. tostring(ytics(s)))
    for _, v in ipairs(tics) do assert.is_true(v >= 1.2 / 1.05 and v <= 1.9 * 1.05) end
  end)
  it("labels the Q1 sweep's J curves over three epochs", function()
    -- (J after 3 epochs stays between 1 and 2: no 1-2-5 value falls inside)
    local s = plot.script("lines", {{name = "a", y = {1.9, 1.45, 1.3}},
                                    {name = "b", y = {1.8, 1.5, 1.25}}, logy = true})
    assert.is_true(select(2, (ytics(s) or ""):gsub(",", "")) >= 2, tostring(ytics(s)))
  end)
  it("draws a single point as a marker in a range around it, with whole-number ticks", function()
    local s = plot.script("lines", {{name = "train", y = {0.9}}, xlabel = "epoch"})
    assert.matches("with linespoints pt 7", s)
    assert.matches("set xrange %[0:2%]", s)
    assert.matches("set xtics 1\n", s)
  end)
  it("gives epoch axes whole-number ticks", function()
    local s = plot.script("lines", {{name = "a", y = {3, 2, 1}}})
    assert.matches("set xtics 1\n", s)
    local y = {}
    for e = 1, 50 do y[e] = 1 / e end
    assert.matches("set xtics 10\n", plot.script("lines", {{name = "a", y = y}}))
    assert.matches("set xtics autofreq", plot.script("lines", {{name = "a", y = {1, 2}, x = {0.5, 1.5}}}))
  end)
end)

describe("image.grid default normalization (item 9)", function()
  it("shows raw 0..255 pixels from the grid's min..max, [0,1] data as they are", function()
    local raw = nn.tensor{{{0, 128}, {255, 64}}}
    local g = image.grid(raw, {pad = 0})
    assert.near(0, g[1][1], 1e-6)
    assert.near(128 / 255, g[1][2], 1e-6)
    assert.near(1, g[2][1], 1e-6)
    local unit = nn.tensor{{{0.2, 0.4}, {0.6, 0.8}}}
    local u = image.grid(unit, {pad = 0})
    assert.near(0.2, u[1][1], 1e-6)
    assert.near(0.8, u[2][2], 1e-6)
    -- "none" still clamps when asked
    assert.near(1, image.grid(raw, {pad = 0, normalize = "none"})[1][2], 1e-6)
  end)
end)
