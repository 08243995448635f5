"""Adam and AdamW: steps scaled, per coordinate, by running averages of the gradient.

SGD uses one learning rate for every coordinate, so a parameter whose gradients are large
and noisy moves as fast as one whose gradients are tiny and steady. Adam (Kingma & Ba,
2015) keeps two exponential moving averages per parameter, of the gradient ``m`` (the
"first moment", a smoothed direction, like momentum) and of its square ``v`` (the "second
moment", a running estimate of each coordinate's scale), and steps along ``m / sqrt(v)``.
The division makes the step size roughly ``lr`` in every coordinate, whatever the scale of
its gradient: Adam needs little tuning, which is why it is the default of so many programs.

Both averages start at zero, so early on they are biased towards zero; dividing by
``1 - beta ** t`` (the *bias correction*, ``t`` the step count from 1) removes that bias.

The update, exactly as PyTorch's ``torch.optim.Adam`` computes it, for each parameter ``p``
with a gradient (parameters whose ``.grad`` is None are skipped)::

    t = t + 1
    g = -p.grad if maximize else p.grad
    if weight_decay != 0:
        if decoupled_weight_decay:  p = p * (1 - lr * weight_decay)    # AdamW
        else:                       g = g + weight_decay * p           # Adam: L2 penalty
    m = beta1 * m + (1 - beta1) * g         # computed as m + (1 - beta1) * (g - m)
    v = beta2 * v + (1 - beta2) * g * g
    if amsgrad:  v_max = max(v_max, v);  v = v_max       # the largest v so far
    denom = sqrt(v) / sqrt(1 - beta2 ** t) + eps
    p = p - lr / (1 - beta1 ** t) * m / denom

*AMSGrad* (Reddi et al., 2018) divides by the largest second moment seen so far, so the
per-coordinate step size never grows again; it fixes a convergence counterexample of Adam.

*AdamW* (Loshchilov & Hutter, 2019): with Adam, weight decay enters the gradient and is
then divided by ``sqrt(v)``, so weights with large gradients are barely decayed. AdamW
shrinks the weights directly instead (``p *= 1 - lr * weight_decay``), the same for every
weight, which regularizes as intended; it is the usual choice for training transformers.
"""

from __future__ import annotations

from typing import Any, ClassVar

from .. import fastpath
from ..tensor import Tensor
from ._state import check_flags, count_step, init_state, param_state, run_closure
from .optimizer import Optimizer


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (PyTorch 2.13): adaptive per-coordinate step sizes.

    Args:
        params: the tensors to optimize, or a list of parameter-group dicts.
        lr: learning rate (default 1e-3).
        betas: the decay rates of the running averages of the gradient and of its square
            (default (0.9, 0.999)); each in [0, 1). Both floats (or both tensors), as
            PyTorch requires.
        eps: added to the denominator so that it is never zero (default 1e-8).
        weight_decay: L2 penalty coefficient added to the gradient (default 0).
        amsgrad: divide by the largest second moment seen so far (AMSGrad).
        foreach: ``True`` updates all the parameters of a group at once: they, their
            gradients and their averages become views of flat arrays, and the update runs
            once on those (on the CPU in cache-sized pieces; ``minigrad/fast/flat.py``),
            with the same results in fewer array calls (on a GPU, a dozen kernels instead of
            a dozen per parameter). The default (``None``) and ``False`` update each
            parameter in turn.
            ``foreach`` and ``fused`` both True is refused, as in PyTorch.
        fused: ``True`` takes the same path as ``foreach=True``.
        capturable: recorded, without effect: one of PyTorch's implementation choices,
            for CUDA graphs. (With it PyTorch keeps the step counter on the parameter's
            device; minigrad keeps it on the CPU always.)
        maximize: ascend the objective instead of descending it.
        differentiable: must be False: minigrad's step records no graph.
        decoupled_weight_decay: decay the weights directly, as :class:`AdamW` does.

    The state of each parameter is PyTorch's: ``'step'`` (a float32 CPU scalar tensor, the
    number of steps taken), ``'exp_avg'`` (m), ``'exp_avg_sq'`` (v), and with amsgrad
    ``'max_exp_avg_sq'``, the buffers with the parameter's shape, dtype and device.

    Example:
        >>> import minigrad
        >>> from minigrad.optim import Adam
        >>> w = minigrad.tensor([1.0, -100.0], requires_grad=True)
        >>> opt = Adam([w], lr=0.1)
        >>> opt.zero_grad()
        >>> (w * w).sum().backward()   # gradients 2 and -200: very different scales
        >>> opt.step()
        >>> w                          # yet both coordinates moved by lr
        tensor([  0.9000, -99.9000], requires_grad=True)
        >>> sorted(opt.state[w]), opt.state[w]["step"]
        (['exp_avg', 'exp_avg_sq', 'step'], tensor(1.))
    """

    _later_options: ClassVar[dict[str, Any]] = {
        "amsgrad": False, "maximize": False, "foreach": None, "capturable": False,
        "differentiable": False, "decoupled_weight_decay": False, "fused": None,
    }  # fmt: skip

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
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
        if not all(isinstance(b, float) for b in betas) and not all(
            isinstance(b, Tensor) for b in betas
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        check_flags(type(self).__name__, foreach, fused, differentiable)
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def step(self, closure=None):
        """Take one Adam step for every parameter that has a gradient; return
        ``closure()``'s loss when a closure is given (it runs first, with gradients on)."""
        loss = run_closure(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            # Python floats: NumPy 2 keeps float32 arrays float32 when combined with them.
            options = (
                float(group["lr"]), float(beta1), float(beta2), float(group["eps"]),
                float(group["weight_decay"]), bool(group["amsgrad"]),
                bool(group["maximize"]), bool(group["decoupled_weight_decay"]),
            )  # fmt: skip
            buffers = ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if options[5] else ())
            if (group.get("foreach") or group.get("fused")) and self._step_group_at_once(
                group, Adam, adam_update, options, buffers
            ):
                continue  # foreach=True: the whole group in one update (fast/flat.py)
            for p in group["params"]:
                if p.grad is None:
                    continue  # backward did not reach it: no step, no state
                state = param_state(self.state, p, type(self).__name__)
                init_state(state, p, *buffers)
                update = fastpath.active.get((Adam, p.device.type), adam_update)
                update(p, state, *options)
        return loss


