-- Examples for the help of functions whose docstrings (written next to
-- their code, many in the C bindings) have none or one that does not run
-- on its own.  Loaded by help(); each entry replaces the docstring's
-- example (or is appended after it where that block is a formula, `keep`)
-- under an "Example:" line.  tests/lua/help_examples_spec.lua runs them all.
local nn = require "nn"
local docex = require "nnsh.docex"

local E = {}

-- tensors ---------------------------------------------------------------------
E["t:abs"] = "nn.tensor{-1, 2}:abs()"
E["t:abs_"] = "local t = nn.tensor{-1, 2}; t:abs_()"
E["t:add"] = "nn.tensor{1, 2}:add(nn.tensor{10, 20})"
E["t:add_"] = "local t = nn.ones(2); t:add_(nn.ones(2))"
E["t:argmax"] = "nn.tensor{{1, 5, 2}, {7, 0, 1}}:argmax(2)"
E["t:axpy_"] = "local y = nn.ones(3); y:axpy_(2, nn.ones(3))   -- y = y + 2*x"
E["t:clamp"] = "nn.tensor{-2, 0.5, 3}:clamp(0, 1)"
E["t:clamp_"] = "local t = nn.tensor{-2, 0.5, 3}; t:clamp_(0, 1)"
E["t:clone"] = "local a = nn.ones(2); local b = a:clone(); b:fill(5)"
E["t:contiguous"] = "nn.randn(3, 4):t():contiguous()"
E["t:copy"] = "local a = nn.zeros(2, 2); a:copy(nn.ones(4))"
E["t:dim"] = "nn.zeros(2, 3):dim()"
E["t:div"] = "nn.tensor{2, 4}:div(2)"
E["t:div_"] = "local t = nn.tensor{2, 4}; t:div_(2)"
E["t:exp"] = "nn.tensor{0, 1}:exp()"
E["t:exp_"] = "local t = nn.tensor{0, 1}; t:exp_()"
E["t:fill"] = "nn.zeros(2, 2):fill(7)"
E["t:float"] = "nn.index{1, 2, 3}:float()"
E["t:index"] = "nn.tensor{1, 2, 3}:index()"
E["t:index_select"] = "nn.tensor{{1, 2}, {3, 4}, {5, 6}}:index_select(nn.index{3, 1})"
E["t:is_contiguous"] = "nn.zeros(2, 3):t():is_contiguous()"
E["t:item"] = "nn.tensor{{4}}:item()"
E["t:log"] = "nn.tensor{1, 10}:log()"
E["t:log_"] = "local t = nn.tensor{1, 10}; t:log_()"
E["t:log_softmax"] = "nn.tensor{{1, 2, 3}}:log_softmax()"
E["t:max"] = "nn.tensor{3, 9, 1}:max()"
E["t:mean"] = "nn.tensor{{1, 2}, {3, 4}}:mean()"
E["t:min"] = "nn.tensor{3, 9, 1}:min()"
E["t:mul"] = "nn.tensor{1, 2}:mul(3)"
E["t:mul_"] = "local t = nn.tensor{1, 2}; t:mul_(3)"
E["t:narrow"] = "nn.tensor{{1, 2, 3}, {4, 5, 6}}:narrow(2, 2, 2)"
E["t:normal_"] = "nn.seed(1); nn.zeros(2, 3):normal_(0, 0.01)"
E["t:numel"] = "nn.zeros(2, 3):numel()"
E["t:pow"] = "nn.tensor{2, 3}:pow(2)"
E["t:relu"] = "nn.tensor{-1, 2}:relu()"
E["t:relu_"] = "local t = nn.tensor{-1, 2}; t:relu_()"
E["t:reshape"] = "nn.zeros(2, 3):t():reshape(6)"
E["t:select"] = "nn.tensor{{1, 2}, {3, 4}}:select(2, 1)"
E["t:sigmoid"] = "nn.tensor{0, 2}:sigmoid()"
E["t:sigmoid_"] = "local t = nn.tensor{0, 2}; t:sigmoid_()"
E["t:size"] = "nn.zeros(2, 3):size()"
E["t:softmax"] = "nn.tensor{{1, 2, 3}}:softmax()"
E["t:sqrt"] = "nn.tensor{4, 9}:sqrt()"
E["t:sqrt_"] = "local t = nn.tensor{4, 9}; t:sqrt_()"
E["t:square"] = "nn.tensor{2, 3}:square()"
E["t:square_"] = "local t = nn.tensor{2, 3}; t:square_()"
E["t:std"] = "nn.tensor{1, 2, 3, 4}:std()"
E["t:storage_id"] = "local a = nn.zeros(4); assert(a:view(2, 2):storage_id() == a:storage_id())"
E["t:sub"] = "nn.tensor{5, 6}:sub(nn.tensor{1, 1})"
E["t:sub_"] = "local t = nn.tensor{5, 6}; t:sub_(nn.tensor{1, 1})"
E["t:sum"] = "nn.tensor{{1, 2}, {3, 4}}:sum(2)"
E["t:t"] = "nn.tensor{{1, 2, 3}}:t()"
E["t:tanh"] = "nn.tensor{0, 1}:tanh()"
E["t:tanh_"] = "local t = nn.tensor{0, 1}; t:tanh_()"
E["t:totable"] = "nn.tensor{{1, 2}, {3, 4}}:totable()"
E["t:transpose"] = "nn.zeros(2, 3, 4):transpose(1, 3):size()"
E["t:type"] = "nn.index{1}:type()"
E["t:uniform_"] = "nn.seed(1); nn.zeros(3):uniform_(-1, 1)"
E["t:var"] = "nn.tensor{1, 2, 3, 4}:var()"
E["t:zero"] = "nn.ones(2):zero()"
E["t:topk"] = "local values, indices = nn.tensor{0.1, 0.7, 0.2}:topk(2)"
E["t:view"] = "nn.zeros(4, 3, 32):view(-1, 96):size()"

