-- scripts/q4_mlp.lua in a short run: the summary table, the figures and the
-- JSON file it writes, and its refusal to overwrite them without --force.
local json = require "json"

local nnsh = (os.getenv("NNSH_BUILD") or "build") .. "/nnsh"

local function run(args)
  local p = io.popen(("%q scripts/q4_mlp.lua %s 2>&1"):format(nnsh, args))
  local text = p:read("a")
  return p:close(), text
end

describe("scripts/q4_mlp.lua", function()
  local dir = os.tmpname()
  os.remove(dir)
  local js = dir .. "/q4.json"
  local args = ("--epochs 2 --low 2 --high 8 --hidden 4 --second 3 --quiet --out %q --json %q")
    :format(dir, js)
  teardown(function() os.execute(("rm -rf %q"):format(dir)) end)

  it("trains every network, prints the table, writes three figures and JSON", function()
    local ok, text = run(args)
    assert.is_true(ok, text)
    assert.truthy(text:find("2 hidden, 4-3, momentum 0.9", 1, true), text)
    for _, c in ipairs{"hidden", "layers", "momentum"} do
      local f = io.open(("%s/q4_%s.png"):format(dir, c), "rb")
      assert.is_truthy(f, "no figure for " .. c)
      assert.equal("\137PNG", f:read(4))
      f:close()
    end
    local doc = json.decode(assert(io.open(js)):read("a"))
    assert.equal(5, #doc.summary)
    for _, row in ipairs(doc.summary) do
      assert.equal(2, row.epochs)
      assert.is_true(row.test_err >= 0 and row.test_err <= 1)
      assert.is_true(row.train_mse >= 0 and row.train_mse <= 4) -- (o-t)^2 with o, t in [-1,1]
    end
    assert.equal(2, #doc.histories.two_m.test_err)
  end)

  it("refuses to overwrite its outputs unless --force", function()
    local ok, text = run(args)
    assert.is_falsy(ok)
    assert.truthy(text:find("exist (--force to overwrite", 1, true), text)
    ok, text = run(args .. " --compare layers --force")
    assert.is_true(ok, text)
  end)

  it("rejects an unknown comparison", function()
    local ok, text = run("--compare nope")
    assert.is_falsy(ok)
    assert.truthy(text:find("--compare must be all, hidden, layers or momentum", 1, true), text)
  end)
end)