class AdamW(Adam):
    """AdamW, as ``torch.optim.AdamW``: Adam with *decoupled* weight decay.

    The same arguments as :class:`Adam` (``weight_decay`` defaults to 1e-2 here), and the
    same update, except that the weights are shrunk directly, ``p *= 1 - lr *
    weight_decay``, before the Adam step, instead of adding ``weight_decay * p`` to the
    gradient. Every weight then decays at the same rate, however large its gradients
    (see the module docstring). As in PyTorch, an ``AdamW`` is an :class:`Adam` whose groups
    say ``decoupled_weight_decay=True``, also after loading a checkpoint.

    Example:
        >>> import minigrad
        >>> from minigrad.optim import AdamW
        >>> w = minigrad.tensor([1.0], requires_grad=True)
        >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
        >>> w.grad = minigrad.zeros(1)   # no gradient signal: only the decay acts
        >>> opt.step()
        >>> round(w.item(), 6)           # 1 * (1 - 0.1 * 0.5)
        0.95
    """

    def __init__(
        self,
        params,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
            capturable=capturable, differentiable=differentiable, fused=fused,
            decoupled_weight_decay=True,
        )  # fmt: skip

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore a checkpoint (see :meth:`Optimizer.load_state_dict`); the groups keep
        ``decoupled_weight_decay=True`` whatever the checkpoint says, as in PyTorch."""
        super().load_state_dict(state_dict)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True


def adam_update(
    p, state, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay
) -> None:
    """One Adam (or AdamW) step for parameter ``p``: PyTorch's formula, on the raw arrays.

    ``state`` is ``optimizer.state[p]``, with its buffers already made.
    """
    t = count_step(state)
    xp = p.device.xp
    g = -p.grad._data if maximize else p.grad._data
    if weight_decay != 0:
        if decoupled_weight_decay:
            p._data *= 1.0 - lr * weight_decay
        else:
            g = g + weight_decay * p._data
    m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
    m += (1.0 - beta1) * (g - m)  # = beta1 * m + (1 - beta1) * g, PyTorch's lerp
    v *= beta2
    v += (1.0 - beta2) * g * g
    if amsgrad:
        v_max = state["max_exp_avg_sq"]._data
        xp.maximum(v_max, v, out=v_max)
        v = v_max
    bias_correction1 = 1.0 - beta1**t  # Python floats, as in PyTorch
    bias_correction2 = 1.0 - beta2**t
    denom = xp.sqrt(v) / bias_correction2**0.5 + eps
    p._data -= (lr / bias_correction1) * (m / denom)
    p._version.value += 1
