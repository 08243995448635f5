"""What "the same result" means, what a mismatch is, and which mismatches are deliberate.

Two results agree when they have the same shape, the same dtype *by name* (minigrad's
dtypes are NumPy's, PyTorch's are ``torch.float32``: documented in docs/from-pytorch.md),
the same ``requires_grad`` and ``is_leaf``, and the same values:

* integer and bool values exactly;
* floats NaN-aware and inf-aware: NaN exactly where the reference has NaN, ±inf exactly
  where it has ±inf with the same sign, and the finite rest within a tolerance of the
  dtype (float64: relative 1e-10, tight enough to see a value rounded through float32;
  float32: relative 1e-4), with an absolute floor scaled by
  the array's largest finite magnitude, since the two libraries may sum in another order.

A float32 result is compared with PyTorch's float32 result *and*, when that fails, with a
float64 run of the same program (``alternative``): minigrad is right if it is close to
either (a float32 program may round differently from PyTorch and still be as accurate).

A :class:`Mismatch` is one disagreement, with a *signature* that names its class:
``kind:op(operand dtypes)``, e.g. ``value:div_scalar(uint8,int)`` or
``grad:relu(float64)`` (parentheses, so that fnmatch patterns can use ``[...]``
classes). Raising counts too: both raising at the same step is agreement
("both-raise"); one raising is a ``minigrad-only-raise`` or ``torch-only-raise``.

``ALLOWLIST`` lists the deliberate differences documented in docs/from-pytorch.md, each
as a predicate over a mismatch: they are counted, never failures. ``known.py`` lists the
mismatch classes that are bugs still open (issue 24), which are reported but do not fail
the run.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

import numpy as np

KINDS = (
    "value",
    "shape",
    "dtype",
    "requires_grad",
    "grad",
    "minigrad-only-raise",
    "torch-only-raise",
)
RTOL = {"float64": 1e-10, "float32": 1e-4, "float16": 1e-2}
ATOL = {"float64": 1e-12, "float32": 1e-5, "float16": 1e-2}


def values_differ(actual, expected, dtype: str, scale: float = 1.0) -> str | None:
    """Why two arrays of the same shape and dtype differ, or None if they agree.

    >>> nan, inf = float("nan"), float("inf")
    >>> values_differ(np.array([nan, inf, 1.0]), np.array([nan, inf, 1.0 + 1e-12]), "float64")
    >>> values_differ(np.array([nan, 1.0]), np.array([0.0, 1.0]), "float64")
    'NaN where the reference has none at [0]'
    >>> values_differ(np.array([-inf]), np.array([inf]), "float64")
    'inf of the other sign at [0]'
    >>> values_differ(np.array([3]), np.array([4]), "int64")
    'values differ at [0]'
    """
    a = np.asarray(actual)
    e = np.asarray(expected)
    if a.shape != e.shape:
        return f"shape {a.shape} vs {e.shape}"
    if a.size == 0:
        return None
    if dtype not in RTOL or not np.issubdtype(e.dtype, np.floating):
        bad = a != e
        return f"values differ at {_where(bad)}" if bad.any() else None
    a = a.astype(np.float64)
    e = e.astype(np.float64)
    an, en = np.isnan(a), np.isnan(e)
    if (an & ~en).any():
        return f"NaN where the reference has none at {_where(an & ~en)}"
    if (en & ~an).any():
        return f"no NaN where the reference has one at {_where(en & ~an)}"
    ai, ei = np.isinf(a), np.isinf(e)
    if (ai != ei).any():
        return f"inf mismatch at {_where(ai != ei)}"
    if (ai & (np.sign(a) != np.sign(e))).any():
        return f"inf of the other sign at {_where(ai & (np.sign(a) != np.sign(e)))}"
    finite = ~(an | ai)
    scale = max(scale, 1.0, float(np.abs(e[finite]).max(initial=0.0)))
    close = np.isclose(a, e, rtol=RTOL[dtype], atol=ATOL[dtype] * scale, equal_nan=True)
    if not close[finite].all():
        bad = finite & ~close
        i = tuple(np.argwhere(bad)[0])
        return f"values differ at {_where(bad)}: {a[i]!r} vs {e[i]!r}"
    return None


def _where(mask) -> str:
    hits = np.argwhere(np.asarray(mask))
    if not len(hits):
        return "[]"
    first = hits[0].tolist()
    more = f" (+{len(hits) - 1} more)" if len(hits) > 1 else ""
    return f"{first}{more}"


@dataclass(frozen=True)
class Summary:
    """A library-neutral view of one result: a tensor (shape, dtype name, flags, values as
    a NumPy array), a Python value, None, or an exception."""

    kind: str  # "tensor", "value", "none", "error"
    shape: tuple = ()
    dtype: str = ""
    requires_grad: bool = False
    is_leaf: bool = True
    array: object = None
    error: str = ""

    def short(self) -> str:
        if self.kind == "error":
            return self.error
        if self.kind == "none":
            return "None"
        if self.kind == "value":
            return f"{self.array!r} ({self.dtype})"
        text = np.array2string(np.asarray(self.array), threshold=20, precision=6)
        flags = ", requires_grad=True" if self.requires_grad else ""
        return f"tensor({text}, dtype={self.dtype}, shape={self.shape}{flags})"


def differ(actual: Summary, expected: Summary, alternative=None, low=False, scale=1.0,
           source=""):  # fmt: skip
    """The first way ``actual`` (minigrad) differs from ``expected`` (PyTorch), as
    ``(kind, detail)``, or None. ``alternative`` is the float64 run's result, which a
    float32 value may match instead. ``low``: the value went through float32 on its way
    (``x.float().double()``), so float64 values get float32's tolerance. ``scale``: the
    largest magnitude among the step's operands, which bounds the rounding error of a
    sum that cancels (``2**31 - 2**31`` in float32), so the absolute tolerance grows
    with it. ``source``: for a Python value, the dtype of the tensor it was read from
    (``item()``): a float read from a float32 tensor has float32's precision, and gets
    its tolerance, as the tensor would.

    >>> t = Summary("tensor", (1,), "float64", array=np.array([1.0]))
    >>> differ(t, t)
    >>> differ(t, Summary("tensor", (1,), "float32", array=np.array([1.0])))
    ('dtype', 'float64 vs float32')
    >>> differ(Summary("none"), t)
    ('value', 'None vs a tensor')
    >>> sin_1 = [Summary("value", dtype="float", array=v) for v in (0.84147096, 0.84147102)]
    >>> differ(*sin_1)[0], differ(*sin_1, source="float32")  # one float32 ulp apart
    ('value', None)
    """
    if actual.kind != expected.kind:
        names = {"none": "None", "tensor": "a tensor", "value": "a Python value"}
        return ("value", f"{names.get(actual.kind, actual.kind)} vs {names.get(expected.kind)}")
    if actual.kind == "none":
        return None
    if actual.kind == "value":
        if actual.dtype != expected.dtype:
            return ("dtype", f"{actual.dtype} vs {expected.dtype}")
        dtype = {"float": "float64", "int": "int64", "bool": "bool"}.get(actual.dtype, "")
        if dtype == "float64" and (source in ("float32", "float16") or low):
            dtype = source if source in ("float32", "float16") else "float32"
        why = values_differ(np.array([actual.array]), np.array([expected.array]), dtype, scale)
        return ("value", why) if why else None
    if actual.shape != expected.shape:
        return ("shape", f"{actual.shape} vs {expected.shape}")
    if actual.dtype != expected.dtype:
        return ("dtype", f"{actual.dtype} vs {expected.dtype}")
    if actual.requires_grad != expected.requires_grad:
        return ("requires_grad", f"{actual.requires_grad} vs {expected.requires_grad}")
    if actual.is_leaf != expected.is_leaf:
        return ("requires_grad", f"is_leaf {actual.is_leaf} vs {expected.is_leaf}")
    tolerance = "float32" if low and expected.dtype == "float64" else expected.dtype
    why = values_differ(actual.array, expected.array, tolerance, scale)
    if (
        why
        and alternative is not None
        and alternative.kind == "tensor"
        and alternative.shape == actual.shape
        and values_differ(actual.array, alternative.array, tolerance, scale) is None
    ):
        return None
    return ("value", why) if why else None


@dataclass
class Mismatch:
    """One disagreement: its kind, the step and op it is blamed on (the first step whose
    results differ; for gradients, the shortest prefix of the program whose backward
    differs), the source of that step, both sides' results, and what the program did
    before (``events``: "augmented-on-grad", "inplace-with-grad-mode", ...)."""

    kind: str
    op: str
    step: int
    phase: str  # "forward" or "backward"
    code: str
    detail: str
    minigrad: str
    torch: str
    dtypes: tuple = ()
    events: frozenset = frozenset()
    extra: dict = field(default_factory=dict)

    @property
    def signature(self) -> str:
        backward_raise = self.phase == "backward" and "raise" in self.kind
        where = f"{self.op}.backward" if backward_raise else self.op
        return f"{self.kind}:{where}({','.join(self.dtypes)})"


@dataclass(frozen=True)
class Allowed:
    """A deliberate, documented difference: ``name``, where it is documented, and a
    predicate over a :class:`Mismatch`."""

    name: str
    doc: str
    matches: object

    def __call__(self, m: Mismatch) -> bool:
        return bool(self.matches(m))


def _refused_inplace(m: Mismatch) -> bool:
    return m.kind == "minigrad-only-raise" and "records no graph for in-place" in m.minigrad


def _augmented_rebinding(m: Mismatch) -> bool:
    # ``a += b`` on a tensor that requires grad makes a new tensor in minigrad, PyTorch
    # writes in place: aliases of the old tensor (views, bases) and PyTorch's checks of
    # modified saved tensors then differ, by design.
    return "augmented-on-grad" in m.events and m.kind in ("value", "torch-only-raise", "grad")


def _ties(m: Mismatch) -> bool:
    # sort(stable=False) and topk leave the order of tied values unspecified in PyTorch;
    # minigrad is always stable. Indices may then differ where the values are equal.
    return m.kind == "value" and m.extra.get("ties") and m.extra.get("tied_equal", False)


def _max_pool_nan_ties(m: Mismatch) -> bool:
    # A window with several NaNs: minigrad's gradient goes to the first NaN, PyTorch's to
    # the last.
    return m.op == "max_pool2d" and m.kind == "grad" and m.extra.get("several_nans", False)


def _max_pool_output_written(m: Mismatch) -> bool:
    # An in-place write into max_pool2d's output: minigrad's backward needs the output
    # (PyTorch's, the indices of the maxima), so minigrad refuses where PyTorch runs.
    return (
        m.kind == "minigrad-only-raise"
        and m.phase == "backward"
        and "<MaxPool2dBackward> has been modified by an in-place operation" in m.minigrad
    )


_COMPARISONS = {"lt_scalar": "<", "le_scalar": "<=", "gt_scalar": ">", "ge_scalar": ">=",
                "eq_scalar": "=="}  # fmt: skip


def _out_of_range_comparison(m: Mismatch) -> bool:
    # PyTorch converts the number to the tensor's dtype first (uint8 < 300 compares with
    # 44); minigrad compares the values. Only for an int outside the dtype's range.
    if m.kind != "value" or m.op not in _COMPARISONS or m.dtypes[1:] != ("int",):
        return False
    if m.dtypes[0] not in ("uint8", "int8", "int16", "int32"):
        return False
    found = re.search(re.escape(_COMPARISONS[m.op]) + r"\s*(-?\d+)\s*$", m.code)
    if found is None:
        return False
    info = np.iinfo(m.dtypes[0])
    return not info.min <= int(found.group(1)) <= info.max


# Ops whose dtype and shape checks PyTorch skips when an operand is empty (int8 (2, 0) @
# float64 (2, 0, 2) runs, as does softmax of an empty int tensor); minigrad checks always.
_MATMULS = ("matmul", "rmatmul", "matmul_pool")  # matmul_pool: @ of two program tensors
_UNCHECKED_WHEN_EMPTY = ("bmm", *_MATMULS, "softmax", "softmax_method", "log_softmax",
                         "cross_entropy_probs", "batch_norm")  # fmt: skip


def _empty_unchecked(m: Mismatch) -> bool:
    if _index_into_empty_unchecked(m):
        return True
    if not m.extra.get("empty"):
        return False
    if m.kind == "minigrad-only-raise" and m.phase == "forward":
        return m.op in _UNCHECKED_WHEN_EMPTY
    # float @ an empty int8 tensor: PyTorch gives the int8 operand's dtype, unchecked
    return m.kind == "dtype" and m.op in _MATMULS


def _index_into_empty_unchecked(m: Mismatch) -> bool:
    # An index array out of range for its dimension, where the rest of the index selects
    # nothing (x[1:-1, ..., [-3]] of a (2, 3, 2) tensor, read or written): PyTorch's
    # result is empty and unchecked, minigrad refuses the index.
    return (
        m.kind == "minigrad-only-raise"
        and (
            (m.op.startswith("getitem") and m.extra.get("empty_result", False))
            or (m.op.startswith("setitem") and m.extra.get("empty", False))
        )
        and "out of bounds" in m.minigrad
    )


def _empty_saved_unchecked(m: Mismatch) -> bool:
    # An in-place write into an empty tensor that batch_norm saved: PyTorch's backward
    # does not notice (nothing changed); minigrad checks the version as for any tensor.
    return (
        m.kind == "minigrad-only-raise"
        and m.phase == "backward"
        and m.extra.get("empty", False)
        and "modified by an in-place operation" in m.minigrad
    )


def _indexed_write_into_expanded(m: Mismatch) -> bool:
    # x[index] = v with an advanced index (index_put_, masked_fill_) into a view with
    # repeated elements (expand()): PyTorch runs it with a deprecation warning (the
    # runner records it), minigrad refuses. Writes PyTorch runs without warning must run.
    return (
        m.kind == "minigrad-only-raise"
        and m.op.startswith("setitem")
        and m.extra.get("expanded_write", False)
        and "more than one element of the written-to tensor" in m.minigrad
    )


# PyTorch's own failures in backward, where the forward ran: ``True ** x`` (an internal
# assert on a bool Scalar), ``x ** bool_tensor`` (a bool subtraction in its formula),
# group_norm with a bias and no weight ("tensor does not have a device"), clamp of a 0-d
# input by bounds that broadcast it ("output with shape [] doesn't match the broadcast
# shape [2]").
_PYTORCH_BACKWARD_FAILURES = ("INTERNAL ASSERT FAILED", "with a bool tensor is not supported",
                              "tensor does not have a device",
                              "doesn't match the broadcast shape")  # fmt: skip


def _pytorch_backward_failure(m: Mismatch) -> bool:
    return (
        m.kind == "torch-only-raise"
        and m.phase == "backward"
        and any(text in m.torch for text in _PYTORCH_BACKWARD_FAILURES)
    )


def _pytorch_ignored_cross_entropy(m: Mismatch) -> bool:
    # cross_entropy or nll_loss of an (N, 0, d...) input with every target ignored:
    # PyTorch fails inside ("size mismatch (got input: [4, 0, 0, 0] ...").
    return (
        m.kind == "torch-only-raise"
        and m.op in ("cross_entropy", "nll_loss")
        and "size mismatch" in m.torch
    )


def _pytorch_empty_dim_failure(m: Mismatch) -> bool:
    # Reflection padding of an input with an empty non-batch dimension, and batch_norm in
    # evaluation mode over zero channels: PyTorch refuses (or fails inside, select());
    # minigrad returns the empty result.
    return (
        m.kind == "torch-only-raise"
        and m.phase == "forward"
        and m.extra.get("empty", False)
        and (
            (m.op == "pad_reflect" and "other non-zero dimensions" in m.torch)
            or (m.op == "batch_norm" and "select(): index 0 out of range" in m.torch)
        )
    )


def _undefined_cast(m: Mismatch) -> bool:
    # A float outside an integer type's range (NaN, inf, 300.0 to int8) cast with .to():
    # undefined in C++; PyTorch's result is whatever the CPU gives, minigrad's NumPy's.
    return m.kind == "value" and m.op == "to_dtype" and m.extra.get("undefined_cast", False)


# Degenerate cases where PyTorch's formula makes NaN (inf * 0, inf - inf, 0 / 0) and
# minigrad's gives inf, 0 or a finite value: an infinite weight in batch_norm, group_norm
# or layer_norm,
# cross_entropy's gradient under an infinite one (and its smoothing term over zero
# classes), x ** x's gradient at 0 under an infinite one.
_NAN_FOR_INF_OPS = ("batch_norm", "group_norm", "layer_norm", "cross_entropy", "pow")


def _nan_in_degenerate_case(m: Mismatch) -> bool:
    return (
        m.kind in ("value", "grad")
        and m.op in _NAN_FOR_INF_OPS
        and "no NaN where the reference has one" in m.detail
    ) or _lowest_int_exponent(m)


def _lowest_int_exponent(m: Mismatch) -> bool:
    # x ** e with an integer tensor e holding its dtype's minimum (-128 in int8), at x = 0:
    # PyTorch's gradient formula computes e - 1 in e's dtype, which wraps around to its
    # maximum, so it gets 0 * 0 ** 127 = 0; minigrad's exponent is a float there, and
    # 0 * 0 ** -129 is NaN (at other bases, the gradients differ as much).
    return m.kind == "grad" and m.op == "pow" and m.extra.get("lowest_int_exponent", False)


def _zero_sign(m: Mismatch) -> bool:
    # layer_norm without a bias gives -0.0 for a zero input and a negative weight, where
    # PyTorch's fused form gives +0.0: a division by it then gives inf of the other sign.
    return (
        m.kind == "value"
        and "layer-norm" in m.events
        and m.op in ("rdiv_scalar", "div", "div_scalar")
        and m.detail.startswith("inf of the other sign")
    )


def _view_before_requires_grad(m: Mismatch) -> bool:
    # A view made before its base's requires_grad_(): PyTorch reports requires_grad=True
    # on it, yet no gradient reaches the view or the base through it; minigrad says False.
    return m.kind == "requires_grad" and m.op.endswith("<-requires_grad_")


ALLOWLIST = (
    Allowed(
        "in-place on a tensor that requires grad, with grad mode on",
        "docs/from-pytorch.md#in-place-operations-record-no-graph (and #assignment-by-index-"
        "records-no-graph): minigrad refuses unless under no_grad(); PyTorch records it",
        _refused_inplace,
    ),
    Allowed(
        "a += b on a tensor that requires grad rebinds a",
        "docs/from-pytorch.md#in-place-operations-record-no-graph: out of place, a new tensor",
        _augmented_rebinding,
    ),
    Allowed(
        "order of tied values in sort(stable=False)/topk indices",
        "docs/from-pytorch.md#narrower-options: minigrad is always stable",
        _ties,
    ),
    Allowed(
        "max_pool2d's gradient in a window of several NaNs",
        "docs/from-pytorch.md#max-pooling-over-a-nan: the first NaN, PyTorch the last",
        _max_pool_nan_ties,
    ),
    Allowed(
        "a write into max_pool2d's output before backward",
        "docs/from-pytorch.md#max-pooling-over-a-nan: backward needs the output, PyTorch "
        "the indices",
        _max_pool_output_written,
    ),
    Allowed(
        "comparison with an int out of the tensor's range",
        "docs/from-pytorch.md#comparing-with-a-number-out-of-the-tensors-range",
        _out_of_range_comparison,
    ),
    Allowed(
        "dtype and shape checks on empty operands",
        "docs/from-pytorch.md#checks-on-empty-tensors: PyTorch skips some; minigrad checks",
        _empty_unchecked,
    ),
    Allowed(
        "a write into an empty tensor that backward saved",
        "docs/from-pytorch.md#checks-on-empty-tensors: minigrad checks its version anyway",
        _empty_saved_unchecked,
    ),
    Allowed(
        "an indexed write into an expanded tensor",
        "docs/from-pytorch.md#indexed-writes-into-an-expanded-tensor: PyTorch deprecates "
        "it (a warning), minigrad refuses",
        _indexed_write_into_expanded,
    ),
    Allowed(
        "PyTorch fails in backward",
        "docs/from-pytorch.md#where-pytorch-fails: True ** x, x ** bool, group_norm(bias)",
        _pytorch_backward_failure,
    ),
    Allowed(
        "PyTorch fails in cross_entropy/nll_loss with every target ignored over zero classes",
        "docs/from-pytorch.md#where-pytorch-fails",
        _pytorch_ignored_cross_entropy,
    ),
    Allowed(
        "PyTorch fails in reflection padding or eval batch_norm over an empty dimension",
        "docs/from-pytorch.md#where-pytorch-fails",
        _pytorch_empty_dim_failure,
    ),
    Allowed(
        "an out-of-range float cast to an integer type",
        "docs/from-pytorch.md#casting-an-out-of-range-float-to-an-integer-type",
        _undefined_cast,
    ),
    Allowed(
        "NaN in PyTorch's degenerate cases (inf * 0), inf or 0 in minigrad's",
        "docs/from-pytorch.md#nan-or-inf-in-degenerate-cases",
        _nan_in_degenerate_case,
    ),
    Allowed(
        "the sign of a zero from layer_norm",
        "docs/from-pytorch.md#nan-or-inf-in-degenerate-cases (signed zeros)",
        _zero_sign,
    ),
    Allowed(
        "a view made before its base's requires_grad_()",
        "docs/from-pytorch.md#views-made-before-requires_grad_",
        _view_before_requires_grad,
    ),
)
# Deliberate differences the fuzzer never meets, by construction, and so needs no entry:
# dtypes are compared by name (NumPy dtypes); shapes as tuples (not torch.Size); results
# are read with numpy() (which copies in minigrad) and never printed or repr'd (printing
# differs); create_graph=True (unsupported) is never passed; inplace=True flags (accepted,
# ignored) are never passed; no random numbers are drawn (other streams than PyTorch's).


def allowed(m: Mismatch) -> Allowed | None:
    """The allowlist entry that covers ``m``, or None."""
    for entry in ALLOWLIST:
        if entry(m):
            return entry
    return None


def known_entry(signature: str, known) -> tuple | None:
    """The entry of ``known`` (``(pattern, note)`` pairs; fnmatch patterns over
    signatures) that matches ``signature``, or None.

    >>> known_entry("value:div_scalar(uint8,int)", [("value:div*(uint8,*)", "item 3")])
    ('value:div*(uint8,*)', 'item 3')
    >>> known_entry("value:le_scalar(int8,int)", [("value:[lg][te]_scalar(*)", "ok")])
    ('value:[lg][te]_scalar(*)', 'ok')
    >>> known_entry("grad:relu(float64)", [("value:*", "no")]) is None
    True
    """
    for pattern, note in known:
        if fnmatch.fnmatchcase(signature, pattern):
            return (pattern, note)
    return None


def first_line(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}"
    text = re.sub(r"\s+", " ", text)
    return text[:300]
