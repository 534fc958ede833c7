-- The Q2 trigram next-word model: building it, reading its data, saving and
-- loading checkpoints, and querying a trained model live.
--
--   local tg = require "trigram"
--   m = tg.load()                      -- models/q2_D32_P256.h5 by default
--   m:topk("what does new", 10)        -- ranked {word=, p=} list
--   m:prob("what does new", "york")
--   m:embedding("york")                -- its D-vector (a view of R)
--   m:nearest("york", 5)               -- cosine neighbours in embedding space
--
-- Network (EXPERIMENTS.md Q2): one embedding matrix R (V x D) shared by the
-- three context positions (a row lookup), the three rows concatenated (3D),
-- P sigmoid units, a V-way softmax.  Queries are tokenised as the corpus
-- was (tg.tokenize): lower case, "don't" -> do nt, "it's" -> it 's,
-- punctuation split off; "," "." "'s" "nt" are words of the vocabulary.
local nn = require "nn"
local h5 = require "h5"

local tg = {}

local paths = require "nnsh.paths"
tg.root = paths.root
tg.default_data = paths.file("data", "data2.h5")
tg.default_model = paths.file("models", "q2_D32_P256.h5")

local function doc(fn, text)
  if nn.setdoc then nn.setdoc(fn, text) end
  return fn
end

-- The network as a plain Sequential, so nn.fit, nn.save and the optimizers
-- treat it like any other model.
function tg.build(V, D, P, std)
  std = std or 0.01
  local model = nn.Sequential{
    nn.Embedding(V, D),
    nn.View(-1, 3 * D),
    nn.Linear(3 * D, P),
    nn.Sigmoid(),
    nn.Linear(P, V),
  }
  -- All weights and biases N(0, std^2), as the course specifies.
  for _, p in ipairs((model:parameters())) do p:normal_(0, std) end
  return model
end
doc(tg.build, "tg.build(V, D, P [, std=0.01]) -> nn.Sequential: Embedding(V,D) -> View(3D) ->\n" ..
  "Linear(3D,P) -> Sigmoid -> Linear(P,V), weights and biases N(0, std^2).\n" ..
  "  local model = tg.build(250, 32, 256); model:forward(nn.index{{1, 2, 3}})")

-- Data: index tensors (1-based on the Lua side) and the vocabulary.
function tg.read_data(path)
  path = path or tg.default_data
  local d = {words = h5.read(path, "words")}
  for _, name in ipairs{"trainx", "traind", "valx", "vald", "testx", "testd"} do
    d[name] = h5.read(path, name)
  end
  return d
end
doc(tg.read_data, "tg.read_data([path]) -> {trainx, traind, valx, vald, testx, testd, words}\n" ..
  "from data/data2.h5 (index tensors, 1-based words).\n" ..
  "  local d = tg.read_data(); print(d.trainx:size(1), #d.words)")

-- Cross-entropy (mean, nats) and accuracy of a model over (x, y), in
-- batches, in evaluation mode: nn.evaluate, whose accuracy is the count of
-- correct rows the cross-entropy kernel returns with the loss.
function tg.evaluate(model, x, y, batch)
  return nn.evaluate(model, nn.CrossEntropyLoss(), x, y, batch or 5000)
end
doc(tg.evaluate, "tg.evaluate(model, x, y [, batch]) -> mean cross-entropy (nats), accuracy.\n" ..
  "  local d = tg.read_data(); local m = tg.load()\n" ..
  "  local ce, acc = tg.evaluate(m.model, d.testx:narrow(1, 1, 1000), d.testd:narrow(1, 1, 1000))")

-- Checkpoint: the model through nn.save plus the vocabulary and training
-- facts, written to a temporary file and renamed (nn.atomic_write) so a
-- failed save never destroys the previous checkpoint.
function tg.save(path, model, words, info)
  nn.atomic_write(path, function(tmp)
    nn.save(tmp, model)
    h5.write_into(tmp, "vocabulary/words", words)
    for k, v in pairs(info or {}) do h5.setattr_into(tmp, "vocabulary", k, v) end
    nn._seal(tmp) -- the additions are part of the checksummed content
  end, {mkdir = false})
  return path
