-- h5 module: round trips through a temporary file, listing, attributes,
-- options, and the message of every error path (each must also leave no
-- HDF5 object open).
local nn = require "nn"
local h5 = require "h5"

local tmp = os.tmpname() -- creates an empty file: not an HDF5 file
local path = tmp .. ".h5"
local trunc = tmp .. "_trunc.h5"

-- The error message of f(), which must fail; it must carry this spec's
-- line (errors point at the caller) and contain `text` (plain).
local function failure(f, text)
  local ok, msg = pcall(f)
  assert.is_false(ok, "expected an error containing: " .. text)
  msg = tostring(msg)
  assert.truthy(msg:find("h5_spec.lua:%d+: "), "no caller position in: " .. msg)
  assert.truthy(msg:find(text, 1, true), ("'%s' not in '%s'"):format(text, msg))
  assert.equal(0, h5.open_ids())
  return msg
end

local function close(a, b) return math.abs(a - b) <= 1e-6 * (1 + math.abs(b)) end

setup(function()
  os.remove(path)
  local f = assert(io.open("data/data2.h5", "rb"))
  local head = f:read(65536)
  f:close()
  f = assert(io.open(trunc, "wb"))
  f:write(head)
  f:close()
end)

teardown(function()
  os.remove(path)
  os.remove(trunc)
  os.remove(tmp)
end)

describe("h5.write and h5.read", function()
  it("round-trip a float tensor, creating the file", function()
    local t = nn.tensor{{1.5, -2, 3}, {4, 5.25, 6e-7}}
    h5.write(path, "x", t)
    local r = h5.read(path, "x")
    assert.equal("float32", r:type())
    assert.same({2, 3}, r:size())
    assert.same(t:totable(), r:totable())
  end)

  it("round-trip an index tensor with its 1-based values", function()
    local ix = nn.index{{1, 2}, {3, 250}}
    h5.write(path, "ix", ix)
    local r = h5.read(path, "ix")
    assert.equal("index", r:type())
    assert.same({{1, 2}, {3, 250}}, r:totable())
    -- The file holds the same 1-based numbers.
    assert.same({{1, 2}, {3, 250}}, h5.read(path, "ix", {as = "float"}):totable())
    assert.equal("float32", h5.read(path, "ix", {as = "float"}):type())
    -- Usable by index ops: rows 3 and 1 of a 3x2 matrix.
    local m = nn.tensor{{1, 2}, {3, 4}, {5, 6}}
    h5.write(path, "sel", nn.index{3, 1})
    assert.same({{5, 6}, {1, 2}}, m:index_select(h5.read(path, "sel")):totable())
  end)

  it("read a float dataset as index only when asked, and integers as index", function()
    h5.write(path, "whole", nn.tensor{2, 7})
    assert.same({2, 7}, h5.read(path, "whole"):totable())
    assert.equal("float32", h5.read(path, "whole"):type())
    assert.equal("index", h5.read(path, "ix", {as = "index"}):type())
  end)

  it("write non-contiguous views in their logical order", function()
    local t = nn.tensor{{1, 2, 3}, {4, 5, 6}}
    h5.write(path, "xt", t:t())
    assert.same({{1, 4}, {2, 5}, {3, 6}}, h5.read(path, "xt"):totable())
  end)

  it("create groups for nested names and replace datasets", function()
    h5.write(path, "model/layer1/weight", nn.ones(3, 2))
    h5.write(path, "/model/layer1/bias", nn.zeros(2))
    assert.same({3, 2}, h5.read(path, "model/layer1/weight"):size())
    h5.write(path, "model/layer1/weight", nn.full(2, 4))
    assert.same({2, 2, 2, 2}, h5.read(path, "model/layer1/weight"):totable())
  end)

  it("compress with gzip", function()
    nn.seed(1)
    local big = nn.randn(500, 300)
    h5.write(path, "big", big, {compress = 6})
    local r = h5.read(path, "big")
    assert.equal(0, (r - big):abs():max())
  end)

  it("round-trip tables of strings, fixed and variable length", function()
    local words = {".", "it", "", "a b", ("x"):rep(300), "\xc3\xa9t\xc3\xa9"}
    h5.write(path, "words", words)
    assert.same(words, h5.read(path, "words"))
    h5.write(path, "short", {"a", "bb"}, {compress = 9})
    assert.same({"a", "bb"}, h5.read(path, "short"))
    h5.write(path, "none", {})
    assert.same({}, h5.read(path, "none"))
  end)

  it("read scalars as 0-dim tensors", function()
    local s = nn.tensor{3.5}:view()
    h5.write(path, "scalar", s)
    local r = h5.read(path, "scalar")
    assert.equal(0, r:dim())
    assert.equal(3.5, r:item())
  end)
end)

