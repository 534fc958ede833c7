-- HDF5 files whose headers lie: element sizes, signs and dimensions that
-- nnsh cannot convert or hold are reported, never passed to H5Dread.  The
-- files are made by patching bytes of tests/fixtures/h5py_types.h5 (h5py's
-- default format has no header checksums, so libhdf5 accepts the edits).
local h5 = require "h5"

local FIXTURE = "tests/fixtures/h5py_types.h5"
local original = assert(io.open(FIXTURE, "rb")):read("a")
local out = os.tmpname()

-- Replace every occurrence of the byte string `from` by `to`.
local function patched(from, to)
  local s, n = original:gsub(from:gsub("%W", "%%%0"), (to:gsub("%%", "%%%%")))
  assert(n > 0, "pattern not found in the fixture")
  local f = assert(io.open(out, "wb"))
  f:write(s)
  f:close()
  return out
end

-- int64 little-endian signed: class 0 v1, bits 0x08 (signed), size 8,
-- offset 0, precision 64.
local INT64 = "\x10\x08\x00\x00\x08\x00\x00\x00\x00\x00\x40\x00"
local function int64_with(size, bits, offset, precision)
  return "\x10" .. string.char(bits or 8) .. "\x00\x00" .. string.pack("<I4", size) ..
         string.pack("<I2I2", offset or 0, precision or 64)
end

local function fails(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert.is_false(ok, "expected an error matching " .. pattern)
  assert.is_truthy(tostring(err):find(pattern), tostring(err))
end

describe("hostile HDF5 datatypes", function()
  after_each(function() os.remove(out) end)

  it("an integer of 65535 bytes is listed as such and not read", function()
    local p = patched(INT64, int64_with(65535))
    local types = {}
    for _, d in ipairs(h5.list(p)) do types[d.name] = d.type end
    assert.are.equal("int(65535 bytes)", types.i64)
    assert.are.equal("int16", types.i16)
    fails("dataset 'i64' in .* has unsupported type int%(65535 bytes%)", h5.read, p, "i64")
    assert.are.same({-3, 0, 7}, h5.read(p, "i16"):totable())
    assert.are.equal(0, h5.open_ids())
  end)

  it("sizes of 2^31, 3 and 0 bytes, and bad precision or offset are refused", function()
    for _, bad in ipairs {int64_with(1 << 31), int64_with(3), int64_with(0),
                          int64_with(8, 8, 0, 65), int64_with(8, 8, 60, 8),
                          int64_with(8, 8, 0, 0)} do
      local p = patched(INT64, bad)
      fails("has unsupported type int", h5.read, p, "i64")
      fails("has unsupported type int", h5.read, p, "i64big", {as = "float"})
      assert.are.equal("table", type(h5.attrs(p)))
    end
  end)

  it("dimensions of 2^62 are refused before any allocation", function()
    -- i64's dataspace: version 1, rank 1, max dims present, dims {3}, max {3}.
    local space = "\x01\x01\x01\x00\x00\x00\x00\x00" .. string.pack("<i8i8", 3, 3) ..
                  "\x03\x00\x10\x00"
    for _, n in ipairs {1 << 62, -1, 1 << 40} do
      local p = patched(space, "\x01\x01\x01\x00\x00\x00\x00\x00" ..
                               string.pack("<i8i8", n, n) .. "\x03\x00\x10\x00")
      -- Refused when reading i64, or (-1: 2^64-1 elements) when libhdf5
      -- itself cannot list the file.
      local ok, err = pcall(h5.read, p, "i64")
      assert.is_false(ok)
      assert.is_truthy(err:find("more than a file of") or err:find("too large") or
                       err:find("cannot"), err)
    end
    assert.are.equal(0, h5.open_ids())
  end)
end)
