"""``grad``, ``vjp``, ``jacrev`` and the other function transforms, on the engine.

Each transform takes a function and returns another that differentiates it. They all do
the same three things, once, here:

1. **Cut the inputs loose.** The arguments being differentiated (``argnums``; each may be
   a tuple, list or dict of tensors) are replaced by detached copies that require a
   gradient, so that the function's graph starts at them (:func:`_track`).
2. **Run the function with grad mode on**, whatever the caller's mode: ``grad(f)`` works
   under ``no_grad()``, as in PyTorch.
3. **Walk the graph backwards** with :func:`minigrad.autograd.grad`, from the outputs to
   those copies: once for ``grad`` and ``vjp``, once per output element for a Jacobian.

PyTorch's transforms compose: ``grad(grad(f))``, and a ``grad(f)(x)`` whose result is
differentiated again outside (MAML, a gradient penalty). That needs gradients of
gradients, which minigrad's engine does not compute. So when a result would have to stay
differentiable, because an input requires a gradient or the function uses tensors from
outside that do (a model's parameters), the transform raises and says what to do; it never
returns a result whose graph silently stops short. Under ``no_grad()``, or with detached
inputs, nothing outside is differentiated and the transforms run.

``jacfwd`` and ``jvp`` compute in reverse mode too (forward-mode differentiation is not
implemented): the same numbers as PyTorch's, by one backward pass per output element.
"""

from __future__ import annotations

import functools

from .. import autograd, creation, grad_mode
from .. import random as _random
from ..functions import stack
from ..functions_linalg import tensordot
from ..tensor import Tensor
from .pytree import tree_describe, tree_flatten, tree_unflatten

__all__ = ["grad", "grad_and_value", "hessian", "jacfwd", "jacrev", "jvp", "linearize", "vjp"]


def grad(func, argnums=0, has_aux: bool = False):
    """The gradient of ``func``, which returns a scalar tensor, with respect to its
    positional argument(s) ``argnums``: ``grad(f)(x)`` is df/dx, in the shape of ``x``.

    ``argnums`` is an int or a tuple of ints (then a tuple of gradients); an argument may
    be a tuple, list or dict of tensors (a model's parameters), and its gradient has the
    same structure. With ``has_aux=True``, ``func`` returns ``(output, aux)`` and the
    transform returns ``(gradient, aux)``.

    Example:
        >>> import minigrad
        >>> from minigrad.func import grad
        >>> grad(lambda x: (x**3).sum())(minigrad.tensor([1.0, 2.0]))
        tensor([ 3., 12.])
        >>> params = {"w": minigrad.tensor([2.0]), "b": minigrad.tensor([1.0])}
        >>> grad(lambda p, x: (p["w"] * x + p["b"]).sum())(params, minigrad.tensor([3.0]))
        {'w': tensor([3.]), 'b': tensor([1.])}
    """
    transform = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def gradient(*args, **kwargs):
        grads, value = transform(*args, **kwargs)
        return (grads, value[1]) if has_aux else grads

    return gradient


def grad_and_value(func, argnums=0, has_aux: bool = False):
    """Like :func:`grad`, but returns ``(gradient, value)``: the value of ``func`` too
    (``(gradient, (value, aux))`` with ``has_aux=True``).

    Example:
        >>> import minigrad
        >>> from minigrad.func import grad_and_value
        >>> grad_and_value(lambda x: (x**2).sum())(minigrad.tensor([1.0, 3.0]))
        (tensor([2., 6.]), tensor(10.))
    """
    name = "grad_and_value(f)(*args)"

    @functools.wraps(func)
    def gradient_and_value(*args, **kwargs):
        outer = grad_mode.is_grad_enabled()
        with grad_mode.enable_grad():
            args, inputs, spec, tracked = _track(args, argnums, name)
            output, aux = _split_aux(func(*args, **kwargs), has_aux, name)
            if not isinstance(output, Tensor):
                raise RuntimeError(
                    f"{name}: Expected f(*args) to return a Tensor, got {type(output)}"
                )
            if output.ndim != 0:
                raise RuntimeError(
                    f"{name}: Expected f(*args) to return a scalar Tensor, got tensor with "
                    f"{output.ndim} dims. Maybe you wanted to use the vjp or jacrev APIs "
                    "instead?"
                )
            if outer:
                _refuse_outer("grad", [output, *_tensors(aux)], inputs, tracked)
            grads = _gradients([output], inputs)
        value = (output.detach(), _detached(aux)) if has_aux else output.detach()
        return tree_unflatten(grads, spec), value

    return gradient_and_value


