-- The shipped data files: checksums against data/SHA256SUMS, and every
-- dataset read with the right shape, type and a few values.  The expected
-- values were computed independently with h5py (numpy float64 sums of the
-- stored values) and are hard-coded here.  Run from the repository root.
local h5 = require "h5"

local function close(a, b, tol)
  return math.abs(a - b) <= (tol or 1e-9) * (1 + math.abs(b))
end

describe("data files", function()
  it("match data/SHA256SUMS", function()
    local n = 0
    for line in io.lines("data/SHA256SUMS") do
      local sum, file = line:match("^(%x+)  (%S+)$")
      assert.truthy(sum, "bad SHA256SUMS line: " .. line)
      local p = assert(io.popen("sha256sum data/" .. file))
      local got = p:read("l")
      p:close()
      assert.equal(sum, got and got:match("^%x+"), "checksum of data/" .. file)
      n = n + 1
    end
    assert.equal(4, n)
  end)

  it("list exactly the course datasets", function()
    local expect = {
      ["data/data1.h5"] = "data float32 10240x3x16x16, invXForm float32 105x768, xForm float32 768x105",
      ["data/data2.h5"] = "testd int32 46568, testx int32 46568x3, traind int32 372550, " ..
        "trainx int32 372550x3, vald int32 46568, valx int32 46568x3, words string 250",
      ["data/data3.h5"] = "classes string 6, trX float32 3000x150x3, trY uint8 3000x6, " ..
        "tstX float32 600x150x3, tstY uint8 600x6",
      ["data/data4.h5"] = "testims uint8 1000x32x32, testlbls uint8 1000, " ..
        "trainims uint8 1900x32x32, trainlbls uint8 1900",
    }
    for file, want in pairs(expect) do
      local parts = {}
      for i, d in ipairs(h5.list(file)) do
        parts[i] = d.name .. " " .. d.type .. " " .. table.concat(d.shape, "x")
      end
      assert.equal(want, table.concat(parts, ", "), file)
    end
  end)

  -- file, dataset, tensor type, shape, first, last, sum, min, max
  local numeric = {
    {"data1.h5", "data", "float32", {10240, 3, 16, 16}, 0.5215686559677124, 0.22745098173618317,
     2916846.6852951436, 0, 1},
    {"data1.h5", "xForm", "float32", {768, 105}, 0.006671793758869171, 0.7240625023841858,
     3.3941311251759316, -1.3012210130691528, 1.509088397026062},
    {"data1.h5", "invXForm", "float32", {105, 768}, 0.22187380492687225, 0.004571337252855301,
     152.77278858197073, -0.0996415987610817, 0.2392498403787613},
    {"data2.h5", "trainx", "index", {372550, 3}, 27, 52, 47890741, 2, 250},
    {"data2.h5", "traind", "index", {372550}, 1, 64, 14999160, 1, 249},
    {"data2.h5", "valx", "index", {46568, 3}, 47, 7, 5984860, 2, 249},
    {"data2.h5", "vald", "index", {46568}, 5, 41, 1900544, 1, 248},
    {"data2.h5", "testx", "index", {46568, 3}, 21, 12, 5956334, 2, 249},
    {"data2.h5", "testd", "index", {46568}, 30, 18, 1869447, 1, 246},
    {"data3.h5", "trX", "float32", {3000, 150, 3}, 9.071151733398438, 1.4437568187713623,
     3938967.836286908, -18.01972007751465, 19.640541076660156},
    {"data3.h5", "tstX", "float32", {600, 150, 3}, 10.065437316894531, -5.51624059677124,
     787682.9494292, -15.186687469482422, 19.5860595703125},
    {"data3.h5", "trY", "float32", {3000, 6}, 0, 0, 3000, 0, 1},
    {"data3.h5", "tstY", "float32", {600, 6}, 0, 0, 600, 0, 1},
    {"data4.h5", "trainims", "float32", {1900, 32, 32}, 0, 0, 145506936, 0, 255},
    {"data4.h5", "testims", "float32", {1000, 32, 32}, 0, 0, 76917904, 0, 255},
    {"data4.h5", "trainlbls", "float32", {1900}, 0, 1, 950, 0, 1},
    {"data4.h5", "testlbls", "float32", {1000}, 1, 1, 500, 0, 1},
  }
  for _, c in ipairs(numeric) do
    local file, name, typ, shape, first, last, sum, min, max = table.unpack(c)
    it(("read %s %s as a %s tensor"):format(file, name, typ), function()
      local t = h5.read("data/" .. file, name)
      assert.equal(typ, t:type())
      assert.same(shape, t:size())
      local flat = t:view(-1)
      assert.equal(first, flat[1])
      assert.equal(last, flat[t:numel()])
      local f = t:float() -- index tensors: the same 1-based values as floats
      assert.truthy(close(f:sum(), sum), ("sum %.17g, expected %.17g"):format(f:sum(), sum))
      assert.equal(min, f:min())
      assert.equal(max, f:max())
    end)
  end

  it("have one-hot labels with 500/100 per class in data3", function()
    assert.same({500, 500, 500, 500, 500, 500}, h5.read("data/data3.h5", "trY"):sum(1):totable())
    assert.same({100, 100, 100, 100, 100, 100}, h5.read("data/data3.h5", "tstY"):sum(1):totable())
  end)

  it("read the string datasets", function()
    local words = h5.read("data/data2.h5", "words")
    assert.equal(250, #words)
    assert.equal(".", words[1])
    assert.same({".", "it", ",", "i", "do", "to", "nt", "?", "the", "that", "'s", "he"},
                {table.unpack(words, 1, 12)})
    assert.equal("including", words[250])
    assert.same({"downstairs", "laying", "sitting", "standing", "upstairs", "walking"},
                h5.read("data/data3.h5", "classes"))
  end)

  it("look words up through the index tensors", function()
    -- traind[1] is word 1, "."; the first context of trainx is words 27, 14, 44.
    local words = h5.read("data/data2.h5", "words")
    local d = h5.read("data/data2.h5", "traind")
    assert.equal(".", words[d[1]])
    local x = h5.read("data/data2.h5", "trainx")
    assert.same({27, 14, 44}, x[1]:totable())
  end)

  it("carry their root attributes", function()
    local a1 = h5.attrs("data/data1.h5")
    assert.equal(768, #a1.xMean)
    assert.truthy(close(a1.xMean[1], 0.4344952702522278))
    local s = 0
    for _, v in ipairs(a1.xMean) do s = s + v end
    assert.truthy(close(s, 284.8483093380928))
    assert.equal(10240, #a1.patch_source_index)
    assert.equal(105, #a1.pca_eigenvalues_top105)
    local a3 = h5.attrs("data/data3.h5")
    assert.equal('["Downstairs", "Laying", "Sitting", "Standing", "Upstairs", "Walking"]',
                 a3.classes)
    assert.equal(150, a3.window)
    assert.equal(50, a3.sampling_hz)
    local a4 = h5.attrs("data/data4.h5")
    assert.equal(1900, #a4.train_source_index)
    assert.equal(19175, a4.train_source_index[1])
    assert.equal(0, h5.open_ids())
  end)
end)
