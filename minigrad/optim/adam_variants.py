"""Three variants of Adam (``adam.py``): Adamax, NAdam and RAdam.

All three keep Adam's running average of the gradient, ``m``, and divide by a running
scale of it; they differ in that scale and in how the first steps are handled. The
updates are PyTorch 2.13's (``torch.optim.Adamax``, ``NAdam``, ``RAdam``), for each
parameter ``p`` with a gradient ``g`` (negated with ``maximize``; ``weight_decay`` adds
``weight_decay * p`` to it, or with ``decoupled_weight_decay`` shrinks ``p`` by
``1 - lr * weight_decay`` first, as AdamW does)::

    Adamax (Kingma & Ba, 2015, section 7): the infinity norm instead of the square root
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, |g| + eps)                     # state 'exp_inf'
        p = p - lr / (1 - beta1 ** t) * m / u

    NAdam (Dozat, 2016): Adam with Nesterov momentum, and a momentum that warms up
        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))     # and mu_{t+1}
        prod = prod * mu_t                                # state 'mu_product'
        m, v as in Adam;  d = sqrt(v / (1 - beta2 ** t)) + eps
        p = p - lr * (1 - mu_t) / (1 - prod) * g / d
              - lr * mu_{t+1} / (1 - prod * mu_{t+1}) * m / d

    RAdam (Liu et al., 2020): Adam whose adaptive step is switched on, and rectified,
    only once the variance estimate is reliable
        m, v as in Adam;  rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 t beta2 ** t / (1 - beta2 ** t)
        if rho_t > 5:
            r = sqrt((rho_t - 4) (rho_t - 2) rho_inf / ((rho_inf - 4) (rho_inf - 2) rho_t))
            p = p - lr * m / (1 - beta1 ** t) * r * sqrt(1 - beta2 ** t) / (sqrt(v) + eps)
        else:
            p = p - lr * m / (1 - beta1 ** t)      # plain momentum SGD, early on

The state of each parameter is PyTorch's (``'step'`` as a float32 CPU scalar, then the
buffers named above), so checkpoints move between the two. ``foreach=True`` runs the
update of a whole group at once (``fast/flat.py``) for Adamax and RAdam; NAdam, whose
``mu_product`` is a scalar per parameter, always updates parameter by parameter.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from ..tensor import Tensor
from ._state import _CPU, check_flags, count_step, init_state, param_state, run_closure
from .optimizer import Optimizer


def _check(lr, eps, betas, weight_decay, name: str) -> None:
    """PyTorch's checks of the arguments Adam's variants share, with its messages."""
    if not lr >= 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not eps >= 0.0:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not weight_decay >= 0.0:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class _AdamVariant(Optimizer):
    """The loop all three share: per group, the options as Python values; per parameter
    with a gradient, its state made and ``update(p, state, *options)`` run."""

    _buffers: ClassVar[tuple[str, ...]] = ()
    _at_once: ClassVar[bool] = True  # foreach=True may run the group at once

    def step(self, closure=None):
        """Take one step for every parameter that has a gradient; return ``closure()``'s
        loss when a closure is given (it runs first, with gradients on)."""
        loss = run_closure(closure)
        update = type(self)._update
        for group in self.param_groups:
            options = self._options(group)
            if self._at_once and self._step_group_at_once(
                group, type(self), update, options, self._buffers
            ):
                continue  # foreach=True: the whole group in one update (fast/flat.py)
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = param_state(self.state, p, type(self).__name__)
                self._init_state(state, p)
                update(p, state, *options)
        return loss

    def _init_state(self, state: dict, p: Tensor) -> None:
        """Make the state that is missing: ``'step'``, then the buffers."""
        init_state(state, p, *self._buffers)


def _gradient(p, maximize, weight_decay, decoupled, lr):
    """The gradient the update uses: negated with ``maximize``, with the L2 term added,
    or (decoupled) the weights shrunk first."""
    g = -p.grad._data if maximize else p.grad._data
    if weight_decay != 0:
        if decoupled:
            p._data *= 1.0 - lr * weight_decay
        else:
            g = g + weight_decay * p._data
    return g


class Adamax(_AdamVariant):
    """Adamax, as ``torch.optim.Adamax``: Adam with the infinity norm of past gradients,
    ``u = max(beta2 * u, |g| + eps)``, in place of the root mean square (see the module
    docstring).

    Args:
        params: the tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate (default 2e-3).
        betas: the decay rates of the average ``m`` and of the norm ``u`` (default
            (0.9, 0.999)).
        eps: added to ``|g|`` so that ``u`` is never zero (default 1e-8).
        weight_decay: L2 penalty coefficient added to the gradient (default 0).
        foreach: ``True`` updates each group at once, on flat arrays (``fast/flat.py``).
        maximize: ascend the objective instead of descending it.
        differentiable, capturable: PyTorch's implementation flags (``differentiable``
            must be False; ``capturable`` is recorded).

    The state of each parameter: ``'step'``, ``'exp_avg'`` (m) and ``'exp_inf'`` (u).

    Example:
        >>> import minigrad
        >>> w = minigrad.tensor([1.0, -100.0], requires_grad=True)
        >>> opt = minigrad.optim.Adamax([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w   # each coordinate moved by lr at the first step
        tensor([  0.9000, -99.9000], requires_grad=True)
    """

    _buffers = ("exp_avg", "exp_inf")
    _later_options: ClassVar[dict[str, Any]] = {
        "foreach": None, "maximize": False, "differentiable": False, "capturable": False,
    }  # fmt: skip

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check(lr, eps, betas, weight_decay, "Adamax")
        check_flags("Adamax", foreach, None, differentiable)
        defaults = {
            "lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
            "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
            "capturable": capturable,
        }  # fmt: skip
        super().__init__(params, defaults)

    @staticmethod
    def _options(group) -> tuple:
        beta1, beta2 = group["betas"]
        return (float(group["lr"]), float(beta1), float(beta2), float(group["eps"]),
                float(group["weight_decay"]), bool(group["maximize"]))  # fmt: skip

    @staticmethod
    def _update(p, state, lr, beta1, beta2, eps, weight_decay, maximize) -> None:
        t = count_step(state)
        xp = p.device.xp
        g = _gradient(p, maximize, weight_decay, False, lr)
        m, u = state["exp_avg"]._data, state["exp_inf"]._data
        m += (1.0 - beta1) * (g - m)
        u *= beta2
        xp.maximum(u, xp.abs(g) + eps, out=u)
        p._data -= (lr / (1.0 - beta1**t)) * m / u
        p._version.value += 1


class NAdam(_AdamVariant):
    """NAdam, as ``torch.optim.NAdam``: Adam with Nesterov momentum (the step looks ahead
    along the average), and a momentum ``mu_t`` that warms up over the first few hundred
    steps (``momentum_decay``); see the module docstring.

    Args:
        params: the tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate (default 2e-3).
        betas: the decay rates of the running averages (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: weight decay coefficient (default 0).
        momentum_decay: how fast the momentum warms up (default 4e-3).
        decoupled_weight_decay: decay the weights directly, as AdamW does (NAdamW).
        foreach: accepted; the update runs parameter by parameter (its ``mu_product`` is
            a scalar per parameter).
        maximize: ascend the objective instead of descending it.
        capturable, differentiable: PyTorch's implementation flags.

    The state of each parameter: ``'step'``, ``'mu_product'`` (a float32 CPU scalar, the
    product of the momentums so far), ``'exp_avg'`` and ``'exp_avg_sq'``.

    Example:
        >>> import minigrad
        >>> w = minigrad.tensor([1.0], requires_grad=True)
        >>> opt = minigrad.optim.NAdam([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> sorted(opt.state[w])
        ['exp_avg', 'exp_avg_sq', 'mu_product', 'step']
    """

    _buffers = ("exp_avg", "exp_avg_sq")
    _at_once = False
    _later_options: ClassVar[dict[str, Any]] = {
        "maximize": False, "foreach": None, "capturable": False, "differentiable": False,
        "decoupled_weight_decay": False,
    }  # fmt: skip

    def __init__(
        self,
        params,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check(lr, eps, betas, weight_decay, "NAdam")
        if not momentum_decay >= 0.0:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        check_flags("NAdam", foreach, None, differentiable)
        defaults = {
            "lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
            "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize, "foreach": foreach, "capturable": capturable,
            "differentiable": differentiable,
        }  # fmt: skip
        super().__init__(params, defaults)

    @staticmethod
    def _options(group) -> tuple:
        beta1, beta2 = group["betas"]
        return (float(group["lr"]), float(beta1), float(beta2), float(group["eps"]),
                float(group["weight_decay"]), float(group["momentum_decay"]),
                bool(group["decoupled_weight_decay"]), bool(group["maximize"]))  # fmt: skip

    def _init_state(self, state: dict, p: Tensor) -> None:
        """PyTorch's order: ``'step'``, ``'mu_product'`` (a float32 one on the CPU), then
        the buffers."""
        if "step" not in state:
            init_state(state, p)
            state["mu_product"] = Tensor._wrap(np.ones((), np.float32), _CPU)
        init_state(state, p, *self._buffers)

    @staticmethod
    def _update(p, state, lr, beta1, beta2, eps, weight_decay, momentum_decay, decoupled,
                maximize) -> None:  # fmt: skip
        t = count_step(state)
        xp = p.device.xp
        g = _gradient(p, maximize, weight_decay, decoupled, lr)
        mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        product = state["mu_product"]._data
        product *= np.float32(mu)  # a float32 scalar, as PyTorch keeps it
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        m += (1.0 - beta1) * (g - m)
        v *= beta2
        v += (1.0 - beta2) * g * g
        denom = xp.sqrt(v / (1.0 - beta2**t)) + eps
        prod = float(product)
        p._data += (-lr * (1.0 - mu) / (1.0 - prod)) * g / denom
        p._data += (-lr * mu_next / (1.0 - prod * mu_next)) * m / denom
        p._version.value += 1


class RAdam(_AdamVariant):
    """RAdam, as ``torch.optim.RAdam``: Adam whose adaptive step waits until the variance
    of its second-moment estimate is bounded (``rho_t > 5``, after about five steps with
    the default ``beta2``) and is then *rectified* by a factor that grows to 1; before,
    it steps as momentum SGD. It needs no warm-up of the learning rate. See the module
    docstring.

    Args:
        params: the tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate (default 1e-3).
        betas: the decay rates of the running averages (default (0.9, 0.999)).
        eps: added to the denominator (default 1e-8).
        weight_decay: weight decay coefficient (default 0).
        decoupled_weight_decay: decay the weights directly, as AdamW does.
        foreach: ``True`` updates each group at once, on flat arrays (``fast/flat.py``).
        maximize: ascend the objective instead of descending it.
        capturable, differentiable: PyTorch's implementation flags.

    The state of each parameter: ``'step'``, ``'exp_avg'`` and ``'exp_avg_sq'``.

    Example:
        >>> import minigrad
        >>> w = minigrad.tensor([1.0, -100.0], requires_grad=True)
        >>> opt = minigrad.optim.RAdam([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w   # the first steps are momentum SGD: proportional to the gradient
        tensor([  0.8000, -80.0000], requires_grad=True)
    """

    _buffers = ("exp_avg", "exp_avg_sq")
    _later_options: ClassVar[dict[str, Any]] = {
        "foreach": None, "maximize": False, "differentiable": False, "capturable": False,
        "decoupled_weight_decay": False,
    }  # fmt: skip

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check(lr, eps, betas, weight_decay, "RAdam")
        check_flags("RAdam", foreach, None, differentiable)
        defaults = {
            "lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
            "maximize": maximize, "foreach": foreach, "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay, "differentiable": differentiable,
        }  # fmt: skip
        super().__init__(params, defaults)

    @staticmethod
    def _options(group) -> tuple:
        beta1, beta2 = group["betas"]
        return (float(group["lr"]), float(beta1), float(beta2), float(group["eps"]),
                float(group["weight_decay"]), bool(group["decoupled_weight_decay"]),
                bool(group["maximize"]))  # fmt: skip

    @staticmethod
    def _update(p, state, lr, beta1, beta2, eps, weight_decay, decoupled, maximize) -> None:
        t = count_step(state)
        xp = p.device.xp
        g = _gradient(p, maximize, weight_decay, decoupled, lr)
        m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
        m += (1.0 - beta1) * (g - m)
        v *= beta2
        v += (1.0 - beta2) * g * g
        bias_correction1, bias_correction2 = 1.0 - beta1**t, 1.0 - beta2**t
        corrected = m / bias_correction1
        rho_inf = 2.0 / (1.0 - beta2) - 1.0
        rho_t = rho_inf - 2.0 * t * beta2**t / bias_correction2
        if rho_t > 5.0:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5  # fmt: skip
            adaptive = bias_correction2**0.5 / (xp.sqrt(v) + eps)
            p._data -= corrected * lr * adaptive * rect
        else:
            p._data -= corrected * lr
        p._version.value += 1
