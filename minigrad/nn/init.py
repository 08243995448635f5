"""``minigrad.nn.init``: fill parameters with initial values, in place, as PyTorch does.

All draws come from minigrad's seeded host generator (``minigrad.manual_seed``), so the
same seed gives the same weights on every device.

The fan of a weight is the number of inputs (``fan_in``) or outputs (``fan_out``) that each
unit connects to: for a Linear weight (out, in) it is ``in`` and ``out``; for a Conv2d
weight (out, in/groups, kh, kw) each is multiplied by the kernel area ``kh * kw``.
"""

from __future__ import annotations

import math
import warnings

from ..grad_mode import no_grad
from ..tensor import Tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended scale for a nonlinearity (PyTorch's table).

    Example:
        >>> round(calculate_gain("relu"), 4)
        1.4142
    """
    linear = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
              "conv_transpose3d", "sigmoid")  # fmt: skip
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        if isinstance(slope, bool) or not isinstance(slope, int | float):
            raise ValueError(f"negative_slope {slope} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    if tensor.ndim < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions "
            f"(got shape {tuple(tensor.shape)})"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _empty(tensor: Tensor) -> bool:
    """True for a zero-element tensor, which the fan-based initialisations leave alone (with
    PyTorch's warning) rather than divide by a zero fan."""
    if tensor.numel() == 0:
        warnings.warn("Initializing zero-element tensors is a no-op", UserWarning, stacklevel=3)
        return True
    return False


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


@no_grad()
def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with values drawn uniformly from [a, b).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> w = init.uniform_(minigrad.empty(3, 4), a=-0.1, b=0.1)
        >>> bool((w.abs() <= 0.1).all())
        True
    """
    return tensor.uniform_(a, b)


@no_grad()
def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with values drawn from N(mean, std²).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> w = init.normal_(minigrad.empty(1000), mean=2.0, std=0.5)
        >>> round(w.mean().item(), 1), round(w.var().sqrt().item(), 1)
        (2.0, 0.5)
    """
    return tensor.normal_(mean, std)


@no_grad()
def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> init.constant_(minigrad.empty(3), 0.25)
        tensor([0.25, 0.25, 0.25])
    """
    return tensor.fill_(val)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with zeros.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> init.zeros_(minigrad.ones(2))
        tensor([0., 0.])
    """
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with ones.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> init.ones_(minigrad.zeros(2))
        tensor([1., 1.])
    """
    return constant_(tensor, 1.0)


def kaiming_uniform_(
    tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He initialisation, uniform: U(-bound, bound) with ``bound = gain * sqrt(3 / fan)``.

    PyTorch's Linear and Conv2d use it with ``a = sqrt(5)``, which gives
    ``bound = 1 / sqrt(fan_in)``.

    Example:
        >>> import minigrad
        >>> w = kaiming_uniform_(minigrad.empty(100, 25), a=5**0.5)
        >>> float(w.abs().max()) <= 1 / 25**0.5
        True
    """
    if _empty(tensor):
        return tensor
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / _fan(tensor, mode))
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(
    tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He initialisation, normal: N(0, std²) with ``std = gain / sqrt(fan)``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> w = init.kaiming_normal_(minigrad.empty(256, 512), nonlinearity="relu")  # (out, in)
        >>> round(w.var().item() * 512, 1)  # gain**2 / fan_in, gain**2 = 2 for ReLU
        2.0
    """
    if _empty(tensor):
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot initialisation, uniform: ``bound = gain * sqrt(6 / (fan_in + fan_out))``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> w = init.xavier_uniform_(minigrad.empty(30, 70))
        >>> float(w.abs().max()) <= (6 / (30 + 70)) ** 0.5
        True
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot initialisation, normal: ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> w = init.xavier_normal_(minigrad.empty(300, 500))
        >>> round(w.var().item() * (300 + 500) / 2, 1)  # std**2 = 2 / (fan_in + fan_out)
        1.0
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)))
