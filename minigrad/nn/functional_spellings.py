"""PyTorch's other spellings of functional ops: the in-place activations (``F.relu_``,
``F.elu_``, ...), the ``*_with_indices`` pooling functions, and the deprecated
``F.upsample``, ``F.upsample_nearest`` and ``F.upsample_bilinear``.

An in-place activation computes the activation and writes it into its input, as the
Tensor methods ending in ``_`` do; like them it refuses a leaf that requires grad
outside ``no_grad``, since minigrad records no graph for in-place updates.
"""

from __future__ import annotations

import warnings

from .. import functions as _F
from ..ops import elementwise as _elementwise
from ..tensor import Tensor
from . import functional_activations as _FA
from .functional_adaptive import adaptive_max_pool1d, adaptive_max_pool2d, adaptive_max_pool3d
from .functional_conv import max_pool2d
from .functional_conv3d import max_pool3d
from .functional_conv_variants import max_pool1d
from .functional_interpolate import interpolate
from .functional_pooling import fractional_max_pool2d, fractional_max_pool3d

__all__ = [
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices", "celu_", "elu_", "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d_with_indices", "hardtanh_", "leaky_relu_", "max_pool1d_with_indices",
    "max_pool2d_with_indices", "max_pool3d_with_indices", "relu_", "rrelu_", "selu_",
    "threshold_", "upsample", "upsample_bilinear", "upsample_nearest",
]  # fmt: skip


def _written(name: str, input: Tensor, result: Tensor) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name} expects a Tensor, got {type(input).__name__}")
    return input._write_result(name, None, result)


def relu_(input: Tensor) -> Tensor:
    """:func:`relu`, in place.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.tensor([-1.0, 2.0])
        >>> F.relu_(x) is x, x.tolist()
        (True, [0.0, 2.0])
    """
    return _written("relu_", input, _F.relu(input.detach()))


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """:func:`leaky_relu`, in place.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.leaky_relu_(minigrad.tensor([-1.0, 2.0]), 0.5).tolist()
        [-0.5, 2.0]
    """
    result = _elementwise.LeakyReLU.apply(input.detach(), slope=float(negative_slope))
    return _written("leaky_relu_", input, result)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """:func:`elu`, in place.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.elu_(minigrad.tensor([0.0, 2.0])).tolist()
        [0.0, 2.0]
    """
    return _written("elu_", input, _FA.elu(input.detach(), alpha))


def selu_(input: Tensor) -> Tensor:
    """:func:`selu`, in place.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.selu_(minigrad.tensor([0.0])).tolist()
        [0.0]
    """
    return _written("selu_", input, _FA.selu(input.detach()))


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """:func:`celu`, in place.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.celu_(minigrad.tensor([3.0])).tolist()
        [3.0]
    """
    return _written("celu_", input, _FA.celu(input.detach(), alpha))


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """:func:`hardtanh`, in place.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.hardtanh_(minigrad.tensor([-3.0, 0.5, 3.0])).tolist()
        [-1.0, 0.5, 1.0]
    """
    return _written("hardtanh_", input, _FA.hardtanh(input.detach(), min_val, max_val))


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """:func:`threshold`, in place.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.threshold_(minigrad.tensor([0.5, 2.0]), 1.0, -1.0).tolist()
        [-1.0, 2.0]
    """
    return _written("threshold_", input, _FA.threshold(input.detach(), threshold, value))


def rrelu_(input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training=False):
    """:func:`rrelu`, in place.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.rrelu_(minigrad.tensor([-1.0, 1.0]), 0.2, 0.2).tolist()
        [-0.2..., 1.0]
    """
    return _written("rrelu_", input, _FA.rrelu(input.detach(), lower, upper, training))


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):  # fmt: skip
    """:func:`max_pool1d` with the indices.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.max_pool1d_with_indices(minigrad.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)[1].tolist()
        [[1, 2]]
    """
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):  # fmt: skip
    """:func:`max_pool2d` with the indices.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.max_pool2d_with_indices(minigrad.arange(4.0).reshape(1, 2, 2), 2)[1].tolist()
        [[[3]]]
    """
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):  # fmt: skip
    """:func:`max_pool3d` with the indices.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.max_pool3d_with_indices(minigrad.arange(8.0).reshape(1, 2, 2, 2), 2)[1].tolist()
        [[[[7]]]]
    """
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    """:func:`adaptive_max_pool1d` with the indices.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.adaptive_max_pool1d_with_indices(minigrad.tensor([[1.0, 3.0]]), 1)[1].tolist()
        [[1]]
    """
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    """:func:`adaptive_max_pool2d` with the indices.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.arange(4.0).reshape(1, 2, 2)
        >>> F.adaptive_max_pool2d_with_indices(x, 1)[1].tolist()
        [[[3]]]
    """
    return adaptive_max_pool2d(input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    """:func:`adaptive_max_pool3d` with the indices.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.arange(8.0).reshape(1, 2, 2, 2)
        >>> F.adaptive_max_pool3d_with_indices(x, 1)[1].tolist()
        [[[[7]]]]
    """
    return adaptive_max_pool3d(input, output_size, True)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=True, _random_samples=None):  # fmt: skip
    """:func:`fractional_max_pool2d` with the indices.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.arange(16.0).reshape(1, 1, 4, 4)
        >>> F.fractional_max_pool2d_with_indices(x, 2, output_size=1)[1].tolist()
        [[[[15]]]]
    """
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)  # fmt: skip


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=True, _random_samples=None):  # fmt: skip
    """:func:`fractional_max_pool3d` with the indices.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x = minigrad.arange(8.0).reshape(1, 1, 2, 2, 2)
        >>> F.fractional_max_pool3d_with_indices(x, 2, output_size=1)[1].tolist()
        [[[[[7]]]]]
    """
    return fractional_max_pool3d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)  # fmt: skip


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated in PyTorch (with a warning): :func:`interpolate`.

    Example:
        >>> import warnings
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     F.upsample(minigrad.ones(1, 1, 2), scale_factor=2).shape
        minigrad.Size([1, 1, 4])
    """
    warnings.warn(
        "`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated in PyTorch (with a warning): :func:`interpolate` in ``"nearest"`` mode.

    Example:
        >>> import warnings
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     F.upsample_nearest(minigrad.ones(1, 1, 2, 2), 4).shape
        minigrad.Size([1, 1, 4, 4])
    """
    warnings.warn(
        "`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated in PyTorch (with a warning): :func:`interpolate` in ``"bilinear"`` mode
    with ``align_corners=True``.

    Example:
        >>> import warnings
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     F.upsample_bilinear(minigrad.ones(1, 1, 2, 2), scale_factor=2).shape
        minigrad.Size([1, 1, 4, 4])
    """
    warnings.warn(
        "`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
        stacklevel=2,
    )
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)
