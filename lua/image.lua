--- image: pictures of tensors (tile grids) written as PNG through libpng.
--
--   image.grid(t, {rows=, cols=, normalize="auto"|"each"|"all"|"none", pad=1,
--                  scale=1, padvalue=0, path="out/features.png", quiet=false})
--
-- t is (N,H,W) gray, (N,1,H,W) or (N,3,H,W) RGB, or a single (H,W) image.
-- Tiles fill the grid row by row.  Picture size (pixels):
--   height = rows*H*scale + pad*(rows+1),  width = cols*W*scale + pad*(cols+1)
-- (a pad-pixel border around every tile, frame included).  Without rows and
-- cols the grid is ceil(sqrt(N)) columns wide.  normalize "each" maps every
-- tile to its own min..max (how autoencoder features are shown), "all" uses
-- the global min..max, "none" clamps values to [0,1].  The default, "auto",
-- shows any image correctly: values already in [0,1] as they are, anything
-- else (raw 0..255 pixels, standardized data) mapped from the grid's
-- min..max ("all").  padvalue is the border gray level in [0,1].
-- With path: creates missing directories, writes the PNG atomically, prints
-- "wrote <path> (WxH)" unless quiet, and returns path, width, height.
-- Without path: returns the composed picture as a tensor in [0,1]
-- ((Hout,Wout) gray or (3,Hout,Wout) RGB).
local nn = require "nn"

local image = {}

-- Values returned through shown() are not echoed again by the REPL.
local has_echo, echo = pcall(require, "nnsh.echo")
local shown = has_echo and echo.shown or function(...) return ... end

local known = {rows = true, cols = true, normalize = true, pad = true, scale = true,
               padvalue = true, path = true, quiet = true}

function image.grid(t, opts)
  opts = opts or {}
  if type(opts) ~= "table" then
    error("image.grid: options must be a table, got " .. type(opts), 2)
  end
  for k in pairs(opts) do
    if not known[k] then error("image.grid: unknown option '" .. tostring(k) .. "'", 2) end
  end
  local norm = opts.normalize
  if norm == false then norm = "none" elseif norm == true then norm = "each" end
  if norm == nil or norm == "auto" then
    -- [0,1] data as they are; other ranges (0..255, standardized) min-max
    local okr, lo, hi = pcall(function() return t:min(), t:max() end)
    norm = (okr and (lo < 0 or hi > 1)) and "all" or "none"
  end
  if opts.path ~= nil and type(opts.path) ~= "string" then
    error("image.grid: path must be a string, got " .. type(opts.path), 2)
  end
  -- Called through pcall so that C errors carry the caller's position.
  local ok, w, h = pcall(nn.image_c.grid, t, opts.rows, opts.cols, opts.pad, opts.scale,
                         norm, opts.padvalue, opts.path)
  if not ok then error(w, 2) end
  if not opts.path then return w end
  if not opts.quiet then
    print(string.format("wrote %s (%dx%d)", opts.path, w, h))
    return shown(opts.path, w, h)
  end
  return opts.path, w, h
end

--- image.save(t, path [, opts]): one (H,W) gray or (3,H,W) RGB image as a PNG
-- (opts as for image.grid; pad defaults to 0 here).
function image.save(t, path, opts)
  local o = {}
  for k, v in pairs(opts or {}) do o[k] = v end
  o.path, o.rows, o.cols = path, 1, 1
  if o.pad == nil then o.pad = 0 end
  local d = t:dim()
  if d == 3 then t = t:view(1, t:size(1), t:size(2), t:size(3))
  elseif d ~= 2 then
    error("image.save: expected an (H,W) or (3,H,W) image, got a " .. d .. "-d tensor", 2)
  end
  return image.grid(t, o)
end

if nn.setdoc then
  nn.setdoc(image.grid, [[
image.grid(t, {rows=, cols=, normalize="auto"|"each"|"all"|"none", pad=1, scale=1,
               padvalue=0, path=, quiet=})
Tile (N,H,W) gray or (N,3,H,W) RGB images into one picture. Size:
rows*H*scale + pad*(rows+1) by cols*W*scale + pad*(cols+1).
normalize: "auto" (default) keeps values in [0,1] as they are and maps any
other range (e.g. raw 0..255 pixels) from the grid's min..max; "each" maps
every tile to its own min..max; "all" the grid's min..max; "none" clamps
to [0,1].
With path: writes a PNG (directories created, atomic), prints and returns
the path; without: returns the picture as a tensor in [0,1].
Example (64 filters of 16x16, each stretched to its own range):
  local W = nn.randn(64, 256)
  image.grid(W:view(64, 16, 16), {rows = 8, normalize = "each", scale = 4,
             path = "out/features.png"})]])
  nn.setdoc(image.save, [[
image.save(t, path [, opts]): write one (H,W) or (3,H,W) image as a PNG.
  image.save(nn.rand(3,32,32), "out/noise.png", {scale=4})]])
end

return image
