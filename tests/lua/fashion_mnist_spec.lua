-- Fashion-MNIST through nn.read_idx and the fashion_mnist loader: shapes,
-- scaling, label order and class names against values computed
-- independently with Python's gzip module (byte sums, first labels, class
-- counts of the Debian package's files).  Skipped, with the reason printed,
-- where the package is not installed (scripts/install-deps installs it).
local nn = require "nn"
local fm = require "fashion_mnist"

local dir = os.getenv("NNSH_FASHION_MNIST") or fm.default_dir
local f = io.open(dir .. "/t10k-labels-idx1-ubyte.gz", "rb")
if f then f:close() end
local have = f ~= nil
if not have then
  print("fashion_mnist_spec: SKIPPED, no Fashion-MNIST files in " .. dir
        .. " (install dataset-fashion-mnist)")
end

describe("fashion_mnist", function()
  if not have then return end

  it("loads both parts with shapes, [0,1] pixels, classes 1..10", function()
    local d = fm.load{n_train = 10}
    assert.same({10, 1, 28, 28}, {d.train_x:size(1), d.train_x:size(2), d.train_x:size(3), d.train_x:size(4)})
    assert.equal(10000, d.test_x:size(1))
    assert.equal(10000, d.test_y:size(1))
    -- Byte sum of the test images: 573469082 (python: sum(gzip data[16:])).
    assert.is_true(math.abs(d.test_x:sum() * 255 - 573469082) < 573469082 * 1e-6)
    assert.equal(1, d.test_x:max())
    assert.equal(0, d.test_x:min())
    -- First labels 9 2 1 1 6 (test) and 9 0 0 3 0 (train) in the file's 0-based coding.
    local want_test, want_train = {9, 2, 1, 1, 6}, {9, 0, 0, 3, 0}
    for i = 1, 5 do
      assert.equal(want_test[i] + 1, d.test_y[i])
      assert.equal(want_train[i] + 1, d.train_y[i])
    end
    assert.equal("Ankle boot", d.classes[d.train_y[1]])
    assert.equal("T-shirt/top", d.classes[d.train_y[2]])
    -- The first training image's byte sum: 76247.
    assert.is_true(math.abs(d.train_x:select(1, 1):sum() * 255 - 76247) < 0.05)
  end)

  it("has 1000 test images of each class", function()
    local d = fm.load{n_train = 1}
    local counts = {}
    for i = 1, d.test_y:size(1) do
      local c = d.test_y[i]
      counts[c] = (counts[c] or 0) + 1
    end
    for c = 1, 10 do assert.equal(1000, counts[c]) end
  end)

  it("rejects bad options and a missing folder with clear errors", function()
    assert.has_error(function() fm.load{n_train = 0} end,
      "fashion_mnist.load: n_train must be a whole number from 1 to 60000, got 0")
    assert.has_error(function() fm.load{n_test = 2.5} end,
      "fashion_mnist.load: n_test must be a whole number from 1 to 10000, got 2.5")
    assert.has_error(function() fm.load{ntrain = 5} end,
      "fashion_mnist.load: unknown option ntrain (known: n_train, n_test, dir)")
    local ok, err = pcall(fm.load, {dir = "/nonexistent"})
    assert.is_false(ok)
    assert.truthy(err:find("train%-images%-idx3%-ubyte%(.gz%) not found in /nonexistent"))
  end)
end)

describe("nn.read_idx", function()
  it("names the file and the option in its errors", function()
    local ok, err = pcall(nn.read_idx, "/nonexistent/x.gz")
    assert.is_false(ok)
    assert.truthy(err:find("nn.read_idx: /nonexistent/x.gz: cannot open", 1, true))
    ok, err = pcall(nn.read_idx, "x", {as = "bytes"})
    assert.truthy(err:find('option as must be "float" or "index"', 1, true))
    ok, err = pcall(nn.read_idx, "x", {scale = 0/0})
    assert.truthy(err:find("option scale must be a finite number", 1, true))
    ok, err = pcall(nn.read_idx, "x", {clases = 3})
    assert.truthy(err:find("unknown option clases", 1, true))
  end)
end)
