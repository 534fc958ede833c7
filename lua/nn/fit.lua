-- nn.fit{...}: the training loop.
--
--   local hist = nn.fit{model = m, loss = nn.CrossEntropyLoss(),
--                       optimizer = optim.sgd{lr = 0.15, momentum = 0.85},
--                       x = trainx, y = traind, val = {x = valx, y = vald},
--                       batch = 200, epochs = 50, seed = 1, patience = 3}
--
-- Each epoch shuffles the training set (seeded), gathers every mini-batch
-- into two buffers allocated once (nn.C.gather_rows), runs forward,
-- backward, optional gradient clipping and the optimizer step, then
-- evaluates the validation set in evaluation mode.  With `patience`, it
-- stops when the monitored loss (validation, else training) has not
-- improved for that many epochs; the weights of the best epoch are restored
-- at the end in every case (also after Ctrl-C, which stops after the
-- current mini-batch).
local nn = require "nn"
local C = nn.C

local clock = nn.clock or os.clock

-- --- output ----------------------------------------------------------------

local is_tty -- stdout is a terminal: checked once (os.execute inherits stdout)
local function stdout_is_tty()
  if is_tty == nil then
    local ok = os.getenv("TERM") ~= "dumb" and os.execute("test -t 1")
    is_tty = ok == true
  end
  return is_tty
end

