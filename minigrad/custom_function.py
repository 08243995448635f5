"""PyTorch's custom autograd Functions: ``forward(ctx, ...)`` and ``backward(ctx, ...)``.

minigrad's own ops subclass :class:`~minigrad.autograd.Function` with methods on raw
arrays (``forward(self, *arrays)``, see ``autograd.py``). PyTorch's users write theirs on
tensors, with both methods static and a context object, ``ctx``, carrying what forward
leaves for backward (the "Learning PyTorch with Examples" tutorial's Legendre polynomial,
a straight-through estimator, a gradient-reversal layer)::

    class Cube(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return 3 * x**2 * grad

    y = Cube.apply(x)

A ``Function`` subclass whose ``forward`` is a staticmethod is of this kind, and its
``apply`` is :func:`apply` below: it runs ``forward`` on the tensors with no graph
recorded, then records one node, :class:`CustomNode`, an ordinary Function to the engine
whose ``backward`` calls the class's ``backward`` with the output's gradient as a tensor.
The tensors saved with ``ctx.save_for_backward`` are checked for in-place changes and
freed after backward, as an op's saved arrays are.

As in PyTorch: ``ctx.needs_input_grad``, ``ctx.saved_tensors``, any attribute set on
``ctx``, ``ctx.mark_non_differentiable``, ``ctx.set_materialize_grads`` (a gradient is
always materialized here: a node has one output, and it always gets one), the
``setup_context(ctx, inputs, output)`` style (``forward`` without ``ctx``), inputs that are
not tensors (their gradient is None), gradients returned in a broadcast shape (summed
back). Unlike PyTorch: ``forward`` returns one tensor (minigrad's nodes have one output),
and there is no double backward (minigrad's engine has none).
"""

from __future__ import annotations

import numpy as np

from . import autograd, grad_mode
from .autograd import Function


class FunctionCtx:
    """The ``ctx`` that a custom Function's ``forward`` and ``backward`` share."""

    def __init__(self, needs_input_grad: tuple) -> None:
        self.needs_input_grad = needs_input_grad  # per input of apply: wants a gradient
        self.to_save: tuple | None = ()
        self.non_differentiable: tuple = ()
        self.materialize_grads = True

    def save_for_backward(self, *tensors) -> None:
        """Keep these tensors (or None) for backward, where ``ctx.saved_tensors`` gives
        them back; backward refuses to run if one was changed in place since."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, autograd.Tensor):
                raise TypeError(
                    f"save_for_backward can only save variables, but argument {i} is not a "
                    f"Tensor or None (got {type(t).__name__}); keep other values as "
                    "attributes of ctx (ctx.value = ...)"
                )
        self.to_save = tensors

    @property
    def saved_tensors(self) -> tuple:
        if self.to_save is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access "
                "saved tensors after they have already been freed). Specify "
                "retain_graph=True on the first backward() if you need to backward through "
                "the graph again."
            )
        return self.to_save

    def mark_non_differentiable(self, *outputs) -> None:
        """The output will not require a gradient (an index, a mask)."""
        self.non_differentiable = outputs

    def set_materialize_grads(self, value: bool) -> None:
        """Accepted; minigrad always passes backward a gradient tensor (see the module
        docstring)."""
        self.materialize_grads = bool(value)

    def mark_dirty(self, *tensors) -> None:
        raise NotImplementedError(
            "ctx.mark_dirty (a custom Function that changes its inputs in place) is not "
            "supported: return a new tensor from forward instead"
        )


def apply(cls, *args, **kwargs):
    """``cls.apply(*args)`` for a custom Function ``cls``: its ``forward`` without a graph,
    then one node for its ``backward`` (see the module docstring)."""
    name = cls.__name__
    Tensor = autograd.Tensor
    enabled = grad_mode.is_grad_enabled()
    needs = tuple(enabled and isinstance(a, Tensor) and a.requires_grad for a in args)
    ctx = FunctionCtx(needs)
    with grad_mode.no_grad():
        if _has_setup_context(cls):
            output = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, output)
        else:
            output = cls.forward(ctx, *args, **kwargs)
    if isinstance(output, tuple | list):
        raise NotImplementedError(
            f"{name}.forward returned {len(output)} values: a custom Function in minigrad "
            "returns one tensor (its graph nodes have one output)"
        )
    if not isinstance(output, Tensor):
        raise TypeError(f"{name}.forward must return a Tensor, got {type(output).__name__}")
    if not any(needs) or any(output is t for t in ctx.non_differentiable):
        return output
    tensors = tuple(isinstance(a, Tensor) for a in args)
    return CustomNode.apply(*args, output=output, ctx=ctx, definition=cls, tensors=tensors)


def _has_setup_context(cls) -> bool:
    """Whether ``cls`` uses PyTorch 2's style: ``forward(*args)`` and ``setup_context``."""
    return isinstance(_static(cls, "setup_context"), staticmethod)


def _static(cls, name: str):
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def _expands_to(shape: tuple, grad_shape: tuple) -> bool:
    """Whether an input of ``shape`` broadcasts to ``grad_shape`` (the gradient is then
    summed back to ``shape``)."""
    try:
        return np.broadcast_shapes(shape, grad_shape) == grad_shape
    except ValueError:
        return False


class CustomNode(Function):
    """The graph node of a custom Function: forward has run already; backward calls the
    class's ``backward`` on tensors and checks what it returns."""

    def forward(self, *arrays, output, ctx, definition, tensors):
        self.ctx, self.definition, self.tensors = ctx, definition, tensors
        # The saved tensors' arrays: the engine checks their versions and frees them.
        self.save(*[t._data for t in ctx.to_save if t is not None])
        return output._data

    def backward(self, grad):
        name = f"{self.definition.__name__}Backward"
        Tensor = autograd.Tensor
        with grad_mode.no_grad():
            grads = self.definition.backward(self.ctx, Tensor._wrap(grad, self.device))
        if not isinstance(grads, tuple):
            grads = (grads,)
        expected = len(self.tensors)
        if len(grads) < expected or any(g is not None for g in grads[expected:]):
            raise RuntimeError(
                f"function {name} returned an incorrect number of gradients (expected "
                f"{expected}, got {len(grads)})"
            )
        arrays = []
        for i, (g, is_tensor, meta) in enumerate(zip(grads, self.tensors, self.input_meta)):
            if g is None:
                arrays.append(None)
                continue
            if not is_tensor:
                raise RuntimeError(
                    f"function {name} returned a gradient different than None at position "
                    f"{i + 1}, but the corresponding forward input was not a Variable"
                )
            if not isinstance(g, Tensor):
                raise TypeError(
                    f"function {name} returned a {type(g).__name__} at position {i + 1}; "
                    "a gradient must be a Tensor or None"
                )
            if meta is not None and not _expands_to(meta[0], g.shape):
                raise RuntimeError(
                    f"Function {name} returned an invalid gradient at index {i} - got "
                    f"{list(g.shape)} but expected shape compatible with {list(meta[0])}"
                )
            if g.device is not self.device:
                raise RuntimeError(
                    f"Function {name} returned a gradient on {g.device} at index {i}; its "
                    f"input is on {self.device}"
                )
            arrays.append(g._data)
        return tuple(arrays)

    def release(self) -> None:
        super().release()
        if self.ctx.to_save:
            self.ctx.to_save = None  # freed, as PyTorch frees them

    def name(self) -> str:  # PyTorch names a Python Function's node without the 0
        return f"{self.op_name()}Backward"

    def op_name(self) -> str:  # the user's class, not this node's
        return self.definition.__name__


autograd._use_custom_functions(classmethod(apply))
