"""The normalization layers beside BatchNorm: ``LayerNorm``, ``GroupNorm``,
``InstanceNorm1d`` and ``InstanceNorm2d``, with PyTorch 2.13's semantics.

BatchNorm normalises each channel with statistics of the *batch*. That is what makes it
work, and also its weak side: the output of one sample depends on the others in its batch,
small batches give noisy statistics, and evaluation needs running estimates that training
never used. The layers here normalise each sample with its *own* statistics, so none of
that arises; they differ only in which values of a sample share a mean and a variance:

* ``LayerNorm``: all the values of the last dims (``normalized_shape``), e.g. the features
  of a token; its affine is element by element.
* ``GroupNorm``: each group of ``C / G`` channels with all their positions; per-channel
  affine. ``G = 1`` is a LayerNorm over ``(C, H, W)``; ``G = C`` is InstanceNorm.
* ``InstanceNorm``: each channel over its positions alone. By default it has no affine
  and no running estimates; with ``track_running_stats=True`` it keeps them, as BatchNorm
  does, and uses them in evaluation mode.

The math is one primitive, ``minigrad.ops.normalization.Normalize``; the functions are in
``minigrad.nn.functional_norm``.
"""

from __future__ import annotations

import numbers
import warnings

from .. import creation
from .. import dtypes as _dtypes
from ..grad_mode import no_grad
from . import functional_norm as F
from .module import Module
from .parameter import Parameter


class LayerNorm(Module):
    """Layer Normalization (Ba et al., 2016): each sample normalised over its last
    ``len(normalized_shape)`` dims, then scaled and shifted element by element.

    ``normalized_shape`` (an int or a tuple) is the shape of those trailing dims; the
    ``weight`` (ones) and ``bias`` (zeros) have that shape. No running statistics: training
    and evaluation are the same. ``bias=False`` keeps only the scale.

    Args:
        normalized_shape: the shape of the trailing dimensions normalised together, an
            int or a tuple (for example ``(C, H, W)``, or the feature size ``D``).
        eps: added to the variance before the square root (default 1e-5).
        elementwise_affine: learn a scale ``weight`` (ones) and shift ``bias``
            (zeros) of shape ``normalized_shape`` (default True).
        bias: with ``elementwise_affine``, learn the shift too (default True).
        device: where the parameters and buffers are made (default: the CPU).
        dtype: their floating dtype (default: minigrad's default float dtype, float32).

    Example:
        >>> import minigrad
        >>> from minigrad.nn.normalization import LayerNorm
        >>> ln = LayerNorm(4)
        >>> ln
        LayerNorm((4,), eps=1e-05, elementwise_affine=True, bias=True)
        >>> y = ln(minigrad.randn(2, 3, 4) * 5 + 3)  # (N, L, D): each of the 6 rows alone
        >>> [abs(round(v, 3)) for v in y.mean(dim=-1).flatten().tolist()]
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        >>> [name for name, _ in ln.named_parameters()]
        ['weight', 'bias']
    """

    def __init__(
        self,
        normalized_shape,
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        _make_affine(self, self.normalized_shape, elementwise_affine, bias, device, dtype)

    def reset_parameters(self) -> None:
        """Weight to ones, bias to zeros: the layer starts as plain normalisation."""
        _reset_affine(self)

    def forward(self, input):
        """Normalise ``input`` (*, *normalized_shape) over its trailing dims."""
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        """The arguments, as PyTorch prints them."""
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )


