"""L-BFGS, as ``torch.optim.LBFGS`` (after Schmidt's minFunc): a quasi-Newton method for
full-batch problems, such as fitting a small model exactly or neural style transfer.

Newton's method steps by ``-H^-1 g``. L-BFGS never forms the Hessian ``H``: it remembers the
last ``history_size`` parameter changes ``s = x_new - x`` and gradient changes
``y = g_new - g``, and applies an approximation of ``H^-1`` built from them to the gradient
with the *two-loop recursion* (Nocedal & Wright, algorithm 7.4)::

    q = -g
    for i newest to oldest:   a[i] = rho[i] * s[i].q ;  q -= a[i] * y[i]     # rho = 1 / y.s
    r = H_diag * q                                 # H_diag = y.s / y.y of the newest pair
    for i oldest to newest:   b = rho[i] * y[i].r ;  r += (a[i] - b) * s[i]
    d = r                                          # the direction; the step is t * d

One ``step(closure)`` runs up to ``max_iter`` such iterations, calling ``closure()`` (which
must clear the gradients, compute the loss, call ``backward()`` and return the loss) each
time it needs the loss and gradient somewhere new. The step length ``t`` is ``lr`` (only the
very first step is scaled down to ``lr / sum|g|`` when that is smaller), or what the
strong-Wolfe line search of ``line_search.py`` finds. The iterations stop early when the
gradient is tiny (``tolerance_grad``), when the loss or the parameters stop changing
(``tolerance_change``), or after ``max_eval`` evaluations.

All parameters are treated as one flat vector (their gradients are concatenated). PyTorch
keeps the state on the first parameter, so ``state_dict()`` carries it: ``'func_evals'``
and ``'n_iter'`` (counts over all steps), ``'d'`` and ``'t'`` (the last direction and step),
``'old_dirs'``, ``'old_stps'`` and ``'ro'`` (the history ``y``, ``s`` and ``rho``),
``'H_diag'``, ``'prev_flat_grad'``, ``'prev_loss'`` and ``'al'``. Scalars are 0-d tensors or
Python numbers exactly where PyTorch has them, so the arithmetic rounds the same way.
"""

from __future__ import annotations

from ..functions import cat
from ..grad_mode import no_grad
from ..tensor import Tensor
from ._state import run_closure
from .line_search import strong_wolfe
from .optimizer import Optimizer


