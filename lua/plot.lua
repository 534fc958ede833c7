--- plot: line plots, grids of plots and confusion heatmaps through gnuplot.
--
--   plot.lines{ {name="train", y=t1}, {name="val", y=t2, x=...},
--               x=..., title=, xlabel=, ylabel=, logy=, path="out/loss.png",
--               width=800, height=500, terminal=false, quiet=false }
--   plot.grid{ {<lines spec without path>}, ..., rows=, cols=, title=,
--              path="out/sweep.png", width=, height= }
--   plot.term{...}                 -- = plot.lines{..., terminal=true}
--   plot.confusion(matrix, labels, {path=, title=, normalize=, xlabel=, ylabel=})
--
-- Series values (y, x) are Lua arrays or 1-d tensors; x defaults to 1..n and
-- a spec-level x applies to every series without its own.  A series may set
-- color ("#rrggbb"), dash (1 solid .. 5) and style ("lines", "points",
-- "linespoints"); by default colours cycle through 10 and then the dash
-- changes.  The output format
-- follows the path's extension: .png (gnuplot's pngcairo terminal, else png)
-- or .svg.  With terminal=true the plot is drawn as text (gnuplot's dumb
-- terminal), printed and returned: a curve can be looked at over ssh.
--
-- Every writer creates missing directories, lets gnuplot write a temporary
-- next to the target and renames it (atomic), prints "wrote <path>" unless
-- quiet, and returns the path.  NaN/inf values, mismatched lengths, bad
-- matrices and a missing gnuplot (Debian package gnuplot-nox) raise errors.
--
-- plot.script(kind, spec, term, output) returns the gnuplot script (data
-- inline as datablocks) without running it; tests inspect it.
local plot = {}

-- Values returned through shown() are not echoed again by the REPL.
local has_echo, echo = pcall(require, "nnsh.echo")
local shown = has_echo and echo.shown or function(...) return ... end

plot.gnuplot = "gnuplot" -- command used to run gnuplot

-- --- helpers ---------------------------------------------------------------

