-- Q5 ConvNet: the model builder and sanity checks of
-- lua/experiments/convnet.lua on small synthetic problems, and a short run of
-- scripts/q5_convnet.lua end to end (a few hundred Fashion-MNIST images,
-- two epochs: seconds) including its refusal to overwrite outputs.
local nn = require "nn"
local convnet = require "convnet"
local json = require "json"

local root = (debug.getinfo(1, "S").source:match("^@(.*)/tests/lua/[^/]*$")) or "."
local nnsh = (os.getenv("NNSH_BUILD") or "build") .. "/nnsh"

describe("convnet.build", function()
  it("is the course's three-layer ConvNet, with optional normalization", function()
    local m = convnet.build{filters = 4, kernel = 3, hidden = 8, input = {1, 6, 6}}
    local kinds = {}
    for i, l in ipairs(m.modules) do kinds[i] = l.__typename end
    assert.same({"Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU", "Linear"}, kinds)
    assert.same({5, 10}, m:forward(nn.randn(5, 1, 6, 6)):size())
    assert.equal("BatchNorm2d", convnet.build{norm = "batch"}.modules[2].__typename)
    assert.equal("GroupNorm", convnet.build{norm = "group", groups = 4}.modules[2].__typename)
    assert.error_matches(function() convnet.build{norm = "layer"} end,
      "convnet.build: norm must be none, batch or group, got 'layer'")
    assert.error_matches(function() convnet.build{kernel = 4} end, "the kernel size must be odd")
    assert.error_matches(function() convnet.optimizer("lbfgs") end,
      "optimizer must be sgd, momentum, rmsprop or adam, got 'lbfgs'")
  end)

  it("starts near log(10) and overfits a few images", function()
    nn.seed(3)
    local x = nn.rand(40, 1, 8, 8)
    local t = {}
    for i = 1, 40 do t[i] = (i % 10) + 1 end
    local y = nn.index(t)
    local arch = {filters = 4, kernel = 3, hidden = 16, input = {1, 8, 8}}
    local l0 = convnet.initial_loss(convnet.build(arch), x, y)
    assert.is_true(math.abs(l0 - math.log(10)) < 0.3, tostring(l0))
    nn.seed(3)
    local epochs, acc = convnet.overfit(convnet.build(arch), x, y,
      {optimizer = "adam", lr = 1e-2, max_epochs = 60, seed = 3, batch = 10})
    assert.equal(1, acc)
    assert.is_true(epochs < 60)
  end)

  it("prints a confusion matrix with class names and recall", function()
    local s = convnet.format_confusion({{3, 1}, {0, 2}}, {"Sneaker", "Ankle boot"})
    assert.truthy(s:find("Sneaker", 1, true))
    assert.truthy(s:find("0.750", 1, true))
    assert.truthy(s:find("1.000", 1, true))
  end)
end)

describe("scripts/q5_convnet.lua", function()
  local dir = os.tmpname()
  os.remove(dir)

  local function run(extra)
    local p = io.popen(("%q %s/scripts/q5_convnet.lua --n-train 400 --val 100 --epochs 2 "
      .. "--lr 0.005 --filters 4 --hidden 16 --out %q %s 2>&1"):format(nnsh, root, dir, extra or ""))
    local text = p:read("a")
    return p:close(), text
  end

  it("runs the sanity checks and a short training, writes its files and JSON", function()
    local out = os.tmpname()
    local ok, text = run("--json " .. out)
    assert.is_true(ok, text)
    assert.truthy(text:find("sanity 1: initial loss", 1, true))
    assert.truthy(text:find("sanity 2: 100 training images", 1, true))
    assert.truthy(text:find("Ankle boot", 1, true))
    for _, f in ipairs{"model.h5", "curves.png", "confusion.png", "filters.png"} do
      assert.is_truthy(io.open(dir .. "/" .. f), f)
    end
    local f = assert(io.open(out))
    local r = json.decode(f:read("a"))
    f:close()
    os.remove(out)
    -- chance is 0.1; two epochs on 300 images reach about 0.4
    assert.is_true(r.test_acc > 0.3 and r.test_acc <= 1, tostring(r.test_acc))
    assert.equal(2, r.epochs)
    assert.is_true(r.sec_per_epoch > 0)
    assert.equal(10, #r.confusion_test)
    local m = nn.load(dir .. "/model.h5")
    assert.equal("Conv2d", m.model.modules[1].__typename)
  end)

  it("refuses to overwrite its outputs unless asked", function()
    local ok, text = run("--no-sanity")
    assert.is_falsy(ok)
    assert.truthy(text:find("model.h5, " .. dir .. "/curves.png", 1, true), text)
    assert.truthy(text:find("exist (--force to overwrite", 1, true), text)
    ok, text = run("--no-sanity --force")
    assert.is_true(ok, text)
    os.execute("rm -rf '" .. dir .. "'")
  end)
end)
