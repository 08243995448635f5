"""Negative log-likelihood losses of a distribution's parameters (regression with a
noise model): ``poisson_nll_loss`` (counts: the input is the rate, or its log) and
``gaussian_nll_loss`` (the input is the mean, ``var`` the predicted variance). Both are
compositions of elementwise functions, with PyTorch 2.13's formulas and options.
"""

from __future__ import annotations

import math

from .. import autocast_mode, creation
from .. import functions as _F
from ..grad_mode import no_grad
from ..tensor import Tensor
from .functional_distance import _float_tensors
from .functional_losses import _reduce, _reduction

__all__ = ["gaussian_nll_loss", "poisson_nll_loss"]


@autocast_mode.casts(cpu="float32", cuda="float32")
def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average=None,
    eps: float = 1e-8,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood of counts ``target`` under a Poisson distribution of
    rate ``exp(input)`` (``log_input``, the default) or ``input``, dropping the constant
    ``log(target!)``: ``exp(input) - target * input``, or ``input - target * log(input +
    eps)``. ``full`` adds Stirling's approximation of ``log(target!)``, ``target *
    log(target) - target + 0.5 * log(2 pi target)``, where ``target > 1``.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> F.poisson_nll_loss(minigrad.tensor([0.0]), minigrad.tensor([2.0]))  # exp(0) - 0
        tensor(1.)
    """
    reduction = _reduction("poisson_nll_loss", size_average, reduce, reduction)
    _float_tensors("poisson_nll_loss", input=input, target=target)
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * (input + eps).log()
    if full:
        big = target > 1
        safe = _F.where(big, target, 1.0)  # the approximation only where it is used
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + _F.where(big, stirling, 0.0)
    return _reduce(loss, reduction)


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood of ``target`` under a Gaussian of mean ``input`` and
    variance ``var``: ``0.5 * (log(var) + (input - target)**2 / var)``, plus
    ``0.5 * log(2 pi)`` with ``full``. ``var`` has ``input``'s shape, or one value per
    sample (its last dim 1 or missing), or is a number. Variances below ``eps`` are raised
    to it for the value, not for the gradient (as PyTorch does, so that a small variance
    can still grow).

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> mean, target = minigrad.tensor([[1.0, 2.0]]), minigrad.tensor([[1.0, 4.0]])
        >>> F.gaussian_nll_loss(mean, target, minigrad.ones(1, 2))  # 0.5 * (0 + 4) / 2
        tensor(1.)
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    _float_tensors("gaussian_nll_loss", input=input, target=target)
    if not isinstance(var, Tensor):
        var = creation.full_like(input.detach(), float(var))
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape[:-1]) == tuple(var.shape):  # one variance per sample
            var = var.unsqueeze(-1)
        elif (
            not (tuple(input.shape[:-1]) == tuple(var.shape[:-1]) and var.shape[-1] == 1)
            and var.numel() != 1
        ):
            raise ValueError("var is of incorrect size")
    if bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    with no_grad():  # raise tiny variances to eps in the value only
        lifted = var.clamp(min=eps) - var
    var = var + lifted
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)
