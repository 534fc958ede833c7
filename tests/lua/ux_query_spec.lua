-- Queries tokenised as the corpus (item 11) and Torch7's t[{i, j}] (item 12).
local nn = require "nn"
local tg = require "trigram"

describe("tg.tokenize", function()
  it("splits contractions, clitics and punctuation as the corpus does", function()
    assert.same({"i", "do", "nt"}, tg.tokenize("I don't"))
    assert.same({"ca", "nt", "go"}, tg.tokenize("can't go"))
    assert.same({"it", "'s", "new", "?"}, tg.tokenize("It's new?"))
    assert.same({"we", "'re", "here", ","}, tg.tokenize("we\u{2019}re here,"))
    assert.same({"$", "5", "(", "new", ")", "--"}, tg.tokenize("$5 (new) --"))
    assert.same({"what", "does", "new"}, tg.tokenize("what   DOES new"))
  end)
  it("keeps abbreviations the vocabulary knows", function()
    assert.same({"mr.", "smith", "."}, tg.tokenize("Mr. Smith.", {["mr."] = 1}))
    assert.same({"mr", ".", "smith"}, tg.tokenize("Mr. Smith"))
  end)
  it("lets m:topk answer 'i don't' like 'i do nt'", function()
    local m = tg.load()
    local a, b = m:topk("i don't", 3), m:topk("i do nt", 3)
    assert.equal("i do nt", a.context)
    for i = 1, 3 do assert.equal(b[i].word, a[i].word) end
    assert.error_matches(function() m:topk("don't", 3) end, "needs three words, got 2.*read as: do nt")
  end)
end)

describe("t[{i, j}]", function()
  it("reads and writes elements and selects rows as Torch7 does", function()
    local a = nn.tensor{{1, 2, 3}, {4, 5, 6}}
    assert.equal(2, a[{1, 2}])
    assert.same({4, 5, 6}, a[{2}]:totable())
    a[{2, 3}] = 9
    assert.equal(9, a[2][3])
    local ix = nn.index{{1, 2}, {3, 4}}
    assert.equal(3, ix[{2, 1}])
    assert.equal("integer", math.type(ix[{2, 1}]))
    local v = nn.tensor{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}
    assert.equal(7, v[{2, 2, 1}])
    assert.same({7, 8}, v[{2, 2}]:totable())
  end)
  it("raises clear errors instead of returning nil", function()
    local a = nn.tensor{{1, 2, 3}, {4, 5, 6}}
    assert.error_matches(function() return a[{3, 1}] end, "index 3 out of range %[1, 2%] in dimension 1")
    assert.error_matches(function() return a[{{1, 2}, 1}] end, "ranges .* use t:narrow")
    assert.error_matches(function() return a[{1, 2, 3}] end, "3 indices for a 2%-d tensor")
    assert.error_matches(function() a[{1}] = 0 end, "one index per dimension")
    assert.error_matches(function() return a[{1.5}] end, "must be an integer")
  end)
end)