E["t:sign"] = "nn.tensor{-0.3, 0, 2}:sign()   -- the class (+-1) a tanh output votes for"
E["t:sign_"] = "local t = nn.tensor{-0.3, 0, 2}; t:sign_()"
E["t:eq"] = "local x = nn.tensor{-1, 0, 2}; print(x:eq(0), x:eq(nn.tensor{-1, 1, 2}):mean())"
E["t:ne"] = "local x = nn.tensor{-1, 0, 2}; print(x:ne(0))"
E["t:gt"] = "local x = nn.tensor{-1, 0, 2}; print(x:gt(0), x:gt(0):mean())   -- a fraction"
E["t:ge"] = "local x = nn.tensor{-1, 0, 2}; print(x:ge(0))"
E["t:lt"] = "local x = nn.tensor{-1, 0, 2}; print(x:lt(0))"
E["t:le"] = "local x = nn.tensor{-1, 0, 2}; print(x:le(0))"
E["t:flatten"] = "nn.zeros(5, 32, 32):flatten(2):size()   -- (N,32,32) -> (N,1024)"
E["t:masked_fill"] = "local x = nn.tensor{-1, 0.5, 2}; x:masked_fill(x:lt(0), 0)   -- ReLU"
E["t:masked_fill_"] = "local scores = nn.tensor{1, 2, 3}; scores:masked_fill_(nn.tensor{0, 1, 0}:eq(1), -1e9)"
E["t:permute"] = "nn.zeros(2, 3, 4, 5):permute(1, 3, 4, 2):size()   -- (N,C,H,W) -> (N,H,W,C)"
E["t:unsqueeze"] = "nn.zeros(4):unsqueeze(2):size()   -- (N) -> (N,1)"
E["nn.where"] = "local x = nn.tensor{-2, 3}; nn.where(x:gt(0), x, x * 0.01)   -- leaky ReLU by hand"
E["nn.cat"] = [[local a, b = nn.ones(2, 3), nn.zeros(1, 3)
nn.cat({a, b})                          -- 3x3
nn.cat({nn.ones(2, 2), nn.zeros(2, 1)}, 2)  -- side by side, 2x3]]

