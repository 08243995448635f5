"""The reverse-mode autograd engine.

One pattern, stated once:

* Every differentiable operation is a :class:`Function` subclass with a ``forward`` that
  computes an output array from input arrays, and a ``backward`` beside it that turns the
  gradient of the output into gradients of the inputs. ``forward`` keeps, with
  :meth:`Function.save`, only the arrays its ``backward`` needs.
* :meth:`Function.apply` runs ``forward`` on the arrays inside tensors and, when gradients
  are wanted, links the output tensor to the Function (``tensor.grad_fn``) and the Function
  to where its inputs came from (``fn.parents``): another Function, a leaf tensor, or None.
* :func:`backward` walks that graph from the output back to the leaves, without recursion,
  running each Function's ``backward`` once all the gradient that flows into it has been
  summed, and adds the gradients that reach leaves to their ``.grad``.

Three jobs are done here, once, so that no op has to repeat them: summing gradients that
were broadcast back to the shape of the operand (:func:`sum_to`), casting them back to the
operand's dtype, and checking that arrays saved for backward were not modified in place
since (version counters, as in PyTorch).
"""

from __future__ import annotations

from . import backend, fastpath, grad_mode

# torch.autograd's names for grad mode, which lives in grad_mode.py
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled  # noqa: F401

# The Tensor class. The engine sits below it and never imports it: tensor.py hands the
# class over (_use_tensor_class) as soon as it is defined, before any op can run.
Tensor = None


def _use_tensor_class(cls) -> None:
    """Tell the engine which class its tensors are (``tensor.py`` calls this once)."""
    global Tensor
    Tensor = cls


# The ``apply`` of PyTorch-style custom Functions (``forward(ctx, ...)``, static), which
# live in custom_function.py; it hands its ``apply`` over when minigrad is imported.
_custom_apply = None


def _use_custom_functions(apply) -> None:
    global _custom_apply
    _custom_apply = apply


# Gives a view whose base was since written in place (through another view, or itself) a
# node that reads it out of the base's current one, as PyTorch regenerates a view's
# grad_fn; False where it cannot. Set by tensor_methods.py (it makes the node with an op).
_refresh_view = None


def _use_view_refresh(refresh) -> None:
    global _refresh_view
    _refresh_view = refresh


# ----------------------------------------------------------------------------------------
# Functions: the nodes of the graph.
# ----------------------------------------------------------------------------------------


