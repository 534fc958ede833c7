-- Fashion-MNIST (Zalando): 60,000 training and 10,000 test 28x28 grey
-- images of clothing in 10 classes, read from the IDX files of Debian's
-- dataset-fashion-mnist package (scripts/install-deps installs it).
--
--   local fm = require "fashion_mnist"
--   local d = fm.load()                      -- or fm.load{n_train=1000, n_test=500}
--   d.train_x  (60000,1,28,28) float in [0,1]     d.train_y  index tensor, 1..10
--   d.test_x   (10000,1,28,28)                    d.test_y
--   d.classes  {"T-shirt/top", "Trouser", ...}    d.classes[d.train_y[1]]
--
-- Reading the four gzip files takes well under a second (zlib, in C), so
-- there is no converted copy to keep in step with the package.
local nn = require "nn"

local fm = {}

-- The label order of the data set's publication (Xiao, Rasul and Vollgraf,
-- 2017, and its repository's README): label 0 is "T-shirt/top", ... 9 "Ankle boot".
fm.classes = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
              "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

fm.default_dir = "/usr/share/datasets/fashion-mnist"

local files = {
  train_x = "train-images-idx3-ubyte", train_y = "train-labels-idx1-ubyte",
  test_x = "t10k-images-idx3-ubyte", test_y = "t10k-labels-idx1-ubyte",
}

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

-- The file for one part: plain or .gz, in the chosen folder.
local function find(dir, base)
  for _, name in ipairs{base .. ".gz", base} do
    local p = dir .. "/" .. name
    if exists(p) then return p end
  end
  error(("fashion_mnist.load: %s(.gz) not found in %s; install Debian's "
         .. "dataset-fashion-mnist (bash scripts/install-deps) or pass {dir=...} "
         .. "or set NNSH_FASHION_MNIST"):format(base, dir), 3)
end

local function count(opts, key, max)
  local n = opts[key]
  if n == nil then return max end
  if math.type(n) == nil or n ~= math.floor(n) or n < 1 or n > max then
    error(("fashion_mnist.load: %s must be a whole number from 1 to %d, got %s")
          :format(key, max, tostring(n)), 3)
  end
  return math.tointeger(n)
end

function fm.load(opts)
  opts = opts or {}
  if type(opts) ~= "table" then
    error("fashion_mnist.load: expected an options table {n_train=, n_test=, dir=}, got "
          .. type(opts), 2)
  end
  for k in pairs(opts) do
    if k ~= "n_train" and k ~= "n_test" and k ~= "dir" then
      error(("fashion_mnist.load: unknown option %s (known: n_train, n_test, dir)")
            :format(tostring(k)), 2)
    end
  end
  local dir = opts.dir or os.getenv("NNSH_FASHION_MNIST") or fm.default_dir
  local d = {classes = fm.classes}
  for _, part in ipairs{"train", "test"} do
    local x = nn.read_idx(find(dir, files[part .. "_x"]), {scale = 1 / 255})
    local y = nn.read_idx(find(dir, files[part .. "_y"]), {as = "index", classes = #fm.classes})
    if x:dim() ~= 3 or y:dim() ~= 1 or x:size(1) ~= y:size(1) then
      error(("fashion_mnist.load: %s images (%d dimensions, %d images) and labels "
             .. "(%d) do not match"):format(part, x:dim(), x:size(1), y:size(1)), 2)
    end
    local n = count(opts, "n_" .. part, x:size(1))
    if n < x:size(1) then
      x, y = x:narrow(1, 1, n):clone(), y:narrow(1, 1, n):clone()
    end
    d[part .. "_x"] = x:view(n, 1, x:size(2), x:size(3))
    d[part .. "_y"] = y
  end
  return d
end

-- (a level-1 long string: the example's "[1]]" would close a plain [[ ]])
nn.setdoc(fm.load, [=[
fashion_mnist.load([{n_train=N, n_test=M, dir=path}]) -> data
Fashion-MNIST from Debian's dataset-fashion-mnist (or dir, or
$NNSH_FASHION_MNIST): train_x (60000,1,28,28) and test_x (10000,1,28,28)
float in [0,1], train_y / test_y index tensors with classes 1..10, and
classes (the 10 names).  n_train / n_test keep the first N / M images.
Example: local d = require("fashion_mnist").load{n_train = 1000}
         print(d.classes[d.train_y[1]])   --> Ankle boot]=])

return fm
