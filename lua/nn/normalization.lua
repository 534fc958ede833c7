-- nn.BatchNorm(C) and nn.LayerNorm(C).
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
  nn._check_size("BatchNorm", "the number of features", nfeat)
  opts = opts or {}
  self.nfeat, self.eps, self.momentum = nfeat, opts.eps or 1e-5, opts.momentum or 0.1
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

local LayerNorm = nn.class("LayerNorm")

function LayerNorm:__init(nfeat, opts)
  nn.Module.__init(self)
  nn._check_size("LayerNorm", "the number of features", nfeat)
  opts = opts or {}
  self.nfeat, self.eps = nfeat, opts.eps or 1e-5
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

return true