class Function:
    """Base class of every differentiable operation.

    A subclass defines ``forward(self, *arrays, **params) -> array`` and
    ``backward(self, grad) -> gradient | tuple of gradients`` (one per input, ``None`` where
    there is none). Inside them, ``self.xp`` is the array module (NumPy or CuPy) and
    ``self.needs_input_grad`` says which inputs want a gradient, so work for the others can
    be skipped. Gradients may be returned in the broadcast shape and promoted dtype of the
    output; the engine reduces and casts them.

    Inputs that are not tensors (Python numbers, options) reach ``forward`` unchanged.

    Example:
        >>> import minigrad
        >>> from minigrad.autograd import Function
        >>> class Square(Function):
        ...     def forward(self, a):
        ...         self.save(a)
        ...         return a * a
        ...
        ...     def backward(self, grad):
        ...         (a,) = self.saved
        ...         return 2 * a * grad
        >>> x = minigrad.tensor([1.0, 3.0], requires_grad=True)
        >>> y = Square.apply(x)
        >>> y
        tensor([1., 9.], grad_fn=<SquareBackward0>)
        >>> y.sum().backward()
        >>> x.grad
        tensor([2., 6.])
    """

    is_view = False  # True when forward returns a view of its first input's array
    # The output storage's ``graph_writes`` when this node made it: a tensor whose storage
    # was since written by a recorded in-place op on another tensor (its view, its base)
    # no longer holds what this node computed, and may not be used in the graph.
    stamp = 0
    keeps_layout = False  # True for ``Elementwise`` ops: see ``_contiguous``
    out_device = None  # set by forward when the output lives on another device
    saved: tuple | None = ()  # the arrays backward needs; None once the graph is freed
    reference = None  # on a fast path (minigrad/fast/): the op it stands in for
    # The tensors PyTorch saves for backward, by position (an input's index, or "out"),
    # when they are not the arrays ``save`` keeps (``Var`` keeps ``x - mean``, PyTorch
    # ``x``): an in-place write into one of them makes backward refuse, as in PyTorch.
    # None: the inputs and the output whose own arrays were saved.
    keeps: tuple | None = None
    # What ``Tensor.register_hook`` and ``retain_grad`` ask of the output's gradient (the
    # output of a Function is one tensor, so its hooks live here); None: nothing.
    hooks: dict | None = None
    retained = None  # a weak reference to the output, when it keeps its .grad

    def __init_subclass__(cls, **kwargs) -> None:
        """A subclass whose ``forward`` is a staticmethod is a custom Function written as
        in PyTorch, ``forward(ctx, ...)`` on tensors: ``custom_function.py`` applies it."""
        super().__init_subclass__(**kwargs)
        if isinstance(cls.__dict__.get("forward"), staticmethod):
            cls.apply = _custom_apply

    def forward(self, *args, **params):
        """Compute the output array from the input arrays (and plain values), and
        ``self.save(...)`` what ``backward`` will need. Every subclass defines it.
        """
        raise NotImplementedError

    def backward(self, grad):
        """Turn the gradient of the output into the gradients of the inputs: one array per
        input (or a single array for one input), ``None`` where an input needs none. Every
        subclass defines it.
        """
        raise NotImplementedError

    def save(self, *arrays) -> None:
        """Keep these arrays for backward (and nothing else: that is what frees memory)."""
        self.saved = arrays

    @classmethod
    def op_name(cls) -> str:
        """The op's name (a fast path keeps the name of the op it stands in for)."""
        return (cls.reference or cls).__name__

    def name(self) -> str:
        """The node's name as PyTorch spells it: the op's, then ``Backward0``."""
        return f"{self.op_name()}Backward0"

    def __repr__(self) -> str:  # as PyTorch's: <MulBackward0 object at 0x...>
        return f"<{self.name()} object at {id(self):#x}>"

    @property
    def next_functions(self) -> tuple:
        """The graph as PyTorch shows it: per input, ``(node, 0)``, the node its gradient
        goes to: its own ``grad_fn``, an :class:`AccumulateGrad` for a leaf, or None."""
        return tuple(
            (p if p is None or isinstance(p, Function) else AccumulateGrad(p), 0)
            for p in getattr(self, "parents", ())
        )

    @classmethod
    def apply(cls, *inputs, **params) -> Tensor:
        """Run the op on tensors (and plain values) and, if needed, record it in the graph."""
        device = None
        arrays = []
        parents = []  # per input: its grad_fn, the leaf itself, or None (no gradient wanted)
        requires_grad = False
        for x in inputs:
            if isinstance(x, Tensor):
                if device is None:
                    device = x.device
                elif x.device is not device:
                    _raise_device_mismatch(cls, inputs)
                arrays.append(x._data)
                if x._version.graph_writes and grad_mode.enabled:  # written in the graph
                    _check_current(cls, x)
                if x._requires_grad:
                    requires_grad = True
                    parents.append(x.grad_fn or x)
                else:
                    parents.append(None)
            else:
                arrays.append(x)
                parents.append(None)
        requires_grad = requires_grad and grad_mode.enabled

        fn = fastpath.active.get((cls, device.type), cls)()  # a fast path, or the reference
        fn.xp = device.xp
        fn.device = device
        fn.needs_input_grad = tuple([requires_grad and p is not None for p in parents])
        # On a GPU, new arrays go on the inputs' device; on the CPU, NumPy keeps quiet about
        # overflow and nan (1e30 * 1e30, inf * 0), which PyTorch returns without a warning.
        with device.activate(), backend.quiet(fn.xp):
            raw = fn.forward(*arrays, **params)
            out = backend.ensure_array(raw)
            if not (out.flags.c_contiguous or fn.is_view or cls.keeps_layout):
                out = _contiguous(fn.xp, out, arrays)

        if requires_grad and out.dtype.kind != "f":
            # Integers and bools have no gradient (PyTorch: only floating point tensors can
            # require one), so an integer result, such as a cast, ends the graph here.
            requires_grad = False
        result = Tensor._wrap(out, fn.out_device or device, requires_grad)
        if fn.is_view:  # a view shares its base's storage, so it shares its version too
            base = inputs[0]
            result._version = base._version
            result._base = base if base._base is None else base._base
        if requires_grad:
            result.grad_fn = fn
            fn.stamp = result._version.graph_writes
            fn.parents = parents
            fn.input_meta = [
                None if p is None else (a.shape, a.dtype) for p, a in zip(parents, arrays)
            ]
            fn.versions = (
                _saved_versions(fn, inputs, result, raw) if fn.saved or fn.keeps is not None else ()
            )
            if recording:  # inside a checkpointed segment's first run (utils/checkpoint.py)
                for segment in recording:
                    segment.record(fn, inputs)
        return result

    def run_backward(self, grad) -> tuple:
        """Check the saved arrays, call ``backward``, and fit each gradient to its input."""
        if self.saved is None or any(c.value != v for c, v in self.versions):
            _raise_stale(self)  # freed by an earlier backward, or changed in place since
        grads = self.backward(grad)
        if type(grads) is not tuple:
            grads = (grads,)
        fitted = []
        for g, meta in zip(grads, self.input_meta):
            if g is not None and meta is not None:
                shape, dtype = meta
                if g.shape != shape:
                    g = sum_to(g, shape)
                if g.dtype != dtype:
                    g = g.astype(dtype)
            fitted.append(g)
        return fitted

    def release(self) -> None:
        """Free the saved arrays once backward has used them."""
        if self.saved:
            self.saved = None


