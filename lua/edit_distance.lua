-- Edit distance with adjacent transpositions (optimal string alignment):
-- the number of single-character insertions, deletions, substitutions and
-- swaps of neighbours that turn a into b.  Used to suggest the intended
-- word for a typo (trigram vocabulary words, script options):
--
--   local edit_distance = require "edit_distance"
--   edit_distance("dose", "does")   --> 1
local function edit_distance(a, b)
  local d = {}
  for i = 0, #a do d[i] = {[0] = i} end
  for j = 0, #b do d[0][j] = j end
  for i = 1, #a do
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      local v = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1 and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
        v = math.min(v, d[i - 2][j - 2] + 1)
      end
      d[i][j] = v
    end
  end
  return d[#a][#b]
end

return edit_distance
