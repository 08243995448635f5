"""``Bilinear``: a layer of two inputs, ``y = x1^T A x2 + b`` for each of its outputs (one
matrix ``A`` per output feature), and its function ``F.bilinear``, one ``einsum``."""

from __future__ import annotations

import math

from .. import autocast_mode, creation
from ..functions_einsum import einsum
from ..tensor import Tensor
from . import init
from .module import Module
from .parameter import Parameter


@autocast_mode.casts(cpu="keep", cuda="keep")
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None):
    """``y[..., o] = sum_ij input1[..., i] * weight[o, i, j] * input2[..., j] + bias[o]``,
    for inputs (*, in1) and (*, in2) with the same leading dims and a (out, in1, in2)
    weight.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> x1, x2 = minigrad.tensor([[1.0, 2.0]]), minigrad.tensor([[3.0, 4.0, 5.0]])
        >>> F.bilinear(x1, x2, minigrad.ones(1, 2, 3)).tolist()  # (1 + 2) * (3 + 4 + 5)
        [[36.0]]
    """
    for name, t in (("input1", input1), ("input2", input2), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise TypeError(f"bilinear: {name} must be a Tensor, got {type(t).__name__}")
    if weight.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-D, got {weight.ndim}-D")
    if tuple(input1.shape[:-1]) != tuple(input2.shape[:-1]):
        raise RuntimeError(
            f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} "
            f"and {list(input2.shape[:-1])}"
        )
    if input1.shape[-1] != weight.shape[1] or input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(
            f"bilinear(): the inputs' sizes {input1.shape[-1]} and {input2.shape[-1]} do not "
            f"match the weight's {tuple(weight.shape[1:])}"
        )
    out = einsum("...i,oij,...j->...o", input1, weight, input2)
    return out if bias is None else out + bias


class Bilinear(Module):
    """``y = x1^T A_o x2 + b_o`` for each output feature ``o``: see
    :func:`~minigrad.nn.functional.bilinear`. ``weight`` (out, in1, in2) and ``bias``
    (out,) start as U(-1/sqrt(in1), 1/sqrt(in1)), as in PyTorch.

    Example:
        >>> import minigrad
        >>> layer = minigrad.nn.Bilinear(20, 30, 40)
        >>> layer(minigrad.randn(128, 20), minigrad.randn(128, 30)).shape
        minigrad.Size([128, 40])
    """

    def __init__(self, in1_features: int, in2_features: int, out_features: int,
                 bias: bool = True, device=None, dtype=None) -> None:  # fmt: skip
        super().__init__()
        self.in1_features, self.in2_features = in1_features, in2_features
        self.out_features = out_features
        shape = (out_features, in1_features, in2_features)
        self.weight = Parameter(creation.empty(*shape, device=device, dtype=dtype))
        made = Parameter(creation.empty(out_features, device=device, dtype=dtype)) if bias else None
        self.register_parameter("bias", made)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """U(-1/sqrt(in1_features), 1/sqrt(in1_features)) for the weight and the bias."""
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )
