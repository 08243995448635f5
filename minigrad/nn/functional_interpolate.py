"""``F.interpolate``: resize the spatial dims of an (N, C, L) or (N, C, H, W) batch; and the
rearrangements beside it: ``pixel_shuffle`` (channels into space), ``pixel_unshuffle``,
and ``unfold``/``fold`` (an image's sliding blocks as columns, and back).

``nearest`` and ``nearest-exact`` copy the nearest input pixel; ``linear`` (1-D) and
``bilinear`` (2-D) mix the two (four) nearest, with ``align_corners`` choosing whether
the corner pixels' centres (True) or the pixel areas (False, the default) line up;
``area`` averages the input pixels each output covers (``adaptive_avg_pool``). A 2-D
resize is a 1-D resample along W and then along H (``ops/resample.py``), the order in
which PyTorch sums the four neighbours, so results agree with PyTorch to rounding.
"""

from __future__ import annotations

import math

from .. import creation
from ..functions import pad, stack
from ..functions_select import index_add
from ..ops import resample
from ..tensor import Tensor
from .functional_conv import adaptive_avg_pool2d
from .functional_conv_variants import adaptive_avg_pool1d

__all__ = ["channel_shuffle", "fold", "interpolate", "pixel_shuffle", "pixel_unshuffle", "unfold"]

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
        tensor([[1.0000, 1.5000, 2.0000],
                [2.0000, 2.5000, 3.0000],
                [3.0000, 3.5000, 4.0000]])
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


