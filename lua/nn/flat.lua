-- Flat parameter blocks (issue 13; llm.c's layout): all parameters of a
-- model in one contiguous float32 tensor P, all gradients in another, G.
-- Each module's weight, bias, ... stays the same Lua object, now a view of
-- its range of P (its gradient a view of G), so kernels, checkpoints and
-- any reference a user holds work as before; but an optimizer step,
-- zeroing the gradients, clipping their norm and a snapshot of the weights
-- are each one C call over P or G.
--
--   local P, G = m:flat_parameters()   -- packs on first use, then reuses
--   opt:step({P}, {G})                 -- one C call (nn.training_step does it)
--   nn.flatten{t1, t2, ...} -> block   -- the same for any list of tensors
--
-- When: lazily, on the first m:flat_parameters() (lua/nn/module.lua; nn.fit and
-- nn.training_step call it when they start).  It checks every time that the
-- block still matches the model's parameters and repacks when not: a module
-- added after flattening, a tensor replaced by the user, a submodule packed
-- into a block of its own.  nn.load builds a fresh model (flattened at its
-- first training) or copies into the existing views; checkpoints still write
-- one dataset per tensor.  A tensor shared by several modules (the same
-- object) is packed once; sharing a weight but not its gradient is an error.
local nn = require "nn"
local C = nn.C

-- block -> the tensors packed into it (weak keys: dies with the block);
-- the optimizers read it to keep per-parameter state for checkpoints.
local members = setmetatable({}, {__mode = "k"})

function nn.flatten(list)
  if type(list) ~= "table" then
    error(("nn.flatten: expected a list of float tensors, got %s"):format(type(list)), 2)
  end
  local flat = nn.zeros(0)
  local ok, err = pcall(C.flat_pack, flat, list)
  if not ok then error((tostring(err):gsub("^nn%.C%.flat_pack", "nn.flatten")), 2) end
  members[flat] = table.move(list, 1, #list, 1, {})
  return flat
end

-- The tensors packed into a block by nn.flatten (nil for other tensors).
function nn.flat_members(flat) return members[flat] end

nn._doc(nn.flatten, [[nn.flatten(tensors) -> block
Copy the float tensors, in order, into one new contiguous 1-d tensor and make each a
view of its range (same Lua objects, shapes and values).  Used for a model's
parameters and gradients (m:flat_parameters()), so that one C call updates them all.
  local W, b = nn.ones(2, 2), nn.ones(2); local P = nn.flatten{W, b}; P:zero()   -- W, b now 0]])
nn._doc(nn.flat_members, "nn.flat_members(block) -> the list of tensors nn.flatten packed into it, or nil\n" ..
  "  local P = nn.flatten{nn.ones(2), nn.ones(3)}; print(#nn.flat_members(P))   -- 2")
return nn.flatten
