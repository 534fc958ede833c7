-- image.grid: geometry, pixel values, PNG files (signature and IHDR read
-- from the raw bytes), directories created, atomic writes, error messages.
local nn = require "nn"
local image = require "image"

local tmp = os.tmpname()
os.remove(tmp)

local function readfile(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

-- width, height, bit depth, colour type from the IHDR chunk.
local function ihdr(bytes)
  assert.equal("\137PNG\r\n\26\n", bytes:sub(1, 8))
  assert.equal("IHDR", bytes:sub(13, 16))
  local w, h, depth, ctype = string.unpack(">I4I4BB", bytes, 17)
  return w, h, depth, ctype
end

local function listdir(dir)
  local p = io.popen("ls -A '" .. dir .. "'")
  local names = {}
  for l in p:lines() do names[#names + 1] = l end
  p:close()
  return names
end

teardown(function() os.execute("rm -rf '" .. tmp .. "'") end)

describe("image.grid composition", function()
  it("places normalized, upscaled tiles between padding", function()
    local t = nn.tensor{{{0, 1}, {2, 3}}, {{-1, -1}, {-1, -1}}, {{10, 20}, {20, 30}}}
    local g = image.grid(t, {rows = 2, cols = 2, pad = 1, scale = 2, normalize = "each",
                             padvalue = 1})
    -- 2 rows * (2*2) + 3 pads = 11 each way.
    assert.same({11, 11}, g:size())
    local q = function(r, c) return math.floor(g[r][c] * 255 + 0.5) end
    for i = 1, 11 do
      assert.equal(255, q(1, i)); assert.equal(255, q(6, i)); assert.equal(255, q(11, i))
      assert.equal(255, q(i, 1)); assert.equal(255, q(i, 6)); assert.equal(255, q(i, 11))
    end
    -- tile 1 (0 1 / 2 3) each-normalized: 0, 85, 170, 255 in 2x2 blocks
    assert.equal(0, q(2, 2)); assert.equal(0, q(3, 3))
    assert.equal(85, q(2, 4)); assert.equal(85, q(3, 5))
    assert.equal(170, q(4, 2)); assert.equal(255, q(5, 5))
    -- constant tile 2 is mid gray; tile 3 (10 20 / 20 30) -> 0 128 / 128 255
    assert.equal(128, q(2, 7)); assert.equal(128, q(5, 10))
    assert.equal(0, q(7, 2)); assert.equal(128, q(7, 4)); assert.equal(255, q(10, 5))
    -- the empty fourth cell keeps the pad value
    assert.equal(255, q(8, 8))
  end)

  it("chooses ceil(sqrt(N)) columns and honours normalize='all' and RGB", function()
    local g = image.grid(nn.zeros(10, 3, 5), {pad = 2})
    -- 4 columns, 3 rows: 3*3 + 2*4 = 17 high, 4*5 + 2*5 = 30 wide
    assert.same({17, 30}, g:size())
    local t = nn.tensor{{{{0, 4}}, {{2, 2}}, {{4, 0}}}, {{{1, 1}}, {{3, 3}}, {{0, 4}}}}
    local rgb = image.grid(t, {rows = 1, pad = 0, normalize = "all"})
    assert.same({3, 1, 4}, rgb:size())
    local px = {}
    for c = 1, 3 do
      for x = 1, 4 do px[#px + 1] = math.floor(rgb[c][1][x] * 255 + 0.5) end
    end
    -- R of the four pixels, then G, then B
    assert.same({0, 255, 64, 64, 128, 128, 191, 191, 255, 0, 0, 255}, px)
  end)

  it("clamps to [0,1] with normalize = \"none\"", function()
    local g = image.grid(nn.tensor{{{-0.5, 0.25, 1, 7}}}, {pad = 0, normalize = "none"})
    assert.same({0, 64, 255, 255}, (function()
      local r = {}
      for i = 1, 4 do r[i] = math.floor(g[1][i] * 255 + 0.5) end
      return r
    end)())
  end)
end)

describe("image.grid PNG files", function()
  it("writes a gray PNG whose header matches the grid geometry", function()
    local path = tmp .. "/new/dir/features.png"
    local p, w, h = image.grid(nn.rand(64, 16, 16), {rows = 8, cols = 8, normalize = "each",
                                                     pad = 1, scale = 3, path = path,
                                                     quiet = true})
    assert.equal(path, p)
    -- 8*(16*3) + 1*9 = 393
    assert.equal(393, w); assert.equal(393, h)
    local pw, ph, depth, ctype = ihdr(readfile(path))
    assert.equal(393, pw); assert.equal(393, ph)
    assert.equal(8, depth); assert.equal(0, ctype) -- gray
    assert.same({"features.png"}, listdir(tmp .. "/new/dir")) -- no temporary left
  end)

  it("writes RGB (colour type 2) and prints the path", function()
    local path = tmp .. "/rgb.png"
    local printed
    local old = _G.print
    _G.print = function(s) printed = s end
    local ok, err = pcall(image.grid, nn.rand(6, 3, 4, 5), {rows = 2, pad = 0, path = path})
    _G.print = old
    assert.is_true(ok, err)
    assert.equal("wrote " .. path .. " (15x8)", printed)
    local w, h, _, ctype = ihdr(readfile(path))
    assert.equal(15, w); assert.equal(8, h); assert.equal(2, ctype)
  end)

  it("image.save writes one image", function()
    local path = tmp .. "/one.png"
    image.save(nn.rand(3, 7, 9), path, {scale = 2, quiet = true})
    local w, h, _, ctype = ihdr(readfile(path))
    assert.equal(18, w); assert.equal(14, h); assert.equal(2, ctype)
  end)
end)

describe("image.grid errors", function()
  it("names the problem", function()
    assert.has_error(function() image.grid(nn.rand(3, 5, 5), {colums = 2}) end,
      "image.grid: unknown option 'colums'")
    assert.error_matches(function() image.grid(nn.rand(3, 2, 5, 5)) end,
      "image.grid: a 4%-d tensor must be %(N,3,H,W%) or %(N,1,H,W%), got 3x2x5x5")
    assert.error_matches(function() image.grid(nn.rand(5)) end,
      "image.grid: expected %(N,H,W%) gray or %(N,3,H,W%) RGB tiles, got a 1%-d tensor")
    assert.error_matches(function() image.grid(nn.rand(3, 5, 5), {normalize = "max"}) end,
      "normalize must be \"each\", \"all\" or \"none\", got \"max\"")
    assert.error_matches(function() image.grid(nn.rand(5, 2, 2), {rows = 2, cols = 2}) end,
      "image.grid: a 2x2 grid holds 4 tiles, not 5")
    assert.error_matches(function() image.grid(nn.rand(2, 2, 2), {scale = 1.5}) end,
      "scale must be an integer, got 1.5")
    assert.error_matches(function() image.grid({1, 2}) end,
      "image.grid: argument #1: expected a tensor, got table")
    assert.error_matches(function() image.save(nn.rand(2, 2, 2, 2), "x.png") end,
      "image.save: expected an %(H,W%) or %(3,H,W%) image, got a 4%-d tensor")
  end)

  it("rejects NaN and writes nothing", function()
    local t = nn.rand(2, 3, 3)
    t[2][1][1] = 0 / 0
    local path = tmp .. "/nan/x.png"
    assert.error_matches(function() image.grid(t, {path = path}) end,
      "image.grid: tile 2 holds a non%-finite value %(NaN%)")
    assert.is_nil(io.open(path))
  end)

  it("reports an unwritable path", function()
    local f = assert(io.open(tmp .. "/afile", "w"))
    f:close()
    assert.error_matches(function()
      image.grid(nn.rand(1, 2, 2), {path = tmp .. "/afile/x.png", quiet = true})
    end, "image.grid: cannot create directory '.*afile'")
  end)
end)
