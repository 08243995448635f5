"""``minigrad.nn.init``: fill parameters with initial values, in place, as PyTorch does.

All draws come from minigrad's seeded host generator (``minigrad.manual_seed``), or from
the ``generator`` passed, so the same seed gives the same weights on every device.

Beside the fan-based schemes (He/Kaiming, Glorot/Xavier) there are a normal truncated to an
interval (``trunc_normal_``, the Vision Transformer's), (semi-)orthogonal matrices
(``orthogonal_``, for deep linear networks and RNNs), sparse columns (``sparse_``), and the
identities of a Linear (``eye_``) and a convolution (``dirac_``). PyTorch's old names
without the underscore (``xavier_uniform`` ...) still work, with PyTorch's FutureWarning.

The fan of a weight is the number of inputs (``fan_in``) or outputs (``fan_out``) that each
unit connects to: for a Linear weight (out, in) it is ``in`` and ``out``; for a Conv2d
weight (out, in/groups, kh, kw) each is multiplied by the kernel area ``kh * kw``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import random as _random
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
def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill with values drawn uniformly from [a, b) (from ``generator``, a
    :class:`minigrad.Generator`, if given; every function here takes one).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> w = init.uniform_(minigrad.empty(3, 4), a=-0.1, b=0.1)
        >>> bool((w.abs() <= 0.1).all())
        True
    """
    return tensor.uniform_(a, b, generator=generator)


@no_grad()
def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill with values drawn from N(mean, std²).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> w = init.normal_(minigrad.empty(1000), mean=2.0, std=0.5)
        >>> round(w.mean().item(), 1), round(w.var().sqrt().item(), 1)
        (2.0, 0.5)
    """
    return tensor.normal_(mean, std, generator=generator)


@no_grad()
def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with ``val``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> init.constant_(minigrad.empty(3), 0.25)
        tensor([0.2500, 0.2500, 0.2500])
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
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
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
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
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
    return normal_(tensor, 0.0, std, generator)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
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
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot initialisation, normal: ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> w = init.xavier_normal_(minigrad.empty(300, 500))
        >>> round(w.var().item() * (300 + 500) / 2, 1)  # std**2 = 2 / (fan_in + fan_out)
        1.0
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), generator)


@no_grad()
def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator=None,
) -> Tensor:
    """Fill with draws of N(mean, std²) conditioned on lying in [a, b].

    By rejection, as PyTorch 2.13: when [a, b] holds much of the normal's mass, draw
    normals and redraw those outside; when it holds little (an interval far in a tail),
    draw uniformly on [a, b] and keep a draw with probability ``pdf(x) / pdf(peak)``.
    Either way the values follow the truncated law exactly. Note that ``a`` and ``b`` are
    absolute bounds, not multiples of ``std``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> w = init.trunc_normal_(minigrad.empty(1000), std=0.02, a=-0.04, b=0.04)
        >>> bool((w.abs() <= 0.04).all())
        True
    """
    if not std > 0:
        raise ValueError(f"trunc_normal_: std must be positive, got {std}")
    if not a <= b:
        raise ValueError(f"trunc_normal_: the interval [a, b] = [{a}, {b}] is empty")
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=3,  # the caller's line, past no_grad's wrapper
        )
    rng = _random.numpy_generator(generator, "trunc_normal_")

    def cdf(x: float) -> float:
        return (1.0 + math.erf((x - mean) / (std * math.sqrt(2.0)))) / 2.0

    values = np.empty(tensor.numel())
    pending = np.ones(values.size, dtype=bool)
    normal_proposals = cdf(b) - cdf(a) > 0.3  # then at most ~3 draws per value on average
    peak = min(max(mean, a), b)  # where the density on [a, b] is largest
    while pending.any():
        n = int(pending.sum())
        if normal_proposals:
            x = rng.normal(mean, std, n)
            accept = (x >= a) & (x <= b)
        else:
            x = rng.uniform(a, b, n)
            log_ratio = -0.5 * ((x - mean) / std) ** 2 + 0.5 * ((peak - mean) / std) ** 2
            accept = np.log(rng.random(n)) <= log_ratio
        slots = np.flatnonzero(pending)[accept]
        values[slots] = x[accept]
        pending[slots] = False
    return tensor.copy_(values.reshape(tensor.shape).astype(tensor.dtype))


@no_grad()
def orthogonal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix times ``gain``: the rows are orthonormal if
    there are fewer rows than columns, else the columns (Saxe et al., 2013). Dimensions
    after the first are flattened into the columns.

    The matrix is the Q of the QR decomposition of a standard normal matrix, its columns'
    signs set by R's diagonal, which makes it uniformly distributed over the orthogonal
    matrices (Mezzadri, 2007).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> w = init.orthogonal_(minigrad.empty(3, 5))
        >>> (w @ w.T - minigrad.eye(3)).abs().max().item() < 1e-6
        True
    """
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = _random.numpy_generator(generator, "orthogonal_").standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q *= np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return tensor.copy_((gain * q).reshape(tensor.shape).astype(tensor.dtype))


