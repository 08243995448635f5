"""A model's parameters as one flat vector and back, as in ``torch.nn.utils``: for code
that treats the whole parameter set as one point (line searches, evolution strategies,
second-order methods, weight averaging)."""

from __future__ import annotations

from ... import functions as _F
from ...tensor import Tensor


def _check_same_device(param: Tensor, first) -> object:
    """The device of the first parameter; a later one elsewhere is refused, as in PyTorch."""
    if first is None:
        return param.device
    if param.device is not first:
        raise TypeError(
            "Found two parameters on different devices, this is currently not supported."
        )
    return first


def parameters_to_vector(parameters) -> Tensor:
    """The parameters flattened and joined into one 1-D tensor, in order (differentiable:
    a gradient of the vector reaches the parameters).

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> layer = nn.Linear(3, 2)
        >>> nn.utils.parameters_to_vector(layer.parameters()).shape  # 2 * 3 weights, 2 biases
        minigrad.Size([8])
    """
    device = None
    flat = []
    for param in parameters:
        device = _check_same_device(param, device)
        flat.append(_F.reshape(param, (-1,)))
    if not flat:
        raise RuntimeError("parameters_to_vector: expected a non-empty iterable of parameters")
    return _F.cat(flat)


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters, each reshaped to its
    parameter's shape (the inverse of :func:`parameters_to_vector`). As in PyTorch, each
    parameter's ``data`` becomes a view of ``vec`` (its dtype and device too); entries of
    ``vec`` beyond the parameters are ignored.

    Example:
        >>> import minigrad
        >>> from minigrad import nn
        >>> layer = nn.Linear(2, 1)
        >>> nn.utils.vector_to_parameters(minigrad.tensor([1.0, 2.0, 3.0]), layer.parameters())
        >>> layer.weight.tolist(), layer.bias.tolist()
        ([[1.0, 2.0]], [3.0])
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected minigrad.Tensor, but got: {type(vec).__name__}")
    device = None
    start = 0
    for param in parameters:
        device = _check_same_device(param, device)
        count = param.numel()
        piece = vec._data[start : start + count]  # a view: the parameter shares vec's memory
        if piece.size != count:
            raise RuntimeError(
                f"vector_to_parameters: vec has {vec.numel()} elements, too few for the "
                f"parameters (the one of shape {tuple(param.shape)} needs elements "
                f"{start} to {start + count})"
            )
        param.data = Tensor._wrap(piece.reshape(param.shape), vec.device)
        start += count
