local cli = require "cli"

local spec = {
  usage = "nnsh x.lua [options]",
  {"epochs", 50, "max epochs"},
  {"lr", 0.15, "learning rate"},
  {"cell", "lstm", "cell type"},
  {"standardize", false, "standardize inputs"},
  {"json", nil, "output file", type = "string"},
}

describe("cli.parse", function()
  it("applies defaults and parses values", function()
    local opt, rest = cli.parse({"--epochs", "3", "--lr=0.5", "--standardize", "a b c", "--json", "x.json"}, spec)
    assert.equal(3, opt.epochs)
    assert.equal(0.5, opt.lr)
    assert.equal("lstm", opt.cell)
    assert.is_true(opt.standardize)
    assert.equal("x.json", opt.json)
    assert.same({"a b c"}, rest)
  end)
  it("negates flags", function()
    assert.is_false(cli.parse({"--no-standardize"}, spec).standardize)
  end)
  it("names the bad option", function()
    assert.error_matches(function() cli.parse({"--epoch", "3"}, spec) end, "unknown option %-%-epoch")
    assert.error_matches(function() cli.parse({"--epochs", "many"}, spec) end, "option %-%-epochs expects a number, got 'many'")
    assert.error_matches(function() cli.parse({"--cell"}, spec) end, "option %-%-cell needs a value")
  end)
  it("splits lists", function()
    assert.same({{32, 256}, {16, 128}}, cli.list("32x256,16x128", "x"))
    assert.same({64, 32}, cli.list("64,32"))
    assert.error_matches(function() cli.list("32xa", "x") end, "is not a list of numbers")
  end)
end)
