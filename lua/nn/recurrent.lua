-- nn.RNN, nn.LSTM, nn.GRU: recurrent layers over a batch of sequences, with
-- back-propagation through all time steps.  The arithmetic is in C
-- (src/core/rnn.c, lstm.c, gru.c, bound as nn.C.recurrent); this file holds
-- the parameters and the module API.
--
-- Layout: input x (B, T, D) = (batch, time, features).  Output: the last
-- hidden state (B, H), or every state (B, T, H) with {all=true}.
-- Parameters (input-major, gates as column blocks of G = k*H):
--   wx (D, G), wh (H, G), b (G); the GRU also has bhn (H).
--   RNN  k=1   h = tanh(x wx + h wh + b)
--   LSTM k=4   gates i, f, g, o (PyTorch's order); c = f c + i g, h = o tanh(c)
--   GRU  k=3   gates z, r, n, reset gate after the recurrent product:
--              n = tanh(x wx_n + b_n + r (h wh_n + bhn)), h = (1-z) h + z n
-- Init: Xavier uniform per gate block, wx +-sqrt(6/(D+H)), wh +-sqrt(6/(2H));
-- biases 0.
-- Initial state: zeros, or m:set_initial_state(h0 [, c0]) (Torch7 alias
-- setInitialState) with (B, H) tensors
-- until m:reset(); after backward, m.gradH0 (and m.gradC0) hold their
-- gradients.
local nn = require "nn"

local GATES = {rnn = 1, lstm = 4, gru = 3}
local NAMES = {rnn = "RNN", lstm = "LSTM", gru = "GRU"}
-- Evaluation batches larger than this run in chunks, so that scoring a
-- whole data set does not need BPTT buffers for all of it at once.
local EVAL_CHUNK = 128

local Recurrent = nn.class("Recurrent")

-- Constructor arguments, checked with errors at the caller's line (level:
-- this function, the class's __init, nn.class's constructor, the caller).
local function check_args(name, nin, nhid, opts)
  local sizes = {}
  for i, a in ipairs{{"the number of inputs", nin, 2^20}, {"the number of hidden units", nhid, 2^16}} do
    local ok, r = pcall(nn._check_int, a[2], "nn." .. name, a[1], 1, math.tointeger(a[3]))
    if not ok then error(r, 4) end
    sizes[i] = r
  end
  if opts ~= nil and type(opts) ~= "table" then
    error(("nn.%s: options must be a table like {all=true}, got %s"):format(name, type(opts)), 4)
  end
  return sizes[1], sizes[2]
end

function Recurrent:__init(cell, nin, nhid, opts)
  nn.Module.__init(self)
  local name = NAMES[cell]
  if not name then
    error(("nn.Recurrent: cell must be 'rnn', 'lstm' or 'gru', got %s"):format(tostring(cell)), 3)
  end
  nin, nhid = check_args(name, nin, nhid, opts)
  opts = opts or {}
  self.cell, self.name, self.nin, self.nhid = cell, name, nin, nhid
  self.all = opts.all and true or false
  local G = GATES[cell] * nhid
  local ax, ah = math.sqrt(6 / (nin + nhid)), math.sqrt(6 / (2 * nhid))
  self:_param("wx", nn.zeros(nin, G):uniform_(-ax, ax))
  self:_param("wh", nn.zeros(nhid, G):uniform_(-ah, ah))
  self:_param("b", nn.zeros(G))
  if cell == "gru" then self:_param("bhn", nn.zeros(nhid)) end
  self._ws = nn.C.recurrent(cell, nin, nhid)
  self._p, self._g, self._fo, self._bo = {}, {}, {}, {}
end

-- The parameter and gradient tables the binding reads, refreshed on every
-- call (nn.load or a user may have replaced the tensors).
function Recurrent:_tables()
  local p, g = self._p, self._g
  p.wx, p.wh, p.b, p.bhn = self.wx, self.wh, self.b, self.bhn
  g.wx, g.wh, g.b, g.bhn = self.gradWx, self.gradWh, self.gradB, self.gradBhn
  return p, g
end

function Recurrent:set_initial_state(h0, c0)
  if c0 ~= nil and self.cell ~= "lstm" then
    error(("nn.%s:set_initial_state: only the LSTM has a cell state c0"):format(self.name), 2)
  end
  self.h0, self.c0 = h0, c0
  return self
end

-- Torch7 name.
function Recurrent:setInitialState(...) return self:set_initial_state(...) end
nn._doc(Recurrent.set_initial_state, "m:set_initial_state(h0 [, c0]) -> m: initial state (B, H) until m:reset()")
nn._doc(Recurrent.setInitialState, "m:setInitialState(h0 [, c0]): Torch7 name of m:set_initial_state")

function Recurrent:reset()
  self.h0, self.c0, self.gradH0, self.gradC0 = nil, nil, nil, nil
  return self
end

