-- nn.catch_interrupt / nn.interrupted with real SIGINTs sent to this
-- process: caught, a signal only raises a flag read once; a second signal
-- while the flag is unread aborts the running code with "interrupted!".
local nn = require "nn"

local pid = assert(io.open("/proc/self/stat")):read("n")

-- io.popen, not os.execute: system() ignores SIGINT in the caller while
-- the command runs, so the signal would be lost.
local function sigint()
  assert(io.popen("kill -INT " .. pid)):close()
end

-- Spin until cond() holds (the signal is asynchronous), at most `limit`
-- seconds of CPU time (2 by default).
local function eventually(cond, limit)
  local t0 = os.clock()
  repeat
    if cond() then return true end
  until os.clock() - t0 > (limit or 2)
  return false
end

describe("nn.catch_interrupt", function()
  after_each(function()
    while nn.catch_interrupt(false) > 0 do end
  end)

  it("nests and never goes below zero", function()
    assert.equals(1, nn.catch_interrupt(true))
    assert.equals(2, nn.catch_interrupt(true))
    assert.equals(1, nn.catch_interrupt(false))
    assert.equals(0, nn.catch_interrupt(false))
    assert.equals(0, nn.catch_interrupt(false))
  end)

  it("turns Ctrl-C into a flag that nn.interrupted reads once", function()
    assert.is_false(nn.interrupted())
    nn.catch_interrupt(true)
    sigint()
    assert.is_true(eventually(nn.interrupted))
    assert.is_false(nn.interrupted())
    nn.catch_interrupt(false)
  end)

  it("aborts on a second Ctrl-C while the first is unread", function()
    nn.catch_interrupt(true)
    sigint()
    assert.error_matches(function()
      sigint()
      local x = 0
      for i = 1, 1e9 do x = x + i end -- stopped by the hook long before
    end, "interrupted!")
    assert.is_false(nn.interrupted())
  end)

  it("forgets an unread flag when the last catch ends", function()
    nn.catch_interrupt(true)
    sigint()
    eventually(function() return false end, 0.2) -- let the signal arrive
    nn.catch_interrupt(false)
    assert.is_false(nn.interrupted())
  end)

  it("checks its argument", function()
    assert.has_error(function() nn.catch_interrupt(1) end,
      "nn.catch_interrupt: argument #1: expected a boolean, got number")
    assert.has_error(function() nn.catch_interrupt() end,
      "nn.catch_interrupt: argument #1: expected a boolean, got no value")
  end)
end)
