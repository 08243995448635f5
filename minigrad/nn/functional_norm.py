"""Layer, Group and Instance Normalization as functions, with PyTorch 2.13's semantics.

Each normalises a sample with statistics of that sample alone, so, unlike
:func:`~minigrad.nn.functional.batch_norm`, a sample's output does not depend on what else
is in its batch, a batch of one is as good as a batch of a thousand, and training and
evaluation compute the same thing (InstanceNorm's optional running estimates aside):

| function        | one mean and variance per          | of an (N, C, H, W) input: m =  |
| --------------- | ---------------------------------- | ------------------------------ |
| ``layer_norm``  | sample, over ``normalized_shape``  | C*H*W (for ``(C, H, W)``)      |
| ``group_norm``  | sample and group of C/G channels   | (C/G)*H*W                      |
| ``instance_norm`` | sample and channel               | H*W                            |

All three call one primitive, :class:`minigrad.ops.normalization.Normalize`, which sees the
input as ``rows`` rows of ``m`` values and normalises each row. What differs is the number
of rows and how the affine weight and bias line up with the input: element by element over
``normalized_shape`` for LayerNorm, channel by channel for the other two. The argument
checks come after the functions, each in its ``_check_*``.
"""

from __future__ import annotations

import math

import numpy as np

from .. import autocast_mode
from ..functions import pad as _pad
from ..ops import batchnorm as _batchnorm
from ..ops import normalization as _normalization
from ..tensor import Tensor

__all__ = ["group_norm", "instance_norm", "layer_norm", "local_response_norm", "rms_norm"]


