"""Nested containers of tensors ("pytrees") taken apart into a flat list and put back.

The function transforms take and return tensors inside tuples, lists and dicts (a model's
parameters as ``{name: tensor}``, a function's outputs as ``(loss, logits)``). Each works
on the flat list of the leaves and rebuilds the caller's structure at the end:

    >>> from minigrad.func.pytree import tree_flatten, tree_unflatten
    >>> leaves, spec = tree_flatten({"w": 1, "pair": (2, [3])})
    >>> leaves
    [1, 2, 3]
    >>> tree_unflatten([10, 20, 30], spec)
    {'w': 10, 'pair': (20, [30])}

Tuples (named tuples too), lists and dicts (in their order) are containers; anything else,
``None`` included, is a leaf.
"""

from __future__ import annotations

LEAF = None  # the spec of a leaf; a container's spec is (type, its keys or None, children)


def tree_flatten(tree) -> tuple[list, object]:
    """The leaves of ``tree`` in order, and its spec (what :func:`tree_unflatten` needs)."""
    leaves: list = []
    return leaves, _flatten(tree, leaves)


def _flatten(tree, leaves: list):
    if isinstance(tree, tuple | list):
        return (type(tree), None, [_flatten(x, leaves) for x in tree])
    if isinstance(tree, dict):
        return (type(tree), list(tree), [_flatten(x, leaves) for x in tree.values()])
    leaves.append(tree)
    return LEAF


def tree_unflatten(leaves, spec):
    """The tree of ``spec`` with ``leaves`` in its places (the inverse of flattening)."""
    remaining = iter(leaves)
    return _build(spec, remaining)


def _build(spec, remaining):
    if spec is LEAF:
        return next(remaining)
    kind, keys, children = spec
    values = [_build(child, remaining) for child in children]
    if keys is not None:
        try:
            return kind(zip(keys, values, strict=True))
        except TypeError:  # a dict subclass that takes other arguments (defaultdict)
            return dict(zip(keys, values, strict=True))
    if hasattr(kind, "_fields"):  # a named tuple
        return kind(*values)
    return kind(values)


def tree_describe(spec) -> str:
    """The shape of a spec in words, for error messages: ``(*, {'a': *})``."""
    if spec is LEAF:
        return "*"
    kind, keys, children = spec
    parts = [tree_describe(c) for c in children]
    if keys is not None:
        return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(keys, parts, strict=True)) + "}"
    if issubclass(kind, list):
        return "[" + ", ".join(parts) + "]"
    return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"


def broadcast_prefix(prefix, tree, what: str, of: str = "inputs") -> list:
    """One value per leaf of ``tree`` from ``prefix``, a tree of the same structure whose
    subtrees may be cut short to one value for all the leaves below (as ``in_dims=0`` is
    0 for every tensor of an argument). Raises ValueError, naming ``what``, on a mismatch.

    >>> broadcast_prefix((0, None), ([1, 2], 3), "in_dims")
    [0, 0, None]
    """
    out: list = []
    _broadcast(prefix, tree, out, what, tree, of)
    return out


def _broadcast(prefix, tree, out: list, what: str, whole, of: str) -> None:
    if not isinstance(prefix, tuple | list | dict):
        out.extend([prefix] * len(tree_flatten(tree)[0]))
        return
    same = (
        isinstance(prefix, dict) and isinstance(tree, dict) and list(prefix) == list(tree)
    ) or (
        isinstance(prefix, tuple | list) and isinstance(tree, tuple | list)
        and len(prefix) == len(tree)
    )  # fmt: skip
    if not same:
        raise ValueError(
            f"{what} is not compatible with the structure of the {of}: {what} has structure "
            f"{tree_describe(tree_flatten(prefix)[1])} but the {of} have structure "
            f"{tree_describe(tree_flatten(whole)[1])}"
        )
    items = zip(prefix.values(), tree.values()) if isinstance(prefix, dict) else zip(prefix, tree)
    for p, t in items:
        _broadcast(p, t, out, what, whole, of)
