-- Q5 fully connected nets (lua/experiments/q5fc.lua, scripts/q5_fcnet.lua):
-- the layers each option builds, the weight scale, the update rules, and a
-- short run of each comparison writing its figure, table and JSON.
local nn = require "nn"
local json = require "json"
local q5fc = require "q5fc"

local function types(model)
  local t = {}
  for i, m in ipairs(model.modules) do t[i] = m.__typename end
  return t
end

describe("q5fc.build", function()
  it("stacks Linear [- norm] - ReLU [- Dropout] per hidden layer, then Linear", function()
    assert.same({"Linear", "ReLU", "Linear"}, types(q5fc.build{hidden = {5}}))
    assert.same({"Linear", "BatchNorm", "ReLU", "Linear", "BatchNorm", "ReLU", "Linear"},
      types(q5fc.build{hidden = {5, 6}, norm = "batch"}))
    assert.same({"Linear", "LayerNorm", "ReLU", "Dropout", "Linear"},
      types(q5fc.build{hidden = {5}, norm = "layer", dropout = 0.5}))
    local m = q5fc.build{hidden = {5, 6}}
    assert.same({2, 10}, m:forward(nn.zeros(2, 784)):size())
    assert.error_matches(function() q5fc.build{norm = "group"} end, "norm must be none, batch or layer")
  end)
  it("draws weights N(0, s^2) with weight_scale, the same for the same seed", function()
    nn.seed(4)
    local a = q5fc.build{hidden = {200}, weight_scale = 0.1}
    nn.seed(4)
    local b = q5fc.build{hidden = {200}, weight_scale = 0.1}
    local w = a.modules[1].weight
    assert.near(0.1, w:std(), 0.002) -- 156,800 draws: the std is within 1%
    assert.near(0, w:mean(), 0.002)
    assert.is_true(nn.allclose(w, b.modules[1].weight, 0, 0))
  end)
  it("makes the four update rules", function()
    assert.equal(0.9, q5fc.optimizer("momentum").momentum)
    assert.equal(1e-3, q5fc.optimizer("adam").lr)
    assert.equal(0.5, q5fc.optimizer("rmsprop", 0.5).lr)
    assert.error_matches(function() q5fc.optimizer("lbfgs") end, "must be sgd, momentum, rmsprop or adam")
  end)
end)

describe("scripts/q5_fcnet.lua", function()
  local nnsh = (os.getenv("NNSH_BUILD") or "build") .. "/nnsh"
  local dir = os.tmpname()
  os.remove(dir)
  teardown(function() os.execute(("rm -rf %q"):format(dir)) end)
  local function run(args)
    local p = io.popen(("%q scripts/q5_fcnet.lua --quiet --n-train 300 --n-val 200 --epochs 2 "
      .. "--n-test 500 --hidden 20,20 --out %q %s 2>&1"):format(nnsh, dir, args))
    local text = p:read("a")
    return p:close(), text
  end
  local function png(name)
    local f = io.open(dir .. "/" .. name, "rb")
    local head = f and f:read(4)
    if f then f:close() end
    return head == "\137PNG"
  end

  it("compares the update rules from the same start", function()
    local js = dir .. "/optim.json"
    local ok, text = run("--compare optim --json " .. js)
    assert.is_true(ok, text)
    assert.is_true(png("q5_optim.png"))
    local doc = json.decode(assert(io.open(js)):read("a"))
    local names = {}
    for i, r in ipairs(doc.table) do
      names[i] = r.name
      assert.is_true(r.test_acc > 0.1 and r.test_acc <= 1, r.name)
      assert.equal(2, #doc.runs[i].history.val_acc)
    end
    assert.same({"sgd", "momentum", "rmsprop", "adam"}, names)
  end)

  it("runs the batch norm and the dropout comparisons", function()
    local ok, text = run("--compare batchnorm --scales 0.01,1 --json " .. dir .. "/bn.json")
    assert.is_true(ok, text)
    assert.is_true(png("q5_batchnorm.png"))
    local doc = json.decode(assert(io.open(dir .. "/bn.json")):read("a"))
    assert.equal(4, #doc.runs)
    assert.equal("batch", doc.runs[2].norm)
    assert.equal(1, doc.runs[4].weight_scale)
    ok, text = run("--compare dropout --ps 0,0.5")
    assert.is_true(ok, text)
    assert.truthy(text:find("dropout 0.5", 1, true), text)
    assert.is_true(png("q5_dropout.png"))
  end)

  it("refuses to overwrite and rejects bad options", function()
    local ok, text = run("--compare dropout --ps 0,0.5")
    assert.is_falsy(ok)
    assert.truthy(text:find("exists (--force", 1, true), text)
    ok, text = run("--compare nope")
    assert.is_falsy(ok)
    assert.truthy(text:find("--compare must be none, optim, batchnorm or dropout", 1, true), text)
    ok, text = run("--hidden 10,x")
    assert.is_falsy(ok)
    assert.truthy(text:find("--hidden expects numbers", 1, true), text)
  end)
end)
