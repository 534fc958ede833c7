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

describe("cli usage and errors (issue 15)", function()
  local s = {
    usage = "nnsh scripts/q3_rnn.lua [options]",
    {"epochs", 50, "max epochs"},
    {"cell", "lstm", "cell", choices = {"rnn", "lstm", "gru"}},
    {"standardize", true, "standardize inputs"},
    {"quiet", false, "no output"},
  }
  it("lists both forms of a flag that is on by default", function()
    local u = cli.usage(s)
    assert.matches("%-%-%[no%-%]standardize", u)
    assert.matches("%-%-quiet ", u)
    assert.matches("%[rnn|lstm|gru%]", u)
  end)
  it("raises usage errors as one line plus a hint, with a suggestion", function()
    local ok, e = pcall(cli.parse, {"--epoch", "1"}, s)
    assert.is_false(ok)
    assert.equal("table", type(e)) -- an error object: nnsh prints no traceback
    assert.equal("q3_rnn.lua: unknown option --epoch (did you mean --epochs?)\n" ..
                 "usage: nnsh scripts/q3_rnn.lua [options]  (--help lists the options)", tostring(e))
    local ok2, e2 = pcall(cli.parse, {"--cell", "xyz"}, s)
    assert.is_false(ok2)
    assert.matches("^q3_rnn.lua: option %-%-cell must be one of rnn, lstm, gru, got 'xyz'\nusage:", tostring(e2))
    assert.error_matches(function() cli.fail(s, "--hidden must be positive, got %d", -1) end,
                         "q3_rnn.lua: %-%-hidden must be positive, got %-1")
  end)
end)