def vjp(func, *primals, has_aux: bool = False):
    """``(func(*primals), vjp_fn)``: the outputs and a function that maps cotangents (one
    per output, of its shape) to ``v^T J``, one gradient per primal. ``vjp_fn`` may be
    called many times. With ``has_aux=True``: ``(output, vjp_fn, aux)``.

    Example:
        >>> import minigrad
        >>> from minigrad.func import vjp
        >>> out, vjp_fn = vjp(lambda x: x**2, minigrad.tensor([1.0, 2.0]))
        >>> out, vjp_fn(minigrad.ones(2))
        (tensor([1., 4.]), (tensor([2., 4.]),))
    """
    name = "vjp(f, *primals)"
    inputs, spec, outputs, out_spec, aux = _run(func, primals, {}, None, has_aux, name)

    def vjp_fn(cotangents):
        given = _leaves_like(cotangents, out_spec, outputs, "cotangent", "output")
        with grad_mode.enable_grad():
            grads = _gradients(outputs, inputs, given, retain_graph=True)
        return tree_unflatten(grads, spec)

    result = tree_unflatten([y.detach() for y in outputs], out_spec)
    return (result, vjp_fn, _detached(aux)) if has_aux else (result, vjp_fn)


def jacrev(func, argnums=0, *, has_aux: bool = False, chunk_size: int | None = None):
    """The Jacobian of ``func`` with respect to its argument(s) ``argnums``, by reverse mode:
    for an output of shape ``O`` and an input of shape ``I``, a tensor of shape ``O + I``.
    Several outputs (a tuple, list or dict) and several inputs nest as in PyTorch: per
    output, then per input. ``chunk_size`` is accepted and has no effect here.

    Example:
        >>> import minigrad
        >>> from minigrad.func import jacrev
        >>> jacrev(lambda x: x**2)(minigrad.tensor([1.0, 2.0]))
        tensor([[2., 0.],
                [0., 4.]])
    """
    _check_chunk_size(chunk_size, "jacrev")
    return _jacobian_transform(func, argnums, has_aux, "jacrev")


def jacfwd(func, argnums=0, has_aux: bool = False, *, randomness: str = "error"):
    """The Jacobian of ``func``, as :func:`jacrev` (PyTorch computes it in forward mode;
    minigrad in reverse mode, with the same result). ``randomness`` is checked and has no
    effect: the function runs once.

    Example:
        >>> import minigrad
        >>> from minigrad.func import jacfwd
        >>> jacfwd(lambda x, y: x * y, argnums=1)(minigrad.tensor([2.0]), minigrad.tensor([5.0]))
        tensor([[2.]])
    """
    _check_randomness(randomness)
    return _jacobian_transform(
        func, argnums, has_aux, "jacfwd", refuse_random=randomness == "error"
    )


def hessian(func, argnums=0):
    """Not available: the Hessian needs gradients of gradients, which minigrad's engine does
    not compute (raises NotImplementedError when called).

    Example:
        >>> import minigrad
        >>> from minigrad.func import hessian
        >>> hessian(lambda x: (x**3).sum())(minigrad.ones(2))
        Traceback (most recent call last):
        ...
        NotImplementedError: hessian needs gradients of gradients, ...
    """

    @functools.wraps(func)
    def unsupported(*args, **kwargs):
        raise NotImplementedError(
            "hessian needs gradients of gradients, which minigrad's engine does not compute "
            "(see docs/from-pytorch.md, 'No gradients of gradients'); jacrev gives first "
            "derivatives"
        )

    return unsupported


