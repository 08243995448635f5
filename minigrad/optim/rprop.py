"""Rprop (Riedmiller & Braun, 1993), as ``torch.optim.Rprop``: resilient backpropagation,
for full-batch training. Only the *sign* of each gradient coordinate is used; each
coordinate has its own step size, which grows while the sign stays the same and shrinks
when it flips (the last step overshot a minimum)::

    s = sign(g * prev)                      # +1: same direction, -1: flipped, 0: either is 0
    step_size *= eta_plus  where s > 0,  eta_minus where s < 0      (clamped to step_sizes)
    g = 0                  where s < 0      # after a flip: no move this time
    p = p - sign(g) * step_size
    prev = g

The state of each parameter is PyTorch's: ``'step'`` (a float32 CPU scalar), ``'prev'``
(the last gradient used) and ``'step_size'`` (starting at ``lr``).
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..tensor import Tensor
from ._state import check_flags, count_step, init_state, param_state, run_closure
from .optimizer import Optimizer


class Rprop(Optimizer):
    """Rprop: a step size per coordinate, grown by ``etas[1]`` while the gradient keeps
    its sign and cut by ``etas[0]`` when it flips (see the module docstring).

    Args:
        params: the tensors to optimize, or a list of parameter-group dicts.
        lr: the initial step size of every coordinate (default 0.01).
        etas: ``(eta_minus, eta_plus)``, the factors for a flipped and a kept sign
            (default (0.5, 1.2)).
        step_sizes: ``(min, max)``, the bounds of the step sizes (default (1e-6, 50)).
        foreach: accepted (PyTorch's implementation choice); updates run per parameter.
        maximize: ascend the objective instead of descending it.
        capturable, differentiable: PyTorch's implementation flags.

    Example:
        >>> import minigrad
        >>> w = minigrad.tensor([1.0, -1.0], requires_grad=True)
        >>> opt = minigrad.optim.Rprop([w], lr=0.1)
        >>> for _ in range(3):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()
        ...     opt.step()
        >>> [round(x, 3) for x in w.tolist()]  # steps of 0.1, 0.12, 0.144
        [0.636, -0.636]
    """

    _later_options: ClassVar[dict[str, Any]] = {
        "foreach": None, "maximize": False, "differentiable": False, "capturable": False,
    }  # fmt: skip

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        check_flags("Rprop", foreach, None, differentiable)
        defaults = {
            "lr": lr, "etas": tuple(etas), "step_sizes": tuple(step_sizes),
            "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
            "capturable": capturable,
        }  # fmt: skip
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Take one step for every parameter that has a gradient; return ``closure()``'s
        loss when a closure is given (it runs first, with gradients on)."""
        loss = run_closure(closure)
        for group in self.param_groups:
            eta_minus, eta_plus = (float(e) for e in group["etas"])
            low, high = (float(s) for s in group["step_sizes"])
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = param_state(self.state, p, "Rprop")
                if "step" not in state:
                    init_state(state, p, "prev")
                    init_state(state, p, "step_size", fill=float(group["lr"]))
                count_step(state)
                _update(p, state, eta_minus, eta_plus, low, high, bool(group["maximize"]))
        return loss


def _update(p: Tensor, state: dict, eta_minus, eta_plus, low, high, maximize) -> None:
    xp = p.device.xp
    g = -p.grad._data if maximize else p.grad._data
    prev, step_size = state["prev"]._data, state["step_size"]._data
    s = xp.sign(g * prev)
    # the factor per coordinate, in the parameter's dtype (PyTorch writes them into sign)
    factor = xp.where(s > 0, eta_plus, xp.where(s < 0, eta_minus, 1.0)).astype(g.dtype)
    step_size *= factor
    xp.clip(step_size, low, high, out=step_size)
    g = xp.where(factor == factor.dtype.type(eta_minus), 0, g).astype(g.dtype)
    p._data -= xp.sign(g) * step_size
    p._version.value += 1
    prev[...] = g
