-- Files that survive: sealed checkpoints (a damaged one is a clean error
-- before libhdf5 reads it), atomic writes that leave no stub, temporaries
-- named for their target and cleaned when their writer is gone, and the
-- crash guard that turns a libhdf5 crash or hang into an error.
local nn = require "nn"
local h5 = require "h5"

local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir -p " .. dir))
teardown(function() os.execute("rm -rf '" .. dir .. "'") end)

local function slurp(p) local f = assert(io.open(p, "rb")); local s = f:read("a"); f:close(); return s end
local function spit(p, s) local f = assert(io.open(p, "wb")); f:write(s); f:close() end
local function listdir(d)
  local p = io.popen("ls -A '" .. d .. "'")
  local t = {}
  for l in p:lines() do t[#t + 1] = l end
  p:close()
  table.sort(t)
  return t
end
local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "expected an error matching " .. pattern)
  assert.is_truthy(tostring(err):find(pattern), tostring(err))
end
local function model() nn.seed(1); return nn.Sequential {nn.Linear(4, 3), nn.Tanh(), nn.Linear(3, 2)} end

describe("sealed checkpoints", function()
  it("carry a readable checksum block and still open as HDF5", function()
    local p = dir .. "/m.h5"
    nn.save(p, model())
    local head = slurp(p):sub(1, 512)
    assert.is_truthy(head:find("^NNSH%-SEALED%-HDF5 1\nbytes %d+\nxxh64 %x+\n"))
    assert.are.equal(512, #head)
    assert.is_true(nn._seal_check(p))
    assert.is_true(h5.exists(p, "model/params/1.weight"))
    local m = nn.load(p)
    assert.are.same(model().modules[1].weight:totable(), m.modules[1].weight:totable())
  end)

  it("refuse any damage before libhdf5 parses them", function()
    local p = dir .. "/d.h5"
    nn.save(p, model())
    local good = slurp(p)
    for _, pos in ipairs {513, 600, #good // 2, #good - 1} do
      local bad = good:sub(1, pos - 1) .. string.char(good:byte(pos) ~ 0x10) .. good:sub(pos + 1)
      spit(p, bad)
      fails("nn.load: checkpoint " .. p:gsub("%p", "%%%0") .. " is damaged: checksum mismatch", nn.load, p)
    end
    spit(p, good:sub(1, #good - 100))
    fails("is damaged: .*truncated", nn.load, p)
    spit(p, good .. "x")
    fails("is damaged: .*appended", nn.load, p)
    spit(p, good:sub(1, 300))
    fails("is damaged: its checksum block is unreadable", nn.load, p)
    spit(p, good)
    assert.is_truthy(nn.load(p))
  end)

  it("an unsealed checkpoint (older nnsh) still loads", function()
    local p = dir .. "/old.h5"
    nn.save(p, model())
    spit(p, ("\0"):rep(512) .. slurp(p):sub(513))
    assert.is_false(nn._seal_check(p))
    assert.is_truthy(nn.load(p))
  end)
end)

describe("temporaries", function()
  local host = io.popen("hostname"):read("l"):gsub("[/.]", "_")

  it("of killed saves are removed on the next save of the same target", function()
    local sub = dir .. "/stale"
    os.execute("mkdir -p " .. sub)
    -- pid 2^22+1 is above Linux's pid_max default: no such process.
    spit(sub .. "/.m.h5.nnsh-tmp-" .. host .. "-4194305", "half a checkpoint")
    spit(sub .. "/.m.h5.nnsh-tmp-" .. host .. "-1", "pid 1 runs: kept")
    spit(sub .. "/.other.h5.nnsh-tmp-" .. host .. "-4194305", "another target: kept")
    nn.save(sub .. "/m.h5", model())
    assert.are.same({".m.h5.nnsh-tmp-" .. host .. "-1", ".other.h5.nnsh-tmp-" .. host .. "-4194305", "m.h5"},
                    listdir(sub))
  end)

  it("are removed when a save fails, and the old file stays", function()
    local sub = dir .. "/fail"
    os.execute("mkdir -p " .. sub)
    local p = sub .. "/m.h5"
    nn.save(p, model())
    local before = slurp(p)
    fails("nn.save: .*cannot save field 'f'", nn.save, p, {m = model(), f = print})
    assert.are.equal(before, slurp(p))
    assert.are.same({"m.h5"}, listdir(sub))
  end)
end)

describe("h5.write and h5.setattr", function()
  it("change a copy: an error leaves the file as it was, no temporary, the user's name", function()
    local sub = dir .. "/w"
    os.execute("mkdir -p " .. sub)
    local p = sub .. "/f.h5"
    h5.write(p, "x", nn.ones(3))
    local before = slurp(p)
    fails("h5.write: cannot write 'x/y' in " .. p:gsub("%p", "%%%0") .. ": 'x' is not a group",
          h5.write, p, "x/y", nn.ones(2))
    fails("h5.setattr: no object 'nope' in " .. p:gsub("%p", "%%%0"), h5.setattr, p, "nope", "k", 1)
    assert.are.equal(before, slurp(p))
    assert.are.same({"f.h5"}, listdir(sub))
    h5.write(p, "y", nn.zeros(2), {checksum = true})
    h5.setattr(p, "y", "note", "checked")
    assert.are.same({0, 0}, h5.read(p, "y"):totable())
    assert.are.equal("checked", h5.attrs(p, "y").note)
    assert.are.same({"f.h5"}, listdir(sub))
  end)

  it("refuse a non-HDF5 file without touching it", function()
    local p = dir .. "/text.h5"
    spit(p, "hello")
    fails("h5.write: .*text.h5 is not an HDF5 file", h5.write, p, "x", nn.ones(1))
    assert.are.equal("hello", slurp(p))
  end)

  it("Fletcher32 catches damaged data in an unsealed file", function()
    local p = dir .. "/f32.h5"
    h5.write(p, "x", nn.ones(1000), {checksum = true})
    local s = slurp(p)
    local at = s:find(string.pack("<f", 1):rep(16), 1, true)
    spit(p, s:sub(1, at - 1) .. string.pack("<f", 2) .. s:sub(at + 4))
    fails("h5.read: cannot read 'x' from .*f32.h5", h5.read, p, "x")
  end)
end)

describe("nn.atomic_write", function()
  it("writes text, or runs a writer on a temporary, renaming only on success", function()
    local p = dir .. "/a/b/t.txt"
    assert.are.equal(p, nn.atomic_write(p, "one"))
    assert.are.equal("one", slurp(p))
    fails("boom", nn.atomic_write, p, function(tmp) spit(tmp, "half"); error("boom") end)
    assert.are.equal("one", slurp(p))
    assert.are.same({"t.txt"}, listdir(dir .. "/a/b"))
    nn.atomic_write(p, function(tmp) assert.is_truthy(tmp:find("/%.t%.txt%.nnsh%-tmp%-")); spit(tmp, "two") end)
    assert.are.equal("two", slurp(p))
    fails("argument #2: expected a string or a function", nn.atomic_write, p, 3)
  end)
end)

describe("the crash guard", function()
  -- A child that crashes or hangs on purpose (NNSH_H5_GUARD_TEST) stands in
  -- for libhdf5 on a malformed file; the fuzz spec meets real ones.
  -- In the nnsh of the build under test (under ASan, a stock lua5.4 cannot
  -- load the sanitized module).
  local nnsh = (os.getenv("NNSH_BUILD") or "build") .. "/nnsh"
  local function run(env, code)
    local cmd = ("cd %q && %s %s -e %q 2>&1"):format(os.getenv("PWD") or ".", env, nnsh, code)
    local p = io.popen(cmd)
    local out = p:read("a")
    p:close()
    return out
  end
  local data = "data/data2.h5"

  it("turns a crash of the reader into an error naming the file", function()
    local out = run("NNSH_H5_GUARD_TEST=crash", ([[
      local h5 = require "h5"
      print(select(2, pcall(h5.list, %q)))
      print(select(2, pcall(h5.read, %q, "testx")))
      print("alive")]]):format(data, data))
    assert.is_truthy(out:find("h5.list: libhdf5 crashed %(Segmentation fault%) reading data/data2.h5"), out)
    assert.is_truthy(out:find("the file is malformed"), out)
    assert.is_truthy(out:find("h5.read: libhdf5 crashed"), out)
    assert.is_truthy(out:find("alive"), out)
  end)

  it("guards h5.hold as every read: a crash is an error naming the file", function()
    local out = run("NNSH_H5_GUARD_TEST=crash", ([[
      local h5 = require "h5"
      print(select(2, pcall(h5.hold, %q)))
      print(h5.open_ids())]]):format(data))
    assert.is_truthy(out:find("h5.hold: libhdf5 crashed %(Segmentation fault%) reading data/data2.h5"), out)
    assert.is_truthy(out:find("\n0\n$"), out)
  end)

  it("turns a hang into an error after the time limit", function()
    local out = run("NNSH_H5_GUARD_TEST=hang NNSH_H5_TIMEOUT=0.3", ([[
      local h5 = require "h5"
      print(select(2, pcall(h5.attrs, %q)))
      print("alive")]]):format(data))
    assert.is_truthy(out:find("h5.attrs: libhdf5 did not finish reading data/data2.h5 within [%d.]+ s"), out)
    assert.is_truthy(out:find("alive"), out)
  end)

  it("does not look at files nnsh wrote, nor at sealed checkpoints", function()
    local p = dir .. "/trusted.h5"
    local out = run("NNSH_H5_GUARD_TEST=crash", ([[
      local nn, h5 = require "nn", require "h5"
      h5.write(%q, "x", nn.ones(2))
      print(h5.read(%q, "x"):sum())
      nn.save(%q, nn.Linear(2, 2))
      print(nn.load(%q).weight:numel())]]):format(p, p, p .. "2", p .. "2"))
    assert.is_truthy(out:find("^2%.0\n4\n$"), out)
    -- A sealed checkpoint in a new process: the checksum stands for the guard.
    out = run("NNSH_H5_GUARD_TEST=crash", ("print(require('nn').load(%q).weight:numel())"):format(p .. "2"))
    assert.are.equal("4\n", out)
  end)
end)

describe("h5.hold", function()
  local nn, h5 = require "nn", require "h5"
  local data = "data/data2.h5"

  it("reads through one open file what separate opens read", function()
    local a, w = h5.read(data, "testx"), h5.read(data, "words")
    local attrs = h5.attrs(data)
    do
      local h <close> = h5.hold(data)
      assert.equal(1, h5.open_ids()) -- the held file, nothing else
      local h2 <close> = h5.hold("./" .. data) -- another spelling shares it
      assert.equal(1, h5.open_ids())
      assert.same(a:totable(), h5.read(data, "testx"):totable())
      assert.same(w, h5.read("./" .. data, "words"))
      assert.same(attrs, h5.attrs(data))
      assert.equal(#h5.list(data), #h5.list("./" .. data))
    end
    assert.equal(0, h5.open_ids())
    local h = h5.hold(data)
    h:release()
    h:release() -- a second release does nothing
    assert.equal(0, h5.open_ids())
    assert.truthy(tostring(h):find("released", 1, true))
  end)

  it("gives the errors of a read for a missing or non-HDF5 file", function()
    assert.error_matches(function() h5.hold(dir .. "/none.h5") end, "h5.hold: cannot open .*none.h5")
    local p = dir .. "/text.h5"
    local f = assert(io.open(p, "w"))
    f:write("not hdf5")
    f:close()
    assert.error_matches(function() h5.hold(p) end, "is not an HDF5 file")
    assert.equal(0, h5.open_ids())
  end)

  it("lets nn.load read a checkpoint through one open file, with the same result", function()
    local p = dir .. "/held.h5"
    nn.seed(3)
    local m = nn.Sequential{nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)}
    nn.save(p, m)
    local a = nn.load(p)
    assert.equal(0, h5.open_ids())
    for i, t in ipairs((m:parameters())) do assert.same(t:totable(), a:parameters()[i]:totable()) end
  end)
end)
