"""More pooling: power-average pooling (``lp_pool1d/2d/3d``), max *unpooling*
(``max_unpool1d/2d/3d``), the partial inverse of a max pooling that puts each maximum back
where ``return_indices`` says it came from, and fractional max pooling
(``fractional_max_pool2d/3d``, Graham 2014), whose windows start at pseudo-random places so
that the output can shrink by a ratio that is not a whole number.

``lp_pool`` is ``(sum over the window of x**p)**(1/p)``: ``p = 1`` the sum, large ``p``
near the maximum; computed, as PyTorch does, from an average pooling of ``x**p``.
``max_unpool`` is a scatter of each plane's values into zeros.
"""

from __future__ import annotations

import numpy as np

from .. import creation
from .. import random as _random
from ..functions import relu
from ..functions_math import sign
from ..functions_select import scatter
from ..tensor import Tensor
from .functional_conv import avg_pool2d
from .functional_conv3d import _triple, avg_pool3d
from .functional_conv_variants import _one, _pair, avg_pool1d

__all__ = [
    "fractional_max_pool2d",
    "fractional_max_pool3d",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
]


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


def _intervals(sample: float, size: int, out: int, kernel: int) -> list[int]:
    """The window starts of fractional max pooling along one dim, from one uniform
    ``sample`` in [0, 1) (PyTorch's rule): ``floor((i + u) * alpha) - floor(u * alpha)``
    with ``alpha = (size - kernel) / (out - 1)``, the last window at the end."""
    if out == 1:
        return [size - kernel]
    alpha = (size - kernel) / (out - 1)
    starts = [int((i + sample) * alpha) - int(sample * alpha) for i in range(out - 1)]
    return [*starts, size - kernel]


def _fractional(name, input, kernel_size, output_size, output_ratio, return_indices,
                samples, dims):  # fmt: skip
    if not isinstance(input, Tensor) or input.ndim not in (dims + 1, dims + 2):
        got = f"{input.ndim}-D" if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"{name}: expected a {dims + 1}-D or {dims + 2}-D input, got {got}")
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    batched = input.ndim == dims + 2
    x = input if batched else input.unsqueeze(0)
    n, c, *spatial = x.shape
    kernel = tuple(kernel_size) if isinstance(kernel_size, list | tuple) else (kernel_size,) * dims
    if output_size is None:
        ratio = (
            tuple(output_ratio)
            if isinstance(output_ratio, list | tuple)
            else (output_ratio,) * dims
        )
        if not all(0 < r < 1 for r in ratio):
            raise ValueError(f"{name}: output_ratio must be between 0 and 1, got {output_ratio!r}")
        output_size = tuple(int(s * r) for s, r in zip(spatial, ratio))
    outs = tuple(output_size) if isinstance(output_size, list | tuple) else (output_size,) * dims
    axes = ("time", "height", "width")[-dims:]
    for axis, size, k, o in zip(axes, spatial, kernel, outs):
        if o + k - 1 > size:
            raise RuntimeError(
                f"{name}(): pool {axis} {k} too large relative to input {axis} {size}"
            )
    if samples is None:
        drawn = _random.generator().random((n, c, dims))
    else:
        if tuple(samples.shape) != (n, c, dims):
            raise RuntimeError(
                f"Expect _random_samples of shape ({n}, {c}, {dims}); got {tuple(samples.shape)}"
            )
        drawn = np.asarray(samples.tolist(), dtype=np.float64)
    # The samples' order is PyTorch's: 2-D (width, height), 3-D (time, height, width).
    order = (1, 0) if dims == 2 else (0, 1, 2)
    table = np.zeros((n, c, *outs, *kernel), dtype=np.int64)
    strides = [int(np.prod(spatial[d + 1 :])) for d in range(dims)]
    for b in range(n):
        for ch in range(c):
            flat = 0
            for d in range(dims):
                starts = np.array(_intervals(float(drawn[b, ch, order[d]]), spatial[d], outs[d],
                                             kernel[d]))  # fmt: skip
                positions = starts[:, None] + np.arange(kernel[d])[None, :]  # (out_d, k_d)
                shape = [1] * (2 * dims)
                shape[d], shape[dims + d] = outs[d], kernel[d]
                flat = flat + positions.reshape(shape) * strides[d]
            table[b, ch] = flat
    device = x.device
    index = Tensor._wrap(device.from_host(table.reshape(n, c, -1)), device)
    windows = x.reshape(n, c, -1).gather(2, index).reshape(n, c, *outs, -1)
    values, where = windows.max(-1)
    if not return_indices:
        return values if batched else values.squeeze(0)
    positions = index.reshape(n, c, *outs, -1).gather(-1, where.unsqueeze(-1)).squeeze(-1)
    if not batched:
        values, positions = values.squeeze(0), positions.squeeze(0)
    return values, positions


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):  # fmt: skip
    """Fractional max pooling of an (N, C, H, W) or (C, H, W) input to ``output_size``
    (or ``output_ratio`` times the input's size): the maximum over ``kernel_size``
    windows whose starts are spread pseudo-randomly (one uniform draw per sample and
    channel and dim, from minigrad's seeded generator unless ``_random_samples`` (N, C, 2)
    gives them).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.arange(49.0).reshape(1, 1, 7, 7)
        >>> samples = minigrad.tensor([[[0.1, 0.9]]])
        >>> F.fractional_max_pool2d(x, 2, output_size=3, _random_samples=samples).tolist()
        [[[[8.0, 10.0, 13.0], [22.0, 24.0, 27.0], [43.0, 45.0, 48.0]]]]
    """
    return _fractional("fractional_max_pool2d", input, kernel_size, output_size, output_ratio,
                       return_indices, _random_samples, 2)  # fmt: skip


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):  # fmt: skip
    """Fractional max pooling of an (N, C, T, H, W) or (C, T, H, W) input: see
    :func:`fractional_max_pool2d` (``_random_samples`` is (N, C, 3)).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.fractional_max_pool3d(minigrad.randn(1, 2, 5, 6, 7), 2, output_size=(3, 4, 5)).shape
        minigrad.Size([1, 2, 3, 4, 5])
    """
    return _fractional("fractional_max_pool3d", input, kernel_size, output_size, output_ratio,
                       return_indices, _random_samples, 3)  # fmt: skip
