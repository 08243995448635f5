"""Weight normalization (Salimans & Kingma, 2016): a weight as a direction times a length.

``weight_norm(layer)`` replaces ``layer.weight`` by two parameters, ``weight_v`` (its
direction, the old weight) and ``weight_g`` (its length, one per output unit by default),
and recomputes ``weight = weight_g * weight_v / ||weight_v||`` before every forward (a
forward pre-hook). Gradient descent on the length and the direction apart conditions
the problem better than on the weight itself, the way BatchNorm does, but without
batch statistics. PyTorch keeps this hook-based form under ``torch.nn.utils.weight_norm``,
deprecated (its warning says so) in favour of the parametrization API, which minigrad has
not; the parameters' names and values are the same as PyTorch's.
"""

from __future__ import annotations

import warnings

from ...grad_mode import no_grad
from ..parameter import Parameter

__all__ = ["remove_weight_norm", "weight_norm"]


def norm_except_dim(v, dim: int):
    """The 2-norm of ``v`` over every dimension but ``dim`` (kept, with size 1 elsewhere);
    with ``dim=-1`` the norm of the whole tensor."""
    if dim == -1:  # PyTorch's choice: -1 means no dimension kept, not the last one
        return v.norm()
    dim = dim + v.ndim if dim < 0 else dim
    others = tuple(d for d in range(v.ndim) if d != dim)
    return (v * v).sum(others, keepdim=True).sqrt()


class WeightNorm:
    """The forward pre-hook that recomputes ``name`` from ``name_g`` and ``name_v``."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim = name, dim

    def compute_weight(self, module):
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return v * (g / norm_except_dim(v, self.dim))

    def __call__(self, module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name: str = "weight", dim: int | None = 0):
    """Split ``module``'s parameter ``name`` into ``name_g`` (the norms over every
    dimension but ``dim``; ``dim=None``: one norm for the whole tensor) and ``name_v``,
    recombined before each forward. Returns the module.

    Example:
        >>> import warnings
        >>> import minigrad
        >>> from minigrad import nn
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", FutureWarning)  # PyTorch's deprecation
        ...     layer = nn.utils.weight_norm(nn.Linear(3, 2))
        >>> sorted(name for name, _ in layer.named_parameters())
        ['bias', 'weight_g', 'weight_v']
        >>> layer.weight_g.shape
        minigrad.Size([2, 1])
    """
    warnings.warn(
        "torch.nn.utils.weight_norm is deprecated in favor of "
        "torch.nn.utils.parametrizations.weight_norm.",
        FutureWarning,
        stacklevel=2,
    )
    for hook in module._forward_pre_hooks.values():
        if isinstance(hook, WeightNorm) and hook.name == name:
            raise RuntimeError(
                f"Cannot register two weight_norm hooks on the same parameter {name}"
            )
    weight = module._parameters.get(name)
    if weight is None:
        raise ValueError(f"weight_norm: {type(module).__name__} has no parameter {name!r}")
    if getattr(weight, "is_uninitialized", False):
        raise ValueError(
            "The module passed to `WeightNorm` can't have uninitialized parameters. Make sure "
            "to run the dummy forward before applying weight normalization"
        )
    fn = WeightNorm(name, -1 if dim is None else dim)
    del module._parameters[name]
    with no_grad():
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, fn.dim).detach()))
        module.register_parameter(name + "_v", Parameter(weight.detach()))
    setattr(module, name, fn.compute_weight(module))
    module.register_forward_pre_hook(fn)
    return module


def remove_weight_norm(module, name: str = "weight"):
    """Undo :func:`weight_norm`: ``name`` a plain parameter again, of the current value.

    Example:
        >>> import warnings
        >>> import minigrad
        >>> from minigrad import nn
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", FutureWarning)
        ...     layer = nn.utils.weight_norm(nn.Linear(3, 2))
        >>> layer = nn.utils.remove_weight_norm(layer)
        >>> sorted(name for name, _ in layer.named_parameters())
        ['bias', 'weight']
    """
    for key, hook in list(module._forward_pre_hooks.items()):
        if isinstance(hook, WeightNorm) and hook.name == name:
            with no_grad():
                weight = hook.compute_weight(module)
            delattr(module, name)
            del module._parameters[name + "_g"]
            del module._parameters[name + "_v"]
            module.register_parameter(name, Parameter(weight.detach()))
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
