"""Batch Normalization: ``BatchNorm1d`` and ``BatchNorm2d``, with PyTorch's semantics.

In training mode a BatchNorm layer normalises each channel with the mean and the *biased*
variance of the current batch, and keeps running estimates of the mean and the *unbiased*
variance for inference:

    running = (1 - momentum) * running + momentum * batch_statistic

With ``momentum=None`` the running estimates are plain cumulative averages instead
(factor ``1 / num_batches_tracked``). ``num_batches_tracked`` counts training batches
either way. In evaluation mode the running estimates are used, so a sample's output no
longer depends on the rest of its batch. With ``track_running_stats=False`` there are no
running estimates and batch statistics are used in both modes.
"""

from __future__ import annotations

from .. import creation
from .. import dtypes as _dtypes
from ..grad_mode import no_grad
from . import functional as F
from .module import Module
from .parameter import Parameter


class _BatchNorm(Module):
    _valid_ranks: tuple[int, ...] = ()
    _shape_names = ""
    # Checkpoints from before PyTorch added the counter lack it; loading one keeps ours.
    _optional_state = ("num_batches_tracked",)

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if isinstance(num_features, bool) or not isinstance(num_features, int) or num_features <= 0:
            raise ValueError(f"num_features must be a positive int, got {num_features!r}")
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        self.use_bias = affine and bias  # bias=False: a learned scale, no shift (PyTorch 2.13)
        if affine:
            self.weight = Parameter(creation.ones(num_features, device=device, dtype=dtype))
        else:
            self.register_parameter("weight", None)
        if self.use_bias:
            self.bias = Parameter(creation.zeros(num_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer(
                "running_mean", creation.zeros(num_features, device=device, dtype=dtype)
            )
            self.register_buffer(
                "running_var", creation.ones(num_features, device=device, dtype=dtype)
            )
            self.register_buffer(
                "num_batches_tracked",
                creation.tensor(0, dtype=_dtypes.int64, device=device),
            )
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        self.reset_running_stats()
        if self.affine:
            with no_grad():
                self.weight.fill_(1)
                if self.bias is not None:  # bias=False: a scale without a shift
                    self.bias.zero_()

    def _input_error(self, input) -> None:
        """Raise the error that says what is wrong with the input's rank or channels."""
        name = type(self).__name__
        if input.ndim not in self._valid_ranks:
            raise ValueError(
                f"{name} expects a {' or '.join(f'{r}D' for r in self._valid_ranks)} input "
                f"({self._shape_names}), got {input.ndim}D input of shape {tuple(input.shape)}"
            )
        raise RuntimeError(  # RuntimeError, as PyTorch's
            f"{name}({self.num_features}) expects {self.num_features} channels in dim 1, "
            f"got input of shape {tuple(input.shape)} with {input.shape[1]}"
        )

    def forward(self, input):
        # A layer with no per-channel tensors (affine=False, track_running_stats=False)
        # has nothing to match, and takes any channel count.
        if input.ndim not in self._valid_ranks or (
            input.shape[1] != self.num_features and (self.affine or self.track_running_stats)
        ):
            self._input_error(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data += 1  # a buffer: counted on its array, no graph
            self.num_batches_tracked._version.value += 1
            if self.momentum is None:  # a cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked.item())
        # Batch statistics in training, and always when there are no running estimates.
        use_batch_stats = self.training or self.running_mean is None
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.use_bias}, "
            f"track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch Normalization over (N, C) or (N, C, L) inputs, per channel C.

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
        device: where the parameters and buffers are made (default: the CPU).
        dtype: their floating dtype (default: minigrad's default float dtype, float32).
        bias: keyword only; False keeps the learned scale without a shift
            (default True; as in PyTorch 2.13).

    Example:
        >>> import minigrad
        >>> bn = minigrad.nn.BatchNorm1d(3)
        >>> out = bn(minigrad.randn(8, 3) * 5 + 2)  # training mode: batch statistics
        >>> [abs(round(v, 3)) for v in out.mean(dim=0).tolist()]
        [0.0, 0.0, 0.0]
        >>> [round(v, 3) for v in out.var(dim=0, unbiased=False).tolist()]
        [1.0, 1.0, 1.0]
    """

    _valid_ranks = (2, 3)
    _shape_names = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch Normalization over (N, C, H, W) inputs, per channel C (one mean and variance
    per feature map, shared by all positions: the per-channel BN of convolutional nets).

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
        device: where the parameters and buffers are made (default: the CPU).
        dtype: their floating dtype (default: minigrad's default float dtype, float32).
        bias: keyword only; False keeps the learned scale without a shift
            (default True; as in PyTorch 2.13).

    Example:
        >>> import minigrad
        >>> bn = minigrad.nn.BatchNorm2d(3)  # 3 channels
        >>> x = minigrad.randn(8, 3, 5, 5) * 4 + 1  # (N, C, H, W)
        >>> y = bn(x)  # training mode: each channel normalised over N, H and W
        >>> [abs(round(v, 3)) for v in y.mean(dim=(0, 2, 3)).tolist()]
        [0.0, 0.0, 0.0]
        >>> bn.running_mean.shape, int(bn.num_batches_tracked)
        (minigrad.Size([3]), 1)
    """

    _valid_ranks = (4,)
    _shape_names = "(N, C, H, W)"


class BatchNorm3d(_BatchNorm):
    """Batch Normalization over (N, C, D, H, W) inputs, per channel C (one mean and
    variance per channel over N, D, H and W); the arguments are :class:`BatchNorm2d`'s.

    Example:
        >>> import minigrad
        >>> bn = minigrad.nn.BatchNorm3d(3)
        >>> y = bn(minigrad.randn(4, 3, 2, 3, 3) * 4 + 1)
        >>> [abs(round(v, 3)) for v in y.mean(dim=(0, 2, 3, 4)).tolist()]
        [0.0, 0.0, 0.0]
    """

    _valid_ranks = (5,)
    _shape_names = "(N, C, D, H, W)"
