"""``Size``: a tensor's shape, a tuple of ints that also knows its number of elements.

It is what ``tensor.shape`` and ``tensor.size()`` return, as ``torch.Size``: it compares,
hashes and unpacks as the plain tuple, and slicing, ``+`` and ``*`` keep it a ``Size``.
"""

from __future__ import annotations

import math
import operator


class Size(tuple):
    """A shape: a tuple of non-negative ints, as ``torch.Size``.

    Example:
        >>> import minigrad
        >>> s = minigrad.zeros(2, 3, 4).shape
        >>> s, s[1:], s.numel(), s == (2, 3, 4)
        (minigrad.Size([2, 3, 4]), minigrad.Size([3, 4]), 24, True)
    """

    __slots__ = ()

    def __new__(cls, sizes=()):
        values = []
        for i, n in enumerate(sizes):
            try:
                values.append(operator.index(n))
            except TypeError:
                raise TypeError(
                    f"Size() takes an iterable of 'int' (item {i} is '{type(n).__name__}')"
                ) from None
        return super().__new__(cls, values)

    @classmethod
    def _of(cls, shape: tuple) -> Size:
        """A ``Size`` from an array's shape, which needs no checking (the fast path)."""
        return tuple.__new__(cls, shape)

    def numel(self) -> int:
        """The number of elements of a tensor of this shape (1 for ``Size([])``)."""
        return math.prod(self)

    def __getitem__(self, index):
        item = super().__getitem__(index)
        return Size._of(item) if isinstance(index, slice) else item

    def __add__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(self) + tuple(other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return Size(tuple(other) + tuple(self))

    def __mul__(self, times):
        return Size._of(tuple(self) * times)

    __rmul__ = __mul__

    def __repr__(self) -> str:
        return f"minigrad.Size({list(self)})"

    __str__ = __repr__

    def __reduce__(self):
        return (Size, (tuple(self),))
