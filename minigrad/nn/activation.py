"""Activation modules: each wraps one function from ``nn.functional``."""

from __future__ import annotations

from . import functional as F
from .module import Module


class ReLU(Module):
    """``max(x, 0)``, elementwise.

    Example:
        >>> import minigrad
        >>> minigrad.nn.ReLU()(minigrad.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 2.])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.relu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Sigmoid(Module):
    """``1 / (1 + exp(-x))``, elementwise (stable for any x).

    Example:
        >>> import minigrad
        >>> minigrad.nn.Sigmoid()(minigrad.tensor([0.0, 100.0]))
        tensor([0.5000, 1.0000])
    """

    def forward(self, input):
        return F.sigmoid(input)


class Tanh(Module):
    """The hyperbolic tangent, elementwise.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Tanh()(minigrad.tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input):
        return F.tanh(input)


class LeakyReLU(Module):
    """``x`` where positive, ``negative_slope * x`` elsewhere.

    Example:
        >>> import minigrad
        >>> minigrad.nn.LeakyReLU(0.1)(minigrad.tensor([-2.0, 3.0]))
        tensor([-0.2000,  3.0000])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class Softmax(Module):
    """``softmax(x, dim)``.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Softmax(dim=1)(minigrad.tensor([[0.0, 0.0, 0.0, 0.0]]))
        tensor([[0.2500, 0.2500, 0.2500, 0.2500]])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)  # dim=None: PyTorch's legacy choice, warned

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax2d(Module):
    """``softmax`` over the channels at every pixel of an (N, C, H, W) or (C, H, W)
    input (dim -3).

    Example:
        >>> import minigrad
        >>> y = minigrad.nn.Softmax2d()(minigrad.randn(2, 3, 4, 4))
        >>> [round(v, 4) for v in y.sum(dim=1).flatten().tolist()[:3]]
        [1.0, 1.0, 1.0]
    """

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D instead")
        return F.softmax(input, -3)


class LogSoftmax(Module):
    """``log_softmax(x, dim)``.

    Example:
        >>> import minigrad
        >>> minigrad.nn.LogSoftmax(dim=1)(minigrad.tensor([[0.0, 0.0]]))
        tensor([[-0.6931, -0.6931]])
    """

    def __init__(self, dim: int | None = None) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim)  # dim=None: PyTorch's legacy choice, warned

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GELU(Module):
    """The Gaussian Error Linear Unit, ``x * Phi(x)`` (Phi the standard normal CDF), or its
    tanh approximation with ``approximate='tanh'``; see :func:`minigrad.nn.functional.gelu`.

    Example:
        >>> import minigrad
        >>> minigrad.nn.GELU()(minigrad.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.1587,  0.0000,  0.8413])
        >>> minigrad.nn.GELU(approximate="tanh")
        GELU(approximate='tanh')
    """

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate  # checked when called, as in PyTorch

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """``x * sigmoid(x)``, elementwise (the swish).

    Example:
        >>> import minigrad
        >>> minigrad.nn.SiLU()(minigrad.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.2689,  0.0000,  1.7616])
    """

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return F.silu(input)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Softplus(Module):
    """``log(1 + exp(beta * x)) / beta``, and ``x`` where ``beta * x > threshold``.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Softplus()(minigrad.tensor([-1.0, 0.0, 30.0]))
        tensor([ 0.3133,  0.6931, 30.0000])
        >>> minigrad.nn.Softplus(beta=2, threshold=10)
        Softplus(beta=2, threshold=10)
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"
