-- nn.config(): the BLAS kernel report, the FTZ switch, the pair switch.
local nn = require "nn"

describe("nn.config", function()
  after_each(function() nn.config{ftz = true, pair = true} end)

  it("reports kernel, source, reason, threads, FTZ and the pair", function()
    local c = nn.config()
    assert.is_string(c.blas_core)
    assert.truthy(c.blas_core ~= "")
    assert.is_string(c.blas_reason)
    assert.truthy(c.blas_config:match("^OpenBLAS"))
    assert.truthy(({OpenBLAS = 1, OPENBLAS_CORETYPE = 1, option = 1, nnsh = 1})[c.blas_source])
    assert.is_number(c.threads)
    assert.is_boolean(c.ftz)
    assert.is_boolean(c.pair)
    assert.truthy(c.cpu:match("family"))
  end)

  it("flushes subnormals by default and keeps them with ftz = false", function()
    local t = nn.tensor{1e-30}
    assert.is_true(nn.config().ftz)
    assert.are.equal(0, (t * 1e-10)[1])                 -- 1e-40 is subnormal
    assert.is_false(nn.config{ftz = false}.ftz)
    local kept = (t * 1e-10)[1]
    assert.truthy(kept > 0 and kept < 1.2e-38)
    -- through OpenBLAS too (its threads restart with the new mode)
    local a = nn.ones(64, 64) * 1e-20
    local p = nn.mm(a, a)                               -- 64e-40: subnormal
    assert.truthy(p[1][1] > 0)
    nn.config{ftz = true}
    assert.are.equal(0, nn.mm(a, a):max())
    assert.are.equal(0, (t * 1e-10)[1])
  end)

  it("switches the two-core pair and the thread count", function()
    local before = nn.config().threads
    assert.is_false(nn.config{pair = false}.pair)
    assert.is_false(nn.config().pair_active)
    assert.are.equal(1, nn.config{threads = 1}.threads)
    nn.config{threads = before}
  end)

  it("rejects unknown or mistyped settings, naming them", function()
    assert.has_error(function() nn.config{fast = true} end,
      "nn.config: unknown setting fast (settable: ftz, pair, threads)")
    assert.has_error(function() nn.config{ftz = 1} end,
      "nn.config: field 'ftz' must be a boolean, got number")
    assert.has_error(function() nn.config{threads = 0} end)
  end)

  it("runs the sgemm self-check", function()
    assert.is_true(nn.blas_selfcheck())
  end)
end)
