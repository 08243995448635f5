"""``vmap``: a function of one sample, run over a batch.

``vmap(f)(xs)`` is ``stack([f(x) for x in xs])``: that is its definition, and that is how
minigrad computes it, one call per sample. (PyTorch gets the same result from one call,
with a batched version of every op; the loop gives the same numbers, at Python speed, and
runs any function, including ones PyTorch's batching rules refuse, such as ``.item()``.)

``in_dims`` says which dimension of each argument is the batch (``None``: the argument is
passed whole to every call), ``out_dims`` where the batch goes in each output. Both are an
int for everything, or a tuple that follows the arguments (outputs), possibly nested into
the tuples, lists and dicts they hold. Gradients flow through: ``vmap(model)(x)`` can be
differentiated like ``model(x)``, and ``vmap(grad(loss))`` gives per-sample gradients.

One difference the loop cannot hide: a change ``f`` makes in place to a tensor shared by
all the samples (an unmapped argument, a module's running statistics) would happen once
per sample, where PyTorch's single call refuses it. An unmapped argument changed in place
is refused here too; ``replace_all_batch_norm_modules_`` (or evaluation mode) keeps
BatchNorm from updating its statistics inside ``vmap``.

``randomness`` says what random draws inside ``f`` do: ``"error"`` (the default, as in
PyTorch) refuses them, ``"different"`` gives each sample its own draws, ``"same"`` gives
every sample the same ones.
"""

from __future__ import annotations

import functools

import numpy as np

from .. import creation
from .. import random as _random
from ..functions import stack
from ..tensor import Tensor
from .pytree import broadcast_prefix, tree_flatten, tree_unflatten
from .transforms import _check_chunk_size, _check_randomness

__all__ = ["vmap"]


def vmap(func, in_dims=0, out_dims=0, randomness: str = "error", *, chunk_size=None):
    """``func`` over a batch: ``vmap(func)(xs)`` is ``stack([func(x) for x in xs])``.

    Example:
        >>> import minigrad
        >>> from minigrad.func import vmap
        >>> dot = lambda a, b: (a * b).sum()
        >>> vmap(dot)(minigrad.tensor([[1.0, 2.0], [3.0, 4.0]]), minigrad.ones(2, 2))
        tensor([3., 7.])
        >>> vmap(dot, in_dims=(0, None))(minigrad.eye(2), minigrad.tensor([5.0, 6.0]))
        tensor([5., 6.])
    """
    _check_randomness(randomness)
    _check_chunk_size(chunk_size, "vmap")
    name = getattr(func, "__name__", type(func).__name__)

    @functools.wraps(func)
    def batched(*args, **kwargs):
        where = f"vmap({name}, in_dims={in_dims!r}, ...)(<inputs>)"
        if not args:
            raise ValueError(
                f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you "
                "are trying to vmap over a function with no inputs. The latter is unsupported."
            )
        if not isinstance(in_dims, int | tuple) or isinstance(in_dims, bool):
            raise ValueError(
                f"{where}: expected `in_dims` to be int or a (potentially nested) tuple "
                f"matching the structure of inputs, got: {type(in_dims)}."
            )
        leaves, spec = tree_flatten(args)
        dims = broadcast_prefix(in_dims, args, f"{where}: in_dims", "inputs")
        size = _batch_size(leaves, dims, where)
        samples = [_sample(leaves, dims, i) for i in range(size)]
        call = functools.partial(_call, func, spec, kwargs)
        if size == 0:  # no sample to run: learn the outputs' shapes from a zero-filled one
            state = _random.get_rng_state()
            probe = _call(func, spec, kwargs, _zero_sample(leaves, dims))
            _random.set_rng_state(state)
            return _empty_outputs(probe, out_dims, name)
        unmapped = [
            x for x, d in zip(leaves, dims, strict=True) if d is None and isinstance(x, Tensor)
        ]
        versions = [x._version.value for x in unmapped]
        outputs = _run(call, samples, randomness)
        if any(x._version.value != v for x, v in zip(unmapped, versions, strict=True)):
            # One call per sample would apply the change once per sample, where PyTorch's
            # single batched call refuses it.
            raise RuntimeError(
                f"vmap({name}): the function changed an argument that is not mapped "
                "(in_dims None) in place; write into a copy, or map the argument"
            )
        return _stack_outputs(outputs, out_dims, name)

    return batched


def _batch_size(leaves: list, dims: list, where: str) -> int:
    """The size of the mapped dimension, checked to be the same for every mapped tensor."""
    sizes = []
    for leaf, dim in zip(leaves, dims, strict=True):
        if dim is None:
            continue
        if isinstance(dim, bool) or not isinstance(dim, int):
            raise ValueError(f"{where}: in_dims must hold ints or None, got {dim!r}")
        if not isinstance(leaf, Tensor):
            raise ValueError(
                f"{where}: Got in_dim={dim} for an input but the input is of type "
                f"{type(leaf)}. We cannot vmap over non-Tensor arguments, please use None as "
                "the respective in_dim"
            )
        if not -leaf.ndim <= dim < leaf.ndim:
            raise ValueError(
                f"{where}: Got in_dim={dim} for some input, but that input is a Tensor of "
                f"dimensionality {leaf.ndim} so expected in_dim to satisfy "
                f"-{leaf.ndim} <= in_dim < {leaf.ndim}."
            )
        sizes.append(leaf.shape[dim])
    if not sizes:
        raise ValueError("vmap: Expected at least one Tensor to vmap over")
    if len(set(sizes)) > 1:
        raise ValueError(
            "vmap: Expected all tensors to have the same size in the mapped dimension, got "
            f"sizes {sizes} for the mapped dimension"
        )
    return sizes[0]