local function fmt_time(s)
  if s ~= s or s == math.huge then return "?" end
  if s < 60 then return ("%.1fs"):format(s) end
  if s < 3600 then return ("%dm%02ds"):format(s // 60, math.floor(s % 60)) end
  return ("%dh%02dm"):format(s // 3600, math.floor(s % 3600 / 60))
end

local function json_line(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do
    local v = t[k]
    local s
    if type(v) == "number" then
      if v ~= v or v == math.huge or v == -math.huge then s = "null"
      elseif math.type(v) == "integer" then s = tostring(v)
      else s = ("%.9g"):format(v) end
    elseif type(v) == "boolean" then s = tostring(v)
    else s = ("%q"):format(tostring(v)) end
    parts[#parts + 1] = ('"%s":%s'):format(k, s)
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

local function draw_bar(done, total, elapsed)
  local width = 30
  local filled = math.floor(width * done / total)
  local eta = done > 0 and elapsed / done * (total - done) or 0
  io.stdout:write(("\r  [%s%s] %3d%%  %s left\27[K"):format(
    ("#"):rep(filled), ("."):rep(width - filled), math.floor(100 * done / total), fmt_time(eta)))
  io.stdout:flush()
end

local function epoch_line(h, e, epochs, eta, best)
  local w = #tostring(epochs)
  local parts = {("epoch %" .. w .. "d/%d"):format(e, epochs),
                 ("train %.4f"):format(h.train_loss[e])}
  if h.train_acc[e] then parts[#parts + 1] = ("acc %.4f"):format(h.train_acc[e]) end
  if h.val_loss[e] then parts[#parts + 1] = ("| val %.4f"):format(h.val_loss[e]) end
  if h.val_acc[e] then parts[#parts + 1] = ("acc %.4f"):format(h.val_acc[e]) end
  parts[#parts + 1] = ("| %.2f s"):format(h.seconds[e])
  if e < epochs then parts[#parts + 1] = "ETA " .. fmt_time(eta) end
  if best then parts[#parts + 1] = "*" end
  return table.concat(parts, "  ")
end

-- --- argument checks ---------------------------------------------------------

local function fail(msg, ...) error("nn.fit: " .. msg:format(...), 3) end

local function is_tensor(t) return type(t) == "userdata" and type(t.numel) == "function" end

local function check_args(a)
  if type(a) ~= "table" then fail("expected a table of arguments, nn.fit{model=, loss=, ...}") end
  local known = {model = 1, loss = 1, optimizer = 1, x = 1, y = 1, val = 1, batch = 1,
                 epochs = 1, seed = 1, patience = 1, clip = 1, on_epoch = 1, quiet = 1,
                 json = 1, shuffle = 1, accuracy = 1, progress = 1, eval_batch = 1}
  for k in pairs(a) do
    if not known[k] then fail("unknown argument '%s'", tostring(k)) end
  end
  if type(a.model) ~= "table" or type(a.model.forward) ~= "function" then
    fail("model= must be a module (e.g. nn.Sequential{...})")
  end
  if type(a.loss) ~= "table" or type(a.loss.forward) ~= "function" then
    fail("loss= must be a criterion (e.g. nn.CrossEntropyLoss())")
  end
  if type(a.optimizer) ~= "table" or type(a.optimizer.step) ~= "function" then
    fail("optimizer= must be an optimizer (e.g. optim.sgd{lr = 0.1})")
  end
  if not is_tensor(a.x) or not is_tensor(a.y) then fail("x= and y= must be tensors") end
  if a.x:dim() < 1 or a.y:dim() < 1 or a.x:size(1) ~= a.y:size(1) then
    fail("x and y must have the same number of rows (got %d and %d)",
         a.x:dim() > 0 and a.x:size(1) or 0, a.y:dim() > 0 and a.y:size(1) or 0)
  end
  if a.x:size(1) == 0 then fail("the training set is empty") end
  if a.val ~= nil then
    if type(a.val) ~= "table" or not is_tensor(a.val.x) or not is_tensor(a.val.y) then
      fail("val= must be {x = tensor, y = tensor}")
    end
    if a.val.x:size(1) ~= a.val.y:size(1) or a.val.x:size(1) == 0 then
      fail("val.x and val.y must have the same, non-zero number of rows")
    end
  end
  local function posint(name, v)
    if v ~= nil and (math.type(v) ~= "integer" or v < 1) then
      fail("%s= must be a positive integer, got %s", name, tostring(v))
    end
  end
  posint("batch", a.batch)
  posint("epochs", a.epochs)
  posint("patience", a.patience)
  posint("eval_batch", a.eval_batch)
  if a.clip ~= nil and (type(a.clip) ~= "number" or a.clip <= 0) then
    fail("clip= must be a number > 0, got %s", tostring(a.clip))
  end
  if a.on_epoch ~= nil and type(a.on_epoch) ~= "function" then fail("on_epoch= must be a function") end
  if a.accuracy ~= nil and type(a.accuracy) ~= "function" then
    fail("accuracy= must be a function(output, target) -> number of correct rows")
  end
end

-- An empty tensor of t's type, to be resized by the kernels.
local function empty_like(t)
  return t:type() == "index" and nn.IndexTensor(0) or nn.zeros(0)
end

-- --- evaluation --------------------------------------------------------------

-- Mean loss and accuracy (nil unless classes) of the model over (x, y),
-- in evaluation mode, in batches.
local function evaluate(model, loss, x, y, batch, classes, accuracy)
  model:evaluate()
  local n = x:size(1)
  local total, correct = 0, 0
  for s = 1, n, batch do
    local len = math.min(batch, n - s + 1)
    local xb, yb = x:narrow(1, s, len), y:narrow(1, s, len)
    local out = model:forward(xb)
    local l, nc
    if loss.loss then l, nc = loss:loss(out, yb)
    else l = loss:forward(out, yb); nc = loss.ncorrect end
    total = total + l * len
    if accuracy then correct = correct + accuracy(out, yb)
    elseif classes then correct = correct + (nc or C.count_correct(nn._contig(out), yb)) end
  end
  model:training()
  return total / n, (classes or accuracy) and correct / n or nil
end
nn._evaluate = evaluate

-- --- snapshots of the best weights --------------------------------------------

local function state_tensors(model)
  local list = {}
  for _, e in ipairs(model:named_parameters()) do list[#list + 1] = e.param end
  for _, e in ipairs(model:named_buffers()) do list[#list + 1] = e.tensor end
  return list
end

-- --- the loop ---------------------------------------------------------------------

function nn.fit(a)
  check_args(a)
  local model, loss, opt = a.model, a.loss, a.optimizer
  local x, y = a.x, a.y
  local N, B = x:size(1), a.batch or 32
  local epochs = a.epochs or 10
  local eval_batch = a.eval_batch or math.max(B, 1000)
  local classes = y:type() == "index" and y:dim() == 1
  -- binary labels (float 0/1 or -1/+1, one per row) get accuracy too
  local accuracy = a.accuracy or (not classes and nn.metrics.binary_counter(loss, y)) or nil
  local track_acc = classes or accuracy ~= nil
  local quiet = a.quiet or a.json == true
  local bar = not quiet
  if a.progress ~= nil then bar = a.progress and true or false
  elseif bar then bar = stdout_is_tty() end
  local json_out
  if a.json == true then json_out = io.stdout
  elseif type(a.json) == "string" then
    json_out = assert(io.open(a.json, "a"))
  end
  if a.seed ~= nil then nn.seed(a.seed) end

  local params, grads = model:parameters()
  local xb, yb = empty_like(x), empty_like(y)
  local ident = (a.shuffle == false) and nn.arange(1, N + 1):index() or nil
  local live = state_tensors(model)
  local best_state = {}
  for i, t in ipairs(live) do best_state[i] = t:clone() end

  local h = {train_loss = {}, val_loss = {}, train_acc = {}, val_acc = {}, seconds = {},
             lr = {}, best_epoch = nil, stopped_early = false, interrupted = false}
  local best, since_best = math.huge, 0
  local can_catch = type(nn.catch_interrupt) == "function" and type(nn.interrupted) == "function"

  if not quiet then
    print(("nn.fit: %d samples, batch %d (%d steps/epoch), up to %d epochs%s%s"):format(
      N, B, (N + B - 1) // B, epochs, a.val and (", %d validation samples"):format(a.val.x:size(1)) or "",
      a.patience and (", patience %d"):format(a.patience) or ""))
  end

  local function run()
    local t_start = clock()
    for epoch = 1, epochs do
      if opt.set_epoch then opt:set_epoch(epoch) end
      model:training()
      local perm = ident or nn.randperm(N)
      local t0, last_draw = clock(), clock()
      local total, correct, seen = 0, 0, 0
      for s = 1, N, B do
        local len = math.min(B, N - s + 1)
        C.gather_rows(xb, x, perm, s, len)
        C.gather_rows(yb, y, perm, s, len)
        for i = 1, #grads do grads[i]:zero() end
        local out = model:forward(xb)
        local l = loss:forward(out, yb)
        model:backward(xb, loss:backward(out, yb))
        if a.clip then nn.clip_grad_norm(grads, a.clip) end
        opt:step(params, grads)
        total, seen = total + l * len, seen + len
        if accuracy then correct = correct + accuracy(out, yb)
        elseif classes then correct = correct + (loss.ncorrect or C.count_correct(nn._contig(out), yb)) end
        if l ~= l then
          h.diverged = true
          if not quiet then print(("\nnn.fit: the loss is NaN at epoch %d; stopping"):format(epoch)) end
          return
        end
        if can_catch and nn.interrupted() then
          h.interrupted = true
          if bar then io.stdout:write("\r\27[K") end
          if not quiet then print(("nn.fit: interrupted in epoch %d after %d of %d samples"):format(epoch, seen, N)) end
          return
        end
        if bar and clock() - last_draw > 0.25 then
          last_draw = clock()
          draw_bar(seen, N, last_draw - t0)
        end
      end
      h.train_loss[epoch] = total / seen
      h.train_acc[epoch] = track_acc and correct / seen or nil
      h.lr[epoch] = opt.lr
      local monitored = h.train_loss[epoch]
      if a.val then
        h.val_loss[epoch], h.val_acc[epoch] =
          evaluate(model, loss, a.val.x, a.val.y, eval_batch, classes, accuracy)
        monitored = h.val_loss[epoch]
      end
      h.seconds[epoch] = clock() - t0
      local improved = monitored < best
      if improved then
        best, since_best, h.best_epoch = monitored, 0, epoch
        for i, t in ipairs(live) do best_state[i]:copy(t) end
      else
        since_best = since_best + 1
      end
      if bar then io.stdout:write("\r\27[K") end
      local eta = (clock() - t_start) / epoch * (epochs - epoch)
      if not quiet then print(epoch_line(h, epoch, epochs, eta, improved)) end
      if json_out then
        json_out:write(json_line{epoch = epoch, train_loss = h.train_loss[epoch],
          val_loss = h.val_loss[epoch], train_acc = h.train_acc[epoch], val_acc = h.val_acc[epoch],
          seconds = h.seconds[epoch], lr = opt.lr, best = improved}, "\n")
        json_out:flush()
      end
      if a.on_epoch and a.on_epoch(epoch, h) == false then
        h.stopped_by_callback = true
        return
      end
      if a.patience and since_best >= a.patience then
        h.stopped_early = true
        if not quiet then
          print(("nn.fit: no improvement for %d epochs; best epoch %d"):format(a.patience, h.best_epoch))
        end
        return
      end
    end
  end

  -- Float inputs are data: the first layer need not compute their gradient.
  local skip_dx = x:type() ~= "index" and type(model.need_input_grad) == "function"
  local had_no_dx = model._no_input_grad
  if skip_dx then model:need_input_grad(false) end
  if can_catch then nn.catch_interrupt(true) end
  -- Clean-up runs on return and on error alike; an error is not caught and
  -- re-raised, so it keeps its own position and traceback (nnsh shows one
  -- message, not the trainer's traceback inside the shell's).
  do
    local _ <close> = setmetatable({}, {__close = function(_, err)
      if skip_dx then model:need_input_grad(not had_no_dx) end
      if can_catch then
        nn.catch_interrupt(false)
        if err ~= nil then nn.interrupted() end -- drop a flag the failed run left unread
      end
      if json_out and json_out ~= io.stdout then json_out:close() end
    end})
    run()
  end

  h.epochs = #h.train_loss
  if h.best_epoch then
    h.best_loss = best
    if h.best_epoch ~= h.epochs or h.interrupted or h.diverged then
      for i, t in ipairs(live) do t:copy(best_state[i]) end
      h.restored = true
      if not quiet then print(("nn.fit: restored the weights of epoch %d"):format(h.best_epoch)) end
    end
  end
  model:training()
  return h
end

nn._doc(nn.fit, [[nn.fit{model=, loss=, optimizer=, x=, y=, [val={x=, y=}], [batch=32], [epochs=10],
       [seed=], [patience=], [clip=], [on_epoch=], [quiet=], [json=], [shuffle=true],
       [accuracy=], [progress=], [eval_batch=]} -> history
Mini-batch training: per epoch shuffle (seeded), forward, backward, clip (global
gradient norm <= clip), optimizer step; then the validation loss in evaluation mode.
patience: stop when the validation loss (training loss without val) has not improved
for that many epochs.  The best epoch's weights are restored at the end, also after
Ctrl-C (which stops after the current mini-batch; history.interrupted = true).
Accuracy is tracked when y is an index tensor of classes, or binary labels (float 0/1
or -1/+1, one per row: see nn.metrics.accuracy for the threshold), or with
accuracy = function(output, target) -> number of correct rows.
on_epoch(epoch, history) is called after each epoch; returning false stops.
Output: one line per epoch (and a progress bar on a terminal); quiet = true for none;
json = true for JSON lines on stdout instead, json = "file" to append them to a file.
history: train_loss, val_loss, train_acc, val_acc, seconds, lr (per epoch lists),
best_epoch, best_loss, epochs, stopped_early, interrupted, restored.
  hist = nn.fit{model = m, loss = nn.CrossEntropyLoss(), optimizer = optim.sgd{lr = 0.1},
                x = x, y = y, val = {x = vx, y = vy}, batch = 200, epochs = 50, patience = 3}]])

return nn.fit
