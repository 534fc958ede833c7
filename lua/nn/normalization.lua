-- nn.BatchNorm(C), nn.BatchNorm2d(C), nn.LayerNorm(C), nn.GroupNorm(G, C).
--
-- BatchNorm normalizes each feature over the batch: input (N, C), or
-- (N, C, ...) for spatial batch norm (statistics per channel over N and
-- the positions).  Training uses the batch statistics and updates the
-- running ones (running = (1-momentum)*running + momentum*batch, unbiased
-- variance, as PyTorch); evaluation uses the running statistics.
-- LayerNorm normalizes each row over its last dimension, the same in
-- training and evaluation.  Both scale and shift per feature:
-- weight (gamma, init 1), bias (beta, init 0).
local nn = require "nn"
local C = nn.C

local BatchNorm = nn.class("BatchNorm")

function BatchNorm:__init(nfeat, opts)
  nn.Module.__init(self)
  nfeat = nn._check_size("BatchNorm", "the number of features", nfeat)
  opts = opts or {}
  self.nfeat, self.eps, self.momentum = nfeat, opts.eps or 1e-5, opts.momentum or 0.1
  nn._check_number("nn.BatchNorm", "eps", self.eps, 0, nil, "(]", 3)
  nn._check_number("nn.BatchNorm", "momentum", self.momentum, 0, 1, "[]", 3)
  self:_param("weight", nn.ones(nfeat))
  self:_param("bias", nn.zeros(nfeat))
  self:_buffer("running_mean", nn.zeros(nfeat))
  self:_buffer("running_var", nn.ones(nfeat))
  self.save_mean, self.save_rstd = nn.zeros(nfeat), nn.zeros(nfeat)
end

function BatchNorm:forward(x)
  self._was_training = self.train
  return C.batchnorm_forward(self.output, self.save_mean, self.save_rstd, nn._contig(x),
    self.weight, self.bias, self.running_mean, self.running_var, self.train,
    self.momentum, self.eps)
end

function BatchNorm:backward(x, gradOutput)
  return C.batchnorm_backward(self.gradInput, self.gradWeight, self.gradBias,
    nn._contig(gradOutput), nn._contig(x), self.weight, self.save_mean, self.save_rstd,
    self._was_training)
end

function BatchNorm:describe()
  return ("nn.BatchNorm(%d, eps=%g, momentum=%g)"):format(self.nfeat, self.eps, self.momentum)
end

nn._doc(BatchNorm, [[nn.BatchNorm(C [, {eps=1e-5, momentum=0.1}]) -> module
Batch normalization over features: input (N, C) or (N, C, ...) (spatial).
Training: batch statistics, running ones updated; m:evaluate(): running statistics.
Parameters weight (gamma, 1s) and bias (beta, 0s); buffers running_mean, running_var.]])

-- nn.BatchNorm2d(C): spatial batch norm, PyTorch's name.  The same kernel
-- with S = H*W positions per channel (src/core/batchnorm.h): statistics per
-- channel over N*H*W values; input must be (N, C, H, W).
local BatchNorm2d = nn.class("BatchNorm2d", BatchNorm)

function BatchNorm2d:forward(x)
  if x:dim() ~= 4 or x:size(2) ~= self.nfeat then
    error(("nn.BatchNorm2d(%d).forward: input must be (N, %d, H, W), got %s"):format(
      self.nfeat, self.nfeat, table.concat(x:size(), "x")), 2)
  end
  return BatchNorm.forward(self, x)
end

function BatchNorm2d:describe()
  return ("nn.BatchNorm2d(%d, eps=%g, momentum=%g)"):format(self.nfeat, self.eps, self.momentum)
end

