"""``F.ctc_loss``: the CTC loss of per-step class log-probabilities against label
sequences (speech, handwriting: inputs longer than their transcripts, with no alignment
given). The recursions are in ``ops/ctc.py``; this module checks the arguments, interleaves
the blanks into the targets, and reduces.
"""

from __future__ import annotations

import numpy as np

from .. import autocast_mode
from ..ops import ctc as _ctc
from ..tensor import Tensor


def _host_ints(values, name: str) -> np.ndarray:
    """Lengths or targets as a host int64 array (from a tensor, a list or a number)."""
    array = np.asarray(values.tolist() if isinstance(values, Tensor) else values)
    if array.size and array.dtype.kind == "f" and np.all(array % 1 == 0):
        array = array.astype(np.int64)  # (PyTorch converts whole-number floats)
    if array.size and array.dtype.kind not in "iu":
        raise RuntimeError(f"ctc_loss: {name} must hold integers, got {array.dtype}")
    return array.astype(np.int64).reshape(-1) if array.ndim == 0 else array.astype(np.int64)


@autocast_mode.casts(cpu="float32")
def ctc_loss(
    log_probs: Tensor,
    targets,
    input_lengths,
    target_lengths,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """The connectionist temporal classification loss (see ``ops/ctc.py``).

    Args:
        log_probs: (T, N, C) log-probabilities of the classes at each step (a
            ``log_softmax`` over C), or (T, C) for one sequence.
        targets: the label sequences: (N, S) padded, or 1-D, all of them one after
            another. Labels are classes other than ``blank``.
        input_lengths: the steps of each sequence (N,), each at most T.
        target_lengths: the labels of each sequence (N,).
        blank: the blank class (default 0).
        reduction: ``"mean"`` (each loss divided by its target length, then the mean over
            the batch, as PyTorch), ``"sum"``, or ``"none"`` for the (N,) losses.
        zero_infinity: give an impossible sequence (too few steps for its labels) loss 0
            and no gradient instead of infinity.

    The gradient with respect to ``log_probs`` is the exact one, ``-(posterior of each
    class)``. PyTorch returns ``exp(log_probs)`` minus that, the gradient with respect to
    the logits of a ``log_softmax`` folded in; through a ``log_softmax`` (as CTC is always
    used) the two give the same gradient for the logits.

    Example:
        >>> import minigrad
        >>> from minigrad.nn import functional as F
        >>> log_probs = minigrad.full((2, 1, 2), 0.5).log()  # 2 steps, blank or "1"
        >>> loss = F.ctc_loss(log_probs, minigrad.tensor([[1]]), [2], [1])
        >>> round(loss.item(), 4)  # -log(3/4): "11", "1-" and "-1" all read "1"
        0.2877
    """
    if not isinstance(log_probs, Tensor):
        raise TypeError(f"ctc_loss: log_probs must be a Tensor, got {type(log_probs).__name__}")
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs.unsqueeze(1)
    if log_probs.ndim != 3 or not log_probs.is_floating_point():
        raise RuntimeError(
            f"ctc_loss: log_probs must be a (T, N, C) or (T, C) floating point tensor, got "
            f"shape {tuple(log_probs.shape)} {log_probs.dtype}"
        )
    steps, batch, classes = log_probs.shape
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    in_lengths = _host_ints(input_lengths, "input_lengths")
    out_lengths = _host_ints(target_lengths, "target_lengths")
    for name, lengths in (("input_lengths", in_lengths), ("target_lengths", out_lengths)):
        if lengths.shape != (batch,):
            raise RuntimeError(
                f"ctc_loss: {name} must have one entry per sequence ({batch}), got shape "
                f"{lengths.shape}"
            )
        if np.any(lengths < 0):
            raise RuntimeError(f"ctc_loss: {name} must not be negative, got {lengths.tolist()}")
    if np.any(in_lengths > steps):
        raise RuntimeError(
            f"Expected input_lengths to have value at most {steps}, but got value "
            f"{int(in_lengths.max())}"
        )
    labels = _host_ints(targets, "targets")
    if unbatched and labels.ndim == 1:  # one sequence's labels
        labels = labels[None, :]
    if labels.ndim == 2:
        if labels.shape[0] != batch:
            raise RuntimeError(
                f"ctc_loss: 2-D targets must have one row per sequence ({batch}), got "
                f"{labels.shape[0]}"
            )
        if np.any(out_lengths > labels.shape[1]):
            raise RuntimeError(
                f"Expected tensor to have size at least {int(out_lengths.max())} at dimension "
                f"1, but got size {labels.shape[1]} for argument #2 'targets'"
            )
        rows = [labels[n, : out_lengths[n]] for n in range(batch)]
    elif labels.ndim == 1:
        if labels.shape[0] != out_lengths.sum():
            raise RuntimeError(
                f"Expected tensor to have size {int(out_lengths.sum())} at dimension 0, but got "
                f"size {labels.shape[0]} for argument #2 'targets'"
            )
        ends = np.cumsum(out_lengths)
        rows = [labels[e - n : e] for e, n in zip(ends, out_lengths)]
    else:
        raise RuntimeError(f"ctc_loss: targets must be 1-D or 2-D, got {labels.ndim}-D")
    for n, row in enumerate(rows):
        if np.any((row < 0) | (row >= classes)):
            raise RuntimeError(
                f"ctc_loss: target {n} holds a label outside the {classes} classes: {row.tolist()}"
            )
        if np.any(row == blank):
            raise RuntimeError(
                f"ctc_loss: target {n} holds the blank class {blank} as a label: {row.tolist()}"
            )
    # The extended labels: blank, l1, blank, l2, ..., blank (padded with blank).
    width = 2 * int(out_lengths.max(initial=0)) + 1
    extended = np.full((batch, width), blank, dtype=np.int64)
    for n, row in enumerate(rows):
        extended[n, 1 : 2 * len(row) : 2] = row
    device = log_probs.device
    nll = _ctc.CTCLoss.apply(
        log_probs,
        Tensor._wrap(device.from_host(extended), device),
        Tensor._wrap(device.from_host(in_lengths), device),
        Tensor._wrap(device.from_host(2 * out_lengths + 1), device),
        blank=int(blank),
        zero_infinity=bool(zero_infinity),
    )
    if reduction == "none":
        return nll.squeeze(0) if unbatched else nll
    if reduction == "sum":
        return nll.sum()
    divisors = np.maximum(out_lengths, 1).astype(log_probs.dtype)
    return (nll / Tensor._wrap(device.from_host(divisors), device)).mean()
