-- The example of a docstring: the lines after its last "Example:" marker
-- (on the marker's line and the lines below it), else its last lines
-- indented by two spaces (continuation lines may be indented further).
-- help() shows docstrings as they are; tests/lua/help_examples_spec.lua runs
-- every example, so an example that stops working fails the tests.
--
--   docex.example(nn.doc(nn.mm)) -> "nn.mm(nn.ones(2,3), nn.ones(3,4))"
--   docex.strip(doc)             -> the docstring without its example
local docex = {}

local function lines_of(doc)
  local lines = {}
  for l in (doc .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = l end
  while #lines > 0 and lines[#lines]:match("^%s*$") do lines[#lines] = nil end
  return lines
end

-- first line of the example block, and whether it is an "Example:" marker
local function block_start(lines)
  for i = #lines, 1, -1 do
    if lines[i]:match("^Example:") then return i, true end
  end
  local first = #lines + 1
  while first > 2 and lines[first - 1]:match("^  ") do first = first - 1 end
  while first <= #lines and not lines[first]:match("^  %S") do first = first + 1 end
  if first > #lines then return nil end
  return first, false
end

function docex.example(doc)
  if type(doc) ~= "string" then return nil end
  local lines = lines_of(doc)
  local first, marker = block_start(lines)
  if not first then return nil end
  local code = {}
  if marker then
    local rest = lines[first]:match("^Example:%s*(.-)%s*$")
    if rest ~= "" then code[1] = rest end
    for i = first + 1, #lines do code[#code + 1] = (lines[i]:gsub("^%s+", "")) end
  else
    for i = first, #lines do code[#code + 1] = lines[i]:sub(3) end
  end
  if #code == 0 then return nil end
  return table.concat(code, "\n")
end

function docex.strip(doc)
  local lines = lines_of(doc)
  local first = block_start(lines)
  if not first then return table.concat(lines, "\n") end
  return table.concat(lines, "\n", 1, first - 1)
end

return docex
