-- The Lua side of the nn module, loaded by luaopen_nn onto the same table.
-- Each file below adds its part (modules, containers, trainer, ...) to nn.
local nn = require "nn"

local parts = {"module", "initializers", "linear", "embedding", "view", "activations", "dropout",
               "normalization", "conv", "pooling", "sequential", "criteria", "flat", "step", "evaluate",
               "fit", "gradcheck", "metrics",
               "checkpoint", "recurrent"}

for _, name in ipairs(parts) do require("nn." .. name) end

return nn
