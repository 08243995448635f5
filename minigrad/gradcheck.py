"""Check a backward formula against finite differences.

``gradcheck(f, inputs)`` compares the gradient that minigrad computes for ``f`` with one
estimated by central differences, ``(f(x + eps) - f(x - eps)) / 2 eps``, one input element
at a time. Differences are only accurate enough in float64, so inputs must be float64.

To compare whole Jacobians cheaply, ``f``'s outputs are first reduced to one number,
``s = sum_k <v_k, out_k>`` with fixed random ``v_k``: one backward pass gives ds/dx, and two
forward passes per input element estimate it. A wrong gradient is found unless the error
happens to be orthogonal to the random ``v``, which has probability zero.
"""

from __future__ import annotations

import numpy as np

from . import backend
from . import dtypes as _dtypes
from .autograd import grad as _grad
from .grad_mode import no_grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when the analytical and numerical gradients disagree."""


def gradcheck(
    func,
    inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    seed: int = 0,
) -> bool:
    """True when ``func``'s gradients match finite differences (PyTorch's tolerances).

    ``inputs`` is a tensor or a tuple of arguments; the tensors among them with
    ``requires_grad=True`` are checked and must be float64.

    Example:
        >>> import minigrad
        >>> x = minigrad.randn(3, dtype=minigrad.float64, requires_grad=True)
        >>> minigrad.gradcheck(lambda t: (t * t).exp(), (x,))
        True
    """
    inputs = tuple(inputs) if isinstance(inputs, list | tuple) else (inputs,)
    checked = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    if not checked:
        raise ValueError("gradcheck expects at least one input tensor with requires_grad=True")
    for i, t in enumerate(checked):
        if t.dtype != _dtypes.float64:
            raise ValueError(
                f"gradcheck: input {i} is {t.dtype}; finite differences need float64 inputs "
                "(make them with dtype=minigrad.float64 or .double())"
            )

    positions = _differentiable(func(*inputs))
    outputs = [out for _, out in positions]
    if not outputs:
        raise ValueError("gradcheck: func returned no output that requires grad")
    rng = np.random.default_rng(seed)
    directions = [rng.standard_normal(out.shape) for out in outputs]

    def projected() -> float:
        """s = sum_k <v_k, out_k>: the function reduced to one number."""
        with no_grad():
            results = _as_list(func(*inputs))
        return sum(
            float((backend.to_host(results[k]._data).astype(np.float64) * v).sum())
            for (k, _), v in zip(positions, directions)
        )

    analytic = _grad(
        outputs,
        checked,
        grad_outputs=[out.device.from_host(v) for out, v in zip(outputs, directions)],
        allow_unused=True,
    )
    for index, (t, g) in enumerate(zip(checked, analytic)):
        expected = np.zeros(t.shape)
        for i in np.ndindex(*t.shape):  # perturb one element of the input in place
            original = t._data[i].item()
            t._data[i] = original + eps
            plus = projected()
            t._data[i] = original - eps
            minus = projected()
            t._data[i] = original
            expected[i] = (plus - minus) / (2 * eps)
        got = np.zeros(t.shape) if g is None else backend.to_host(g._data)
        bad = np.abs(got - expected) > atol + rtol * np.abs(expected)
        if bad.any():
            if not raise_exception:
                return False
            where = tuple(int(k) for k in np.argwhere(bad)[0])
            raise GradcheckError(
                f"Jacobian mismatch for input {index} (shape {tuple(t.shape)}) at element "
                f"{where}: analytical {got[where]:.8g}, numerical {expected[where]:.8g} "
                f"({int(bad.sum())} of {bad.size} elements differ; atol={atol}, rtol={rtol})"
            )
    return True


def _as_list(outputs) -> list:
    return list(outputs) if isinstance(outputs, list | tuple) else [outputs]


def _differentiable(outputs) -> list[tuple[int, Tensor]]:
    """(position, output) for the outputs that carry gradients."""
    return [
        (k, o) for k, o in enumerate(_as_list(outputs))
        if isinstance(o, Tensor) and o.requires_grad and o.is_floating_point()
    ]  # fmt: skip