@autocast_mode.casts(cuda="float32")
def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each sample over its last ``len(normalized_shape)`` dims, then scale and
    shift element by element (``weight`` and ``bias`` have shape ``normalized_shape``).

    The mean and the biased variance are taken over the trailing dims, which must equal
    ``normalized_shape``; every leading index (the batch, a sequence position) gets its own.
    The usual use is over the features of each token or each sample: ``(N, L, D)`` with
    ``normalized_shape=(D,)``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn.functional_norm import layer_norm
        >>> x = minigrad.tensor([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
        >>> layer_norm(x, (3,))  # each row on its own: the scale of a sample is removed
        tensor([[-1.2247,  0.0000,  1.2247],
                [-1.2247,  0.0000,  1.2247]])
        >>> layer_norm(x, (3,), weight=minigrad.tensor([1.0, 1.0, 2.0])).tolist()[0][2]
        2.4494...
    """
    if _half_input_float32_layer(input, weight, bias):
        return layer_norm(input.float(), normalized_shape, weight, bias, eps).half()
    _check_layer_norm(input, normalized_shape, weight, bias)  # see below
    normalized_shape = tuple(normalized_shape)
    rows = math.prod(input.shape[: input.ndim - len(normalized_shape)])
    return _normalize(input, weight, bias, rows, normalized_shape, eps)


def rms_norm(
    input: Tensor, normalized_shape, weight: Tensor | None = None, eps: float | None = None
) -> Tensor:
    """Root-mean-square normalization (Zhang & Sennrich, 2019), LayerNorm without the
    centring: ``x / sqrt(mean(x**2) + eps) * weight`` over the last
    ``len(normalized_shape)`` dims. ``eps`` defaults to the dtype's machine epsilon, as in
    PyTorch. Composed of elementwise ops and a mean, so its gradient is theirs.

    Example:
        >>> import minigrad
        >>> from minigrad.nn.functional_norm import rms_norm
        >>> x = minigrad.tensor([[3.0, 4.0], [30.0, 40.0]])
        >>> [[round(v, 4) for v in row] for row in rms_norm(x, (2,)).tolist()]
        [[0.8485, 1.1314], [0.8485, 1.1314]]
    """
    if _half_input_float32_layer(input, weight):
        return rms_norm(input.float(), normalized_shape, weight, eps).half()
    _check_layer_norm(input, normalized_shape, weight, None, "rms_norm")
    dims = tuple(range(input.ndim - len(normalized_shape), input.ndim))
    if eps is None:
        eps = float(np.finfo(input.dtype).eps)
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """Local response normalization across channels (Krizhevsky et al., 2012, AlexNet):
    each value divided by ``(k + alpha / size * sum of the squares of the size channels
    around it)**beta``, over an (N, C, *) input; the window runs from ``size // 2``
    channels before to ``(size - 1) // 2`` after, zeros beyond the edges.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.ones(1, 3, 1, 1)
        >>> [round(v, 6) for v in F.local_response_norm(x, 2, alpha=1.0).flatten().tolist()]
        [0.737788, 0.594604, 0.594604]
    """
    _check_input(input, "local_response_norm")
    if input.ndim < 3:
        raise ValueError(
            f"Expected 3D or higher dimensionality input (got {input.ndim} dimensions)"
        )
    if input.numel() == 0:
        return input
    channels = input.shape[1]
    squares = (input * input).movedim(1, -1)  # channels last
    pads = (size // 2, (size - 1) // 2)
    padded = _pad(squares, pads)
    window = padded[..., 0:channels]
    for offset in range(1, size):
        window = window + padded[..., offset : offset + channels]
    div = (window.movedim(-1, 1) * (alpha / size) + k) ** beta
    return input / div


@autocast_mode.casts(cuda="float32")
def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Split the channels of each sample of ``input`` (N, C, ...) into ``num_groups``
    groups of ``C / num_groups`` consecutive channels, normalise each group over its
    channels and positions, then scale and shift channel by channel (``weight`` and
    ``bias`` have shape ``(C,)``).

    ``num_groups=1`` is LayerNorm over ``(C, ...)`` (with a per-channel affine);
    ``num_groups=C`` is InstanceNorm. Wu and He (2018) found 32 groups about as good as
    BatchNorm at large batches, and much better at small ones, where BatchNorm's batch
    statistics are noisy.

    Example:
        >>> import minigrad
        >>> from minigrad.nn.functional_norm import group_norm
        >>> x = minigrad.tensor([[[1.0, 3.0], [5.0, 7.0], [0.0, 0.0], [4.0, 4.0]]])
        >>> group_norm(x, 2)  # (N=1, C=4, L=2): channels 0-1 together, 2-3 together
        tensor([[[-1.3416, -0.4472],
                 [ 0.4472,  1.3416],
                 [-1.0000, -1.0000],
                 [ 1.0000,  1.0000]]])
    """
    if _half_input_float32_layer(input, weight, bias):
        return group_norm(input.float(), num_groups, weight, bias, eps).half()
    _check_group_norm(input, num_groups, weight, bias)
    batch, channels = input.shape[:2]
    per_channel = (channels,) + (1,) * (input.ndim - 2)  # (C, 1, ...) against (N, C, ...)
    return _normalize(input, weight, bias, batch * num_groups, per_channel, eps)


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel of each sample of ``input`` (N, C, ...) over its positions,
    then scale and shift channel by channel (``weight`` and ``bias`` have shape ``(C,)``).

    This removes each image's own contrast, per channel: the normalisation of style
    transfer (Ulyanov et al., 2016). With ``use_input_stats=True`` (the default) every
    sample uses its own statistics; given ``running_mean`` and ``running_var``, they move
    towards the batch's average of those statistics, the variance *unbiased* (as PyTorch
    does): ``running = (1 - momentum) * running + momentum * mean_over_N(statistic)``.
    With ``use_input_stats=False`` the running estimates normalise the input instead.

    Example:
        >>> import minigrad
        >>> from minigrad.nn.functional_norm import instance_norm
        >>> x = minigrad.tensor([[[1.0, 3.0], [10.0, 30.0]], [[0.0, 4.0], [5.0, 5.0]]])
        >>> mean, var = minigrad.zeros(2), minigrad.ones(2)
        >>> instance_norm(x, mean, var)  # (N=2, C=2, L=2): each (sample, channel) alone
        tensor([[[-1.0000,  1.0000],
                 [-1.0000,  1.0000]],
        <BLANKLINE>
                [[-1.0000,  1.0000],
                 [ 0.0000,  0.0000]]])
        >>> mean, var  # 10% of the way to the average instance mean and unbiased variance
        (tensor([0.2000, 1.2500]), tensor([ 1.4000, 10.9000]))
    """
    if _half_input_float32_layer(input, running_mean, running_var, weight, bias):
        out = instance_norm(input.float(), running_mean, running_var, weight, bias,
                            use_input_stats, momentum, eps)  # fmt: skip
        return out.half()
    _check_instance_norm(input, running_mean, running_var, weight, bias, use_input_stats)
    batch, channels = input.shape[:2]
    if not use_input_stats:
        # Fixed per-channel statistics, the same for every sample: that is BatchNorm in
        # evaluation mode, and its primitive computes it.
        return _batchnorm.BatchNorm.apply(
            input, weight, bias, mean=running_mean._data, var=running_var._data, eps=eps
        )
    per_channel = (channels,) + (1,) * (input.ndim - 2)
    stats = None if running_mean is None else {}
    out = _normalize(input, weight, bias, batch * channels, per_channel, eps, stats)
    if stats:  # the input had elements: move the running estimates
        count = input.numel() // (batch * channels)  # the positions of one channel
        mean = stats["mean"].reshape(batch, channels).mean(axis=0)
        var = (stats["var"] * (count / (count - 1))).reshape(batch, channels).mean(axis=0)
        for running, batch_value in ((running_mean, mean), (running_var, var)):
            running._data *= 1.0 - momentum  # buffers: updated in place, on their arrays
            running._data += momentum * batch_value
            running._version.value += 1
    return out


def _normalize(input, weight, bias, rows, affine_shape, eps, stats=None) -> Tensor:
    """The shared primitive, or, for an input with no elements (nothing to normalise and
    no statistics), just the affine, so that the output and its gradients have the right
    shapes. Without weight and bias that is a copy: a new tensor, in the graph when the
    input is (as PyTorch's result), never the input itself."""
    if input.numel() == 0:
        if weight is None and bias is None:
            return input.clone()
        out = input if weight is None else input * weight.reshape(affine_shape)
        return out if bias is None else out + bias.reshape(affine_shape)
    return _normalization.Normalize.apply(
        input, weight, bias, rows=rows, affine_shape=affine_shape, eps=eps, stats=stats
    )


# ----------------------------------------------------------------------------------------
# What a caller can get wrong, said as PyTorch says it (shapes printed as lists).
# ----------------------------------------------------------------------------------------


def _check_layer_norm(input, normalized_shape, weight, bias, name: str = "layer_norm") -> None:
    _check_input(input, name)
    if not isinstance(normalized_shape, tuple | list) or not all(
        isinstance(n, int) and not isinstance(n, bool) for n in normalized_shape
    ):
        raise TypeError(
            f"{name}(): argument 'normalized_shape' must be tuple of ints, not "
            f"{type(normalized_shape).__name__} (nn.LayerNorm accepts a single int)"
        )
    shape = list(normalized_shape)
    if not shape:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at "
            "least one element, but got normalized_shape = []"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and list(t.shape) != shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t.shape)} and normalized_shape = {shape}"
            )
    if input.ndim < len(shape) or list(input.shape[input.ndim - len(shape) :]) != shape:
        raise RuntimeError(
            f"Given normalized_shape={shape}, expected input with shape "
            f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    _check_same_kind(name, input, weight=weight, bias=bias)


def _check_group_norm(input, num_groups, weight, bias) -> None:
    _check_input(input, "group_norm")
    if input.ndim < 2:
        raise RuntimeError(
            f"Expected at least 2 dimensions for input tensor but received {input.ndim}"
        )
    if isinstance(num_groups, bool) or not isinstance(num_groups, int) or num_groups <= 0:
        raise RuntimeError(f"Expected num groups to be greater than 0, got {num_groups}")
    batch, channels = input.shape[:2]
    if channels % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {list(input.shape)} and num_groups={num_groups}"
        )
    # PyTorch's check, as PyTorch does it (it looks at batch * C/G * positions): a lone
    # value in its group would normalise to 0 whatever it was.
    if batch * (channels // num_groups) * math.prod(input.shape[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size "
            f"{[batch * channels // num_groups, num_groups, *input.shape[2:]]}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != (channels,):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t.shape)} and input of shape "
                f"{list(input.shape)}"
            )
    _check_same_kind("group_norm", input, weight=weight, bias=bias)


