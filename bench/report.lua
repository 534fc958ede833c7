-- Summary of a bench/run result table: the figures per workload, the ratios
-- and the issue's targets (nnsh >= 2x faster than PyTorch's best setting;
-- trigram/LSTM/GRU epoch within 1.5x of the sgemm floor), as Markdown.
local report = {}

local SPEED_TARGET = 2.0

local function f(x, fmt)
  if x == nil then return "–" end
  return string.format(fmt or "%.3g", x)
end

-- An error text on one Markdown line.
local function oneline(s, n)
  return (tostring(s):gsub("%s+", " "):sub(1, n or 200))
end

local function sorted_keys(t)
  local ks = {}
  for k in pairs(t or {}) do ks[#ks + 1] = k end
  table.sort(ks, function(a, b)
    local na, nb = tonumber(a:match("^%d+")), tonumber(b:match("^%d+"))
    if na ~= nb then return na < nb end
    return a < b
  end)
  return ks
end

-- "2 passive" -> "2T passive"
local function label(k) return (tostring(k):gsub("^(%d+)", "%1T")) end

-- Best (smallest) sec_per_epoch of a {setting -> measurement} table.
local function best(t)
  local bk, bv
  for _, k in ipairs(sorted_keys(t)) do
    local v = t[k].sec_per_epoch
    if v and (not bv or v < bv) then bk, bv = k, v end
  end
  return bk, bv
end

-- Derived figures of one workload result (adds them to the table).
function report.derive(w)
  local d = {}
  d.nnsh_best_t, d.nnsh_best = best(w.nnsh)
  d.torch_best_k, d.torch_best = best(w.torch)
  if d.nnsh_best and d.torch_best then
    d.speedup = d.torch_best / d.nnsh_best
    d.speed_met = d.speedup >= SPEED_TARGET
  end
  d.per_t = {}
  for t, m in pairs(w.nnsh or {}) do
    local floor = w.floor and w.floor[t:match("^%d+")]
    if m.sec_per_epoch then
      d.per_t[t] = {
        achieved_gflops = w.gemm_flops_per_epoch / m.sec_per_epoch * 1e-9,
        floor = floor,
        over_floor = floor and m.sec_per_epoch / floor,
        sgemm_gflops = floor and w.gemm_flops_per_epoch / floor * 1e-9,
      }
    end
  end
  if d.nnsh_best_t and w.floor_target then
    local p = d.per_t[d.nnsh_best_t]
    d.over_floor = p and p.over_floor
    d.floor_met = d.over_floor and d.over_floor <= w.floor_target
  end
  w.derived = d
  return d
end

local function verdict(met, ratio, target, better_high)
  if met == nil then return "–" end
  if met then return ("met (%.2fx)"):format(ratio) end
  local by = better_high and target / ratio or ratio / target
  return ("MISSED (%.2fx, %.0f%% short)"):format(ratio, (by - 1) * 100)
end

local function setting_md(s, out, threads)
  local function add(line) out[#out + 1] = line end
  add(("### OPENBLAS_CORETYPE=%s"):format(s.coretype))
  add("")
  add(("OpenBLAS kernel (openblas_get_corename): OpenBLAS by itself %s; nnsh %s (%s: %s), "
    .. "subnormals %s; sgemm floor measured on %s."):format(
    s.openblas_detected or "?", s.nnsh_corename or "?", s.nnsh_core_source or "?",
    s.nnsh_core_reason or "?", s.nnsh_ftz and "flushed (FTZ/DAZ)" or "kept", s.corename or "?"))
  local tk = {}
  for _, k in ipairs(sorted_keys(s.torch_corenames)) do tk[#tk + 1] = label(k) .. " " .. s.torch_corenames[k] end
  add(("PyTorch kernel per setting: %s."):format(#tk > 0 and table.concat(tk, ", ") or "–"))
  if not s.torch_nnsh_core then
    add("PyTorch with nnsh's kernel: the same as PyTorch as installed (nnsh kept OpenBLAS's kernel).")
  end
  add("")
  -- seconds per epoch
  local tcols = {}
  for _, w in ipairs(s.workloads) do for _, k in ipairs(sorted_keys(w.torch)) do tcols[k] = true end end
  local tkeys = sorted_keys(tcols)
  local ncols = {}
  for _, w in ipairs(s.workloads) do for _, k in ipairs(sorted_keys(w.nnsh)) do ncols[k] = true end end
  for _, t in ipairs(threads) do ncols[tostring(t)] = true end
  local nkeys = sorted_keys(ncols)
  local head = {"workload"}
  for _, k in ipairs(nkeys) do head[#head + 1] = "nnsh " .. label(k) end
  for _, k in ipairs(tkeys) do head[#head + 1] = "torch " .. label(k) end
  for _, h in ipairs{"torch best / nnsh best", "2x target", "floor (s)", "nnsh / floor", "floor target"} do
    head[#head + 1] = h
  end
  add("Seconds per epoch (median of the repeats):")
  add("")
  add("| " .. table.concat(head, " | ") .. " |")
  add("|" .. string.rep("---|", #head))
  local notes = {}
  for _, w in ipairs(s.workloads) do
    local d = report.derive(w)
    local row = {w.name}
    for _, k in ipairs(nkeys) do
      local m = w.nnsh[k]
      row[#row + 1] = w.nnsh_missing and "missing" or (m and (m.error and "FAILED" or f(m.sec_per_epoch, "%.4g")) or "–")
    end
    for _, k in ipairs(tkeys) do
      local m = w.torch[k]
      row[#row + 1] = m and (m.error and "FAILED" or f(m.sec_per_epoch, "%.4g")) or "–"
    end
    row[#row + 1] = d.speedup and ("%.2f (torch %s vs nnsh %s)"):format(d.speedup, label(d.torch_best_k), label(d.nnsh_best_t)) or "–"
    row[#row + 1] = verdict(d.speed_met, d.speedup, SPEED_TARGET, true)
    local p = d.nnsh_best_t and d.per_t[d.nnsh_best_t]
    local fl = p and p.floor or (w.floor and w.floor["1"])
    row[#row + 1] = f(fl, "%.4g")
    row[#row + 1] = p and p.over_floor and ("%.2f"):format(p.over_floor) or "–"
    row[#row + 1] = w.floor_target and verdict(d.floor_met, d.over_floor, w.floor_target, false) or "n/a"
    add("| " .. table.concat(row, " | ") .. " |")
    local foreign = 0
    for _, tbl in ipairs{w.nnsh, w.torch} do
      for _, m in pairs(tbl) do foreign = math.max(foreign, m.max_foreign_cpu_s or 0) end
    end
    if foreign > 0.25 then
      notes[#notes + 1] = ("- %s: other processes used up to %.1f CPU s during one of its runs "
        .. "(the repeats run in rounds, so both sides are exposed alike)."):format(w.name, foreign)
    end
    if w.loadavg then
      notes[#notes + 1] = ("- %s: load average before %s, after %s."):format(
        w.name, w.loadavg.start:match("^(%S+ %S+ %S+)"), w.loadavg.finish:match("^(%S+ %S+ %S+)"))
    end
    if w.nnsh_missing then notes[#notes + 1] = ("- %s: nnsh side missing: %s."):format(w.name, w.nnsh_missing) end
    if w.torch_missing then notes[#notes + 1] = ("- %s: PyTorch side missing: %s."):format(w.name, w.torch_missing) end
    for side, tbl in pairs{nnsh = w.nnsh, torch = w.torch} do
      for k, m in pairs(tbl) do
        if m.error then notes[#notes + 1] = ("- %s %s %s failed: `%s`"):format(w.name, side, label(k), oneline(m.error)) end
        if m.scaled then
          notes[#notes + 1] = ("- %s %s %s: %d of %d mini-batches timed, scaled to an epoch."):format(
            w.name, side, label(k), m.batches_timed or 0, m.batches_per_epoch or 0)
        end
      end
    end
  end
  add("")
  -- GFLOP/s and memory
  add("Matrix-product work and memory (floor = epoch GEMM FLOPs / sgemm rate at the workload's shapes):")
  add("")
  local h2 = {"workload", "GFLOP/epoch"}
  for _, t in ipairs(threads) do
    h2[#h2 + 1] = ("sgemm %sT GFLOP/s"):format(t)
    h2[#h2 + 1] = ("nnsh %sT GFLOP/s (fraction)"):format(t)
  end
  h2[#h2 + 1] = "peak RSS nnsh / torch (MB, 1T)"
  add("| " .. table.concat(h2, " | ") .. " |")
  add("|" .. string.rep("---|", #h2))
  for _, w in ipairs(s.workloads) do
    local d = w.derived
    local row = {w.name, f(w.gemm_flops_per_epoch * 1e-9, "%.2f")}
    for _, t in ipairs(threads) do
      local fl = w.floor and w.floor[tostring(t)]
      row[#row + 1] = fl and f(w.gemm_flops_per_epoch / fl * 1e-9, "%.1f") or "–"
      local p = d.per_t[tostring(t)]
      row[#row + 1] = p and ("%.1f (%.0f%%)"):format(p.achieved_gflops, 100 * (p.floor and p.floor / (w.gemm_flops_per_epoch / p.achieved_gflops * 1e-9) or 0)) or "–"
    end
    local n1, t1 = w.nnsh["1"], w.torch["1"]
    row[#row + 1] = ("%s / %s"):format(n1 and n1.max_rss_kb and f(n1.max_rss_kb / 1024, "%.0f") or "–",
                                       t1 and t1.max_rss_kb and f(t1.max_rss_kb / 1024, "%.0f") or "–")
    add("| " .. table.concat(row, " | ") .. " |")
  end
  add("")
  if s.startup then
    local st = s.startup
    add(("Start-up (median wall, %d runs): `nnsh -e ''` %s s (%s MB); `python3 -c 'import torch'` %s s (%s MB)."):format(
      st.nnsh.n or 0, f(st.nnsh.wall, "%.4f"), f(st.nnsh.max_rss_kb and st.nnsh.max_rss_kb / 1024, "%.0f"),
      f(st.torch and st.torch.wall, "%.3f"), f(st.torch and st.torch.max_rss_kb and st.torch.max_rss_kb / 1024, "%.0f")))
    add("")
  end
  if s.query then
    local q = s.query
    add(("Top-10 query `%s`: end to end `nnsh scripts/q2_topk.lua \"%s\"` %s; PyTorch script (import, load, query) %s."):format(
      q.text, q.text,
      q.nnsh_e2e.wall and (f(q.nnsh_e2e.wall, "%.3f") .. " s") or oneline(q.nnsh_e2e.missing or q.nnsh_e2e.error or "–"),
      q.torch_e2e and q.torch_e2e.wall and (f(q.torch_e2e.wall, "%.3f") .. " s") or "–"))
    add(("In-process per query: nnsh `m:topk(..., 10)` %s; PyTorch forward + topk %s."):format(
      q.nnsh_inproc.us_per_query and (f(q.nnsh_inproc.us_per_query, "%.1f") .. " µs") or oneline(q.nnsh_inproc.missing or ("failed: " .. tostring(q.nnsh_inproc.error))),
      q.torch_inproc and q.torch_inproc.us_per_query and (f(q.torch_inproc.us_per_query, "%.1f") .. " µs") or "–"))
    add("")
  end
  -- sgemm table
  add("<details><summary>sgemm rates (GFLOP/s) at the workloads' shapes</summary>")
  add("")
  local shapes = {}
  for _, t in ipairs(threads) do
    for sh in pairs((s.sgemm[tostring(t)] or {}).rates or {}) do shapes[sh] = true end
  end
  local sh_list = {}
  for sh in pairs(shapes) do sh_list[#sh_list + 1] = sh end
  table.sort(sh_list)
  local h3 = {"shape MxNxK:op"}
  for _, t in ipairs(threads) do h3[#h3 + 1] = ("%sT"):format(t) end
  add("| " .. table.concat(h3, " | ") .. " |")
  add("|" .. string.rep("---|", #h3))
  for _, sh in ipairs(sh_list) do
    local row = {sh}
    for _, t in ipairs(threads) do
      local r = ((s.sgemm[tostring(t)] or {}).rates or {})[sh]
      row[#row + 1] = r and f(r.gflops, "%.1f") or "–"
    end
    add("| " .. table.concat(row, " | ") .. " |")
  end
  add("")
  add("</details>")
  add("")
  if #notes > 0 then
    add("Notes:")
    for _, n in ipairs(notes) do add(n) end
    add("")
  end
end

function report.markdown(results)
  local m = results.machine
  local out = {}
  local function add(line) out[#out + 1] = line end
  add("## bench/run " .. (m.date or ""))
  add("")
  add(("- CPU: %s, %s CPU(s) (%s core(s) per socket, %s thread(s) per core), AVX-512F: %s"):format(
    m.cpu or "?", tostring(m.cpus), tostring(m.cores_per_socket), tostring(m.threads_per_core),
    m.avx512f and "yes" or "no"))
  add(("- Kernel: %s; git %s; PyTorch %s"):format(m.kernel or "?", m.git or "?", m.torch or "not available"))
  add(("- OPENBLAS_CORETYPE in the environment: %s; load average at start: %s, at end: %s"):format(
    m.openblas_coretype_env, m.loadavg_start or "?", m.loadavg_end or "?"))
  local o = results.options
  add(("- Options: threads %s, %d repeat(s), %s"):format(o.threads, o["repeat"],
    o.batches > 0 and ("%d mini-batches timed per run and scaled to an epoch"):format(o.batches)
      or "whole epochs timed (autoencoder and MLP: the mean of several epochs per run)"))
  add("- PyTorch settings: torch.set_num_threads(t) with OPENBLAS_NUM_THREADS=OMP_NUM_THREADS=t; "
      .. "at t > 1 also OMP_WAIT_POLICY=PASSIVE (\"passive\"); \"ftz\": torch.set_flush_denormal(True); "
      .. "\"core=K\": OPENBLAS_CORETYPE=K, the kernel nnsh chose. Ratios use the best of all PyTorch settings.")
  add("- nnsh settings: OPENBLAS_NUM_THREADS=t; at t > 1 nnsh's two-core pair is on (its default), "
      .. "\"nopair\": NNSH_PAIR=0, OpenBLAS's threads only.")
  add("")
  local threads = {}
  for t in o.threads:gmatch("[^,]+") do threads[#threads + 1] = t end
  for _, s in ipairs(results.settings) do setting_md(s, out, threads) end
  return table.concat(out, "\n")
end

return report
