--- runfiles: the output files of an experiment script, checked before the
-- (long) run starts so that nothing is overwritten unless asked.
--
--   runfiles.check_new({"out/q4/a.png", ...}, force, "q4_mlp")
-- raises "q4_mlp: out/q4/a.png exists (--force to overwrite)" naming every
-- existing file, unless force.  The writers themselves (plot.*, json.write)
-- write a temporary and rename it.
local runfiles = {}

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

function runfiles.check_new(paths, force, script)
  if force then return end
  local found = {}
  for _, p in ipairs(paths) do
    if p and exists(p) then found[#found + 1] = p end
  end
  if #found > 0 then
    error(("%s: %s exist%s (--force to overwrite, or choose another --out)"):format(
      script, table.concat(found, ", "), #found == 1 and "s" or ""), 0)
  end
end

return runfiles
