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

-- The nnsh launcher: kernel choice, re-execution with OPENBLAS_CORETYPE,
-- the self-check and the FTZ option, end to end.
describe("nnsh start-up", function()
  local nnsh = (os.getenv("NNSH_BUILD") or "build") .. "/nnsh"
  local function run(env, args)
    local p = io.popen(("env -u OPENBLAS_CORETYPE -u NNSH_BLAS_AUTO -u NNSH_BLAS_CORE %s %s %s 2>&1")
      :format(env, nnsh, args))
    local out = p:read("a")
    p:close()
    return out
  end
  local probe = [[-e "local c = nn.config(); io.write(c.blas_core, '|', c.blas_source, '|', ]]
    .. [[c.blas_selfcheck, '|', tostring(c.ftz), '|', os.getenv('OPENBLAS_CORETYPE') or '-')"]]

  it("keeps OpenBLAS's kernel or the user's OPENBLAS_CORETYPE", function()
    local detected = nn.config().blas_core
    if nn.config().blas_source == "OpenBLAS" then
      assert.truthy(run("", probe):match("|OpenBLAS|not run|true|%-$"))
    end
    assert.truthy(run("OPENBLAS_CORETYPE=Sandybridge", probe)
      :match("^Sandybridge|OPENBLAS_CORETYPE|not run|true|Sandybridge$"))
    assert.is_string(detected)
  end)

  it("runs the kernel --blas-core names, re-executing once, self-checked", function()
    -- Sandybridge needs AVX, which every CPU running the Release build has.
    if not nn.config().cpu:match("AVX") then return pending("CPU without AVX") end
    local out = run("", "--blas-core sandybridge " .. probe)
    assert.truthy(out:match("^Sandybridge|option|passed|true|Sandybridge$"), out)
    out = run("NNSH_BLAS_CORE=Sandybridge OPENBLAS_CORETYPE=Prescott", probe)
    assert.truthy(out:match("^Sandybridge|option|passed|true|Sandybridge$"), out)
    out = run("", "--blas-core Sandybridge -v")
    assert.truthy(out:match("OpenBLAS kernel Sandybridge: chosen with %-%-blas%-core"), out)
  end)

  it("refuses unknown kernel names, saying so once", function()
    local out = run("", "--blas-core Zen9 " .. probe)
    local _, n = out:gsub("not an OpenBLAS kernel name", "")
    assert.are.equal(1, n)
  end)

  it("--no-ftz and NNSH_FTZ=0 keep subnormals", function()
    assert.truthy(run("", "--no-ftz " .. probe):match("|false|[^|]*$"))
    assert.truthy(run("NNSH_FTZ=0", probe):match("|false|[^|]*$"))
  end)
end)