class RMSNorm(Module):
    """Root-mean-square normalization: each sample scaled to a unit root mean square over
    its last ``len(normalized_shape)`` dims, then multiplied element by element by a
    learned ``weight`` (ones); no centring and no bias (see
    :func:`~minigrad.nn.functional.rms_norm`). The normalization of many Transformer
    language models.

    Args:
        normalized_shape: the shape of the trailing dims normalised together.
        eps: added to the mean square (default None: the dtype's machine epsilon).
        elementwise_affine: learn the ``weight`` (default True).
        device, dtype: where and how the weight is made.

    Example:
        >>> import minigrad
        >>> norm = minigrad.nn.RMSNorm(4)
        >>> norm
        RMSNorm((4,), eps=None, elementwise_affine=True)
        >>> y = norm(minigrad.randn(2, 3, 4) * 10)
        >>> [round(v, 3) for v in (y * y).mean(dim=-1).flatten().tolist()]
        [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    """

    def __init__(
        self, normalized_shape, eps: float | None = None, elementwise_affine: bool = True,
        device=None, dtype=None,
    ) -> None:  # fmt: skip
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        weight = creation.ones(self.normalized_shape, device=device, dtype=dtype)
        self.register_parameter("weight", Parameter(weight) if elementwise_affine else None)

    def reset_parameters(self) -> None:
        """The weight back to ones."""
        if self.weight is not None:
            with no_grad():
                self.weight.fill_(1)

    def forward(self, input):
        return F.rms_norm(input, self.normalized_shape, self.weight, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, elementwise_affine={self.elementwise_affine}"
        )


class LocalResponseNorm(Module):
    """Local response normalization across channels: see
    :func:`~minigrad.nn.functional.local_response_norm`.

    Example:
        >>> import minigrad
        >>> lrn = minigrad.nn.LocalResponseNorm(2)
        >>> lrn
        LocalResponseNorm(2, alpha=0.0001, beta=0.75, k=1.0)
        >>> lrn(minigrad.randn(2, 5, 4, 4)).shape
        minigrad.Size([2, 5, 4, 4])
    """

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"