class AccumulateGrad:
    """The node where a leaf's gradient lands, as :attr:`Function.next_functions` shows it
    (PyTorch's): ``variable`` is the leaf. The engine itself adds into the leaf's
    ``.grad`` directly (``Tensor._accumulate_grad``).

    Example:
        >>> import minigrad
        >>> w = minigrad.ones(2, requires_grad=True)
        >>> (node, _), (constant, _) = (w * 2).grad_fn.next_functions
        >>> node, node.variable is w, constant
        (<AccumulateGrad object at 0x...>, True, None)
    """

    next_functions = ()

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable

    def name(self) -> str:
        """PyTorch's name for the node."""
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


class Elementwise(Function):
    """A Function that works element by element (``add``, ``exp``, ``relu``, a cast): its
    result keeps its input's layout, as PyTorch's does (``x.t() * 2`` is transposed too).
    Other Functions' results are contiguous (see ``_contiguous``).

    Example:
        >>> import minigrad
        >>> x = minigrad.ones(2, 3).t()  # a transposed view
        >>> (x * 2).is_contiguous(), minigrad.cat([x, x]).is_contiguous()
        (False, True)
    """

    keeps_layout = True


def _contiguous(xp, out, arrays):
    """``out`` in C order, as PyTorch lays out the results of its ops (other than views and
    elementwise ops), so that ``.view()`` works on them: NumPy's may follow an input's
    layout instead (``concatenate``, ``sum`` and ``einsum`` of a transposed input). A
    result that shares an input's memory stays as it is."""
    if any(backend.is_array(a) and xp.may_share_memory(out, a) for a in arrays):
        return out
    return out.copy()  # C order; ascontiguousarray would make a 0-d array 1-d


def _check_current(cls, x) -> None:
    """Refuse an input whose memory a recorded in-place op on another tensor changed, so
    that its node no longer computes what it holds, unless it is a view, which is read
    again out of its base (``_refresh_view``)."""
    if x.grad_fn is not None and x.grad_fn.stamp == x._version.graph_writes:
        return
    if x._base is not None and _refresh_view(x):
        return
    if x.grad_fn is None:
        return  # outside the graph: its values are all there is to it
    raise RuntimeError(
        f"{cls.op_name()}: an input was changed in place through another tensor that shares "
        f"its memory, so its place in the graph is out of date (it came from "
        f"<{x.grad_fn.name()}>). Use the tensor the in-place op was applied to."
    )


def _raise_stale(fn: Function) -> None:
    """The error for a Function whose saved arrays are gone or were written in place."""
    if fn.saved is None:
        raise RuntimeError(
            f"Trying to backward through the graph a second time (through <{fn.name()}>, whose "
            "saved arrays have already been freed). Specify retain_graph=True on the first "
            "backward() if you need to backward through the graph again."
        )
    for counter, version in fn.versions:
        if counter.value != version:
            raise RuntimeError(
                f"one of the tensors needed for gradient computation by <{fn.name()}> has been "
                f"modified by an in-place operation: it is at version {counter.value}, "
                f"expected version {version}. Change a copy (x.clone()) instead, or make "
                "the change after backward()."
            )


