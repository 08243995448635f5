"""Adagrad: each coordinate's step divided by the root of the sum of all its squared
gradients so far.

Adagrad (Duchi, Hazan & Singer, 2011) was the first of the adaptive methods. It keeps, per
parameter, the running *sum* of squared gradients, ``sum``, and divides each gradient by
``sqrt(sum)``. Coordinates that have seen large gradients take small steps; rare features,
whose gradients are mostly zero, keep large steps when they do appear, which is what made
Adagrad popular for sparse problems (word embeddings, click prediction). Because the sum
only grows, the steps shrink steadily, like ``lr / sqrt(t)`` for a steady gradient; RMSprop
and Adadelta replace the sum by a moving average so that the steps do not vanish.

The update, exactly as PyTorch's ``torch.optim.Adagrad`` computes it, for each parameter
``p`` with a gradient (parameters whose ``.grad`` is None are skipped)::

    t = t + 1
    g = -p.grad if maximize else p.grad
    if weight_decay != 0:  g = g + weight_decay * p
    clr = lr / (1 + (t - 1) * lr_decay)       # an optional decay of the learning rate
    sum = sum + g * g                         # sum starts at initial_accumulator_value
    p = p - clr * g / (sqrt(sum) + eps)

Unlike the other optimizers, Adagrad makes its state when it is built, for every
parameter (``sum`` full of ``initial_accumulator_value``, ``step`` zero), as PyTorch does,
so ``state_dict()`` lists every parameter from the start.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .. import fastpath
from ._state import check_flags, count_step, init_state, param_state, run_closure
from .optimizer import Optimizer


class Adagrad(Optimizer):
    """Adagrad, as ``torch.optim.Adagrad`` (PyTorch 2.13).

    Args:
        params: the tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate (default 1e-2).
        lr_decay: the learning rate at step t is ``lr / (1 + (t - 1) * lr_decay)``
            (default 0: constant).
        weight_decay: L2 penalty coefficient added to the gradient (default 0).
        initial_accumulator_value: the starting value of the sum of squared gradients
            (default 0). A positive value tempers the first, otherwise large, steps.
        eps: added to the denominator so that it is never zero (default 1e-10).
        foreach: ``True`` updates all the parameters of a group at once: they, their
            gradients and their sums become views of flat arrays, and the update runs once
            on those (on the CPU in cache-sized pieces; ``minigrad/fast/flat.py``), with the
            same results in fewer array calls (on a GPU, one set of kernels instead of one
            per parameter). The default (``None``) and ``False`` update each parameter in
            turn.
            ``foreach`` and ``fused`` both True is refused, as in PyTorch.
        fused: ``True`` takes the same path as ``foreach=True``.
        maximize: ascend the objective instead of descending it.
        differentiable: must be False: minigrad's step records no graph.

    The state of each parameter is PyTorch's: ``'step'`` (a float32 CPU scalar tensor) and
    ``'sum'``, made for every parameter when the optimizer is built. A parameter group
    added later gets its state at its first step, with the optimizer's
    ``initial_accumulator_value`` (PyTorch's rule, even if the group gives its own).

    Example:
        >>> import minigrad
        >>> from minigrad.optim import Adagrad
        >>> w = minigrad.tensor([1.0], requires_grad=True)
        >>> opt = Adagrad([w], lr=0.5)
        >>> steps = []
        >>> for _ in range(4):
        ...     before = w.item()
        ...     w.grad = minigrad.ones(1)   # the same gradient every time
        ...     opt.step()
        ...     steps.append(round(before - w.item(), 4))
        >>> steps                           # 0.5 / sqrt(t): the steps shrink
        [0.5, 0.3536, 0.2887, 0.25]
    """

    _later_options: ClassVar[dict[str, Any]] = {
        "foreach": None, "maximize": False, "differentiable": False, "fused": None,
    }  # fmt: skip

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not lr_decay >= 0.0:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not initial_accumulator_value >= 0.0:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        check_flags("Adagrad", foreach, fused, differentiable)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        for p in self._all_params():
            init_state(self.state[p], p, "sum", fill=float(initial_accumulator_value))

    def step(self, closure=None):
        """Take one Adagrad step for every parameter that has a gradient; return
        ``closure()``'s loss when a closure is given (it runs first, with gradients on)."""
        loss = run_closure(closure)
        initial_value = float(self.defaults["initial_accumulator_value"])
        for group in self.param_groups:
            options = (
                float(group["lr"]), float(group["lr_decay"]), float(group["weight_decay"]),
                float(group["eps"]), bool(group["maximize"]),
            )  # fmt: skip
            if (group.get("foreach") or group.get("fused")) and self._step_group_at_once(
                group, Adagrad, adagrad_update, options, ["sum"], fill=initial_value
            ):
                continue  # foreach=True: the whole group in one update (fast/flat.py)
            for p in group["params"]:
                if p.grad is None:
                    continue  # backward did not reach it: no step
                state = param_state(self.state, p, "Adagrad")
                init_state(state, p, "sum", fill=initial_value)  # a group added later
                update = fastpath.active.get((Adagrad, p.device.type), adagrad_update)
                update(p, state, *options)
        return loss


def adagrad_update(p, state, lr, lr_decay, weight_decay, eps, maximize) -> None:
    """One Adagrad step for parameter ``p``: PyTorch's formula, on the raw arrays.

    ``state`` is ``optimizer.state[p]``, with its ``'sum'`` already made.
    """
    t = count_step(state)
    g = -p.grad._data if maximize else p.grad._data
    if weight_decay != 0:
        g = g + weight_decay * p._data
    clr = lr / (1 + (t - 1) * lr_decay)
    total = state["sum"]._data
    total += g * g
    p._data -= clr * (g / (p.device.xp.sqrt(total) + eps))
    p._version.value += 1
