"""Gradient clipping, as in ``torch.nn.utils``: rescale the gradients when their norm is
too large (``clip_grad_norm_``), or clamp each entry (``clip_grad_value_``).

Clipping by norm treats the gradients of all parameters as one long vector ``g``: with
``total = ||g||_p``, every gradient is multiplied by ``min(1, max_norm / (total + 1e-6))``,
so the direction is kept and only the length is capped. It goes between ``backward()`` and
``optimizer.step()``. Gradients are changed in place, on their arrays (they are not part of
any graph).
"""

from __future__ import annotations

import math
import types
import warnings

from ...backend import quiet
from ...tensor import Tensor


def _as_list(parameters, stacklevel: int = 4) -> list:
    """The parameters as a list (a lone tensor is one parameter); an empty generator is
    warned about, as in PyTorch (it is usually a ``model.parameters()`` already used up)."""
    if isinstance(parameters, Tensor):
        return [parameters]
    is_generator = isinstance(parameters, types.GeneratorType)
    parameters = list(parameters)
    if is_generator and not parameters:
        warnings.warn(
            "`parameters` is an empty generator, no gradient clipping will occur.",
            stacklevel=stacklevel,
        )
    return parameters


def _vector_norm(array, p: float, xp):
    """The p-norm of an array's entries (a 0-d array of its dtype): ``max |x|`` for inf,
    ``min |x|`` for -inf, the count of non-zeros for 0, ``(sum |x|^p)^(1/p)`` otherwise.
    A norm too large for the dtype is inf, without NumPy's overflow warning (PyTorch's
    ``clip_grad_norm_`` gives inf silently, and ``error_if_nonfinite`` reports it)."""
    with quiet(xp):
        return _norm_of(array, p, xp)


def _norm_of(array, p: float, xp):
    a = xp.abs(array)
    if p == math.inf:
        norm = a.max() if a.size else xp.zeros((), a.dtype)
    elif p == -math.inf:
        norm = a.min()
    elif p == 0:
        norm = xp.count_nonzero(a)
    elif p == 1:
        norm = a.sum()
    elif p == 2:
        norm = xp.sqrt((a * a).sum())
    else:
        norm = (a**p).sum() ** (1.0 / p)
    return xp.asarray(norm, dtype=a.dtype)  # NumPy's reductions give scalars, not arrays


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach=None) -> Tensor:  # fmt: skip
    """The ``norm_type``-norm of ``tensors`` (often gradients) taken together as one vector:
    the norm of the vector of their norms. A 0-d tensor on the first tensor's device;
    ``tensor(0.)`` for no tensors.

    ``error_if_nonfinite=True`` raises if the norm is nan or infinite. ``foreach`` is
    accepted for PyTorch's signature; minigrad has one implementation.

    Example:
        >>> import minigrad
        >>> from minigrad.nn.utils import get_total_norm
        >>> get_total_norm([minigrad.tensor([3.0]), minigrad.tensor([4.0])])
        tensor(5.)
        >>> get_total_norm([minigrad.tensor([3.0]), minigrad.tensor([-4.0])], norm_type="inf")
        tensor(4.)
    """
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return Tensor(0.0)
    device = tensors[0].device
    xp = device.xp
    with device.activate():
        norms = [device.move(_vector_norm(t._data, norm_type, t.device.xp)) for t in tensors]
        total = _vector_norm(xp.stack(norms), norm_type, xp)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor._wrap(total, device)


def clip_grads_with_norm_(parameters, max_norm: float, total_norm: Tensor, foreach=None) -> None:
    """Multiply the gradients of ``parameters`` by ``min(1, max_norm / (total_norm + 1e-6))``,
    in place, given their ``total_norm`` (from :func:`get_total_norm`).

    Example:
        >>> import minigrad
        >>> from minigrad.nn.utils import clip_grads_with_norm_
        >>> w = minigrad.zeros(2, requires_grad=True)
        >>> w.grad = minigrad.tensor([3.0, 4.0])
        >>> clip_grads_with_norm_([w], max_norm=1.0, total_norm=minigrad.tensor(5.0))
        >>> w.grad
        tensor([0.6000, 0.8000])
    """
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return
    # In total_norm's dtype, like PyTorch's 0-d coefficient; clamped so that a gradient
    # already short enough is left as it is (times exactly 1).
    xp = total_norm.device.xp
    coef = xp.minimum(float(max_norm) / (total_norm._data + 1e-6), 1.0)
    for g in grads:
        g._data *= g.device.move(coef).astype(g.dtype, copy=False)
        g._version.value += 1


def clip_grad_norm_(parameters, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach=None) -> Tensor:  # fmt: skip
    """Rescale the gradients of ``parameters`` in place so that, taken together as one
    vector, their ``norm_type``-norm is at most ``max_norm``; returns the norm they had.

    The gradients are multiplied by ``min(1, max_norm / (total_norm + 1e-6))``.
    ``norm_type`` may be ``float('inf')`` (or ``'inf'``): the largest absolute entry.
    ``error_if_nonfinite=True`` raises instead of scaling by a nan or infinite norm.
    ``foreach`` is accepted for PyTorch's signature. Parameters without a gradient are
    skipped.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> w = minigrad.zeros(2, requires_grad=True)
        >>> (w * minigrad.tensor([30.0, 40.0])).sum().backward()
        >>> nn.utils.clip_grad_norm_([w], max_norm=5.0)  # the norm before clipping
        tensor(50.)
        >>> w.grad  # now of norm 5 (to within the 1e-6)
        tensor([3., 4.])
    """
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp every gradient entry of ``parameters`` to ``[-clip_value, clip_value]``, in
    place. Parameters without a gradient are skipped.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> w = minigrad.zeros(3, requires_grad=True)
        >>> w.grad = minigrad.tensor([-5.0, 0.5, 2.0])
        >>> nn.utils.clip_grad_value_([w], clip_value=1.0)
        >>> w.grad
        tensor([-1.0000,  0.5000,  1.0000])
    """
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    clip_value = float(clip_value)
    for p in parameters:
        if p.grad is not None:
            g = p.grad
            # max then min, as PyTorch's clamp_(min=-c, max=c): a negative clip_value
            # gives clip_value everywhere; nan stays nan.
            xp = g.device.xp
            xp.minimum(xp.maximum(g._data, -clip_value, out=g._data), clip_value, out=g._data)
            g._version.value += 1