local function shq(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end
-- gnuplot single-quoted string: only ' needs escaping (doubled).
local function gq(s) return "'" .. tostring(s):gsub("'", "''"):gsub("[\r\n]", " ") .. "'" end

local function fmtnum(v) return string.format("%.9g", v) end

-- A Lua array of finite numbers from a table or 1-d tensor.
local function numbers(v, what, fname)
  if type(v) == "userdata" and v.totable then
    if v:dim() ~= 1 then
      error(string.format("%s: %s must be 1-d, got a %d-d tensor", fname, what, v:dim()), 0)
    end
    v = v:totable()
  end
  if type(v) ~= "table" then
    error(string.format("%s: %s must be an array or a 1-d tensor, got %s", fname, what,
                        type(v)), 0)
  end
  local n = #v
  if n == 0 then error(string.format("%s: %s is empty", fname, what), 0) end
  for i = 1, n do
    local x = v[i]
    if type(x) ~= "number" then
      error(string.format("%s: %s[%d] is %s, not a number", fname, what, i, type(x)), 0)
    end
    if x ~= x or x == math.huge or x == -math.huge then
      error(string.format("%s: %s[%d] is %s", fname, what, i, x ~= x and "NaN" or tostring(x)), 0)
    end
  end
  return v
end

local function ensure_dir(path, fname)
  local dir = path:match("^(.*)/[^/]*$")
  if not dir or dir == "" then return end
  local ok, nn = pcall(require, "nn")
  if ok and type(nn) == "table" and nn.image_c then
    local mok, err = pcall(nn.image_c.mkdirs, path)
    if not mok then error(fname .. ": " .. tostring(err):gsub("^image%.mkdirs: ", ""), 0) end
  else
    local okx = os.execute("mkdir -p " .. shq(dir))
    if not okx then error(fname .. ": cannot create directory '" .. dir .. "'", 0) end
  end
end

local have_gnuplot, have_pngcairo

local function check_gnuplot(fname)
  if have_gnuplot == nil or have_gnuplot ~= plot.gnuplot then
    local ok = os.execute("command -v " .. shq(plot.gnuplot) .. " >/dev/null 2>&1")
    if not ok then
      error(fname .. ": gnuplot not found ('" .. plot.gnuplot .. "'); install the Debian " ..
            "package gnuplot-nox (sudo apt-get install gnuplot-nox)", 0)
    end
    have_gnuplot = plot.gnuplot
    have_pngcairo = nil
  end
end

local function png_terminal()
  if have_pngcairo == nil then
    local f = io.popen(shq(plot.gnuplot) .. " -e 'set terminal pngcairo' 2>&1")
    local out = f:read("a")
    f:close()
    have_pngcairo = not out:find("unknown or ambiguous terminal")
  end
  return have_pngcairo and "pngcairo" or "png"
end

-- gnuplot terminal line for an output path, or an error.
local function terminal_for(path, width, height, fname)
  local ext = path:match("%.([%w]+)$")
  ext = ext and ext:lower()
  if ext == "png" then
    local t = png_terminal()
    return string.format("set terminal %s size %d,%d noenhanced%s", t, width, height,
                         t == "pngcairo" and " font 'sans,10'" or "")
  elseif ext == "svg" then
    return string.format("set terminal svg size %d,%d noenhanced background '#ffffff'",
                         width, height)
  end
  error(string.format("%s: cannot tell the format of '%s' (use a .png or .svg path)",
                      fname, path), 0)
end

-- Run a script; returns gnuplot's stdout. Errors carry gnuplot's stderr.
local function run(script, fname)
  local sname = os.tmpname()
  local ename = os.tmpname()
  local f = assert(io.open(sname, "w"))
  f:write(script)
  f:close()
  local p = io.popen(shq(plot.gnuplot) .. " " .. shq(sname) .. " 2>" .. shq(ename))
  local out = p:read("a")
  local ok, _, code = p:close()
  local ef = io.open(ename)
  local err = ef and ef:read("a") or ""
  if ef then ef:close() end
  os.remove(sname)
  os.remove(ename)
  if not ok then
    error(string.format("%s: gnuplot failed (exit %s): %s", fname, tostring(code),
                        err:gsub("%s+$", "")), 0)
  end
  return out
end

-- --- series and scripts ----------------------------------------------------

local line_keys = {title = true, xlabel = true, ylabel = true, logy = true, logx = true,
                   x = true, path = true, width = true, height = true, terminal = true,
                   quiet = true, key = true, yrange = true, xrange = true}

-- Checked series list {name=, x=, y=, style=} from a lines spec.
local function series_of(spec, fname)
  if type(spec) ~= "table" then
    error(fname .. ": expected a table of series, got " .. type(spec), 0)
  end
  for k in pairs(spec) do
    if type(k) ~= "number" and not line_keys[k] then
      error(fname .. ": unknown option '" .. tostring(k) .. "'", 0)
    end
  end
  local list = {}
  for i, s in ipairs(spec) do
    if type(s) ~= "table" then
      error(string.format("%s: series %d must be a table {name=, y=}, got %s", fname, i,
                          type(s)), 0)
    end
    local name = s.name or ("series " .. i)
    local y = numbers(s.y, "series '" .. name .. "' y", fname)
    local x
    if s.x ~= nil or spec.x ~= nil then
      x = numbers(s.x or spec.x, "series '" .. name .. "' x", fname)
      if #x ~= #y then
        error(string.format("%s: series '%s' has %d x values and %d y values", fname,
                            name, #x, #y), 0)
      end
    end
    if spec.logy then
      for j = 1, #y do
        if y[j] <= 0 then
          error(string.format("%s: logy needs positive values, series '%s' has %s at %d",
                              fname, name, fmtnum(y[j]), j), 0)
        end
      end
    end
    if s.color ~= nil and (type(s.color) ~= "string" or not s.color:match("^#%x%x%x%x%x%x$")) then
      error(string.format("%s: series '%s' color must be \"#rrggbb\", got %s", fname, name,
                          tostring(s.color)), 0)
    end
    if s.dash ~= nil and (math.type(s.dash) ~= "integer" or s.dash < 1 or s.dash > 5) then
      error(string.format("%s: series '%s' dash must be an integer 1..5, got %s", fname, name,
                          tostring(s.dash)), 0)
    end
    list[i] = {name = name, x = x, y = y, style = s.style or "lines", color = s.color,
               dash = s.dash}
  end
  if #list == 0 then error(fname .. ": no series to plot", 0) end
  return list
end

local function datablock(lines, name, s)
  lines[#lines + 1] = "$" .. name .. " << EOD"
  for j = 1, #s.y do
    lines[#lines + 1] = fmtnum(s.x and s.x[j] or j) .. " " .. fmtnum(s.y[j])
  end
  lines[#lines + 1] = "EOD"
end

local log_tics

-- A "nice" step (1, 2 or 5 times a power of ten) near span / n.
local function nice_step(span, n)
  local raw = span / n
  if raw <= 0 then return 1 end
  local mag = 10 ^ math.floor(math.log(raw, 10))
  for _, m in ipairs{1, 2, 5, 10} do
    if m * mag >= raw then return m * mag end
  end
  return 10 * mag
end

-- Linear ticks at multiples of a nice step inside [lo, hi] (used on a log
-- axis whose data stay within a decade, where no 1-2-5 value falls).
local function linear_tics(lo, hi)
  local step = nice_step(hi - lo, 4)
  local tics = {}
  for k = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9) do
    tics[#tics + 1] = fmtnum(tonumber(string.format("%.6g", k * step)))
  end
  return tics
end

local palette = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf",
                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"}

-- gnuplot labels log axes at whole decades only, which leaves one or no
-- label on a curve spanning less than a couple of decades: label 1-2-5
-- (or 1..9 within one decade) steps explicitly there.
log_tics = function(list)
  local lo, hi = math.huge, -math.huge
  for _, s in ipairs(list) do
    for _, v in ipairs(s.y) do
      if v < lo then lo = v end
      if v > hi then hi = v end
    end
  end
  local span = math.log(hi / lo, 10)
  if span >= 2 then return "set ytics autofreq" end
  local steps = span < 0.7 and {1, 2, 3, 4, 5, 6, 7, 8, 9} or {1, 2, 5}
  local tics = {}
  for k = math.floor(math.log(lo, 10)) - 1, math.ceil(math.log(hi, 10)) do
    for _, m in ipairs(steps) do
      local v = m * 10 ^ k
      if v >= lo / 1.05 and v <= hi * 1.05 then tics[#tics + 1] = fmtnum(tonumber(string.format("%.6g", v))) end
    end
  end
  if #tics < 3 and hi > lo then
    local lin = linear_tics(lo, hi)
    if #lin > #tics then tics = lin end
  end
  if #tics == 0 then tics = {fmtnum(tonumber(string.format("%.3g", lo)))} end
  return "set ytics (" .. table.concat(tics, ", ") .. ")"
end

-- The x range of the data, and whether every x is a whole number (epochs).
local function x_extent(list)
  local lo, hi, whole = math.huge, -math.huge, true
  for _, s in ipairs(list) do
    for j = 1, #s.y do
      local x = s.x and s.x[j] or j
      if x < lo then lo = x end
      if x > hi then hi = x end
      whole = whole and x == math.floor(x)
    end
  end
  return lo, hi, whole
end

-- x axis: a single x value gets a range around it (gnuplot would draw
-- 0.99 .. 1.01); whole-number x (epochs, steps) gets whole-number ticks.
local function x_axis(lines, spec, list)
  local lo, hi, whole = x_extent(list)
  if spec.xrange then
    lines[#lines + 1] = string.format("set xrange [%s:%s]", fmtnum(spec.xrange[1]),
                                      fmtnum(spec.xrange[2]))
  elseif hi == lo then
    lines[#lines + 1] = string.format("set xrange [%s:%s]", fmtnum(lo - 1), fmtnum(hi + 1))
  else
    lines[#lines + 1] = "set autoscale xfix"
  end
  if whole and not spec.logx then
    local span = hi == lo and 2 or hi - lo
    lines[#lines + 1] = string.format("set xtics %s", fmtnum(math.max(1, math.ceil(nice_step(span, 8)))))
  else
    lines[#lines + 1] = "set xtics autofreq"
  end
end

-- Settings and the plot command of one panel (datablocks named prefix1..n).
local function panel(lines, spec, list, prefix)
  lines[#lines + 1] = "set title " .. gq(spec.title or "")
  lines[#lines + 1] = "set xlabel " .. gq(spec.xlabel or "")
  lines[#lines + 1] = "set ylabel " .. gq(spec.ylabel or "")
  lines[#lines + 1] = spec.logy and "set logscale y" or "unset logscale y"
  lines[#lines + 1] = spec.logy and log_tics(list) or "set ytics autofreq"
  lines[#lines + 1] = spec.logx and "set logscale x" or "unset logscale x"
  lines[#lines + 1] = spec.yrange and string.format("set yrange [%s:%s]",
    fmtnum(spec.yrange[1]), fmtnum(spec.yrange[2])) or "set autoscale yfix"
  x_axis(lines, spec, list)
  -- Ranges fit the data (no stretching to whole decades on log axes), with
  -- a little room above and below the curves.
  lines[#lines + 1] = "set offsets 0, 0, graph 0.05, graph 0.05"
  lines[#lines + 1] = "set key " .. (spec.key or "top right")
  local parts = {}
  for i, s in ipairs(list) do
    -- Colours cycle through a palette of 10; past that the dash changes,
    -- so every series of a sweep stays distinguishable.
    local color = s.color or palette[(i - 1) % #palette + 1]
    local dash = s.dash or ((i - 1) // #palette) % 5 + 1
    -- A single point is invisible as a line: draw it as a marker.
    local style = s.style
    if #s.y == 1 and style == "lines" then style = "linespoints pt 7 ps 1.5" end
    parts[i] = string.format("$%s%d using 1:2 with %s lw 2 lc rgb '%s' dt %d title %s", prefix,
                             i, style, color, dash, gq(s.name))
  end
  lines[#lines + 1] = "plot " .. table.concat(parts, ", \\\n     ")
end

local builders = {}

function builders.lines(spec, term, output)
  local list = series_of(spec, "plot.lines")
  local lines = {term}
  if output then lines[#lines + 1] = "set output " .. gq(output) end
  lines[#lines + 1] = "set grid"
  for i, s in ipairs(list) do datablock(lines, "d" .. i, s) end
  panel(lines, spec, list, "d")
  if output then lines[#lines + 1] = "unset output" end
  return table.concat(lines, "\n") .. "\n"
end

function builders.grid(spec, term, output)
  local n = #spec
  if n == 0 then error("plot.grid: no plots given", 0) end
  local cols = spec.cols or math.ceil(math.sqrt(n))
  local rows = spec.rows or math.ceil(n / cols)
  if rows * cols < n then
    error(string.format("plot.grid: a %dx%d grid holds %d plots, not %d", rows, cols,
                        rows * cols, n), 0)
  end
  local lists = {}
  for i = 1, n do
    if type(spec[i]) ~= "table" then
      error(string.format("plot.grid: plot %d must be a table, got %s", i, type(spec[i])), 0)
    end
    lists[i] = series_of(spec[i], "plot.grid")
  end
  local lines = {term}
  if output then lines[#lines + 1] = "set output " .. gq(output) end
  lines[#lines + 1] = "set grid"
  for i, list in ipairs(lists) do
    for j, s in ipairs(list) do datablock(lines, "p" .. i .. "_" .. j, s) end
  end
  lines[#lines + 1] = string.format("set multiplot layout %d,%d title %s", rows, cols,
                                    gq(spec.title or ""))
  for i, list in ipairs(lists) do panel(lines, spec[i], list, "p" .. i .. "_") end
  lines[#lines + 1] = "unset multiplot"
  if output then lines[#lines + 1] = "unset output" end
  return table.concat(lines, "\n") .. "\n"
end

-- Square matrix (table of rows or 2-d tensor) of finite values >= 0.
local function check_matrix(m, fname)
  if type(m) == "userdata" and m.totable then
    if m:dim() ~= 2 then
      error(string.format("%s: matrix must be 2-d, got a %d-d tensor", fname, m:dim()), 0)
    end
    m = m:totable()
  end
  if type(m) ~= "table" or #m == 0 then
    error(fname .. ": matrix must be a non-empty table of rows or a 2-d tensor", 0)
  end
  local k = #m
  for i = 1, k do
    if type(m[i]) ~= "table" or #m[i] ~= k then
      error(string.format("%s: matrix must be square (%dx%d), row %d has %s entries", fname,
                          k, k, i, type(m[i]) == "table" and #m[i] or "no"), 0)
    end
    for j = 1, k do
      local v = m[i][j]
      if type(v) ~= "number" or v ~= v or v < 0 or v == math.huge then
        error(string.format("%s: entry (%d,%d) must be a finite count >= 0, got %s", fname,
                            i, j, tostring(v)), 0)
      end
    end
  end
  return m
end

function builders.confusion(spec, term, output)
  local fname = "plot.confusion"
  local m = check_matrix(spec.matrix, fname)
  local k = #m
  local labels = spec.labels or {}
  if spec.labels and #labels ~= k then
    error(string.format("%s: %d labels for a %dx%d matrix", fname, #labels, k, k), 0)
  end
  -- Colour value: the count, or the row fraction when normalize.
  local value, vmax = {}, 0
  for i = 1, k do
    local rowsum = 0
    for j = 1, k do rowsum = rowsum + m[i][j] end
    value[i] = {}
    for j = 1, k do
      local v = m[i][j]
      if spec.normalize then v = rowsum > 0 and v / rowsum or 0 end
      value[i][j] = v
      if v > vmax then vmax = v end
    end
  end
  local lines = {term}
  if output then lines[#lines + 1] = "set output " .. gq(output) end
  lines[#lines + 1] = "set title " .. gq(spec.title or "confusion matrix")
  lines[#lines + 1] = "set xlabel " .. gq(spec.xlabel or "predicted")
  lines[#lines + 1] = "set ylabel " .. gq(spec.ylabel or "true")
  lines[#lines + 1] = string.format("set xrange [-0.5:%s]", fmtnum(k - 0.5))
  lines[#lines + 1] = string.format("set yrange [%s:-0.5]", fmtnum(k - 0.5))
  lines[#lines + 1] = string.format("set cbrange [0:%s]", fmtnum(vmax > 0 and vmax or 1))
  lines[#lines + 1] = "set cblabel " .. gq(spec.normalize and "fraction of true class" or "count")
  lines[#lines + 1] = "set palette defined (0 '#ffffff', 1 '#c6dbef', 2 '#4292c6', 3 '#08306b')"
  lines[#lines + 1] = "set size ratio -1"
  lines[#lines + 1] = "unset key"
  lines[#lines + 1] = "set tics scale 0"
  local xt, yt = {}, {}
  for i = 1, k do
    local name = labels[i] and tostring(labels[i]) or tostring(i)
    xt[i] = gq(name) .. " " .. (i - 1)
    yt[i] = xt[i]
  end
  lines[#lines + 1] = "set xtics (" .. table.concat(xt, ", ") .. ") rotate by 30 right"
  lines[#lines + 1] = "set ytics (" .. table.concat(yt, ", ") .. ")"
  -- One label per cell: the count (and the row percentage when normalize),
  -- white on dark cells.
  local n = 0
  for i = 1, k do
    for j = 1, k do
      n = n + 1
      local c = m[i][j]
      local text = (c == math.floor(c)) and string.format("%d", c) or fmtnum(c)
      if spec.normalize then text = text .. string.format(" (%.0f%%)", 100 * value[i][j]) end
      local dark = vmax > 0 and value[i][j] > 0.55 * vmax
      lines[#lines + 1] = string.format("set label %d %s at %d,%d center front tc rgb '%s'",
                                        n, gq(text), j - 1, i - 1, dark and "#ffffff" or "#000000")
    end
  end
  lines[#lines + 1] = "$m << EOD"
  for i = 1, k do
    local row = {}
    for j = 1, k do row[j] = fmtnum(value[i][j]) end
    lines[#lines + 1] = table.concat(row, " ")
  end
  lines[#lines + 1] = "EOD"
  lines[#lines + 1] = "plot $m matrix with image"
  if output then lines[#lines + 1] = "unset output" end
  return table.concat(lines, "\n") .. "\n"
end

--- plot.script(kind, spec, term, output): the gnuplot script for kind
-- ("lines", "grid" or "confusion") without running gnuplot.  term is the
-- terminal line (default a dumb terminal), output the file gnuplot writes.
local function script_of(kind, spec, term, output)
  local b = builders[kind]
  if not b then error("plot.script: unknown kind '" .. tostring(kind) .. "'", 0) end
  return b(spec, term or "set terminal dumb size 80,24", output)
end
plot.script = script_of

-- Render spec to spec.path (atomic) or, with terminal=true, as text.
local function render(kind, spec, fname, defw, defh)
  if spec.terminal then
    check_gnuplot(fname)
    local w, h = 100, 30
    if type(spec.terminal) == "table" then w, h = spec.terminal[1] or w, spec.terminal[2] or h end
    local out = run(script_of(kind, spec, string.format("set terminal dumb size %d,%d", w, h)),
                    fname)
    if not spec.quiet then
      io.write(out)
      return shown(out)
    end
    return out
  end
  local path = spec.path
  if type(path) ~= "string" or path == "" then
    script_of(kind, spec) -- report bad data/options before a missing path
    error(fname .. ": give path= (a .png or .svg file) or terminal=true", 0)
  end
  local term = terminal_for(path, spec.width or defw, spec.height or defh, fname)
  script_of(kind, spec, term, path) -- validates before touching files
  check_gnuplot(fname)
  ensure_dir(path, fname)
  -- gnuplot writes a temporary next to path, renamed once complete.
  local ok, err = pcall(require("nn").atomic_write, path, function(tmp)
    run(script_of(kind, spec, term, tmp), fname)
  end)
  if not ok then
    error((tostring(err):gsub("^nn%.atomic_write: ", fname .. ": ")), 0)
  end
  if not spec.quiet then
    print("wrote " .. path)
    return shown(path)
  end
  return path
end

function plot.lines(spec)
  if type(spec) ~= "table" then error("plot.lines: expected a table, got " .. type(spec), 0) end
  return render("lines", spec, "plot.lines", 800, 500)
end

function plot.term(spec)
  if type(spec) ~= "table" then error("plot.term: expected a table, got " .. type(spec), 0) end
  local s = {}
  for k, v in pairs(spec) do s[k] = v end
  s.terminal = spec.terminal or true
  return render("lines", s, "plot.term")
end

function plot.grid(spec)
  if type(spec) ~= "table" then error("plot.grid: expected a table, got " .. type(spec), 0) end
  local n = #spec
  local cols = spec.cols or math.ceil(math.sqrt(math.max(n, 1)))
  local rows = spec.rows or math.ceil(math.max(n, 1) / cols)
  return render("grid", spec, "plot.grid", 420 * cols, 300 * rows + 30)
end

function plot.confusion(matrix, labels, opts)
  opts = opts or {}
  if type(opts) ~= "table" then
    error("plot.confusion: options must be a table, got " .. type(opts), 0)
  end
  local spec = {matrix = matrix, labels = labels}
  for key, v in pairs(opts) do spec[key] = v end
  local k = type(matrix) == "table" and #matrix or (type(matrix) == "userdata" and
            matrix.size and matrix:size(1)) or 6
  local side = math.max(420, 70 * k + 220)
  return render("confusion", spec, "plot.confusion", side + 80, side)
end

-- Errors inside are raised without a position (level 0); the public
-- functions re-raise them at the caller's line.
local function public(fn)
  return function(...)
    local r = table.pack(pcall(fn, ...))
    if not r[1] then error(r[2], 2) end
    return table.unpack(r, 2, r.n)
  end
end
for _, name in ipairs{"lines", "term", "grid", "confusion", "script"} do
  plot[name] = public(plot[name])
end

local ok, nn = pcall(require, "nn")
if ok and type(nn) == "table" and nn.setdoc then
  nn.setdoc(plot.lines, [[
plot.lines{ {name=, y=, x=, style="lines"}, ..., x=, title=, xlabel=, ylabel=,
            logy=, path="out/loss.png" | terminal=true, width=800, height=500 }
Line plot of one or more series (arrays or 1-d tensors) with gnuplot; .png
or .svg by extension; terminal=true draws it as text in the REPL.
Prints "wrote <path>" and returns the path (the REPL does not echo it again).
Example (hist as nn.fit returns it):
  local hist = {train_loss = {2.1, 1.4, 1.1, 1.0}, val_loss = {2.2, 1.6, 1.4, 1.35}}
  plot.lines{ {name="train", y=hist.train_loss}, {name="validation", y=hist.val_loss},
              xlabel="epoch", ylabel="loss", path="out/loss.png"}]])
  nn.setdoc(plot.grid, [[
plot.grid{ {<plot.lines spec>}, ..., rows=, cols=, title=, path= }
Several line plots as subplots of one picture (gnuplot multiplot).
Example:
  local ya, yb = {3, 2, 1.5, 1.2}, {3, 2.5, 2.2, 2.1}
  plot.grid{ {{name="a", y=ya}, title="run a"}, {{name="b", y=yb}, title="run b"},
             cols=2, path="out/runs.png"}]])
  nn.setdoc(plot.term, [[
plot.term{...}: plot.lines drawn as text in the terminal (gnuplot dumb);
prints it once and returns the text (terminal={w, h} sets the size).
  plot.term{ {name="loss", y={3, 2, 1.5, 1.2}} }]])
  nn.setdoc(plot.confusion, [[
plot.confusion(matrix, labels, {path=, title=, normalize=})
Heatmap of a KxK confusion matrix (rows = true class, columns = predicted)
with the counts written in the cells; normalize colours by row fraction.
  plot.confusion({{5,1},{2,7}}, {"cat","dog"}, {path="out/cm.png"})]])
  nn.setdoc(plot.script, [[
plot.script(kind, spec [, term, output]): the gnuplot script plot.lines /
plot.grid / plot.confusion would run (kind "lines", "grid", "confusion";
confusion spec = {matrix=, labels=, ...}), without running it.
  print(plot.script("lines", {{name = "loss", y = {3, 2, 1}}}))]])
end

return plot
