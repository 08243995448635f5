"""``SyncBatchNorm``: Batch Normalization with statistics over the whole global batch.

Under data parallelism each process sees only its share of the batch, so a plain
BatchNorm normalises with the statistics of a few samples: the small-batch problem, in
which the noisy mean and variance hurt accuracy and the running estimates learn from
small batches. SyncBatchNorm computes, per channel, the mean and variance of the union of
all processes' batches, as BatchNorm would on the concatenated batch.

Forward: each process computes its count, mean and M2 (the sum of squared deviations
from its own mean) per channel; one all-gather brings everyone's, and each process
combines them (Chan et al.'s parallel formula, free of the cancellation of
``sum(x^2) - n * mean^2``):

    mean = sum_r n_r * mean_r / N,    M2 = sum_r (M2_r + n_r * (mean_r - mean)^2),
    var = M2 / N.

Backward: ``d_x`` depends on the means of ``g_hat = gamma * d_y`` and ``g_hat * x_hat``
over the global batch (the same closed form as ``ops/batchnorm.py``), so one all-reduce
sums the two per-channel sums across processes. ``d_gamma`` and ``d_beta`` stay local:
DistributedDataParallel averages them with the other gradients.
"""

from __future__ import annotations

import numpy as np

from .. import backend
from ..autograd import Function
from ..distributed import process_group as _process_group
from .batchnorm import _BatchNorm
from .functional import update_running_stats
from .module import Module


class SyncBatchNormFunction(Function):
    """The normalisation with global batch statistics, and its backward (see the module
    docstring). ``stats`` receives the global mean, biased variance and count."""

    def forward(self, x, gamma, beta, eps=1e-5, group=None, stats=None):
        xp = self.xp
        self.axes = axes = (0, *range(2, x.ndim))
        self.shape = shape = (1, -1) + (1,) * (x.ndim - 2)
        channels = x.shape[1]
        count = x.size // channels if channels else 0
        local_mean = x.mean(axis=axes) if count else xp.zeros(channels, x.dtype)
        local_m2 = ((x - local_mean.reshape(shape)) ** 2).sum(axis=axes)
        mine = np.concatenate([[count], backend.to_host(local_mean), backend.to_host(local_m2)])
        everyone = np.empty((group.size, mine.size), dtype=np.float64)
        group.allgather(mine.astype(np.float64), everyone)
        counts, means, m2s = np.split(everyone, [1, 1 + channels], axis=1)
        total = counts.sum()
        mean = (counts * means).sum(axis=0) / total
        var = (m2s + counts * (means - mean) ** 2).sum(axis=0) / total
        self.total, self.group = total, group
        mean = self.device.from_host(mean.astype(x.dtype))
        var = self.device.from_host(var.astype(x.dtype))
        if stats is not None:
            stats["mean"], stats["var"], stats["count"] = mean, var, int(total)
        self.inv_std = 1.0 / xp.sqrt(var + eps)
        x_hat = (x - mean.reshape(shape)) * self.inv_std.reshape(shape)
        self.gamma = gamma
        out = x_hat if gamma is None else x_hat * gamma.reshape(shape)
        if beta is not None:
            out = out + beta.reshape(shape)
        self.save(x_hat)
        return out

    def backward(self, grad):
        (x_hat,) = self.saved
        axes, shape = self.axes, self.shape
        d_beta = grad.sum(axis=axes)
        d_gamma = (grad * x_hat).sum(axis=axes)
        g_hat = grad if self.gamma is None else grad * self.gamma.reshape(shape)
        sums = np.concatenate([backend.to_host(g_hat.sum(axis=axes)),
                               backend.to_host((g_hat * x_hat).sum(axis=axes))])  # fmt: skip
        sums = sums.astype(np.float64)
        self.group.allreduce(sums, "sum")  # the two sums over the global batch
        channels = d_beta.size
        mean_g = self.device.from_host((sums[:channels] / self.total).astype(grad.dtype))
        mean_gx = self.device.from_host((sums[channels:] / self.total).astype(grad.dtype))
        d_x = self.inv_std.reshape(shape) * (
            g_hat - mean_g.reshape(shape) - x_hat * mean_gx.reshape(shape)
        )
        return d_x, d_gamma, d_beta