def _saved_versions(fn, inputs, result, raw) -> list:
    """(counter, version) for each input or output that backward needs unchanged: those
    named by ``fn.keeps``, else those whose storage ``forward`` saved. ``raw`` is what
    ``forward`` returned (a NumPy scalar where ``result`` holds a 0-d array made from it)."""
    if fn.keeps is not None:
        tensors = [result if k == "out" else inputs[k] for k in fn.keeps]
    else:
        saved_ids = {id(array) for array in fn.saved}
        tensors = [t for t in inputs if isinstance(t, Tensor) and id(t._data) in saved_ids]
        if id(raw) in saved_ids:
            tensors.append(result)
    return [(t._version, t._version.value) for t in tensors if isinstance(t, Tensor)]


def _keep_versions(result, *tensors) -> None:
    """Make backward through ``result`` refuse if any of ``tensors`` is written in place
    later, as PyTorch's does for the tensors its op saves, where minigrad's Functions
    saved other arrays (converted copies, or ``mse_loss``'s parts). Tested in
    ``tests/test_autograd.py``."""
    fn = result.grad_fn
    if fn is not None:
        fn.versions = (*fn.versions, *((t._version, t._version.value) for t in tensors))


def _raise_device_mismatch(cls, inputs):
    devices = []
    for x in inputs:
        if isinstance(x, Tensor) and str(x.device) not in devices:
            devices.append(str(x.device))
    raise RuntimeError(
        f"Expected all tensors to be on the same device, but found at least two devices, "
        f"{devices[0]} and {devices[1]} (in {cls.__name__.lower()}). Move them with "
        f".to(device) first."
    )


def sum_to(grad, shape: tuple[int, ...]):
    """Sum a broadcast gradient back down to ``shape``, the shape of the operand.

    Broadcasting copies an operand along new leading axes and along axes of size 1; the
    gradient of a copy is the sum over the copies. This is the one place where that sum is
    done, for every op.

    Example:
        >>> import numpy as np
        >>> from minigrad.autograd import sum_to
        >>> grad = np.ones((4, 3))  # the gradient of b after b (3,) was broadcast to (4, 3)
        >>> sum_to(grad, (3,))
        array([4., 4., 4.])
        >>> sum_to(grad, (1, 3))
        array([[4., 4., 4.]])
    """
    lead = grad.ndim - len(shape)
    axes = broadcast_axes(grad.shape, shape)
    if axes:
        with backend.quiet_for(grad):  # inf + -inf is nan, silently,
            grad = grad.sum(axis=axes, keepdims=True)  # as in PyTorch
    if lead:
        grad = grad.reshape(shape)
    return grad


def broadcast_axes(big: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    """The axes of ``big`` along which an operand of ``shape`` was broadcast to it: the new
    leading ones and those where ``shape`` has a 1.

    Example:
        >>> from minigrad.autograd import broadcast_axes
        >>> broadcast_axes((4, 2, 3), (2, 1))
        (0, 2)
    """
    lead = len(big) - len(shape)
    return tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and big[lead + i] != 1
    )


# ----------------------------------------------------------------------------------------
# The backward pass.
# ----------------------------------------------------------------------------------------


def _execute(roots, retain_graph: bool, to_leaf, at_node=None, retain=False) -> None:
    """Run the backward pass (:func:`_walk`) with NumPy quiet about overflow and nan, which
    PyTorch's backward returns without a warning (a diverging run's inf gradients)."""
    with backend.quiet_host():
        _walk(roots, retain_graph, to_leaf, at_node, retain)


