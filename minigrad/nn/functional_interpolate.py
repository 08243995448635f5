"""``F.interpolate``: resize the spatial dims of an (N, C, L) or (N, C, H, W) batch.

``nearest`` and ``nearest-exact`` copy the nearest input pixel; ``linear`` (1-D) and
``bilinear`` (2-D) mix the two (four) nearest, with ``align_corners`` choosing whether
the corner pixels' centres (True) or the pixel areas (False, the default) line up;
``area`` averages the input pixels each output covers (``adaptive_avg_pool``). A 2-D
resize is a 1-D resample along W and then along H (``ops/resample.py``), the order in
which PyTorch sums the four neighbours, so results agree with PyTorch to rounding.
"""

from __future__ import annotations

import math

from ..ops import resample
from ..tensor import Tensor
from .functional_conv import adaptive_avg_pool2d
from .functional_conv_variants import adaptive_avg_pool1d

__all__ = ["interpolate"]

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")
_LINEAR = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}


def interpolate(
    input: Tensor,
    size=None,
    scale_factor=None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize ``input``'s spatial dims to ``size``, or by ``scale_factor`` (the output
    size is then ``floor(input_size * scale_factor)``); one int or float applies to every
    dim, a tuple gives one per dim.

    ``mode`` is ``'nearest'`` (the default), ``'nearest-exact'``, ``'linear'`` (3-D
    input), ``'bilinear'`` (4-D input) or ``'area'``. With a ``scale_factor``, the source
    coordinates use ``1 / scale_factor`` as PyTorch does, unless
    ``recompute_scale_factor=True`` (then the output and input sizes set it).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
        >>> F.interpolate(x, scale_factor=2)[0, 0]
        tensor([[1., 1., 2., 2.],
                [1., 1., 2., 2.],
                [3., 3., 4., 4.],
                [3., 3., 4., 4.]])
        >>> F.interpolate(x, size=3, mode="bilinear", align_corners=True)[0, 0]
        tensor([[1. , 1.5, 2. ],
                [2. , 2.5, 3. ],
                [3. , 3.5, 4. ]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"interpolate(): input must be a Tensor, got {type(input).__name__}")
    if mode not in _MODES:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) "
            f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
            f"nearest-exact (got {mode!r})"
        )
    if align_corners is not None and mode not in _LINEAR:
        raise ValueError(
            "align_corners option can only be set with the interpolating modes: "
            "linear | bilinear | bicubic | trilinear"
        )
    if mode in _LINEAR and input.ndim != _LINEAR[mode]:
        raise NotImplementedError(
            f"Got {input.ndim}D input, but {mode} mode needs {_LINEAR[mode]}D input"
        )
    if mode in ("bicubic", "trilinear") or input.ndim == 5 or antialias:
        what = "antialias=True" if antialias else f"mode={mode!r} on {input.ndim}D input"
        raise NotImplementedError(
            f"interpolate: {what} is not supported; minigrad resizes 3-D and 4-D inputs "
            "with 'nearest', 'nearest-exact', 'linear', 'bilinear' or 'area'"
        )
    if input.ndim not in (3, 4):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) "
            "for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
            "nearest-exact"
        )
    if not input.is_floating_point():
        raise NotImplementedError(
            f"interpolate ({mode}) is not implemented for {input.dtype} input: convert it "
            "with .float() first"
        )
    spatial = tuple(input.shape[2:])
    out_sizes, scales = _output_sizes(spatial, size, scale_factor, recompute_scale_factor)
    if mode != "area":  # adaptive pooling allows an empty output, as PyTorch's area does
        _check_positive(spatial, out_sizes)
    if mode == "area":
        pool = adaptive_avg_pool1d if input.ndim == 3 else adaptive_avg_pool2d
        return pool(input, out_sizes[0] if input.ndim == 3 else out_sizes)
    kind = "linear" if mode in _LINEAR else mode
    out = input
    for axis in reversed(range(2, input.ndim)):  # W first, then H: PyTorch's order
        n = out_sizes[axis - 2]
        out = resample.Resample.apply(out, axis=axis, out_size=n, mode=kind,
                                      align_corners=bool(align_corners),
                                      scale=scales[axis - 2])  # fmt: skip
    return out


def _output_sizes(spatial, size, scale_factor, recompute) -> tuple[list[int], list]:
    """The output's spatial sizes, and the scale factors the source coordinates use (None
    where the sizes set them)."""
    dims = len(spatial)
    if (size is None) == (scale_factor is None):
        raise ValueError(
            "either size or scale_factor should be defined" if size is None
            else "only one of size or scale_factor should be defined"
        )  # fmt: skip
    if size is not None:
        sizes = list(size) if isinstance(size, list | tuple) else [size] * dims
        if len(sizes) != dims:
            raise ValueError(
                "Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {list(spatial)} and output size of "
                f"{size}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                "output size in (o1, o2, ...,oK) format."
            )
        if not all(type(n) is int for n in sizes):
            raise TypeError(f"interpolate(): size must be ints, got {size!r}")
        scales = [None] * dims
    else:
        factors = (
            list(scale_factor) if isinstance(scale_factor, list | tuple) else [scale_factor] * dims
        )
        if len(factors) != dims:
            raise ValueError(
                "Input and scale_factor must have the same number of spatial dimensions, but "
                f"got input with spatial dimensions of {list(spatial)} and scale_factor of "
                f"shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) "
                "format and scale_factor in (s1, s2, ...,sK) format."
            )
        sizes = [math.floor(float(n) * float(f)) for n, f in zip(spatial, factors)]
        scales = [None] * dims if recompute else [float(f) for f in factors]
    return sizes, scales


def _check_positive(spatial, sizes) -> None:
    if any(n <= 0 for n in sizes):
        names = ("H", "W") if len(spatial) == 2 else ("W",)
        given = ", ".join(f"{k}: {n}" for k, n in zip(names, spatial))
        wanted = ", ".join(f"{k}: {n}" for k, n in zip(names, sizes))
        raise RuntimeError(
            f"Input and output sizes should be greater than 0, but got input ({given}) "
            f"output ({wanted})"
        )