class LBFGS(Optimizer):
    """L-BFGS over all the parameters as one vector (see the module docstring).

    Args:
        params: the tensors to optimize (one group only: L-BFGS has no per-parameter
            options). They must be floating point and on one device.
        lr: the step length (default 1).
        max_iter: the most iterations per ``step()`` (default 20).
        max_eval: the most evaluations of the closure per ``step()`` (default
            ``max_iter * 5 // 4``).
        tolerance_grad: stop when every gradient coordinate is at most this in size
            (default 1e-7).
        tolerance_change: stop when the loss, or every parameter, changes by less
            (default 1e-9).
        history_size: how many past ``(s, y)`` pairs shape the direction (default 100).
        line_search_fn: ``None`` (a fixed step ``lr``) or ``'strong_wolfe'``.

    Example:
        >>> import minigrad
        >>> w = minigrad.tensor([3.0, -2.0], requires_grad=True)
        >>> target = minigrad.tensor([1.0, 1.0])
        >>> opt = minigrad.optim.LBFGS([w], line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = ((w - target) ** 2).sum()
        ...     loss.backward()
        ...     return loss
        >>> _ = opt.step(closure)  # a quadratic: solved in one step
        >>> [round(v, 4) for v in w.tolist()]
        [1.0, 1.0]
    """

    def __init__(
        self,
        params,
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        for name, value in (("max_iter", max_iter), ("history_size", history_size)):
            if not (isinstance(value, int) and value >= 1):
                raise ValueError(f"LBFGS: {name} must be a positive integer, got {value!r}")
        if line_search_fn not in (None, "strong_wolfe"):
            raise ValueError(
                f"LBFGS: line_search_fn must be None or 'strong_wolfe', got {line_search_fn!r}"
            )
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {
            "lr": lr, "max_iter": max_iter, "max_eval": max_eval,
            "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
            "history_size": history_size, "line_search_fn": line_search_fn,
        }  # fmt: skip
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")
        self._params = self.param_groups[0]["params"]
        for p in self._params:
            if not p.is_floating_point():
                raise ValueError(f"LBFGS: parameters must be floating point, got {p.dtype}")
            if p.device is not self._params[0].device:
                raise ValueError(
                    f"LBFGS: all parameters must be on one device, got {self._params[0].device} "
                    f"and {p.device}"
                )

    # The parameters as one flat vector ------------------------------------------------

    def _gather_flat_grad(self) -> Tensor:
        """Every gradient, flattened and concatenated (zeros for a parameter without one)."""
        views = [
            p.new_zeros(p.numel()) if p.grad is None else p.grad.reshape(-1) for p in self._params
        ]
        return cat(views, 0)

    def _add_grad(self, step_size, update: Tensor) -> None:
        """``params += step_size * update``, with ``update`` a flat vector."""
        offset = 0
        for p in self._params:
            numel = p.numel()
            p.add_(update[offset : offset + numel].view_as(p), alpha=step_size)
            offset += numel

    def _directional_evaluate(self, closure, x, t, d):
        """The loss and flat gradient at ``x + t d``; the parameters are put back to ``x``."""
        self._add_grad(t, d)
        loss = float(run_closure(closure))
        flat_grad = self._gather_flat_grad()
        for p, saved in zip(self._params, x):
            p.copy_(saved)
        return loss, flat_grad

    # The step -------------------------------------------------------------------------

    @no_grad()
    def step(self, closure=None):
        """Run up to ``max_iter`` L-BFGS iterations; return the loss that the first call of
        ``closure()`` gave (before any update).

        Args:
            closure: a function that clears the gradients, computes the loss, calls
                ``backward()`` on it and returns it. It is called with gradients on.
        """
        if closure is None:
            raise TypeError(
                "LBFGS.step() needs a closure: a function that clears the gradients, "
                "computes the loss, calls backward() and returns the loss"
            )
        group = self.param_groups[0]
        lr = float(group["lr"])
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        history_size = group["history_size"]
        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = run_closure(closure)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        if flat_grad.abs().max() <= tolerance_grad:
            return orig_loss  # already optimal

        d, t = state.get("d"), state.get("t")
        old_dirs, old_stps, ro = state.get("old_dirs"), state.get("old_stps"), state.get("ro")
        H_diag = state.get("H_diag")
        prev_flat_grad, prev_loss = state.get("prev_flat_grad"), state.get("prev_loss")

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # The direction: steepest descent at first, then the two-loop recursion.
            if state["n_iter"] == 1:
                d = flat_grad.neg()
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = flat_grad.sub(prev_flat_grad)
                s = d.mul(t)
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair only where the curvature is positive
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)
                if "al" not in state:
                    state["al"] = [None] * history_size
                d = _two_loop(flat_grad, old_dirs, old_stps, ro, H_diag, state["al"])

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.clone()
            else:
                prev_flat_grad.copy_(flat_grad)
            prev_loss = loss

            # The step length.
            if state["n_iter"] == 1:
                t = min(1.0, 1.0 / flat_grad.abs().sum()) * lr
            else:
                t = lr
            gtd = flat_grad.dot(d)  # the slope along d
            if gtd > -tolerance_change:
                break  # d is no longer a descent direction

            if group["line_search_fn"] == "strong_wolfe":
                x_init = [p.clone() for p in self._params]

                def evaluate(x, t, d):
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = strong_wolfe(
                    evaluate, x_init, t, d, loss, flat_grad, gtd, max_ls=max_eval - current_evals
                )
                self._add_grad(t, d)
                opt_cond = flat_grad.abs().max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                ls_func_evals = 0
                opt_cond = False
                if n_iter != max_iter:  # the last iteration's loss would go unused
                    loss = float(run_closure(closure))
                    flat_grad = self._gather_flat_grad()
                    opt_cond = flat_grad.abs().max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if d.mul(t).abs().max() <= tolerance_change:
                break  # the parameters stopped moving
            if abs(loss - prev_loss) < tolerance_change:
                break  # the loss stopped changing

        state.update(
            d=d, t=t, old_dirs=old_dirs, old_stps=old_stps, ro=ro, H_diag=H_diag,
            prev_flat_grad=prev_flat_grad, prev_loss=prev_loss,
        )  # fmt: skip
        return orig_loss


def _two_loop(flat_grad, old_dirs, old_stps, ro, H_diag, al) -> Tensor:
    """The direction ``-H^-1 g`` from the history (the recursion of the module docstring);
    ``al`` is the buffer for the ``a[i]``, kept in the state as PyTorch keeps it."""
    q = flat_grad.neg()
    for i in range(len(old_dirs) - 1, -1, -1):
        al[i] = old_stps[i].dot(q) * ro[i]
        q.add_(old_dirs[i], alpha=-al[i])
    r = q * H_diag
    for i in range(len(old_dirs)):
        be_i = old_dirs[i].dot(r) * ro[i]
        r.add_(old_stps[i], alpha=al[i] - be_i)
    return r