def _walk(roots, retain_graph: bool, to_leaf, at_node=None, retain=False) -> None:
    """Propagate gradients from ``roots`` (a list of (tensor, gradient array)) to the leaves.

    Each Function runs once, after every Function that consumes its output has run, so the
    gradient it receives is complete. That order is found without recursion: first count,
    for every Function, the edges that lead into it; then start from the roots and run a
    Function when its count drops to zero (Kahn's algorithm). The gradient of a Function is
    dropped as soon as its backward has run, so memory is freed as the pass goes.

    ``to_leaf(leaf, g, owned)`` receives each gradient that reaches a leaf (``backward``
    adds it to the leaf's ``.grad``; ``owned`` says that nothing else holds ``g``).
    ``at_node(fn, grad)``, if given, sees each Function's whole gradient before it runs.
    A tensor's hooks (``register_hook``) see its whole gradient first and may replace it;
    with ``retain`` (``backward``), a tensor that called ``retain_grad()`` keeps it.
    """
    pending = {} if leaf_hooks_registered else None  # hooked leaf -> edges still to come
    consumers = _count_consumers(roots, pending)
    grads: dict[Function, object] = {}
    leaf = to_leaf
    if pending is not None:  # leaves with hooks: summed, then handed on once complete
        leaf = _HookedLeaves(to_leaf, pending, retain)
    for tensor, g in roots:
        fn = tensor.grad_fn
        if fn is None:
            leaf(tensor, g, False)
        else:
            grads[fn] = grads[fn] + g if fn in grads else g
    ready = [fn for fn in grads if consumers.get(fn, 0) == 0]

    while ready:
        fn = ready.pop()
        grad = grads.pop(fn, None)
        if grad is None:  # no gradient reached this Function: nothing flows on from it
            input_grads = (None,) * len(fn.parents)
        else:
            if fn.hooks is not None or fn.retained is not None:
                grad = _at_output(fn, grad, retain)
            if at_node is not None:
                at_node(fn, grad)
            with fn.device.activate():  # on a GPU, new arrays go on the op's device
                input_grads = fn.run_backward(grad)
        for parent, g in zip(fn.parents, input_grads):
            if isinstance(parent, Function):
                if g is not None:
                    grads[parent] = grads[parent] + g if parent in grads else g
                consumers[parent] -= 1
                if consumers[parent] == 0:
                    ready.append(parent)
            elif parent is not None:
                if g is not None:
                    leaf(parent, g, not retain_graph and _fresh(g, grad, input_grads, fn))
                elif pending:  # an edge into a hooked leaf that brought no gradient
                    leaf(parent, None, False)
        if not retain_graph:
            fn.release()
    if pending is not None:
        leaf.flush_all()  # leaves whose edges did not all arrive (or roots themselves)


# The checkpointed segments being run for the first time (``utils/checkpoint.py``): each
# is told of every node recorded meanwhile, to tell its own graph from the one outside.
recording: list = []

# Whether a leaf tensor ever had a hook registered (``Tensor.register_hook`` or
# ``register_post_accumulate_grad_hook``): until then, backward hands leaf gradients
# straight to ``to_leaf``.
leaf_hooks_registered = False


class _HookedLeaves:
    """``to_leaf``, except for leaves with hooks: their gradients are summed until the
    last edge into them has run (``pending`` counts the edges left), so that their hooks
    see the whole gradient, once; then it goes on to ``to_leaf``, and in ``backward`` the
    post-accumulate hooks run, while the rest of the pass is still to come (as PyTorch's
    optimizer-in-backward needs, to free each gradient early)."""

    def __init__(self, to_leaf, pending: dict, retain: bool) -> None:
        self.to_leaf, self.pending, self.retain = to_leaf, pending, retain
        self.sums: dict = {}

    def __call__(self, tensor, g, owned) -> None:
        if not (tensor._hooks or tensor._post_hooks):
            self.to_leaf(tensor, g, owned)
            return
        if g is not None:
            self.sums[tensor] = self.sums[tensor] + g if tensor in self.sums else g
        if tensor in self.pending:
            self.pending[tensor] -= 1
            if self.pending[tensor] == 0:
                del self.pending[tensor]
                self._flush(tensor)

    def _flush(self, tensor) -> None:
        g = self.sums.pop(tensor, None)
        if g is None:  # no gradient reached it: its hooks do not run
            return
        if tensor._hooks:
            g = _through_hooks(tensor._hooks, g, tensor)
        self.to_leaf(tensor, g, False)
        if self.retain:  # backward: .grad holds the whole gradient now
            _after_accumulation(tensor)

    def flush_all(self) -> None:
        for tensor in list(self.sums):
            self._flush(tensor)


def _after_accumulation(tensor) -> None:
    """Call the leaf's post-accumulate hooks (``register_post_accumulate_grad_hook``) with
    the tensor, its ``.grad`` complete (an optimizer step per parameter, during backward)."""
    for hook in list((tensor._post_hooks or {}).values()):
        result = hook(tensor)
        if result is not None:
            raise TypeError(
                f"a post-accumulate grad hook must return None, got {type(result).__name__}"
            )


def _at_output(fn: Function, grad, retain: bool):
    """The gradient of ``fn``'s output after the output's hooks; kept as its ``.grad`` if
    it called ``retain_grad()`` (and this is ``backward``)."""
    out = fn.retained() if fn.retained is not None else None
    if fn.hooks:
        grad = _through_hooks(fn.hooks, grad, out, fn.device)
    if retain and out is not None:
        out._accumulate_grad(grad)
    return grad


