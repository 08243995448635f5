"""Adaptive max pooling: ``F.adaptive_max_pool2d`` and ``F.adaptive_max_pool1d``, the
largest value in each of the windows that give the output the size asked for.

The windows are :func:`~minigrad.nn.functional.adaptive_avg_pool2d`'s: output row ``i`` of
``h`` covers the input rows ``floor(i * H / h)`` to ``ceil((i + 1) * H / h)`` (end
excluded), columns alike. Windows differ in length by at most one, so each is read as the
longest one, its shorter ones repeating their last row or column (which changes no
maximum): two index selections give a (N, C, h, w, kh * kw) tensor of window elements,
whose maximum over the last dim (the first, where several are equal) is the output, and
takes the gradient.
"""

from __future__ import annotations

import math

import numpy as np

from ..tensor import Tensor
from .functional_conv import _output_size

__all__ = ["adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d"]


def _window_index(size: int, out: int) -> np.ndarray:
    """(out, k): the input positions of each adaptive window, the short ones padded with
    their last position; k is the longest window."""
    starts = [(i * size) // out for i in range(out)]
    ends = [math.ceil((i + 1) * size / out) for i in range(out)]
    k = max(e - s for s, e in zip(starts, ends))
    return np.array([[min(s + j, e - 1) for j in range(k)] for s, e in zip(starts, ends)])


def adaptive_max_pool2d(input, output_size, return_indices: bool = False):
    """The maximum over windows chosen so that the output has ``output_size`` (h, w)
    (an int, or a pair in which ``None`` keeps that input size), of an (N, C, H, W) or
    (C, H, W) input; with ``return_indices``, also each maximum's flat position in its
    (H, W) plane.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.arange(20.0).reshape(1, 4, 5)
        >>> F.adaptive_max_pool2d(x, (2, 2))
        tensor([[[ 7.,  9.],
                 [17., 19.]]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(
            f"adaptive_max_pool2d(): expected input to be a Tensor, got {type(input).__name__}"
        )
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"adaptive_max_pool2d(): Expected 3D or 4D tensor, but got {list(input.shape)}"
        )
    for dim in range(input.ndim - 2, input.ndim):
        if input.shape[dim] == 0:
            raise RuntimeError(
                "adaptive_max_pool2d(): Expected input to have non-zero size for non-batch "
                f"dimensions, but input has sizes {list(input.shape)} with dimension {dim} "
                "being empty"
            )
    height, width = input.shape[-2:]
    out_h, out_w = _output_size(output_size, (height, width))
    rows, cols = _window_index(height, out_h), _window_index(width, out_w)
    device = input.device

    def index(array):
        return Tensor._wrap(device.from_host(array.reshape(-1).astype(np.int64)), device)

    # (..., out_h * kh, W) -> (..., out_h * kh, out_w * kw) -> (..., out_h, out_w, kh * kw)
    windows = input.index_select(-2, index(rows)).index_select(-1, index(cols))
    lead = tuple(input.shape[:-2])
    kh, kw = rows.shape[1], cols.shape[1]
    windows = windows.reshape(*lead, out_h, kh, out_w, kw).movedim(-3, -2)
    windows = windows.reshape(*lead, out_h, out_w, kh * kw)
    values, where = windows.max(-1)
    if not return_indices:
        return values
    # each window position's flat (row * W + column) index in the input plane
    flat = (rows[:, None, :, None] * width + cols[None, :, None, :]).reshape(out_h, out_w, -1)
    table = Tensor._wrap(device.from_host(flat.astype(np.int64)), device)
    positions = table.expand(*lead, out_h, out_w, kh * kw).gather(-1, where.unsqueeze(-1))
    return values, positions.squeeze(-1)


def adaptive_max_pool1d(input, output_size, return_indices: bool = False):
    """Adaptive max pooling to ``output_size`` positions along the last dim of an
    (N, C, L) or (C, L) input (see :func:`adaptive_max_pool2d`).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.adaptive_max_pool1d(minigrad.tensor([[1.0, 5.0, 2.0, 4.0, 3.0]]), 2)
        tensor([[5., 4.]])
    """
    if not isinstance(input, Tensor) or input.ndim not in (2, 3):
        got = list(input.shape) if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"adaptive_max_pool1d(): Expected 2D or 3D tensor, but got {got}")
    size = output_size[0] if isinstance(output_size, list | tuple) else output_size
    result = adaptive_max_pool2d(input.unsqueeze(-2), (1, size), return_indices)
    if return_indices:
        return result[0].squeeze(-2), result[1].squeeze(-2)
    return result.squeeze(-2)


def adaptive_max_pool3d(input, output_size, return_indices: bool = False):
    """Adaptive max pooling to ``output_size`` (d, h, w) (an int, or a triple in which
    ``None`` keeps that input size) of an (N, C, D, H, W) or (C, D, H, W) input; with
    ``return_indices``, also each maximum's flat position in its (D, H, W) volume.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.adaptive_max_pool3d(minigrad.arange(8.0).reshape(1, 2, 2, 2), 1).flatten().tolist()
        [7.0]
    """
    if not isinstance(input, Tensor) or input.ndim not in (4, 5):
        got = list(input.shape) if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"adaptive_max_pool3d(): Expected 4D or 5D tensor, but got {got}")
    sizes = tuple(output_size) if isinstance(output_size, list | tuple) else (output_size,) * 3
    if len(sizes) != 3:
        raise RuntimeError("adaptive_max_pool3d: output_size must be 3")
    spatial = tuple(input.shape[-3:])
    if min(spatial) == 0:
        raise RuntimeError(
            "adaptive_max_pool3d(): Expected input to have non-zero size for non-batch "
            f"dimensions, but input has sizes {list(input.shape)}"
        )
    outs = tuple(int(n if o is None else o) for o, n in zip(sizes, spatial))
    tables = [_window_index(n, o) for n, o in zip(spatial, outs)]
    device = input.device
    windows = input
    for axis, table in zip((-3, -2, -1), tables):
        index = Tensor._wrap(device.from_host(table.reshape(-1).astype(np.int64)), device)
        windows = windows.index_select(axis, index)
    lead = tuple(input.shape[:-3])
    (od, kd), (oh, kh), (ow, kw) = (t.shape for t in tables)
    windows = windows.reshape(*lead, od, kd, oh, kh, ow, kw)
    n = len(lead)
    windows = windows.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3, n + 5)
    values, where = windows.reshape(*lead, od, oh, ow, kd * kh * kw).max(-1)
    if not return_indices:
        return values
    h, w = spatial[1:]
    flat = (tables[0][:, None, None, :, None, None] * (h * w)
            + tables[1][None, :, None, None, :, None] * w
            + tables[2][None, None, :, None, None, :]).reshape(od, oh, ow, -1)  # fmt: skip
    table = Tensor._wrap(device.from_host(flat.astype(np.int64)), device)
    positions = table.expand(*lead, od, oh, ow, kd * kh * kw).gather(-1, where.unsqueeze(-1))
    return values, positions.squeeze(-1)
