"""Activation checkpointing: trade compute for memory by running a segment's forward twice.

Backward needs the activations that forward saved: for a deep network they are most of
the memory of a training step. ``checkpoint(segment, x)`` runs ``segment`` and keeps only
its inputs; when backward reaches the segment, it runs the segment again, with the graph
recorded, and backpropagates through that fresh graph::

    from minigrad.utils.checkpoint import checkpoint

    def forward(self, x):
        x = checkpoint(self.block1, x, use_reentrant=False)  # block1's activations: not kept
        x = checkpoint(self.block2, x, use_reentrant=False)
        return self.head(x)

The segment is run again with the random state it first ran with (``preserve_rng_state``,
so Dropout draws the same masks) and under the same autocast state; a recomputation that
gives outputs of other shapes or dtypes raises. Layers that change state as they run
(BatchNorm's running statistics) change it twice, as in PyTorch.

How it works here: the first run records the segment's graph only to find the tensors
requiring a gradient that it reaches (its parameters) and the tensors from outside it that
it uses (computed before it, as in a closure: the engine tells the segment of each node
it records, ``autograd.recording``), then drops it. One node stands for the whole segment,
with the segment's tensor inputs, those captured tensors and those parameters as its
inputs; its backward recomputes the segment and returns the gradients of all of them, so
that the engine adds them up as for any node (and ``autograd.grad`` and
``backward(inputs=...)`` work). PyTorch's two variants differ in what is supported around that:
``use_reentrant=False`` (recommended, keyword arguments allowed) and ``use_reentrant=True``
(PyTorch's old default, chosen with a warning when the argument is left out), where
a segment none of whose inputs requires a gradient gives no gradients at all, with
PyTorch's warning. The segment may return a tensor or a tuple of tensors of one floating
dtype (with other values beside them).
"""

from __future__ import annotations

import warnings

from .. import autocast_mode, autograd, grad_mode
from .. import random as _random
from ..autograd import Function
from ..functions import cat
from ..tensor import Tensor

__all__ = ["CheckpointError", "checkpoint", "checkpoint_sequential"]


class CheckpointError(RuntimeError):
    """The recomputation of a checkpointed segment gave outputs unlike the first run's."""