def _through_hooks(hooks: dict, grad, tensor, device=None):
    """``grad`` passed through ``hooks`` in the order they were registered: each gets it
    as a tensor and may return a replacement of the same shape (or None: unchanged)."""
    device = tensor.device if tensor is not None else device
    for hook in list(hooks.values()):
        result = hook(Tensor._wrap(grad, device))
        if result is None:
            continue
        if not isinstance(result, Tensor):
            raise TypeError(
                f"a tensor hook must return a Tensor or None, got {type(result).__name__}"
            )
        if result.shape != grad.shape or result.dtype != grad.dtype:
            raise RuntimeError(
                f"hook {getattr(hook, '__name__', hook)!r} has changed the size or dtype of "
                f"the gradient: got {result.shape} {result.dtype}, expected {grad.shape} "
                f"{grad.dtype}"
            )
        grad = result._data
    return grad


def _count_consumers(roots, hooked_leaves: dict | None = None) -> dict:
    """For every Function reachable from the roots, how many edges lead into it (and into
    each leaf with hooks, in ``hooked_leaves``, if given)."""
    consumers: dict[Function, int] = {}
    stack = [t.grad_fn for t, _ in roots if t.grad_fn is not None]
    seen = set(stack)
    while stack:
        for parent in stack.pop().parents:
            if isinstance(parent, Function):
                consumers[parent] = consumers.get(parent, 0) + 1
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
            elif (
                hooked_leaves is not None
                and parent is not None
                and (parent._hooks or parent._post_hooks)
            ):
                hooked_leaves[parent] = hooked_leaves.get(parent, 0) + 1
    return consumers


def _fresh(g, incoming, siblings, fn: Function) -> bool:
    """True when ``g`` is a new array that nothing else refers to, so that a leaf may keep
    it as its ``.grad`` without copying: not the incoming gradient passed through, not
    returned twice, not one of the Function's saved arrays, and not a part or a broadcast
    of another array. A reshape of a whole new array (BatchNorm's per-channel sums, a
    convolution's weight gradient from its matrix product) is as new as the array."""
    owner = _owner(g)
    whole = owner is g or (g.flags.c_contiguous and g.size == getattr(owner, "size", -1))
    if g.ndim == 0 or not whole or not getattr(g.flags, "writeable", True):
        # 0-d: NumPy may give a scalar; a part or a broadcast view is shared (a broadcast
        # of one element to shape (1,) is whole and contiguous, but read-only)
        return False
    if owner is _owner(incoming) or sum(1 for o in siblings if _owner(o) is owner) > 1:
        return False
    return not (fn.saved and any(owner is _owner(array) for array in fn.saved))


def _owner(array):
    """The array that owns ``array``'s memory (itself, unless it is a view)."""
    base = getattr(array, "base", None)
    return array if base is None else base


def _roots(outputs, grad_outputs, caller: str) -> list:
    """Pair each output tensor with the gradient array to start from: ones for a
    single-element output without one, else the given gradient in the output's dtype."""
    roots = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not (isinstance(out, Tensor) and out._requires_grad):
            _bad_root(i, out, g, caller)  # says what is wrong
        if g is None:
            if out._data.size != 1:
                _bad_root(i, out, g, caller)
            g = out.device.xp.ones_like(out._data)
        else:
            g = g._data if isinstance(g, Tensor) else out.device.xp.asarray(g)
            if g.shape != out._data.shape:
                _bad_root(i, out, g, caller)
            g = g.astype(out._data.dtype, copy=False)
        roots.append((out, g))
    return roots


def _bad_root(i: int, out, g, caller: str) -> None:
    """The error for an output that ``backward``/``grad`` cannot start from."""
    if not isinstance(out, Tensor):
        raise TypeError(f"{caller}: outputs must be tensors, got {type(out).__name__}")
    if not out._requires_grad:
        raise RuntimeError(
            f"element {i} of tensors does not require grad and does not have a grad_fn: "
            "nothing it was computed from has requires_grad=True, it was computed "
            "under no_grad(), or it passed through an integer or bool tensor (which "
            "carries no gradient)"
        )
    if g is None:
        raise RuntimeError(
            f"grad can be implicitly created only for scalar outputs, but the output "
            f"has shape {tuple(out.shape)}; pass a gradient of that shape, or reduce "
            "the output first (for example .sum())"
        )
    raise RuntimeError(
        f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(g.shape)} and "
        f"output[{i}] has a shape of {tuple(out.shape)}"
    )


