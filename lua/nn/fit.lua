-- nn.fit{...}: the training loop.
--
--   local hist = nn.fit{model = m, loss = nn.CrossEntropyLoss(),
--                       optimizer = optim.sgd{lr = 0.15, momentum = 0.85},
--                       x = trainx, y = traind, val = {x = valx, y = vald},
--                       batch = 200, epochs = 50, seed = 1, patience = 3}
--
-- Each epoch shuffles the training set (seeded), gathers every mini-batch
-- into two buffers allocated once (nn.C.gather_rows) and runs one
-- nn.training_step (lua/nn/step.lua: forward, loss, backward, clip, step
-- over the model's flat parameter block), then evaluates the validation set
-- (lua/nn/evaluate.lua).  With `patience`, it stops when the monitored loss
-- (validation, else training) has not improved for that many epochs.  The
-- weights of the best epoch are restored at the end in every case (also
-- after Ctrl-C, which stops after the current mini-batch).  A run whose
-- training loss or weights stop being finite has diverged: it stops and
-- restores the best epoch's weights, or the initial ones when no epoch
-- finished well, and says so even with quiet = true.  Output:
-- lua/nn/fit_report.lua; argument checks: lua/nn/fit_check.lua.
local nn = require "nn"
local report = require "nn.fit_report"
local check_args = require "nn.fit_check"
local evaluate = require "nn.evaluate"
local C = nn.C

local clock = nn.clock or os.clock

local function finite(v) return v == v and v ~= math.huge and v ~= -math.huge end

-- An empty tensor of t's type, to be resized by the kernels.
local function empty_like(t)
  return t:type() == "index" and nn.IndexTensor(0) or nn.zeros(0)
end

-- The weights (the flat block, or each parameter of a model without one)
-- and buffers, with copies that save() fills and restore() puts back.
local function snapshots(model, params)
  local live = {table.unpack(params)}
  local buffers = type(model.named_buffers) == "function" and model:named_buffers() or {}
  for _, e in ipairs(buffers) do live[#live + 1] = e.tensor end
  local saved = {}
  for i, t in ipairs(live) do saved[i] = t:clone() end
  return {save = function() for i, t in ipairs(live) do saved[i]:copy(t) end end,
          restore = function() for i, t in ipairs(live) do t:copy(saved[i]) end end,
          finite = function() return finite(params[1] and params[1]:sum() or 0) end}
end

-- One pass over the training set (r: the run's state, see nn.fit); returns
-- "diverged" or "interrupted" to stop, else records the epoch in r.h.
local function train_epoch(r, epoch)
  local a, h, N, B = r.a, r.h, r.N, r.B
  if a.optimizer.set_epoch then a.optimizer:set_epoch(epoch) end
  a.model:training()
  local perm = r.ident or nn.randperm(N)
  local t0 = clock()
  local total, correct, seen = 0, 0, 0
  for s = 1, N, B do
    local len = math.min(B, N - s + 1)
    C.gather_rows(r.xb, a.x, perm, s, len)
    C.gather_rows(r.yb, a.y, perm, s, len)
    local l, o = r.step(r.xb, r.yb)
    if not finite(l) then
      h.diverged_at = {epoch = epoch, step = (s - 1) // B + 1, loss = l}
      return "diverged"
    end
    total, seen = total + l * len, seen + len
    if r.accuracy then correct = correct + r.accuracy(o, r.yb)
    elseif r.classes then correct = correct + (a.loss.ncorrect or C.count_correct(nn._contig(o), r.yb)) end
    if r.can_catch and nn.interrupted() then
      r.out:note("nn.fit: interrupted in epoch %d after %d of %d samples", epoch, seen, N)
      return "interrupted"
    end
    r.out:bar(seen, N, clock() - t0, clock())
  end
  if not r.snap.finite() then -- the last step broke the weights
    h.diverged_at = {epoch = epoch, step = (N + B - 1) // B, loss = total / seen}
    return "diverged"
  end
  h.train_loss[epoch] = total / seen
  h.train_acc[epoch] = (r.classes or r.accuracy) and correct / seen or nil
  h.lr[epoch] = a.optimizer.lr
  if a.val then
    h.val_loss[epoch], h.val_acc[epoch] = evaluate(a.model, a.loss, a.val.x, a.val.y,
      a.eval_batch or math.max(B, 1000), r.classes, r.accuracy)
  end
  h.seconds[epoch] = clock() - t0
end

-- After an epoch: keep the best weights, report, and decide whether to stop.
local function after_epoch(r, epoch, eta)
  local a, h = r.a, r.h
  local monitored = a.val and h.val_loss[epoch] or h.train_loss[epoch]
  local improved = monitored < r.best -- never for NaN
  if improved then
    r.best, r.since_best, h.best_epoch = monitored, 0, epoch
    r.snap.save()
  else
    r.since_best = r.since_best + 1
  end
  r.out:epoch(h, epoch, r.epochs, eta, improved)
  if not finite(monitored) then
    r.out:warn("nn.fit: epoch %d: the %s loss is %s: %s", epoch, a.val and "validation" or "training",
      report.num(monitored), a.val and "does the validation set hold NaN or Inf?" or "check the data")
  end
  if a.on_epoch and a.on_epoch(epoch, h) == false then h.stopped_by_callback = true; return true end
  if a.patience and r.since_best >= a.patience then
    h.stopped_early = true
    r.out:note("nn.fit: no improvement for %d epochs; %s", a.patience,
      h.best_epoch and ("best epoch %d"):format(h.best_epoch) or "no epoch had a finite loss")
    return true
  end
end

-- fn() with the interrupt catcher on, undone however fn ends (the step
-- itself skips the input gradient of float data: lua/nn/step.lua).  The
-- clean-up is a to-be-closed variable, so an error is not caught and
-- re-raised: it keeps its own position and traceback (nnsh shows one
-- message, not the trainer's traceback inside the shell's).
local function guarded(r, fn)
  if r.can_catch then nn.catch_interrupt(true) end
  local _ <close> = setmetatable({}, {__close = function(_, err)
    if r.can_catch then
      nn.catch_interrupt(false)
      if err ~= nil then nn.interrupted() end -- drop a flag the failed run left unread
    end
    if err ~= nil then r.out:close() end
  end})
  fn()
end

-- The end of a run: restore the best (or initial) weights and say why.
local function finish(r)
  local h, out = r.h, r.out
  h.epochs = #h.train_loss
  h.best_loss = h.best_epoch and r.best or nil
  if h.diverged or (h.best_epoch and (h.best_epoch ~= h.epochs or h.interrupted)) then
    r.snap.restore()
    h.restored, h.restored_epoch = true, h.best_epoch or 0
  end
  if h.diverged then
    local d = h.diverged_at
    out:warn("nn.fit: diverged: %s at epoch %d, step %d; restored the %s (try a smaller lr or clip=, and check the data for NaN/Inf)",
      finite(d.loss) and "the weights stopped being finite" or "the training loss was " .. report.num(d.loss),
      d.epoch, d.step,
      h.best_epoch and ("weights of epoch %d"):format(h.best_epoch) or "initial weights, the model is untrained")
    out:record{event = "diverged", epoch = d.epoch, step = d.step, restored_epoch = h.restored_epoch}
  elseif h.restored then
    out:note("nn.fit: restored the weights of epoch %d", h.best_epoch)
  end
  out:close()
  r.a.model:training()
  return h
end

function nn.fit(a)
  check_args(a)
  local N, B = a.x:size(1), a.batch or 32
  local r = {a = a, N = N, B = B, epochs = a.epochs or 10, out = report.new(a),
             classes = a.y:type() == "index" and a.y:dim() == 1,
             xb = empty_like(a.x), yb = empty_like(a.y),
             ident = (a.shuffle == false) and nn.arange(1, N + 1):index() or nil,
             best = math.huge, since_best = 0,
             can_catch = type(nn.catch_interrupt) == "function" and type(nn.interrupted) == "function",
             h = {train_loss = {}, val_loss = {}, train_acc = {}, val_acc = {}, seconds = {}, lr = {},
                  stopped_early = false, interrupted = false, diverged = false}}
  -- binary labels (float 0/1 or -1/+1, one per row) get accuracy too
  r.accuracy = a.accuracy or (not r.classes and nn.metrics.binary_counter(a.loss, a.y)) or nil
  if a.seed ~= nil then nn.seed(a.seed) end
  local params
  r.step, params = nn.training_step{model = a.model, loss = a.loss, optimizer = a.optimizer, clip = a.clip}
  r.snap = snapshots(a.model, params) -- the initial weights until an epoch improves
  r.out:note("nn.fit: %d samples, batch %d (%d steps/epoch), up to %d epochs%s%s", N, B, (N + B - 1) // B,
    r.epochs, a.val and (", %d validation samples"):format(a.val.x:size(1)) or "",
    a.patience and (", patience %d"):format(a.patience) or "")
  guarded(r, function()
    local t_start = clock()
    for epoch = 1, r.epochs do
      local stop = train_epoch(r, epoch)
      if stop then r.h[stop] = true; return end
      if after_epoch(r, epoch, (clock() - t_start) / epoch * (r.epochs - epoch)) then return end
    end
  end)
  return finish(r)
end

nn._doc(nn.fit, [[nn.fit{model=, loss=, optimizer=, x=, y=, [val={x=, y=}], [batch=32], [epochs=10],
       [seed=], [patience=], [clip=], [on_epoch=], [quiet=], [json=], [shuffle=true],
       [accuracy=], [progress=], [eval_batch=]} -> history
Mini-batch training: per epoch shuffle (seeded), then per mini-batch one
nn.training_step (forward, backward, clip the global gradient norm to clip, optimizer
step, over the model's flat parameter block); then the validation loss in evaluation mode.
patience: stop when the validation loss (training loss without val) has not improved
for that many epochs.  The best epoch's weights are restored at the end, also after
Ctrl-C (which stops after the current mini-batch; history.interrupted = true, so a
script can exit 130).  A NaN/Inf training loss or weights: the run has diverged; it
stops and restores the best epoch's weights, or the initial ones if no epoch finished
(history.diverged = true, diverged_at = {epoch=, step=, loss=}, restored_epoch = 0),
and says so even with quiet = true (on stderr).  A NaN validation loss is flagged.
Accuracy is tracked when y is an index tensor of classes, or binary labels (float 0/1
or -1/+1, one per row: see nn.metrics.accuracy for the threshold), or with
accuracy = function(output, target) -> number of correct rows.
on_epoch(epoch, history) is called after each epoch; returning false stops.
Output: one line per epoch (and a progress bar on a terminal); quiet = true for none;
json = true for JSON lines on stdout instead, json = "file" to append them to a file.
history: train_loss, val_loss, train_acc, val_acc, seconds, lr (per epoch lists),
best_epoch, best_loss, epochs, stopped_early, interrupted, diverged, restored,
restored_epoch (0 = the initial weights).
  hist = nn.fit{model = m, loss = nn.CrossEntropyLoss(), optimizer = optim.sgd{lr = 0.1},
                x = x, y = y, val = {x = vx, y = vy}, batch = 200, epochs = 50, patience = 3}]])

return nn.fit