def jvp(func, primals, tangents, *, strict: bool = False, has_aux: bool = False):
    """``(func(*primals), J @ tangents)``: the outputs and the Jacobian-vector product, one
    tangent per primal, of its shape. Read off the Jacobian (reverse mode, one backward
    pass per output element). ``strict`` is accepted, as in PyTorch, and has no effect.

    Example:
        >>> import minigrad
        >>> from minigrad.func import jvp
        >>> jvp(lambda x: x**2, (minigrad.tensor([1.0, 2.0]),), (minigrad.ones(2),))
        (tensor([1., 4.]), tensor([2., 4.]))
    """
    name = "jvp(f, primals, tangents)"
    for what, value in (("primals", primals), ("tangents", tangents)):
        if not isinstance(value, tuple):
            raise RuntimeError(
                f"{name}: Expected {what} to be a tuple. E.g. it should be valid to call "
                f"f(*{what})."
            )
    output, apply_jacobian, aux = _linearized(func, primals, has_aux, name)
    product = apply_jacobian(tangents)
    return (output, product, aux) if has_aux else (output, product)


def linearize(func, *primals):
    """``(func(*primals), jvp_fn)``: the outputs and a function mapping tangents (one per
    primal) to ``J @ tangents``, for many tangents at the same point. The Jacobian is
    computed once, here.

    Example:
        >>> import minigrad
        >>> from minigrad.func import linearize
        >>> out, jvp_fn = linearize(lambda x: x.sin(), minigrad.zeros(2))
        >>> jvp_fn(minigrad.tensor([1.0, 2.0]))
        tensor([1., 2.])
    """
    output, apply_jacobian, _ = _linearized(func, primals, False, "linearize(f, *primals)")
    return output, lambda *tangents: apply_jacobian(tangents)


# ----------------------------------------------------------------------------------------
# The Jacobian, shared by jacrev, jacfwd, jvp and linearize.
# ----------------------------------------------------------------------------------------


def _jacobian_transform(func, argnums, has_aux: bool, name: str, refuse_random: bool = False):
    @functools.wraps(func)
    def jacobian_of(*args, **kwargs):
        state = _random.get_rng_state()
        inputs, spec, outputs, out_spec, aux = _run(func, args, kwargs, argnums, has_aux, name)
        if refuse_random and _random.get_rng_state() != state:
            raise RuntimeError(  # PyTorch's jacfwd runs in vmap, and says this
                "vmap: called random operation while in randomness error mode. Please "
                "either use the 'same' or 'different' randomness flags on vmap or perform "
                "the randomness operation out of vmap"
            )
        with grad_mode.enable_grad():
            blocks = [_jacobian_blocks(y, inputs) for y in outputs]
        jacobian = tree_unflatten([tree_unflatten(b, spec) for b in blocks], out_spec)
        return (jacobian, _detached(aux)) if has_aux else jacobian

    return jacobian_of


def _jacobian_blocks(y: Tensor, inputs: list) -> list:
    """d y / d x for each input x, each of shape ``y.shape + x.shape``: one backward pass
    per element of ``y``, from a one-hot gradient."""
    if y.numel() == 0 or not y.requires_grad:
        return [creation.zeros(*y.shape, *x.shape, dtype=x.dtype, device=x.device) for x in inputs]
    rows: list[list] = [[] for _ in inputs]
    flat_seed = creation.zeros(y.numel(), dtype=y.dtype, device=y.device)
    for i in range(y.numel()):
        seed = flat_seed.clone()
        seed[i] = 1
        grads = _gradients([y], inputs, [seed.reshape(y.shape)], retain_graph=True)
        for row, g in zip(rows, grads, strict=True):
            row.append(g)
    return [stack(row).reshape(*y.shape, *x.shape) for row, x in zip(rows, inputs, strict=True)]


def _linearized(func, primals: tuple, has_aux: bool, name: str):
    """(outputs, a function of tangents giving J @ tangents, aux) for jvp and linearize."""
    inputs, spec, outputs, out_spec, aux = _run(func, primals, {}, None, has_aux, name)
    with grad_mode.enable_grad():
        blocks = [_jacobian_blocks(y, inputs) for y in outputs]

    def apply_jacobian(tangents):
        given = _leaves_like(tangents, spec, inputs, "tangent", "primal")
        products = []
        for y, row in zip(outputs, blocks, strict=True):
            total = creation.zeros(*y.shape, dtype=y.dtype, device=y.device)
            for block, t in zip(row, given, strict=True):
                total = total + tensordot(block, t.to(block.dtype), dims=t.ndim)
            products.append(total.to(y.dtype))
        return tree_unflatten(products, out_spec)

    result = tree_unflatten([y.detach() for y in outputs], out_spec)
    return result, apply_jacobian, _detached(aux)


