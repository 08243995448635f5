"""How a tensor prints: PyTorch's layout and number format, so that what a tutorial shows
is what minigrad shows.

Two decisions make the text:

1. **One number format per tensor**, chosen from its finite non-zero values
   (:class:`NumberFormat`): integers only (``3.``), fixed point with ``precision`` digits
   (``0.3930``), or scientific (``3.9300e-05``) when the values span more than three
   orders of magnitude, exceed 1e8 or fall below 1e-4. Every number is right-aligned to
   the widest.
2. **The layout** (:func:`array_str`): nested brackets, as many numbers per line as fit in
   ``linewidth``, and for tensors of more than ``threshold`` numbers only the first and
   last ``edgeitems`` along each dimension, with ``...`` between.

The module works on host NumPy arrays; ``Tensor.__repr__`` adds the suffixes (device,
dtype, ``grad_fn``). :func:`set_printoptions` changes the options, as
``torch.set_printoptions``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np


@dataclass(frozen=True)
class PrintOptions:
    """The options of :func:`set_printoptions` (PyTorch's defaults)."""

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_PROFILES = {
    "default": PrintOptions(),
    "short": PrintOptions(precision=2, edgeitems=2),
    "full": PrintOptions(threshold=math.inf),
}

options = PrintOptions()


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
) -> None:
    """Set how tensors print, as ``torch.set_printoptions``.

    ``profile`` ("default", "short" or "full") resets every option first; the others
    then override it. ``precision``: digits after the point; ``threshold``: how many
    numbers a tensor may have before it is summarized; ``edgeitems``: how many numbers a
    summary keeps at each end of a dimension; ``linewidth``: characters per line;
    ``sci_mode``: True or False forces scientific or fixed notation, None lets the
    values decide.

    Example:
        >>> import minigrad
        >>> minigrad.set_printoptions(precision=2)
        >>> minigrad.tensor([1 / 3, 2.0])
        tensor([0.33, 2.00])
        >>> minigrad.set_printoptions(profile="default")
        >>> minigrad.tensor([1 / 3, 2.0])
        tensor([0.3333, 2.0000])
    """
    global options
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        options = _PROFILES[profile]
    changes = {"precision": precision, "threshold": threshold, "edgeitems": edgeitems}
    changes["linewidth"] = linewidth
    for name, value in changes.items():
        if value is not None and (not isinstance(value, (int, float)) or value < 0):
            raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    new = {name: value for name, value in changes.items() if value is not None}
    # As PyTorch, every call sets sci_mode: leaving it out means "let the values decide".
    options = replace(options, **new, sci_mode=sci_mode)


class NumberFormat:
    """The format shared by every number of one tensor, and the width they are padded to.

    Example:
        >>> import numpy as np
        >>> fmt = NumberFormat(np.array([0.5, 12.0, np.nan]))
        >>> [fmt(v) for v in (0.5, 12.0, float("nan"))]
        [' 0.5000', '12.0000', '    nan']
    """

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode, self.sci_mode, self.width = True, False, 1
        p = options.precision
        if not self.floating:
            self.width = max((len(str(v)) for v in values.ravel().tolist()), default=1)
            return
        flat = values.astype(np.float64).ravel()
        shown = flat[np.isfinite(flat) & (flat != 0)]
        if shown.size:
            big, small = np.abs(shown).max(), np.abs(shown).min()
            self.int_mode = bool(np.all(shown == np.ceil(shown)))
            self.sci_mode = options.sci_mode
            if self.sci_mode is None:
                self.sci_mode = bool(big / small > 1000.0 or big > 1.0e8 or small < 1.0e-4)
            if self.sci_mode:
                texts = [f"{v:.{p}e}" for v in shown.tolist()]
            elif self.int_mode:
                texts = [f"{v:.0f}." for v in shown.tolist()]
            else:
                texts = [f"{v:.{p}f}" for v in shown.tolist()]
            self.width = max(len(t) for t in texts)

    def __call__(self, value) -> str:
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:.{options.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{options.precision}f}"
        return text.rjust(self.width)


def array_str(array: np.ndarray, indent: int) -> str:
    """The bracketed numbers of ``array`` (no ``tensor(`` and no suffixes), its lines
    after the first indented by ``indent + 1`` (the column after the opening bracket).

    Example:
        >>> import numpy as np
        >>> print(array_str(np.arange(6.0).reshape(2, 3), indent=0))
        [[0., 1., 2.],
         [3., 4., 5.]]
    """
    summarize = array.size > options.threshold
    fmt = NumberFormat(_edges(array) if summarize else array)
    return _nested(array, indent, summarize, fmt)


def _edges(array: np.ndarray) -> np.ndarray:
    """Only the numbers a summary shows: the ``edgeitems`` at each end of each dimension."""
    e = options.edgeitems
    for axis, size in enumerate(array.shape):
        if size > 2 * e:
            keep = np.r_[0:e, size - e : size]
            array = np.take(array, keep, axis=axis)
    return array


def _nested(array: np.ndarray, indent: int, summarize: bool, fmt: NumberFormat) -> str:
    if array.ndim == 0:
        return fmt(array.item())
    e = options.edgeitems
    cut = summarize and array.shape[0] > 2 * e
    if array.ndim == 1:
        values = array.tolist()
        if cut:
            texts = [fmt(v) for v in values[:e]] + [" ..."] + [fmt(v) for v in values[-e:]]
        else:
            texts = [fmt(v) for v in values]
        per_line = max(1, (options.linewidth - indent) // (fmt.width + 2))
        lines = [", ".join(texts[i : i + per_line]) for i in range(0, len(texts), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    rows = range(array.shape[0])
    if cut:
        rows = [*range(e), None, *range(array.shape[0] - e, array.shape[0])]
    parts = ["..." if i is None else _nested(array[i], indent + 1, summarize, fmt) for i in rows]
    return "[" + ("," + "\n" * (array.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def with_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """``text`` + ``, suffix`` for each suffix, starting a new line (indented by
    ``indent``) where a suffix would pass ``linewidth``; then the closing parenthesis."""
    out = [text]
    line = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line + len(suffix) + 2 > options.linewidth:
            out.append(",\n" + " " * indent + suffix)
            line = indent + len(suffix)
        else:
            out.append(", " + suffix)
            line += len(suffix) + 2
    return "".join(out) + ")"
