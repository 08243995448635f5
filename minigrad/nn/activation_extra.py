"""The rarer activation modules, each wrapping one function of
``nn/functional_activations.py``: ELU, SELU, CELU, Hardtanh, ReLU6, Hardsigmoid,
Hardswish, Mish, Softsign, LogSigmoid, Tanhshrink, Hardshrink, Softshrink, Threshold,
PReLU (with a learned slope), RReLU (with random slopes in training), GLU and Softmin.
"""

from __future__ import annotations

from .. import creation
from . import functional_activations as FA
from .module import Module
from .parameter import Parameter


class _Elementwise(Module):
    """An activation with fixed options: ``forward`` calls ``function(x, **options)``;
    ``extra_repr`` lists the options as PyTorch's module does (``inplace`` when True)."""

    function = None
    shown: tuple = ()  # the options extra_repr lists, in order

    def __init__(self, **options) -> None:
        super().__init__()
        self.inplace = options.pop("inplace", False)
        for name, value in options.items():
            setattr(self, name, value)
        self._options = tuple(options)

    def forward(self, input):
        return type(self).function(input, **{name: getattr(self, name) for name in self._options})

    def extra_repr(self) -> str:
        parts = [f"{name}={getattr(self, name)}" for name in self.shown]
        if self.inplace:
            parts.append("inplace=True")
        return ", ".join(parts)


class ELU(_Elementwise):
    """:func:`~minigrad.nn.functional.elu` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.ELU(alpha=0.5)
        ELU(alpha=0.5)
    """

    function, shown = FA.elu, ("alpha",)

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(alpha=alpha, inplace=inplace)


class SELU(_Elementwise):
    """:func:`~minigrad.nn.functional.selu` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.SELU()(minigrad.tensor([1.0]))
        tensor([1.0507])
    """

    function = FA.selu

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(inplace=inplace)


class CELU(_Elementwise):
    """:func:`~minigrad.nn.functional.celu` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.CELU(2.0)
        CELU(alpha=2.0)
    """

    function, shown = FA.celu, ("alpha",)

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__(alpha=alpha, inplace=inplace)


class Hardtanh(_Elementwise):
    """:func:`~minigrad.nn.functional.hardtanh` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Hardtanh(-2.0, 2.0)
        Hardtanh(min_val=-2.0, max_val=2.0)
    """

    function, shown = FA.hardtanh, ("min_val", "max_val")

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        if min_val > max_val:
            raise ValueError("min_val cannot be greater than max_val")
        super().__init__(min_val=min_val, max_val=max_val, inplace=inplace)


class ReLU6(_Elementwise):
    """:func:`~minigrad.nn.functional.relu6` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.ReLU6()(minigrad.tensor([7.0]))
        tensor([6.])
    """

    function = FA.relu6

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(inplace=inplace)


class Hardsigmoid(_Elementwise):
    """:func:`~minigrad.nn.functional.hardsigmoid` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Hardsigmoid()(minigrad.tensor([0.0]))
        tensor([0.5000])
    """

    function = FA.hardsigmoid

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(inplace=inplace)


class Hardswish(_Elementwise):
    """:func:`~minigrad.nn.functional.hardswish` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Hardswish()(minigrad.tensor([4.0]))
        tensor([4.])
    """

    function = FA.hardswish

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(inplace=inplace)


class Mish(_Elementwise):
    """:func:`~minigrad.nn.functional.mish` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Mish()(minigrad.tensor([0.0]))
        tensor([0.])
    """

    function = FA.mish

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(inplace=inplace)


class Softsign(_Elementwise):
    """:func:`~minigrad.nn.functional.softsign` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Softsign()(minigrad.tensor([1.0]))
        tensor([0.5000])
    """

    function = FA.softsign


class LogSigmoid(_Elementwise):
    """:func:`~minigrad.nn.functional.logsigmoid` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.LogSigmoid()(minigrad.tensor([0.0]))
        tensor([-0.6931])
    """

    function = FA.logsigmoid


class Tanhshrink(_Elementwise):
    """:func:`~minigrad.nn.functional.tanhshrink` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Tanhshrink()(minigrad.tensor([0.0]))
        tensor([0.])
    """

    function = FA.tanhshrink


class Hardshrink(_Elementwise):
    """:func:`~minigrad.nn.functional.hardshrink` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Hardshrink(0.3)
        Hardshrink(0.3)
    """

    function = FA.hardshrink

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__(lambd=lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """:func:`~minigrad.nn.functional.softshrink` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Softshrink()(minigrad.tensor([1.0]))
        tensor([0.5000])
    """

    function = FA.softshrink


class Threshold(_Elementwise):
    """:func:`~minigrad.nn.functional.threshold` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Threshold(0.1, 20.0)
        Threshold(threshold=0.1, value=20.0)
    """

    function, shown = FA.threshold, ("threshold", "value")

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__(threshold=threshold, value=value, inplace=inplace)


class GLU(_Elementwise):
    """:func:`~minigrad.nn.functional.glu` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.GLU()(minigrad.ones(2, 4)).shape
        minigrad.Size([2, 2])
    """

    function, shown = FA.glu, ("dim",)

    def __init__(self, dim: int = -1) -> None:
        super().__init__(dim=dim)


class Softmin(_Elementwise):
    """:func:`~minigrad.nn.functional.softmin` as a module.

    Example:
        >>> import minigrad
        >>> minigrad.nn.Softmin(dim=1)
        Softmin(dim=1)
    """

    function, shown = FA.softmin, ("dim",)

    def __init__(self, dim: int | None = None) -> None:
        super().__init__(dim=dim)


class RReLU(Module):
    """:func:`~minigrad.nn.functional.rrelu` as a module: random negative slopes from
    U(lower, upper) in training, their mean in evaluation.

    Example:
        >>> import minigrad
        >>> act = minigrad.nn.RReLU(0.1, 0.3).eval()
        >>> act(minigrad.tensor([-1.0, 2.0]))
        tensor([-0.2000,  2.0000])
    """

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input):
        return FA.rrelu(input, self.lower, self.upper, self.training)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}" + (
            ", inplace=True" if self.inplace else ""
        )


class PReLU(Module):
    """A leaky ReLU whose negative slope is a parameter: ``num_parameters`` of them (1, or
    one per channel of dimension 1), each starting at ``init``.

    Example:
        >>> import minigrad
        >>> act = minigrad.nn.PReLU()
        >>> act(minigrad.tensor([-2.0, 1.0]))
        tensor([-0.5000,  1.0000], grad_fn=<WhereBackward0>)
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        self.weight = Parameter(creation.full((num_parameters,), init, device=device, dtype=dtype))

    def reset_parameters(self) -> None:
        """Set every slope back to ``init``."""
        self.weight.data.fill_(self.init)

    def forward(self, input):
        return FA.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"
