"""The activations beyond ReLU, sigmoid, tanh, GELU, SiLU and softplus, each composed of
core functions so that its gradient comes from theirs: the exponential units (``elu``,
``selu``, ``celu``), the hard ones (``hardtanh``, ``relu6``, ``hardsigmoid``,
``hardswish``), ``mish``, ``softsign``, ``logsigmoid``, ``tanhshrink``, the shrinks and
``threshold``, ``prelu``, ``rrelu``, ``glu``, ``softmin`` and ``gumbel_softmax``.

Where PyTorch's gradient at a kink differs from what the composition would give, the
composition says which side wins (``where`` routes the gradient to one branch only), and
the docstring says what PyTorch does: ``hardtanh``'s gradient is 0 at its limits, for one.
"""

from __future__ import annotations

from .. import autocast_mode, creation
from .. import functions as _F
from .. import random as _random
from ..functions_math import expm1
from ..functions_select import chunk, scatter
from ..ops import activations as _activations
from ..tensor import Tensor
from .functional_dropout import require_float

# SELU's constants (Klambauer et al., 2017): the fixed point of mean 0 and variance 1.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _float_input(input, name: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name} expects a Tensor, got {type(input).__name__}")
    require_float(input, name, NotImplementedError)
    return input


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``: a ReLU that saturates smoothly at
    ``-alpha`` below zero (gradient ``alpha * exp(x)`` there, ``alpha`` at 0, as PyTorch).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.elu(minigrad.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.6321,  0.0000,  2.0000])
    """
    x = _float_input(input, "elu")
    return _F.where(x > 0, x, expm1(x) * alpha)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """``SELU_SCALE * elu(x, SELU_ALPHA)``: keeps activations near mean 0 and variance 1
    through deep stacks of linear layers (self-normalizing networks).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.selu(minigrad.tensor([-1.0, 1.0]))
        tensor([-1.1113,  1.0507])
    """
    return elu(_float_input(input, "selu"), SELU_ALPHA) * SELU_SCALE


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """``x`` for ``x > 0``, else ``alpha * (exp(x / alpha) - 1)``: ELU made continuously
    differentiable for any ``alpha``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.celu(minigrad.tensor([-1.0, 2.0]), alpha=2.0)
        tensor([-0.7869,  2.0000])
    """
    x = _float_input(input, "celu")
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: celu's alpha must not be 0")
    return _F.where(x > 0, x, expm1(x / alpha) * alpha)


def _inside(x: Tensor, low: float, high: float, value: Tensor) -> Tensor:
    """``value`` where ``low < x < high``, else ``x`` clamped to the limits, with no
    gradient there: PyTorch's gradient of a hard limit is 0 at the limit itself."""
    return _F.where((x > low) & (x < high), value, _F.clamp(x, low, high).detach())


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """``x`` clamped to ``[min_val, max_val]``; its gradient is 1 strictly inside and 0 at
    and beyond the limits (``clamp``'s is 1 at the limits).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.hardtanh(minigrad.tensor([-2.0, 0.5, 3.0]))
        tensor([-1.0000,  0.5000,  1.0000])
    """
    x = _float_input(input, "hardtanh")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _inside(x, min_val, max_val, x)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(x, 0), 6)``: ``hardtanh(x, 0, 6)``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.relu6(minigrad.tensor([-1.0, 3.0, 8.0]))
        tensor([0., 3., 6.])
    """
    return hardtanh(_float_input(input, "relu6"), 0.0, 6.0)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``: a piecewise-linear sigmoid (gradient 1/6 on (-3, 3), else 0).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.hardsigmoid(minigrad.tensor([-4.0, 0.0, 1.5]))
        tensor([0.0000, 0.5000, 0.7500])
    """
    x = _float_input(input, "hardsigmoid")
    return (_inside(x, -3.0, 3.0, x) + 3.0) / 6.0


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6`` (MobileNetV3); gradient ``x / 3 + 0.5`` strictly between
    -3 and 3, 0 from -3 down and 1 from 3 up, as in PyTorch 2.13.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.hardswish(minigrad.tensor([-4.0, 1.0, 4.0]))
        tensor([-0.0000, 0.6667, 4.0000])
    """
    x = _float_input(input, "hardswish")
    middle = x * (x + 3.0) / 6.0
    return _F.where(x <= -3.0, x * 0.0, _F.where(x < 3.0, middle, x))


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * tanh(softplus(x))`` (Misra, 2019).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.mish(minigrad.tensor([-1.0, 1.0]))
        tensor([-0.3034,  0.8651])
    """
    x = _float_input(input, "mish")
    return x * _F.tanh(_activations.Softplus.apply(x, beta=1.0, threshold=20.0))


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.softsign(minigrad.tensor([-3.0, 1.0]))
        tensor([-0.7500,  0.5000])
    """
    x = _float_input(input, "softsign")
    return x / (_F.abs(x) + 1.0)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x)) = -softplus(-x)``, finite for any ``x``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.logsigmoid(minigrad.tensor([-100.0, 0.0]))
        tensor([-100.0000,   -0.6931])
    """
    x = _float_input(input, "logsigmoid")
    return -_activations.Softplus.apply(-x, beta=1.0, threshold=float("inf"))


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.tanhshrink(minigrad.tensor([1.0]))
        tensor([0.2384])
    """
    x = _float_input(input, "tanhshrink")
    return x - _F.tanh(x)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.hardshrink(minigrad.tensor([-1.0, 0.2, 0.7]))
        tensor([-1.0000,  0.0000,  0.7000])
    """
    x = _float_input(input, "hardshrink")
    return _F.where(_F.abs(x) > lambd, x, x * 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.softshrink(minigrad.tensor([-1.0, 0.2, 0.7]))
        tensor([-0.5000,  0.0000,  0.2000])
    """
    x = _float_input(input, "softshrink")
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return _F.where(x > lambd, x - lambd, _F.where(x < -lambd, x + lambd, x * 0.0))


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.threshold(minigrad.tensor([0.1, 2.0]), 1.0, -5.0)
        tensor([-5.,  2.])
    """
    x = _float_input(input, "threshold")
    return _F.where(x > threshold, x, x * 0.0 + value)


@autocast_mode.casts(cpu="lower", cuda="lower")
def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``x`` for ``x > 0``, else ``weight * x``: a leaky ReLU whose slope is learned, one
    for all channels or one per channel (dimension 1 of ``input``).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.prelu(minigrad.tensor([[-1.0, -1.0]]), minigrad.tensor([0.1, 0.5]))
        tensor([[-0.1000, -0.5000]])
    """
    x = _float_input(input, "prelu")
    if not isinstance(weight, Tensor):
        raise TypeError(f"prelu expects a Tensor weight, got {type(weight).__name__}")
    slopes = weight.numel()
    if slopes != 1:
        channels = x.shape[1] if x.ndim >= 2 else (x.shape[0] if x.ndim == 1 else 0)
        if weight.ndim != 1 or slopes != channels:
            raise RuntimeError(
                f"Mismatch of parameter numbers and input channel size. Found parameter "
                f"numbers = {slopes} and channel size = {channels}."
            )
        shape = [1] * x.ndim
        shape[1 if x.ndim >= 2 else 0] = slopes
        weight = weight.reshape(shape)
    return _F.where(x > 0, x, weight * x)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """The randomized leaky ReLU (Xu et al., 2015): ``x`` for ``x > 0``, else ``a * x``. In
    training each element draws its own slope ``a`` from U(lower, upper) (from minigrad's
    seeded generator, on the host), which is also its gradient; otherwise ``a`` is the mean
    slope ``(lower + upper) / 2``, a leaky ReLU.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.rrelu(minigrad.tensor([-1.0, 2.0]), 0.1, 0.3)  # not training: slope 0.2
        tensor([-0.2000,  2.0000])
    """
    x = _float_input(input, "rrelu")
    if not lower <= upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        return _F.where(x > 0, x, x * ((lower + upper) / 2))
    drawn = _random.generator().uniform(lower, upper, tuple(x.shape))
    slopes = Tensor._wrap(x.device.from_host(drawn).astype(x.dtype), x.device)
    return _F.where(x > 0, x, x * slopes)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """``a * sigmoid(b)`` for the two halves ``a, b`` of ``input`` along ``dim``: a gate.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.glu(minigrad.tensor([[2.0, 0.0]]))
        tensor([[1.]])
    """
    x = _float_input(input, "glu")
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    size = x.shape[dim]
    if size % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {dim % x.ndim} is size {size}"
        )
    a, b = chunk(x, 2, dim)
    return a * _F.sigmoid(b)


@autocast_mode.casts(cuda="float32")
def softmin(input: Tensor, dim: int | None = None, _stacklevel=3, dtype=None) -> Tensor:
    """``softmax(-x)`` along ``dim``: weights that favour the smallest values.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.softmin(minigrad.tensor([1.0, 2.0]), dim=0)
        tensor([0.7311, 0.2689])
    """
    x = _float_input(input, "softmin") if dtype is None else input.to(dtype)
    return _F.softmax(-x, dim=dim)


def gumbel_softmax(
    logits: Tensor, tau: float = 1.0, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """A differentiable sample of a categorical distribution (Jang et al., 2016): the
    softmax of ``(logits + g) / tau`` along ``dim``, ``g`` Gumbel noise (``-log`` of an
    exponential draw, from minigrad's seeded generator). Small ``tau`` makes it nearly
    one-hot. With ``hard``, the result is exactly one-hot (at the softmax's maximum) but
    has the soft sample's gradient (the straight-through estimator). ``eps`` is PyTorch's
    deprecated, unused argument.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> y = F.gumbel_softmax(minigrad.zeros(4, 3), tau=0.5, hard=True)
        >>> y.sum(dim=1).tolist(), sorted(set(y.flatten().tolist()))
        ([1.0, 1.0, 1.0, 1.0], [0.0, 1.0])
    """
    x = _float_input(logits, "gumbel_softmax")
    drawn = _random.generator().exponential(1.0, tuple(x.shape))
    gumbels = -Tensor._wrap(x.device.from_host(drawn).astype(x.dtype), x.device).log()
    soft = _F.softmax((x + gumbels) / tau, dim=dim)
    if not hard:
        return soft
    best = soft.argmax(dim, keepdim=True)
    one_hot = scatter(creation.zeros_like(soft.detach()), dim, best, 1.0)
    return one_hot - soft.detach() + soft
