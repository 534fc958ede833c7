-- Cost of the HDF5 crash guard (src/core/h5io_guard.c) on the course data:
-- h5.load of each data file in a fresh process, with the guard off, with
-- the guard on a file it has not seen (the forked child reads it all
-- first), and on a file it trusts (checked in an earlier session).
-- Standalone (not part of bench/run):  build/nnsh bench/h5_guard.lua [repeats=5]
local repeats = tonumber(arg[1]) or 5
local nnsh = arg[-1] or "build/nnsh"
local files = {"data/data1.h5", "data/data2.h5", "data/data3.h5", "data/data4.h5"}
local cache = os.tmpname()

local function time_load(file, env)
  local cmd = ("%s %s -e 'local t = nn.clock(); h5.load(%q); io.write(nn.clock() - t)'"):format(
    env, nnsh, file)
  local p = io.popen(cmd)
  local s = tonumber(p:read("a"))
  p:close()
  return s
end

local function median(t)
  table.sort(t)
  return t[(#t + 1) // 2]
end

print(("%-16s %10s %12s %12s   (median of %d, ms)"):format("file", "no guard", "first touch",
  "trusted", repeats))
for _, f in ipairs(files) do
  local off, first, trusted = {}, {}, {}
  for r = 1, repeats do
    off[r] = time_load(f, "NNSH_H5_GUARD=0")
    first[r] = time_load(f, "NNSH_H5_TRUST_CACHE=0")
    os.remove(cache)
    time_load(f, "XDG_CACHE_HOME=" .. cache)
    trusted[r] = time_load(f, "XDG_CACHE_HOME=" .. cache)
    os.execute("rm -rf " .. cache)
  end
  print(("%-16s %10.1f %12.1f %12.1f"):format(f, median(off) * 1e3, median(first) * 1e3,
    median(trusted) * 1e3))
end
