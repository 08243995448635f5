"""Sampling an image at arbitrary points: ``F.affine_grid`` and ``F.grid_sample``, the two
halves of a spatial transformer (Jaderberg et al., 2015).

``affine_grid(theta, size)`` maps every output pixel's normalized position ``(x, y, 1)``
(from -1 at the left or top edge to +1 at the right or bottom) through the affine matrix
``theta`` (N, 2, 3), giving where in the input to read it: a grid (N, H, W, 2).
``grid_sample(input, grid)`` reads ``input`` at those points:

* ``"bilinear"``: the four pixels around the point, weighted by how near each is (the
  point's fractional part); the gradient reaches the input through the weights, and the
  grid through their slopes, so a network can learn ``theta``;
* ``"nearest"``: the nearest pixel (ties to even), no gradient for the grid;
* ``"bicubic"``: the 4x4 pixels around it, by cubic convolution (``A = -0.75``).

A point outside the image reads zeros (``padding_mode="zeros"``), the edge pixel
(``"border"``), or the image mirrored at its edges (``"reflection"``). ``align_corners``
says whether -1 and +1 are the centres of the corner pixels (True) or their outer edges
(False, the default since PyTorch 1.3). 3-D volumes (N, C, D, H, W) take a (N, D, H, W, 3)
grid and trilinear or nearest sampling.

Everything is composed of differentiable tensor operations (floor, gathers, products), so
both gradients are those of the formulas above.
"""

from __future__ import annotations

import itertools
import math
import warnings

from .. import autocast_mode, creation
from ..functions import stack, where
from ..functions_math import floor
from ..functions_select import gather
from ..tensor import Tensor

__all__ = ["affine_grid", "grid_sample"]

_ALIGN_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details."
)


def _align(align_corners) -> bool:
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING, UserWarning, stacklevel=3)
        return False
    return bool(align_corners)


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """The sampling grid of the affine maps ``theta``: (N, 2, 3) for a 2-D ``size``
    (N, C, H, W), giving (N, H, W, 2); (N, 3, 4) for a 3-D ``size`` (N, C, D, H, W), giving
    (N, D, H, W, 3). Each point is ``theta @ (x, y, [z,] 1)`` for the output pixel's
    normalized position.

    Example:
        >>> import minigrad
        >>> import minigrad.nn.functional as F
        >>> identity = minigrad.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
        >>> grid = F.affine_grid(identity, (1, 1, 2, 3), align_corners=True)
        >>> grid.shape, grid[0, 0].tolist()
        (minigrad.Size([1, 2, 3, 2]), [[-1.0, -1.0], [0.0, -1.0], [1.0, -1.0]])
    """
    if not isinstance(theta, Tensor):
        raise TypeError(f"affine_grid: theta must be a Tensor, got {type(theta).__name__}")
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(s) for s in size)
    if len(size) not in (4, 5):
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    spatial = size[2:]
    d = len(spatial)
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (d, d + 1):
        raise ValueError(
            f"Expected a batch of {d}D affine matrices of shape Nx{d}x{d + 1} for size {size}. "
            f"Got {tuple(theta.shape)}."
        )
    if theta.shape[0] != size[0]:
        raise ValueError(
            f"affine_grid: theta holds {theta.shape[0]} matrices but size asks for a batch "
            f"of {size[0]}"
        )
    if min(spatial) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    align = _align(align_corners)
    if align and max(spatial) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
            "align_corners=True. This is not an intended use case of affine_grid. See the "
            "documentation of affine_grid for details.",
            UserWarning,
            stacklevel=2,
        )
    # The base grid (*spatial, d + 1): normalized (x, y[, z]) of every output pixel, then 1.
    axes = []
    for n in reversed(spatial):  # x runs along the last dim, W
        steps = creation.linspace(-1.0, 1.0, n, dtype=theta.dtype, device=theta.device)
        if n == 1:  # a single pixel sits at the centre, 0
            steps = steps * 0
        axes.append(steps if align else steps * ((n - 1) / n))
    columns = []
    for k, steps in enumerate(axes):
        shape = [1] * d
        shape[d - 1 - k] = steps.shape[0]
        columns.append(steps.reshape(shape).expand(*spatial))
    columns.append(creation.ones(*spatial, dtype=theta.dtype, device=theta.device))
    base = stack(columns, -1).reshape(1, -1, d + 1)  # (1, P, d + 1)
    grid = base @ theta.transpose(1, 2)  # (N, P, d)
    return grid.reshape(size[0], *spatial, d)