def _check_instance_norm(input, running_mean, running_var, weight, bias, use_input_stats):
    _check_input(input, "instance_norm")
    if input.ndim < 2:
        raise ValueError(
            f"instance_norm expects an input of shape (N, C, ...), got {list(input.shape)}"
        )
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    if use_input_stats and math.prod(input.shape[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size "
            f"{list(input.shape)}"
        )
    if not use_input_stats and running_mean is None:
        raise RuntimeError(
            "Expected running_mean and running_var to be defined when use_input_stats is false"
        )
    channels = input.shape[1]
    named = {"running_mean": running_mean, "running_var": running_var,
             "weight": weight, "bias": bias}  # fmt: skip
    for name, t in named.items():
        if t is not None and tuple(t.shape) != (channels,):
            raise RuntimeError(
                f"instance_norm: {name} should contain {channels} elements (the channels of "
                f"an input of shape {list(input.shape)}), not {t.numel()}"
            )
    _check_same_kind("instance_norm", input, **named)


def _half_input_float32_layer(input, *tensors) -> bool:
    """Whether a float16 input meets a layer whose tensors (weights, statistics) are all
    float32: PyTorch's mixed-precision rule, under which a normalisation computes in
    float32 and returns float16, so that autocast's float16 activations can go through
    float32 BatchNorm and LayerNorm layers (their running statistics stay float32)."""
    present = [t for t in tensors if t is not None]
    return (
        isinstance(input, Tensor)
        and input.dtype == np.float16
        and bool(present)
        and all(isinstance(t, Tensor) and t.dtype == np.float32 for t in present)
    )


def _check_input(input, name: str) -> None:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name} expects a Tensor, got {type(input).__name__}")
    if not input.is_floating_point():
        raise NotImplementedError(  # PyTorch's error type for an unsupported dtype
            f"{name} needs a floating point input, got {input.dtype}; convert it with .float()"
        )


def _check_same_kind(name: str, input, **tensors) -> None:
    """One device and one dtype for the input and the layer's tensors: NumPy would promote
    a float64 weight and a float32 input silently, and return float64."""
    for key, t in tensors.items():
        if t is not None and t.device is not input.device:
            raise RuntimeError(
                f"{name}: expected all tensors to be on the same device, but found at least "
                f"two devices, {input.device} and {t.device} ({key})"
            )
        if t is not None and t.dtype != input.dtype:
            raise RuntimeError(
                f"{name}: the input and the layer's tensors must have the same dtype, got "
                f"input {input.dtype} and {key} {t.dtype} (convert the input with .float(), "
                f"or the layer with .double())"
            )