def checkpoint(
    function,
    *args,
    use_reentrant: bool | None = None,
    context_fn=None,
    determinism_check: str = "default",
    debug: bool = False,
    preserve_rng_state: bool = True,
    early_stop: bool = True,
    **kwargs,
):
    """Run ``function(*args, **kwargs)`` without keeping its activations; recompute them
    in backward (see the module's docstring).

    Args:
        function: the segment: a module or any function of tensors.
        args, kwargs: its arguments (keyword arguments need ``use_reentrant=False``).
        use_reentrant: PyTorch's choice of variant; pass it (False is recommended): left
            out, it is True, with PyTorch's warning.
        preserve_rng_state: recompute with the random state of the first run.
        determinism_check: ``"default"`` compares the recomputed outputs' shapes and dtypes
            with the first run's; ``"none"`` does not.
        context_fn, debug, early_stop: accepted for PyTorch's programs (no effect).

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.utils.checkpoint import checkpoint
        >>> block = nn.Sequential(nn.Linear(3, 3), nn.Tanh())
        >>> x = minigrad.ones(2, 3, requires_grad=True)
        >>> y = checkpoint(block, x, use_reentrant=False)
        >>> y.sum().backward()
        >>> x.grad.shape, block[0].weight.grad.shape
        (minigrad.Size([2, 3]), minigrad.Size([3, 3]))
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "use_reentrant=False is recommended; it is True when left out, as in PyTorch.",
            UserWarning,
            stacklevel=2,
        )
        use_reentrant = True
    if use_reentrant and kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if use_reentrant and (context_fn is not None or debug):
        raise ValueError(
            "Passing `context_fn` or `debug` is only supported when use_reentrant=False."
        )
    if determinism_check not in ("default", "none"):
        raise ValueError(
            f"determinism_check should be one of ['default', 'none'], but got {determinism_check}"
        )
    if not grad_mode.is_grad_enabled():  # no graph wanted: nothing to save or recompute
        return function(*args, **kwargs)
    if use_reentrant and not any(isinstance(a, Tensor) and a.requires_grad for a in args):
        warnings.warn(
            "None of the inputs have requires_grad=True. Gradients will be None",
            UserWarning,
            stacklevel=2,
        )
        with grad_mode.no_grad():
            return function(*args, **kwargs)
    segment = _Segment(function, args, kwargs, preserve_rng_state, determinism_check)
    return segment.run()


class _Segment:
    """One checkpointed call: its inputs, the state to recompute it in, its outputs' plan."""

    def __init__(self, function, args, kwargs, preserve_rng_state, determinism_check):
        self.function, self.args, self.kwargs = function, args, kwargs
        self.rng_state = _random.get_rng_state() if preserve_rng_state else None
        self.autocast = dict(autocast_mode._dtype)
        self.check = determinism_check == "default"

    def _call(self, args):
        """The segment on ``args``, with the graph recorded, under the first run's autocast."""
        saved = dict(autocast_mode._dtype)
        for device_type, dtype in self.autocast.items():
            autocast_mode.set_state(device_type, dtype)
        try:
            with grad_mode.enable_grad():
                return self.function(*args, **self.kwargs)
        finally:
            for device_type, dtype in saved.items():
                autocast_mode.set_state(device_type, dtype)

    def _detached(self, args):
        """The arguments, their tensors cut from the outer graph (the segment's boundary)."""
        return [a.detach().requires_grad_(a.requires_grad) if isinstance(a, Tensor) else a
                for a in args]  # fmt: skip

    def record(self, fn, inputs) -> None:
        """Told of each node recorded during the first run (``autograd.recording``): the
        segment's own nodes, and the tensors from outside that they take (``captured``:
        computed before the segment, not its inputs, such as a tensor in a closure)."""
        self.nodes.add(fn)
        for x in inputs:
            if isinstance(x, Tensor) and x.grad_fn is not None and x.grad_fn not in self.nodes:
                self.captured.setdefault(id(x), x)

    def run(self):
        inputs = self._detached(self.args)
        self.nodes, self.captured = set(), {}
        autograd.recording.append(self)
        try:
            outputs = self._call(inputs)
        finally:
            autograd.recording.remove(self)
        tensors, self.layout = _flatten(outputs)
        if not tensors:
            return outputs  # nothing differentiable came out
        self.meta = [(t.shape, t.dtype) for t in tensors]
        inputs_ids = {id(a) for a in inputs if isinstance(a, Tensor)}
        self.leaves = _leaves_reached(tensors, self.nodes, inputs_ids)  # its parameters
        # The node's inputs: the segment's tensor arguments, the tensors it captured (so
        # that the outer backward waits for its gradient before going through them), then
        # the parameters.
        self.tensor_args = [a for a in self.args if isinstance(a, Tensor)]
        self.tensor_args += list(self.captured.values())
        del self.nodes  # the first run's graph is not kept
        node = Checkpoint.apply(
            *self.tensor_args, *self.leaves, packed=_pack(tensors), segment=self
        )
        pieces = _split(node, self.meta)  # those that needed no gradient: still none
        pieces = [p if t.requires_grad else p.detach() for p, t in zip(pieces, tensors)]
        return _unflatten(outputs, self.layout, pieces)

    def recompute_gradients(self, grad):
        """The gradients of the node's inputs (the segment's tensor arguments, the tensors
        it captured, its parameters) for the gradient ``grad`` of its packed output."""
        saved_rng = _random.get_rng_state() if self.rng_state is not None else None
        if self.rng_state is not None:
            _random.set_rng_state(self.rng_state)
        try:
            inputs = self._detached(self.args)
            outputs = self._call(inputs)
        finally:
            if saved_rng is not None:
                _random.set_rng_state(saved_rng)
        tensors, _ = _flatten(outputs)
        if self.check and [(t.shape, t.dtype) for t in tensors] != self.meta:
            raise CheckpointError(
                "torch.utils.checkpoint: Recomputed values for the following tensors have "
                f"different metadata than during the forward pass: the outputs were "
                f"{self.meta}, and are now {[(t.shape, t.dtype) for t in tensors]}"
            )
        # The node's inputs, in its order: the arguments (as the detached copies this run
        # used), the captured tensors, the parameters.
        targets = [a for a in inputs if isinstance(a, Tensor)]
        targets += list(self.captured.values()) + self.leaves
        wrt = [t for t in targets if t.requires_grad]
        pairs = [(t, g) for t, g in zip(tensors, _split(grad, self.meta)) if t.requires_grad]
        found = ()
        if wrt and pairs:
            # retain_graph: through a captured tensor this graph joins the outer one, whose
            # backward is still under way
            found = autograd.grad([t for t, _ in pairs], wrt, [g for _, g in pairs],
                                  retain_graph=True, allow_unused=True)  # fmt: skip
        by_id = dict(zip(map(id, wrt), found))
        return [by_id.get(id(t)) for t in targets]


