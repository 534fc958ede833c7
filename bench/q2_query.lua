-- In-process latency of a top-10 trigram query (bench/README.md):
--   nnsh bench/q2_query.lua [--queries N] [--model FILE] ["w1 w2 w3"]
-- tg.load() once (timed separately), one untimed query, then N timed
-- m:topk(text, 10) calls; prints the ranking and a BENCH line with the
-- median-free mean microseconds per query (N queries in one interval).
local bench = require "bench"
local cli = require "cli"
local tg = require "trigram"

local opt, rest = cli.parse(arg or {}, {
  usage = "nnsh bench/q2_query.lua [options] [\"w1 w2 w3\"]",
  {"queries", 2000, "timed queries"},
  {"model", nil, "checkpoint (default: tg.load()'s)", type = "string"},
})
local text = rest[1] or "what does new"

local t0 = bench.clock()
local m = tg.load(opt.model)
local load_s = bench.clock() - t0

local first = m:topk(text, 10)
print(first)
-- Loading leaves megabytes of garbage (vocabulary, HDF5 reads); without a
-- collection here the incremental GC would charge part of it to the timed
-- queries (~1 µs each at 2000).  What is timed is then each query's own
-- cost, its own garbage's collection included, as in a running session.
collectgarbage()
local t1 = bench.clock()
for _ = 1, opt.queries do m:topk(text, 10) end
local per = (bench.clock() - t1) / opt.queries

bench.report{workload = "trigram_query", impl = "nnsh", query = text, k = 10,
             queries = opt.queries, us_per_query = per * 1e6, load_seconds = load_s,
             top1 = first[1].word, top1_p = first[1].p}