describe("h5.list, h5.load, h5.exists", function()
  it("list every dataset, sorted, with shapes and types", function()
    local l = h5.list(path)
    local names = {}
    for i, d in ipairs(l) do names[i] = d.name end
    assert.same({"big", "ix", "model/layer1/bias", "model/layer1/weight", "none", "scalar",
                 "sel", "short", "whole", "words", "x", "xt"}, names)
    assert.same({name = "x", shape = {2, 3}, type = "float32"},
                {name = l[11].name, shape = l[11].shape, type = l[11].type})
    assert.equal("int32", l[2].type)
    assert.equal("string", l[10].type)
    assert.same({}, l[6].shape)
  end)

  it("print readably", function()
    local l = h5.list("data/data2.h5")
    assert.equal("trainx  int32  372550x3", tostring(l[4]))
    local s = tostring(l)
    assert.truthy(s:find("^7 datasets\n"))
    assert.truthy(s:find("\n  trainx  int32   372550x3\n", 1, true))
    assert.truthy(s:find("\n  words   string  250$"))
    assert.equal("1 dataset\n  x     float32  scalar",
                 tostring(setmetatable({{name = "x", type = "float32", shape = {}}},
                                       getmetatable(l))))
  end)

  it("load every dataset into a table", function()
    local d = h5.load(path)
    assert.same({"a", "bb"}, d.short)
    assert.same({{1, 2}, {3, 250}}, d.ix:totable())
    assert.equal("index", d.ix:type())
    assert.same({2, 3}, d["x"]:size())
    assert.equal("float32", h5.load(path, {as = "float"}).ix:type())
  end)

  it("tell whether a dataset exists", function()
    assert.is_true(h5.exists(path, "model/layer1/bias"))
    assert.is_true(h5.exists(path, "/x"))
    assert.is_false(h5.exists(path, "model/layer1"))
    assert.is_false(h5.exists(path, "nothere"))
  end)
end)