def _as_list(x) -> list:
    return list(x) if isinstance(x, list | tuple) else [x]


def backward(
    tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None
) -> None:
    """Add the gradients of ``tensors`` with respect to the graph's leaves to their ``.grad``.

    ``tensors.backward()`` calls this. ``grad_tensors`` are the gradients to start from (the
    default, 1, is allowed only for single-element outputs). The graph's saved arrays are
    freed afterwards unless ``retain_graph=True``. With ``inputs``, only those tensors'
    ``.grad`` are touched.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([1.0, 2.0], requires_grad=True)
        >>> minigrad.autograd.backward((x * x).sum())
        >>> x.grad
        tensor([2., 4.])
    """
    if create_graph:
        _no_higher_order()
    tensors = _as_list(tensors)
    grads = _as_list(grad_tensors) if grad_tensors is not None else [None] * len(tensors)
    if len(grads) != len(tensors):
        raise ValueError(f"got {len(grads)} gradients for {len(tensors)} tensors")
    roots = _roots(tensors, grads, "backward")
    if inputs is not None:
        _backward_to(_as_list(inputs), roots, bool(retain_graph))
        return
    _execute(roots, bool(retain_graph), Tensor._accumulate_grad, retain=True)


def _backward_to(inputs, roots, retain_graph: bool) -> None:
    """``backward(inputs=...)``: add gradients to these tensors' ``.grad`` only."""
    capture = _Capture(inputs)
    _execute(roots, retain_graph, capture.to_leaf, capture.at_node)
    for t in inputs:
        if id(t) in capture.grads:
            t._accumulate_grad(capture.grads[id(t)])
            _after_accumulation(t)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    allow_unused=False,
) -> tuple[Tensor | None, ...]:
    """Return the gradients of ``outputs`` with respect to ``inputs``, leaving ``.grad`` alone.

    Example:
        >>> import minigrad
        >>> x = minigrad.tensor([3.0], requires_grad=True)
        >>> minigrad.autograd.grad((x ** 2).sum(), x)
        (tensor([6.]),)
    """
    if create_graph:
        _no_higher_order()
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    for t in inputs:
        if not isinstance(t, Tensor) or not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outputs)
    if len(grads) != len(outputs):
        raise ValueError(f"got {len(grads)} grad_outputs for {len(outputs)} outputs")
    capture = _Capture(inputs)
    _execute(_roots(outputs, grads, "grad"), bool(retain_graph), capture.to_leaf, capture.at_node)
    captured = capture.grads
    result = []
    for t in inputs:
        g = captured.get(id(t))
        if g is None and not allow_unused:
            raise RuntimeError(
                "One of the differentiated Tensors appears to not have been used in the graph. "
                "Set allow_unused=True if this is the desired behavior."
            )
        if g is not None and not g.flags.c_contiguous:  # a broadcast gradient is a view
            g = g.copy()  # with zero strides: make it real, so that in-place updates work
            # (copy, not ascontiguousarray, which makes a 0-d gradient 1-d)
        result.append(None if g is None else Tensor._wrap(g, t.device, False))
    return tuple(result)


def _no_higher_order() -> None:
    raise NotImplementedError(
        "create_graph=True (gradients of gradients) is not supported: minigrad's backward "
        "formulas run on raw arrays and record no graph of their own"
    )


class _Capture:
    """For ``grad()`` and ``backward(inputs=...)``: collect the gradients of the chosen
    tensors, keyed by ``id``, instead of adding anything to ``.grad``. A leaf's gradient
    is summed as it arrives; a non-leaf's is the whole gradient of its Function."""

    def __init__(self, tensors) -> None:
        self.leaves = {id(t) for t in tensors}
        self.nodes = {id(t.grad_fn): id(t) for t in tensors if t.grad_fn is not None}
        self.grads: dict[int, object] = {}

    def to_leaf(self, leaf, g, owned: bool) -> None:
        key = id(leaf)
        if key in self.leaves:
            self.grads[key] = self.grads[key] + g if key in self.grads else g

    def at_node(self, fn, grad) -> None:
        key = self.nodes.get(id(fn))
        if key is not None:
            self.grads[key] = grad
