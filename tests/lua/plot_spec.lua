-- plot: the gnuplot scripts carry exactly the data given; rendering writes
-- valid PNG/SVG files atomically into created directories; terminal mode
-- returns text; every error path has its message.
local nn = require "nn"
local plot = require "plot"

local tmp = os.tmpname()
os.remove(tmp)
teardown(function() os.execute("rm -rf '" .. tmp .. "'") end)

local function readfile(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

-- Lines of the datablock $name in a script.
local function block(script, name)
  local body = script:match("%$" .. name .. " << EOD\n(.-)\nEOD")
  assert.is_not_nil(body, "no datablock $" .. name)
  local rows = {}
  for l in body:gmatch("[^\n]+") do rows[#rows + 1] = l end
  return rows
end

local function listdir(dir)
  local p = io.popen("ls -A '" .. dir .. "'")
  local names = {}
  for l in p:lines() do names[#names + 1] = l end
  p:close()
  return names
end

describe("plot.script", function()
  it("passes every data point of every series to gnuplot", function()
    local s = plot.script("lines", {
      {name = "train", y = {3, 2.5, 0.125}},
      {name = "val", y = nn.tensor{4, 3.25, 1}, x = {10, 20, 30}},
      title = "loss", xlabel = "epoch", ylabel = "J", logy = true})
    assert.same({"1 3", "2 2.5", "3 0.125"}, block(s, "d1"))
    assert.same({"10 4", "20 3.25", "30 1"}, block(s, "d2"))
    assert.truthy(s:find("set logscale y", 1, true))
    assert.truthy(s:find("set title 'loss'", 1, true))
    assert.truthy(s:find("$d1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'train'", 1, true))
    assert.truthy(s:find("$d2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'val'", 1, true))
  end)

  it("takes colours and dashes, and changes the dash after ten series", function()
    local spec = {}
    for i = 1, 11 do spec[i] = {name = "s" .. i, y = {i, i + 1}} end
    spec[2].color, spec[2].dash = "#000000", 3
    local s = plot.script("lines", spec)
    assert.truthy(s:find("$d2 using 1:2 with lines lw 2 lc rgb '#000000' dt 3 title 's2'", 1, true))
    assert.truthy(s:find("$d10 using 1:2 with lines lw 2 lc rgb '#bcbd22' dt 1", 1, true))
    assert.truthy(s:find("$d11 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2", 1, true))
    assert.has_error(function() plot.script("lines", {{name = "a", y = {1}, color = "red"}}) end,
      "plot.lines: series 'a' color must be \"#rrggbb\", got red")
    assert.has_error(function() plot.script("lines", {{name = "a", y = {1}, dash = 9}}) end,
      "plot.lines: series 'a' dash must be an integer 1..5, got 9")
  end)

  it("labels log axes between decades when the data span less than two", function()
    local s = plot.script("lines", {{y = {0.5, 1, 2.4}}, logy = true})
    assert.truthy(s:find("set ytics (0.5, 0.6, 0.7, 0.8, 0.9, 1, 2)", 1, true))
    s = plot.script("lines", {{y = {0.05, 0.1, 0.5}}, logy = true})
    assert.truthy(s:find("set ytics (0.05, 0.1, 0.2, 0.5)", 1, true))
    s = plot.script("lines", {{y = {0.01, 100}}, logy = true})
    assert.truthy(s:find("set ytics autofreq", 1, true))
  end)

  it("applies a shared x and quotes titles", function()
    local s = plot.script("lines", {{name = "it's", y = {1, 2}}, x = {0.5, 0.75}})
    assert.same({"0.5 1", "0.75 2"}, block(s, "d1"))
    assert.truthy(s:find("title 'it''s'", 1, true))
  end)

  it("lays out a grid with one panel per plot", function()
    local s = plot.script("grid", {
      {{name = "a", y = {1, 2}}, title = "A"},
      {{name = "b", y = {5}}, {name = "c", y = {6, 7}}, title = "B"},
      {{name = "d", y = {9}}}, title = "sweep"})
    assert.truthy(s:find("set multiplot layout 2,2 title 'sweep'", 1, true))
    assert.same({"1 1", "2 2"}, block(s, "p1_1"))
    assert.same({"1 5"}, block(s, "p2_1"))
    assert.same({"1 6", "2 7"}, block(s, "p2_2"))
    assert.same({"1 9"}, block(s, "p3_1"))
    local _, nplots = s:gsub("\nplot ", "")
    assert.equal(3, nplots)
  end)

  it("writes counts into confusion cells", function()
    local s = plot.script("confusion", {matrix = {{5, 1}, {2, 7}}, labels = {"cat", "dog"}})
    assert.same({"5 1", "2 7"}, block(s, "m"))
    assert.truthy(s:find("set label 1 '5' at 0,0", 1, true))
    assert.truthy(s:find("set label 2 '1' at 1,0", 1, true))
    assert.truthy(s:find("set label 3 '2' at 0,1", 1, true))
    assert.truthy(s:find("set label 4 '7' at 1,1", 1, true))
    assert.truthy(s:find("set xtics ('cat' 0, 'dog' 1)", 1, true))
    local n = plot.script("confusion", {matrix = nn.tensor{{3, 1}, {0, 4}}, normalize = true})
    assert.same({"0.75 0.25", "0 1"}, block(n, "m"))
    assert.truthy(n:find("set label 1 '3 (75%)' at 0,0", 1, true))
  end)
end)

describe("plot rendering", function()
  it("writes a PNG atomically into new directories and prints the path", function()
    local path = tmp .. "/a/b/loss.png"
    local printed
    local old = _G.print
    _G.print = function(s) printed = s end
    local ok, r = pcall(plot.lines, {{name = "train", y = {3, 2, 1.5}}, path = path,
                                     width = 320, height = 200})
    _G.print = old
    assert.is_true(ok, r)
    assert.equal(path, r)
    assert.equal("wrote " .. path, printed)
    local bytes = readfile(path)
    assert.equal("\137PNG\r\n\26\n", bytes:sub(1, 8))
    local w, h = string.unpack(">I4I4", bytes, 17)
    assert.equal(320, w); assert.equal(200, h)
    assert.same({"loss.png"}, listdir(tmp .. "/a/b"))
  end)

  it("writes SVG by extension, grids and confusion heatmaps", function()
    plot.lines{{name = "x", y = {1, 2}}, path = tmp .. "/l.svg", quiet = true}
    assert.truthy(readfile(tmp .. "/l.svg"):find("<svg", 1, true))
    plot.grid{{{name = "a", y = {1, 2}}}, {{name = "b", y = {2, 1}}}, path = tmp .. "/g.png",
              quiet = true}
    assert.equal("\137PNG", readfile(tmp .. "/g.png"):sub(1, 4))
    plot.confusion({{5, 1}, {2, 7}}, {"cat", "dog"}, {path = tmp .. "/cm.png", quiet = true})
    assert.equal("\137PNG", readfile(tmp .. "/cm.png"):sub(1, 4))
  end)

  it("draws in the terminal", function()
    local out = plot.term{{name = "curve", y = {4, 3, 2, 1}}, title = "tiny", quiet = true}
    assert.truthy(out:find("tiny", 1, true))
    assert.truthy(out:find("curve", 1, true))
    local out2 = plot.lines{{name = "c", y = {1, 2}}, terminal = {60, 15}, quiet = true}
    local nlines = select(2, out2:gsub("\n", ""))
    assert.is_true(nlines >= 14 and nlines <= 16)
  end)
end)

describe("plot errors", function()
  it("rejects bad data with messages", function()
    assert.has_error(function() plot.lines{{name = "t", y = {1, 0 / 0}}, path = "x.png"} end,
      "plot.lines: series 't' y[2] is NaN")
    assert.error_matches(function() plot.lines{{name = "t", y = {1, math.huge}}, path = "x.png"} end,
      "series 't' y%[2%] is inf")
    assert.error_matches(function() plot.lines{{name = "t", y = {1, 2}, x = {1}}, path = "x.png"} end,
      "plot.lines: series 't' has 1 x values and 2 y values")
    assert.error_matches(function() plot.lines{{name = "t", y = {1, 0}}, logy = true, path = "x.png"} end,
      "logy needs positive values, series 't' has 0 at 2")
    assert.error_matches(function() plot.lines{{name = "t", y = {}}, path = "x.png"} end,
      "series 't' y is empty")
    assert.error_matches(function() plot.lines{{name = "t", y = nn.zeros(2, 2)}, path = "x.png"} end,
      "series 't' y must be 1%-d, got a 2%-d tensor")
    assert.error_matches(function() plot.lines{{name = "t", y = {1}}, titel = "x"} end,
      "plot.lines: unknown option 'titel'")
    assert.error_matches(function() plot.lines{{name = "t", y = {1}}, path = "x.jpg"} end,
      "cannot tell the format of 'x.jpg' %(use a .png or .svg path%)")
    assert.error_matches(function() plot.lines{{name = "t", y = {1}}} end,
      "plot.lines: give path= %(a .png or .svg file%) or terminal=true")
    assert.error_matches(function() plot.grid{{{y = {1}}}, {{y = {1}}}, {{y = {1}}}, rows = 1,
                                              cols = 2, path = "g.png"} end,
      "plot.grid: a 1x2 grid holds 2 plots, not 3")
  end)

  it("rejects bad confusion matrices", function()
    assert.error_matches(function() plot.confusion({{1, 2}, {3}}, nil, {path = "c.png"}) end,
      "plot.confusion: matrix must be square %(2x2%), row 2 has 1 entries")
    assert.error_matches(function() plot.confusion({{1, -2}, {3, 4}}, nil, {path = "c.png"}) end,
      "entry %(1,2%) must be a finite count >= 0, got %-2")
    assert.error_matches(function() plot.confusion({{1, 2}, {3, 4}}, {"a"}, {path = "c.png"}) end,
      "plot.confusion: 1 labels for a 2x2 matrix")
    assert.error_matches(function() plot.confusion(nn.zeros(2, 2, 2), nil, {path = "c.png"}) end,
      "matrix must be 2%-d, got a 3%-d tensor")
  end)

  it("names the package when gnuplot is missing, and reports gnuplot failures", function()
    local keep = plot.gnuplot
    plot.gnuplot = "/nonexistent/gnuplot"
    local ok, err = pcall(plot.lines, {{y = {1}}, path = tmp .. "/m.png"})
    plot.gnuplot = "false" -- exits with status 1
    local ok2, err2 = pcall(plot.lines, {{y = {1}}, path = tmp .. "/f.png"})
    plot.gnuplot = keep
    assert.is_false(ok)
    assert.matches("gnuplot not found.*install the Debian package gnuplot%-nox", err)
    assert.is_false(ok2)
    assert.matches("plot.lines: gnuplot failed %(exit 1%)", err2)
    assert.is_nil(io.open(tmp .. "/f.png"))
    assert.same({}, (function()
      local left = {}
      for _, n in ipairs(listdir(tmp)) do if n:find("^f%.png") then left[#left + 1] = n end end
      return left
    end)())
  end)
end)

describe("plot output paths", function()
  it("names the plot function when a directory cannot be made", function()
    local f = assert(io.open(tmp .. "/plainfile", "w"))
    f:close()
    assert.has_error(function()
      plot.lines{{y = {1, 2}}, path = tmp .. "/plainfile/x.png", quiet = true}
    end, "plot.lines: cannot create directory '" .. tmp .. "/plainfile': a file of that name exists")
  end)
end)
