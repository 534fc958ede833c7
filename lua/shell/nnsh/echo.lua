-- Results that a function has already shown, so the REPL does not echo
-- them a second time.  plot.term prints its text and returns it; plot.lines
-- prints "wrote out/x.png" and returns the path; image.grid prints "wrote
-- ... (WxH)" and returns path, w, h.  Scripts want the values, the REPL
-- wants one rendering: such functions return through echo.shown(...), and
-- the REPL's printer (nnsh.pretty.show) prints nothing when the results of
-- a command are exactly the values recorded.  The REPL clears the record
-- before every command (registry key "nnsh.shown").
local echo = {}

local KEY = "nnsh.shown"

--- echo.shown(...) -> ...: record the values as already shown; return them.
function echo.shown(...)
  debug.getregistry()[KEY] = table.pack(...)
  return ...
end

--- echo.already(...) -> boolean: the values are those recorded last.
function echo.already(...)
  local rec = debug.getregistry()[KEY]
  local n = select("#", ...)
  if type(rec) ~= "table" or rec.n ~= n or n == 0 then return false end
  for i = 1, n do
    if not rawequal(rec[i], (select(i, ...))) then return false end
  end
  return true
end

function echo.clear() debug.getregistry()[KEY] = nil end

return echo
