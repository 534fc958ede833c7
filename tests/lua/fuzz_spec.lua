-- Fuzzing in the test suite: a few hundred mutated HDF5 files (bit flips,
-- truncations, hostile header fields, from the project's own files and
-- checkpoints) and a few thousand random calls of every nn function, in
-- child processes: none may crash or hang nnsh.  NNSH_FUZZ_LONG=1 runs
-- many more (and mutates the course data too).
local build = os.getenv("NNSH_BUILD") or "build"
local nnsh = build .. "/nnsh"
local long = os.getenv("NNSH_FUZZ_LONG") == "1"

-- libhdf5 1.10 leaks memory on its error paths with malformed files (no
-- nnsh frame in those stacks); under LeakSanitizer that is suppressed for
-- the HDF5 fuzzing only.
local LSAN = ("LSAN_OPTIONS=suppressions=%s/tests/fuzz/lsan_hdf5.supp"):format(
  os.getenv("PWD") or ".")

-- Random calls take any string for a path ("x", "sum", ...): the fuzzers
-- run in a scratch directory, never in the source tree.
local root = os.getenv("PWD") or "."
local scratch = os.tmpname()
os.remove(scratch)
assert(os.execute("mkdir -p '" .. scratch .. "'"))
teardown(function() os.execute("rm -rf '" .. scratch .. "'") end)
if nnsh:sub(1, 1) ~= "/" then nnsh = root .. "/" .. nnsh end

-- Run a fuzz script under a wall-clock limit; its output and exit status.
local function run(script, args, limit, env)
  if script:match("%.lua$") then script = root .. "/" .. script end
  local p = io.popen(("cd '%s' && NNSH_SOURCE_DIR='%s' %s timeout -s KILL %d %s %s %s 2>&1; echo \"status $?\""):format(
    scratch, root, env or "", limit, nnsh, script, args))
  local out = p:read("a")
  p:close()
  return out, tonumber(out:match("status (%d+)\n$"))
end

describe("fuzzing", function()
  it("mutated HDF5 files never crash or hang the shell", function()
    local n = long and 5000 or 200
    local out, status = run("tests/fuzz/h5_fuzz.lua", n .. " 1", long and 3600 or 120,
                            "NNSH_H5_TIMEOUT=0.5 NNSH_H5_TRUST_CACHE=0 " .. LSAN)
    assert.are.equal(0, status, out)
    local files, calls = out:match("files (%d+) calls (%d+)")
    assert.are.equal(n, tonumber(files), out)
    assert.is_true(tonumber(calls) > 10 * n, out)
    print("\n  h5 fuzz: " .. out:match("files [^\n]*"))
  end)

  it("random arguments to every nn function never crash the shell", function()
    -- Fewer under ASan/UBSan (NNSH_SANITIZED, set by tests/run_all.sh).
    local n = long and 300000 or os.getenv("NNSH_SANITIZED") == "1" and 2000 or 6000
    local out, status = run("tests/fuzz/binding_fuzz.lua", n .. " 1", long and 3600 or 120)
    assert.are.equal(0, status, out)
    assert.is_truthy(out:find("calls " .. n), out)
    print("\n  binding fuzz: " .. out:match("calls [^\n]*"))
  end)

  it("files that crash or hang libhdf5 1.10 are errors naming the file", function()
    local dir = root .. "/tests/fixtures/malformed/"
    for _, f in ipairs {"crash_string_read.h5", "crash_root_attrs.h5", "hang_root_attrs.h5",
                        "crash_unlistable_attrs.h5"} do
      local out, status = run("-e", ([['
        local h5 = require "h5"
        for _, fn in ipairs {h5.list, h5.attrs, h5.load, nn.load} do
          local ok, err = pcall(fn, "%s")
          print(ok, err)
        end
        print(pcall(h5.read, "%s", "sstr"))
        print("alive")']]):format(dir .. f, dir .. f), 60, "NNSH_H5_TIMEOUT=0.5 NNSH_H5_TRUST_CACHE=0 " .. LSAN)
      assert.are.equal(0, status, out)
      assert.is_truthy(out:find("alive"), out)
      -- A libhdf5 that no longer fails on the file gives clean errors or data.
      assert.is_truthy(out:find("the file is malformed") or out:find("cannot list") or
                       not out:find("crashed"), out)
    end
  end)
end)