class SyncBatchNorm(_BatchNorm):
    """Batch Normalization over (N, C, ...) inputs whose statistics in training are those
    of the batches of all processes together (PyTorch's ``nn.SyncBatchNorm``).

    Outside an initialized process group, with a world size of 1, or in evaluation mode,
    it is exactly a BatchNorm. Running statistics are updated as BatchNorm's, from the
    global batch (the unbiased variance with the global count). Every process must call
    it the same number of times (each call communicates). ``convert_sync_batchnorm``
    turns a model's BatchNorm layers into SyncBatchNorm layers.

    Args:
        num_features: C, the number of channels (features) of the input; one mean,
            variance, scale and shift each.
        eps: added to the variance before the square root, for stability (default
            1e-5).
        momentum: the weight of the newest batch in the running estimates
            (default 0.1): ``running = (1 - momentum) * running + momentum * batch``;
            ``None`` for a cumulative average of every batch seen.
        affine: learn a per-channel scale ``weight`` (ones at first) and shift
            ``bias`` (zeros) (default True); False leaves both None.
        track_running_stats: keep the running estimates (the buffers
            ``running_mean``, ``running_var`` and ``num_batches_tracked``) and
            normalise with them in evaluation mode (default True); False uses the
            batch's statistics in both modes and keeps no buffers.
        process_group: the processes whose batches are pooled (default None: the
            whole world of :mod:`minigrad.distributed`).
        device: where the parameters and buffers are made (default: the CPU).
        dtype: their floating dtype (default: minigrad's default float dtype, float32).

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> bn = nn.SyncBatchNorm(3)  # no process group: a BatchNorm
        >>> y = bn(minigrad.randn(8, 3, 4) * 5 + 2)
        >>> [abs(round(v, 3)) for v in y.mean(dim=(0, 2)).tolist()]
        [0.0, 0.0, 0.0]
    """

    def __init__(
        self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
        affine: bool = True, track_running_stats: bool = True, process_group=None,
        device=None, dtype=None,
    ) -> None:  # fmt: skip
        super().__init__(num_features, eps, momentum, affine, track_running_stats, device, dtype)
        if process_group is not None:
            raise NotImplementedError("only the default process group is supported")
        self.process_group = process_group

    _valid_ranks = range(2, 65)  # (N, C, ...): any rank NumPy has from 2

    def _check_input(self, input) -> None:
        """Raise if the input is not (N, C, ...) with the layer's channels."""
        if input.ndim < 2:
            raise ValueError(f"expected at least 2D input (got {input.ndim}D input)")
        if input.shape[1] != self.num_features and (self.affine or self.track_running_stats):
            raise RuntimeError(
                f"SyncBatchNorm({self.num_features}) expects {self.num_features} channels in "
                f"dim 1, got input of shape {tuple(input.shape)} with {input.shape[1]}"
            )

    _input_error = _check_input  # what _BatchNorm.forward calls when its check fails

    def forward(self, input):
        group = _process_group._group
        if not self.training or group is None or group.size == 1:
            return super().forward(input)  # one process's batch is the global batch
        self._check_input(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats:
            self.num_batches_tracked._data += 1
            self.num_batches_tracked._version.value += 1
            if self.momentum is None:  # a cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        stats = {}
        out = SyncBatchNormFunction.apply(
            input, self.weight, self.bias, eps=self.eps, group=group, stats=stats
        )
        if stats["count"] <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size "
                f"{tuple(input.shape)} on this process and {stats['count']} in all"
            )
        if self.track_running_stats:
            update_running_stats(self.running_mean, self.running_var, stats["mean"],
                                 stats["var"], factor, stats["count"])  # fmt: skip
        return out

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group=None) -> Module:
        """Return ``module`` with every BatchNorm layer in it replaced by a SyncBatchNorm
        that holds the same parameters, running statistics and mode (``module`` itself is
        replaced if it is a BatchNorm).

        Example:
            >>> from minigrad import nn
            >>> model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.ReLU())
            >>> model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
            >>> type(model[1]).__name__
            'SyncBatchNorm'
        """
        result = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            result = cls(module.num_features, module.eps, module.momentum, module.affine,
                         module.track_running_stats, process_group)  # fmt: skip
            if module.affine:
                result.weight = module.weight
                result.bias = module.bias  # None for bias=False: a scale without a shift
            result.use_bias = module.use_bias
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                result._buffers[name] = module._buffers[name]
            result.train(module.training)
        for name, child in module.named_children():
            converted = cls.convert_sync_batchnorm(child, process_group)
            if converted is not child:
                result._modules[name] = converted
        return result
