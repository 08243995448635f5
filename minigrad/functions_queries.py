"""Questions about tensors, as PyTorch's top-level functions ask them: ``is_tensor``,
``numel``, ``is_floating_point``, ``is_nonzero``."""

from __future__ import annotations

from .tensor import Tensor


def is_tensor(obj) -> bool:
    """Whether ``obj`` is a minigrad tensor.

    Example:
        >>> import minigrad
        >>> minigrad.is_tensor(minigrad.ones(2)), minigrad.is_tensor([1.0])
        (True, False)
    """
    return isinstance(obj, Tensor)


def _tensor(input, name: str) -> Tensor:
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' must be Tensor, not {type(input).__name__}")
    return input


def numel(input: Tensor) -> int:
    """The number of elements.

    Example:
        >>> import minigrad
        >>> minigrad.numel(minigrad.ones(2, 3))
        6
    """
    return _tensor(input, "numel").numel()


def is_floating_point(input: Tensor) -> bool:
    """Whether the dtype is a floating-point one.

    Example:
        >>> import minigrad
        >>> minigrad.is_floating_point(minigrad.ones(2))
        True
    """
    return _tensor(input, "is_floating_point").is_floating_point()


def is_nonzero(input: Tensor) -> bool:
    """Whether a one-element tensor is not zero (an error for any other size).

    Example:
        >>> import minigrad
        >>> minigrad.is_nonzero(minigrad.tensor([0.5]))
        True
    """
    input = _tensor(input, "is_nonzero")
    if input.numel() != 1:
        what = "no values" if input.numel() == 0 else "more than one value"
        raise RuntimeError(f"Boolean value of Tensor with {what} is ambiguous")
    return bool(input.item())
