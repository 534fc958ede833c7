-- Where nnsh's files are: the root directory that holds lua/, scripts/,
-- data/ and models/ (the source tree, or <prefix>/share/nnsh once
-- installed).  Found from this file's own location, so library code never
-- depends on the working directory:
--
--   local paths = require "nnsh.paths"
--   paths.root, paths.lua, paths.data, paths.models, paths.scripts
--   paths.file("data", "data2.h5")  -> "<root>/data/data2.h5"
local paths = {}

local src = debug.getinfo(1, "S").source
local lua_dir = src:match("^@(.*)/shell/nnsh/paths%.lua$") or "lua"
local root = lua_dir:match("^(.*)/[^/]+$") or "."
if root == "" then root = "/" end

paths.root = root
paths.lua = lua_dir
paths.data = root .. "/data"
paths.models = root .. "/models"
paths.scripts = root .. "/scripts"

function paths.file(kind, name)
  local dir = paths[kind]
  if type(dir) ~= "string" or kind == "file" then
    error(("nnsh.paths.file: kind must be lua, data, models or scripts, got %s"):format(tostring(kind)), 2)
  end
  return dir .. "/" .. name
end

return paths
