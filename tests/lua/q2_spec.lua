-- Q2: the trigram model (gradients through the shared embedding, a short
-- training run, checkpoint round trip, live queries and their errors).
local nn = require "nn"
local optim = require "optim"
local tg = require "trigram"

local function tmpname(suffix)
  return os.tmpname() .. suffix
end

describe("trigram model", function()
  it("finds the data and the bundled model from its own location, whatever the directory", function()
    assert.are_not.equal(".", tg.root)
    assert.equal(tg.root .. "/data/data2.h5", tg.default_data)
    assert.equal(tg.root, require("q3").root)
  end)

  it("passes a gradient check of the whole model (every parameter)", function()
    nn.seed(1)
    local model = tg.build(12, 4, 6, 0.5)
    local x = nn.index{{1, 5, 7}, {3, 3, 12}, {2, 9, 4}}
    local report = nn.gradcheck(model, x)
    assert.is_true(report.ok, "max relative error " .. report.max_rel)
    for _, name in ipairs{"1.weight", "3.weight", "3.bias", "5.weight", "5.bias"} do
      assert.is_truthy(report[name], "parameter " .. name .. " was not checked")
    end
    local crit = nn.CrossEntropyLoss()
    local logits = model:forward(x):clone()
    local creport = nn.gradcheck(crit, {logits, nn.index{2, 7, 12}})
    assert.is_true(creport.ok, "cross-entropy max relative error " .. creport.max_rel)
  end)

  it("adds the embedding gradients of a word repeated in a context", function()
    nn.seed(2)
    local D = 3
    local model = tg.build(6, D, 5, 0.5)
    local x = nn.index{{4, 2, 4}}
    local out = model:forward(x)
    local g = nn.randn(1, 6)
    model:zero_grad()
    model:backward(x, g)
    local emb = model.modules[1]
    local dE = emb.gradWeight
    -- The gradient reaching the concatenated embedding, per position, is
    -- what the View hands back to the Embedding.
    local gcat = model.modules[2].gradInput:view(3, D)
    for d = 1, D do
      assert.is_true(math.abs(dE[4][d] - (gcat[1][d] + gcat[3][d])) < 1e-6)
      assert.is_true(math.abs(dE[2][d] - gcat[2][d]) < 1e-6)
      assert.equal(0, dE[1][d])
    end
    assert.is_truthy(out)
  end)

  it("learns: 2 epochs on 5,000 contexts bring validation CE below ln(250)", function()
    local data = tg.read_data()
    nn.seed(3)
    local model = tg.build(#data.words, 16, 64)
    local valx, vald = data.valx:narrow(1, 1, 5000), data.vald:narrow(1, 1, 5000)
    local hist = nn.fit{model = model, loss = nn.CrossEntropyLoss(),
                        optimizer = optim.sgd{lr = 0.15, momentum = 0.85},
                        x = data.trainx:narrow(1, 1, 5000), y = data.traind:narrow(1, 1, 5000),
                        val = {x = valx, y = vald}, batch = 200, epochs = 2, quiet = true}
    assert.equal(2, #hist.val_loss)
    assert.is_true(hist.val_loss[2] < math.log(250), "validation CE " .. hist.val_loss[2])
    local ce, acc = tg.evaluate(model, valx, vald, 1000)
    assert.is_true(math.abs(ce - hist.val_loss[hist.best_epoch]) < 1e-3)
    -- the kernel's count of correct rows is the argmax accuracy
    model:evaluate()
    local argmax_acc = nn.metrics.accuracy(model:forward(valx), vald)
    model:training()
    assert.is_true(math.abs(acc - argmax_acc) < 1e-12, acc .. " vs " .. argmax_acc)
    assert.equal(hist.val_acc[hist.best_epoch], acc)
  end)

  it("round-trips through a checkpoint with identical top-k", function()
    nn.seed(4)
    local words = {}
    for i = 1, 20 do words[i] = "w" .. i end
    local model = tg.build(20, 4, 8, 0.5)
    local path = tmpname(".h5")
    tg.save(path, model, words, {D = 4, P = 8})
    local m = tg.load(path)
    local direct = model:forward(nn.index{{3, 7, 20}}):softmax()
    local r = m:topk("w3 w7 w20", 5)
    local v, ix = direct:topk(5)
    for i = 1, 5 do
      assert.equal(words[ix[1][i]], r[i].word)
      assert.equal(v[1][i], r[i].p)
    end
    assert.equal(4, m.info.D)
    os.remove(path)
  end)
end)

describe("the bundled model", function()
  local m = tg.load()

  it("answers the course's example queries", function()
    local r = m:topk("what does new", 10)
    assert.equal(10, #r)
    assert.equal("york", r[1].word)
    assert.is_true(r[1].p > 0.5)
    local sum = 0
    for _, e in ipairs(r) do sum = sum + e.p end
    assert.is_true(sum <= 1 + 1e-5)
    assert.equal("are", m:topk("know who they", 1)[1].word)
    assert.equal("you", m:topk(", what do", 1)[1].word)
    assert.is_true(math.abs(m:prob("What does NEW", "york") - r[1].p) < 1e-6)
    assert.truthy(tostring(r):find("york", 1, true))
  end)

  it("gives embeddings and cosine neighbours", function()
    assert.same({32}, m:embedding("york"):size())
    local near = m:nearest("could", 5)
    assert.equal(5, #near)
    local set = {}
    for _, e in ipairs(near) do
      set[e.word] = true
      assert.is_true(e.similarity <= 1 + 1e-6)
    end
    assert.is_nil(set.could)
    assert.is_true(set.can or set.would or set.should)
  end)

  it("explains bad queries", function()
    assert.has_error(function() m:topk("what dose new") end,
      "unknown word 'dose' (not among the 250 words of the vocabulary); closest: does, case, come, do, down")
    assert.has_error(function() m:topk("what does") end, "a trigram needs three words, got 2: 'what does'")
    assert.has_error(function() m:topk("") end, "a trigram needs three words, got 0: ''")
    assert.has_error(function() m:topk(42) end, "a trigram is a string of three words, got number")
    assert.has_error(function() m:topk("what does new", 0) end, "k must be an integer in [1, 250], got 0")
    assert.has_error(function() m:prob("what does new", "yrok") end)
  end)

  -- m:topk of a tg.build-shaped model is one C call (nn.C.context_mlp_topk):
  -- it must rank exactly as the forward pass through the modules does.
  local function generic_topk(model, ids, k)
    local v, ix = model:forward(nn.index{ids}):softmax():topk(k)
    return v:totable()[1], ix:totable()[1]
  end

  it("answers queries in one C call exactly as the generic forward pass", function()
    nn.seed(11)
    local contexts = {{"what", "does", "new"}, {"know", "who", "they"}, {",", "what", "do"},
                      {"it", "'s", "a"}}
    for _ = 1, 40 do
      contexts[#contexts + 1] = {m.words[nn.randint(#m.words)], m.words[nn.randint(#m.words)],
                                 m.words[nn.randint(#m.words)]}
    end
    for _, c in ipairs(contexts) do
      local ids = {m.ids[c[1]], m.ids[c[2]], m.ids[c[3]]}
      for _, k in ipairs{1, 10, 250} do
        local r = m:topk(table.concat(c, " "), k)
        local v, ix = generic_topk(m.model, ids, k)
        assert.equal(k, #r)
        for i = 1, k do
          assert.equal(m.words[ix[i]], r[i].word, table.concat(c, " ") .. " rank " .. i)
          assert.is_true(math.abs(v[i] - r[i].p) <= 1e-7 * math.max(1, v[i]))
        end
      end
    end
  end)

  it("falls back to the forward pass for a model of another shape", function()
    nn.seed(12)
    local model = tg.build(#m.words, 8, 16)
    model.modules[4] = nn.Tanh() -- not the fused kernel's sigmoid
    local other = setmetatable({model = model, words = m.words, ids = m.ids}, getmetatable(m))
    local r = other:topk("what does new", 5)
    local v, ix = generic_topk(model, {m.ids.what, m.ids.does, m.ids.new}, 5)
    for i = 1, 5 do
      assert.equal(m.words[ix[i]], r[i].word)
      assert.equal(v[i], r[i].p)
    end
  end)

  it("nn.C.context_mlp_topk checks its arguments", function()
    local ms = m.model.modules
    local R, W1, b1, W2, b2 = ms[1].weight, ms[3].weight, ms[3].bias, ms[5].weight, ms[5].bias
    local p, ix, work = {}, {}, nn.zeros(0)
    assert.error_matches(function() nn.C.context_mlp_topk(p, ix, work, 3, R, W1, b1, W2, b2, 1, 2, 251) end,
      "word number 251 out of range %[1, 250%]")
    assert.error_matches(function() nn.C.context_mlp_topk(p, ix, work, 3, R, W1, b1, W2, b2, 1, 2) end,
      "W1 must be a matrix with 64 rows")
    assert.error_matches(function() nn.C.context_mlp_topk(p, ix, work, 0, R, W1, b1, W2, b2, 1, 2, 3) end,
      "k = 0 out of range")
    assert.error_matches(function() nn.C.context_mlp_topk(p, ix, work, 3, R, W1, b2, W2, b2, 1, 2, 3) end,
      "b1 must be a vector of 256")
    nn.C.context_mlp_topk(p, ix, work, 3, R, W1, nil, W2, nil, 1, 2, 3) -- biases are optional
    assert.equal(3, #p)
  end)

  it("tokenises plain lower-case words as the general rules do", function()
    for _, text in ipairs{"what does new", "  a\tb  c ", "mr new york", "", "ab cd"} do
      -- upper case takes the general path (it lower-cases first)
      assert.same(tg.tokenize(text:upper(), m.ids), tg.tokenize(text, m.ids))
    end
    assert.same({"what", "does", "new"}, tg.tokenize("what does new"))
    assert.same({"do", "nt", "know", "."}, tg.tokenize("don't know."))
  end)

  it("says how to train when the model file is missing", function()
    assert.error_matches(function() tg.load("/nonexistent/q2.h5") end,
      "no trained model at /nonexistent/q2.h5; train one with")
  end)
end)

describe("scripts/q2_topk.lua", function()
  local nnsh = (os.getenv("NNSH_BUILD") or "build") .. "/nnsh"
  local json = require "json"

  it("prints samples and queries and writes JSON", function()
    local out = os.tmpname()
    local p = io.popen(("%q %s/scripts/q2_topk.lua --samples 2 --k 3 --seed 7 --json %q 'what does new' 2>&1")
      :format(nnsh, tg.root, out))
    local text = p:read("a")
    local ok = p:close()
    assert.is_true(ok, text)
    assert.truthy(text:find("true next word", 1, true))
    local f = assert(io.open(out))
    local doc = json.decode(f:read("a"))
    f:close()
    os.remove(out)
    assert.equal(3, #doc.queries)
    assert.equal("what does new", doc.queries[3].context)
    assert.equal("york", doc.queries[3].ranked[1].word)
    assert.equal(3, #doc.queries[1].ranked)
    assert.is_truthy(doc.queries[1].truth)
  end)

  it("shows only the queries given, and 5 random test trigrams when there are none", function()
    local function run(args)
      local p = io.popen(("%q %s/scripts/q2_topk.lua %s 2>&1"):format(nnsh, tg.root, args))
      local text = p:read("a")
      assert.is_true(p:close(), text)
      local _, n = text:gsub("  %->\n", "")
      return text, n
    end
    local text, n = run("'what does new' 'know who they'")
    assert.is_nil(text:find("random test trigrams", 1, true))
    assert.equal(2, n)
    text, n = run("")
    assert.truthy(text:find("5 random test trigrams (seed 1)", 1, true))
    assert.equal(5, n)
    text, n = run("--samples 0")
    assert.equal(0, n)
  end)

  it("fails with the reason on a bad query", function()
    local p = io.popen(("%q %s/scripts/q2_topk.lua --samples 0 'new yorkk city' 2>&1"):format(nnsh, tg.root))
    local text = p:read("a")
    local ok = p:close()
    assert.is_falsy(ok)
    assert.truthy(text:find("unknown word 'yorkk'", 1, true))
  end)
end)
