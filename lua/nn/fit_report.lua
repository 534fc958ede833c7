-- What nn.fit says while it trains: the opening line, a progress bar on a
-- terminal, one line per epoch, JSON lines (through lua/json.lua), notes,
-- and warnings that are said even with quiet = true (on stderr then), so a
-- diverged run is never silent.
--
--   local out = report.new{quiet=, progress=, json=}
--   out:bar(done, total, elapsed); out:epoch(h, e, epochs, eta, best)
--   out:note(fmt, ...); out:warn(fmt, ...); out:record(t); out:close()
local json = require "json"

local report = {}
report.__index = report

local is_tty -- stdout is a terminal: checked once (os.execute inherits stdout)
local function stdout_is_tty()
  if is_tty == nil then
    local ok = os.getenv("TERM") ~= "dumb" and os.execute("test -t 1")
    is_tty = ok == true
  end
  return is_tty
end

function report.fmt_time(s)
  if s ~= s or s == math.huge then return "?" end
  if s < 60 then return ("%.1fs"):format(s) end
  if s < 3600 then return ("%dm%02ds"):format(s // 60, math.floor(s % 60)) end
  return ("%dh%02dm"):format(s // 3600, math.floor(s % 3600 / 60))
end

-- A loss or accuracy with 4 decimals; NaN and infinities spelled out
-- (C's printf would say "-nan") and flagged.
function report.num(v)
  if v ~= v then return "NaN(!)" end
  if v == math.huge or v == -math.huge then return (v > 0 and "inf" or "-inf") .. "(!)" end
  return ("%.4f"):format(v)
end

function report.new(a)
  local self = setmetatable({quiet = a.quiet or a.json == true}, report)
  self.bar_on = not self.quiet
  if a.progress ~= nil then self.bar_on = a.progress and true or false
  elseif self.bar_on then self.bar_on = stdout_is_tty() end
  if a.json == true then self.json = io.stdout
  elseif type(a.json) == "string" then
    self.json = assert(io.open(a.json, "a"))
    self.json_file = true
  end
  self.last_draw = -math.huge
  return self
end

function report:bar(done, total, elapsed, now)
  if not self.bar_on or now - self.last_draw < 0.25 then return end
  self.last_draw = now
  local width = 30
  local filled = math.floor(width * done / total)
  local eta = done > 0 and elapsed / done * (total - done) or 0
  io.stdout:write(("\r  [%s%s] %3d%%  %s left\27[K"):format(
    ("#"):rep(filled), ("."):rep(width - filled), math.floor(100 * done / total), report.fmt_time(eta)))
  io.stdout:flush()
end

function report:clear_bar()
  if self.bar_on then io.stdout:write("\r\27[K") end
end

function report:note(fmt, ...)
  self:clear_bar()
  if not self.quiet then print(fmt:format(...)) end
end

-- Said in every mode: on stdout normally, on stderr when quiet (or when
-- stdout carries JSON lines).
function report:warn(fmt, ...)
  self:clear_bar()
  local msg = fmt:format(...)
  if self.quiet then io.stderr:write(msg, "\n") else print(msg) end
end

function report:record(t)
  if not self.json then return end
  self.json:write(json.encode(t), "\n")
  self.json:flush()
end

function report:epoch(h, e, epochs, eta, best)
  self:clear_bar()
  self:record{epoch = e, train_loss = h.train_loss[e], val_loss = h.val_loss[e],
              train_acc = h.train_acc[e], val_acc = h.val_acc[e], seconds = h.seconds[e],
              lr = h.lr[e], best = best}
  if self.quiet then return end
  local num = report.num
  local parts = {("epoch %" .. #tostring(epochs) .. "d/%d"):format(e, epochs),
                 "train " .. num(h.train_loss[e])}
  if h.train_acc[e] then parts[#parts + 1] = "acc " .. num(h.train_acc[e]) end
  if h.val_loss[e] then parts[#parts + 1] = "| val " .. num(h.val_loss[e]) end
  if h.val_acc[e] then parts[#parts + 1] = "acc " .. num(h.val_acc[e]) end
  parts[#parts + 1] = ("| %.2f s"):format(h.seconds[e])
  if e < epochs then parts[#parts + 1] = "ETA " .. report.fmt_time(eta) end
  if best then parts[#parts + 1] = "*" end
  print(table.concat(parts, "  "))
end

function report:close()
  if self.json_file then self.json:close() end
end

return report