def _sample(leaves: list, dims: list, i: int) -> list:
    return [x if d is None else x.select(d, i) for x, d in zip(leaves, dims, strict=True)]


def _zero_sample(leaves: list, dims: list) -> list:
    sample = []
    for x, d in zip(leaves, dims, strict=True):
        if d is not None:
            shape = x.shape[: d % x.ndim] + x.shape[d % x.ndim + 1 :]
            x = creation.zeros(*shape, dtype=x.dtype, device=x.device)
        sample.append(x)
    return sample


def _call(func, spec, kwargs: dict, sample: list):
    return func(*tree_unflatten(sample, spec), **kwargs)


def _run(call, samples: list, randomness: str) -> list:
    """Call once per sample, with the random draws ``randomness`` asks for."""
    start = _random.get_rng_state()
    outputs = [call(samples[0])]
    if randomness == "error" and _random.get_rng_state() != start:
        raise RuntimeError(
            "vmap: called random operation while in randomness error mode. Please either use "
            "the 'same' or 'different' randomness flags on vmap or perform the randomness "
            "operation out of vmap"
        )
    for sample in samples[1:]:
        if randomness == "same":
            _random.set_rng_state(start)  # each sample draws what the first one drew
        outputs.append(call(sample))
    return outputs


def _stack_outputs(outputs: list, out_dims, name: str):
    """One output tree from one per sample: each tensor stacked along its out_dim."""
    first, spec = tree_flatten(outputs[0])
    columns = [[leaf] for leaf in first]
    for out in outputs[1:]:
        leaves, other = tree_flatten(out)
        if other != spec:
            raise ValueError(
                f"vmap({name}, ...): `{name}` returned outputs of different structures for "
                "different samples; it must return the same structure for every one"
            )
        for column, leaf in zip(columns, leaves, strict=True):
            column.append(leaf)
    dims = _out_dims(out_dims, outputs[0], name)
    stacked = [_stack_column(c, d, name) for c, d in zip(columns, dims, strict=True)]
    return tree_unflatten(stacked, spec)


def _out_dims(out_dims, output, name: str) -> list:
    if isinstance(out_dims, tuple) and len(out_dims) == 1 and not isinstance(output, tuple | list):
        out_dims = out_dims[0]  # (1,) for a single output, as PyTorch takes it
    if out_dims is not None and (
        isinstance(out_dims, bool) or not isinstance(out_dims, int | tuple | list | dict)
    ):
        raise ValueError(
            f"vmap({name}, ..., out_dims={out_dims!r}): expected `out_dims` to be int, None "
            "or a (potentially nested) tuple matching the structure of the outputs"
        )
    return broadcast_prefix(
        out_dims, output, f"vmap({name}, ..., out_dims={out_dims!r}): out_dims", "outputs"
    )


def _stack_column(column: list, dim, name: str):
    head = column[0]
    if head is None:
        return None
    if dim is None:
        # Not mapped: the same value for every sample (PyTorch refuses a batched one).
        for other in column[1:]:
            same = (
                isinstance(other, Tensor) and other.shape == head.shape
                and bool(np.array_equal(other.cpu().numpy(), head.cpu().numpy()))
            ) if isinstance(head, Tensor) else other == head  # fmt: skip
            if not same:
                raise ValueError(
                    f"vmap({name}, ..., out_dims=None): an output with out_dims None differs "
                    "from sample to sample; give it an out_dim (0) to stack it"
                )
        return head
    if not isinstance(head, Tensor):
        raise ValueError(
            f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(head)}. "
            "Did you mean to set out_dims= to None for output?"
        )
    return stack(column, dim=_stacking_dim(dim, head.ndim + 1))


def _stacking_dim(dim: int, ndim: int) -> int:
    if isinstance(dim, bool) or not isinstance(dim, int) or not -ndim <= dim < ndim:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], but "
            f"got {dim})"
        )
    return dim % ndim


def _empty_outputs(probe, out_dims, name: str):
    """The outputs of a vmap over zero samples: each tensor with a batch dimension of 0."""
    leaves, spec = tree_flatten(probe)
    dims = _out_dims(out_dims, probe, name)
    empty = []
    for leaf, dim in zip(leaves, dims, strict=True):
        if isinstance(leaf, Tensor) and dim is not None:
            d = _stacking_dim(dim, leaf.ndim + 1)
            shape = (*leaf.shape[:d], 0, *leaf.shape[d:])
            leaf = creation.zeros(*shape, dtype=leaf.dtype, device=leaf.device)
        elif leaf is not None and dim is not None:
            _stack_column([leaf], dim, name)  # raises: not a tensor
        empty.append(leaf)
    return tree_unflatten(empty, spec)
