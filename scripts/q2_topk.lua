-- Q2 part b: the most probable 4th words after trigrams, from the trained
-- model: every trigram given, or 5 random test trigrams (seeded) when none
-- is (--samples N shows N of them in either case).
--
--   nnsh scripts/q2_topk.lua [--model FILE] [--k 10] [--samples N] [--seed S]
--        [--json FILE] [--train] ["w1 w2 w3" ...]
local nn = require "nn"
local cli = require "cli"
local json = require "json"
local tg = require "trigram"
local h5 = require "h5"

local opt, queries = cli.parse(arg, {
  usage = 'nnsh scripts/q2_topk.lua [options] ["w1 w2 w3" ...]',
  {"model", tg.default_model, "trained model checkpoint"},
  {"k", 10, "how many next words to show"},
  {"samples", nil, "random test trigrams to show (default 5 without queries, else 0)", type = "number"},
  {"seed", 1, "random seed for picking test trigrams"},
  {"data", tg.default_data, "the Q2 HDF5 file (for test trigrams)"},
  {"json", nil, "write the queries and answers as JSON to FILE", type = "string"},
  {"train", false, "train the default (32,256) model first if the file is missing"},
})

if opt.train and not io.open(opt.model, "rb") then
  local dir = opt.model:match("^(.*)/[^/]*$") or "."
  local cmd = ("%q %q --configs 32x256 --out %q"):format(arg[-1] or "nnsh",
    tg.root .. "/scripts/q2_train.lua", dir)
  print("training the default model: " .. cmd)
  assert(os.execute(cmd), "training failed")
  local trained = dir .. "/q2_D32_P256.h5"
  if trained ~= opt.model then assert(os.rename(trained, opt.model)) end
end

local ok, m = pcall(tg.load, opt.model)
if not ok then
  io.stderr:write("q2_topk: ", tostring(m), "\n")
  os.exit(1)
end

local answers = {}
local function show(r, truth)
  print(tostring(r) .. (truth and ("\n     true next word: %s"):format(truth) or ""))
  print()
  local entry = {context = r.context, truth = truth, ranked = {}}
  for i, e in ipairs(r) do entry.ranked[i] = {word = e.word, p = e.p} end
  answers[#answers + 1] = entry
end

-- Reading the test set costs more than a query: only when asked for, or
-- when there is nothing else to show.
local samples = opt.samples or (#queries == 0 and 5 or 0)
if samples > 0 then
  local testx, testd
  do
    local _ <close> = h5.hold(opt.data)
    testx, testd = h5.read(opt.data, "testx"), h5.read(opt.data, "testd")
  end
  nn.seed(opt.seed)
  print(("%d random test trigrams (seed %d), top %d next words:\n"):format(samples, opt.seed, opt.k))
  for _ = 1, samples do
    local i = nn.randint(testx:size(1))
    local ctx = testx[i]:totable()
    local text = ("%s %s %s"):format(m.words[ctx[1]], m.words[ctx[2]], m.words[ctx[3]])
    show(m:topk(text, opt.k), m.words[testd[i]])
  end
end

local failed = false
for _, q in ipairs(queries) do
  local okq, r = pcall(m.topk, m, q, opt.k)
  if okq then
    show(r)
  else
    io.stderr:write(("q2_topk: %s\n"):format(tostring(r)))
    failed = true
  end
end

if opt.json then
  json.write(opt.json, {model = opt.model, k = opt.k, queries = answers})
  print("wrote " .. opt.json)
end
if failed then os.exit(1) end