local function rank_error(self, x, fname)
  error(("nn.%s:%s: input must be 3-d (batch, time, features) = (B,T,%d), got %s"):format(
    self.name, fname, self.nin, table.concat(x:size(), "x")), 3)
end

function Recurrent:forward(x)
  if x:dim() ~= 3 then rank_error(self, x, "forward") end
  local p = self:_tables()
  local o = self._fo
  o.all, o.h0, o.c0 = self.all, self.h0, self.c0
  local B = x:size(1)
  self._chunked = false
  if self.train or B <= EVAL_CHUNK then
    o.out = self._trainout
    self._trainout = self._ws:forward(x, p, o)
    self.output = self._trainout
    return self.output
  end
  -- Evaluation of a large batch: chunk by chunk into one output tensor.
  local shape = self.all and {B, x:size(2), self.nhid} or {B, self.nhid}
  local out = self._evalout
  if not out or table.concat(out:size(), "x") ~= table.concat(shape, "x") then
    out = nn.zeros(table.unpack(shape))
    self._evalout = out
  end
  for s = 1, B, EVAL_CHUNK do
    local n = math.min(EVAL_CHUNK, B - s + 1)
    o.h0 = self.h0 and self.h0:narrow(1, s, n)
    o.c0 = self.c0 and self.c0:narrow(1, s, n)
    o.out = self._chunkout
    self._chunkout = self._ws:forward(x:narrow(1, s, n), p, o)
    out:narrow(1, s, n):copy(self._chunkout)
  end
  self._chunked = true
  self.output = out
  return out
end

function Recurrent:backward(x, gradOutput)
  if x:dim() ~= 3 then rank_error(self, x, "backward") end
  if self._chunked then
    error(("nn.%s:backward: the last forward ran in evaluation mode on %d > %d sequences, " ..
      "in chunks, and kept no state; call m:training() before forward"):format(
      self.name, x:size(1), EVAL_CHUNK), 2)
  end
  local p, g = self:_tables()
  local o = self._bo
  o.dx, o.dh0, o.dc0 = self.gradInput, self.gradH0, self.gradC0
  local dx, dh0, dc0 = self._ws:backward(nn._contig(gradOutput), p, g, o)
  self.gradInput = dx
  if self.h0 then self.gradH0 = dh0 end
  if self.c0 then self.gradC0 = dc0 end
  return dx
end

function Recurrent:describe()
  return ("nn.%s(%d -> %d%s)"):format(self.name, self.nin, self.nhid,
    self.all and ", all states" or "")
end

-- The three public classes: nn.LSTM(nin, nhid [, {all=true}]) etc.
for cell, name in pairs(NAMES) do
  local cls = nn.class(name, Recurrent)
  cls.__init = function(self, nin, nhid, opts)
    check_args(name, nin, nhid, opts)
    Recurrent.__init(self, cell, nin, nhid, opts)
  end
end

nn._doc(nn.RNN, [[nn.RNN(nin, nhid [, {all=false}]) -> module: tanh RNN over sequences
  h_t = tanh(x_t wx + h_{t-1} wh + b)
x (B, T, nin) -> last state (B, nhid), or every state (B, T, nhid) with {all=true}.
Parameters wx (nin, nhid), wh (nhid, nhid), b (nhid); Xavier-uniform, b zero.
Initial state zeros unless m:set_initial_state(h0); m:reset() clears it.
  m = nn.RNN(3, 128); h = m:forward(nn.randn(32, 150, 3))]])

nn._doc(nn.LSTM, [[nn.LSTM(nin, nhid [, {all=false}]) -> module: LSTM over sequences
  [i f g o] = x_t wx + h_{t-1} wh + b;  i,f,o sigmoid, g tanh
  c_t = f c_{t-1} + i g,  h_t = o tanh(c_t)
x (B, T, nin) -> last h (B, nhid), or every h (B, T, nhid) with {all=true}.
Parameters wx (nin, 4 nhid), wh (nhid, 4 nhid), b (4 nhid), gate blocks i,f,g,o.
Initial state zeros unless m:set_initial_state(h0, c0); m:reset() clears it.
  m = nn.LSTM(3, 128); h = m:forward(nn.randn(32, 150, 3))]])

nn._doc(nn.GRU, [[nn.GRU(nin, nhid [, {all=false}]) -> module: GRU over sequences
  z = s(x wx_z + h wh_z + b_z),  r = s(x wx_r + h wh_r + b_r)
  n = tanh(x wx_n + b_n + r (h wh_n + bhn)),  h_t = (1-z) h_{t-1} + z n
The reset gate multiplies the recurrent product (cuDNN/PyTorch convention), so
a step is one GEMM for all gates; z weighs the new candidate (PyTorch's z is 1-z).
x (B, T, nin) -> last h (B, nhid), or every h (B, T, nhid) with {all=true}.
Parameters wx (nin, 3 nhid), wh (nhid, 3 nhid), b (3 nhid), bhn (nhid).
  m = nn.GRU(3, 128); h = m:forward(nn.randn(32, 150, 3))]])

return Recurrent
