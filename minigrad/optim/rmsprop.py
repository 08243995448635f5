"""RMSprop: divide each coordinate's step by a running root-mean-square of its gradients.

Proposed by Hinton in his 2012 Coursera lectures (never published as a paper), RMSprop keeps
one moving average per parameter, of the squared gradient: ``square_avg``. Dividing the
gradient by ``sqrt(square_avg)`` gives every coordinate a step of about ``lr``, whatever the
scale of its gradients: large, noisy gradients are damped, small steady ones amplified.
Unlike Adagrad's ever-growing sum the average forgets (at rate ``1 - alpha``), so the steps
do not shrink to nothing over a long run. Adam is RMSprop plus a moving average of the
gradient itself and a bias correction.

*Centered* RMSprop (Graves, 2013) also averages the gradient, ``grad_avg``, and divides by
the running *standard deviation* ``sqrt(square_avg - grad_avg**2)`` instead of the root mean
square: steps grow where the gradient is consistent. *Momentum* accumulates the scaled
steps in a buffer, as SGD's momentum does with raw gradients.

The update, exactly as PyTorch's ``torch.optim.RMSprop`` computes it, for each parameter
``p`` with a gradient (parameters whose ``.grad`` is None are skipped)::

    g = -p.grad if maximize else p.grad
    if weight_decay != 0:  g = g + weight_decay * p
    square_avg = alpha * square_avg + (1 - alpha) * g * g
    if centered:
        grad_avg = alpha * grad_avg + (1 - alpha) * g   # computed as a lerp
        avg = sqrt(square_avg - grad_avg * grad_avg) + eps
    else:
        avg = sqrt(square_avg) + eps
    if momentum > 0:
        buf = momentum * buf + g / avg
        p = p - lr * buf
    else:
        p = p - lr * g / avg

Note that ``eps`` is added *outside* the square root, as in PyTorch (TensorFlow's RMSprop
adds it inside), and that there is no bias correction: with ``square_avg`` starting at zero
the first steps are large (about ``lr / sqrt(1 - alpha)``, 10 times ``lr`` with the default
alpha), a known property of PyTorch's RMSprop.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .. import fastpath
from ._state import check_flags, count_step, init_state, param_state, run_closure
from .optimizer import Optimizer


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop`` (PyTorch 2.13), optionally centered and with
    momentum.

    Args:
        params: the tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate (default 1e-2).
        alpha: smoothing constant of the running average of squared gradients
            (default 0.99).
        eps: added to the denominator so that it is never zero (default 1e-8).
        weight_decay: L2 penalty coefficient added to the gradient (default 0).
        momentum: momentum factor (default 0).
        centered: divide by an estimate of the gradient's variance rather than its
            second moment.
        capturable: recorded, without effect: one of PyTorch's implementation choices,
            for CUDA graphs.
        foreach: ``True`` updates all the parameters of a group at once: they, their
            gradients and their buffers become views of flat arrays, and the update runs
            once on those (on the CPU in cache-sized pieces; ``minigrad/fast/flat.py``),
            with the same results in fewer array calls (on a GPU, one set of kernels instead
            of one per parameter). The default (``None``) and ``False`` update each
            parameter in turn.
        maximize: ascend the objective instead of descending it.
        differentiable: must be False: minigrad's step records no graph.

    The state of each parameter is PyTorch's: ``'step'`` (a float32 CPU scalar tensor),
    ``'square_avg'``, with momentum ``'momentum_buffer'``, and when centered
    ``'grad_avg'``.

    Example:
        >>> import minigrad
        >>> from minigrad.optim import RMSprop
        >>> w = minigrad.tensor([1.0, -100.0], requires_grad=True)
        >>> opt = RMSprop([w], lr=0.01, alpha=0.99)
        >>> (w * w).sum().backward()   # gradients 2 and -200
        >>> opt.step()                 # each moves lr / sqrt(1 - alpha) = 0.1
        >>> w
        tensor([  0.9000, -99.9000], requires_grad=True)
    """

    _later_options: ClassVar[dict[str, Any]] = {
        "momentum": 0, "centered": False, "foreach": None, "maximize": False,
        "differentiable": False, "capturable": False,
    }  # fmt: skip

    def __init__(
        self,
        params,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not momentum >= 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not alpha >= 0.0:
            raise ValueError(f"Invalid alpha value: {alpha}")
        check_flags("RMSprop", foreach, None, differentiable)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Take one RMSprop step for every parameter that has a gradient; return
        ``closure()``'s loss when a closure is given (it runs first, with gradients on)."""
        loss = run_closure(closure)
        for group in self.param_groups:
            options = (
                float(group["lr"]), float(group["alpha"]), float(group["eps"]),
                float(group["weight_decay"]), float(group["momentum"]),
                bool(group["centered"]), bool(group["maximize"]),
            )  # fmt: skip
            buffers = ["square_avg"]  # in PyTorch's order
            if options[4] > 0:
                buffers.append("momentum_buffer")
            if options[5]:
                buffers.append("grad_avg")
            if (group.get("foreach") or group.get("fused")) and self._step_group_at_once(
                group, RMSprop, rmsprop_update, options, buffers
            ):
                continue  # foreach=True: the whole group in one update (fast/flat.py)
            for p in group["params"]:
                if p.grad is None:
                    continue  # backward did not reach it: no step, no state
                state = param_state(self.state, p, "RMSprop")
                init_state(state, p, *buffers)
                update = fastpath.active.get((RMSprop, p.device.type), rmsprop_update)
                update(p, state, *options)
        return loss


def rmsprop_update(p, state, lr, alpha, eps, weight_decay, momentum, centered, maximize):
    """One RMSprop step for parameter ``p``: PyTorch's formula, on the raw arrays.

    ``state`` is ``optimizer.state[p]``, with its buffers already made.
    """
    count_step(state)  # kept for PyTorch's state layout; RMSprop's formula does not use it
    xp = p.device.xp
    g = -p.grad._data if maximize else p.grad._data
    if weight_decay != 0:
        g = g + weight_decay * p._data
    square_avg = state["square_avg"]._data
    square_avg *= alpha
    square_avg += (1.0 - alpha) * g * g
    if centered:
        grad_avg = state["grad_avg"]._data
        grad_avg += (1.0 - alpha) * (g - grad_avg)  # = alpha * grad_avg + (1 - alpha) * g
        avg = xp.sqrt(square_avg - grad_avg * grad_avg)
    else:
        avg = xp.sqrt(square_avg)
    avg += eps
    if momentum > 0:
        buf = state["momentum_buffer"]._data
        buf *= momentum
        buf += g / avg
        p._data -= lr * buf
    else:
        p._data -= lr * (g / avg)
    p._version.value += 1
