"""The gamma family and the inverse error function as tensor functions: ``lgamma``,
``digamma``, ``polygamma``, ``mvlgamma`` and ``erfinv`` (primitives in
``ops/special.py``), and the compositions that ``torch.special`` adds: the normal
distribution's ``ndtr``, ``log_ndtr`` and ``ndtri``, ``entr`` and ``xlog1py``.

Integer inputs are computed in the default float dtype, as PyTorch's.
"""

from __future__ import annotations

import math

from .creation import tensor
from .functions import _check_tensor, where
from .functions_math import log1p
from .functions_pointwise import _float, erfc
from .ops import special
from .tensor import Tensor

_SQRT_HALF = math.sqrt(0.5)


def lgamma(input: Tensor) -> Tensor:
    """``log |Gamma(x)|``, the log of the gamma function's magnitude (``Gamma(n) =
    (n - 1)!``); inf at 0, -1, -2, ... Its derivative is :func:`digamma`.

    Example:
        >>> import minigrad
        >>> round(minigrad.lgamma(minigrad.tensor(5.0)).item(), 4)  # log 4!
        3.1781
    """
    return special.Lgamma.apply(_float(input, "lgamma"))


def digamma(input: Tensor) -> Tensor:
    """``psi(x)``, the derivative of :func:`lgamma`; -inf at 0, NaN at the negative
    integers (PyTorch's values). Its derivative is ``polygamma(1, x)``.

    Example:
        >>> import minigrad
        >>> round(minigrad.digamma(minigrad.tensor(1.0)).item(), 6)  # minus Euler's gamma
        -0.577216
    """
    return special.Polygamma.apply(_float(input, "digamma"), n=0)


def polygamma(n: int, input: Tensor) -> Tensor:
    """The ``n``-th derivative of :func:`digamma` (``n = 0``: digamma itself).

    Example:
        >>> import minigrad, math
        >>> round(minigrad.polygamma(1, minigrad.tensor(1.0)).item(), 6)  # pi^2 / 6
        1.644934
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n, got n = {n}")
    return special.Polygamma.apply(_float(input, "polygamma"), n=n)


def mvlgamma(input: Tensor, p: int) -> Tensor:
    """The log of the multivariate gamma function of dimension ``p``:
    ``p (p - 1) / 4 log(pi) + sum_{i < p} lgamma(x - i / 2)``; every element must be
    greater than ``(p - 1) / 2``.

    Example:
        >>> import minigrad
        >>> round(minigrad.mvlgamma(minigrad.tensor(2.5), 2).item(), 4)
        0.857
    """
    _check_tensor(input, "mvlgamma")
    if isinstance(p, bool) or not isinstance(p, int) or p < 1:
        raise RuntimeError(f"p has to be greater than or equal to 1, got {p}")
    x = _float(input, "mvlgamma")
    if x.numel() and not bool((x > (p - 1) / 2).all()):
        raise RuntimeError(
            f"All elements must be greater than (p-1)/2 = {(p - 1) / 2:g} for mvlgamma"
        )
    out = lgamma(x)
    for i in range(1, p):
        out = out + lgamma(x - i / 2)
    return out + p * (p - 1) / 4 * math.log(math.pi)


def erfinv(input: Tensor) -> Tensor:
    """The inverse error function: ``erf(erfinv(y)) = y`` for y in (-1, 1); +-inf at
    +-1, NaN beyond.

    Example:
        >>> import minigrad
        >>> minigrad.erfinv(minigrad.tensor([0.0, 0.5, -1.0]))
        tensor([0.0000, 0.4769,   -inf])
    """
    return special.Erfinv.apply(_float(input, "erfinv"))


def ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF, ``Phi(x) = erfc(-x / sqrt(2)) / 2`` (accurate where it is
    tiny).

    Example:
        >>> import minigrad
        >>> minigrad.special.ndtr(minigrad.tensor([0.0])).tolist()
        [0.5]
    """
    return erfc(_float(input, "ndtr") * -_SQRT_HALF) * 0.5


def log_ndtr(input: Tensor) -> Tensor:
    """``log Phi(x)``, from the tail-accurate ``erfc``.

    Example:
        >>> import minigrad
        >>> round(minigrad.special.log_ndtr(minigrad.tensor(-10.0)).item(), 3)
        -53.231
    """
    return ndtr(input).log()


def ndtri(input: Tensor) -> Tensor:
    """The standard normal quantile, the inverse of :func:`ndtr`:
    ``sqrt(2) erfinv(2p - 1)``.

    Example:
        >>> import minigrad
        >>> round(minigrad.special.ndtri(minigrad.tensor(0.975)).item(), 4)
        1.96
    """
    return erfinv(_float(input, "ndtri") * 2.0 - 1.0) * math.sqrt(2.0)


def entr(input: Tensor) -> Tensor:
    """The elementwise entropy ``-x log x``: 0 at 0, -inf for x < 0.

    Example:
        >>> import minigrad
        >>> minigrad.special.entr(minigrad.tensor([0.0, 1.0, -1.0])).tolist()
        [0.0, -0.0, -inf]
    """
    x = _float(input, "entr")
    safe = where(x > 0, x, 1.0)
    return where(x > 0, -x * safe.log(), where(x == 0, 0.0, where(x < 0, -math.inf, x)))


def xlog1py(input, other) -> Tensor:
    """``x * log1p(y)``, 0 where x is 0 (unless y is NaN), as ``xlogy`` is for ``log``.

    Example:
        >>> import minigrad
        >>> minigrad.special.xlog1py(minigrad.tensor([0.0, 2.0]), minigrad.tensor([-1.0, 0.0]))
        tensor([0., 0.])
    """
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("xlog1py(): at least one of input and other must be a Tensor")
    for name, value in (("input", input), ("other", other)):
        if not isinstance(value, Tensor) and type(value) not in (int, float):
            raise TypeError(
                f"xlog1py(): argument '{name}' must be Tensor or a number, not "
                f"{type(value).__name__}"
            )
    like = input if isinstance(input, Tensor) else other
    x, y = (
        _float(v, "xlog1py")
        if isinstance(v, Tensor)
        else tensor(float(v), dtype=_float(like, "xlog1py").dtype, device=like.device)
        for v in (input, other)
    )
    zero = (x == 0) & ~y.isnan()
    return where(zero, 0.0, x * log1p(where(zero, 0.0, y)))  # no log1p(-1) where x is 0