# ----------------------------------------------------------------------------------------
# The three steps every transform shares.
# ----------------------------------------------------------------------------------------


def _run(func, args: tuple, kwargs: dict, argnums, has_aux: bool, name: str):
    """Steps 1 and 2 for a transform with tensor outputs: ``func`` called on detached
    copies of the arguments ``argnums`` (None: all of them), with grad mode on. Returns
    (the copies, their spec, the outputs as a flat list, its spec, aux)."""
    outer = grad_mode.is_grad_enabled()
    argnums = tuple(range(len(args))) if argnums is None else argnums
    with grad_mode.enable_grad():
        args, inputs, spec, tracked = _track(args, argnums, name)
        output, aux = _split_aux(func(*args, **kwargs), has_aux, name)
        outputs, out_spec = _output_tensors(output, name)
        if outer:
            _refuse_outer(name.split("(")[0], [*outputs, *_tensors(aux)], inputs, tracked)
    return inputs, spec, outputs, out_spec, aux


def _track(args: tuple, argnums, name: str) -> tuple[list, list, object, bool]:
    """Replace the arguments ``argnums`` by detached copies that require a gradient.
    Returns (the new arguments, the copies as a flat list, the spec that rebuilds the
    differentiated arguments from a flat list: one tree, or a tuple of trees, whether one
    of the caller's tensors that were copied requires a gradient)."""
    positions = _positions(argnums, len(args))
    picked = args[positions] if isinstance(positions, int) else tuple(args[i] for i in positions)
    leaves, spec = tree_flatten(picked)
    for leaf in leaves:
        if not isinstance(leaf, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(leaf)}")
        if not leaf.is_floating_point():
            raise RuntimeError(
                f"{name}: only Tensors of floating point dtype can require gradients, got an "
                f"argument of dtype {leaf.dtype}"
            )
    inputs = [x.detach().requires_grad_(True) for x in leaves]
    rebuilt = tree_unflatten(inputs, spec)
    args = list(args)
    if isinstance(positions, int):
        args[positions] = rebuilt
    else:
        for i, value in zip(positions, rebuilt, strict=True):
            args[i] = value
    # The copies stand for the caller's tensors: if one of those requires a gradient, the
    # result would have to be differentiable with respect to it (see _refuse_outer).
    return args, inputs, spec, any(x.requires_grad for x in leaves)


def _positions(argnums, count: int):
    """``argnums`` checked and made non-negative (an int, or a tuple of ints)."""
    if isinstance(argnums, tuple):
        if not argnums:
            raise RuntimeError("argnums must be non-empty")
        positions = tuple(_positions(a, count) for a in argnums)
        if len(set(positions)) != len(positions):
            raise RuntimeError(f"argnums must be unique, got {argnums}")
        return positions
    if isinstance(argnums, bool) or not isinstance(argnums, int):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if not -count <= argnums < count:
        raise RuntimeError(f"Got argnum={argnums}, but only {count} positional inputs")
    return argnums % count


def _split_aux(result, has_aux: bool, name: str):
    if not has_aux:
        return result, None
    if not (isinstance(result, tuple) and len(result) == 2):
        raise RuntimeError(
            f"{name}: output of function f should be a tuple: (output, aux) if has_aux is True"
        )
    return result


def _output_tensors(output, name: str) -> tuple[list, object]:
    outputs, spec = tree_flatten(output)
    if not outputs or not all(isinstance(y, Tensor) for y in outputs):
        raise RuntimeError(
            f"{name}: Expected f to be a function that has non-empty output and returns "
            f"Tensors (in tuples, lists or dicts), got {type(output).__name__}"
        )
    for y in outputs:
        if not y.is_floating_point():
            raise RuntimeError(
                f"{name}: outputs must be floating-point to be differentiated, got one of "
                f"dtype {y.dtype}"
            )
    return outputs, spec