end
doc(tg.save, "tg.save(path, model, words [, info]) -> path\n" ..
  "Checkpoint of a trigram model: nn.save of the model, the vocabulary, and info's\n" ..
  "values as attributes; written to a temporary and renamed (tg.load reads it).\n" ..
  "  local m = tg.load(); tg.save(\"out/trigram_copy.h5\", m.model, m.words, {note = \"copy\"})")

-- Edit distance with adjacent transpositions (lua/edit_distance.lua), for
-- suggesting vocabulary words close to a typo: "dose" is one edit from "does".
local edit_distance = require "edit_distance"
tg.edit_distance = edit_distance
doc(tg.edit_distance, "tg.edit_distance(a, b) -> number of single-letter insertions, deletions,\n" ..
  "substitutions and adjacent swaps turning a into b (used to suggest words).\n" ..
  "  tg.edit_distance(\"dose\", \"does\")   -- 1")

local Model = {}
Model.__index = Model

local function closest_words(words, w, n)
  local scored = {}
  for i, v in ipairs(words) do scored[i] = {v, edit_distance(w, v)} end
  table.sort(scored, function(a, b)
    if a[2] ~= b[2] then return a[2] < b[2] end
    return a[1] < b[1]
  end)
  local out = {}
  for i = 1, math.min(n, #scored) do out[i] = scored[i][1] end
  return out
end

function Model:word_id(w)
  local id = self.ids[w]
  if not id then
    local near = closest_words(self.words, w, 5)
    error(("unknown word '%s' (not among the %d words of the vocabulary); closest: %s")
      :format(w, #self.words, table.concat(near, ", ")), 0)
  end
  return id
end

-- Queries are tokenised the way the corpus was (Penn-Treebank style, lower
-- case): "n't" becomes the word "nt" after its stem ("don't" -> do nt,
-- "can't" -> ca nt), the clitics 's 're 've 'll 'd 'm are words of their
-- own ("it's" -> it 's), and punctuation , . ? ! ; : ( ) " $ -- is split
-- off, except the full stop of abbreviations the vocabulary knows (mr.).
local clitics = {"'s", "'re", "'ve", "'ll", "'d", "'m"}
local lead_punct = {["$"] = true, ["("] = true, ['"'] = true, ["`"] = true, ["'"] = true}
local trail_punct = {[","] = true, ["."] = true, ["?"] = true, ["!"] = true, [";"] = true,
                     [":"] = true, [")"] = true, ['"'] = true, ["'"] = true}

local function split_chunk(w, known, out)
  local tail = {}
  -- leading symbols: $5 -> $ 5, (new -> ( new
  while #w > 1 and lead_punct[w:sub(1, 1)] and not (known and known[w]) do
    out[#out + 1] = w:sub(1, 1)
    w = w:sub(2)
  end
  -- trailing punctuation and dashes, innermost last
  while #w > 0 and not (known and known[w]) do
    if w:sub(-2) == "--" and #w > 2 then
      table.insert(tail, 1, "--"); w = w:sub(1, -3)
    elseif #w > 1 and trail_punct[w:sub(-1)] then
      table.insert(tail, 1, w:sub(-1)); w = w:sub(1, -2)
    else
      break
    end
  end
  if not (known and known[w]) then
    local stem = w:match("^(.+)n't$")
    if stem then
      out[#out + 1] = stem; out[#out + 1] = "nt"; w = nil
    else
      for _, c in ipairs(clitics) do
        if #w > #c and w:sub(-#c) == c then
          out[#out + 1] = w:sub(1, -#c - 1); out[#out + 1] = c; w = nil
          break
        end
      end
    end
  end
  if w and w ~= "" then out[#out + 1] = w end
  for _, t in ipairs(tail) do out[#out + 1] = t end
end

--- tg.tokenize(text [, known]) -> list of tokens, as the corpus spells them.
-- known (a set of words) keeps vocabulary words such as "mr." whole.
function tg.tokenize(text, known)
  if type(text) ~= "string" then
    error(("tg.tokenize: expected a string, got %s"):format(type(text)), 2)
  end
  local out = {}
  -- Plain lower-case words (most queries) need no splitting: every rule
  -- below starts at punctuation, an apostrophe, a capital or a non-ASCII
  -- character.
  if not text:find("[^a-z%s]") then
    for w in text:gmatch("%S+") do out[#out + 1] = w end
    return out
  end
  -- typographic apostrophes and quotes as their ASCII forms
  text = text:gsub("\u{2019}", "'"):gsub("\u{2018}", "'"):gsub("[\u{201C}\u{201D}]", '"')
  for w in text:lower():gmatch("%S+") do split_chunk(w, known, out) end
  return out
end
doc(tg.tokenize, "tg.tokenize(text [, known]) -> list of words as the corpus spells them\n" ..
  "Lower case; \"don't\" -> do nt, \"it's\" -> it 's; punctuation split off; words in the\n" ..
  "set known (e.g. a model's m.ids) kept whole, such as \"mr.\".\n" ..
  "  tg.tokenize(\"I don't know.\")   -- {\"i\", \"do\", \"nt\", \"know\", \".\"}")

-- "What don't  NEW" -> {"what", "do", "nt", "new"}, with checks.
function Model:tokens(text)
  if type(text) ~= "string" then
    error(("a trigram is a string of three words, got %s"):format(type(text)), 0)
  end
  local toks = tg.tokenize(text, self.ids)
  if #toks ~= 3 then
    error(("a trigram needs three words, got %d: '%s'%s"):format(#toks, text,
      #toks ~= select(2, text:gsub("%S+", "")) and (" (read as: %s)"):format(table.concat(toks, " ")) or ""), 0)
  end
  return toks
end

function Model:ids_of(text)
  local toks = self:tokens(text)
  local ids = {}
  for i, w in ipairs(toks) do ids[i] = self:word_id(w) end
  return ids
end

-- Probabilities of every next word for each context (rows of an (N,3)
-- index tensor), as an (N,V) tensor.
function Model:probs(x)
  return self.model:forward(x):softmax()
end

local Ranked = {}
Ranked.__index = Ranked
Ranked.__tostring = function(r)
  local lines = {("%s  ->"):format(r.context)}
  for i, e in ipairs(r) do
    lines[#lines + 1] = ("%3d  %-10s %.4f  %s"):format(i, e.word, e.p, string.rep("#", math.floor(e.p * 40 + 0.5)))
  end
  return table.concat(lines, "\n")
end

-- The weights of a model shaped as tg.build makes it (Embedding, View to
-- (-1, 3D), Linear, Sigmoid, Linear), else nil: such a model answers a query
-- in one C call, nn.C.context_mlp_topk, bitwise the same as the forward
-- pass through its modules but without their per-layer dispatch and
-- allocations (tests/lua/q2_spec.lua compares the two).
local function fused_weights(model)
  local ms = model.modules
  if type(ms) ~= "table" or #ms ~= 5 then return nil end
  local emb, view, l1, act, l2 = ms[1], ms[2], ms[3], ms[4], ms[5]
  if getmetatable(emb) ~= nn.Embedding or getmetatable(view) ~= nn.View
     or getmetatable(l1) ~= nn.Linear or getmetatable(act) ~= nn.Sigmoid
     or getmetatable(l2) ~= nn.Linear then
    return nil
  end
  local dims = view.dims
  if #dims ~= 2 or dims[1] ~= -1 or dims[2] ~= 3 * emb.weight:size(2) then return nil end
  return emb.weight, l1.weight, l1.bias, l2.weight, l2.bias
end

function Model:topk(text, k)
  k = k or 10
  local toks = self:tokens(text)
  local known = self.ids
  local ids = {}
  for i = 1, 3 do ids[i] = known[toks[i]] or self:word_id(toks[i]) end
  if math.type(k) ~= "integer" or k < 1 or k > #self.words then
    error(("k must be an integer in [1, %d], got %s"):format(#self.words, tostring(k)), 0)
  end
  local out = setmetatable({context = table.concat(toks, " ")}, Ranked)
  local words = self.words
  local R, W1, b1, W2, b2 = fused_weights(self.model)
  if R then
    -- scratch space reused by every query (overwritten, not a cache)
    local q = self._query
    if not q then
      q = {p = {}, ix = {}, work = nn.zeros(0)}
      self._query = q
    end
    local p, ix = q.p, q.ix
    nn.C.context_mlp_topk(p, ix, q.work, k, R, W1, b1, W2, b2, ids[1], ids[2], ids[3])
    for i = 1, k do out[i] = {word = words[ix[i]], p = p[i]} end
    return out
  end
  local v, ix = self:probs(nn.index{ids}):topk(k)
  local vt, it = v:totable()[1], ix:totable()[1]
  for i = 1, k do out[i] = {word = words[it[i]], p = vt[i]} end
  return out
end

function Model:prob(text, word)
  local ids = self:ids_of(text)
  local id = self:word_id(word:lower())
  return self:probs(nn.index{ids})[1][id]
end

function Model:embedding(word)
  return self.R[self:word_id(word:lower())]
end

function Model:nearest(word, k)
  k = k or 5
  local id = self:word_id(word:lower())
  local R = self.R
  local norms = R:square():sum(2):sqrt()
  local sims = nn.mm(R, R[id]:view(-1, 1)):view(-1) / (norms * norms[id] + 1e-12)
  sims[id] = -math.huge -- not its own neighbour
  local v, ix = sims:topk(math.min(k, #self.words - 1))
  local out = setmetatable({context = "nearest to " .. word}, Ranked)
  local vt, it = v:totable(), ix:totable()
  for i = 1, #vt do out[i] = {word = self.words[it[i]], p = vt[i], similarity = vt[i]} end
  return out
end

-- Help for the model's methods (?m:topk at the prompt).
doc(Model.topk, "m:topk(text [, k=10]) -> ranked list of {word=, p=} (prints as a table)\n" ..
  "The k most probable next words after a trigram (tokenised as the corpus, see\n" ..
  "tg.tokenize); an unknown word is an error naming the closest vocabulary words.\n" ..
  "  local m = tg.load(); print(m:topk(\"what does new\", 3))")
doc(Model.prob, "m:prob(text, word) -> probability of word after the trigram text\n" ..
  "  local m = tg.load(); print(m:prob(\"what does new\", \"york\"))")
doc(Model.probs, "m:probs(x) -> (N, V) tensor: next-word probabilities for each row of an\n" ..
  "(N, 3) index tensor of word numbers.\n" ..
  "  local m = tg.load(); local p = m:probs(nn.index{m:ids_of(\"what does new\")})")
doc(Model.embedding, "m:embedding(word) -> its D-vector (a view of the embedding matrix R)\n" ..
  "  local m = tg.load(); print(m:embedding(\"york\"))")
doc(Model.nearest, "m:nearest(word [, k=5]) -> the k words with the most similar embeddings\n" ..
  "(cosine similarity), as a ranked list.\n" ..
  "  local m = tg.load(); print(m:nearest(\"could\", 3))")
doc(Model.tokens, "m:tokens(text) -> the three words of a trigram as the corpus spells them\n" ..
  "(an error unless there are exactly three).\n" ..
  "  local m = tg.load(); print(table.concat(m:tokens(\"I don't\"), \" \"))")
doc(Model.ids_of, "m:ids_of(text) -> the word numbers of a trigram's three words\n" ..
  "  local m = tg.load(); local ids = m:ids_of(\"what does new\")")
doc(Model.word_id, "m:word_id(word) -> the word's number in the vocabulary (error if unknown)\n" ..
  "  local m = tg.load(); print(m:word_id(\"york\"), m.words[m:word_id(\"york\")])")

-- Load a checkpoint written by tg.save (q2_train.lua).
function tg.load(path)
  path = path or tg.default_model
  local f = io.open(path, "rb")
  if not f then
    error(("no trained model at %s; train one with\n  nnsh scripts/q2_train.lua --configs 32x256\n" ..
           "or run  nnsh scripts/q2_topk.lua --train"):format(path), 2)
  end
  f:close()
  local model = nn.load(path) -- checks the file's seal before libhdf5 reads it
  model:evaluate()
  -- the vocabulary and its attributes through one open file
  local hok, hold = pcall(h5.hold, path)
  local _ <close> = hok and hold or nil
  local words = h5.read(path, "vocabulary/words")
  local ids = {}
  for i, w in ipairs(words) do ids[w] = i end
  local self = setmetatable({model = model, words = words, ids = ids, path = path,
                             info = h5.attrs(path, "vocabulary")}, Model)
  -- The embedding matrix is the first parameter of the first module.
  self.R = model.modules[1].weight
  return self
end
doc(tg.load, "tg.load([path]) -> trained trigram model (default models/q2_D32_P256.h5).\n" ..
  "  m = tg.load(); m:topk('what does new', 10); m:prob('what does new', 'york')\n" ..
  "  m:embedding('york'); m:nearest('york', 5)")

return tg
