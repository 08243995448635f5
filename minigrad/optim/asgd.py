"""ASGD (Polyak & Juditsky, 1992), as ``torch.optim.ASGD``: SGD with a decaying step and
a running average of the iterates, ``ax``, which converges faster than the iterates
themselves (use ``ax`` as the final weights)::

    p  = p * (1 - lambd * eta) - eta * g          # g with weight_decay * p added
    ax = p                           while mu == 1
    ax = ax + mu * (p - ax)          after, a running mean (mu = 1 / (t - t0) from t0 on)
    eta = lr / (1 + lambd * lr * t) ** alpha
    mu  = 1 / max(1, t - t0)

The state of each parameter is PyTorch's: ``'step'``, ``'eta'`` and ``'mu'`` (float32
scalars on the parameter's device) and ``'ax'``.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..tensor import Tensor
from ._state import check_flags, init_state, param_state, run_closure
from .optimizer import Optimizer


class ASGD(Optimizer):
    """Averaged SGD: SGD whose step ``eta`` decays as ``t ** -alpha``, and which keeps the
    average ``ax`` of the parameters from step ``t0`` on (see the module docstring).

    Args:
        params: the tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate (default 0.01).
        lambd: the decay term (default 1e-4).
        alpha: the power of the step's decay (default 0.75).
        t0: the step from which the average starts (default 1e6).
        weight_decay: L2 penalty coefficient added to the gradient (default 0).
        foreach: accepted (PyTorch's implementation choice); updates run per parameter.
        maximize: ascend the objective instead of descending it.
        differentiable, capturable: PyTorch's implementation flags.

    Example:
        >>> import minigrad
        >>> w = minigrad.tensor([1.0], requires_grad=True)
        >>> opt = minigrad.optim.ASGD([w], lr=0.1, t0=0)
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
        >>> round(w.item(), 4), round(opt.state[w]["ax"].item(), 4)  # the average lags
        (0.512, 0.576)
    """

    _later_options: ClassVar[dict[str, Any]] = {
        "foreach": None, "maximize": False, "differentiable": False, "capturable": False,
    }  # fmt: skip

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        check_flags("ASGD", foreach, None, differentiable)
        defaults = {
            "lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
            "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
            "capturable": capturable,
        }  # fmt: skip
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Take one step for every parameter that has a gradient; return ``closure()``'s
        loss when a closure is given (it runs first, with gradients on)."""
        loss = run_closure(closure)
        for group in self.param_groups:
            options = (float(group["lr"]), float(group["lambd"]), float(group["alpha"]),
                       float(group["t0"]), float(group["weight_decay"]),
                       bool(group["maximize"]))  # fmt: skip
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = param_state(self.state, p, "ASGD")
                if "step" not in state:
                    _init(state, p, options[0])
                _update(p, state, *options)
        return loss


def _scalar(p: Tensor, value: float) -> Tensor:
    """A float32 0-d tensor on ``p``'s device (ASGD keeps its scalars there, as PyTorch)."""
    with p.device.activate():
        return Tensor._wrap(p.device.from_host(np.array(value, np.float32)), p.device)


def _init(state: dict, p: Tensor, lr: float) -> None:
    state["step"] = _scalar(p, 0.0)
    state["eta"] = _scalar(p, lr)
    state["mu"] = _scalar(p, 1.0)
    init_state(state, p, "ax")


def _update(p: Tensor, state: dict, lr, lambd, alpha, t0, weight_decay, maximize) -> None:
    step = state["step"]._data
    step += 1
    t = float(step)
    g = -p.grad._data if maximize else p.grad._data
    if weight_decay != 0:
        g = g + weight_decay * p._data
    eta = float(state["eta"]._data)  # the float32 value, read back as PyTorch does
    p._data *= 1 - lambd * eta
    p._data -= eta * g
    p._version.value += 1
    ax = state["ax"]._data
    if float(state["mu"]._data) != 1:
        ax += (p._data - ax) * state["mu"]._data
    else:
        ax[...] = p._data
    state["eta"]._data[...] = lr / ((1 + lambd * lr * t) ** alpha)
    state["mu"]._data[...] = 1 / max(1, t - t0)