describe("h5.attrs and h5.setattr", function()
  it("set and read back numbers, strings, booleans and arrays", function()
    local long = ("0123456789"):rep(20000) -- 200 KB, beyond compact storage
    h5.setattr(path, nil, "epoch", 12)
    h5.setattr(path, "/", "lr", 0.05)
    h5.setattr(path, nil, "name", "run 1")
    h5.setattr(path, nil, "model", long)
    h5.setattr(path, nil, "done", true)
    h5.setattr(path, nil, "sizes", {768, 105})
    h5.setattr(path, nil, "rates", {0.5, 1, 2})
    h5.setattr(path, nil, "names", {"a", "b"})
    h5.setattr(path, nil, "mask", {true, false})
    h5.setattr(path, nil, "empty", {})
    h5.setattr(path, nil, "epoch", 13) -- replaces
    local a = h5.attrs(path)
    assert.equal(13, a.epoch)
    assert.equal("integer", math.type(a.epoch))
    assert.equal(0.05, a.lr)
    assert.equal("run 1", a.name)
    assert.equal(long, a.model)
    assert.is_true(a.done)
    assert.same({768, 105}, a.sizes)
    assert.equal("integer", math.type(a.sizes[1]))
    assert.same({0.5, 1, 2}, a.rates)
    assert.equal("float", math.type(a.rates[2]))
    assert.same({"a", "b"}, a.names)
    assert.same({true, false}, a.mask)
    assert.same({}, a.empty)
  end)

  it("work on groups and datasets", function()
    h5.setattr(path, "model/layer1/weight", "init", "xavier")
    h5.setattr(path, "model", "kind", "mlp")
    assert.same({init = "xavier"}, h5.attrs(path, "model/layer1/weight"))
    assert.same({kind = "mlp"}, h5.attrs(path, "/model"))
    assert.same({}, h5.attrs(path, "x"))
  end)

  it("read the data files' attributes", function()
    local a = h5.attrs("data/data2.h5")
    assert.equal(0, a.seed)
    assert.equal(250, #a.word_counts)
    assert.equal(80974, a.word_counts[1])
    assert.truthy(a.description:find("^4%-grams from Hinton"))
    local a1 = h5.attrs("data/data1.h5")
    assert.equal(768, #a1.xMean)
    assert.truthy(close(a1.pca_variance_retained, 0.9882935754543343))
  end)
end)

describe("h5 errors", function()
  it("name the file and the dataset when reading", function()
    failure(function() h5.read("data/nothere.h5", "x") end,
      "h5.read: cannot open data/nothere.h5: No such file or directory")
    failure(function() h5.read("data/data2.h5", "foo") end,
      "h5.read: no dataset 'foo' in data/data2.h5 (datasets: testd, testx, traind, trainx, vald, valx, words)")
    failure(function() h5.read(path, "model/nothere/w") end,
      "h5.read: no dataset 'model/nothere/w' in " .. path .. " (datasets: big, ix,")
    failure(function() h5.read(path, "model/layer1") end,
      "h5.read: 'model/layer1' in " .. path .. " is a group, not a dataset")
    failure(function() h5.read("data/README.md", "x") end,
      "h5.read: data/README.md is not an HDF5 file")
    failure(function() h5.read(tmp, "x") end, "h5.read: " .. tmp .. " is not an HDF5 file")
    failure(function() h5.read("data", "x") end, "h5.read: cannot open data: is a directory")
    failure(function() h5.read(trunc, "trainx") end,
      "h5.read: cannot open " .. trunc .. " (corrupt or truncated HDF5 file?): truncated file: eof = 65536")
    failure(function() h5.read(path, "") end, "h5.read: empty dataset name for " .. path)
  end)

  it("refuse wrong types and options when reading", function()
    failure(function() h5.read("data/data4.h5", "trainlbls", {as = "index"}) end,
      "h5.read: dataset 'trainlbls' in data/data4.h5 (uint8) holds 0 at flat position 1: not a 1-based index")
    failure(function() h5.read("data/data1.h5", "xForm", {as = "index"}) end,
      "h5.read: dataset 'xForm' in data/data1.h5 is float32: only integer datasets can be read as an index tensor")
    failure(function() h5.read("data/data2.h5", "words", {as = "float"}) end,
      "h5.read: dataset 'words' in data/data2.h5 holds strings; option as applies to numeric datasets")
    failure(function() h5.read(path, "x", {as = "int"}) end,
      "h5.read: option as must be \"index\" or \"float\", got int")
    failure(function() h5.read(path, "x", {type = "index"}) end, "h5.read: unknown option 'type'")
    failure(function() h5.read(path, "x", "index") end,
      "h5.read: argument #3: expected an options table, got string")
    failure(function() h5.read(nil, "x") end,
      "h5.read: argument #1: expected a file name (a string), got nil")
    failure(function() h5.read(path, 3) end,
      "h5.read: argument #2: expected a dataset name (a string), got number")
  end)

  it("refuse bad writes", function()
    failure(function() h5.write(path, "y", 5) end,
      "h5.write: argument #3: expected a tensor or a table of strings, got number")
    failure(function() h5.write(path, "y", {1, 2}) end,
      "h5.write: argument #3: element 1 is a number, not a string (write numbers as a tensor: nn.tensor{...})")
    failure(function() h5.write(path, "y", {lr = "0.1"}) end,
      "h5.write: argument #3: expected an array of strings, found key lr")
    failure(function() h5.write(path, "y", {"a", true}) end,
      "h5.write: argument #3: element 2 is a boolean, not a string")
    failure(function() h5.write(path, "y", nn.ones(2), {compress = 10}) end,
      "h5.write: option compress must be a gzip level 0..9, got 10")
    failure(function() h5.write(path, "y", nn.ones(2), {compress = "max"}) end,
      "h5.write: option compress must be a gzip level 0..9, got max")
    failure(function() h5.write(path, "y", nn.ones(2), {level = 3}) end,
      "h5.write: unknown option 'level'")
    failure(function() h5.write(path, "x/y", nn.ones(2)) end,
      "h5.write: cannot write 'x/y' in " .. path .. ": 'x' is not a group")
    failure(function() h5.write(path, "model", nn.ones(2)) end,
      "h5.write: cannot write 'model' in " .. path .. ": it exists and is not a dataset")
    failure(function() h5.write("data/README.md", "y", nn.ones(2)) end,
      "h5.write: data/README.md is not an HDF5 file")
    -- Missing directories are created, as for every file nnsh writes.
    h5.write(tmp .. "_dir/sub/f.h5", "y", nn.ones(2))
    assert.is_true(h5.exists(tmp .. "_dir/sub/f.h5", "y"))
    os.execute("rm -rf '" .. tmp .. "_dir'")
    failure(function() h5.write(path, "/", nn.ones(2)) end, "h5.write: empty dataset name for")
    -- Nothing was half-written.
    assert.is_false(h5.exists(path, "y"))
  end)

  it("refuse bad listings and attribute calls", function()
    failure(function() h5.list("data/nothere.h5") end,
      "h5.list: cannot open data/nothere.h5: No such file or directory")
    failure(function() h5.list(42) end, "h5.list: argument #1: expected a file name (a string), got number")
    failure(function() h5.load("data/README.md") end, "h5.load: data/README.md is not an HDF5 file")
    failure(function() h5.exists("data/nothere.h5", "x") end, "h5.exists: cannot open data/nothere.h5")
    failure(function() h5.exists(path) end,
      "h5.exists: argument #2: expected a dataset name (a string), got nil")
    failure(function() h5.attrs(path, "nothere") end,
      "h5.attrs: no object 'nothere' in " .. path)
    failure(function() h5.attrs("data/nothere.h5") end, "h5.attrs: cannot open data/nothere.h5")
    failure(function() h5.attrs(path, 5) end,
      "h5.attrs: argument #2: expected an object name (a string), got number")
    failure(function() h5.setattr(tmp .. "_missing.h5", nil, "k", 1) end,
      "h5.setattr: cannot open " .. tmp .. "_missing.h5: No such file or directory")
    failure(function() h5.setattr(path, "nothere", "k", 1) end,
      "h5.setattr: no object 'nothere' in " .. path)
    failure(function() h5.setattr(path, nil, "k") end, "h5.setattr: argument #4: expected a value, got nil")
    failure(function() h5.setattr(path, nil, "", 1) end, "h5.setattr: empty attribute name for")
    failure(function() h5.setattr(path, nil, nil, 1) end,
      "h5.setattr: argument #3: expected an attribute name (a string), got nil")
    failure(function() h5.setattr(path, nil, "k", {lr = 0.1}) end,
      "h5.setattr: argument #4: a table value must be an array (keys 1..n), found key lr (encode tables with json.encode)")
    failure(function() h5.setattr(path, nil, "k", {1, "a"}) end,
      "h5.setattr: argument #4: element 2 is a string, element 1 a number (arrays hold one type)")
    failure(function() h5.setattr(path, nil, "k", {{1}}) end,
      "h5.setattr: argument #4: array elements must be numbers, strings or booleans, got table")
    failure(function() h5.setattr(path, nil, "k", print) end,
      "h5.setattr: argument #4: expected a number, string, boolean or array, got function")
    failure(function() h5.setattr(path, nil, "k", "a\0b") end,
      "h5.setattr: argument #4: string 1 contains a NUL byte")
    local old = h5.read("data/data2.h5", "testd")
    assert.equal(46568, old:size(1))
  end)
end)

describe("h5 on the types h5py writes (tests/fixtures/h5py_types.h5)", function()
  local fx = "tests/fixtures/h5py_types.h5"

  it("lists them", function()
    local got = {}
    for _, d in ipairs(h5.list(fx)) do
      got[#got + 1] = d.name .. " " .. d.type .. " " .. table.concat(d.shape, "x")
    end
    assert.same({"bools bool 2", "comp compound 3", "f16 float16 2", "f64 float64 2x2",
                 "f64huge float64 1", "g/h/x float32 2x3", "i16 int16 3", "i64 int64 3",
                 "i64big int64 2", "i8 int8 2", "sstr string ", "str2d string 2x2",
                 "u32 uint32 2", "vstr string 3"}, got)
  end)

  it("converts numbers by the documented rules", function()
    local f64 = h5.read(fx, "f64")
    assert.equal("float32", f64:type())
    assert.same({{1.5, 2.25}, {3, 4}}, f64:totable())
    assert.same({0.5, -2}, h5.read(fx, "f16"):totable())
    local i64 = h5.read(fx, "i64")
    assert.equal("index", i64:type())
    assert.same({1, 2, 3}, i64:totable())
    assert.equal("float32", h5.read(fx, "i16"):type())
    assert.same({-3, 0, 7}, h5.read(fx, "i16"):totable())
    assert.same({-128, 127}, h5.read(fx, "i8"):totable())
    assert.same({1, 4000000000}, h5.read(fx, "u32", {as = "float"}):totable())
    assert.same({1, 2 ^ 40}, h5.read(fx, "i64big", {as = "float"}):totable())
    assert.same({{0, 1, 2}, {3, 4, 5}}, h5.read(fx, "g/h/x"):totable())
  end)

  it("reads fixed, variable-length, 2-d and scalar strings", function()
    assert.same({"alpha", "b\xc3\xa9ta", ""}, h5.read(fx, "vstr"))
    assert.same({"a", "b", "c", "dd"}, h5.read(fx, "str2d"))
    assert.equal("scalar string", h5.read(fx, "sstr"))
  end)

  it("refuses values out of range and unsupported types", function()
    failure(function() h5.read(fx, "i64big") end,
      "h5.read: dataset 'i64big' in " .. fx .. " (int64) holds a value out of the range of int32")
    failure(function() h5.read(fx, "u32") end,
      "h5.read: dataset 'u32' in " .. fx .. " (uint32) holds a value out of the range of int32")
    failure(function() h5.read(fx, "f64huge") end,
      "h5.read: dataset 'f64huge' in " .. fx .. " (float64) holds a value out of the range of float32")
    failure(function() h5.read(fx, "comp") end,
      "h5.read: dataset 'comp' in " .. fx .. " has unsupported type compound")
    failure(function() h5.read(fx, "bools") end,
      "h5.read: dataset 'bools' in " .. fx .. " has unsupported type bool")
    failure(function() h5.read(fx, "i16", {as = "index"}) end,
      "h5.read: dataset 'i16' in " .. fx .. " (int16) holds -3 at flat position 1: not a 1-based index")
    failure(function() h5.load(fx) end,
      "h5.load: dataset 'f64huge' in " .. fx .. " (float64) holds a value out of the range of float32")
  end)

  it("reads its attributes", function()
    local a = h5.attrs(fx)
    assert.equal("fixed", a.bytes)
    assert.same({-1, 2}, a.i8arr)
    assert.equal("integer", math.type(a.i8arr[1]))
    assert.equal(2 ^ 63 + 5, a.u64) -- uint64 comes back as a float
    assert.equal("(unreadable compound attribute)", a.comp)
    assert.same({"x", "yz"}, a.vstrs)
    assert.is_true(a.flag)
    assert.equal(0.25, a.f32)
    assert.same({note = "group attribute"}, h5.attrs(fx, "g"))
  end)
end)

describe("h5 docs", function()
  it("document every function with an example", function()
    for _, name in ipairs {"list", "read", "write", "attrs", "setattr", "load", "exists"} do
      local d = nn.doc(h5[name])
      assert.truthy(d and d:find("^h5%." .. name .. "%("), "no doc for h5." .. name)
      assert.truthy(d:find("Example:"), "no example for h5." .. name)
    end
  end)
end)