# ----------------------------------------------------------------------------------------
# Channels to space and back; sliding blocks (im2col) and their sum (col2im)
# ----------------------------------------------------------------------------------------


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """(*, C * r^2, H, W) to (*, C, H * r, W * r): each group of ``r^2`` channels becomes
    an ``r`` x ``r`` block of pixels (the sub-pixel convolution of super-resolution).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.pixel_shuffle(minigrad.arange(4.0).reshape(1, 4, 1, 1), 2)
        tensor([[[[0., 1.],
                  [2., 3.]]]])
    """
    r = _factor(input, upscale_factor, "pixel_shuffle", "upscale_factor")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(
            f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    x = input.reshape(*lead, c // (r * r), r, r, h, w)
    n = len(lead)
    x = x.permute(*range(n), n, n + 3, n + 1, n + 4, n + 2)  # (.., C, H, r, W, r)
    return x.reshape(*lead, c // (r * r), h * r, w * r)


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """(N, C, *) with its channels interleaved across ``groups``: viewed as (N, groups,
    C / groups, *), the two channel axes swapped (ShuffleNet's shuffle, which lets the next
    grouped convolution see every group).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.channel_shuffle(minigrad.arange(6.0).reshape(1, 6, 1), 2).flatten().tolist()
        [0.0, 3.0, 1.0, 4.0, 2.0, 5.0]
    """
    if not isinstance(input, Tensor) or input.ndim < 3:
        got = f"{input.ndim}-D" if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got {got}")
    if isinstance(groups, bool) or not isinstance(groups, int) or groups <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{groups}"
        )
    n, c, *rest = input.shape
    if c % groups:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups."
        )
    x = input.reshape(n, groups, c // groups, *rest).transpose(1, 2)
    return x.reshape(n, c, *rest)


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """The inverse of :func:`pixel_shuffle`: (*, C, H * r, W * r) to (*, C * r^2, H, W).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.pixel_unshuffle(minigrad.arange(4.0).reshape(1, 1, 2, 2), 2).flatten()
        tensor([0., 1., 2., 3.])
    """
    r = _factor(input, downscale_factor, "pixel_unshuffle", "downscale_factor")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        raise RuntimeError(
            f"pixel_unshuffle expects height ({h}) and width ({w}) to be divisible by "
            f"downscale_factor ({r})"
        )
    x = input.reshape(*lead, c, h // r, r, w // r, r)
    n = len(lead)
    x = x.permute(*range(n), n, n + 2, n + 4, n + 1, n + 3)  # (.., C, r, r, H, W)
    return x.reshape(*lead, c * r * r, h // r, w // r)


def _factor(input, factor, name: str, what: str) -> int:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): input must be a Tensor, got {type(input).__name__}")
    if input.ndim < 3:
        raise RuntimeError(
            f"{name} expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )
    if type(factor) is not int or factor <= 0:
        raise RuntimeError(f"{name} expects a positive {what}, but got {factor}")
    return factor


def _pairs(name: str, **values) -> list[tuple[int, int]]:
    out = []
    for what, v in values.items():
        pair = (v, v) if isinstance(v, int) else tuple(v)
        if len(pair) != 2 or not all(type(n) is int for n in pair):
            raise TypeError(f"{name}(): {what} must be an int or a pair of ints, got {v!r}")
        out.append(pair)
    return out


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """The sliding blocks of an (N, C, H, W) batch as columns (im2col): an
    (N, C * kH * kW, L) tensor whose column ``l`` holds the pixels of the ``l``-th window
    (row-major over the output positions), channel by channel and tap by tap. A
    convolution is ``weight.view(O, -1) @ unfold(x, k)``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.unfold(minigrad.arange(9.0).reshape(1, 1, 3, 3), 2)
        tensor([[[0., 1., 3., 4.],
                 [1., 2., 4., 5.],
                 [3., 4., 6., 7.],
                 [4., 5., 7., 8.]]])
    """
    if not isinstance(input, Tensor) or input.ndim not in (3, 4):
        got = input.ndim if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {got}D)")
    batched = input.ndim == 4
    x = input if batched else input.unsqueeze(0)
    (kh, kw), (dh, dw), (ph, pw), (sh, sw) = _pairs(
        "unfold", kernel_size=kernel_size, dilation=dilation, padding=padding, stride=stride
    )
    n, c, h, w = x.shape
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    if oh <= 0 or ow <= 0:
        raise RuntimeError(
            f"Given input with spatial size ({h}, {w}), kernel_size=({kh}, {kw}), "
            f"dilation=({dh}, {dw}), padding=({ph}, {pw}), calculated shape of the array "
            f"of sliding blocks as ({oh}, {ow}), but its components must be at least one."
        )
    padded = pad(x, (pw, pw, ph, ph)) if ph or pw else x
    taps = []
    for i in range(kh):
        for j in range(kw):  # the pixels tap (i, j) reads for every window: a strided slice
            rows = slice(i * dh, i * dh + sh * (oh - 1) + 1, sh)
            cols = slice(j * dw, j * dw + sw * (ow - 1) + 1, sw)
            taps.append(padded[:, :, rows, cols])
    columns = stack(taps, 2).reshape(n, c * kh * kw, oh * ow)
    return columns if batched else columns.squeeze(0)


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """The inverse arrangement of :func:`unfold` (col2im): columns (N, C * kH * kW, L)
    summed back into an (N, C, H, W) image of ``output_size``, each value added to the
    pixel it was read from (overlapping windows add up).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.ones(1, 1, 3, 3)
        >>> F.fold(F.unfold(x, 2), (3, 3), 2)[0, 0]  # how many windows cover each pixel
        tensor([[1., 2., 1.],
                [2., 4., 2.],
                [1., 2., 1.]])
    """
    if not isinstance(input, Tensor) or input.ndim not in (2, 3):
        got = input.ndim if isinstance(input, Tensor) else type(input).__name__
        raise RuntimeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors "
                           f"are supported (got {got}D)")  # fmt: skip
    batched = input.ndim == 3
    cols = input if batched else input.unsqueeze(0)
    (h, w), (kh, kw), (dh, dw), (ph, pw), (sh, sw) = _pairs(
        "fold", output_size=output_size, kernel_size=kernel_size, dilation=dilation,
        padding=padding, stride=stride,
    )  # fmt: skip
    n, rows, length = cols.shape
    oh = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    ow = (w + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    if rows % (kh * kw):
        raise RuntimeError(
            f"Expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={rows} and kernel_size=({kh}, {kw})"
        )
    if length != oh * ow:
        raise RuntimeError(
            f"Given output_size=({h}, {w}), kernel_size=({kh}, {kw}), dilation=({dh}, {dw}), "
            f"padding=({ph}, {pw}), stride=({sh}, {sw}), expected size of input's dimension "
            f"2 to match the calculated number of sliding blocks {oh} * {ow} = {oh * ow}, "
            f"but got input.size(2)={length}."
        )
    c = rows // (kh * kw)
    hp, wp = h + 2 * ph, w + 2 * pw
    xp = input.device.xp
    y, x = xp.meshgrid(xp.arange(oh) * sh, xp.arange(ow) * sw, indexing="ij")
    # the flat position in the padded plane that tap (i, j) of window l was read from
    positions = xp.concatenate([
        ((i * dh + y) * wp + (j * dw + x)).reshape(-1) for i in range(kh) for j in range(kw)
    ])  # fmt: skip
    index = Tensor._wrap(positions.astype("int64"), input.device)
    source = cols.reshape(n, c, kh * kw * length)
    plane = creation.zeros(n, c, hp * wp, dtype=input.dtype, device=input.device)
    image = index_add(plane, 2, index, source).reshape(n, c, hp, wp)
    image = image[:, :, ph : ph + h, pw : pw + w]
    return image if batched else image.squeeze(0)