nn._doc(BatchNorm2d, [[nn.BatchNorm2d(C [, {eps=1e-5, momentum=0.1}]) -> module
Spatial batch normalization of (N, C, H, W): per channel over N*H*W values.
Training: batch statistics, running ones updated (PyTorch's rule, unbiased variance);
m:evaluate(): running statistics.  weight (gamma, 1s), bias (beta, 0s).
  m = nn.BatchNorm2d(32); y = m:forward(nn.randn(8, 32, 28, 28)); m:evaluate()]])

local LayerNorm = nn.class("LayerNorm")

function LayerNorm:__init(nfeat, opts)
  nn.Module.__init(self)
  nfeat = nn._check_size("LayerNorm", "the number of features", nfeat)
  opts = opts or {}
  self.nfeat, self.eps = nfeat, opts.eps or 1e-5
  nn._check_number("nn.LayerNorm", "eps", self.eps, 0, nil, "(]", 3)
  self:_param("weight", nn.ones(nfeat))
  self:_param("bias", nn.zeros(nfeat))
  self.save_mean, self.save_rstd = nn.zeros(0), nn.zeros(0)
end

function LayerNorm:forward(x)
  return C.layernorm_forward(self.output, self.save_mean, self.save_rstd, nn._contig(x),
    self.weight, self.bias, self.eps)
end

function LayerNorm:backward(x, gradOutput)
  return C.layernorm_backward(self.gradInput, self.gradWeight, self.gradBias,
    nn._contig(gradOutput), nn._contig(x), self.weight, self.save_mean, self.save_rstd)
end

function LayerNorm:describe()
  return ("nn.LayerNorm(%d, eps=%g)"):format(self.nfeat, self.eps)
end

nn._doc(LayerNorm, [[nn.LayerNorm(C [, {eps=1e-5}]) -> module
Each row normalized over its last dimension (size C), then *weight + bias.]])

-- nn.GroupNorm(G, C): PyTorch's nn.GroupNorm (src/core/groupnorm.h).  Each
-- sample's C channels in G groups of C/G; each group normalized over its
-- channels and positions (biased variance), then weight[c]*x̂ + bias[c].
-- No running statistics: the same in training and evaluation.
local GroupNorm = nn.class("GroupNorm")

function GroupNorm:__init(groups, nchan, opts)
  nn.Module.__init(self)
  nn._check_size("GroupNorm", "the number of groups", groups)
  nn._check_size("GroupNorm", "the number of channels", nchan)
  if nchan % groups ~= 0 then
    error(("nn.GroupNorm: %d channels cannot be split into %d groups"):format(nchan, groups), 3)
  end
  opts = opts or {}
  self.groups, self.nchan, self.eps = groups, nchan, opts.eps or 1e-5
  self:_param("weight", nn.ones(nchan))
  self:_param("bias", nn.zeros(nchan))
  self.save_mean, self.save_rstd = nn.zeros(0), nn.zeros(0)
end

function GroupNorm:forward(x)
  if x:dim() < 2 or x:size(2) ~= self.nchan then
    error(("%s.forward: input must be (N, %d, ...), got %s"):format(self:describe(), self.nchan,
      table.concat(x:size(), "x")), 2)
  end
  return C.groupnorm_forward(self.output, self.save_mean, self.save_rstd, nn._contig(x),
    self.weight, self.bias, self.groups, self.eps)
end

function GroupNorm:backward(x, gradOutput)
  return C.groupnorm_backward(self.gradInput, self.gradWeight, self.gradBias,
    nn._contig(gradOutput), nn._contig(x), self.weight, self.save_mean, self.save_rstd, self.groups)
end

function GroupNorm:describe()
  return ("nn.GroupNorm(%d groups, %d channels, eps=%g)"):format(self.groups, self.nchan, self.eps)
end

nn._doc(GroupNorm, [[nn.GroupNorm(G, C [, {eps=1e-5}]) -> module
Group normalization of (N, C, ...): each sample's C channels in G groups, each group
normalized over its channels and positions, then *weight[c] + bias[c] (1s, 0s).
G = 1: layer norm over (C, H, W); G = C: instance norm.
  nn.GroupNorm(8, 32):forward(nn.randn(4, 32, 28, 28))]])

return true