class GroupNorm(Module):
    """Group Normalization (Wu and He, 2018): the channels of each sample (N, C, ...) split
    into ``num_groups`` groups of consecutive channels, each normalised over its channels and
    positions, then scaled and shifted channel by channel.

    ``num_channels`` must be divisible by ``num_groups``. The ``weight`` (ones) and ``bias``
    (zeros) have shape ``(num_channels,)``. Independent of the batch size, which is why it
    replaces BatchNorm where batches are small (detection, segmentation, video).

    Args:
        num_groups: G, the number of groups of consecutive channels; each group of
            each sample has its own mean and variance.
        num_channels: C, the channels of the input; divisible by ``num_groups``.
        eps: added to the variance before the square root (default 1e-5).
        affine: learn a per-channel scale ``weight`` (ones) and shift ``bias``
            (zeros) (default True).
        device: where the parameters and buffers are made (default: the CPU).
        dtype: their floating dtype (default: minigrad's default float dtype, float32).
        bias: keyword only; with ``affine``, learn the shift too (default True).

    Example:
        >>> import minigrad
        >>> from minigrad.nn.normalization import GroupNorm
        >>> gn = GroupNorm(2, 4)  # 2 groups of 2 channels
        >>> gn
        GroupNorm(2, 4, eps=1e-05, affine=True, bias=True)
        >>> y = gn(minigrad.randn(1, 4, 3, 3) * 5 + 3)  # a batch of one is fine
        >>> [abs(round(v, 3)) for v in y.reshape(1, 2, 18).mean(dim=-1).flatten().tolist()]
        [0.0, 0.0]
        >>> GroupNorm(3, 4)
        Traceback (most recent call last):
        ...
        ValueError: num_channels (4) must be divisible by num_groups (3)
    """

    def __init__(
        self,
        num_groups: int,
        num_channels: int,
        eps: float = 1e-5,
        affine: bool = True,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        if num_groups <= 0:
            raise ValueError(f"num_groups must be a positive int, got {num_groups}")
        if num_channels % num_groups != 0:
            raise ValueError(
                f"num_channels ({num_channels}) must be divisible by num_groups ({num_groups})"
            )
        self.num_groups = num_groups
        self.num_channels = num_channels
        self.eps = eps
        self.affine = affine
        _make_affine(self, num_channels, affine, bias, device, dtype)

    def reset_parameters(self) -> None:
        """Weight to ones, bias to zeros: the layer starts as plain normalisation."""
        _reset_affine(self)

    def forward(self, input):
        """Normalise ``input`` (N, C, ...) per sample and group of channels."""
        return F.group_norm(input, self.num_groups, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        """The arguments, as PyTorch prints them."""
        return (
            f"{self.num_groups}, {self.num_channels}, eps={self.eps}, affine={self.affine}, "
            f"bias={self.bias is not None}"
        )


class _InstanceNorm(Module):
    _batched_ndim = 0  # the rank of a batched input; one less is an unbatched sample
    # Checkpoints from before PyTorch added the counter lack it; loading one keeps ours.
    _optional_state = ("num_batches_tracked",)

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = False,
        track_running_stats: bool = False,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        _make_affine(self, num_features, affine, bias, device, dtype)
        if track_running_stats:
            self.register_buffer(
                "running_mean", creation.zeros(num_features, device=device, dtype=dtype)
            )
            self.register_buffer(
                "running_var", creation.ones(num_features, device=device, dtype=dtype)
            )
            # PyTorch keeps the counter for its state_dict layout, but InstanceNorm never
            # advances it (momentum=None means no update at all, not a cumulative average).
            self.register_buffer(
                "num_batches_tracked", creation.tensor(0, dtype=_dtypes.int64, device=device)
            )
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Running mean to zeros, running variance to ones, the counter to zero."""
        if self.track_running_stats:
            with no_grad():
                self.running_mean.zero_()
                self.running_var.fill_(1)
                self.num_batches_tracked.zero_()

    def reset_parameters(self) -> None:
        """The running estimates reset, weight to ones and bias to zeros."""
        self.reset_running_stats()
        _reset_affine(self)

    def forward(self, input):
        """Normalise each channel of each sample; an unbatched sample is a batch of one."""
        ranks = (self._batched_ndim - 1, self._batched_ndim)
        if input.ndim not in ranks:
            raise ValueError(f"expected {ranks[0]}D or {ranks[1]}D input (got {input.ndim}D input)")
        feature_dim = input.ndim - (self._batched_ndim - 1)
        if input.shape[feature_dim] != self.num_features:
            if self.affine:
                raise ValueError(
                    f"expected input's size at dim={feature_dim} to match num_features "
                    f"({self.num_features}), but got: {input.shape[feature_dim]}."
                )
            warnings.warn(  # PyTorch's warning: the layer holds nothing per channel
                f"input's size at dim={feature_dim} does not match num_features. You can "
                "silence this warning by not passing in num_features, which is not used "
                "because affine=False",
                stacklevel=2,
            )
        if input.ndim == ranks[0]:
            return self._instance_norm(input.unsqueeze(0)).squeeze(0)
        return self._instance_norm(input)

    def _instance_norm(self, input):
        # Instance statistics in training, and always without running estimates; the
        # running estimates in evaluation mode when there are some.
        return F.instance_norm(
            input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            self.training or not self.track_running_stats,
            self.momentum if self.momentum is not None else 0.0,
            self.eps,
        )

    def extra_repr(self) -> str:
        """The arguments, as PyTorch prints them."""
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class InstanceNorm1d(_InstanceNorm):
    """Instance Normalization over (N, C, L) inputs, or an unbatched (C, L): each channel of
    each sample normalised over its L positions.

    Defaults differ from BatchNorm's: ``affine=False`` and ``track_running_stats=False``, so
    by default the layer has no parameters and no buffers, and evaluation mode is the same
    as training. With ``track_running_stats=True`` it keeps running estimates (the batch's
    average instance mean and unbiased variance) and normalises with them in evaluation.

    Args:
        num_features: C, the number of channels of the input.
        eps: added to the variance before the square root (default 1e-5).
        momentum: with ``track_running_stats``, the weight of the newest batch in
            the running estimates (default 0.1); ``None`` leaves them unchanged.
        affine: learn a per-channel scale and shift (default False, unlike
            BatchNorm).
        track_running_stats: keep running estimates of the average instance mean
            and variance and use them in evaluation mode (default False: each
            sample's own statistics in both modes).
        device: where the parameters and buffers are made (default: the CPU).
        dtype: their floating dtype (default: minigrad's default float dtype, float32).
        bias: keyword only; False keeps the learned scale without a shift
            (default True).

    Example:
        >>> import minigrad
        >>> from minigrad.nn.normalization import InstanceNorm1d
        >>> norm = InstanceNorm1d(3)
        >>> norm.affine, norm.track_running_stats, list(norm.state_dict())  # the defaults
        (False, False, [])
        >>> y = norm(minigrad.randn(2, 3, 10) * 4 + 1)  # (N, C, L)
        >>> [abs(round(v, 3)) for v in y.mean(dim=-1).flatten().tolist()]
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0]
        >>> norm(minigrad.randn(3, 10)).shape  # unbatched (C, L)
        minigrad.Size([3, 10])
    """

    _batched_ndim = 3


class InstanceNorm2d(_InstanceNorm):
    """Instance Normalization over (N, C, H, W) inputs, or an unbatched (C, H, W): each
    feature map of each sample normalised over its H * W positions, which removes the
    image's own contrast per channel (the normalisation of fast style transfer).

    Defaults: ``affine=False``, ``track_running_stats=False`` (see ``InstanceNorm1d``).

    Args:
        num_features: C, the number of channels of the input.
        eps: added to the variance before the square root (default 1e-5).
        momentum: with ``track_running_stats``, the weight of the newest batch in
            the running estimates (default 0.1); ``None`` leaves them unchanged.
        affine: learn a per-channel scale and shift (default False, unlike
            BatchNorm).
        track_running_stats: keep running estimates of the average instance mean
            and variance and use them in evaluation mode (default False: each
            sample's own statistics in both modes).
        device: where the parameters and buffers are made (default: the CPU).
        dtype: their floating dtype (default: minigrad's default float dtype, float32).
        bias: keyword only; False keeps the learned scale without a shift
            (default True).

    Example:
        >>> import minigrad
        >>> from minigrad.nn.normalization import InstanceNorm2d
        >>> norm = InstanceNorm2d(2, affine=True, track_running_stats=True)
        >>> list(norm.state_dict())
        ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']
        >>> x = minigrad.arange(32.0).reshape(2, 2, 2, 4)  # (N, C, H, W)
        >>> y = norm(x)  # training: each sample's own statistics, per channel
        >>> [abs(round(v, 3)) for v in y.mean(dim=(2, 3)).flatten().tolist()]
        [0.0, 0.0, 0.0, 0.0]
        >>> norm.running_mean  # 10% of the way to the average instance mean, (3.5+19.5)/2
        tensor([1.1500, 1.9500])
        >>> _ = norm.eval()
        >>> [round(v, 4) for v in norm(x)[0, 0, 0].tolist()]  # evaluation: the estimates
        [-0.939, -0.1225, 0.694, 1.5105]
    """

    _batched_ndim = 4


class InstanceNorm3d(_InstanceNorm):
    """Instance Normalization over (N, C, D, H, W) inputs, or an unbatched (C, D, H, W):
    each channel of each sample normalised over its D * H * W positions. The defaults and
    arguments are :class:`InstanceNorm2d`'s.

    Example:
        >>> import minigrad
        >>> from minigrad.nn.normalization import InstanceNorm3d
        >>> y = InstanceNorm3d(2)(minigrad.randn(2, 2, 3, 3, 3) * 4 + 1)
        >>> [abs(round(v, 3)) for v in y.mean(dim=(2, 3, 4)).flatten().tolist()]
        [0.0, 0.0, 0.0, 0.0]
    """

    _batched_ndim = 5


def _make_affine(module, shape, affine: bool, bias: bool, device, dtype) -> None:
    """A weight of ones and a bias of zeros of this shape (PyTorch's init), or None for
    each that is not wanted."""
    if affine:
        module.weight = Parameter(creation.ones(shape, device=device, dtype=dtype))
    else:
        module.register_parameter("weight", None)
    if affine and bias:
        module.bias = Parameter(creation.zeros(shape, device=device, dtype=dtype))
    else:
        module.register_parameter("bias", None)


def _reset_affine(module) -> None:
    with no_grad():
        if module.weight is not None:
            module.weight.fill_(1)
        if module.bias is not None:
            module.bias.zero_()
