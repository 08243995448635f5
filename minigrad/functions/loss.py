"""Softmax and the losses over class indices: ``softmax``, ``log_softmax``,
``cross_entropy`` and ``nll_loss``, with their checks (``cross_entropy`` against class
probabilities is in ``soft_targets.py``).

The losses check their arguments in one condition (``_class_loss_ok``), leaving the
message to ``_class_loss_error``; ``_check_targets`` checks the targets' range, and
``legacy_reduction`` reads PyTorch's deprecated ``size_average`` and ``reduce``. The
primitives are in ``ops/softmax.py``.
"""

from __future__ import annotations

import warnings

from .. import autocast_mode, backend, fastpath
from .. import autograd as _autograd
from .. import dtypes as _dtypes
from ..ops import softmax as _softmax
from ..tensor import Tensor
from .args import _check_tensor, cast, normalize_dim, numpy_names
from .shape import permute, reshape, unsqueeze
from .soft_targets import check_label_smoothing, cross_entropy_with_probabilities

# ----------------------------------------------------------------------------------------
# Softmax and the loss
# ----------------------------------------------------------------------------------------


def _implicit_softmax_dim(name: str, ndim: int) -> int:
    """PyTorch's legacy choice when ``dim`` is not given: dim 0 for 0-, 1- and 3-d input
    (a vector, or one unbatched (C, H, W) image), else dim 1 (the channels of a batch),
    with the same deprecation warning."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to "
        "include dim=X as an argument.",
        UserWarning,
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


@numpy_names
@autocast_mode.casts(cuda="float32")
def softmax(input: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    """``exp(x) / exp(x).sum(dim)``, computed stably. Without ``dim``, PyTorch's legacy
    choice (see :func:`_implicit_softmax_dim`), with a warning.

    Example:
        >>> import minigrad
        >>> minigrad.softmax(minigrad.tensor([0.0, 0.0]), dim=0)
        tensor([0.5000, 0.5000])
    """
    input = _float_input(input, dtype, "softmax")
    if dim is None:
        dim = _implicit_softmax_dim("softmax", input.ndim)
    return _softmax.Softmax.apply(input, axis=normalize_dim(dim, input.ndim))


@numpy_names
@autocast_mode.casts(cuda="float32")
def log_softmax(input: Tensor, dim: int | None = None, dtype=None) -> Tensor:
    """``log(softmax(x, dim))``, computed with the log-sum-exp trick (never ``log(0)``).
    Without ``dim``, the same legacy choice as :func:`softmax`.

    Example:
        >>> import minigrad
        >>> logits = minigrad.tensor([[1.0, 2.0, 3.0]])  # (N, C)
        >>> minigrad.log_softmax(logits, dim=1)
        tensor([[-2.4076, -1.4076, -0.4076]])
        >>> minigrad.log_softmax(logits, dim=1).exp().sum(dim=1)  # probabilities sum to 1
        tensor([1.])
    """
    input = _float_input(input, dtype, "log_softmax")
    if dim is None:
        dim = _implicit_softmax_dim("log_softmax", input.ndim)
    return _softmax.LogSoftmax.apply(input, axis=normalize_dim(dim, input.ndim))


def _float_input(input: Tensor, dtype, name: str) -> Tensor:
    _check_tensor(input, name)
    if dtype is not None:
        return cast(input, dtype)
    if not input.is_floating_point():  # PyTorch has no integer softmax either
        raise NotImplementedError(
            f"{name} is not implemented for {input.dtype} tensors (PyTorch computes it in "
            f"floating point only): convert with .float(), or pass dtype=minigrad.float32"
        )
    return input


def legacy_reduction(size_average, reduce, stacklevel: int = 3) -> str:
    """PyTorch's reading of the deprecated ``size_average`` and ``reduce`` arguments of its
    losses (kept so that calls line up with PyTorch's signatures), with its warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use "
        f"reduction='{reduction}' instead.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return reduction


@autocast_mode.casts(cpu="float32", cuda="float32")
def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """The cross-entropy between logits and class indices, fused and numerically stable.

    ``input`` is (N, C) or (N, C, d1, ...) unnormalised scores, or (C,) for one sample;
    ``target`` holds class indices in ``[0, C)`` with the shape of ``input`` minus the class
    dim (or class probabilities of its shape: ``soft_targets.py``). ``weight`` rescales each
    class; targets equal to ``ignore_index`` are skipped; ``reduction`` is ``"mean"``
    (over the total weight), ``"sum"`` or ``"none"`` (``size_average`` and ``reduce`` are
    PyTorch's deprecated spellings of it).

    ``label_smoothing`` (in [0, 1]) mixes the one-hot target with the uniform distribution:
    the loss becomes ``(1 - s) * nll + s / C * sum_c (-w_c * log_softmax(x)_c)``, with the
    second term reduced like the first (for 'mean', over the same total weight), as in
    PyTorch.

    Example:
        >>> import minigrad
        >>> logits = minigrad.tensor([[2.0, 0.0], [0.0, 2.0]])
        >>> minigrad.cross_entropy(logits, minigrad.tensor([0, 1]))
        tensor(0.1269)
        >>> minigrad.cross_entropy(logits, minigrad.tensor([0, 1]), label_smoothing=0.2)
        tensor(0.3269)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    if isinstance(input, Tensor) and isinstance(target, Tensor) and target.shape == input.shape:
        return cross_entropy_with_probabilities(input, target, weight, ignore_index, reduction,
                                                label_smoothing)  # fmt: skip
    if label_smoothing:
        return _smoothed_cross_entropy(input, target, weight, ignore_index, reduction,
                                       label_smoothing)  # fmt: skip
    return _class_loss(
        _softmax.CrossEntropy, "cross_entropy", input, target, weight, ignore_index, reduction
    )


def _smoothed_cross_entropy(input, target, weight, ignore_index, reduction, smoothing):
    """:func:`cross_entropy` with ``label_smoothing`` (its own primitive)."""
    check_label_smoothing(smoothing)
    return _class_loss(
        _softmax.CrossEntropyWithSmoothing, "cross_entropy", input, target, weight,
        ignore_index, reduction, label_smoothing=float(smoothing),
    )  # fmt: skip


@autocast_mode.casts(cpu="float32", cuda="float32")
def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """The negative log-likelihood of log-probabilities (for example ``log_softmax``
    outputs) at class indices; shapes and options as in :func:`cross_entropy`.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> log_probs = F.log_softmax(minigrad.tensor([[2.0, 0.0]]), dim=1)
        >>> F.nll_loss(log_probs, minigrad.tensor([0]))
        tensor(0.1269)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    return _class_loss(_softmax.NLLLoss, "nll_loss", input, target, weight, ignore_index, reduction)


def _class_loss(op, name, input, target, weight, ignore_index, reduction, **options) -> Tensor:
    """Apply a loss primitive over class indices: flatten any extra dimensions
    (N, C, d1, ...) into rows (N * d1 * ..., C), and check the targets' range."""
    single = isinstance(input, Tensor) and isinstance(target, Tensor) and input.ndim == 1
    given = (input, target, weight)
    if single:
        input, target = unsqueeze(input, 0), unsqueeze(target, 0)
    if not _class_loss_ok(input, target, weight, reduction):
        _class_loss_error(name, input, target, weight, reduction, single)  # says what
    classes = input.shape[1]
    rows = target.shape  # the shape of the loss, for reduction='none'
    if input.ndim > 2:
        input = reshape(movedim_last(input, 1), (target.numel(), classes))
        target = reshape(target, (target.numel(),))
    if target.dtype != _dtypes.int64:  # so that ignore_index=-100 fits (uint8 labels, say)
        target = cast(target, _dtypes.int64)
    _check_targets(target, classes, ignore_index)
    # A weight over no classes picks nothing (every target is ignore_index): without it
    # the loss is PyTorch's (0; nan for 'mean'), where the primitive would index it.
    w = None if weight is None or classes == 0 else weight._data.astype(input.dtype, copy=False)
    loss = op.apply(input, target, weight=w, ignore_index=ignore_index, reduction=reduction,
                    **options)  # fmt: skip
    if loss.grad_fn is not None:
        _keep_what_pytorch_saves(loss, op, *given)
    if reduction == "none":
        return reshape(loss, () if single else tuple(rows))
    return loss


def _keep_what_pytorch_saves(loss, op, input, target, weight) -> None:
    """PyTorch's nll_loss saves its input, target and weight (cross_entropy's input goes
    through log_softmax, which saves its output instead): the primitive keeps converted
    copies, so an in-place write into these later must make backward refuse here too."""
    kept = [target] + ([input] if op is _softmax.NLLLoss else [])
    _autograd._keep_versions(loss, *kept, *([weight] if weight is not None else []))


def _class_loss_ok(input, target, weight, reduction) -> bool:
    """Whether the arguments of a loss over class indices are right (checked in one
    condition; :func:`_class_loss_error` says what is wrong when they are not)."""
    return (
        isinstance(input, Tensor) and isinstance(target, Tensor) and input.ndim >= 2
        and reduction in ("mean", "sum", "none") and input.dtype.kind == "f"
        and target.dtype in (_dtypes.int64, _dtypes.uint8) and input.device is target.device
        and tuple(target.shape) == (input.shape[0], *input.shape[2:])
        and (weight is None or (isinstance(weight, Tensor)
             and tuple(weight.shape) == (input.shape[1],)))
    )  # fmt: skip


def _check_targets(target: Tensor, classes: int, ignore_index: int) -> None:
    """Out-of-range targets are a user error; on the GPU they would index out of bounds."""
    t = target._data
    if t.size == 0:
        return
    on_device = fastpath.active.get((_check_targets, target.device.type))
    if on_device is not None:  # a GPU: checked there, reported at the next read
        on_device(target, classes, ignore_index)
        return
    xp = target.device.xp
    bad = xp.logical_and(xp.logical_or(t < 0, t >= classes), t != ignore_index)
    if bool(bad.any()):
        first = backend.to_host(t[bad]).reshape(-1)[0]
        raise IndexError(f"Target {first} is out of bounds: there are {classes} classes")


def _class_loss_error(name, input, target, weight, reduction, single) -> None:
    """Raise the error that says what is wrong with the arguments of a loss over class
    indices (``input`` and ``target`` with the batch dim added when ``single``)."""
    _check_tensor(input, name)
    _check_tensor(target, name)
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{name}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if not input.is_floating_point():
        raise NotImplementedError(f"{name}: input must be floating point, got {input.dtype}")
    if target.dtype.kind not in "iu":
        raise RuntimeError(
            f"{name}: target must hold class indices (an integer tensor), got {target.dtype}"
            + ("; a target of class probabilities has the input's shape"
               if name == "cross_entropy" else "")
        )  # fmt: skip
    if target.dtype not in (_dtypes.int64, _dtypes.uint8):
        raise RuntimeError(
            f"{name}: expected target dtype to be Long or Byte (int64 or uint8), but got "
            f"{target.dtype}; convert the targets with .long()"
        )
    if input.device is not target.device:
        raise RuntimeError(
            f"{name}: expected all tensors to be on the same device, but found at least two "
            f"devices, {input.device} and {target.device}"
        )
    expected = (input.shape[0], *input.shape[2:]) if input.ndim >= 2 else None
    if expected is None or tuple(target.shape) != expected:
        shapes = [tuple(t.shape)[1:] if single else tuple(t.shape) for t in (input, target)]
        expected = () if single else expected
        raise ValueError(
            f"{name}: input of shape {shapes[0]} needs a target of shape "
            f"{expected}, got {shapes[1]}"
        )
    _check_tensor(weight, name)
    raise ValueError(
        f"{name}: weight must have shape ({input.shape[1]},), got {tuple(weight.shape)}"
    )


def movedim_last(input: Tensor, dim: int) -> Tensor:
    """Move dimension ``dim`` to the end."""
    dims = [d for d in range(input.ndim) if d != dim] + [dim]
    return permute(input, tuple(dims))
