"""``minigrad.autograd.functional``: Jacobians and vector-Jacobian products of a function.

``jacobian(f, x)`` is the matrix of every output element's derivative with respect to
every input element, of shape ``output.shape + input.shape``. Reverse mode gives it one
row at a time: one backward pass per output element, each starting from a one-hot
gradient. ``vjp(f, x, v)`` is one such pass, from ``v``: ``v^T J``. ``jvp(f, x, v)``,
``J v``, is read off the Jacobian here (forward-mode differentiation is not implemented).
Hessians and Hessian-vector products need gradients of gradients, which minigrad's
engine does not compute: ``hessian``, ``hvp`` and ``vhp`` say so.

As in PyTorch: ``inputs`` is a tensor or a tuple of tensors, and the results follow the
structure of the inputs and outputs (a tensor, or tuples); an input the outputs do not
depend on gets zeros, or an error with ``strict=True``. The inputs are differentiated as
copies cut from any graph they belong to, so ``f``'s graph does not reach beyond them.

(The module is registered as ``minigrad.autograd.functional``: ``minigrad.autograd`` is
the engine's module, which must not import this one.)
"""

from __future__ import annotations

import sys

import numpy as np

from . import autograd, creation
from .functions_linalg import tensordot
from .tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]


def jacobian(
    func,
    inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
):
    """The Jacobian of ``func`` at ``inputs``: for an output of shape ``O`` and an input
    of shape ``I``, a tensor of shape ``O + I``.

    Example:
        >>> import minigrad
        >>> from minigrad.autograd.functional import jacobian
        >>> jacobian(lambda x: x**2, minigrad.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    if strategy != "reverse-mode":
        raise NotImplementedError(
            f"jacobian: strategy={strategy!r}: minigrad computes Jacobians in reverse mode only"
        )
    single_input, xs = _as_inputs(inputs, "jacobian")
    single_output, ys = _as_outputs(func(*xs), "jacobian")
    rows = _rows(xs, ys, create_graph, strict)
    return _shaped(rows, single_input, single_output)


def _rows(xs, ys, create_graph: bool, strict: bool) -> list:
    """The Jacobian's blocks, one tuple per output (one block per input), by one backward
    pass per output element."""
    rows = []
    for i, y in enumerate(ys):
        if not y.requires_grad:
            if strict:
                raise RuntimeError(
                    f"Output {i} of the user-provided function does not require gradients. The "
                    "outputs must be computed in a differentiable manner from the input when "
                    "running in strict mode."
                )
            rows.append(tuple(creation.zeros(y.shape + x.shape, dtype=x.dtype, device=x.device)
                              for x in xs))  # fmt: skip
            continue
        per_input = [np.empty(y.shape + x.shape, dtype=x.dtype) for x in xs]
        for index in np.ndindex(*y.shape):
            seed = np.zeros(y.shape, dtype=y.dtype)
            seed[index] = 1
            grads = autograd.grad(y, xs, creation.tensor(seed, device=y.device),
                                  retain_graph=True, create_graph=create_graph,
                                  allow_unused=True)  # fmt: skip
            for k, g in enumerate(grads):
                if g is None and strict:
                    raise RuntimeError(
                        f"Output {i} of the user-provided function is independent of input {k}. "
                        "This is not allowed in strict mode."
                    )
                per_input[k][index] = 0 if g is None else g.cpu().numpy()
        rows.append(tuple(creation.tensor(j, device=x.device) for j, x in zip(per_input, xs)))
    return rows


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``: the outputs (detached) and one backward pass from ``v``.

    Example:
        >>> import minigrad
        >>> from minigrad.autograd.functional import vjp
        >>> vjp(lambda x: x**2, minigrad.tensor([1.0, 2.0]), minigrad.ones(2))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    single_input, xs = _as_inputs(inputs, "vjp")
    outputs = func(*xs)
    single_output, ys = _as_outputs(outputs, "vjp")
    vs = _vectors(v, ys, "vjp", "outputs", "the user-provided function returns a single")
    pairs = [(y, a) for y, a in zip(ys, vs) if y.requires_grad]
    if strict and len(pairs) < len(ys):
        raise RuntimeError("vjp: an output does not require gradients, not allowed in strict mode")
    grads = (None,) * len(xs)
    if pairs:
        grads = autograd.grad([y for y, _ in pairs], xs, [a for _, a in pairs],
                              create_graph=create_graph, allow_unused=True)  # fmt: skip
    if strict and any(g is None for g in grads):
        raise RuntimeError(
            "vjp: the output of the user-provided function is independent of an input. This "
            "is not allowed in strict mode."
        )
    result = tuple(creation.zeros_like(x) if g is None else g for g, x in zip(grads, xs))
    detached = tuple(y.detach() for y in ys)
    return (detached[0] if single_output else detached), (result[0] if single_input else result)


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)``, read off the Jacobian (one backward pass per output element).

    Example:
        >>> import minigrad
        >>> from minigrad.autograd.functional import jvp
        >>> jvp(lambda x: x**2, minigrad.tensor([1.0, 2.0]), minigrad.ones(2))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    _, xs = _as_inputs(inputs, "jvp")
    vs = _vectors(v, xs, "jvp", "inputs", "the input to the user-provided function is a single")
    single_output, ys = _as_outputs(func(*xs), "jvp")  # one call, as PyTorch's
    rows = _rows(xs, ys, create_graph, strict)
    products = []
    for y, row in zip(ys, rows):
        total = None
        for part, a in zip(row, vs):
            term = tensordot(part, a, dims=a.ndim)
            total = term if total is None else total + term
        products.append(total.reshape(y.shape))
    detached = tuple(y.detach() for y in ys)
    out = detached[0] if single_output else detached
    return out, (products[0] if single_output else tuple(products))


def _second_order(name: str):
    def unsupported(*args, **kwargs):
        raise NotImplementedError(
            f"{name} needs gradients of gradients, which minigrad's engine does not compute "
            "(see docs/from-pytorch.md, 'No gradients of gradients'); jacobian of a function "
            "that returns a gradient computed without create_graph is not a Hessian either"
        )

    unsupported.__name__ = unsupported.__qualname__ = name
    unsupported.__doc__ = f"""Not available: ``{name}`` needs second derivatives (raises).

    Example:
        >>> import minigrad
        >>> from minigrad.autograd.functional import {name}
        >>> {name}(lambda x: (x**3).sum(), minigrad.ones(2))
        Traceback (most recent call last):
        ...
        NotImplementedError: {name} needs gradients of gradients, ...
    """
    return unsupported


hessian = _second_order("hessian")
hvp = _second_order("hvp")
vhp = _second_order("vhp")


def _vectors(v, tensors: list, name: str, what: str, single: str) -> list:
    """``v`` as a list matching ``tensors`` in number and shapes; None only for one tensor
    of one element (then a one)."""
    if v is None:
        if not (len(tensors) == 1 and tensors[0].numel() == 1):
            raise RuntimeError(
                f"The vector v can only be None if {single} Tensor with a single element."
            )
        return [creation.ones_like(tensors[0])]
    vs = [v] if isinstance(v, Tensor) else list(v)
    if len(vs) != len(tensors) or any(a.shape != b.shape for a, b in zip(vs, tensors)):
        raise RuntimeError(
            f"{name}: v must match the {what}: {len(tensors)} tensor(s) of shapes "
            f"{[tuple(t.shape) for t in tensors]}, got {[tuple(a.shape) for a in vs]}"
        )
    return vs


def _as_inputs(inputs, name: str) -> tuple[bool, list]:
    """(whether ``inputs`` is one tensor, the inputs as leaves that require a gradient)."""
    single = isinstance(inputs, Tensor)
    items = [inputs] if single else list(inputs) if isinstance(inputs, tuple | list) else None
    if items is None or not all(isinstance(x, Tensor) for x in items):
        raise TypeError(
            f"{name}: inputs must be a Tensor or a tuple of Tensors, got {type(inputs).__name__}"
        )
    return single, [x.detach().requires_grad_(True) for x in items]


def _as_outputs(outputs, name: str) -> tuple[bool, list]:
    single = isinstance(outputs, Tensor)
    items = [outputs] if single else list(outputs) if isinstance(outputs, tuple | list) else None
    if items is None or not all(isinstance(y, Tensor) for y in items):
        raise TypeError(
            f"{name}: the function must return a Tensor or a tuple of Tensors, got "
            f"{type(outputs).__name__}"
        )
    return single, items


def _shaped(rows, single_input: bool, single_output: bool):
    """The Jacobian's blocks in PyTorch's nesting: per output, then per input."""
    rows = [row[0] if single_input else row for row in rows]
    return rows[0] if single_output else tuple(rows)


# ``minigrad.autograd.functional``, as an attribute and as an importable module name.
autograd.functional = sys.modules[__name__]
sys.modules[autograd.__name__ + ".functional"] = sys.modules[__name__]
