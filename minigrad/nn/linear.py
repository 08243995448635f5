"""``Linear`` and ``Identity``."""

from __future__ import annotations

import math

from .. import creation
from . import functional as F
from . import init
from .module import Module
from .parameter import Parameter


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored, as in PyTorch).

    Example:
        >>> import minigrad
        >>> x = minigrad.ones(2)
        >>> minigrad.nn.Identity(54, unused=True)(x) is x
        True
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """``y = x @ weight.T + bias``.

    ``weight`` is (out_features, in_features) and ``bias`` (out_features,), both initialised
    as in PyTorch: U(-1/sqrt(in_features), 1/sqrt(in_features)).

    Args:
        in_features: the size of each input sample (the input's last dimension).
        out_features: the size of each output sample.
        bias: learn an additive bias (default True); False leaves ``bias`` None.
        device: where the parameters and buffers are made (default: the CPU).
        dtype: their floating dtype (default: minigrad's default float dtype, float32).

    Example:
        >>> import minigrad
        >>> layer = minigrad.nn.Linear(784, 500)
        >>> layer(minigrad.randn(32, 784)).shape
        minigrad.Size([32, 500])
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__()
        _check_positive(in_features=in_features, out_features=out_features)
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(
            creation.empty(out_features, in_features, device=device, dtype=dtype)
        )
        bias = Parameter(creation.empty(out_features, device=device, dtype=dtype)) if bias else None
        self.register_parameter("bias", bias)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw new initial values for ``weight`` and ``bias``, as PyTorch's Linear does."""
        reset_weight_and_bias(self.weight, self.bias)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


def reset_weight_and_bias(weight, bias) -> None:
    """PyTorch's default initialisation of Linear and Conv layers: the weight by
    ``kaiming_uniform_(a=sqrt(5))`` and the bias uniformly, both in
    ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]``, where fan_in counts the inputs of one unit."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


def _check_positive(**sizes) -> None:
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
