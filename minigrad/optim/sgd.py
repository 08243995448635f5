"""Stochastic gradient descent, with momentum, Nesterov momentum and weight decay.

Plain SGD moves each parameter against its gradient: ``p -= lr * g``.

*Momentum* keeps a running "velocity" per parameter, a decaying sum of past gradients:
``buf = momentum * buf + (1 - dampening) * g``, and steps along it: ``p -= lr * buf``.
Along directions where successive gradients agree the steps add up (with momentum 0.9 a
steady gradient ends up moving the parameter about 10 times as far per step); where they
flip sign from step to step they cancel, which damps oscillation across narrow valleys.

*Nesterov* momentum steps along ``g + momentum * buf`` instead: a look-ahead that applies
the momentum term to the new gradient once more, which usually reacts faster to a change
of direction.

*Weight decay* adds ``weight_decay * p`` to the gradient, i.e. the gradient of an L2
penalty ``weight_decay / 2 * ||p||^2``, pulling weights towards zero.

The update, exactly as PyTorch's ``torch.optim.SGD`` does it, for each parameter ``p``
with a gradient (parameters whose ``.grad`` is None are skipped)::

    g = -p.grad if maximize else p.grad
    if weight_decay != 0:  g = g + weight_decay * p
    if momentum != 0:
        if first step:     buf = copy of g          # no dampening on the first step
        else:              buf = momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    p = p - lr * g

PyTorch's first-step rule matters: the buffer starts as the gradient itself, not as
``(1 - dampening) * g``, so with dampening the first step is *not* damped.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .. import fastpath
from ..grad_mode import enable_grad
from ..tensor import Tensor
from .optimizer import Optimizer


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum), as ``torch.optim.SGD``.

    Args:
        params: the tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate (default 1e-3).
        momentum: momentum factor (default 0: plain SGD).
        dampening: how much of each new gradient is left out of the momentum buffer
            (default 0). It does not apply to the first step.
        weight_decay: L2 penalty coefficient added to the gradient (default 0).
        nesterov: use Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``).
        maximize: ascend the objective instead of descending it.
        foreach: ``True`` updates all the parameters of a group at once: they, their
            gradients and their momentum buffers become views of flat arrays, and the update
            runs once on those (on the CPU in cache-sized pieces;
            ``minigrad/fast/flat.py``), with the same results in fewer array calls (on a
            GPU, one kernel instead of one per parameter). The default (``None``) and
            ``False`` update each parameter in turn.
            ``foreach`` and ``fused`` both True is refused, as in PyTorch.
        fused: ``True`` takes the same path as ``foreach=True``.
        differentiable: must be False: minigrad's step records no graph, so the update
            cannot be differentiated (PyTorch's ``differentiable=True`` can).

    The momentum buffer is kept in ``optimizer.state[p]['momentum_buffer']``, a tensor on
    ``p``'s device with ``p``'s dtype. Hyperparameters are read as Python floats at each
    step, so a float32 parameter stays float32 even if, say, ``lr`` was given as
    ``np.float64`` (NumPy 2 would otherwise promote ``float32_array * np.float64`` to
    float64).

    Example:
        >>> import minigrad
        >>> from minigrad.optim import SGD
        >>> w = minigrad.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = SGD([w], lr=0.1, momentum=0.9)
        >>> for _ in range(2):
        ...     opt.zero_grad()
        ...     (w * w).sum().backward()   # gradient 2w
        ...     opt.step()
        >>> w
        tensor([ 0.4600, -0.9200], requires_grad=True)
    """

    _later_options: ClassVar[dict[str, Any]] = {
        "nesterov": False, "maximize": False, "foreach": None, "differentiable": False,
        "fused": False,
    }  # fmt: skip

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        if foreach and fused:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        if differentiable:
            raise NotImplementedError(
                "SGD(differentiable=True) is not supported: minigrad's optimizer step records "
                "no graph, so it cannot be differentiated through"
            )
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Take one optimization step; return ``closure()``'s loss when one is given.

        ``closure``, if given, re-evaluates the model and returns the loss (it runs with
        gradients enabled, before the update). The update itself records no graph.

        Example:
            >>> import minigrad
            >>> from minigrad.optim import SGD
            >>> w = minigrad.tensor([3.0], requires_grad=True)
            >>> opt = SGD([w], lr=0.25)
            >>> def closure():
            ...     opt.zero_grad()
            ...     loss = (w * w).sum()
            ...     loss.backward()
            ...     return loss
            >>> opt.step(closure).item(), w.item()
            (9.0, 1.5)
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            # Python floats: NumPy 2 keeps float32 arrays float32 when combined with them.
            options = (
                float(group["lr"]), float(group["momentum"]), float(group["dampening"]),
                float(group["weight_decay"]), bool(group["nesterov"]), bool(group["maximize"]),
            )  # fmt: skip
            if (group.get("foreach") or group.get("fused")) and self._step_group_at_once(
                group, SGD, sgd_update, options
            ):
                continue  # foreach=True: the whole group in one update (fast/flat.py)
            for p in group["params"]:
                if p.grad is not None:
                    update = fastpath.active.get((SGD, p.device.type), sgd_update)
                    update(p, _state_for(self.state, p, options[1]), *options)
        return loss


def sgd_update(p, state, lr, momentum, dampening, weight_decay, nesterov, maximize) -> None:
    """One SGD step for parameter ``p``: PyTorch's formula, on the raw arrays.

    ``state`` is the parameter's optimizer state (``optimizer.state[p]``), where the
    momentum buffer is kept. The fast paths (``minigrad/fast/sgd.py``) do the same with
    fewer temporary arrays on the CPU, and in one kernel on a GPU.
    """
    g = -p.grad._data if maximize else p.grad._data
    if weight_decay != 0:
        g = g + weight_decay * p._data
    if momentum != 0:
        buf = state.get("momentum_buffer")
        if buf is None:  # PyTorch's first-step rule: the buffer starts as the gradient
            buf = state["momentum_buffer"] = Tensor._wrap(g.copy(), p.device)
        else:
            buf._data *= momentum
            buf._data += (1.0 - dampening) * g
            buf._version.value += 1
        g = g + momentum * buf._data if nesterov else buf._data
    p._data -= lr * g
    p._version.value += 1


def _state_for(states, p: Tensor, momentum: float) -> dict:
    """The parameter's state (a throwaway dict without momentum: plain SGD keeps none),
    checked: the gradient must be on the parameter's device, and a momentum buffer
    follows the parameter when it moved (``model.to``)."""
    if p.grad.device is not p.device:
        raise RuntimeError(
            f"SGD: the gradient of a parameter is on {p.grad.device} but the parameter "
            f"is on {p.device}"
        )
    if momentum == 0:
        return {}
    state = states[p]
    buf = state.get("momentum_buffer")
    if buf is not None and buf.device is not p.device:
        state["momentum_buffer"] = _follow(buf, p)
    return state


def _follow(buf: Tensor, p: Tensor) -> Tensor:
    """The buffer moved to the parameter's device (and cast to its dtype)."""
    with p.device.activate():
        array = p.device.move(buf._data).astype(p.dtype, copy=False)
    return Tensor._wrap(array, p.device)
