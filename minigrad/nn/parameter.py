"""``Parameter``: a tensor that a module learns."""

from __future__ import annotations

from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad and that a :class:`Module` registers as learnable.

    Assigning a Parameter to a module attribute adds it to ``module.parameters()``; a plain
    tensor is not added. ``Parameter(t)`` shares ``t``'s storage.

    Example:
        >>> import minigrad
        >>> p = minigrad.nn.Parameter(minigrad.zeros(2))
        >>> p.requires_grad, p.is_leaf
        (True, True)
    """

    __slots__ = ()

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        if data is None:
            data = Tensor([])
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter expects a Tensor, got {type(data).__name__}")
        self._data = data._data
        self.device = data.device
        self.grad = None
        self.grad_fn = None
        self._version = data._version
        self._requires_grad = False
        self.requires_grad_(requires_grad)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
