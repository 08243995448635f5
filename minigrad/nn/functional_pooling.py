"""More pooling: power-average pooling (``lp_pool1d``, ``lp_pool2d``) and max
*unpooling* (``max_unpool1d``, ``max_unpool2d``), the partial inverse of a max pooling
that puts each maximum back where ``return_indices`` says it came from.

``lp_pool`` is ``(sum over the window of x**p)**(1/p)``: ``p = 1`` the sum, large ``p``
near the maximum; computed, as PyTorch does, from an average pooling of ``x**p``.
``max_unpool`` is a scatter of each plane's values into zeros.
"""

from __future__ import annotations

from .. import creation
from ..functions import relu
from ..functions_math import sign
from ..functions_select import scatter
from ..tensor import Tensor
from .functional_conv import avg_pool2d
from .functional_conv3d import _triple, avg_pool3d
from .functional_conv_variants import _one, _pair, avg_pool1d

__all__ = ["lp_pool1d", "lp_pool2d", "lp_pool3d", "max_unpool1d", "max_unpool2d", "max_unpool3d"]


def _root(out: Tensor, norm_type: float, window: int) -> Tensor:
    """The window sums (the means times ``window``) to the power ``1 / norm_type``; a
    negative mean (of an odd power) clamped at 0, as PyTorch does."""
    return (sign(out) * relu(out.abs()) * window) ** (1.0 / norm_type)


def lp_pool2d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode=False):
    """``(sum over each window of x**norm_type)**(1 / norm_type)`` of an (N, C, H, W) or
    (C, H, W) input; ``stride`` defaults to ``kernel_size``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.lp_pool2d(minigrad.full((1, 1, 2, 2), 3.0), 2, 2).item()  # sqrt(4 * 9)
        6.0
    """
    kh, kw = _pair(kernel_size, "kernel_size", "lp_pool2d")
    out = avg_pool2d(input**norm_type, (kh, kw), stride, 0, ceil_mode)
    return _root(out, norm_type, kh * kw)


def lp_pool1d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode=False):
    """``(sum over each window of x**norm_type)**(1 / norm_type)`` along the last dim of
    an (N, C, L) or (C, L) input.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.lp_pool1d(minigrad.tensor([[1.0, 2.0, 2.0, 4.0]]), 1, 2).tolist()
        [[3.0, 6.0]]
    """
    k = _one(kernel_size, "kernel_size", "lp_pool1d")
    out = avg_pool1d(input**norm_type, k, stride, 0, ceil_mode)
    return _root(out, norm_type, k)


def _unpool(name, input, indices, kernel, stride, padding, output_size, dims):
    if not isinstance(input, Tensor) or not isinstance(indices, Tensor):
        raise TypeError(f"{name}: input and indices must be Tensors")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(
            f"{name}: Expected shape of indices to be same as that of the input tensor "
            f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}"
        )
    if indices.dtype.kind not in "iu":
        raise RuntimeError(f"{name}: indices must be an integer tensor, got {indices.dtype}")
    spatial = tuple(input.shape[-dims:])
    default = tuple((n - 1) * s - 2 * p + k for n, k, s, p in zip(spatial, kernel, stride, padding))
    if output_size is None:
        size = default
    else:
        size = tuple(output_size)[-dims:]
        for n, d, s in zip(size, default, stride):
            if not d - s < n < d + s:
                raise ValueError(
                    f"{name}: invalid output_size {tuple(output_size)} (expected a size between "
                    f"{tuple(x - y for x, y in zip(default, stride))} and "
                    f"{tuple(x + y for x, y in zip(default, stride))}, exclusive)"
                )
    lead = tuple(input.shape[:-dims])
    plane = 1
    for n in size:
        plane *= n
    if indices.numel() and (bool((indices < 0).any()) or bool((indices >= plane).any())):
        raise RuntimeError(f"{name}: Found an invalid max index (the output planes hold {plane})")
    flat_in = input.reshape(*lead, -1)
    zeros = creation.zeros(*lead, plane, dtype=input.dtype, device=input.device)
    out = scatter(zeros, len(lead), indices.reshape(*lead, -1).long(), flat_in)
    return out.reshape(*lead, *size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Undo a ``max_pool2d(..., return_indices=True)``: each value of ``input`` (N, C, h, w)
    at its position ``indices`` in a zero (N, C, H, W) plane, ``H = (h - 1) * stride - 2 *
    padding + kernel_size`` unless ``output_size`` says which of the sizes that pooled to
    ``h`` it was.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.tensor([[[[1.0, 2.0], [4.0, 3.0]]]])
        >>> pooled, where = F.max_pool2d(x, 2, return_indices=True)
        >>> F.max_unpool2d(pooled, where, 2).tolist()
        [[[[0.0, 0.0], [4.0, 0.0]]]]
    """
    kernel = _pair(kernel_size, "kernel_size", "max_unpool2d")
    stride = kernel if stride is None else _pair(stride, "stride", "max_unpool2d")
    padding = _pair(padding, "padding", "max_unpool2d")
    return _unpool("max_unpool2d", input, indices, kernel, stride, padding, output_size, 2)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Undo a ``max_pool1d(..., return_indices=True)``: see :func:`max_unpool2d`.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> pooled, where = F.max_pool1d(minigrad.tensor([[1.0, 3.0, 2.0, 0.0]]), 2,
        ...                              return_indices=True)
        >>> F.max_unpool1d(pooled, where, 2).tolist()
        [[0.0, 3.0, 2.0, 0.0]]
    """
    kernel = (_one(kernel_size, "kernel_size", "max_unpool1d"),)
    stride = kernel if stride is None else (_one(stride, "stride", "max_unpool1d"),)
    padding = (_one(padding, "padding", "max_unpool1d"),)
    return _unpool("max_unpool1d", input, indices, kernel, stride, padding, output_size, 1)


def lp_pool3d(input: Tensor, norm_type: float, kernel_size, stride=None, ceil_mode=False):
    """``(sum over each window of x**norm_type)**(1 / norm_type)`` of an (N, C, D, H, W)
    or (C, D, H, W) input.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.lp_pool3d(minigrad.ones(1, 1, 2, 2, 2), 2, 2).item()  # sqrt(8)
        2.828427...
    """
    kd, kh, kw = _triple(kernel_size, "kernel_size", "lp_pool3d")
    out = avg_pool3d(input**norm_type, (kd, kh, kw), stride, 0, ceil_mode)
    return _root(out, norm_type, kd * kh * kw)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Undo a ``max_pool3d(..., return_indices=True)``: see :func:`max_unpool2d`.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.arange(8.0).reshape(1, 1, 2, 2, 2)
        >>> pooled, where = F.max_pool3d(x, 2, return_indices=True)
        >>> F.max_unpool3d(pooled, where, 2).flatten().tolist()
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 7.0]
    """
    kernel = _triple(kernel_size, "kernel_size", "max_unpool3d")
    stride = kernel if stride is None else _triple(stride, "stride", "max_unpool3d")
    padding = _triple(padding, "padding", "max_unpool3d")
    return _unpool("max_unpool3d", input, indices, kernel, stride, padding, output_size, 3)