@no_grad()
def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """Fill a 2-D tensor with N(0, std²) values, then zero ``ceil(sparsity * rows)``
    randomly chosen entries in each column (Martens, 2010).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> w = init.sparse_(minigrad.empty(4, 3), sparsity=0.5)
        >>> (w == 0).sum(0).tolist()
        [2, 2, 2]
    """
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    if not 0 <= sparsity <= 1:
        raise ValueError(f"sparse_: sparsity is a fraction in [0, 1], got {sparsity}")
    rng = _random.numpy_generator(generator, "sparse_")
    rows, cols = tensor.shape
    values = rng.normal(0.0, std, (rows, cols))
    zeros = math.ceil(sparsity * rows)
    for col in range(cols):  # PyTorch draws these from the global generator; here, rng
        values[rng.permutation(rows)[:zeros], col] = 0.0
    return tensor.copy_(values.astype(tensor.dtype))


@no_grad()
def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D tensor with the identity matrix (ones on the diagonal, also when it is
    not square): a Linear layer that passes its inputs through, as far as it can.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> init.eye_(minigrad.empty(2, 3))
        tensor([[1., 0., 0.],
                [0., 1., 0.]])
    """
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return tensor.copy_(np.eye(*tensor.shape, dtype=tensor.dtype))


@no_grad()
def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a convolution weight (3-, 4- or 5-D: out, in/groups, kernel...) with the Dirac
    delta: a one at the kernel's centre linking output channel ``d`` to input channel ``d``
    of its group, zeros elsewhere. The convolution then passes as many input channels
    through unchanged as it has outputs for.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> w = init.dirac_(minigrad.empty(2, 2, 3))
        >>> w[:, :, 1], w.sum().item()
        (tensor([[1., 0.],
                [0., 1.]]), 2.0)
    """
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if groups <= 0 or tensor.shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    values = np.zeros(tensor.shape, dtype=tensor.dtype)
    per_group = tensor.shape[0] // groups
    centre = tuple(size // 2 for size in tensor.shape[2:])
    for g in range(groups):
        for d in range(min(per_group, tensor.shape[1])):
            values[(g * per_group + d, d, *centre)] = 1
    return tensor.copy_(values)


def _deprecated(new):
    """PyTorch's old name for ``new`` (without the trailing underscore), which warns."""
    old = new.__name__[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(
            f"`nn.init.{old}` is now deprecated in favor of `nn.init.{new.__name__}`.",
            FutureWarning,
            stacklevel=2,
        )
        return new(*args, **kwargs)

    deprecated_init.__name__ = deprecated_init.__qualname__ = old
    deprecated_init.__doc__ = f"""Deprecated: use :func:`{new.__name__}`, which this calls after
    PyTorch's FutureWarning. (PyTorch's old names all behave alike.)

    Example:
        >>> import warnings
        >>> import minigrad
        >>> from minigrad.nn import init
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     w = init.normal(minigrad.empty(2))
        >>> str(caught[0].message)
        '`nn.init.normal` is now deprecated in favor of `nn.init.normal_`.'
    """
    return deprecated_init


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