def _gradients(outputs: list, inputs: list, seeds=None, retain_graph: bool = False) -> list:
    """The gradients of ``outputs`` (from ``seeds``, or ones) with respect to ``inputs``:
    zeros for an input the outputs do not depend on."""
    seeds = seeds if seeds is not None else [None] * len(outputs)
    pairs = [(y, s) for y, s in zip(outputs, seeds, strict=True) if y.requires_grad]
    grads = [None] * len(inputs)
    if pairs:
        grads = autograd.grad([y for y, _ in pairs], inputs,
                              [None if s is None else s.to(y.dtype) for y, s in pairs],
                              retain_graph=retain_graph, allow_unused=True)  # fmt: skip
    return [creation.zeros_like(x) if g is None else g for g, x in zip(grads, inputs, strict=True)]


def _refuse_outer(name: str, results: list, inputs: list, tracked: bool) -> None:
    """Raise when a result would have to stay differentiable outside the transform: an
    argument requires a gradient, or the function used a tensor from outside that does."""
    reached = None if tracked else _outside_leaf(results, {id(x) for x in inputs})
    if not tracked and reached is None:
        return
    what = (
        "an argument it differentiates requires a gradient"
        if tracked
        else f"the function uses a tensor of shape {tuple(reached.shape)} from outside "
        "that requires a gradient (a parameter?)"
    )
    raise NotImplementedError(
        f"{name}: {what}, so its result would have to be differentiable in turn: that needs "
        "gradients of gradients, which minigrad's engine does not compute (see "
        "docs/from-pytorch.md, 'No gradients of gradients'). Pass detached tensors "
        "(x.detach(), or {k: v.detach() for k, v in model.named_parameters()} with "
        "functional_call), or call it under minigrad.no_grad() if its result is not "
        "differentiated further."
    )


def _outside_leaf(tensors: list, inside: set):
    """A leaf requiring a gradient, other than those in ``inside`` (ids), that the graph
    of ``tensors`` reaches; None if there is none."""
    stack_, seen = [], set()
    for t in tensors:
        if t.grad_fn is not None:
            stack_.append(t.grad_fn)
        elif t.requires_grad and id(t) not in inside:
            return t
    while stack_:
        node = stack_.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for parent in node.parents:
            if isinstance(parent, autograd.Function):
                stack_.append(parent)
            elif parent is not None and id(parent) not in inside:
                return parent
    return None


# ----------------------------------------------------------------------------------------
# Small checks and helpers.
# ----------------------------------------------------------------------------------------


def _tensors(tree) -> list:
    return [x for x in tree_flatten(tree)[0] if isinstance(x, Tensor)]


def _detached(tree):
    leaves, spec = tree_flatten(tree)
    return tree_unflatten([x.detach() if isinstance(x, Tensor) else x for x in leaves], spec)


def _leaves_like(tree, spec, reference: list, what: str, of: str) -> list:
    """The leaves of ``tree`` (cotangents, tangents), checked to have the structure
    ``spec`` and the shapes of ``reference`` (the outputs, the primals)."""
    given, given_spec = tree_flatten(tree)
    if given_spec != spec:
        raise RuntimeError(
            f"Expected the {what}s to have the pytree structure of the {of}s, "
            f"{tree_describe(spec)}, got {tree_describe(given_spec)}"
        )
    _check_like(given, reference, what, of)
    return given


def _check_like(given: list, reference: list, what: str, of: str) -> None:
    for i, (g, r) in enumerate(zip(given, reference, strict=True)):
        if not isinstance(g, Tensor) or tuple(g.shape) != tuple(r.shape):
            shape = tuple(g.shape) if isinstance(g, Tensor) else type(g).__name__
            raise RuntimeError(
                f"Mismatch in shape: {what} {i} has shape {shape}, the {of} it goes with "
                f"{tuple(r.shape)}"
            )


def _check_chunk_size(chunk_size, name: str) -> None:
    if chunk_size is not None and (
        isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size <= 0
    ):
        raise ValueError(f"{name}: chunk_size should be None or greater than 0. (got {chunk_size})")


def _check_randomness(randomness: str) -> None:
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(
            "Only allowed values for randomness are 'error', 'different', or 'same'. "
            f"Got {randomness}"
        )
