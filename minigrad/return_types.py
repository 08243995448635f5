"""The named tuples that functions with several results return (``max(dim)``, ``sort``,
``topk``, ``histogram``, ``linalg.slogdet``, ...), as PyTorch's ``torch.return_types``:
fields by name or position, and PyTorch's repr, one field per line.

Example:
    >>> import minigrad
    >>> result = minigrad.tensor([[1.0, 3.0], [2.0, 0.0]]).max(1)
    >>> result
    minigrad.return_types.max(
    values=tensor([3., 2.]),
    indices=tensor([1, 0]))
    >>> values, indices = result
    >>> result.indices is indices
    True
"""

from __future__ import annotations

import sys
from collections import namedtuple


def define(name: str, fields: list[str]) -> type:
    """A named tuple type ``minigrad.return_types.<name>`` with ``fields``, printed as
    PyTorch prints its return types; kept in this module, so that it pickles."""
    base = namedtuple(name, fields)

    def __repr__(self) -> str:
        body = ",\n".join(f"{field}={value!r}" for field, value in zip(self._fields, self))
        return f"minigrad.return_types.{name}(\n{body})"

    kind = type(name, (base,), {"__slots__": (), "__repr__": __repr__, "__module__": __name__})
    kind.__qualname__ = name
    setattr(sys.modules[__name__], name, kind)
    return kind
