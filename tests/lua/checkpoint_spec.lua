-- nn.save / nn.load: round trips give identical outputs, the structure is
-- rebuilt from the file alone, mismatches and damaged files raise clear
-- errors, and a failed save keeps the previous checkpoint.
local nn = require "nn"
local optim = require "optim"
local h5 = require "h5"

local dir = os.tmpname()
os.remove(dir)
os.execute("mkdir -p '" .. dir .. "'")
local function path(name) return dir .. "/" .. name end

local function model()
  return nn.Sequential{nn.Embedding(20, 4), nn.View(-1, 12), nn.Linear(12, 8), nn.BatchNorm(8),
                       nn.Sigmoid(), nn.Dropout(0.2), nn.Linear(8, 5, {bias = false}),
                       nn.LeakyReLU(0.05), nn.LayerNorm(5)}
end

describe("nn.save and nn.load", function()
  it("round-trip a model: same structure, same outputs", function()
    nn.seed(1)
    local m = model()
    -- give BatchNorm non-trivial running statistics
    for _ = 1, 3 do m:forward(nn.index{{1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {1, 20, 3}}) end
    m:evaluate()
    local x = nn.index{{3, 1, 2}, {20, 19, 18}}
    local y = m:forward(x):clone()
    nn.save(path("m.h5"), m)
    local m2 = nn.load(path("m.h5"))
    assert.equal(tostring(m), tostring(m2))
    assert.is_false(m2.train)
    assert.is_true(nn.allclose(m2:forward(x), y, 0, 0))
    assert.is_true(nn.allclose(m2.modules[4].running_var, m.modules[4].running_var, 0, 0))
    -- one dataset per parameter and buffer
    assert.is_true(h5.exists(path("m.h5"), "model/params/3.weight"))
    assert.is_true(h5.exists(path("m.h5"), "model/buffers/4.running_mean"))
    assert.equal("model", h5.attrs(path("m.h5")).nnsh_kind)
  end)

  it("loads weights into an existing model", function()
    nn.seed(2)
    local a, b = model(), model()
    nn.save(path("a.h5"), a)
    nn.load(path("a.h5"), b)
    local pa, pb = a:parameters(), b:parameters()
    for i = 1, #pa do assert.is_true(nn.allclose(pa[i], pb[i], 0, 0)) end
  end)

  it("round-trips a table with an optimizer to resume training", function()
    nn.seed(3)
    local m = nn.Sequential{nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)}
    local opt = optim.adam{lr = 0.01}
    local x, y = nn.randn(8, 3), nn.index{1, 2, 1, 2, 1, 2, 1, 2}
    local crit = nn.CrossEntropyLoss()
    local function train_step(model, o)
      model:zero_grad()
      local out = model:forward(x)
      crit:forward(out, y)
      model:backward(x, crit:backward(out, y))
      o:step(model:parameters())
    end
    train_step(m, opt)
    nn.save(path("c.h5"), {model = m, optimizer = opt, epoch = 7, note = "run A",
                           history = {1.5, 1.25}, mean = nn.tensor{1, 2}})
    local c = nn.load(path("c.h5"))
    assert.equal(7, c.epoch)
    assert.equal("run A", c.note)
    assert.same({1.5, 1.25}, c.history)
    assert.same({1, 2}, c.mean:totable())
    assert.equal("adam", c.optimizer.name)
    -- one more step on both gives the same weights
    train_step(m, opt)
    c.model:training()
    train_step(c.model, c.optimizer)
    local p1, p2 = m:parameters(), c.model:parameters()
    for i = 1, #p1 do assert.is_true(nn.allclose(p1[i], p2[i], 1e-6, 1e-7)) end
  end)

  it("raises clear errors for files that do not match", function()
    nn.seed(4)
    nn.save(path("s.h5"), nn.Sequential{nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)})
    assert.error_matches(function() nn.load(path("s.h5"), nn.Sequential{nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2)}) end,
      "parameter '1.weight' has shape 3x4 in the file, the model expects 3x5", 1, true)
    assert.error_matches(function() nn.load(path("s.h5"), nn.Sequential{nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Linear(2, 2)}) end,
      "parameter '4.weight' is missing from the file", 1, true)
    assert.error_matches(function() nn.load(path("s.h5"), nn.Sequential{nn.Linear(3, 4), nn.Linear(4, 2)}) end,
      "parameter '2.weight' is missing from the file", 1, true)
    assert.error_matches(function() nn.load(path("s.h5"), nn.Sequential{nn.Linear(3, 4), nn.Tanh()}) end,
      "the file has model/params/3.bias, model/params/3.weight, which the model does not", 1, true)
    assert.error_matches(function() nn.load(path("nothing.h5")) end, "nn.load: no such file: ", 1, true)
    h5.write(path("plain.h5"), "x", nn.ones(2))
    assert.error_matches(function() nn.load(path("plain.h5")) end,
      "is not an nnsh checkpoint (no nnsh_format attribute; write one with nn.save)", 1, true)
    local f = io.open(path("text.h5"), "w")
    f:write("not hdf5 at all\n")
    f:close()
    assert.error_matches(function() nn.load(path("text.h5")) end, "is not a readable HDF5 file", 1, true)
  end)

  it("gives an error, not a crash, for a truncated checkpoint", function()
    nn.seed(5)
    nn.save(path("t.h5"), nn.Sequential{nn.Linear(50, 40), nn.Tanh(), nn.Linear(40, 10)})
    local f = io.open(path("t.h5"), "rb")
    local bytes = f:read("a")
    f:close()
    for _, frac in ipairs{0.9, 0.5, 0.1} do
      local g = io.open(path("t_cut.h5"), "wb")
      g:write(bytes:sub(1, math.floor(#bytes * frac)))
      g:close()
      local ok, err = pcall(nn.load, path("t_cut.h5"))
      assert.is_false(ok)
      assert.truthy(tostring(err):find("nn.load: ", 1, true), err)
    end
  end)

  it("keeps the previous checkpoint when a save fails", function()
    local p = path("keep.h5")
    nn.save(p, nn.Linear(2, 2))
    local before = h5.list(p)
    assert.error_matches(function() nn.save(p, {model = nn.Linear(2, 2), f = print}) end,
      "cannot save field 'f' (a function)", 1, true)
    assert.same(#before, #h5.list(p))
    assert.is_nil(io.open(p .. ".tmp", "rb"))
    assert.error_matches(function() nn.save(p, 5) end, "nn.save: argument #2: expected a module or a table, got number")
  end)

  it("names an unknown module type", function()
    local Custom = nn.class("TestCkptCustom")
    function Custom:__init() nn.Module.__init(self) end
    nn.save(path("u.h5"), nn.Sequential{nn.TestCkptCustom()})
    nn.TestCkptCustom = nil
    assert.error_matches(function() nn.load(path("u.h5")) end,
      "unknown module type 'TestCkptCustom' (is the code that defines it loaded?)", 1, true)
    nn.TestCkptCustom = Custom
  end)
end)

describe("nn.metrics", function()
  it("computes accuracy, the confusion matrix and per-class precision/recall", function()
    local scores = nn.tensor{{0.9, 0.1, 0}, {0.2, 0.7, 0.1}, {0.1, 0.2, 0.7}, {0.8, 0.1, 0.1}, {0.3, 0.4, 0.3}}
    local y = nn.index{1, 2, 3, 2, 3}
    assert.equal(0.6, nn.metrics.accuracy(scores, y))
    local cm = nn.metrics.confusion(scores, y)
    assert.same({{1, 0, 0}, {1, 1, 0}, {0, 1, 1}}, cm:totable())
    assert.same(cm:totable(), nn.metrics.confusion(nn.index{1, 2, 3, 1, 2}, y, 3):totable())
    local pr = nn.metrics.precision_recall(cm)
    assert.same({0.5, 0.5, 1}, pr.precision)
    assert.same({1, 0.5, 0.5}, pr.recall)
    assert.same({1, 2, 2}, pr.support)
    assert.equal(0.6, pr.accuracy)
    local rep = nn.metrics.report(cm, {"walk", "sit", "stand"})
    assert.truthy(rep:find("walk       0.500   1.000  0.667        1", 1, true), rep)
    assert.error_matches(function() nn.metrics.accuracy(scores, nn.index{1}) end,
      "nn.metrics.accuracy: 5 predictions for 1 labels")
  end)
end)