-- nn functions and classes -------------------------------------------------------------
E["nn.ones"] = "nn.ones(2, 3)"
E["nn.rand"] = "nn.seed(1); nn.rand(2, 3)"
E["nn.randn"] = "nn.seed(1); nn.randn(2, 3)"
E["nn.randint"] = "nn.seed(1); nn.randint(6)"
E["nn.randperm"] = "nn.seed(1); nn.randperm(5)"
E["nn.seed"] = "nn.seed(42); local a = nn.rand(3); nn.seed(42); assert(nn.allclose(a, nn.rand(3)))"
E["nn.IndexTensor"] = "nn.IndexTensor(2, 3)"
E["nn.index_add"] = "nn.index_add(nn.zeros(3, 2), nn.index{1, 1}, nn.ones(2, 2))"
E["nn.index_select"] = "nn.index_select(nn.tensor{{1, 2}, {3, 4}}, nn.index{2, 2})"
E["nn.addmm"] = "local C = nn.zeros(2, 2); nn.addmm(C, nn.ones(2, 3), nn.ones(3, 2), {alpha = 0.5})"
E["nn.allclose"] = "nn.allclose(nn.tensor{1, 2}, nn.tensor{1, 2 + 1e-7})"
E["nn.max_abs_diff"] = "nn.max_abs_diff(nn.tensor{1, 2}, nn.tensor{1, 2.5})"
E["nn.interrupted"] = [[nn.catch_interrupt(true)
for step = 1, 1000 do if nn.interrupted() then break end end
nn.catch_interrupt(false)]]
E["nn.catch_interrupt"] = E["nn.interrupted"]
E["nn.clock"] = "local t0 = nn.clock(); nn.mm(nn.ones(64, 64), nn.ones(64, 64)); print(nn.clock() - t0, 's')"
E["nn.doc"] = "print(nn.doc(nn.mm))"
E["nn.setdoc"] = [[local function twice(x) return 2 * x end
nn.setdoc(twice, "twice(x) -> number\nTwice x.\n  twice(3)")]]
E["nn.ReLU"] = "nn.ReLU():forward(nn.tensor{{-1, 2}})"
E["nn.LeakyReLU"] = "nn.LeakyReLU(0.1):forward(nn.tensor{{-1, 2}})"
E["nn.Sigmoid"] = "nn.Sigmoid():forward(nn.tensor{{0, 2}})"
E["nn.Tanh"] = "nn.Tanh():forward(nn.tensor{{0, 1}})"
E["nn.SoftMax"] = "nn.SoftMax():forward(nn.tensor{{1, 2, 3}})"
E["nn.Dropout"] = "local d = nn.Dropout(0.5); d:evaluate(); d:forward(nn.ones(2, 4))"
E["nn.BatchNorm"] = "nn.BatchNorm(3):forward(nn.randn(8, 3))"
E["nn.LayerNorm"] = "nn.LayerNorm(4):forward(nn.randn(2, 4))"
E["nn.MSELoss"] = "nn.MSELoss():forward(nn.tensor{{1, 2}}, nn.tensor{{1, 4}})"
E["nn.BCEWithLogitsLoss"] = "nn.BCEWithLogitsLoss():forward(nn.tensor{{0.5, -1}}, nn.tensor{{1, 0}})"
E["nn.SVMLoss"] = "nn.SVMLoss():forward(nn.tensor{{2, 1, 0}}, nn.index{1})"
E["nn.MultiMarginLoss"] = E["nn.SVMLoss"]
E["nn.CrossEntropyLoss"] = [[local crit = nn.CrossEntropyLoss()
local scores, y = nn.tensor{{2, 0.5, -1}, {0, 1, 3}}, nn.index{1, 3}
local l = crit:forward(scores, y); local g = crit:backward(scores, y)]]
E["nn.Recurrent"] = "nn.Recurrent('gru', 3, 8):forward(nn.randn(2, 5, 3)):size()"
E["nn.Sequential"] = [[local model = nn.Sequential{nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1)}
model:add(nn.Sigmoid())
print(#model.modules, model.modules[1].weight:size())]]
E["nn.clip_grad_norm"] = [[local model = nn.Linear(3, 2)
model:backward(nn.ones(1, 3), nn.full(100, 1, 2))
local _, grads = model:parameters(); nn.clip_grad_norm(grads, 5)]]
local tiny = [[local x, y = nn.tensor{{0, 0}, {0, 1}, {1, 0}, {1, 1}}, nn.index{1, 2, 2, 1}
local model = nn.Sequential{nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2)}
]]
E["nn.evaluate"] = tiny .. "local ce, acc = nn.evaluate(model, nn.CrossEntropyLoss(), x, y)"
E["nn.fit"] = tiny .. [[local hist = nn.fit{model = model, loss = nn.CrossEntropyLoss(),
  optimizer = optim.sgd{lr = 0.5, momentum = 0.9}, x = x, y = y, batch = 4, epochs = 50,
  quiet = true}
print(hist.train_loss[hist.epochs], hist.best_epoch)]]
E["nn.save"] = tiny .. [[nn.save("out/xor.h5", model)
nn.save("out/ckpt.h5", {model = model, epoch = 12})]]
E["nn.load"] = tiny .. [[nn.save("out/xor.h5", model)
local again = nn.load("out/xor.h5"); print(again)]]

-- nn.Module methods (m is any module) --------------------------------------------------
E["module:forward"] = "local m = nn.Linear(3, 2); local y = m:forward(nn.ones(4, 3))"
E["module:backward"] = [[local m = nn.Linear(3, 2); local x = nn.ones(4, 3)
m:forward(x); local dx = m:backward(x, nn.ones(4, 2))]]
E["module:describe"] = "nn.Linear(3, 2):describe()"
E["module:spec"] = "nn.Linear(3, 2):spec()"
E["module:evaluate"] = "local m = nn.Dropout(0.5):evaluate(); m:forward(nn.ones(1, 4))"
E["module:training"] = "local m = nn.Dropout(0.5); m:evaluate(); m:training()"
E["module:named_buffers"] = "nn.BatchNorm(3):named_buffers()"
E["module:named_parameters"] = "for _, p in ipairs(nn.Linear(3, 2):named_parameters()) do print(p.name) end"
E["module:need_input_grad"] = "nn.Linear(3, 2):need_input_grad(false)"
E["module:num_parameters"] = "nn.Linear(3, 2):num_parameters()   -- 8"
E["module:needInputGrad"] = "nn.Linear(3, 2):needInputGrad(false)   -- Torch7 name of need_input_grad"
E["module:numParameters"] = "nn.Linear(3, 2):numParameters()   -- Torch7 name of num_parameters"
E["module:parameters"] = "local params, grads = nn.Linear(3, 2):parameters()"
E["module:zero_grad"] = "nn.Linear(3, 2):zero_grad()"
E["module:zeroGrad"] = "nn.Linear(3, 2):zeroGrad()   -- Torch7 name of zero_grad"

-- optim ------------------------------------------------------------------------------------
E["optim.sgd"] = [[local model = nn.Linear(3, 2)
local opt = optim.sgd{lr = 0.15, momentum = 0.85}
model:backward(nn.ones(1, 3), nn.ones(1, 2)); opt:step(model:parameters())]]
E["optim.adam"] = [[local model = nn.Linear(3, 2); local opt = optim.adam{lr = 1e-3}
model:backward(nn.ones(1, 3), nn.ones(1, 2)); opt:step(model:parameters())]]
E["optim.rmsprop"] = [[local model = nn.Linear(3, 2); local opt = optim.rmsprop{lr = 1e-2}
model:backward(nn.ones(1, 3), nn.ones(1, 2)); opt:step(model:parameters())]]
E["optim.exp_decay"] = "local opt = optim.sgd{lr = 0.1, schedule = optim.exp_decay(0.95)}"
E["optim.step_decay"] = "local opt = optim.sgd{lr = 0.1, schedule = optim.step_decay(10, 0.5)}"

-- h5 ------------------------------------------------------------------------------------------
E["h5.attrs"] = "h5.attrs(\"data/data1.h5\")"
E["h5.exists"] = "h5.exists(\"data/data2.h5\", \"words\")"
E["h5.list"] = "h5.list(\"data/data2.h5\")"
E["h5.load"] = "local d = h5.load(\"data/data2.h5\"); print(d.trainx:size(1), #d.words)"
E["h5.open_ids"] = "assert(h5.open_ids() == 0)"
E["h5.read"] = "local words = h5.read(\"data/data2.h5\", \"words\"); print(#words)"
E["h5.write"] = [[h5.write("out/example.h5", "model/weight", nn.randn(4, 3), {compress = 4})
h5.write("out/example.h5", "vocab", {"a", "b"})]]
E["h5.setattr"] = [[h5.write("out/example.h5", "vocab", {"a", "b"})
h5.setattr("out/example.h5", nil, "epoch", 12)
h5.setattr("out/example.h5", "vocab", "note", "two words")]]

-- entries whose own trailing indented block is a formula, not an example
local keep = {["optim.adam"] = true, ["optim.rmsprop"] = true}

-- json, which has no docstrings of its own
local jdocs = {
  encode = "json.encode(v [, {indent=}]) -> string\nJSON text of a Lua value (tables with 1..n keys become arrays).",
  decode = "json.decode(s) -> value\nThe Lua value of a JSON text; errors name the position.",
  write = "json.write(path, v)\nWrite json.encode(v) (indented) to a file, through a temporary and a rename.",
}
E["json.encode"] = "json.encode{a = 1, b = {true, \"x\"}}"
E["json.decode"] = "local v = json.decode('{\"a\": [1, 2]}'); print(v.a[2])"
E["json.write"] = "json.write(\"out/example.json\", {epochs = 3})"

-- Modules loaded on first use: h5 loads HDF5 (and ~35 libraries), so its
-- examples are attached when it loads (lua/h5.lua calls the function this
-- module leaves in package.loaded["nnsh.doc_examples.attach"]), not here.
local lazy = {h5 = true}

local function resolve(name, mods)
  local head, _, field = name:match("^([%w_]+)([.:])([%w_]+)$")
  if head == "t" then return getmetatable(nn.zeros(1)).__methods[field] end
  if head == "module" then return nn.Module[field] end
  if head == "nn" then return nn[field] end
  local mod = mods and mods[head]
  if not mod then
    if lazy[head] and package.loaded[head] == nil then return nil end
    local ok, m = pcall(require, head)
    mod = ok and m or nil
  end
  return type(mod) == "table" and mod[field] or nil
end

local json_ok, json = pcall(require, "json")
if json_ok then
  for k, d in pairs(jdocs) do
    if type(json[k]) == "function" and not nn.doc(json[k]) then nn.setdoc(json[k], d) end
  end
end
if not nn.doc(nn.Recurrent) then
  nn.setdoc(nn.Recurrent, "nn.Recurrent(cell, nin, nhid [, opts]) -> module\n" ..
    "The recurrent layer behind nn.RNN, nn.LSTM and nn.GRU (cell 'rnn', 'lstm' or 'gru'):\n" ..
    "input (B, T, nin), output the last hidden state (B, nhid), or every state with {all=true}.")
end

-- Attach the examples of every module (only: the one named, given as mod).
local function attach(only, mod)
  for name, code in pairs(E) do
    if not only or name:match("^[%w_]+") == only then
      local f = resolve(name, only and {[only] = mod})
      local d = f and nn.doc(f)
      if d then
        local body = keep[name] and d or docex.strip(d)
        nn.setdoc(f, body .. "\nExample:\n  " .. code:gsub("\n", "\n  "))
      end
    end
  end
end
attach()
package.loaded["nnsh.doc_examples.attach"] = attach

return E
