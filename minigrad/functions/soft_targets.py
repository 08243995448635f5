"""Cross-entropy against class probabilities ("soft" targets), for mixup, CutMix, label
distributions and distillation, where the target is a distribution over the classes
rather than one class index.

:func:`~minigrad.functions.loss.cross_entropy` sends a target of the input's own shape
here, as PyTorch does. The loss of one sample is

    loss = -sum_c w_c * y_c * log_softmax(x)_c

with ``y`` the target (mixed with the uniform distribution by ``label_smoothing``) and
``w`` the class weights. It is built from differentiable ops, so autograd gives the
gradient of the input, and of the target when it requires one (a teacher's output that
is trained too), without a backward formula of its own.
"""

from __future__ import annotations

from ..ops import softmax as _softmax
from ..tensor import Tensor
from .args import _check_tensor
from .shape import reshape


def cross_entropy_with_probabilities(
    input: Tensor, target: Tensor, weight, ignore_index: int, reduction: str, smoothing: float
) -> Tensor:
    """The cross-entropy between logits ``input`` and probabilities ``target`` of the
    same shape: (N, C), (N, C, d1, ...) or (C,). ``"mean"`` divides by the number of
    positions (N * d1 * ...), not by a total weight as with class indices.

    Example:
        >>> import minigrad
        >>> logits = minigrad.tensor([[2.0, 0.0], [0.0, 2.0]])
        >>> mixed = minigrad.tensor([[0.75, 0.25], [0.5, 0.5]])  # e.g. mixup's targets
        >>> minigrad.cross_entropy(logits, mixed)
        tensor(0.8769)
        >>> minigrad.cross_entropy(logits, minigrad.tensor([[1.0, 0.0], [0.0, 1.0]]))
        tensor(0.1269)
    """
    _check(input, target, weight, ignore_index, reduction)
    if smoothing:
        check_label_smoothing(smoothing)
    dim = 0 if input.ndim == 1 else 1
    classes = input.shape[dim]
    if smoothing:
        target = target * (1.0 - smoothing) + smoothing / classes
    log_probs = _softmax.LogSoftmax.apply(input, axis=dim)
    if weight is not None:  # (C,), along the class dim: (C, 1, ...) for (N, C, d1, ...)
        log_probs = log_probs * reshape(weight, (classes,) + (1,) * (input.ndim - dim - 1))
    products = log_probs * target
    if reduction == "none":
        return -products.sum(dim)
    total = -products.sum()  # negated after the sum, as PyTorch's (-0.0 for zero products)
    # 'mean': PyTorch divides by numel / C, the positions; with no classes, 0 / 0 = nan.
    return total if reduction == "sum" else total / (products.numel() // classes if classes else 0)


def check_label_smoothing(smoothing: float) -> None:
    """``label_smoothing`` must be in [0, 1]."""
    # Stricter than PyTorch, which runs a negative or NaN value of cross_entropy over
    # class indices as 0 (no smoothing): an error here beats a silent no-op.
    if not 0.0 <= smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {smoothing}")


def _check(input: Tensor, target: Tensor, weight, ignore_index: int, reduction: str) -> None:
    """Say what is wrong with the arguments, in PyTorch's order and words where it has some."""
    if input.ndim == 0:
        raise IndexError(
            "cross_entropy: the input has no dimensions; it needs a class dim: (C,), (N, C) "
            "or (N, C, d1, ...)"
        )
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(
            f"cross_entropy: reduction must be 'mean', 'sum' or 'none', got {reduction!r}"
        )
    if not input.is_floating_point():
        raise NotImplementedError(f"cross_entropy: input must be floating point, got {input.dtype}")
    if not target.is_floating_point():
        raise RuntimeError(
            "cross_entropy: expected a floating point target with class probabilities (a "
            f"target of the input's shape {tuple(input.shape)}), got {target.dtype}; class "
            "indices have the input's shape without the class dim"
        )
    if ignore_index >= 0:
        raise RuntimeError(
            "cross_entropy: ignore_index is not supported for class probabilities as targets "
            "(a position whose target is all zeros adds nothing to the loss)"
        )
    if input.device is not target.device:
        raise RuntimeError(
            f"cross_entropy: expected all tensors to be on the same device, but found at least "
            f"two devices, {input.device} and {target.device}"
        )
    if weight is not None:
        _check_tensor(weight, "cross_entropy")
        classes = input.shape[0 if input.ndim == 1 else 1]
        if tuple(weight.shape) != (classes,) or weight.device is not input.device:
            raise ValueError(
                f"cross_entropy: weight must have shape ({classes},) on {input.device}, got "
                f"{tuple(weight.shape)} on {weight.device}"
            )
