"""Adadelta: steps whose size comes from the past steps themselves.

Adadelta (Zeiler, 2012) starts from RMSprop's idea, dividing the gradient by the running
root-mean-square of the gradients, and fixes its *units*: ``g / rms(g)`` has no units, so
``lr`` must carry those of the parameter. Adadelta multiplies instead by the running RMS of
the previous *updates*, which do have the parameter's units, so the step sizes adapt by
themselves and ``lr`` (default 1.0) is only a final scale. It needs no tuning of a
learning rate, which is why the official PyTorch MNIST example trains with it.

Two moving averages per parameter, both decaying at rate ``rho``: of the squared gradients
(``square_avg``) and of the squared updates (``acc_delta``). The update, exactly as
PyTorch's ``torch.optim.Adadelta`` computes it, for each parameter ``p`` with a gradient
(parameters whose ``.grad`` is None are skipped)::

    g = -p.grad if maximize else p.grad
    if weight_decay != 0:  g = g + weight_decay * p
    square_avg = rho * square_avg + (1 - rho) * g * g
    delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g
    acc_delta = rho * acc_delta + (1 - rho) * delta * delta
    p = p - lr * delta

The ``eps`` inside the first square root matters: ``acc_delta`` starts at zero, so the very
first steps are about ``sqrt(eps) / rms(g) * g``, small, and they grow as updates
accumulate.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .. import fastpath
from ._state import check_flags, count_step, init_state, param_state, run_closure
from .optimizer import Optimizer


class Adadelta(Optimizer):
    """Adadelta, as ``torch.optim.Adadelta`` (PyTorch 2.13).

    Args:
        params: the tensors to optimize, or a list of parameter-group dicts.
        lr: a factor that scales the update (default 1.0).
        rho: the decay rate of both running averages (default 0.9), in [0, 1].
        eps: added inside both square roots (default 1e-6).
        weight_decay: L2 penalty coefficient added to the gradient (default 0).
        foreach: ``True`` updates all the parameters of a group at once: they, their
            gradients and their buffers become views of flat arrays, and the update runs
            once on those (on the CPU in cache-sized pieces; ``minigrad/fast/flat.py``),
            with the same results in fewer array calls (on a GPU, one set of kernels instead
            of one per parameter). The default (``None``) and ``False`` update each
            parameter in turn.
        capturable: recorded, without effect: one of PyTorch's implementation choices,
            for CUDA graphs.
        maximize: ascend the objective instead of descending it.
        differentiable: must be False: minigrad's step records no graph.

    The state of each parameter is PyTorch's: ``'step'`` (a float32 CPU scalar tensor),
    ``'square_avg'`` and ``'acc_delta'``.

    Example:
        >>> import minigrad
        >>> from minigrad.optim import Adadelta
        >>> w = minigrad.tensor([5.0], requires_grad=True)
        >>> opt = Adadelta([w], lr=1.0, rho=0.9)
        >>> moves = []
        >>> for _ in range(3):
        ...     before = w.item()
        ...     w.grad = minigrad.ones(1)
        ...     opt.step()
        ...     moves.append(round(before - w.item(), 5))
        >>> moves              # tiny at first (about sqrt(eps)), growing by themselves
        [0.00316, 0.00324, 0.0033]
    """

    _later_options: ClassVar[dict[str, Any]] = {
        "foreach": None, "maximize": False, "differentiable": False, "capturable": False,
    }  # fmt: skip

    def __init__(
        self,
        params,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        check_flags("Adadelta", foreach, None, differentiable)
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Take one Adadelta step for every parameter that has a gradient; return
        ``closure()``'s loss when a closure is given (it runs first, with gradients on)."""
        loss = run_closure(closure)
        for group in self.param_groups:
            options = (
                float(group["lr"]), float(group["rho"]), float(group["eps"]),
                float(group["weight_decay"]), bool(group["maximize"]),
            )  # fmt: skip
            buffers = ["square_avg", "acc_delta"]
            if (group.get("foreach") or group.get("fused")) and self._step_group_at_once(
                group, Adadelta, adadelta_update, options, buffers
            ):
                continue  # foreach=True: the whole group in one update (fast/flat.py)
            for p in group["params"]:
                if p.grad is None:
                    continue  # backward did not reach it: no step, no state
                state = param_state(self.state, p, "Adadelta")
                init_state(state, p, *buffers)
                update = fastpath.active.get((Adadelta, p.device.type), adadelta_update)
                update(p, state, *options)
        return loss


def adadelta_update(p, state, lr, rho, eps, weight_decay, maximize) -> None:
    """One Adadelta step for parameter ``p``: PyTorch's formula, on the raw arrays.

    ``state`` is ``optimizer.state[p]``, with its buffers already made.
    """
    count_step(state)  # kept for PyTorch's state layout; Adadelta's formula does not use it
    xp = p.device.xp
    g = -p.grad._data if maximize else p.grad._data
    if weight_decay != 0:
        g = g + weight_decay * p._data
    square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
    square_avg *= rho
    square_avg += (1.0 - rho) * g * g
    std = xp.sqrt(square_avg + eps)
    delta = xp.sqrt(acc_delta + eps) / std * g
    acc_delta *= rho
    acc_delta += (1.0 - rho) * delta * delta
    p._data -= lr * delta
    p._version.value += 1