@autocast_mode.casts(cpu="float32")
def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """``input`` (N, C, H, W) read at the points of ``grid`` (N, H_out, W_out, 2), whose
    last dim is ``(x, y)`` in [-1, 1] (see the module docstring); (N, C, H_out, W_out).
    3-D: (N, C, D, H, W) at a (N, D_out, H_out, W_out, 3) grid of ``(x, y, z)``.

    Args:
        mode: ``"bilinear"`` (trilinear in 3-D), ``"nearest"`` or ``"bicubic"`` (2-D).
        padding_mode: what a point outside reads: ``"zeros"``, ``"border"`` or
            ``"reflection"``.
        align_corners: whether -1 and 1 are the corner pixels' centres (True) or their
            outer edges (False; None means False, with PyTorch's warning).

    Example:
        >>> import minigrad
        >>> import minigrad.nn.functional as F
        >>> image = minigrad.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
        >>> centre = minigrad.zeros(1, 1, 1, 2)  # the point (0, 0)
        >>> F.grid_sample(image, centre, align_corners=False).item()
        1.5
    """
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    for name, t in (("input", input), ("grid", grid)):
        if not isinstance(t, Tensor):
            raise TypeError(f"grid_sample: {name} must be a Tensor, got {type(t).__name__}")
    align = _align(align_corners)
    if input.ndim not in (4, 5):
        raise RuntimeError(
            f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, "
            f"but got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    d = input.ndim - 2
    if grid.ndim != input.ndim or grid.shape[0] != input.shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    if grid.shape[-1] != d:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {d} in last dimension, but got grid "
            f"with sizes {list(grid.shape)}"
        )
    if not input.is_floating_point() or input.dtype != grid.dtype:
        raise RuntimeError(
            f"grid_sampler(): expected input and grid to be floating point tensors of one "
            f"dtype, but got {input.dtype} and {grid.dtype}"
        )
    if input.device != grid.device:
        raise RuntimeError(
            f"grid_sampler(): the input is on {input.device} and the grid on {grid.device}"
        )
    if mode == "bicubic" and d != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if any(s == 0 for s in input.shape[2:]):
        raise RuntimeError(
            f"grid_sampler(): expected input to have non-empty spatial dimensions, but input "
            f"has sizes {list(input.shape)}"
        )
    n, c, sizes = input.shape[0], input.shape[1], tuple(input.shape[2:])
    out_shape = tuple(grid.shape[1:-1])
    points = grid.reshape(n, -1, d)  # (N, P, d): x, y[, z]
    # The source coordinate along each spatial dim (D, H, W order), in pixels.
    coords = [_unnormalize(points[..., d - 1 - k], sizes[k], align) for k in range(d)]
    flat = input.reshape(n, c, -1)
    if mode == "bicubic":
        out = _bicubic(flat, coords, sizes, padding_mode, align)
    else:
        if mode == "nearest" or padding_mode != "zeros":
            coords = [_pad(x, size, padding_mode, align) for x, size in zip(coords, sizes)]
        if mode == "nearest":
            nearest = [x.round() for x in coords]  # round's slope is 0: so is the grid's
            one = sum(r - r.detach() for r in nearest) + 1  # (a gradient of zeros, not None)
            out = _read(flat, nearest, sizes) * one.unsqueeze(1)
        else:
            out = 0
            lows = [floor(x) for x in coords]
            for corner in itertools.product((0, 1), repeat=d):
                taps = [low + k for low, k in zip(lows, corner)]
                weight = math.prod(
                    (x - low) if k else (1 - (x - low)) for x, low, k in zip(coords, lows, corner)
                )
                out = out + _read(flat, taps, sizes) * weight.unsqueeze(1)
    return out.reshape(n, c, *out_shape)


def _unnormalize(x: Tensor, size: int, align: bool) -> Tensor:
    """A normalized coordinate in [-1, 1] as a pixel position along a dim of ``size``."""
    if align:
        return (x + 1) / 2 * (size - 1)
    return ((x + 1) * size - 1) / 2


def _pad(x: Tensor, size: int, padding_mode: str, align: bool) -> Tensor:
    """A pixel position brought inside the image by ``padding_mode`` (``"zeros"`` leaves
    it: out-of-range reads are zero)."""
    if padding_mode == "border":
        return _clip(x, size)
    if padding_mode == "reflection":
        low, high = (0.0, size - 1.0) if align else (-0.5, size - 0.5)
        return _clip(_reflect(x, low, high), size)
    return x


def _clip(x: Tensor, size: int) -> Tensor:
    """``x`` clamped to [0, size - 1], with no gradient on the edges themselves (PyTorch
    counts them as outside, so a point exactly on an edge does not move)."""
    inside = (x > 0) & (x < size - 1)
    return where(inside, x, x.detach().clamp(0, size - 1))


def _reflect(x: Tensor, low: float, high: float) -> Tensor:
    """``x`` mirrored at ``low`` and ``high`` until it lies between them."""
    span = high - low
    if span <= 0:
        return x * 0
    distance = where(x < low, low - x, x - low)  # |x - low|, with slope 1 at low itself
    flips = floor(distance / span)
    extra = distance - flips * span
    return where(flips % 2 == 0, extra + low, span - extra + low)


def _read(flat: Tensor, taps, sizes) -> Tensor:
    """``flat`` (N, C, S) at the integer positions ``taps`` (one (N, P) tensor per spatial
    dim), zero where a position is outside: (N, C, P)."""
    inside, index = None, 0
    for tap, size in zip(taps, sizes):
        ok = (tap >= 0) & (tap <= size - 1)
        inside = ok if inside is None else inside & ok
        index = index * size + tap.clamp(0, size - 1).long()
    index = index.unsqueeze(1).expand(flat.shape[0], flat.shape[1], -1)
    values = gather(flat, 2, index)
    return values * inside.unsqueeze(1).to(flat.dtype)


def _cubic_weights(t: Tensor, A: float = -0.75):
    """The four cubic-convolution weights of the taps at -1, 0, 1, 2 from a point ``t``
    past tap 0 (Keys, 1981)."""

    def near(x):  # |x| <= 1
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def far(x):  # 1 < |x| < 2
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A

    return far(t + 1), near(t), near(1 - t), far(2 - t)


def _bicubic(flat: Tensor, coords, sizes, padding_mode: str, align: bool) -> Tensor:
    """Bicubic sampling: 16 taps around each point, each tap's position padded on its
    own (as PyTorch does), weighted by cubic convolution along y and x."""
    y, x = coords
    y0, x0 = floor(y), floor(x)
    wy, wx = _cubic_weights(y - y0), _cubic_weights(x - x0)
    out = 0
    for i in range(4):
        ty = _pad(y0 + (i - 1), sizes[0], padding_mode, align)
        for j in range(4):
            tx = _pad(x0 + (j - 1), sizes[1], padding_mode, align)
            out = out + _read(flat, [ty, tx], sizes) * (wy[i] * wx[j]).unsqueeze(1)
    return out