class Checkpoint(autograd.Function):
    """The graph node of a checkpointed segment (a custom Function: on tensors)."""

    @staticmethod
    def forward(ctx, *inputs, packed, segment):
        ctx.segment = segment
        ctx.save_for_backward(*segment.tensor_args)  # checked for in-place changes
        return packed

    @staticmethod
    def backward(ctx, grad):
        _ = ctx.saved_tensors  # raises if the graph was freed by an earlier backward
        return tuple(ctx.segment.recompute_gradients(grad))


def _leaves_reached(tensors, nodes: set, inputs: set) -> list:
    """The leaf tensors requiring a gradient that the segment's own graph (its ``nodes``)
    reaches from ``tensors``, in the order first met, but its ``inputs`` (the ids of the
    detached copies it ran on): the parameters it used."""
    leaves, seen, stack = [], set(), []
    for t in tensors:
        if t.requires_grad and t.grad_fn in nodes:
            stack.append(t.grad_fn)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for parent in reversed(node.parents):
            if isinstance(parent, Function):
                if parent in nodes:  # not one from outside (a captured tensor's)
                    stack.append(parent)
            elif parent is not None and id(parent) not in seen:
                seen.add(id(parent))
                if id(parent) not in inputs:
                    leaves.append(parent)
    return leaves


def _flatten(outputs):
    """The floating tensors among ``outputs`` (a tensor, or a tuple or list holding some),
    and how to put them back."""
    if isinstance(outputs, Tensor):
        return ([outputs], None) if outputs.is_floating_point() else ([], None)
    if isinstance(outputs, dict) or (
        isinstance(outputs, tuple | list)
        and any(isinstance(o, tuple | list | dict) for o in outputs)
    ):
        raise NotImplementedError(
            "checkpoint: the segment must return a tensor, or a tuple or list of tensors and "
            f"other values, not {type(outputs).__name__} holding containers (their tensors "
            "would get no gradient)"
        )
    if isinstance(outputs, tuple | list):
        tensors = [o for o in outputs if isinstance(o, Tensor) and o.is_floating_point()]
        if len({(t.dtype, t.device) for t in tensors}) > 1:
            raise NotImplementedError(
                "checkpoint: the segment's floating-point outputs must share one dtype and "
                f"device here, got {[(str(t.dtype), str(t.device)) for t in tensors]}"
            )
        return tensors, type(outputs)
    return [], None


def _pack(tensors):
    """The node's one output: the tensor itself, or several flattened and joined."""
    if len(tensors) == 1:
        return tensors[0].detach()
    return cat([t.detach().reshape(-1) for t in tensors])


def _split(packed, meta):
    """``packed`` cut back into tensors of the shapes in ``meta`` (:func:`_pack` undone)."""
    if len(meta) == 1:
        return [packed]
    pieces, start = [], 0
    for shape, _ in meta:
        size = 1
        for n in shape:
            size *= n
        pieces.append(packed[start : start + size].reshape(shape))
        start += size
    return pieces


def _unflatten(outputs, layout, tensors):
    if layout is None:
        return tensors[0]
    it = iter(tensors)
    items = [next(it) if isinstance(o, Tensor) and o.is_floating_point() else o for o in outputs]
    return layout(*items) if hasattr(layout, "_fields") else layout(items)  # a namedtuple


def checkpoint_sequential(functions, segments: int, input, use_reentrant=None, **kwargs):
    """Run ``functions`` (a Sequential, or a list of modules or functions) in order, in
    ``segments`` checkpointed segments; the last one is run normally (its activations are
    needed at once).

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> from minigrad.utils.checkpoint import checkpoint_sequential
        >>> model = nn.Sequential(nn.Linear(2, 4), nn.ReLU(), nn.Linear(4, 4), nn.ReLU())
        >>> x = minigrad.ones(3, 2, requires_grad=True)
        >>> out = checkpoint_sequential(model, 2, x, use_reentrant=False)
        >>> out.sum().backward()
        >>> model[0].weight.grad.shape
        minigrad.Size([4, 2])
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should "
            "be passed explicitly. use_reentrant=False is recommended; it is True when left "
            "out, as in PyTorch.",
            UserWarning,
            stacklevel=2,
        )
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    layers = list(functions.children()) if hasattr(functions, "children") else list(functions)

    def run(start, end):
        def forward(x):
            for layer in layers[start : end + 1]:
                x = layer(x)
            return x

        return forward

    size = len(layers) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(
            run(start, end), input, use_reentrant=use_reentrant, preserve_rng_state=preserve
        )
    return run(end + 1, len(layers) - 1)(input)
